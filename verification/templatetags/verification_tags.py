"""The sheet's verification panel: one include on the evaluation sheet."""

from __future__ import annotations

from typing import Any

from django import template

from evaluations import policy

from ..models import Check
from ..selectors import sheet_verification

register = template.Library()


@register.inclusion_tag("verification/_sheet_panel.html", takes_context=True)
def verification_panel(context: dict[str, Any], evaluation) -> dict[str, Any]:
    user = context["request"].user
    if not policy.may_see_verification(user, evaluation):
        return {"show": False}
    has_checks = Check.objects.filter(draw__community_id=evaluation.community_id,
                                      draw__period_id=evaluation.period_id).exclude(result="").exists()
    data = sheet_verification(evaluation) if has_checks else None
    card = data.card if data else None
    if data is None:
        from ..selectors import card_suggestion

        card = card_suggestion(evaluation)
    if data is not None:
        # The sheet's line rows, rendered after the panel in the same block, read this (sheet_parts.jinja).
        context["verification_lines"] = {row.line_id: row for row in data.lines if row.checked}
    return {"show": True, "evaluation": evaluation, "data": data, "card": card}
