"""The community picker: a text search over the communities a user may see, instead of a 3,000-option list.

The same parameter (`community`) carries either a community's id (links, the htmx suggestion picked) or
typed text (the form submitted without JavaScript): text that names exactly one community selects it,
other text narrows the list to every community whose full name or code contains it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from .models import Unit

SUGGESTIONS = 20


@dataclass
class CommunityChoice:
    text: str  # what the user typed or picked, shown back in the field
    selected: Unit | None  # the one community chosen
    matches: models.QuerySet[Unit] | None  # text naming several communities: all of them; None: no filter

    @property
    def active(self) -> bool:
        return self.selected is not None or self.matches is not None


def search(communities: models.QuerySet[Unit], text: str) -> models.QuerySet[Unit]:
    text = text.strip()
    return communities.filter(
        models.Q(full_name__icontains=text) | models.Q(code__istartswith=text)
    ).order_by("code")


def resolve(communities: models.QuerySet[Unit], raw: str | None) -> CommunityChoice:
    """Interpret the `community` parameter within `communities` (already restricted to the user's scope)."""
    raw = (raw or "").strip()
    if not raw:
        return CommunityChoice("", None, None)
    if raw.isdigit():
        unit = communities.filter(pk=int(raw)).first()
        if unit is not None:
            return CommunityChoice(unit.full_name, unit, None)
    exact = communities.filter(models.Q(full_name=raw) | models.Q(code=raw)).first()
    if exact is not None:
        return CommunityChoice(exact.full_name, exact, None)
    matches = search(communities, raw)
    first_two = list(matches[:2])
    if len(first_two) == 1:
        return CommunityChoice(first_two[0].full_name, first_two[0], None)
    return CommunityChoice(raw, None, matches)


def apply(queryset: models.QuerySet, choice: CommunityChoice, path: str = "community") -> models.QuerySet:
    """Filter `queryset` (whose `path` is a FK to a community) by the choice."""
    if choice.selected is not None:
        return queryset.filter(**{f"{path}_id": choice.selected.pk})
    if choice.matches is not None:
        return queryset.filter(**{f"{path}__in": choice.matches.values("pk")})
    return queryset
