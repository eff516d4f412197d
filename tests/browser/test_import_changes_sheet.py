"""Browser journey (issue 4): import a ledger and see the suggestion change on the evaluation sheet itself.

The community operator opens its draft sheet, notes line 3.5.2 (hard-to-employ employment rate),
downloads the employment import template, fills it with openpyxl, uploads it (dry run preview, then
apply) and finds the new rate, suggested score and explanation on the sheet.
"""

import datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUGGESTION = "#line-3-5-2 [data-testid=suggestion]"


def test_import_changes_suggestion_on_sheet(page, cast, standard_version, tmp_path):
    from evaluations.models import Evaluation, State
    from evaluations.services.periods import open_period
    from ledgers.models import Employment
    from tests.ledgers import factories as f

    period = open_period(
        cast.city_admin, year=2025, name="2025年度评审", standard=standard_version,
        communities=[cast.community], self_deadline=datetime.date(2026, 3, 31),
        county_deadline=datetime.date(2026, 4, 30), city_deadline=datetime.date(2026, 5, 31),
    )
    ev = Evaluation.objects.get(period=period, community=cast.community)
    assert ev.state == State.DRAFT
    persons = [f.person(cast.community, name=f"困难人员{i}") for i in range(5)]
    for p in persons:
        f.hardship(p, datetime.date(2025, 2, 1))

    login(page, "t_operator", PASSWORD)
    sheet_url = page.live_url + reverse("evaluations:detail", args=[ev.pk])
    page.goto(sheet_url)
    before = page.locator(SUGGESTION)
    assert before.locator("div.fw-bold").inner_text() == "建议 0 分"
    assert "就业困难人员就业率 0/5 = 0.0% → 低于 80%（最低档） → 0 分" in before.inner_text()
    assert page.get_by_test_id("fact-value-hard_to_employ_employed").inner_text() == "0"

    # The import template, downloaded from the import page, filled in with openpyxl.
    page.goto(page.live_url + reverse("ledgers:import"))
    with page.expect_download() as info:
        page.click(f"a[href='{reverse('ledgers:import_template', args=['employment'])}']")
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["身份证号*", "就业去向*"]
    column = {h.rstrip("*"): i for i, h in enumerate(header)}
    for p in persons[:4]:  # four of the five find work: 4/5 = 80%
        row = [None] * len(header)
        row[column["身份证号"]] = p.id_number
        row[column["就业去向"]] = "单位就业"
        row[column["就业单位/项目"]] = "示范物业公司"
        row[column["岗位"]] = "保洁员"
        row[column["就业日期"]] = "2025-03-01"
        ws.append(row)
    upload = tmp_path / "就业登记.xlsx"
    wb.save(upload)

    # Dry run: a preview, nothing written.
    page.select_option("#kind", "employment")
    page.set_input_files("#file", str(upload))
    page.click("[data-testid=import-form] button[type=submit]")
    # The dry run is a background job: wait for it to finish.
    expect(page.get_by_test_id("import-status")).to_have_text("已预检", timeout=30_000)
    assert page.get_by_test_id("import-creates").inner_text() == "新增 4"
    assert page.get_by_test_id("import-rejected").inner_text() == "错误 0"
    assert Employment.objects.count() == 0
    page.goto(sheet_url)
    assert "0/5" in page.locator(SUGGESTION).inner_text()
    page.go_back()

    # Apply, then back to the sheet: the new fraction, bracket and suggested score.
    page.get_by_test_id("import-apply").click()
    expect(page.get_by_test_id("import-status")).to_have_text("已导入", timeout=30_000)
    assert Employment.objects.count() == 4
    page.goto(sheet_url)
    after = page.locator(SUGGESTION)
    assert after.locator("div.fw-bold").inner_text() == "建议 2 分"
    assert "就业困难人员就业率 4/5 = 80.0% → 80%–90% 档 → 2 分" in after.inner_text()
    assert page.get_by_test_id("fact-value-hard_to_employ_employed").inner_text() == "4"
    assert "台帐（实时计算）" in page.get_by_test_id("fact-hard_to_employ_employed").inner_text()
    assert page.get_by_test_id("state").inner_text() == "草稿"
