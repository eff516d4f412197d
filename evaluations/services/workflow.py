"""The sheet's workflow: one function per transition, all through `transition()`.

草稿 → 待县级审核 → 县级审核中 → 县级已通过（报市级） → 市级复核中 → 市级已复核 → 公示中 → 已公布.
The notice (公示) is started for a whole period by the announcements app; an upheld objection sends a
sheet in 公示中 back to 市级复核中 and its completed re-review rejoins the notice.
The county returns a sheet to the community, the city returns it to the county, each with a comment and
the lines concerned; the city administrator reopens a published sheet with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from orgs.models import User
from orgs.scoping import community_filter
from register.services.awards import record_award

from .. import evidence_rules, policy
from ..audit import record
from ..models import AuditEvent, Evaluation, Period, ReturnedLine, Stage, State, Transition
from ..policy import ACTIONS, Action
from ..scoring import refresh_cached_result, result_for
from ..signals import evaluation_submitted, evaluation_transitioned, evaluation_transitioning


class WorkflowError(Exception):
    """A refused action; `message` is Chinese and shown to the user as is."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        return self.message


class NotAllowed(WorkflowError):
    """The role may not do this (views answer 403)."""


class StaleError(WorkflowError):
    """The page was older than the sheet and the change touches what changed since."""


# Which reviewing level a return comes from, so its highlights stay until that level passes again.
RETURN_STAGE = {"county_return": Stage.COUNTY.value, "city_return": Stage.CITY.value,
                "reopen_for_objection": policy.OBJECTION_RETURN}
CLEARS_RETURN = {"county_pass": {Stage.COUNTY.value}, "city_complete": {Stage.CITY.value, policy.OBJECTION_RETURN}}


# Who takes the steps that are not a sheet's own (policy `Action.via`), for the refusal message.
VIA_LABELS = {"notice": "评估期的「公示」", "objection": "异议的办理", "appeal": "复核申请的办理"}


def state_label(state: str) -> str:
    return State(state).label if state in State.values else state


def available_actions(evaluation: Evaluation, user: User) -> list[Action]:
    """Actions the user could try on the sheet now (role and state; completeness is checked on use)."""
    return policy.available_actions(user, evaluation)


def lock(evaluation: Evaluation, user: User) -> Evaluation:
    """Lock the sheet's row, inside the user's scope (a sheet outside it does not exist for them)."""
    locked = (
        Evaluation.objects.select_for_update(of=("self",))
        .filter(community_filter(user, "community"))
        .filter(pk=evaluation.pk)
        .order_by()  # one row: not the list order (which joins the period and the unit to sort)
        .first()
    )
    if locked is None:
        raise NotAllowed("未找到该评估表，或不在您的管辖范围内。")
    # The period (with the standard) and the community were read with the sheet in this request and
    # are not what the lock protects: reuse them rather than read them (and the standard) again.
    for name in ("period", "community"):
        cached = Evaluation._meta.get_field(name).is_cached(evaluation)  # type: ignore[union-attr]
        if cached and getattr(locked, f"{name}_id") == getattr(evaluation, f"{name}_id"):
            setattr(locked, name, getattr(evaluation, name))
    # So is the previous period found with the sheet (selectors.sheet_queryset), for the baseline.
    if hasattr(evaluation, "previous_period_id") and locked.period_id == evaluation.period_id:
        locked.previous_period_id = evaluation.previous_period_id  # type: ignore[attr-defined]
    return locked


def bump(evaluation: Evaluation) -> int:
    evaluation.revision += 1
    evaluation.save(update_fields=["revision", "updated_at"])
    return evaluation.revision


def describe_event(event: AuditEvent) -> str:
    who = str(event.user)
    when = timezone.localtime(event.at).strftime("%m-%d %H:%M")
    stage = f"（{Stage(event.stage).label}）" if event.stage in Stage.values else ""
    if event.kind == "state":
        what = f"将状态由「{state_label(str(event.old))}」改为「{state_label(str(event.new))}」"
    elif event.kind == "score":
        what = f"将第 {event.line_id} 行{stage}得分由 {_show(event.old)} 改为 {_show(event.new)}"
    elif event.kind == "reason":
        what = f"修改了第 {event.line_id} 行{stage}扣分原因（现为「{event.new or '空'}」）"
    elif event.kind == "fact":
        what = f"将核查事实「{event.note or event.field}」由 {_show(event.old)} 改为 {_show(event.new)}"
    elif event.kind == "innovation":
        what = "修改了创新工作文字材料"
    elif event.kind == "reply":
        what = f"答复了第 {event.line_id} 行的退回意见"
    else:
        what = f"修改了{event.note or event.kind}"
    return f"{who} 于 {when} {what}"


