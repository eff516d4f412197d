"""Browser journey: an operator imports a ledger and sees the suggested score change on the facts sheet."""

import datetime

import pytest
from openpyxl import Workbook

from tests.browser.conftest import login
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_changes_suggestion(page, cast, standard_version, tmp_path):
    from evaluations.models import Evaluation
    from evaluations.services.periods import open_period
    from tests.ledgers import factories as f

    period = open_period(
        cast.city_admin, year=2025, name="2025年度评审", standard=standard_version,
        communities=[cast.community], self_deadline=datetime.date(2026, 3, 31),
        county_deadline=datetime.date(2026, 4, 30), city_deadline=datetime.date(2026, 5, 31),
    )
    ev = Evaluation.objects.get(period=period, community=cast.community)
    persons = [f.person(cast.community, name=f"居民{i}") for i in range(4)]
    for p in persons:
        f.unemployed(p, datetime.date(2025, 2, 1))
    login(page, "t_operator", PASSWORD)
    page.goto(page.live_url + f"/ledgers/facts/{ev.pk}/")
    assert page.get_by_test_id("suggestion-3.5.3").inner_text() == "0"
    # Employment records for all four, imported from xlsx.
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号*", "就业去向*", "用人单位名称", "就业单位/项目", "岗位", "就业日期*", "离职日期"])
    for p in persons:
        ws.append([p.id_number, "单位就业", "", "示范物业公司", "保洁员", "2025-03-01", ""])
    path = tmp_path / "employment.xlsx"
    wb.save(path)
    page.goto(page.live_url + "/ledgers/import/")
    page.select_option("#kind", "employment")
    page.set_input_files("#file", str(path))
    page.click("[data-testid=import-form] button[type=submit]")
    assert "新增 4" in page.get_by_test_id("import-creates").inner_text()
    page.get_by_test_id("import-apply").click()
    assert page.get_by_test_id("import-status").inner_text() == "已导入"
    page.goto(page.live_url + f"/ledgers/facts/{ev.pk}/")
    assert page.get_by_test_id("suggestion-3.5.3").inner_text() == "4"
    page.get_by_test_id("fact-registered_unemployed_employed").click()
    assert page.get_by_test_id("fact-value").inner_text() == "4"
    rows = page.locator("[data-testid=fact-records] tbody tr")
    assert rows.count() == 4
    assert "********" in rows.first.inner_text()  # masked ID numbers


def test_person_unmask_journey(page, cast):
    from orgs.models import AccessLog
    from tests.ledgers import factories as f

    p = f.person(cast.community, name="测试人", phone="13812345678")
    login(page, "t_operator", PASSWORD)
    page.goto(page.live_url + "/ledgers/persons/")
    page.fill("input[name=q]", "测试人")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="测试人").click()
    assert page.get_by_test_id("phone").inner_text() == "138****5678"
    page.get_by_role("button", name="显示完整身份证号和电话（将记录日志）").click()
    assert page.get_by_test_id("id-number").inner_text() == p.id_number
    assert AccessLog.objects.filter(kind="unmask").count() == 1
