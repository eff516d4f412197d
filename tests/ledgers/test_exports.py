"""Ledger exports on the one exporter base class: xlsx and csv, masking, sensitive data, scope, logging."""

import csv
import io
from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ledgers.exports import LEDGER_EXPORTERS, LedgerExporter
from ledgers.imports import SPECS
from ledgers.models import Complaint, Employer, ImportJob, Person, Vacancy
from orgs.models import AccessLog
from reports.exporters import ListExporter
from tests.cast import PASSWORD
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db


def _masked(number: str) -> str:
    return number[:6] + "********" + number[-4:]


def _rows(response, fmt: str) -> list[list]:
    """The file as a list of rows of text ('' for an empty cell), whatever the format."""
    if fmt == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese as UTF-8
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    ws = load_workbook(BytesIO(response.content)).worksheets[0]
    return [["" if c.value is None else str(c.value) for c in row] for row in ws.iter_rows()]


def _get(client, kind: str, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(reverse("ledgers:export", args=[kind]) + (f"?{query}" if query else ""))


def test_every_ledger_export_is_a_list_exporter():
    assert set(LEDGER_EXPORTERS) == set(SPECS)
    for kind, cls in LEDGER_EXPORTERS.items():
        assert issubclass(cls, LedgerExporter) and issubclass(cls, ListExporter)
        assert cls.spec is SPECS[kind] and cls.verbose_name == SPECS[kind].label
        assert cls.formats == ("xlsx", "csv")
    assert len({cls.identifier for cls in LEDGER_EXPORTERS.values()}) == len(SPECS)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("who", "sensitive"), [("t_operator", True), ("t_street", False)])
def test_persons_masked_sensitive_columns_and_logged(client, cast, fmt, who, sensitive):
    p = f.person(cast.community, name="赵一", phone="13812345678", is_disabled=True)
    client.login(username=who, password=PASSWORD)
    response = _get(client, "persons", format=fmt)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv" if fmt == "csv" else "application/vnd.openxmlformats")
    assert response["Cache-Control"] == "no-store"
    rows = _rows(response, fmt)
    header, row = rows[0], rows[1]
    assert header[:5] == ["户编号", "与户主关系", "姓名", "身份证号", "联系电话"] and header[-1] == "所属社区"
    assert ("残疾人" in header) is sensitive
    assert len(rows) == 2  # headers on row 1, no title or footer line: the layout the import reads
    assert row[2] == "赵一" and row[3] == _masked(p.id_number) and row[4] == "138****5678"
    assert row[-1] == "东华一社区"
    if sensitive:
        assert row[header.index("残疾人")] == "是"
    log = AccessLog.objects.get(kind="export", user__username=who)
    assert log.target == "ledger:persons"
    assert log.detail == {"format": fmt, "rows": 1, "unmasked": False, "community": None}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_full_numbers_only_for_unmask_roles(client, cast, fmt):
    p = f.person(cast.community, phone="13812345678")
    client.login(username="t_operator", password=PASSWORD)
    row = _rows(_get(client, "persons", format=fmt, full=1), fmt)[1]
    assert row[3] == p.id_number and row[4] == "13812345678"
    assert AccessLog.objects.get(user__username="t_operator").detail["unmasked"] is True
    client.login(username="t_street", password=PASSWORD)
    row = _rows(_get(client, "persons", format=fmt, full=1), fmt)[1]
    assert row[3] == _masked(p.id_number) and row[4] == "138****5678"
    assert AccessLog.objects.get(user__username="t_street").detail["unmasked"] is False


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_sensitive_hardship_categories_only_for_roles_that_see_them(client, cast, fmt):
    p = f.person(cast.community)
    f.hardship(p, date(2025, 1, 10), category="4050")
    f.hardship(p, date(2025, 2, 10), category="released")
    client.login(username="t_operator", password=PASSWORD)
    rows = _rows(_get(client, "hardship", format=fmt), fmt)
    assert rows[0] == ["身份证号", "困难类别", "认定日期", "退出日期", "备注", "所属社区"]
    assert sorted(r[1] for r in rows[1:]) == ["4050人员", "刑满释放人员"]
    client.login(username="t_street", password=PASSWORD)
    rows = _rows(_get(client, "hardship", format=fmt), fmt)
    assert [r[1] for r in rows[1:]] == ["4050人员"]
    assert AccessLog.objects.get(user__username="t_street").detail["rows"] == 1