def _show(value: Any) -> str:
    if value is None or value == "":
        return "空"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


def check_fresh(
    evaluation: Evaluation,
    expected_revision: int | None,
    *,
    kinds: Iterable[str] = (),
    line_id: str | None = None,
    stage: str | None = None,
    field_name: str | None = None,
    strict: bool = False,
) -> None:
    """Refuse a change made on a stale page when something it touches changed since (no lost update).

    Changes to other lines merge; a change of state or of the same item is refused, saying what changed.
    `strict` (workflow steps): any change since the revision refuses — a reviewer passes only what they saw.
    """
    if expected_revision is None or expected_revision >= evaluation.revision:
        return
    kinds = set(kinds)
    since = AuditEvent.objects.filter(evaluation=evaluation, revision__gt=expected_revision).select_related("user")
    conflicts = []
    for event in since.order_by("at", "id"):
        same_item = (
            event.kind in kinds
            and (line_id is None or event.line_id == line_id)
            and (stage is None or event.stage == stage)
            and (field_name is None or event.field == field_name)
        )
        if strict or event.kind == "state" or same_item:
            conflicts.append(describe_event(event))
    if strict and not conflicts:
        conflicts.append(f"评估表已由版本 {expected_revision} 变为 {evaluation.revision}")
    if conflicts:
        raise StaleError(
            "您的页面已过期，此次修改未保存：在您打开页面之后，" + "；".join(conflicts) + "。请核对当前内容后再修改。",
            conflicts,
        )


def missing_for_stage(evaluation: Evaluation, stage: str) -> list[str]:
    """What keeps the stage from being complete, in Chinese, one item per line."""
    result = result_for(evaluation, stages=[stage])
    problems: list[str] = []
    for error in result.errors:
        if error.stage != stage:
            continue
        # A community that is not evaluated (gate) has nothing to score; its entered values still must be valid.
        if error.code == "missing_score" and result.status == "not_evaluated":
            continue
        problems.append(error.message)
    return problems


