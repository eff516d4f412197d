"""Inline edits of a sheet: one line's score and reason, one checklist fact, the innovation text.

Each edit locks the sheet, refuses a stale page whose item changed meanwhile, validates with the engine,
bumps the sheet's revision, writes the audit trail and refreshes the cached totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from orgs.models import User
from orgs.scoping import can
from standards import engine
from standards.schema import Standard

from .. import policy
from ..audit import record
from ..facts import checklist_fact_names, collect_facts, forget_facts
from ..models import Evaluation, FactAnswer, LineScore, Stage
from ..scoring import begun_stages, refresh_cached_result, result_for, suggestion_for
from .workflow import NotAllowed, WorkflowError, bump, check_fresh, lock, state_label

MAX_REASON = 1000
MAX_INNOVATION = 20000


class ScoreInvalid(WorkflowError):
    """The entered value breaks a rule of the line; nothing was saved."""


@dataclass
class SaveOutcome:
    evaluation: Evaluation
    changed: bool
    warnings: list[str] = field(default_factory=list)
    result: engine.Result | None = None
    # The sheet's line scores after the save (with who entered them), for the fragment rendered next.
    line_scores: list[LineScore] | None = None


def parse_score(raw: Any, line_id: str) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, Decimal | int | float) and not isinstance(raw, bool):
        return Decimal(str(raw))
    text = str(raw).strip().replace("，", ".").replace("。", ".")
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ScoreInvalid(f"第 {line_id} 行：得分必须是数字，实际为「{text}」。") from None
    if not value.is_finite():
        raise ScoreInvalid(f"第 {line_id} 行：得分必须是数字，实际为「{text}」。")
    return value


def can_edit_stage(evaluation: Evaluation, user: User, stage: str) -> bool:
    return policy.may_edit_stage(user, evaluation, stage)


def save_score(
    evaluation: Evaluation,
    user: User,
    line_id: str,
    stage: str,
    score: Any,
    reason: str | None = None,
    expected_revision: int | None = None,
) -> SaveOutcome:
    if stage not in policy.STAGES:
        raise WorkflowError(f"未知的评审阶段「{stage}」。")
    stage_label = Stage(stage).label
    if not policy.owns_stage(user, stage):
        raise NotAllowed(f"您的角色（{user.get_role_display()}）不能填写「{stage_label}」一栏。")
    value = parse_score(score, line_id)
    reason = (reason or "").strip() if stage in engine.REASON_STAGES else ""
    if len(reason) > MAX_REASON:
        raise ScoreInvalid(f"第 {line_id} 行：扣分原因不能超过 {MAX_REASON} 字。")
    # The facts (ledger queries) are computed once, before the row lock is taken.
    facts = collect_facts(evaluation)
    with transaction.atomic():
        ev = lock(evaluation, user)
        if (ev.state, ev.revision) != (evaluation.state, evaluation.revision):
            # The sheet changed between the read and the lock (rare): its facts may have too.
            forget_facts()
            facts = collect_facts(ev)
        check_fresh(ev, expected_revision, kinds={"score", "reason"}, line_id=line_id, stage=stage)
        if not policy.may_edit_stage(user, ev, stage):
            raise WorkflowError(
                f"评估表当前状态为「{state_label(ev.state)}」，「{stage_label}」一栏不可修改。"
            )
        standard = ev.period.standard.standard
        line = standard.lines_by_id.get(line_id)
        if line is None:
            raise ScoreInvalid(f"第 {line_id} 行：标准中没有此行。")
        if not policy.line_reopened(ev, line_id):
            raise WorkflowError(f"第 {line_id} 行未被退回，不可修改（退回后只能修改被退回的评审项）。")
        # The sheet's rows, read once: the suggestion, the row saved and the new result use them.
        rows = {(ls.line_id, ls.stage): ls for ls in LineScore.objects.filter(evaluation=ev).select_related("updated_by")}
        suggestion = suggestion_for(ev, facts, line_id)
        errors = engine.validate_score(
            standard, stage, line_id, value, reason if stage in engine.REASON_STAGES else None,
            suggestion, step=ev.period.score_step,
        )
        blocking = [e.message for e in errors if e.code in engine.VALUE_ERROR_CODES]
        if blocking:
            raise ScoreInvalid("；".join(blocking) + "。未保存。", blocking)

        existing = rows.get((line_id, stage))
        old_score = existing.score if existing else None
        old_reason = existing.reason if existing else ""
        changed_score = old_score != value
        changed_reason = old_reason != reason
        if not changed_score and not changed_reason:
            result = result_for(ev, facts, line_scores=rows.values())
            return SaveOutcome(ev, False, _warnings(result, stage, line_id), result, list(rows.values()))
        if existing is None:
            existing = rows[(line_id, stage)] = LineScore(evaluation=ev, line_id=line_id, stage=stage,
                                                          updated_by=user)
        existing.score, existing.reason, existing.updated_by = value, reason, user
        if changed_score:
            existing.adopted_from = ""
        existing.save()
        ev.revision += 1  # saved with the new totals below (one UPDATE of the sheet row)
        if changed_score:
            record(ev, user, "score", line_id=line_id, stage=stage, field="score", old=old_score, new=value)
        if changed_reason:
            record(ev, user, "reason", line_id=line_id, stage=stage, field="reason", old=old_reason, new=reason)
        # One evaluation for the stored totals (the begun stages) and for the answer's page (also the
        # stages the user sees, begun or not): engine.restrict gives each its own part.
        begun = begun_stages(ev, rows.values())
        wide = result_for(ev, facts, stages=sorted({*begun, *policy.visible_stages(user, ev)}),
                          line_scores=rows.values())
        result = refresh_cached_result(ev, engine.restrict(standard, wide, begun), also=("revision", "updated_at"))
    return SaveOutcome(ev, True, _warnings(result, stage, line_id), wide, list(rows.values()))


def _warnings(result: engine.Result, stage: str, line_id: str) -> list[str]:
    return [e.message for e in result.errors if e.stage == stage and e.line == line_id and e.code != "missing_score"]


def fact_editable(evaluation: Evaluation, user: User) -> bool:
    return policy.may_edit_facts(user, evaluation)


def parse_fact_value(standard: Standard, name: str, raw: Any) -> Any:
    """A checklist answer (form text or Python value) as the JSON value the engine expects; '' = unanswered."""
    fact = standard.facts[name]
    where = f"核查事实「{fact.label}」"
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if fact.type == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"true", "1", "yes", "是", "on"}:
            return True
        if text in {"false", "0", "no", "否", "off"}:
            return False
        raise ScoreInvalid(f"{where}只能回答「是」或「否」。")
    text = str(raw).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ScoreInvalid(f"{where}必须是数字，实际为「{text}」。") from None
    if not number.is_finite() or number < 0:
        raise ScoreInvalid(f"{where}必须是不小于 0 的数字，实际为「{text}」。")
    if fact.type == "int":
        if number != number.to_integral_value():
            raise ScoreInvalid(f"{where}必须是整数，实际为「{text}」。")
        return int(number)
    return int(number) if number == number.to_integral_value() else float(number)


def answer_fact(
    evaluation: Evaluation, user: User, name: str, value: Any, expected_revision: int | None = None
) -> SaveOutcome:
    if not can(user, "edit_facts"):
        raise NotAllowed("您的角色不能填写核查事实。")
    with transaction.atomic():
        ev = lock(evaluation, user)
        check_fresh(ev, expected_revision, kinds={"fact"}, field_name=name)
        standard = ev.period.standard.standard
        if not policy.may_edit_facts(user, ev):
            raise WorkflowError(
                f"评估表当前状态为「{state_label(ev.state)}」，您不能修改核查事实"
                "（社区在草稿时填写，县级、市级在各自审核中更正）。"
            )
        if not policy.may_edit_facts(user, ev, name):
            raise WorkflowError(
                f"核查事实「{standard.fact_label(name)}」不影响被退回的评审项，不可修改（退回后只能修改被退回的评审项及其依据的事实）。"
            )
        if name not in checklist_fact_names(standard):
            raise ScoreInvalid(f"「{name}」不是本评估表核查清单中的事实（可能由台帐计算）。")
        parsed = parse_fact_value(standard, name, value)
        try:
            engine.validate_facts(standard, {name: parsed})
        except engine.FactsError as exc:
            raise ScoreInvalid(str(exc)) from None
        answer = FactAnswer.objects.filter(evaluation=ev, name=name).first()
        old = answer.value if answer else None
        if answer is not None and old == parsed:
            return SaveOutcome(ev, False, [], result_for(ev))
        if answer is None:
            answer = FactAnswer(evaluation=ev, name=name, answered_by=user)
        answer.value, answer.answered_by = parsed, user
        if policy.editable_stage(ev) == Stage.SELF.value:
            # The community declares; a reviewer's later correction keeps this declaration and its author.
            answer.declared, answer.declared_value, answer.declared_by = True, parsed, user
            answer.declared_at = timezone.now()
        answer.save()
        bump(ev)
        record(ev, user, "fact", field=name, old=old, new=parsed, note=standard.fact_label(name))
        forget_facts()
        result = refresh_cached_result(ev)
    return SaveOutcome(ev, True, [], result)


def standard_innovation_line(evaluation: Evaluation) -> str:
    return evaluation.period.standard.standard.innovation_line or ""


def save_innovation_text(
    evaluation: Evaluation, user: User, text: str, expected_revision: int | None = None
) -> SaveOutcome:
    """The innovation line's written material: the community writes it while filling in the sheet."""
    if not policy.owns_stage(user, Stage.SELF):
        raise NotAllowed("只有社区填报人员可以填写创新工作文字材料。")
    text = (text or "").strip()
    if len(text) > MAX_INNOVATION:
        raise ScoreInvalid(f"创新工作文字材料不能超过 {MAX_INNOVATION} 字。")
    with transaction.atomic():
        ev = lock(evaluation, user)
        check_fresh(ev, expected_revision, kinds={"innovation"})
        if not policy.may_edit_innovation(user, ev):
            raise WorkflowError(f"评估表当前状态为「{state_label(ev.state)}」，创新工作文字材料不可修改。")
        if ev.innovation_text == text:
            return SaveOutcome(ev, False)
        old = ev.innovation_text
        ev.innovation_text = text
        ev.save(update_fields=["innovation_text", "updated_at"])
        bump(ev)
        record(ev, user, "innovation", line_id=standard_innovation_line(ev), field="innovation_text", old=old, new=text,
               note="创新工作文字材料")
    return SaveOutcome(ev, True)