def test_scope_and_community_filter(client, cast):
    mine = f.person(cast.community, name="本社区")
    sibling = f.person(cast.sibling, name="同街道")
    f.person(cast.other_community, name="外区县")
    client.login(username="t_street", password=PASSWORD)
    names = [r[2] for r in _rows(_get(client, "persons", format="csv"), "csv")[1:]]
    assert sorted(names) == sorted([mine.name, sibling.name])  # never outside the user's unit
    rows = _rows(_get(client, "persons", format="csv", community=cast.sibling.pk), "csv")
    assert [r[2] for r in rows[1:]] == [sibling.name]
    log = AccessLog.objects.filter(user__username="t_street").latest("pk")
    assert log.detail["community"] == cast.sibling.pk
    # A community outside the unit is not a filter the user can apply: the export stays in scope.
    rows = _rows(_get(client, "persons", format="csv", community=cast.other_community.pk), "csv")
    assert "外区县" not in [r[2] for r in rows[1:]]


def test_filename_names_the_scope(client, cast):
    client.login(username="t_street", password=PASSWORD)
    response = _get(client, "employers", format="csv", community=cast.sibling.pk)
    assert response["Content-Disposition"].endswith(".csv")
    from urllib.parse import unquote

    assert unquote(response["Content-Disposition"].split("''", 1)[1]) == "东华二社区用人单位台帐.csv"


def test_unknown_kind_or_format_is_404(client, cast):
    client.login(username="t_operator", password=PASSWORD)
    assert _get(client, "nothing").status_code == 404
    assert _get(client, "persons", format="docx").status_code == 404
    assert not AccessLog.objects.filter(kind="export").exists()


def test_every_ledger_exports_in_both_formats(client, cast):
    p = f.person(cast.community, phone="13812345678")
    f.unemployed(p, date(2025, 2, 1))
    f.hardship(p, date(2025, 2, 1))
    f.employed(p, date(2025, 3, 1))
    f.service(p, "guidance", date(2025, 3, 2))
    f.zero(p.household, date(2025, 1, 5))
    f.visit(p.household, date(2025, 1, 6))
    employer = Employer.objects.create(community=cast.community, name="示范物业公司", phone="057112345678")
    Vacancy.objects.create(employer=employer, title="保洁员", headcount=2, published_on=date(2025, 3, 1))
    Complaint.objects.create(community=cast.community, kind="complaint", received_on=date(2025, 4, 1), summary="窗口排队")
    client.login(username="t_operator", password=PASSWORD)
    for kind, cls in LEDGER_EXPORTERS.items():
        for fmt in cls.formats:
            rows = _rows(_get(client, kind, format=fmt), fmt)
            assert rows[0] == cls(cast.operator).headers(), (kind, fmt)
            assert len(rows) == 2 and rows[1][-1] == "东华一社区", (kind, fmt)
    employers = _rows(_get(client, "employers"), "xlsx")
    assert employers[1][employers[0].index("联系电话")] == "057*****5678"
    assert AccessLog.objects.filter(kind="export").count() == 2 * len(SPECS) + 1


def test_edited_full_export_imports_again_as_updates(client, cast):
    a = f.person(cast.community, name="赵一", phone="13812345678")
    b = f.person(cast.community, name="钱二")
    client.login(username="t_operator", password=PASSWORD)
    response = _get(client, "persons", full=1)
    wb = load_workbook(BytesIO(response.content))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("住址") + 1, value="东华路1号")
    out = BytesIO()
    wb.save(out)
    upload = SimpleUploadedFile("人员台帐.xlsx", out.getvalue())
    r = client.post(reverse("ledgers:import"), {"kind": "persons", "file": upload})
    assert r.status_code == 302, r.content.decode()[:2000]
    job = ImportJob.objects.latest("created_at")
    assert job.status == "checked", job.summary["errors"]
    assert (job.summary["creates"], job.summary["updates"], job.summary["error_count"]) == (0, 2, 0)
    client.post(reverse("ledgers:import_apply", args=[job.pk]))
    assert Person.objects.get(pk=a.pk).address == "东华路1号"
    assert Person.objects.get(pk=b.pk).name == "钱二"


def test_a_large_export_runs_as_a_job_with_the_same_rows(client, cast, settings):
    from jobs.models import Job

    f.person(cast.community, name="本社区")
    f.person(cast.sibling, name="同街道")
    f.person(cast.other_community, name="外区县")
    client.login(username="t_street", password=PASSWORD)
    inline = sorted(r[2] for r in _rows(_get(client, "persons", format="csv"), "csv")[1:])
    settings.EXPORT_INLINE_MAX_ROWS = 1
    response = _get(client, "persons", format="csv")
    job = Job.objects.get(kind="ledger_export")
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert (job.state, job.owner, job.shared) == ("done", cast.street_viewer, False)
    result = client.get(f"/jobs/{job.pk}/download/")
    body = b"".join(result.streaming_content)
    assert sorted(r[2] for r in _rows(_FakeResponse(body), "csv")[1:]) == inline == ["同街道", "本社区"]
    assert AccessLog.objects.filter(user__username="t_street").latest("pk").detail["rows"] == 2
    # Another user of the same street does not get the street viewer's file.
    client.login(username="t_county", password=PASSWORD)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404


class _FakeResponse:
    def __init__(self, content: bytes) -> None:
        self.content = content
