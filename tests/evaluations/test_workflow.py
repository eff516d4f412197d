"""The workflow service: every action × state × role, completeness, returns, reopen, freezing, signal."""

import pytest

from evaluations.models import AuditEvent, Evaluation, LineScore, Stage, State, Transition
from evaluations.services import workflow
from evaluations.services.workflow import NotAllowed, StaleError, WorkflowError, transition
from evaluations.signals import evaluation_submitted
from tests.announcements.helpers import ended_notice

from .conftest import fill_stage

ROLES = ["city_admin", "city_reviewer", "county_reviewer", "street_viewer", "community_operator"]

# The expected table, written out by hand (not derived from the code under test).
ALLOWED = {
    "submit": ({"draft"}, {"community_operator"}, "submitted"),
    "county_start": ({"submitted"}, {"county_reviewer"}, "county_reviewing"),
    "county_return": ({"submitted", "county_reviewing"}, {"county_reviewer"}, "draft"),
    "county_pass": ({"county_reviewing"}, {"county_reviewer"}, "county_passed"),
    "city_start": ({"county_passed"}, {"city_reviewer", "city_admin"}, "city_reviewing"),
    "city_return": ({"county_passed", "city_reviewing"}, {"city_reviewer", "city_admin"}, "county_reviewing"),
    "city_complete": ({"city_reviewing"}, {"city_reviewer", "city_admin"}, "city_reviewed"),
    # 公示: the period's notice moves city-reviewed sheets to 公示中; an upheld objection reopens one at the
    # city stage and its completed re-review rejoins the notice; publication starts from the notice only.
    "start_notice": ({"city_reviewed"}, {"city_admin"}, "notice"),
    "reopen_for_objection": ({"notice"}, {"city_reviewer", "city_admin"}, "city_reviewing"),
    "rejoin_notice": ({"city_reviewed"}, {"city_reviewer", "city_admin"}, "notice"),
    "publish": ({"notice"}, {"city_reviewer", "city_admin"}, "published"),
    "reopen": ({"published"}, {"city_admin"}, "city_reviewing"),
    # Issue 12: the community withdraws a submission until the county starts; the county takes back a
    # pass-on until the city starts.
    "withdraw": ({"submitted"}, {"community_operator"}, "draft"),
    "county_unpass": ({"county_passed"}, {"county_reviewer"}, "county_reviewing"),
    # Taken by register.services.appeals only (policy `via`), hence via="appeal" below.
    "appeal_start": ({"published"}, {"city_reviewer", "city_admin"}, "appeal_reviewing"),
    "appeal_complete": ({"appeal_reviewing"}, {"city_reviewer", "city_admin"}, "published"),
}
# Steps taken by a service, never on the sheet itself (written out by hand too).
APPEAL_ACTIONS = {"appeal_start", "appeal_complete"}
VIA = {"start_notice": "notice", "reopen_for_objection": "objection", "rejoin_notice": "objection",
       "appeal_start": "appeal", "appeal_complete": "appeal"}
CASES = [(a, s, r) for a in ALLOWED for s in State.values for r in ROLES]


def _complete(evaluation, cast):
    """Test set-up: every line of every stage scored at its max (written directly, for speed)."""
    standard = evaluation.period.standard.standard
    LineScore.objects.bulk_create([
        LineScore(evaluation=evaluation, line_id=line.id, stage=stage, score=line.max,
                  reason="" if stage == Stage.SELF else "核查属实", updated_by=cast.city_admin)
        for stage in Stage.values for line in standard.stage_lines(stage)
    ])


def test_action_table_matches_the_issue():
    assert set(workflow.ACTIONS) == set(ALLOWED)
    for name, (sources, _roles, target) in ALLOWED.items():
        assert set(workflow.ACTIONS[name].sources) == sources
        assert workflow.ACTIONS[name].target == target


@pytest.mark.parametrize("action,state,role", CASES)
def test_transition_table(action, state, role, cast, evaluation):
    sources, roles, target = ALLOWED[action]
    _complete(evaluation, cast)
    # Test set-up only: production code never writes states directly.
    Evaluation.objects.filter(pk=evaluation.pk).update(state=state)
    evaluation.refresh_from_db()
    user = cast.users_by_role()[role]
    if state == State.NOTICE:
        ended_notice(evaluation, cast.city_admin)  # publication waits for the window (tests/announcements)
    before = Transition.objects.count()
    kwargs = {"comment": "请核实", "lines": ["1.2"], "via": VIA.get(action, "")}
    if state in sources and role in roles:
        ev = transition(evaluation, user, action, **kwargs)
        assert ev.state == target
        t = Transition.objects.latest("id")
        assert (t.action, t.from_state, t.to_state, t.user) == (action, state, target, user)
        assert AuditEvent.objects.filter(evaluation=ev, kind="state", old=state, new=target).exists()
    else:
        with pytest.raises(WorkflowError) as info:
            transition(evaluation, user, action, **kwargs)
        assert info.value.message  # a Chinese message for the user
        if role not in roles:
            assert isinstance(info.value, NotAllowed)
        evaluation.refresh_from_db()
        assert evaluation.state == state
        assert Transition.objects.count() == before


