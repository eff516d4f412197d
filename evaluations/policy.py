"""The review policy: who sees and changes what on a sheet, in which state.

Everything here is derived from three pieces of data and nothing else:

* which stage each role owns (`STAGE_PERMISSION` names the role-level permission in `orgs.scoping`:
  self → community operator, county → county reviewer, city → city reviewer and city administrator);
* the state rules (`STATE_RULES`): which stage each state edits (`models.EDITABLE_STAGE`), whether the
  reviewers' stages are released to those who own no reviewing stage, whether reviewers may refresh the
  ledger facts;
* the workflow's actions (`ACTIONS`): from which states, to which state, by the owners of which stage.

A new action (withdraw, un-pass, adopt) is one more `Action`; a new state (a public notice, an appeal) is
one more `StateRule`. Pages, fragments, exports, the API and the home pages ask the functions below;
no other table of roles × states exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from orgs.scoping import can

from .models import EDITABLE_STAGE, Evaluation, Evidence, Stage, State

if TYPE_CHECKING:
    from orgs.models import User

# The stages in sheet order.
STAGES: tuple[str, ...] = (Stage.SELF.value, Stage.COUNTY.value, Stage.CITY.value)
# The reviewers' stages: hidden from those who own none of them while the review runs.
REVIEW_STAGES: tuple[str, ...] = (Stage.COUNTY.value, Stage.CITY.value)
# Which stage each role owns, as the role-level permission of orgs.scoping (roles × permissions).
# `Evaluation.returned_by` of lines reopened by an upheld objection (cleared when the city completes again).
OBJECTION_RETURN = "objection"
STAGE_PERMISSION: dict[str, str] = {
    Stage.SELF.value: "edit_self",
    Stage.COUNTY.value: "review_county",
    Stage.CITY.value: "review_city",
}


@dataclass(frozen=True)
class StateRule:
    """What a state means for the policy."""

    # The stage whose column, facts and evidence are worked on in this state (None: nobody edits).
    editable_stage: str | None
    # The reviewers' stages (columns, totals, reasons, final star) are shown to users who own no
    # reviewing stage: after publication, or when the sheet is back with the community after a return.
    reviews_released: bool
    # Reviewers may refresh the sheet's ledger-fact snapshot (the review has begun and is not finished).
    facts_refreshable: bool


STATE_RULES: dict[str, StateRule] = {
    State.DRAFT.value: StateRule(EDITABLE_STAGE.get(State.DRAFT), True, False),
    State.SUBMITTED.value: StateRule(EDITABLE_STAGE.get(State.SUBMITTED), False, True),
    State.COUNTY_REVIEWING.value: StateRule(EDITABLE_STAGE.get(State.COUNTY_REVIEWING), False, True),
    State.COUNTY_PASSED.value: StateRule(EDITABLE_STAGE.get(State.COUNTY_PASSED), False, True),
    State.CITY_REVIEWING.value: StateRule(EDITABLE_STAGE.get(State.CITY_REVIEWING), False, True),
    State.CITY_REVIEWED.value: StateRule(EDITABLE_STAGE.get(State.CITY_REVIEWED), False, False),
    # 公示中: the proposed list is public (totals and stars on the notice page); the sheet's stages stay
    # with the reviewers until publication, nobody edits (an upheld objection reopens the city stage).
    State.NOTICE.value: StateRule(EDITABLE_STAGE.get(State.NOTICE), False, False),
    State.PUBLISHED.value: StateRule(EDITABLE_STAGE.get(State.PUBLISHED), True, False),
    # An appeal's re-scoring: the city column is open again; the published result stays visible to all.
    State.APPEAL_REVIEWING.value: StateRule(EDITABLE_STAGE.get(State.APPEAL_REVIEWING), True, False),
}
_NO_RULE = StateRule(None, False, False)

# forward: puts the sheet on the actor's to-do list; system: done by a service on the actor's behalf (an
# objection's re-review rejoining the notice, an appeal's re-scoring), on nobody's list.
ActionKind = Literal["forward", "return", "reopen", "withdraw", "system"]


@dataclass(frozen=True)
class Action:
    """One workflow step: done by the owners of `stage` (narrowed by `permission` where it is set)."""

    name: str
    label: str
    sources: frozenset[str]
    target: str
    stage: str  # the stage whose owners act
    kind: ActionKind = "forward"  # forward steps put the sheet on the actor's to-do list
    permission: str = ""  # an orgs.scoping permission narrowing the stage's owners (reopen: the admin)
    check_stage: str | None = None  # the stage that must be complete
    needs_comment: bool = False
    needs_lines: bool = False
    style: str = "primary"
    bulk: bool = False
    # What will happen, in Chinese: the confirmation asked before the action (every action is confirmed).
    confirm: str = ""
    # The comment's label on the form (a return's comment, a withdrawal's reason, ...).
    comment_label: str = "意见"
    # "" = a step on one sheet (sheet page, bulk list, API). Otherwise the service that takes the step
    # (the notice of a whole period, an objection's decision, an appeal's decision): refused anywhere else,
    # offered on no sheet.
    via: str = ""

    @property
    def role_permission(self) -> str:
        return self.permission or STAGE_PERMISSION[self.stage]


_S, _C, _Y = Stage.SELF.value, Stage.COUNTY.value, Stage.CITY.value

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action("submit", "提交县级审核", frozenset({State.DRAFT}), State.SUBMITTED, _S, check_stage=_S,
               permission="submit",
               confirm="提交后评估表交县级审核，社区不能再修改（县级开始审核前可撤回）。确定提交？"),
        Action("withdraw", "撤回提交", frozenset({State.SUBMITTED}), State.DRAFT, _S, kind="withdraw",
               permission="submit", needs_comment=True, style="secondary", comment_label="撤回原因",
               confirm="撤回后评估表回到草稿，县级审核人员将收到通知。确定撤回？"),
        Action("county_start", "开始县级审核", frozenset({State.SUBMITTED}), State.COUNTY_REVIEWING, _C,
               bulk=True, confirm="开始审核后社区不能再撤回提交。确定开始县级审核？"),
        Action("county_return", "退回社区修改", frozenset({State.SUBMITTED, State.COUNTY_REVIEWING}), State.DRAFT,
               _C, kind="return", needs_comment=True, needs_lines=True, style="warning", comment_label="退回意见",
               confirm="退回后评估表回到社区修改，社区将收到通知。确定退回？"),
        Action("county_pass", "审核通过，报市级", frozenset({State.COUNTY_REVIEWING}), State.COUNTY_PASSED, _C,
               check_stage=_C, style="success", bulk=True,
               confirm="通过后评估表报送市级，县级不能再修改（市级开始复核前可撤回报送）。确定通过？"),
        Action("county_unpass", "撤回报送", frozenset({State.COUNTY_PASSED}), State.COUNTY_REVIEWING, _C,
               kind="withdraw", needs_comment=True, style="secondary", comment_label="撤回原因",
               confirm="撤回后评估表回到县级审核中，市级将收到通知。确定撤回报送？"),
        Action("city_start", "开始市级复核", frozenset({State.COUNTY_PASSED}), State.CITY_REVIEWING, _Y,
               bulk=True, confirm="开始复核后县级不能再撤回报送。确定开始市级复核？"),
        Action("city_return", "退回县级重审", frozenset({State.COUNTY_PASSED, State.CITY_REVIEWING}),
               State.COUNTY_REVIEWING, _Y, kind="return", needs_comment=True, needs_lines=True, style="warning",
               comment_label="退回意见", confirm="退回后评估表回到县级重审，县级将收到通知。确定退回？"),
        Action("city_complete", "完成市级复核", frozenset({State.CITY_REVIEWING}), State.CITY_REVIEWED, _Y,
               check_stage=_Y, style="success", bulk=True,
               confirm="完成后市级得分与星级确定，等待公示，不能再修改。确定完成市级复核？"),
        # The period's notice (公示) moves every city-reviewed sheet of the period to 公示中 at once.
        Action("start_notice", "开始公示", frozenset({State.CITY_REVIEWED}), State.NOTICE, _Y,
               permission="start_notice", via="notice",
               confirm="开始公示后拟认定名单被固定并向社会公开。确定开始公示？"),
        # An upheld objection reopens the named lines at the city stage, with the case attached.
        Action("reopen_for_objection", "因异议重新复核", frozenset({State.NOTICE}), State.CITY_REVIEWING, _Y,
               kind="return", permission="decide_objections", needs_comment=True, needs_lines=True,
               style="warning", via="objection", comment_label="处理理由",
               confirm="异议成立，所选评审项将退回市级重新复核。确定？"),
        # ... and its completed re-review joins the notice list again.
        Action("rejoin_notice", "重新列入公示", frozenset({State.CITY_REVIEWED}), State.NOTICE, _Y,
               kind="system", via="objection", confirm="复核完成后新结果将重新列入公示名单，确定？"),
        # Publication starts from the notice only (the notice app refuses it while the window runs or a
        # case is open).
        Action("publish", "公布结果", frozenset({State.NOTICE}), State.PUBLISHED, _Y, permission="publish",
               style="success", bulk=True,
               confirm="公布后各级得分与星级对社区和街道公开，社区将收到通知。确定公布？"),
        Action("reopen", "重新开放（撤回公布）", frozenset({State.PUBLISHED}), State.CITY_REVIEWING, _Y,
               kind="reopen", permission="reopen", needs_comment=True, style="danger",
               comment_label="重新开放的原因",
               confirm="重新开放后已公布的结果撤回，评估表回到市级复核中。确定重新开放？"),
        Action("appeal_start", "受理复核申请并重新评分", frozenset({State.PUBLISHED}), State.APPEAL_REVIEWING, _Y,
               kind="system", permission="decide_appeal", needs_comment=True, style="warning", via="appeal",
               comment_label="受理意见",
               confirm="受理后市级复核一栏重新开放，评估表进入复核申请重新评分。确定受理？"),
        Action("appeal_complete", "完成复核申请重新评分", frozenset({State.APPEAL_REVIEWING}), State.PUBLISHED, _Y,
               kind="system", permission="decide_appeal", check_stage=_Y, needs_comment=True, style="success",
               via="appeal", comment_label="复核结论与理由",
               confirm="完成后重新评分的结果即公布，星级社区名录随之更新。确定完成？"),
    ]
}


def rule(evaluation: Evaluation) -> StateRule:
    return STATE_RULES.get(evaluation.state, _NO_RULE)


# ------------------------------------------------------------------------------------------------
# Roles and stages


def owns_stage(user: User, stage: str) -> bool:
    """The user's role owns the stage (may fill in its column in the state that edits it)."""
    permission = STAGE_PERMISSION.get(stage)
    return permission is not None and can(user, permission)


