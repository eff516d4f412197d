"""Returns line by line and adopting lower scores, in Chromium (issue 12 items 3 and 5)."""

import datetime

import pytest

from evaluations.models import Evaluation, LineScore, ReturnedLine, Stage, State
from evaluations.services.periods import open_period
from evaluations.services.workflow import transition
from tests.browser.conftest import login
from tests.cast import PASSWORD
from tests.evaluations.conftest import fill_stage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page):
    page.locator("nav form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _sheet(cast, standard_version):
    today = datetime.date.today()
    period = open_period(cast.city_admin, year=today.year, name="退回测试评估期", standard=standard_version,
                         communities=[cast.community], self_deadline=today + datetime.timedelta(days=30))
    ev = Evaluation.objects.get(period=period, community=cast.community)
    fill_stage(ev, cast.operator, Stage.SELF)
    transition(ev, cast.operator, "submit")
    transition(ev, cast.county_reviewer, "county_start")
    ev.refresh_from_db()
    return ev


def test_return_two_lines_answer_both_county_sees_old_to_new(page, cast, standard_version):
    ev = _sheet(cast, standard_version)
    url = f"{page.live_url}/evaluations/{ev.pk}/"

    # The county returns 1.2 and 2.1, each with its own comment.
    login(page, cast.county_reviewer.username, PASSWORD)
    page.goto(url)
    page.locator("[data-testid=details-county_return] summary").click()
    page.locator("[data-testid='return-line-county_return-1.2']").check()
    page.locator("[data-testid='return-comment-county_return-1.2']").fill("协理员证书复印件缺失")
    page.locator("[data-testid='return-line-county_return-2.1']").check()
    page.locator("[data-testid='return-comment-county_return-2.1']").fill("未见公示栏照片")
    page.locator("[data-testid=do-county_return]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=state]").inner_text() == "草稿"
    logout(page)

    # The community answers both comments and changes only the returned lines.
    login(page, cast.operator.username, PASSWORD)
    page.goto(url)
    panel = page.locator("[data-testid=returns-panel]")
    assert "协理员证书复印件缺失" in panel.inner_text() and "未见公示栏照片" in panel.inner_text()
    assert page.locator("[data-testid='score-1.1-self']").count() == 0  # not returned: read-only
    assert page.locator("[data-testid='score-3.4-self']").count() == 0
    assert page.locator("#fact-input-appraisal_system").count() == 0  # feeds 2.2 only
    assert page.locator("#fact-input-staff_count").count() == 1  # feeds 1.2
    for line, text in (("1.2", "已补充证书复印件"), ("2.1", "已上传公示栏照片")):
        box = page.locator(f"[data-testid='reply-{line}']")
        box.fill(text)
        box.press("Tab")
        page.locator(f"[data-testid='reply-saved-{line}']").wait_for()
    box = page.locator("[data-testid='score-1.2-self']")
    box.fill("3")
    box.press("Tab")
    page.locator("tr[data-line='1.2'] [data-testid=line-saved]").wait_for()
    page.locator("[data-testid=do-submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=state]").inner_text() == "待县级审核"
    logout(page)

    # The county sees the answers and the changed line, old → new.
    login(page, cast.county_reviewer.username, PASSWORD)
    page.goto(url)
    assert page.locator("[data-testid='reply-text-1.2']").inner_text() == "已补充证书复印件"
    assert page.locator("[data-testid='reply-text-2.1']").inner_text() == "已上传公示栏照片"
    changed = page.locator("[data-testid='row-changes-1.2']").inner_text()
    assert "社区自评得分" in changed and "5 → 3" in changed
    assert page.locator("[data-testid='row-changes-2.1']").count() == 0
    assert page.locator("[data-testid='row-changes-1.1']").count() == 0
    assert not page.console_errors, page.console_errors
    assert ReturnedLine.objects.filter(evaluation=ev, reply__startswith="已").count() == 2


def test_city_reviewer_adopts_the_whole_sheet(page, cast, standard_version):
    ev = _sheet(cast, standard_version)
    fill_stage(ev, cast.county_reviewer, Stage.COUNTY, reason="核查属实")
    transition(ev, cast.county_reviewer, "county_pass")
    transition(ev, cast.city_reviewer, "city_start")
    ev.refresh_from_db()
    url = f"{page.live_url}/evaluations/{ev.pk}/"

    login(page, cast.city_reviewer.username, PASSWORD)
    page.goto(url)
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("[data-testid=adopt-panel] summary").click()
    page.locator("[data-testid=adopt-scope]").select_option("all")
    page.locator("[data-testid=adopt-submit]").click()
    page.wait_for_load_state("networkidle")
    assert "已采用下级评分 22 行" in page.content()
    assert page.locator("[data-testid='adopted-1.1-city']").count() == 1
    city = LineScore.objects.filter(evaluation=ev, stage=Stage.CITY)
    assert city.count() == 22 and set(city.values_list("adopted_from", flat=True)) == {Stage.COUNTY}
    page.goto(f"{page.live_url}/evaluations/{ev.pk}/compare/")
    assert page.locator("[data-testid='adopted-3.4-city']").inner_text() == "采用"
    ev.refresh_from_db()
    assert ev.state == State.CITY_REVIEWING
    assert not page.console_errors, page.console_errors


def test_text_saves_on_leaving_and_unsaved_text_warns(page, cast, standard_version):
    today = datetime.date.today()
    period = open_period(cast.city_admin, year=today.year, name="文字保存测试", standard=standard_version,
                         communities=[cast.community], self_deadline=today + datetime.timedelta(days=30))
    ev = Evaluation.objects.get(period=period, community=cast.community)
    login(page, cast.operator.username, PASSWORD)
    page.goto(f"{page.live_url}/evaluations/{ev.pk}/")
    box = page.locator("[data-testid=innovation-input]")
    box.fill("社区就业驿站每周开展职业指导")
    box.press("Tab")  # leaving the field saves it, no button needed
    page.locator("[data-testid=innovation-saved]").wait_for()
    ev.refresh_from_db()
    assert ev.innovation_text == "社区就业驿站每周开展职业指导"
    leave = "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; }"
    assert page.evaluate(leave) is False  # everything typed is saved
    page.locator("[data-testid=details-submit], [data-testid=innovation-input]").first.press_sequentially("，另有")
    assert page.evaluate(leave) is True  # typed, not yet saved: leaving asks first
    assert not page.console_errors, page.console_errors