@pytest.mark.parametrize("action", sorted(APPEAL_ACTIONS))
def test_appeal_steps_are_refused_outside_the_appeal_service(action, cast, evaluation):
    _complete(evaluation, cast)
    Evaluation.objects.filter(pk=evaluation.pk).update(state=next(iter(ALLOWED[action][0])))
    evaluation.refresh_from_db()
    with pytest.raises(WorkflowError, match="不能在评估表上直接执行"):
        transition(evaluation, cast.city_reviewer, action, comment="请核实")


@pytest.mark.parametrize("role", ["outsider", "other_county_reviewer"])
def test_users_outside_the_unit_cannot_act(role, cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    user = cast.users_by_role()[role]
    with pytest.raises(NotAllowed):
        transition(evaluation, user, "submit" if role == "outsider" else "county_start")


def test_submit_lists_missing_lines_in_chinese(cast, evaluation):
    with pytest.raises(WorkflowError) as info:
        transition(evaluation, cast.operator, "submit")
    problems = info.value.problems
    assert len(problems) == 22  # line 5 is not scored by the community
    assert "第 1.1 行（社区自评）：尚未评分" in problems
    assert "社区自评尚未完成" in info.value.message


def test_county_pass_needs_every_reason(cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    transition(evaluation, cast.county_reviewer, "county_start")
    evaluation.refresh_from_db()
    fill_stage(evaluation, cast.county_reviewer, Stage.COUNTY)
    from evaluations.services.scores import save_score
    evaluation.refresh_from_db()
    out = save_score(evaluation, cast.county_reviewer, "1.2", Stage.COUNTY, "3", "")
    assert any("须填写扣分原因" in w for w in out.warnings)
    with pytest.raises(WorkflowError) as info:
        transition(evaluation, cast.county_reviewer, "county_pass")
    assert any("第 1.2 行（县级审核）" in p and "扣分原因" in p for p in info.value.problems)
    save_score(evaluation, cast.county_reviewer, "1.2", Stage.COUNTY, "3", "无持证人员")
    assert transition(evaluation, cast.county_reviewer, "county_pass").state == State.COUNTY_PASSED


def test_return_needs_comment_and_lines_and_keeps_scores(cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    with pytest.raises(WorkflowError, match="填写意见"):
        transition(evaluation, cast.county_reviewer, "county_return", comment=" ", lines=["1.2"])
    with pytest.raises(WorkflowError, match="至少选择一个"):
        transition(evaluation, cast.county_reviewer, "county_return", comment="请补材料", lines=[])
    with pytest.raises(WorkflowError, match="不存在"):
        transition(evaluation, cast.county_reviewer, "county_return", comment="请补材料", lines=["9.9"])
    ev = transition(evaluation, cast.county_reviewer, "county_return", comment="请补材料", lines=["2.1", "1.2"])
    assert ev.state == State.DRAFT
    assert ev.returned_lines == ["1.2", "2.1"]
    assert ev.return_comment == "请补材料" and ev.returned_by == Stage.COUNTY
    assert ev.scores.filter(stage=Stage.SELF).count() == 22
    t = Transition.objects.latest("id")
    assert t.lines == ["1.2", "2.1"] and t.comment == "请补材料"
    # Resubmitted: the county still sees what it returned; passing clears it.
    ev = transition(ev, cast.operator, "submit")
    assert ev.returned_lines == ["1.2", "2.1"]
    ev = transition(ev, cast.county_reviewer, "county_start")
    fill_stage(ev, cast.county_reviewer, Stage.COUNTY)
    ev = transition(ev, cast.county_reviewer, "county_pass")
    assert ev.returned_lines == [] and ev.return_comment == ""


def test_full_journey_with_city_return_publish_and_reopen(cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    ev = transition(evaluation, cast.operator, "submit")
    assert ev.submitted_at is not None
    ev = transition(ev, cast.county_reviewer, "county_start")
    fill_stage(ev, cast.county_reviewer, Stage.COUNTY)
    ev = transition(ev, cast.county_reviewer, "county_pass")
    ev = transition(ev, cast.city_reviewer, "city_start")
    ev = transition(ev, cast.city_reviewer, "city_return", comment="3.1.1 扣分依据不足", lines=["3.1.1"])
    assert ev.state == State.COUNTY_REVIEWING and ev.returned_by == Stage.CITY
    ev = transition(ev, cast.county_reviewer, "county_pass")
    assert ev.returned_lines == ["3.1.1"]  # the city's return stays until the city completes
    ev = transition(ev, cast.city_reviewer, "city_start")
    with pytest.raises(WorkflowError) as info:
        transition(ev, cast.city_reviewer, "city_complete")
    assert "第 5 行（市级复核）：尚未评分" in info.value.problems
    fill_stage(ev, cast.city_reviewer, Stage.CITY)
    ev = transition(ev, cast.city_reviewer, "city_complete")
    assert ev.returned_lines == []
    with pytest.raises(WorkflowError, match="仅限：公示中"):
        transition(ev, cast.city_admin, "publish")
    ev = transition(ev, cast.city_admin, "start_notice", via="notice")
    ended_notice(ev, cast.city_admin)
    ev = transition(ev, cast.city_admin, "publish")
    assert ev.state == State.PUBLISHED and ev.published_at and ev.city_total == 100 and ev.star == "五星"
    with pytest.raises(WorkflowError, match="须填写意见"):
        transition(ev, cast.city_admin, "reopen", comment="")
    ev = transition(ev, cast.city_admin, "reopen", comment="群众反映第 4 行情况有误")
    assert ev.state == State.CITY_REVIEWING and ev.published_at is None
    assert [t.action for t in ev.transitions.all()] == [
        "submit", "county_start", "county_pass", "city_start", "city_return", "county_pass", "city_start",
        "city_complete", "start_notice", "publish", "reopen"]


@pytest.mark.parametrize("action", sorted(VIA))
def test_service_steps_are_refused_on_the_sheet(action, cast, evaluation):
    _complete(evaluation, cast)
    sources, _roles, _target = ALLOWED[action]
    Evaluation.objects.filter(pk=evaluation.pk).update(state=sorted(sources)[0])
    evaluation.refresh_from_db()
    with pytest.raises(WorkflowError, match="不能在评估表上直接执行"):
        transition(evaluation, cast.city_admin, action, comment="请核实", lines=["1.2"])
    with pytest.raises(WorkflowError, match="不能在评估表上直接执行"):
        transition(evaluation, cast.city_admin, action, comment="请核实", lines=["1.2"], via="other")


def test_submit_sends_signal_inside_transaction(cast, evaluation):
    seen = []

    def receiver(sender, evaluation, user, **kw):
        from django.db import connection
        seen.append((evaluation.state, user, connection.in_atomic_block))

    evaluation_submitted.connect(receiver)
    try:
        fill_stage(evaluation, cast.operator, Stage.SELF)
        transition(evaluation, cast.operator, "submit")
    finally:
        evaluation_submitted.disconnect(receiver)
    assert seen == [(State.SUBMITTED, cast.operator, True)]


def test_transition_on_stale_page_is_refused_when_state_changed(cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    page_revision = evaluation.revision
    transition(evaluation, cast.operator, "submit")
    with pytest.raises(StaleError) as info:
        transition(evaluation, cast.county_reviewer, "county_return", comment="x", lines=["1.1"],
                   expected_revision=page_revision - 1)
    assert "草稿" in info.value.message and "待县级审核" in info.value.message


def test_bulk_pass_reports_each_refusal(cast, period):
    sheets = list(Evaluation.objects.filter(period=period, community__in=[cast.community, cast.sibling]))
    for ev in sheets:
        fill_stage(ev, cast.operator if ev.community == cast.community else _sibling_operator(cast), Stage.SELF)
    for ev in sheets:
        Evaluation.objects.filter(pk=ev.pk).update(state=State.COUNTY_REVIEWING)
        ev.refresh_from_db()
    fill_stage(sheets[0], cast.county_reviewer, Stage.COUNTY)
    out = workflow.bulk_transition(sheets, cast.county_reviewer, "county_pass")
    assert [e.pk for e in out.done] == [sheets[0].pk]
    assert len(out.failed) == 1 and "县级审核尚未完成" in out.failed[0][1]
    with pytest.raises(WorkflowError):
        workflow.bulk_transition(sheets, cast.county_reviewer, "county_return")
    with pytest.raises(NotAllowed):
        workflow.bulk_transition(sheets, cast.operator, "county_pass")


def _sibling_operator(cast):
    from tests.cast import make_user
    return make_user("t_sibling", "community_operator", cast.sibling)