# ------------------------------------------------------------------------------------------------
# Adopting the lower stage's scores


@dataclass
class AdoptOutcome:
    evaluation: Evaluation
    adopted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # Chinese, one per line not adopted and why


def lower_stage(standard: Standard, line_id: str, stage: str) -> str | None:
    """The nearest stage below `stage` that scores the line (county → self; city → county, else self)."""
    order = list(policy.STAGES)
    line = standard.line(line_id)
    for below in reversed(order[: order.index(stage)]):
        if line.scored_at(below):
            return below
    return None


def adopt_lower(
    evaluation: Evaluation,
    user: User,
    line_ids: list[str] | None = None,
    reason: str = "",
    expected_revision: int | None = None,
) -> AdoptOutcome:
    """The reviewer takes the lower stage's score for the given lines (None: the whole sheet) into the stage
    they are editing, in one step: atomic, each line audited, the revision bumped once.

    A line is adopted only where it is editable for the user and the lower score is valid at the reviewer's
    stage with the reason that goes with it (the given standard reason, else the line's existing reason,
    else the lower stage's reason); the others are listed as skipped with why.
    """
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ScoreInvalid(f"扣分原因不能超过 {MAX_REASON} 字。")
    facts = collect_facts(evaluation)
    with transaction.atomic():
        ev = lock(evaluation, user)
        if (ev.state, ev.revision) != (evaluation.state, evaluation.revision):
            forget_facts()
            facts = collect_facts(ev)
        one = line_ids[0] if line_ids is not None and len(line_ids) == 1 else None
        check_fresh(ev, expected_revision, kinds={"score", "reason"}, line_id=one)
        if not policy.may_adopt(user, ev):
            raise WorkflowError(f"评估表当前状态为「{state_label(ev.state)}」，您不能采用下级评分。")
        stage = policy.user_editable_stage(user, ev)
        assert stage is not None
        standard = ev.period.standard.standard
        wanted = [line.id for line in standard.lines] if line_ids is None else list(dict.fromkeys(line_ids))
        unknown = [x for x in wanted if x not in standard.lines_by_id]
        if unknown:
            raise ScoreInvalid(f"标准中没有第 {'、'.join(unknown)} 行。")
        suggestions = result_for(ev, facts, stages=[]).suggestions
        existing = {
            s.line_id + "/" + s.stage: s
            for s in LineScore.objects.select_for_update().filter(evaluation=ev, line_id__in=wanted)
        }
        outcome = AdoptOutcome(ev)
        changes: list[tuple[LineScore, Any, str, str]] = []
        for line_id in wanted:
            line = standard.line(line_id)
            if not policy.may_edit_line(user, ev, stage, line.scored_at(stage), line_id):
                if len(wanted) == 1:
                    outcome.skipped.append(f"第 {line_id} 行：您当前不能修改本行")
                continue
            below = lower_stage(standard, line_id, stage)
            lower = existing.get(f"{line_id}/{below}") if below else None
            if lower is None or lower.score is None:
                outcome.skipped.append(f"第 {line_id} 行：下级尚未评分")
                continue
            mine = existing.get(f"{line_id}/{stage}")
            use_reason = reason or (mine.reason if mine else "") or lower.reason
            errors = engine.validate_score(
                standard, stage, line_id, lower.score, use_reason, suggestions.get(line_id), step=ev.period.score_step
            )
            if errors:
                outcome.skipped.append(errors[0].message)
                continue
            if mine is not None and mine.score == lower.score and mine.reason == use_reason:
                continue
            if mine is None:
                mine = LineScore(evaluation=ev, line_id=line_id, stage=stage, updated_by=user)
            changes.append((mine, mine.score, mine.reason, use_reason))
            mine.score, mine.reason, mine.updated_by, mine.adopted_from = lower.score, use_reason, user, below or ""
        if not changes:
            return outcome
        bump(ev)
        for mine, old_score, old_reason, new_reason in changes:
            mine.save()
            label = Stage(mine.adopted_from).label
            if old_score != mine.score:
                record(ev, user, "score", line_id=mine.line_id, stage=stage, field="score", old=old_score,
                       new=mine.score, note=f"采用{label}得分")
            if old_reason != new_reason:
                record(ev, user, "reason", line_id=mine.line_id, stage=stage, field="reason", old=old_reason,
                       new=new_reason, note=f"采用{label}得分")
            outcome.adopted.append(mine.line_id)
        refresh_cached_result(ev, result_for(ev, facts))
    outcome.evaluation = ev
    return outcome