def owned_stages(user: User) -> tuple[str, ...]:
    return tuple(stage for stage in STAGES if owns_stage(user, stage))


def is_reviewer(user: User) -> bool:
    """Owns a reviewing stage (county or city): sees every stage of the sheets in scope."""
    return any(owns_stage(user, stage) for stage in REVIEW_STAGES)


# ------------------------------------------------------------------------------------------------
# Reading


def stages_visible_in_state(user: User, state: str) -> tuple[str, ...]:
    if is_reviewer(user) or STATE_RULES.get(state, _NO_RULE).reviews_released:
        return STAGES
    return (Stage.SELF.value,)


def visible_stages(user: User, evaluation: Evaluation) -> tuple[str, ...]:
    """The stages whose scores, reasons and totals the user may see on this sheet."""
    return stages_visible_in_state(user, evaluation.state)


def may_see_stage(user: User, evaluation: Evaluation, stage: str) -> bool:
    return stage in visible_stages(user, evaluation)


def hidden_states(user: User, stage: str) -> frozenset[str]:
    """The states in which the stage is hidden from the user (for filtering lists in one query)."""
    return frozenset(state for state in STATE_RULES if stage not in stages_visible_in_state(user, state))


def may_see_step_comment(user: User, evaluation: Evaluation, action: Action) -> bool:
    """A workflow step's comment and lines: seen by those who see its stage, and always by those it
    was addressed to (a return to the community is read by the community)."""
    if action.stage in visible_stages(user, evaluation):
        return True
    return STATE_RULES.get(action.target, _NO_RULE).reviews_released and not is_reviewer(user)