def transition(
    evaluation: Evaluation,
    user: User,
    action_name: str,
    *,
    comment: str = "",
    lines: Iterable[str] = (),
    expected_revision: int | None = None,
    line_comments: dict[str, str] | None = None,
    via: str = "",
) -> Evaluation:
    """One workflow step. A return carries a comment per returned line (`line_comments`; a line without
    its own comment takes the general `comment`); the general comment is then optional. `via` names the
    service taking a step that is not a sheet's own (policy `Action.via`: the period's notice, an
    objection's decision, an appeal's decision, which checks the reviewer's independence); such a step
    is refused elsewhere."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise WorkflowError(f"未知的操作「{action_name}」。")
    if not policy.may_do_kind(user, action):
        raise NotAllowed(f"您的角色（{user.get_role_display()}）不能执行「{action.label}」。")
    if action.via != via:
        raise WorkflowError(f"「{action.label}」不能在评估表上直接执行（由{VIA_LABELS.get(action.via, '专门的功能')}办理）。")
    comment = (comment or "").strip()
    with transaction.atomic():
        # Lock the period first: its settings freeze on the first submission (see periods.update_period_settings).
        Period.objects.select_for_update().filter(pk=evaluation.period_id).first()
        ev = lock(evaluation, user)
        check_fresh(ev, expected_revision, strict=True)
        if not ev.period.is_open:
            raise WorkflowError(f"评估期「{ev.period.name}」已关闭，评估表只读，不能{action.label}。")
        if ev.state not in action.sources:
            allowed = "、".join(state_label(s) for s in sorted(action.sources))
            raise WorkflowError(
                f"评估表当前状态为「{state_label(ev.state)}」，不能执行「{action.label}」（仅限：{allowed}）。"
            )
        standard = ev.period.standard.standard
        chosen: list[str] = []
        if action.needs_lines:
            chosen = list(dict.fromkeys(str(x) for x in lines))
            unknown = [x for x in chosen if x not in standard.lines_by_id]
            if unknown:
                raise WorkflowError(f"退回的评审项不存在：第 {'、'.join(unknown)} 行。")
            if not chosen:
                raise WorkflowError(f"「{action.label}」须至少选择一个退回的评审项。")
            order = [line.id for line in standard.lines]
            chosen.sort(key=order.index)
        per_line = {str(k): (v or "").strip() for k, v in (line_comments or {}).items()}
        stray = [k for k, v in per_line.items() if v and k not in chosen]
        if stray:
            raise WorkflowError(f"第 {'、'.join(stray)} 行填写了退回意见但未勾选，请勾选或删去意见。")
        if action.needs_lines:
            per_line = {lid: per_line.get(lid) or comment for lid in chosen}
            silent = [lid for lid in chosen if not per_line[lid]]
            if silent:
                raise WorkflowError(f"「{action.label}」须为每个退回的评审项填写意见：第 {'、'.join(silent)} 行尚未填写。")
            too_long = [lid for lid in chosen if len(per_line[lid]) > 2000]
            if too_long:
                raise WorkflowError(f"第 {'、'.join(too_long)} 行的退回意见不能超过 2000 字。")
        elif action.needs_comment and not comment:
            raise WorkflowError(f"「{action.label}」须填写意见（{action.comment_label}）。")
        if len(comment) > 2000:
            raise WorkflowError("意见不能超过 2000 字。")
        if action.check_stage:
            problems = missing_for_stage(ev, action.check_stage)
            if problems:
                raise WorkflowError(
                    f"{Stage(action.check_stage).label}尚未完成，不能{action.label}：共 {len(problems)} 处待补充。",
                    problems,
                )

        if action.name in evidence_rules.CHECKED_ACTIONS and evidence_rules.blocks(ev.period):
            gaps = evidence_rules.gaps_for(ev)
            if gaps:
                raise WorkflowError(
                    f"有 {len(gaps)} 个评审项尚无证明材料，本评估期要求补齐后才能{action.label}。",
                    [g.text for g in gaps],
                )

        evaluation_transitioning.send(sender=Evaluation, evaluation=ev, user=user, action=action)
        old_state = ev.state
        ev.state = action.target
        fields = ["state"]
        now = timezone.now()
        if action.name == "submit":
            ev.submitted_at = now
            fields.append("submitted_at")
        if action.name == "publish":
            ev.published_at = now
            fields.append("published_at")
        if action.name == "reopen":
            ev.published_at = None
            fields.append("published_at")
        if action.name in RETURN_STAGE:
            ev.returned_lines = chosen
            ev.return_comment = comment
            ev.returned_by = RETURN_STAGE[action.name]
            fields += ["returned_lines", "return_comment", "returned_by"]
        elif action.name in CLEARS_RETURN and ev.returned_by in CLEARS_RETURN[action.name]:
            ev.returned_lines, ev.return_comment, ev.returned_by = [], "", ""
            fields += ["returned_lines", "return_comment", "returned_by"]
        ev.revision += 1
        fields += ["revision", "updated_at"]
        ev.save(update_fields=fields)
        step = Transition.objects.create(
            evaluation=ev, action=action.name, from_state=old_state, to_state=ev.state,
            comment=comment, lines=chosen, user=user,
        )
        if action.name in RETURN_STAGE:
            # A new return by a level replaces that level's earlier one.
            ReturnedLine.objects.filter(evaluation=ev, returned_by=ev.returned_by, is_open=True).update(is_open=False)
            ReturnedLine.objects.bulk_create([
                ReturnedLine(evaluation=ev, transition=step, returned_by=ev.returned_by, line_id=lid,
                             comment=per_line[lid], revision=ev.revision)
                for lid in chosen
            ])
        elif action.name in CLEARS_RETURN:
            ReturnedLine.objects.filter(
                evaluation=ev, returned_by__in=CLEARS_RETURN[action.name], is_open=True
            ).update(is_open=False)
        record(ev, user, "state", field="state", old=old_state, new=ev.state,
               note=f"{action.label}" + (f"：{comment}" if comment else ""), line_id="")
        if action.name == "submit":
            evaluation_submitted.send(sender=Evaluation, evaluation=ev, user=user)
        refresh_cached_result(ev)
        if action.name == "publish":
            # The star register: the award (certificate) follows the published result.
            record_award(ev, user)
        moved_on = evaluation_transitioned.send(sender=Evaluation, evaluation=ev, user=user, action=action,
                                                comment=comment)
        if any(response for _, response in moved_on):
            ev.refresh_from_db()
    return ev


@dataclass
class BulkOutcome:
    done: list[Evaluation] = field(default_factory=list)
    failed: list[tuple[Evaluation, str]] = field(default_factory=list)


def bulk_transition(evaluations: Iterable[Evaluation], user: User, action_name: str, comment: str = "") -> BulkOutcome:
    """Apply one forward action to many sheets; each sheet on its own, a refusal does not stop the rest."""
    action = ACTIONS.get(action_name)
    if action is None or not action.bulk:
        raise WorkflowError(f"操作「{action_name}」不能批量执行。")
    if not policy.may_do_kind(user, action):
        raise NotAllowed(f"您的角色（{user.get_role_display()}）不能执行「{action.label}」。")
    outcome = BulkOutcome()
    for ev in evaluations:
        try:
            outcome.done.append(transition(ev, user, action_name, comment=comment))
        except WorkflowError as exc:
            detail = exc.message + ("（" + "；".join(exc.problems[:3]) + ("…" if len(exc.problems) > 3 else "") + "）"
                                    if exc.problems else "")
            outcome.failed.append((ev, detail))
    return outcome


# Named wrappers, for readers and callers who prefer them.
def submit(evaluation: Evaluation, user: User, **kw: Any) -> Evaluation:
    return transition(evaluation, user, "submit", **kw)


def answer_return(
    evaluation: Evaluation, user: User, line_id: str, text: str, expected_revision: int | None = None
) -> ReturnedLine:
    """The level a return went to answers one returned line's comment (saved like the scores)."""
    text = (text or "").strip()
    if len(text) > 2000:
        raise WorkflowError(f"第 {line_id} 行的答复不能超过 2000 字。")
    with transaction.atomic():
        ev = lock(evaluation, user)
        check_fresh(ev, expected_revision, kinds={"reply"}, line_id=line_id)
        if not policy.may_answer_return(user, ev):
            raise WorkflowError(f"评估表当前状态为「{state_label(ev.state)}」，您不能答复退回意见。")
        item = (
            ReturnedLine.objects.select_for_update()
            .filter(evaluation=ev, returned_by=ev.returned_by, line_id=line_id, is_open=True)
            .order_by("-id")
            .first()
        )
        if item is None:
            raise WorkflowError(f"第 {line_id} 行未被退回，无需答复。")
        if item.reply == text:
            return item
        old = item.reply
        item.reply, item.replied_by, item.replied_at = text, user, timezone.now()
        item.save(update_fields=["reply", "replied_by", "replied_at"])
        bump(ev)
        record(ev, user, "reply", line_id=line_id, field="reply", old=old, new=text, note="答复退回意见")
    return item


def return_to_community(evaluation: Evaluation, user: User, comment: str, lines: Iterable[str], **kw: Any) -> Evaluation:
    return transition(evaluation, user, "county_return", comment=comment, lines=lines, **kw)


def return_to_county(evaluation: Evaluation, user: User, comment: str, lines: Iterable[str], **kw: Any) -> Evaluation:
    return transition(evaluation, user, "city_return", comment=comment, lines=lines, **kw)


def withdraw(evaluation: Evaluation, user: User, reason: str, **kw: Any) -> Evaluation:
    """The community takes back a submission the county has not started (submitted → draft)."""
    return transition(evaluation, user, "withdraw", comment=reason, **kw)


def unpass(evaluation: Evaluation, user: User, reason: str, **kw: Any) -> Evaluation:
    """The county takes back a pass-on the city has not started (county_passed → county_reviewing)."""
    return transition(evaluation, user, "county_unpass", comment=reason, **kw)


def publish(evaluation: Evaluation, user: User, **kw: Any) -> Evaluation:
    return transition(evaluation, user, "publish", **kw)


def reopen(evaluation: Evaluation, user: User, reason: str, **kw: Any) -> Evaluation:
    return transition(evaluation, user, "reopen", comment=reason, **kw)
