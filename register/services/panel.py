"""The expert panel of the innovation line (the line flagged `innovation` in the standard's data).

The city assigns several raters to a sheet under city review; each scores the line on their own and sees
only their own score until all have scored. The line's city score is then the mean (or the mean without the
highest and lowest score, as the period sets), rounded to the period's score step, and is written to the
city column by a city reviewer through the score service (so the sheet's audit and totals follow).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from evaluations.audit import record
from evaluations.models import Evaluation, Stage, State
from evaluations.services.scores import ScoreInvalid, parse_score, save_score
from evaluations.services.workflow import NotAllowed, WorkflowError, lock
from orgs.models import Role, User
from orgs.scoping import ACTION_ROLES, can
from standards import engine
from standards.numbers import format_points, round_to_step

from ..models import PanelMethod, PanelRating, PeriodRules
from .rules import rules_for

# The panel works while the city reviews the sheet (before it is completed), or re-scores it on appeal.
PANEL_STATES = frozenset({State.COUNTY_PASSED, State.CITY_REVIEWING, State.APPEAL_REVIEWING})
MIN_RATERS = 2
MAX_COMMENT = 1000


@dataclass(frozen=True)
class PanelResult:
    line_id: str
    assigned: int
    scored: int
    method: str
    scores: tuple[Decimal, ...]  # every rater's score, only once all have scored (else empty)
    value: Decimal | None  # the line's score, rounded to the step (None until all have scored)

    @property
    def complete(self) -> bool:
        return self.assigned >= MIN_RATERS and self.scored == self.assigned

    @property
    def explanation(self) -> str:
        if self.value is None:
            return ""
        shown = "、".join(format_points(s) for s in self.scores)
        how = "去掉一个最高分和一个最低分后取平均" if self.method == PanelMethod.TRIMMED else "取平均"
        return f"专家组 {self.assigned} 人评分（{shown}），{how}并按计分步长取整：{format_points(self.value)} 分"


def panel_line(evaluation: Evaluation) -> str:
    line_id = evaluation.period.standard.standard.innovation_line
    if line_id is None:
        raise WorkflowError("评审标准中没有标记为创新工作的评审项，不能设专家组评分。")
    return line_id


def combine(scores: list[Decimal], method: str, step: Decimal) -> Decimal:
    """The panel's score: mean, or trimmed mean (three raters or more), rounded to the step."""
    values = sorted(scores)
    if method == PanelMethod.TRIMMED and len(values) >= 3:
        values = values[1:-1]
    mean = sum(values, Decimal(0)) / Decimal(len(values))
    return round_to_step(mean, step)


def eligible_raters(evaluation: Evaluation, rules: PeriodRules | None = None) -> QuerySet[User]:
    """Active users whose role may rate; none of the community's own district when the period says so."""
    rules = rules or rules_for(evaluation.period)
    qs = User.objects.filter(is_active=True, role__in=ACTION_ROLES["rate_panel"]).select_related("unit")
    if rules.panel_exclude_own_district and evaluation.community.county_id is not None:
        qs = qs.exclude(role=Role.COUNTY_REVIEWER, unit_id=evaluation.community.county_id)
    return qs.order_by("role", "username")


def result(evaluation: Evaluation) -> PanelResult:
    rules = rules_for(evaluation.period)
    line_id = panel_line(evaluation)
    ratings = list(PanelRating.objects.filter(evaluation=evaluation))
    scored = [r.score for r in ratings if r.score is not None]
    complete = len(ratings) >= MIN_RATERS and len(scored) == len(ratings)
    value = combine(scored, rules.panel_method, evaluation.period.score_step) if complete else None
    return PanelResult(line_id, len(ratings), len(scored), rules.panel_method,
                       tuple(sorted(scored)) if complete else (), value)


