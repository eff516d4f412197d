"""Small scoped endpoint behind the community picker's suggestions (htmx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import pickers
from .models import PARENT_LEVEL, Level
from .scoping import visible_communities, visible_units


@login_required
def community_options(request):
    """Up to 20 communities of the user's scope whose full name or code matches `q` (or `community`)."""
    text = (request.GET.get("q") or request.GET.get("community") or "").strip()
    communities = visible_communities(request.user).filter(is_active=True)
    found = pickers.search(communities, text) if text else communities.order_by("code")
    return render(request, "orgs/_community_options.html", {
        "options": list(found.only("pk", "code", "full_name")[: pickers.SUGGESTIONS])})


@login_required
def unit_options(request):
    """Up to 20 active units of the user's scope (of the `level`s asked, comma-separated) matching `q`."""
    # htmx sends the input under its own name (unit, parent).
    text = (request.GET.get("q") or request.GET.get("unit") or request.GET.get("parent") or "").strip()
    levels = [lvl for lvl in (request.GET.get("level") or "").split(",") if lvl in Level.values]
    if request.GET.get("parent_of"):  # the unit form: `level` is the new unit's; offer its parent's level
        levels = [str(PARENT_LEVEL[lvl]) for lvl in levels if lvl in PARENT_LEVEL]
    units = visible_units(request.user).filter(is_active=True)
    if levels:
        units = units.filter(level__in=levels)
    found = pickers.search_units(units, text) if text else units.order_by("code")
    return render(request, "orgs/_unit_options.html", {
        "options": [pickers.label(u) for u in found.only("pk", "code", "name", "full_name")[: pickers.SUGGESTIONS]]})
