"""A reference list with a renamed column imports through the source's saved mapping; its mismatches with
the ledgers are exactly the planted ones."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from jobs.models import Job
from jobs.services import start
from tests.ledgers import factories as lf
from verification.models import ReferenceKind, ReferenceList, ReferenceSource
from verification.reference import reconcile


def _xlsx(header, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def planted(cast):
    same = [lf.person(cast.community, name=f"一致{i}") for i in range(3)]
    for p in same:
        lf.unemployed(p, date(2026, 3, 1))
    only_ledger = lf.person(cast.community, name="台帐独有")
    lf.unemployed(only_ledger, date(2026, 3, 1))
    date_diff = lf.person(cast.community, name="日期不同")
    lf.unemployed(date_diff, date(2026, 3, 1))
    status_diff = lf.person(cast.community, name="状态不同")
    lf.unemployed(status_diff, date(2026, 3, 1))
    twice = lf.person(cast.sibling, name="两处")
    lf.unemployed(twice, date(2026, 3, 1))
    only_ref = lf.make_id("19900101")
    rows = [[p.id_number, p.name, cast.community.code, "在册", "2026-03-01"] for p in same]
    rows += [[date_diff.id_number, date_diff.name, cast.community.code, "在册", "2026-04-01"],
             [status_diff.id_number, status_diff.name, cast.community.code, "已注销", "2026-03-01"],
             [only_ref, "名单独有", cast.community.name, "在册", "2026-03-01"],
             [twice.id_number, twice.name, cast.community.code, "在册", "2026-03-01"]]
    return {"rows": rows, "only_ledger": only_ledger.id_number, "date": date_diff.id_number,
            "status": status_diff.id_number, "only_ref": only_ref, "twice": twice.id_number}


def _upload(cast, source, content) -> tuple[ReferenceList, Job]:
    ref = ReferenceList.objects.create(source=source, kind=source.kind, as_of=date(2026, 11, 30),
                                       file=SimpleUploadedFile("export.xlsx", content), original_name="export.xlsx",
                                       created_by=cast.city_admin)
    job = start("verification_reference_import", cast.city_admin, cast.city, "导入", {"reference": ref.pk})
    ref.refresh_from_db()
    return ref, job


@pytest.mark.django_db
def test_renamed_column_imports_through_saved_mapping(cast, period, planted, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    header = ["公民身份号码（新）", "姓名", "社区编码", "人员状态", "失业登记时间"]
    content = _xlsx(header, planted["rows"])
    source = ReferenceSource.objects.create(name="省系统2026版", kind=ReferenceKind.UNEMPLOYED)
    ref, job = _upload(cast, source, content)
    assert job.state == Job.State.FAILED and "身份证号" in job.message
    assert ref.status == ReferenceList.Status.FAILED
    source.mapping = {"id_number": "公民身份号码（新）", "community": "社区编码", "date": "失业登记时间"}
    source.save()
    ref, job = _upload(cast, source, content)
    assert job.state == Job.State.DONE, job.message
    assert ref.status == ReferenceList.Status.APPLIED and ref.rows == 7

    rec = reconcile(cast.community, ReferenceKind.UNEMPLOYED)
    ids = {code: {e.id_number for e in items} for code, _, items in rec.sections}
    assert ids == {
        "only_reference": {planted["only_ref"]},
        "only_ledger": {planted["only_ledger"]},
        "status_differs": {planted["status"]},
        "date_differs": {planted["date"]},
        "two_communities": {planted["twice"]},
    }


@pytest.mark.django_db
def test_card_reference_answers_line_332(cast, period, evaluation, settings, tmp_path):
    from verification.selectors import card_suggestion

    settings.MEDIA_ROOT = tmp_path
    people = [lf.person(cast.community, name=f"持证{i}") for i in range(2)]
    for p in people:
        lf.unemployed(p, date(2026, 3, 1))
    source = ReferenceSource.objects.create(name="持证名单", kind=ReferenceKind.CARD)
    _upload(cast, source, _xlsx(["身份证号", "社区", "就业创业证号"], [[people[0].id_number, cast.community.code, "A1"]]))
    card = card_suggestion(evaluation)
    assert card["total"] == 2 and card["holders"] == 1 and card["full"] is False


@pytest.mark.django_db
def test_reconciliation_cost_follows_scope_not_rows(cast, period, settings, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MEDIA_ROOT = tmp_path

    def queries(n):
        people = [lf.person(cast.community, name=f"量{n}-{i}") for i in range(n)]
        for p in people:
            lf.unemployed(p, date(2026, 3, 1))
        source = ReferenceSource.objects.create(name=f"规模{n}", kind=ReferenceKind.UNEMPLOYED)
        _upload(cast, source, _xlsx(["身份证号", "社区", "登记日期"],
                                    [[p.id_number, cast.community.code, "2026-03-02"] for p in people]))
        with CaptureQueriesContext(connection) as ctx:
            rec = reconcile(cast.community, ReferenceKind.UNEMPLOYED)
        assert len(rec.date_differs) == n
        return len(ctx.captured_queries)

    small = queries(3)
    ReferenceList.objects.all().delete()
    from ledgers.models import Person, UnemploymentRegistration
    UnemploymentRegistration.objects.all().delete()
    Person.objects.all().delete()
    assert queries(40) == small


@pytest.mark.django_db
def test_city_reconciliation_workbook_is_a_job_and_masked(cast, period, planted, settings, tmp_path):
    from openpyxl import load_workbook

    from jobs.services import results_root
    from orgs.models import AccessLog

    settings.MEDIA_ROOT = tmp_path
    settings.JOB_RESULTS_ROOT = tmp_path / "results"
    source = ReferenceSource.objects.create(name="默认列名", kind=ReferenceKind.UNEMPLOYED)
    _upload(cast, source, _xlsx(["身份证号", "姓名", "社区", "状态", "登记日期"], planted["rows"]))
    job = start("verification_reconcile_city", cast.city_reviewer, cast.city, "比对")
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    wb = load_workbook(results_root() / job.result_path)
    detail = list(wb["明细"].iter_rows(min_row=2, values_only=True))
    assert len(detail) == 5
    assert all("*" in row[4] for row in detail)  # the city reviewer may not unmask: ID numbers masked
    assert AccessLog.objects.filter(user=cast.city_reviewer, kind="export").exists()
