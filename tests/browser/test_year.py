"""Issue 12 journeys in Chromium: the next year opened while this one is unfinished; a missing-evidence
warning at submission; a withdrawal; the inbox showing a return to the community."""

import datetime

import pytest

from evaluations.models import Evaluation, Period, PeriodChange, Stage, State
from evaluations.services import workflow
from evaluations.services.periods import open_period
from inbox.models import Message
from tests.browser.conftest import login
from tests.cast import PASSWORD
from tests.evaluations.conftest import fill_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def year2026(cast, standard_version):
    return open_period(
        cast.city_admin, year=2026, name="2026年度评审", standard=standard_version,
        communities=[cast.community, cast.sibling, cast.other_community],
        self_deadline=datetime.date(2026, 3, 31), county_deadline=datetime.date(2026, 4, 30),
        city_deadline=datetime.date(2026, 5, 31),
    )


def _sheet(period, community):
    return Evaluation.objects.get(period=period, community=community)


def _switch(page, user):
    page.context.clear_cookies()
    login(page, user.username, PASSWORD)
    page.wait_for_load_state("networkidle")


def _go(page, path):
    page.goto(page.live_url + path)
    page.wait_for_load_state("networkidle")


def test_next_year_opened_while_this_one_is_unfinished(page, cast, year2026):
    mine = workflow.submit(fill_stage(_sheet(year2026, cast.community), cast.operator, Stage.SELF), cast.operator)
    returned = workflow.return_to_community(mine, cast.county_reviewer, "请核实", ["1.1"])

    login(page, cast.city_admin.username, PASSWORD)
    _go(page, "/evaluations/periods/new/")
    page.fill("#id_year", "2027")
    page.fill("#id_name", "2027年度评审")
    page.locator("[data-testid=save-period]").click()
    page.wait_for_load_state("networkidle")
    # Asked first, naming what will happen; the new year does not become current by itself.
    assert page.dialogs and "开启评估期" in page.dialogs[-1]
    nxt = Period.objects.get(year=2027)
    assert not nxt.is_current and Period.objects.get(year=2026).is_current
    row = page.locator("[data-testid=period-2026]")
    assert row.locator("[data-testid=current-badge]").count() == 1
    # The administrator chooses the current period (confirmed, audited).
    page.locator("[data-testid=make-current-2027]").click()
    page.wait_for_load_state("networkidle")
    assert "设为当前评估期" in page.dialogs[-1]
    assert Period.objects.get(year=2027).is_current
    assert PeriodChange.objects.filter(period=nxt, action="current", user=cast.city_admin).exists()
    # Newest first.
    years = [t.split()[0] for t in page.locator("[data-testid=periods] tbody tr td:first-child").all_inner_texts()]
    assert years == ["2027", "2026"]

    # The community's returned 2026 sheet stays on its home page and to-do list, labelled with its year.
    _switch(page, cast.operator)
    _go(page, "/")
    assert page.locator("[data-testid=my-sheet-2026]").count() == 1
    assert page.locator("[data-testid=my-sheet-2027]").count() == 1
    todos = page.locator("[data-testid=todos]").inner_text()
    assert "2026年度：县级退回了第 1.1 行" in todos

    # The county still sees the 2026 sheet waiting (resubmitted now), labelled with its year.
    workflow.submit(Evaluation.objects.get(pk=returned.pk), cast.operator)
    _switch(page, cast.county_reviewer)
    _go(page, "/")
    waiting = page.locator("[data-testid=waiting]")
    assert "2026年度" in waiting.inner_text() and "东华一社区" in waiting.inner_text()
    assert waiting.locator("[data-testid=waiting-2026]").count() == 1


def test_missing_evidence_warning_at_submission(page, cast, year2026):
    sheet = fill_stage(_sheet(year2026, cast.community), cast.operator, Stage.SELF)
    login(page, cast.operator.username, PASSWORD)
    _go(page, f"/evaluations/{sheet.pk}/")
    gaps = page.locator("[data-testid=evidence-gaps]")
    assert "尚无证明材料" in gaps.inner_text()
    first = gaps.locator("a").first
    target = first.get_attribute("href")
    assert page.locator(target).count() == 1  # linked to its row
    assert page.locator("[data-testid^=evidence-missing-]").count() >= 1
    page.locator("[data-testid=do-submit]").click()
    page.wait_for_load_state("networkidle")
    # The confirmation names the gap and what submitting does; the period only warns, so it goes through.
    assert "尚无证明材料" in page.dialogs[-1] and "提交后评估表交县级审核" in page.dialogs[-1]
    assert Evaluation.objects.get(pk=sheet.pk).state == State.SUBMITTED
    assert "尚无证明材料" in page.locator(".alert-warning").first.inner_text()


def test_withdrawal(page, cast, year2026):
    sheet = workflow.submit(fill_stage(_sheet(year2026, cast.community), cast.operator, Stage.SELF), cast.operator)
    login(page, cast.operator.username, PASSWORD)
    _go(page, f"/evaluations/{sheet.pk}/")
    page.locator("[data-testid=form-withdraw] summary").click()
    page.fill("[data-testid=comment-withdraw]", "漏传了第 1.1 项的材料")
    page.locator("[data-testid=do-withdraw]").click()
    page.wait_for_load_state("networkidle")
    assert "撤回后评估表回到草稿" in page.dialogs[-1]
    sheet.refresh_from_db()
    assert sheet.state == State.DRAFT
    assert sheet.transitions.latest("id").comment == "漏传了第 1.1 项的材料"
    # The county is told.
    assert Message.objects.filter(recipient=cast.county_reviewer, kind="withdraw").exists()
    # Once the county has started, no withdrawal is offered.
    workflow.submit(sheet, cast.operator)
    workflow.transition(Evaluation.objects.get(pk=sheet.pk), cast.county_reviewer, "county_start")
    _go(page, f"/evaluations/{sheet.pk}/")
    assert page.locator("[data-testid=form-withdraw]").count() == 0


def test_inbox_shows_a_return_to_the_community(page, cast, year2026):
    sheet = workflow.submit(fill_stage(_sheet(year2026, cast.community), cast.operator, Stage.SELF), cast.operator)
    workflow.return_to_community(sheet, cast.county_reviewer, "请补充第 1.1 项的台帐", ["1.1"])
    login(page, cast.operator.username, PASSWORD)
    _go(page, "/")
    assert page.locator("[data-testid=inbox-badge]").inner_text() == "1"
    page.locator("[data-testid=inbox-link]").click()
    page.wait_for_load_state("networkidle")
    message = page.locator("[data-testid=message]").first
    assert "退回社区修改" in message.locator("[data-testid=message-title]").inner_text()
    assert "请补充第 1.1 项的台帐" in message.inner_text()
    assert message.get_attribute("data-read") == "0"
    message.locator("[data-testid=message-open]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/evaluations/{sheet.pk}/")
    assert page.locator("[data-testid=inbox-badge]").count() == 0
