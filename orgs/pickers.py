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


def search_units(units: models.QuerySet[Unit], text: str) -> models.QuerySet[Unit]:
    """Units (any level) whose full name, name or code matches `text`."""
    text = text.strip()
    return units.filter(
        models.Q(full_name__icontains=text) | models.Q(name__icontains=text) | models.Q(code__istartswith=text)
    ).order_by("code")


def label(unit: Unit) -> str:
    """What the unit picker shows and accepts back: the full path and the code ("东湖区 / 湖滨街道（990102001）")."""
    return f"{unit.full_name or unit.name}（{unit.code}）"


def resolve_unit(units: models.QuerySet[Unit], raw: str | None) -> tuple[Unit | None, str]:
    """The one unit of `units` named by `raw` (an id, a picker label, a full name or a code), or an error."""
    raw = (raw or "").strip()
    if not raw:
        return None, "请选择单位。"
    if raw.isdigit():
        unit = units.filter(pk=int(raw)).first()
        if unit is not None:
            return unit, ""
    if raw.endswith("）") and "（" in raw:
        code = raw[raw.rindex("（") + 1:-1]
        unit = units.filter(code=code).first()
        if unit is not None:
            return unit, ""
    exact = list(units.filter(models.Q(full_name=raw) | models.Q(code=raw) | models.Q(name=raw))[:2])
    if len(exact) == 1:
        return exact[0], ""
    found = list(search_units(units, raw)[:2])
    if len(found) == 1:
        return found[0], ""
    if found or exact:
        return None, f"“{raw}”对应多个单位，请从下拉建议中选择一个。"
    return None, f"没有找到“{raw}”，请输入单位名称或代码后从下拉建议中选择。"