def assign(evaluation: Evaluation, user: User, rater_ids: list[int]) -> list[PanelRating]:
    """Set the panel (adds the new raters; removes those not chosen who have not scored yet)."""
    if not can(user, "manage_panel"):
        raise NotAllowed("只有市级人员可以组织专家组评分。")
    chosen = list(dict.fromkeys(int(x) for x in rater_ids))
    if len(chosen) < MIN_RATERS:
        raise WorkflowError(f"专家组至少需要 {MIN_RATERS} 位评分专家。")
    with transaction.atomic():
        ev = lock(evaluation, user)
        if ev.state not in PANEL_STATES:
            raise WorkflowError(f"评估表当前状态为「{ev.get_state_display()}」，只能在市级复核阶段组织专家组评分。")
        line_id = panel_line(ev)
        rules = rules_for(ev.period)
        allowed = {u.pk: u for u in eligible_raters(ev, rules).filter(pk__in=chosen)}
        refused = [str(x) for x in chosen if x not in allowed]
        if refused:
            why = "（本评估期设定专家不得来自被评社区所在区）" if rules.panel_exclude_own_district else ""
            raise WorkflowError(f"所选人员中有 {len(refused)} 位不能担任本表的评分专家{why}。")
        existing = {r.rater_id: r for r in PanelRating.objects.select_for_update().filter(evaluation=ev)}
        for rater_id, rating in existing.items():
            if rater_id not in allowed:
                if rating.score is not None:
                    raise WorkflowError(f"{rating.rater.display_name or rating.rater.username} 已评分，不能移出专家组。")
                rating.delete()
        for rater_id, rater in allowed.items():
            if rater_id not in existing:
                PanelRating.objects.create(evaluation=ev, line_id=line_id, rater=rater, assigned_by=user)
        names = "、".join(u.display_name or u.username for u in allowed.values())
        record(ev, user, "panel", line_id=line_id, field="panel", note=f"设定第 {line_id} 行专家组：{names}")
    return list(PanelRating.objects.filter(evaluation=evaluation).select_related("rater"))


def rate(rating: PanelRating, user: User, raw_score: object, comment: str = "") -> PanelRating:
    """A rater's own score (changeable until the panel's score is adopted or the city review ends)."""
    if rating.rater_id != user.pk or not can(user, "rate_panel"):
        raise NotAllowed("只有被指定的评分专家本人可以评分。")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise WorkflowError(f"评分意见不能超过 {MAX_COMMENT} 字。")
    with transaction.atomic():
        locked = PanelRating.objects.select_for_update(of=("self",)).select_related(
            "evaluation__period__standard").get(pk=rating.pk)
        ev = locked.evaluation
        if ev.state not in PANEL_STATES:
            raise WorkflowError(f"评估表当前状态为「{ev.get_state_display()}」，专家组评分已结束。")
        value = parse_score(raw_score, locked.line_id)
        if value is None:
            raise ScoreInvalid(f"第 {locked.line_id} 行：请填写得分。")
        errors = engine.validate_score(ev.period.standard.standard, Stage.CITY.value, locked.line_id, value,
                                       step=ev.period.score_step)
        blocking = [e.message for e in errors if e.code in engine.VALUE_ERROR_CODES]
        if blocking:
            raise ScoreInvalid("；".join(blocking) + "。未保存。", blocking)
        locked.score, locked.comment, locked.scored_at = value, comment, timezone.now()
        locked.save(update_fields=["score", "comment", "scored_at"])
        # The score itself stays out of the sheet's history until all have scored (independence).
        record(ev, user, "panel", line_id=locked.line_id, field="panel_score", note="专家提交了评分")
    return locked


def adopt(evaluation: Evaluation, user: User) -> Decimal:
    """Write the panel's score to the line's city column (through the score service)."""
    if not can(user, "manage_panel"):
        raise NotAllowed("只有市级人员可以采用专家组评分。")
    outcome = result(evaluation)
    if not outcome.complete or outcome.value is None:
        raise WorkflowError(f"专家组尚未全部评分（{outcome.scored}/{outcome.assigned}），不能采用。")
    save_score(evaluation, user, outcome.line_id, Stage.CITY.value, outcome.value, outcome.explanation)
    return outcome.value


def own_assignments(user: User) -> QuerySet[PanelRating]:
    return (PanelRating.objects.filter(rater=user)
            .select_related("evaluation__period", "evaluation__community")
            .order_by("-evaluation__period__year", "evaluation__community__code"))
