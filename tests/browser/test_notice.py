"""公示 in Chromium: the administrator starts the notice; someone without an account objects on the public
page; the case is assigned and partly upheld; the named line is reopened and re-scored; publication is
refused while the window runs and while the case is open, then allowed."""

import datetime

import pytest

from announcements.models import CaseStatus, Notice, Objection
from evaluations.models import Evaluation, LineScore, Stage, State
from evaluations.services.periods import open_period
from orgs.models import Role
from tests.announcements.helpers import to_city_reviewed
from tests.browser.conftest import login
from tests.browser.test_journey import click_action, logout, score_with_reason
from tests.cast import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def accept_next_dialog(page):
    page.once("dialog", lambda dialog: dialog.accept())


def test_notice_objection_upheld_rescored_then_published(page, cast, standard_version):
    today = datetime.date.today()
    period = open_period(cast.city_admin, year=today.year, name="浏览器测试评估期", standard=standard_version,
                         communities=[cast.community, cast.sibling, cast.other_community])
    mine = to_city_reviewed(cast, Evaluation.objects.get(period=period, community=cast.community))
    sibling_operator = make_user("t_operator2", Role.COMMUNITY_OPERATOR, cast.sibling)
    sibling = to_city_reviewed(cast, Evaluation.objects.get(period=period, community=cast.sibling), sibling_operator)
    base = page.live_url

    # 1. The city administrator starts the notice from the menu, after confirming.
    login(page, cast.city_admin.username, PASSWORD)
    page.get_by_role("link", name="公示与异议").click()
    page.locator(f"[data-testid=start-notice-{today.year}]").click()
    assert "个工作日" in page.locator("[data-testid=window-preview]").inner_text()
    accept_next_dialog(page)
    page.locator("[data-testid=confirm-start]").click()
    page.wait_for_load_state("networkidle")
    notice = Notice.objects.get(period=period)
    assert page.url.endswith(f"/notices/{notice.pk}/")
    assert "暂不能公布" in page.locator("[data-testid=publication-status]").inner_text()
    assert Evaluation.objects.get(pk=mine.pk).state == State.NOTICE

    # 2. Publication is refused while the window runs.
    page.goto(f"{base}/evaluations/{sibling.pk}/")
    assert page.locator("[data-testid=state]").inner_text() == "公示中"
    click_action(page, "publish")
    assert "公示期满后方可公布" in page.locator("#messages").inner_text()
    logout(page)

    # 3. Anyone, without an account, objects on the public page.
    page.goto(f"{base}/gongshi/{notice.pk}/")
    assert "东华一社区" in page.locator("[data-testid=public-list]").inner_text()
    assert page.locator("nav .navbar-nav").count() == 0  # no menu: nobody is logged in
    entry = notice.entries.get(evaluation=mine)
    page.select_option("#id_entry", str(entry.pk))
    page.fill("#id_contact", "13900001234")
    page.fill("#id_content", "东华一社区两名失业人员从未接到社区回访，请核实其走访台帐。")
    page.locator("[data-testid=submit-objection]").click()
    page.wait_for_load_state("networkidle")
    case = Objection.objects.get()
    assert case.number in page.locator("[data-testid=objection-received]").inner_text()

    # 4. The administrator assigns the case to a city reviewer (the contact is shown to them, logged).
    login(page, cast.city_admin.username, PASSWORD)
    page.goto(f"{base}/notices/{notice.pk}/")
    page.get_by_role("link", name=case.number).click()
    assert "13900001234" in page.locator("[data-testid=contact]").inner_text()
    page.select_option("#id_assignee", str(cast.city_reviewer.pk))
    page.locator("[data-testid=assign]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=case-status]").inner_text() == "调查核实中"
    logout(page)

    # 5. The reviewer investigates and partly upholds it: line 1.2 of that sheet is reopened.
    login(page, cast.city_reviewer.username, PASSWORD)
    page.get_by_role("link", name="公示与异议").click()
    page.locator("[data-testid=my-cases]").get_by_role("link", name=case.number).click()
    page.fill("#id_text", "电话回访台帐所列 6 人，其中 2 人近半年未接到回访。")
    page.locator("[data-testid=add-note]").click()
    page.wait_for_load_state("networkidle")
    assert "未接到回访" in page.locator("[data-testid=notes]").inner_text()
    page.locator("[data-testid=decision-choices] label", has_text="异议部分成立").click()
    page.fill("#id_reasons", "经回访核实，部分走访记录与实际不符，第 1.2 行重新复核。")
    page.locator("[data-testid=decision-lines] label", has_text="第 1.2 行").click()
    accept_next_dialog(page)
    page.locator("[data-testid=decide]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=case-status]").inner_text() == "异议成立，重新复核中"
    assert Evaluation.objects.get(pk=mine.pk).state == State.CITY_REVIEWING
    logout(page)

    # 6. Time passes: the window ends (test set-up moves the dates). The open case still blocks publication.
    Notice.objects.filter(pk=notice.pk).update(starts_on=today - datetime.timedelta(days=14),
                                               ends_on=today - datetime.timedelta(days=1))
    login(page, cast.city_admin.username, PASSWORD)
    page.goto(f"{base}/evaluations/{sibling.pk}/")
    click_action(page, "publish")
    assert f"尚有 1 件未办结（{case.number}）" in page.locator("#messages").inner_text()
    assert Evaluation.objects.get(pk=sibling.pk).state == State.NOTICE
    logout(page)

    # 7. The reviewer re-scores the reopened line and completes: the sheet rejoins the notice, the case closes.
    login(page, cast.city_reviewer.username, PASSWORD)
    page.goto(f"{base}/evaluations/{mine.pk}/")
    banner = page.locator("[data-testid=returned-banner]").inner_text()
    assert "异议成立，重新复核" in banner and case.number in banner and "第 1.2 行" in banner
    old = LineScore.objects.get(evaluation=mine, line_id="1.2", stage=Stage.CITY).score
    score_with_reason(page, "1.2", "city", str(old - 1), "回访记录与实际不符，扣 1 分")
    click_action(page, "city_complete")
    assert page.locator("[data-testid=state]").inner_text() == "公示中"
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    logout(page)

    # 8. Now publication is allowed; the public list shows the revised result.
    login(page, cast.city_admin.username, PASSWORD)
    page.goto(f"{base}/notices/{notice.pk}/")
    assert "可以公布" in page.locator("[data-testid=publication-status]").inner_text()
    for ev in (sibling, mine):
        page.goto(f"{base}/evaluations/{ev.pk}/")
        click_action(page, "publish")
        assert page.locator("[data-testid=state]").inner_text() == "已公布"
    assert set(Evaluation.objects.filter(pk__in=[mine.pk, sibling.pk]).values_list("state", flat=True)) == {
        State.PUBLISHED}
    page.goto(f"{base}/gongshi/{notice.pk}/")
    assert "经异议复核" in page.locator("[data-testid=public-list]").inner_text()
    assert not page.console_errors, page.console_errors
