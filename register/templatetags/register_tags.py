"""The register's pieces on the sheet page: last year's baseline per line, appeals and the panel."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html

from evaluations.models import State
from orgs.scoping import can
from standards.numbers import format_points

from .. import selectors
from ..services import appeals as appeal_service

register = template.Library()


def sheet_baseline(evaluation: Any, user: Any) -> selectors.Baseline | None:
    """Last year's result for this sheet's page; read once per sheet per request (every row asks)."""
    if not hasattr(evaluation, "_register_baseline"):
        evaluation._register_baseline = selectors.baseline_for(evaluation, user)
    return evaluation._register_baseline


def _baseline(context: template.Context) -> selectors.Baseline | None:
    evaluation = context.get("evaluation")
    request = context.get("request")
    if evaluation is None or request is None:
        return None
    return sheet_baseline(evaluation, request.user)


def baseline_cell(evaluation: Any, user: Any, row: Any) -> str:
    """'上年 4.5' under the line's maximum, with the difference from this year's latest score (the sheet's
    rows, evaluations/jinja2/evaluations/sheet_parts.jinja)."""
    if evaluation is None or user is None:
        return ""
    base = sheet_baseline(evaluation, user)
    if base is None or row.line_id not in base.scores or base.scores[row.line_id] is None:
        return ""
    last: Decimal = base.scores[row.line_id]
    current = None
    for cell in row.cells:
        if cell.scored and cell.score is not None:
            current = cell.score
    if current is None or Decimal(str(current)) == last:
        return format_html('<div class="small text-muted baseline" data-testid="baseline-{}">上年 {}</div>',
                           row.line_id, format_points(last))
    diff = Decimal(str(current)) - last
    css = "text-success" if diff > 0 else "text-danger"
    sign = "+" if diff > 0 else ""
    return format_html(
        '<div class="small baseline" data-testid="baseline-{}">上年 {} <span class="fw-semibold {}">{}{}</span></div>',
        row.line_id, format_points(last), css, sign, format_points(diff))


@register.inclusion_tag("register/_sheet_box.html", takes_context=True)
def register_sheet_box(context: template.Context) -> dict[str, Any]:
    evaluation = context["evaluation"]
    user = context["request"].user
    appeals = list(evaluation.appeals.select_related("decided_by").order_by("-filed_at"))
    award = getattr(evaluation, "award", None) if evaluation.state in (State.PUBLISHED, State.APPEAL_REVIEWING) else None
    return {
        "evaluation": evaluation,
        "baseline": _baseline(context),
        "appeals": appeals,
        "award": award,
        "may_appeal": can(user, "appeal") and not appeal_service.appeal_refusal(evaluation, user),
        "deadline": appeal_service.appeal_deadline(evaluation) if evaluation.state == State.PUBLISHED else None,
        "may_panel": can(user, "manage_panel") and evaluation.period.standard.standard.innovation_line is not None,
        "panel_open": evaluation.state in ("county_passed", "city_reviewing", "appeal_reviewing"),
    }


@register.filter
def award_status(value: str) -> str:
    from ..models import AwardStatus

    return str(AwardStatus(value).label) if value in AwardStatus.values else ""
