"""Issue 12 item 1: the current period is chosen; periods close (read-only) and are deleted while empty."""

import datetime

import pytest
from django.urls import reverse

from evaluations import policy
from evaluations.models import Evaluation, Period, PeriodChange, State
from evaluations.services import periods as service
from evaluations.services.workflow import NotAllowed, WorkflowError, transition
from tests.cast import PASSWORD

from .conftest import fill_stage


def _open(cast, standard_version, year, **kw):
    return service.open_period(cast.city_admin, year=year, name="", standard=standard_version,
                               communities=[cast.community, cast.sibling], **kw)


def test_opening_next_year_keeps_current_period(cast, period, standard_version):
    assert Period.objects.get(pk=period.pk).is_current  # the first period becomes current
    nxt = _open(cast, standard_version, 2027)
    assert not nxt.is_current and service.current_period() == period
    service.set_current(nxt, cast.city_admin)
    assert service.current_period() == nxt
    assert list(Period.objects.filter(is_current=True)) == [nxt]
    change = PeriodChange.objects.filter(period=nxt, action="current").get()
    assert change.user == cast.city_admin


def test_open_with_make_current(cast, period, standard_version):
    nxt = _open(cast, standard_version, 2027, make_current=True)
    assert service.current_period() == nxt
    assert PeriodChange.objects.filter(period=period, action="current").exists()


def test_close_makes_sheets_read_only_and_keeps_results(cast, period, evaluation):

    fill_stage(evaluation, cast.operator, "self")
    total = Evaluation.objects.get(pk=evaluation.pk).self_total
    service.close_period(period, cast.city_admin, "年度结束")
    evaluation.refresh_from_db()
    assert not evaluation.period.is_open and evaluation.self_total == total
    assert policy.available_actions(cast.operator, evaluation) == []
    assert policy.user_editable_stage(cast.operator, evaluation) is None
    with pytest.raises(WorkflowError, match="已关闭"):
        transition(evaluation, cast.operator, "submit")
    assert PeriodChange.objects.filter(period=period, action="close").get().changes["unfinished"] == 3
    service.reopen_period(period, cast.city_admin)
    evaluation.refresh_from_db()
    assert policy.may_act(cast.operator, evaluation, "submit")


def test_delete_only_while_nothing_submitted(cast, period, evaluation, standard_version):
    mistake = _open(cast, standard_version, 2030)
    n = service.delete_period(mistake, cast.city_admin)
    assert n == 2 and not Period.objects.filter(year=2030).exists()
    log = PeriodChange.objects.get(action="delete")
    assert log.year == 2030 and log.period is None and log.user == cast.city_admin

    fill_stage(evaluation, cast.operator, "self")
    transition(evaluation, cast.operator, "submit")
    with pytest.raises(WorkflowError, match="已有评估表提交"):
        service.delete_period(period, cast.city_admin)


def test_deleting_current_period_hands_current_to_newest_open(cast, period, standard_version):
    mistake = _open(cast, standard_version, 2027, make_current=True)
    service.delete_period(mistake, cast.city_admin)
    assert service.current_period() == period and Period.objects.get(pk=period.pk).is_current


# (role, expected status) for each period action: only the city administrator manages periods.
PERIOD_ACTION_TABLE = [
    ("city_admin", 302),
    ("city_reviewer", 403),
    ("county_reviewer", 403),
    ("street_viewer", 403),
    ("community_operator", 403),
]


@pytest.mark.parametrize(("role", "status"), PERIOD_ACTION_TABLE)
@pytest.mark.parametrize("action", ["current", "close", "reopen", "delete"])
def test_period_action_permissions(client, cast, period, role, status, action):
    user = cast.users_by_role()[role]
    client.login(username=user.username, password=PASSWORD)
    response = client.post(reverse("evaluations:period_action", args=[period.pk, action]))
    assert response.status_code == status


def test_service_refuses_non_admin(cast, period):
    with pytest.raises(NotAllowed):
        service.close_period(period, cast.city_reviewer)


def test_home_keeps_unfinished_work_of_every_open_period(client, cast, period, evaluation, standard_version):

    fill_stage(evaluation, cast.operator, "self")
    transition(evaluation, cast.operator, "submit")
    nxt = _open(cast, standard_version, 2027, make_current=True,
                self_deadline=datetime.date(2027, 3, 31))
    assert service.current_period() == nxt
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    html = client.get("/").content.decode()
    assert 'data-testid="waiting-2026"' in html and "东华一社区" in html
    client.login(username=cast.operator.username, password=PASSWORD)
    html = client.get("/").content.decode()
    assert 'data-testid="my-sheet-2026"' in html and 'data-testid="my-sheet-2027"' in html
    # A closed period's sheets leave the to-do lists.
    service.close_period(period, cast.city_admin)
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    assert 'data-testid="waiting-2026"' not in client.get("/").content.decode()
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.SUBMITTED
