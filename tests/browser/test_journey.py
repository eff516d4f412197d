"""The whole journey in Chromium: community fills and submits, county returns one line, community
corrects, county passes, city scores line 5 and publishes; an outsider cannot even see the sheet."""

import datetime

import pytest

from evaluations.models import Evaluation, State
from evaluations.services.periods import open_period
from tests.browser.conftest import login
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page):
    page.locator("nav form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def row(page, line):
    return page.locator(f"tr[data-line='{line}']")


def type_score(page, line, stage, value):
    """As a person does it: type the score, leave the box; htmx saves the line."""
    box = page.locator(f"[data-testid='score-{line}-{stage}']")
    if box.evaluate("el => el.tagName") == "SELECT":
        box.select_option(str(value))
    else:
        box.fill(str(value))
        box.press("Tab")
    row(page, line).locator("[data-testid=line-saved], [data-testid=line-error]").first.wait_for()


def score_with_reason(page, line, stage, value, reason):
    """Set score and reason together, then one change event (as leaving the row would)."""
    page.evaluate(
        """([line, stage, value, reason]) => {
            const tr = document.querySelector(`tr[data-line='${line}']`);
            const score = tr.querySelector(`[data-testid='score-${line}-${stage}']`);
            tr.querySelector(`[data-testid='reason-${line}-${stage}']`).value = reason;
            score.value = value;
            score.dispatchEvent(new Event('change', {bubbles: true}));
        }""",
        [line, stage, str(value), reason],
    )
    row(page, line).locator("[data-testid=line-saved]").wait_for()


def click_action(page, name):
    page.locator(f"[data-testid='do-{name}']").click()
    page.wait_for_load_state("networkidle")


def test_full_journey(page, cast, standard_version):
    today = datetime.date.today()
    period = open_period(cast.city_admin, year=today.year, name="浏览器测试评估期", standard=standard_version,
                         communities=[cast.community, cast.other_community],
                         self_deadline=today + datetime.timedelta(days=30))
    ev = Evaluation.objects.get(period=period, community=cast.community)
    std = standard_version.standard
    self_lines = std.stage_lines("self")
    sheet_url = f"{page.live_url}/evaluations/{ev.pk}/"

    # 1. The community fills in its self-assessment from its home page.
    login(page, cast.operator.username, PASSWORD)
    page.locator("[data-testid=open-my-sheet]").click()
    page.wait_for_load_state("networkidle")
    assert "东华一社区" in page.locator("[data-testid=sheet-header]").inner_text()
    assert page.locator("[data-testid=state]").inner_text() == "草稿"
    # A refused value is shown on the line, in Chinese, and not saved.
    type_score(page, "1.2", "self", "7")
    assert "超出 0–5 分" in row(page, "1.2").locator("[data-testid=line-error]").inner_text()
    # The gate shows its consequence at once when a checklist fact says no service window.
    gate = page.locator("#fact-input-service_window")
    if gate.count():
        gate.select_option("false")
        page.locator("[data-testid=gate-banner]").wait_for()
        assert "不列入评估" in page.locator("[data-testid=status]").inner_text()
        page.locator("#fact-input-service_window").select_option("true")
        page.locator("[data-testid=gate-banner]").wait_for(state="detached")
        assert "t_operator" in page.locator("[data-testid=fact-service_window]").inner_text()
    for line in self_lines:
        type_score(page, line.id, "self", line.max)
    assert page.locator("[data-testid=total-self]").inner_text().startswith("95 / 95")
    page.locator("[data-testid=innovation-input]").fill("社区“就业驿站”每周开展职业指导。")
    page.locator("[data-testid=innovation-submit]").click()
    page.locator("[data-testid=innovation-saved]").wait_for()
    click_action(page, "submit")
    assert page.locator("[data-testid=state]").inner_text() == "待县级审核"
    assert page.locator("[data-testid='score-1.2-self']").count() == 0  # entry locked
    logout(page)

    # 2. The county starts its review and returns line 1.2 with a comment.
    login(page, cast.county_reviewer.username, PASSWORD)
    page.goto(sheet_url)
    click_action(page, "county_start")
    assert page.locator("[data-testid=state]").inner_text() == "县级审核中"
    page.locator("[data-testid=details-county_return] summary").click()
    page.locator("[data-testid=comment-county_return]").fill("协理员证书复印件缺失，请核实第 1.2 行自评分")
    page.locator("[data-testid='return-line-county_return-1.2']").check()
    click_action(page, "county_return")
    assert page.locator("[data-testid=state]").inner_text() == "草稿"
    logout(page)

    # 3. The community sees the returned line highlighted, corrects it and resubmits.
    login(page, cast.operator.username, PASSWORD)
    page.goto(sheet_url)
    assert "协理员证书复印件缺失" in page.locator("[data-testid=returned-banner]").inner_text()
    assert "line-returned" in row(page, "1.2").get_attribute("class")
    assert "line-returned" not in (row(page, "1.3").get_attribute("class") or "")
    # Scores kept; only the returned line is open again.
    assert page.locator("[data-testid='value-1.3-self']").inner_text() == "4"
    assert page.locator("[data-testid='score-1.3-self']").count() == 0
    type_score(page, "1.2", "self", "3")
    click_action(page, "submit")
    assert page.locator("[data-testid=state]").inner_text() == "待县级审核"
    logout(page)

    # 4. The county scores every line (a reason wherever needed) and passes the sheet to the city.
    login(page, cast.county_reviewer.username, PASSWORD)
    page.goto(sheet_url)
    click_action(page, "county_start")
    # Passing too early lists what is missing.
    click_action(page, "county_pass")
    assert "第 1.1 行（县级审核）：尚未评分" in page.locator("[data-testid=problems]").inner_text()
    for line in self_lines:
        value = 3 if line.id == "1.2" else line.max
        score_with_reason(page, line.id, "county", value, "无持证协理员，扣 2 分" if line.id == "1.2" else "核查属实")
    click_action(page, "county_pass")
    assert page.locator("[data-testid=state]").inner_text() == "县级已通过（报市级）"
    logout(page)

    # 5. The city scores every line, including line 5 (innovation), completes and publishes.
    login(page, cast.city_reviewer.username, PASSWORD)
    page.goto(sheet_url)
    assert "就业驿站" in page.locator("[data-testid=innovation-panel]").inner_text()
    click_action(page, "city_start")
    for line in std.stage_lines("city"):
        if line.id == "5":
            score_with_reason(page, "5", "city", "4", "创新做法有特色，推广面尚窄")
        else:
            value = 3 if line.id == "1.2" else line.max
            score_with_reason(page, line.id, "city", value, "同意县级意见" if line.id == "1.2" else "核查属实")
    assert page.locator("[data-testid=total-city]").inner_text().startswith("97 / 100")
    click_action(page, "city_complete")
    assert page.locator("[data-testid=state]").inner_text() == "市级已复核"
    click_action(page, "publish")
    assert page.locator("[data-testid=state]").inner_text() == "已公布"
    assert page.locator("[data-testid=final-star]").inner_text() in {"五星", "不评星"}
    ev.refresh_from_db()
    assert ev.state == State.PUBLISHED and ev.city_total == 97
    assert [t.action for t in ev.transitions.all()] == [
        "submit", "county_start", "county_return", "submit", "county_start", "county_pass",
        "city_start", "city_complete", "publish"]
    logout(page)

    assert not page.console_errors, page.console_errors

    # 6. An operator of another community cannot see the sheet at all.
    login(page, cast.outsider.username, PASSWORD)
    response = page.goto(sheet_url)
    assert response.status == 404
