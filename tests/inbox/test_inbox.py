"""Issue 12 item 7: notices to whoever a sheet waits for (scope + policy), read state, deadlines."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from evaluations.services import workflow
from inbox import services
from inbox.models import Kind, Message
from tests.cast import PASSWORD
from tests.evaluations.conftest import fill_stage


def _recipients(kind):
    return sorted(Message.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def submitted(cast, evaluation):

    fill_stage(evaluation, cast.operator, "self")
    return workflow.submit(evaluation, cast.operator)


# Who waits for a sheet in each state (roles, written out by hand).
WAITING_ROLES = [
    (["draft"], ["community_operator"]),
    (["submitted"], ["county_reviewer"]),
    (["county_reviewing"], ["county_reviewer"]),
    (["county_passed"], ["city_admin", "city_reviewer"]),
    (["city_reviewed"], ["city_admin"]),  # the administrator starts the notice (公示)
    (["notice"], ["city_admin", "city_reviewer"]),  # publication after the window
    (["published"], []),
]


@pytest.mark.parametrize(("states", "roles"), WAITING_ROLES)
def test_roles_waiting(states, roles):
    assert sorted(services.roles_waiting(states)) == roles


def test_submission_tells_the_county_of_that_community_only(cast, submitted):
    assert _recipients(Kind.WAITING) == [cast.county_reviewer.username]


def test_return_withdraw_and_publication(cast, submitted):
    ev = workflow.return_to_community(submitted, cast.county_reviewer, "请补充材料", ["1.1"])
    msg = Message.objects.get(kind=Kind.RETURN)
    assert msg.recipient == cast.operator and "第 1.1 项" in msg.body and "请补充材料" in msg.body
    ev = workflow.submit(ev, cast.operator)
    workflow.withdraw(ev, cast.operator, "漏传材料")
    assert _recipients(Kind.WITHDRAW) == [cast.county_reviewer.username]
    assert "漏传材料" in Message.objects.get(kind=Kind.WITHDRAW).body


def test_bulk_pass_on_costs_one_insert_per_sheet(cast, submitted, django_assert_max_num_queries):
    # Several recipients (city admin and reviewer) in one insert: counted by the notify call itself.
    with django_assert_max_num_queries(3):
        services.notify(list(services.waiting_users(submitted.community, ["county_passed"])),
                        kind=Kind.WAITING, title="t", evaluation=submitted)
    assert Message.objects.filter(title="t").count() == 2


def test_deadline_notices_are_idempotent(cast, period, evaluation):
    # self deadline 2026-03-31: three days ahead, then passed.
    out = services.deadline_notices(datetime.date(2026, 3, 28))
    assert out.created == 2  # the operators of the cast's two staffed communities
    msg = Message.objects.get(kind=Kind.DEADLINE_SOON, recipient=cast.operator)
    assert msg.recipient == cast.operator and "3 天后" in msg.title
    assert services.deadline_notices(datetime.date(2026, 3, 28)).created == 0
    assert services.deadline_notices(datetime.date(2026, 3, 29)).created == 0
    out = services.deadline_notices(datetime.date(2026, 4, 1))
    # The three communities' operators: the cast has one operator in the county and one outside.
    assert sorted(Message.objects.filter(kind=Kind.DEADLINE_PASSED).values_list("recipient__username", flat=True)) \
        == sorted([cast.operator.username, cast.outsider.username])
    assert services.deadline_notices(datetime.date(2026, 4, 1)).created == 0


def test_command_runs_the_same_service(cast, period, evaluation):
    from django.core.management import call_command

    call_command("send_deadline_notices", "--date", "2026-04-01")
    call_command("send_deadline_notices", "--date", "2026-04-01")
    assert Message.objects.filter(kind=Kind.DEADLINE_PASSED, recipient=cast.operator).count() == 1


def test_no_email_by_default(cast, submitted, django_capture_on_commit_callbacks):
    cast.operator.email = "op@example.org"
    cast.operator.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_to_community(submitted, cast.county_reviewer, "请补充", ["1.1"])
    assert mail.outbox == []


def test_email_sent_on_commit(cast, submitted, settings, django_capture_on_commit_callbacks):
    settings.INBOX_EMAIL = True
    cast.operator.email = "op@example.org"
    cast.operator.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_to_community(submitted, cast.county_reviewer, "请补充", ["1.1"])
    assert [m.to for m in mail.outbox] == [["op@example.org"]]


def test_inbox_page_badge_and_mark_read(client, cast, submitted):
    workflow.return_to_community(submitted, cast.county_reviewer, "请补充材料", ["1.1"])
    client.login(username=cast.operator.username, password=PASSWORD)
    html = client.get(reverse("inbox:index")).content.decode()
    assert 'data-testid="inbox-badge">1<' in html and "请补充材料" in html
    msg = Message.objects.get(recipient=cast.operator)
    response = client.post(reverse("inbox:open", args=[msg.pk]))
    assert response.status_code == 302 and response["Location"] == msg.link
    msg.refresh_from_db()
    assert msg.read_at is not None
    # Someone else's message is not found.
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    assert client.post(reverse("inbox:open", args=[msg.pk])).status_code == 404
    client.post(reverse("inbox:read"))
    assert not Message.objects.filter(recipient=cast.county_reviewer, read_at__isnull=True).exists()
