"""Import of the organisation tree: template, preview, row errors, all-or-nothing, re-import by code."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jobs.models import Job
from orgs.models import Level, OrgEvent, Unit
from orgs.services import imports
from tests.cast import PASSWORD

GOOD = [
    ["南山区", "C03", "南湖街道", "C0301", "南湖一社区", "C030101"],
    ["南山区", "C03", "南湖街道", "C0301", "南湖二社区", "C030102"],
    ["南山区", "C03", "南岭街道", "C0302", "南岭社区", "C030201"],
    ["东城区", "C01", "东华街道", "C0101", "东华三社区", "C010103"],  # under existing units of the cast
    ["南山区", "C03", "南园街道", "C0303", "", ""],  # a street without communities yet
]


def workbook_bytes(rows, headers=None) -> bytes:
    book = load_workbook(io.BytesIO(imports.template_workbook()))
    sheet = book["组织机构"]
    if headers is not None:
        for col, value in enumerate(headers, start=1):
            sheet.cell(row=1, column=col, value=value)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def admin(client, cast):
    client.login(username=cast.city_admin.username, password=PASSWORD)
    return client


def upload(client, data: bytes, name="units.xlsx"):
    return client.post(reverse("orgs:import"), {"step": "preview", "file": SimpleUploadedFile(name, data)})


def confirm(client):
    return client.post(reverse("orgs:import"), {"step": "confirm"})


def test_template_downloads_and_parses(admin):
    response = admin.get(reverse("orgs:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["组织机构"][1]] == imports.HEADERS
    assert "填写说明" in book.sheetnames
    rows, errors = imports.read_rows("模板.xlsx", response.content)
    assert rows == [] and errors[0].message == "文件中没有数据行。"


def test_good_file_preview_then_confirm(admin, cast):
    before = Unit.objects.count()
    response = upload(admin, workbook_bytes(GOOD))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.ok
    counts = plan.counts()
    assert counts[Level.COUNTY] == {"create": 1, "update": 0, "unchanged": 1}
    assert counts[Level.STREET] == {"create": 3, "update": 0, "unchanged": 1}
    assert counts[Level.COMMUNITY] == {"create": 4, "update": 0, "unchanged": 0}
    assert "确认导入" in response.content.decode()
    assert Unit.objects.count() == before  # the preview writes nothing

    response = confirm(admin)
    # The write is a background job: the page follows it and links back to the unit tree.
    job = Job.objects.get(kind="unit_import")
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert (job.state, job.message, job.link) == ("done", "导入完成：新增 8 个单位，更新 0 个单位。", reverse("orgs:units"))
    assert Unit.objects.count() == before + 8
    community = Unit.objects.get(code="C030102")
    assert community.name == "南湖二社区" and community.parent.code == "C0301"
    assert community.county.code == "C03" and community.street.code == "C0301"
    assert Unit.objects.get(code="C03").parent == cast.city
    assert Unit.objects.get(code="C010103").parent == cast.street
    assert OrgEvent.objects.filter(action="units_imported", actor=cast.city_admin).count() == 1
    # The pending rows are consumed: a second confirm has nothing to do.
    response = confirm(admin)
    assert response.status_code == 302 and response.url == reverse("orgs:import")


def test_reimport_updates_instead_of_duplicating(admin):
    upload(admin, workbook_bytes(GOOD))
    confirm(admin)
    count = Unit.objects.count()
    renamed = [row[:] for row in GOOD]
    renamed[0][4] = "南湖第一社区"
    response = upload(admin, workbook_bytes(renamed))
    plan = response.context["plan"]
    assert plan.ok
    assert [(u.code, u.action, u.old_name) for u in plan.changes()] == [("C030101", "update", "南湖一社区")]
    confirm(admin)
    assert Unit.objects.count() == count
    assert Unit.objects.get(code="C030101").name == "南湖第一社区"


def test_row_errors_and_nothing_written(admin):
    before = Unit.objects.count()
    rows = GOOD + [
        ["北区", "", "", "", "", ""],  # row 7: county code missing
        ["南山区", "C03", "南湖街道", "C0301", "南湖一社区", "C030101"],  # row 8: duplicate community
        ["南山区", "C03", "南湖街道", "C0301", "坏代码社区", "C 9"],  # row 9: bad code
        ["", "", "某街道", "X1", "某社区", "X101"],  # row 10: no county
        ["南山区", "C03", "南湖街道", "C0301", "南湖二社区", "C030199"],  # row 11: name twice under one street
        ["西城区", "C02", "西华街道", "C0201", "东华一社区", "C010101"],  # row 12: moving an existing unit
        ["南山区", "C03", "南湖街道", "C0301", "", "C030108"],  # row 13: code without name
        ["东城区", "C01", "东华街道", "C0101", "东华二社区", "C010199"],  # row 14: name taken in the database
    ]
    response = upload(admin, workbook_bytes(rows))
    assert response.status_code == 422
    errors = [(e.row, e.column) for e in response.context["plan"].errors]
    assert errors == [
        (7, "区（市、县）代码"),
        (8, "社区代码"),
        (9, "社区代码"),
        (10, "区（市、县）"),
        (11, "社区"),
        (12, "社区代码"),
        (13, "社区"),
        (14, "社区"),
    ]
    messages = {e.row: e.message for e in response.context["plan"].errors}
    assert messages[8] == "社区代码“C030101”与第 2 行重复。"
    assert "只能是 1–32 位字母、数字或连字符" in messages[9]
    assert "导入不能调整上级" in messages[12]
    assert "“东华街道”下已有名为“东华二社区”的单位（代码 C010102）" in messages[14]
    html = response.content.decode()
    assert "第 8 行" in html and "整个文件都不会导入" in html and "确认导入" not in html
    assert Unit.objects.count() == before
    # Nothing pending: a forged confirm writes nothing.
    confirm(admin)
    assert Unit.objects.count() == before


def test_confirm_replans_against_the_database(admin, cast):
    upload(admin, workbook_bytes(GOOD))
    # Between preview and confirm someone takes a code.
    Unit.objects.create(name="抢先社区", code="C030201", level=Level.COMMUNITY, parent=cast.other_street)
    before = Unit.objects.count()
    response = confirm(admin)
    job = Job.objects.get(kind="unit_import")
    assert job.state == "failed" and "未写入任何数据" in job.message and "C030201" in job.message
    assert "未写入任何数据" in admin.get(response.url).content.decode()
    assert Unit.objects.count() == before


def test_apply_is_all_or_nothing(cast, monkeypatch):
    rows, errors = imports.read_rows("u.xlsx", workbook_bytes(GOOD))
    assert not errors
    before = Unit.objects.count()
    original = Unit.save
    calls = {"n": 0}

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Unit, "save", failing_save)
    with pytest.raises(RuntimeError):
        imports.apply_import(cast.city_admin, rows)
    assert Unit.objects.count() == before
    assert not OrgEvent.objects.exists()


def test_csv_in_gbk_and_headers(admin):
    text = ",".join(imports.HEADERS) + "\n" + "\n".join(",".join(r) for r in GOOD) + "\n"
    response = upload(admin, text.encode("gb18030"), "units.csv")
    assert response.status_code == 200 and response.context["plan"].ok
    response = upload(admin, "区,社区\n东城区,一社区\n".encode(), "units.csv")
    assert response.status_code == 422
    missing = [e.column for e in response.context["plan"].errors]
    assert "区（市、县）代码" in missing and all(e.row == 1 for e in response.context["plan"].errors)


def test_half_width_brackets_and_numeric_codes_are_accepted(cast):
    headers = [h.replace("（", "(").replace("）", ")") for h in imports.HEADERS]
    data = workbook_bytes([["北山县", 990181, "北山镇", 990181001, "北山社区", 990181001001.0]], headers)
    rows, errors = imports.read_rows("u.xlsx", data)
    assert not errors
    plan = imports.plan_import(rows, cast.city)
    assert plan.ok and [u.code for u in plan.units] == ["990181", "990181001", "990181001001"]


def test_wrong_file_types(admin):
    response = upload(admin, b"not a spreadsheet", "units.xlsx")
    assert response.status_code == 422
    assert "无法读取该 Excel 文件" in response.content.decode()
    response = upload(admin, b"x", "units.xls")
    assert "请上传 .xlsx 或 .csv 文件" in response.content.decode()