def may_see_return(user: User, evaluation: Evaluation) -> bool:
    """The return banner and comment: shown when the returning stage is visible to the user."""
    by = evaluation.returned_by
    # An objection's reopening is the city stage's (the case is the city's).
    return not by or may_see_stage(user, evaluation, Stage.CITY.value if by == OBJECTION_RETURN else by)


# ------------------------------------------------------------------------------------------------
# Editing


def editable_stage(evaluation: Evaluation) -> str | None:
    """The stage being worked on; none in a closed period (read-only, results kept)."""
    if not evaluation.period.is_open:
        return None
    return rule(evaluation).editable_stage


def may_edit_stage(user: User, evaluation: Evaluation, stage: str) -> bool:
    return editable_stage(evaluation) == stage and owns_stage(user, stage)


# The stage a return hands the sheet back to (county returns to the community, city to the county).
RETURNED_TO: dict[str, str] = {Stage.COUNTY.value: Stage.SELF.value, Stage.CITY.value: Stage.COUNTY.value}


def reopened_lines(evaluation: Evaluation) -> frozenset[str] | None:
    """The returned-lines rule: while a return is open and the sheet is with the level it went to, only the
    returned lines are editable (None: no return is in force, the whole stage is)."""
    returned_by = evaluation.returned_by
    if not returned_by or not evaluation.returned_lines:
        return None
    if RETURNED_TO.get(returned_by) != editable_stage(evaluation):
        return None
    return frozenset(str(x) for x in evaluation.returned_lines)


