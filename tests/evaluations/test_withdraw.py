"""Issue 12 item 4: withdraw (community) and un-pass (county), each with a reason, audited."""

import pytest

from evaluations import policy
from evaluations.models import AuditEvent, State, Transition
from evaluations.services import workflow
from evaluations.services.workflow import WorkflowError

from .conftest import fill_stage


@pytest.fixture
def submitted(cast, evaluation):

    fill_stage(evaluation, cast.operator, "self")
    return workflow.submit(evaluation, cast.operator)


def test_withdraw_until_county_starts(cast, submitted):
    with pytest.raises(WorkflowError, match="须填写意见"):
        workflow.withdraw(submitted, cast.operator, "")
    ev = workflow.withdraw(submitted, cast.operator, "漏传材料")
    assert ev.state == State.DRAFT
    t = Transition.objects.latest("id")
    assert (t.action, t.comment, t.user) == ("withdraw", "漏传材料", cast.operator)
    assert AuditEvent.objects.filter(evaluation=ev, kind="state", new=State.DRAFT).exists()
    ev = workflow.submit(ev, cast.operator)
    workflow.transition(ev, cast.county_reviewer, "county_start")
    ev.refresh_from_db()
    assert not policy.may_act(cast.operator, ev, "withdraw")
    with pytest.raises(WorkflowError, match="不能执行「撤回提交」"):
        workflow.withdraw(ev, cast.operator, "太晚了")


def test_unpass_until_city_starts(cast, submitted):
    ev = workflow.transition(submitted, cast.county_reviewer, "county_start")
    fill_stage(ev, cast.county_reviewer, "county")
    ev = workflow.transition(ev, cast.county_reviewer, "county_pass")
    ev = workflow.unpass(ev, cast.county_reviewer, "第 2.1 项需复核")
    assert ev.state == State.COUNTY_REVIEWING
    ev = workflow.transition(ev, cast.county_reviewer, "county_pass")
    workflow.transition(ev, cast.city_reviewer, "city_start")
    ev.refresh_from_db()
    with pytest.raises(WorkflowError):
        workflow.unpass(ev, cast.county_reviewer, "太晚了")


def test_every_action_names_what_will_happen():
    for action in policy.ACTIONS.values():
        assert action.confirm.endswith("？"), action.name
