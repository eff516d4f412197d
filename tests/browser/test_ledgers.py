"""Browser journey: an operator imports a ledger and sees the suggested score change on the facts sheet."""

import datetime

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

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
    # The dry run and the apply are background jobs: wait for each to finish.
    expect(page.get_by_test_id("import-status")).to_have_text("已预检", timeout=30_000)
    assert "新增 4" in page.get_by_test_id("import-creates").inner_text()
    page.get_by_test_id("import-apply").click()
    expect(page.get_by_test_id("import-status")).to_have_text("已导入", timeout=30_000)
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


def test_progress_bar_follows_a_running_import_and_shows_the_result(page, cast, tmp_path):
    """A job still running: the page polls its bar, survives leaving and coming back, and shows the
    outcome when the job ends (the job is driven by hand here; the worker is tested in tests/jobs)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from jobs.models import Job
    from ledgers.models import ImportJob

    job = Job.objects.create(kind="ledger_apply", title="台帐导入：人员台帐（人员.xlsx）", owner=cast.operator,
                             unit=cast.community, shared=True, state=Job.State.RUNNING, done=250, total=1000,
                             message="正在复核", started_at=timezone.now())
    imp = ImportJob(community=cast.community, kind="persons", original_name="人员.xlsx", created_by=cast.operator,
                    status=ImportJob.Status.APPLYING, background=job,
                    summary={"rows": 999, "creates": 999, "updates": 0, "error_count": 0, "errors": []})
    imp.file.save("人员.xlsx", ContentFile(b"x"), save=False)
    imp.save()
    login(page, "t_operator", PASSWORD)
    page.goto(page.live_url + f"/ledgers/import/{imp.pk}/")
    bar = page.get_by_test_id("job-progress")
    expect(bar).to_have_attribute("data-state", "running")
    assert "250 / 1000" in bar.inner_text()
    Job.objects.filter(pk=job.pk).update(done=750)
    expect(page.get_by_test_id("job-message")).to_contain_text("750 / 1000", timeout=10_000)
    # Leave, come back through 我的任务.
    page.goto(page.live_url + "/jobs/")
    expect(page.get_by_test_id("job-list")).to_contain_text("进行中")
    page.goto(page.live_url + f"/jobs/{job.pk}/")
    expect(page.get_by_test_id("job-message")).to_contain_text("750 / 1000")
    page.goto(page.live_url + f"/ledgers/import/{imp.pk}/")
    # The job ends: the import page reloads by itself and shows the outcome.
    ImportJob.objects.filter(pk=imp.pk).update(status=ImportJob.Status.APPLIED, applied_at=timezone.now())
    Job.objects.filter(pk=job.pk).update(state=Job.State.DONE, done=1000, message="导入完成：999行：新增999条，更新0条。",
                                         finished_at=timezone.now())
    expect(page.get_by_test_id("import-status")).to_have_text("已导入", timeout=10_000)
    assert page.get_by_test_id("job-progress").count() == 0


def test_a_failed_import_job_shows_its_chinese_message(page, cast):
    from ledgers.models import ImportJob
    from tests.ledgers.xlsx import xlsx

    login(page, "t_operator", PASSWORD)
    page.goto(page.live_url + "/ledgers/import/")
    page.select_option("#kind", "persons")
    upload = xlsx([["姓名"], ["张三"]])
    page.set_input_files("#file", files=[{"name": "人员.xlsx", "mimeType": "application/octet-stream",
                                          "buffer": upload.read()}])
    page.click("[data-testid=import-form] button[type=submit]")
    expect(page.get_by_test_id("job-progress")).to_have_attribute("data-state", "failed", timeout=30_000)
    assert "第1行表头缺少必填列：身份证号" in page.get_by_test_id("job-message").inner_text()
    assert ImportJob.objects.get().status == "rejected"