def line_reopened(evaluation: Evaluation, line_id: str) -> bool:
    reopened = reopened_lines(evaluation)
    return reopened is None or line_id in reopened


def may_edit_line(
    user: User, evaluation: Evaluation, stage: str, scored_at_stage: bool, line_id: str | None = None
) -> bool:
    """One line's cell: its stage is editable by the user, the line is scored at that stage and, after a
    return, the line is one of those returned."""
    if not (scored_at_stage and may_edit_stage(user, evaluation, stage)):
        return False
    return line_id is None or line_reopened(evaluation, line_id)


def user_editable_stage(user: User, evaluation: Evaluation) -> str | None:
    stage = editable_stage(evaluation)
    return stage if stage is not None and owns_stage(user, stage) else None


def may_edit_facts(user: User, evaluation: Evaluation, name: str | None = None) -> bool:
    """Checklist facts are answered by the owners of the stage being edited (community, then reviewers).
    After a return only the facts feeding a returned line are open (`name` given: that fact; without a
    name: whether any fact may be)."""
    if not (can(user, "edit_facts") and user_editable_stage(user, evaluation) is not None):
        return False
    reopened = reopened_lines(evaluation)
    if reopened is None:
        return True
    feeds = evaluation.period.standard.standard.fact_lines
    if name is None:
        return any(reopened.intersection(lines) for lines in feeds.values())
    return bool(reopened.intersection(feeds.get(name, ())))


def may_edit_innovation(user: User, evaluation: Evaluation) -> bool:
    """The innovation text is the community's material, written while its own stage is open (after a
    return: only when the innovation line was returned)."""
    if not may_edit_stage(user, evaluation, Stage.SELF.value):
        return False
    line = evaluation.period.standard.standard.innovation_line
    return line is None or line_reopened(evaluation, line)


def may_answer_return(user: User, evaluation: Evaluation) -> bool:
    """The level a return went to answers its comments while the returned lines are open to it."""
    stage = editable_stage(evaluation)
    return reopened_lines(evaluation) is not None and stage is not None and owns_stage(user, stage)


def may_adopt(user: User, evaluation: Evaluation) -> bool:
    """A reviewer adopts the lower stage's scores into the stage they are editing (per line: may_edit_line)."""
    stage = user_editable_stage(user, evaluation)
    return stage in REVIEW_STAGES


def may_see_stage_warnings(user: User, stage: str) -> bool:
    """A stage's own validation messages (reason missing, ...) are for its owners and the reviewers, not
    for the community reading a returned sheet."""
    return owns_stage(user, stage) or is_reviewer(user)


def may_refresh_facts(user: User, evaluation: Evaluation) -> bool:
    return can(user, "refresh_facts") and rule(evaluation).facts_refreshable


# ------------------------------------------------------------------------------------------------
# Spot-checks of the ledgers (verification app)

