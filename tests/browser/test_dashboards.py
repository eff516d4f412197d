"""Each dashboard opens with its charts drawn (canvas), its tables filled, no console errors, nothing external."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from reports.dashboards import DASHBOARDS
from tests.browser.conftest import login
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored(cast, standard_version):
    from decimal import Decimal

    from evaluations.models import Evaluation, Period, State
    from tests.reports.conftest import score_sheet

    period = Period.objects.create(year=2025, name="2025年度", standard=standard_version, created_by=cast.city_admin)
    score_sheet(Evaluation.objects.create(period=period, community=cast.community), cast.city_reviewer,
                {"city": {"3.5.2": (Decimal(1), "就业率92%")}}, state=State.PUBLISHED)  # fmt: skip
    score_sheet(Evaluation.objects.create(period=period, community=cast.other_community), cast.city_reviewer,
                {"county": {"3.6": (Decimal(6), "未开发岗位")}}, stages=("self", "county"),
                state=State.COUNTY_PASSED)  # fmt: skip
    return period


def sign_in(page, user) -> None:
    login(page, user.username, PASSWORD)
    # The home page after login belongs to another app; only the report pages' console is judged here.
    page.console_errors.clear()


def charts_drawn(page) -> None:
    cards = page.locator("[data-testid=chart-card]")
    assert cards.count() >= 1
    # Locator waits, not wait_for_function: the page's CSP forbids the eval that polling needs.
    charts = page.locator(".report-chart")
    expect(page.locator(".report-chart[data-drawn='1']")).to_have_count(charts.count())
    expect(page.locator(".report-chart:not(:has(canvas))")).to_have_count(0)
    assert not page.console_errors, page.console_errors


def test_every_dashboard_draws_for_the_city(page, cast, scored):
    sign_in(page, cast.city_admin)
    page.goto(page.live_url + "/reports/")
    assert page.locator("[data-testid=report-dashboards] a").count() == len(DASHBOARDS) + 1
    for slug in [*DASHBOARDS, "history"]:
        page.goto(f"{page.live_url}/reports/dashboard/{slug}/?period=2025")
        charts_drawn(page)
        assert page.locator("table[data-testid^=chart-table] tbody tr").count() >= 1
    page.goto(page.live_url + "/reports/dashboard/progress/?period=2025")
    assert "西城区" in page.locator("[data-testid=chart-table-progress]").inner_text()
    # Filtering by district reloads the page with that district only.
    page.select_option("#f-county", label="东城区")
    page.wait_for_url("**county=**")
    charts_drawn(page)
    table = page.locator("[data-testid=chart-table-progress]").inner_text()
    assert "东城区" in table and "西城区" not in table


def test_county_user_sees_its_county(page, cast, scored):
    sign_in(page, cast.county_reviewer)
    page.goto(page.live_url + "/reports/dashboard/selfgap/")
    charts_drawn(page)
    table = page.locator("[data-testid=chart-table-selfgap]").inner_text()
    assert "东城区" in table and "西城区" not in table
    assert page.locator("#f-county").is_disabled()


def test_print_view_of_a_form(page, cast, scored):
    from evaluations.models import Evaluation

    ev = Evaluation.objects.get(community=cast.community)
    sign_in(page, cast.operator)
    page.goto(page.live_url + "/reports/")
    with page.expect_popup() as popup:
        page.click("[data-testid=form-list] a:text('打印')")
    view = popup.value
    view.wait_for_load_state()
    assert view.locator("[data-testid=form-table] tbody tr[data-line]").count() == 23
    assert "就业率92%" in view.locator("[data-testid=form-table]").inner_text()
    assert f"/reports/form/{ev.pk}/print/" in view.url
    with view.expect_download() as dl:
        view.click("text=下载 Excel")
    assert dl.value.suggested_filename.endswith(".xlsx")


def test_ledger_statistics_page_and_summary_download(page, cast, scored):
    sign_in(page, cast.county_reviewer)
    page.goto(page.live_url + "/reports/")
    with page.expect_download() as dl:
        page.click("[data-testid=export-summary-xlsx]")
    assert dl.value.suggested_filename == "2025年度东城区星级社区评审汇总表.xlsx"
    page.click("[data-testid=ledger-stats-link]")
    table = page.locator("[data-testid=ledger-stats-table]")
    assert "东华一社区" in table.inner_text() and "西华一社区" not in table.inner_text()
    assert page.locator("[data-testid=ledger-stats-table] tr[data-kind=total]").count() == 1
    assert not page.console_errors
