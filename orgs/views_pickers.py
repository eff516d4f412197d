"""Small scoped endpoint behind the community picker's suggestions (htmx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import pickers
from .scoping import visible_communities


@login_required
def community_options(request):
    """Up to 20 communities of the user's scope whose full name or code matches `q` (or `community`)."""
    text = (request.GET.get("q") or request.GET.get("community") or "").strip()
    communities = visible_communities(request.user).filter(is_active=True)
    found = pickers.search(communities, text) if text else communities.order_by("code")
    return render(request, "orgs/_community_options.html", {
        "options": list(found.only("pk", "code", "full_name")[: pickers.SUGGESTIONS])})