# States in which the county has decided (passed the sheet on; a return also counts, below): the
# results of the spot-checks are then released to those who do not check (community, street).
VERIFICATION_RELEASED_STATES: frozenset[str] = frozenset(
    {State.COUNTY_PASSED, State.CITY_REVIEWING, State.CITY_REVIEWED, State.PUBLISHED}
)


def may_see_verification(user: User, evaluation: Evaluation | None) -> bool:
    """Checkers (county and city reviewers) always; others once the county has decided on the sheet."""
    if can(user, "verify"):
        return True
    if evaluation is None:
        return False
    return evaluation.state in VERIFICATION_RELEASED_STATES or (
        evaluation.state == State.DRAFT and bool(evaluation.returned_by)
    )


# ------------------------------------------------------------------------------------------------
# Evidence


def may_upload_evidence(user: User, evaluation: Evaluation) -> bool:
    """Each level adds evidence while its own stage is being edited, in an open period."""
    return (
        evaluation.period.is_open
        and can(user, "upload_evidence")
        and user_editable_stage(user, evaluation) is not None
    )


def may_delete_evidence(user: User, evidence: Evidence, evaluation: Evaluation | None = None) -> bool:
    """As uploading, and only what the user's own unit added (the county cannot hide the community's files)."""
    sheet = evaluation if evaluation is not None else evidence.evaluation
    return may_upload_evidence(user, sheet) and evidence.created_by.unit_id == user.unit_id


def evidence_refusal(user: User, evaluation: Evaluation) -> str:
    """Why the user may not add or remove evidence now, in Chinese ('' when they may)."""
    if not evaluation.period.is_open:
        return f"{evaluation.period.name}已关闭，不能再修改证明材料。"
    if not can(user, "upload_evidence") or not owned_stages(user):
        return "您的角色不能上传或删除证明材料。"
    if may_upload_evidence(user, evaluation):
        return ""
    states = "、".join(
        State(state).label for state, r in STATE_RULES.items()
        if r.editable_stage is not None and owns_stage(user, r.editable_stage)
    )
    if Stage.SELF.value in owned_stages(user):
        # A sheet returned to the community is a draft again.
        when = "社区只能在评估表为草稿或被退回修改时上传"
    else:
        when = f"{user.get_role_display()}只能在「{states}」时补充材料"
    return f"评估表当前状态为「{State(evaluation.state).label}」，{when}。"


# ------------------------------------------------------------------------------------------------
# Workflow actions


def may_do_kind(user: User, action: Action) -> bool:
    """The role may do the action at all (in some state)."""
    return owns_stage(user, action.stage) and can(user, action.role_permission)


def may_act(user: User, evaluation: Evaluation, action: Action | str) -> bool:
    spec = ACTIONS.get(action) if isinstance(action, str) else action
    return (
        spec is not None
        and evaluation.period.is_open
        and evaluation.state in spec.sources
        and may_do_kind(user, spec)
    )


def available_actions(user: User, evaluation: Evaluation) -> list[Action]:
    """Actions the user could try on the sheet now (role and state; completeness is checked on use).

    Steps taken by a service (the period's notice, an objection's or an appeal's decision) are not offered
    on a sheet."""
    return [a for a in ACTIONS.values() if not a.via and may_act(user, evaluation, a)]


def bulk_actions(user: User) -> list[Action]:
    return [a for a in ACTIONS.values() if a.bulk and not a.via and may_do_kind(user, a)]


def waiting_states(user: User) -> frozenset[str]:
    """States in which a sheet waits for the user: a forward action of theirs starts from it."""
    return frozenset(
        state for a in ACTIONS.values() if a.kind == "forward" and may_do_kind(user, a) for state in a.sources
    )


def waits_for(user: User, evaluation: Evaluation) -> bool:
    return evaluation.state in waiting_states(user)


def addressees(action: Action) -> frozenset[str]:
    """States whose waiting users hear of the action: those the sheet now waits for (forward, return),
    or, for a withdrawal, those it waited for before (the county for a withdrawn submission)."""
    if action.kind == "withdraw":
        return frozenset(action.sources)
    return frozenset({action.target})


def actions_named(names: Iterable[str]) -> list[Action]:
    return [ACTIONS[n] for n in names if n in ACTIONS]
