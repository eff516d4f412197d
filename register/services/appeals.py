"""Appeals (复核申请): a community asks for a re-review of its published result within the period's window;
a city reviewer who took no part in the sheet decides — keeps the result, or re-scores the city column
(the sheet goes to 复核申请重新评分中 through the workflow, the scores through the score service) and
publishes it again, which updates the register.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from evaluations.audit import record
from evaluations.models import AuditEvent, Evaluation, LineScore, Stage, State, Transition
from evaluations.policy import ACTIONS
from evaluations.services.evidence import EvidenceError, check_file, clean_name
from evaluations.services.workflow import NotAllowed, WorkflowError, lock, transition
from orgs.models import User
from orgs.scoping import can

from ..models import Appeal, AppealFile, AppealStatus, AwardChange, PeriodRules
from .awards import record_award
from .rules import rules_for

MAX_TEXT = 2000
MAX_FILES = 5
# The sheet's city-stage steps: whoever did one of them took part in the decision under appeal.
CITY_ACTIONS = frozenset(name for name, action in ACTIONS.items() if action.stage == Stage.CITY.value)


def appeal_deadline(evaluation: Evaluation, rules: PeriodRules | None = None) -> datetime.date | None:
    """The last day a community may ask for a re-review (calendar days from publication)."""
    if evaluation.published_at is None:
        return None
    rules = rules or rules_for(evaluation.period)
    return timezone.localdate(evaluation.published_at) + datetime.timedelta(days=rules.appeal_days)


def open_appeal(evaluation: Evaluation) -> Appeal | None:
    return evaluation.appeals.exclude(status__in=[AppealStatus.KEPT, AppealStatus.CHANGED]).first()


def appeal_refusal(evaluation: Evaluation, user: User, today: datetime.date | None = None) -> str:
    """Why the user may not file an appeal on the sheet now ('' when they may)."""
    if not can(user, "appeal"):
        return "只有社区填报人员可以为本社区提出复核申请。"
    if evaluation.state != State.PUBLISHED:
        return f"评估表当前状态为「{evaluation.get_state_display()}」，只能对已公布的结果提出复核申请。"
    deadline = appeal_deadline(evaluation)
    if deadline is None or (today or timezone.localdate()) > deadline:
        return f"复核申请期限已过（截止 {deadline:%Y-%m-%d}）。" if deadline else "结果尚未公布。"
    if open_appeal(evaluation) is not None:
        return "本评估表已有一项复核申请正在办理，请等待决定。"
    # One appeal per published result (a result changed on appeal keeps its publication date).
    if evaluation.appeals.filter(filed_at__gte=evaluation.published_at).exists():
        return "本评估表的公布结果已申请过复核并已作出决定，不能再次申请。"
    return ""


def file_appeal(evaluation: Evaluation, user: User, reasons: str, files: list[Any]) -> Appeal:
    reasons = (reasons or "").strip()
    if not reasons:
        raise WorkflowError("请填写申请复核的理由。")
    if len(reasons) > MAX_TEXT:
        raise WorkflowError(f"申请理由不能超过 {MAX_TEXT} 字。")
    if len(files) > MAX_FILES:
        raise WorkflowError(f"证明材料最多 {MAX_FILES} 个文件。")
    checked = []
    for uploaded in files:
        name = clean_name(getattr(uploaded, "name", ""))
        uploaded.seek(0)
        data = b"".join(uploaded.chunks()) if hasattr(uploaded, "chunks") else uploaded.read()
        try:
            kind = check_file(name, data)
        except EvidenceError as exc:
            raise WorkflowError(str(exc)) from None
        checked.append((name, data, kind.content_type))
    with transaction.atomic():
        ev = lock(evaluation, user)
        refusal = appeal_refusal(ev, user)
        if refusal:
            raise WorkflowError(refusal)
        appeal = Appeal.objects.create(evaluation=ev, reasons=reasons, filed_by=user,
                                       old_total=ev.city_total, old_star=ev.star)
        for name, data, content_type in checked:
            digest = hashlib.sha256(data).hexdigest()
            item = AppealFile(appeal=appeal, original_name=name, content_type=content_type, size=len(data),
                              sha256=digest, uploaded_by=user)
            item.file.save(name, ContentFile(data), save=False)
            item.save()
        record(ev, user, "appeal", field="appeal", new=appeal.pk, note=f"提出复核申请：{reasons[:200]}")
    return appeal


def involvement(evaluation: Evaluation, user: User, before: datetime.datetime) -> str:
    """What the user did at the city stage of the sheet before the appeal was filed ('' when nothing)."""
    step = (Transition.objects.filter(evaluation=evaluation, user=user, action__in=CITY_ACTIONS, at__lt=before)
            .order_by("at").first())
    if step is not None:
        return f"于 {timezone.localtime(step.at):%Y-%m-%d} 执行了「{ACTIONS[step.action].label}」"
    change = (AuditEvent.objects.filter(evaluation=evaluation, user=user, stage=Stage.CITY.value, at__lt=before)
              .order_by("at").first())
    if change is not None:
        return f"于 {timezone.localtime(change.at):%Y-%m-%d} 修改了第 {change.line_id} 行市级复核评分"
    return ""


def check_independent(appeal: Appeal, user: User) -> None:
    """Refuse a decider who made any city-stage change or step on the sheet (before the appeal)."""
    if not can(user, "decide_appeal"):
        raise NotAllowed(f"您的角色（{user.get_role_display()}）不能审理复核申请。")
    done = involvement(appeal.evaluation, user, appeal.filed_at)
    if done:
        raise NotAllowed(
            f"您参与过该评估表的市级复核（{done}），不能审理针对该结果的复核申请；"
            "请由未参与该表复核的市级复核人员办理。"
        )


def _locked_appeal(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).select_related("evaluation").get(pk=appeal.pk)


def _decision_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowError("请填写决定理由。")
    if len(text) > MAX_TEXT:
        raise WorkflowError(f"决定理由不能超过 {MAX_TEXT} 字。")
    return text


def keep(appeal: Appeal, user: User, decision: str) -> Appeal:
    """Decide without re-scoring: the published result is kept."""
    decision = _decision_text(decision)
    check_independent(appeal, user)
    with transaction.atomic():
        locked = _locked_appeal(appeal)
        if locked.status != AppealStatus.OPEN:
            raise WorkflowError(f"该复核申请当前为「{locked.get_status_display()}」，不能直接维持原结果。")
        ev = lock(locked.evaluation, user)
        locked.status, locked.decided_by, locked.decided_at = AppealStatus.KEPT, user, timezone.now()
        locked.decision, locked.new_total, locked.new_star = decision, ev.city_total, ev.star
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision", "new_total", "new_star"])
        record(ev, user, "appeal", field="appeal", old=AppealStatus.OPEN.value, new=AppealStatus.KEPT.value,
               note=f"复核申请决定：维持原结果。{decision[:200]}")
    return locked


def start_rescoring(appeal: Appeal, user: User, comment: str) -> Appeal:
    """Accept the appeal for re-scoring: the sheet's city column opens again (复核申请重新评分中)."""
    comment = _decision_text(comment)
    check_independent(appeal, user)
    with transaction.atomic():
        locked = _locked_appeal(appeal)
        if locked.status != AppealStatus.OPEN:
            raise WorkflowError(f"该复核申请当前为「{locked.get_status_display()}」，不能再受理重新评分。")
        ev = transition(locked.evaluation, user, "appeal_start", comment=comment, via="appeal")
        locked.status = AppealStatus.REVIEWING
        locked.old_scores = {
            s.line_id: str(s.score) if s.score is not None else None
            for s in LineScore.objects.filter(evaluation=ev, stage=Stage.CITY.value)
        }
        locked.old_total, locked.old_star = ev.city_total, ev.star
        locked.save(update_fields=["status", "old_scores", "old_total", "old_star"])
    return locked


def complete(appeal: Appeal, user: User, decision: str) -> Appeal:
    """Publish the re-scored result again; the outcome is 'changed' when a city score moved."""
    decision = _decision_text(decision)
    check_independent(appeal, user)
    with transaction.atomic():
        locked = _locked_appeal(appeal)
        if locked.status != AppealStatus.REVIEWING:
            raise WorkflowError(f"该复核申请当前为「{locked.get_status_display()}」，没有进行中的重新评分。")
        ev = transition(locked.evaluation, user, "appeal_complete", comment=decision, via="appeal")
        now_scores = {
            s.line_id: str(s.score) if s.score is not None else None
            for s in LineScore.objects.filter(evaluation=ev, stage=Stage.CITY.value)
        }
        changed = now_scores != locked.old_scores
        locked.status = AppealStatus.CHANGED if changed else AppealStatus.KEPT
        locked.decided_by, locked.decided_at, locked.decision = user, timezone.now(), decision
        locked.new_total, locked.new_star = ev.city_total, ev.star
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision", "new_total", "new_star"])
        if changed:
            record_award(ev, user, kind=AwardChange.Kind.APPEAL, reason=f"复核申请改变结果：{decision}")
    return locked
