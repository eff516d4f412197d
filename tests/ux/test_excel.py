"""Excel as people use it: text ID columns, scientific-notation hint, Chinese dates, error workbook."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ledgers.dates import parse_date
from ledgers.imports import SPECS, template_workbook
from ledgers.models import ImportJob, Person, UnemploymentRegistration
from tests.cast import PASSWORD
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["2026-05-01", "2026/5/1", "2026.5.1", "2026年5月1日", "2026 年 5 月 1 日", "20260501",
                                  datetime.datetime(2026, 5, 1, 0, 0), datetime.date(2026, 5, 1)])
def test_every_date_form_people_type(text):
    assert parse_date(text) == datetime.date(2026, 5, 1)


@pytest.mark.parametrize("text", ["2026年13月1日", "5月1日", "明天", "2026-02-30"])
def test_bad_dates_name_the_accepted_forms(text):
    with pytest.raises(ValueError, match="2026年5月1日"):
        parse_date(text)


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_id_and_code_columns_are_text_in_every_template(kind):
    wb = template_workbook(SPECS[kind], True)
    ws = wb.worksheets[0]
    headers = [c.value.rstrip("*") for c in ws[1]]
    for i, header in enumerate(headers, start=1):
        if header in ("身份证号", "户编号", "统一社会信用代码", "联系电话", "就业创业证号"):
            letter = ws.cell(row=1, column=i).column_letter
            assert ws.column_dimensions[letter].number_format == "@", (kind, header)
            assert ws.cell(row=2, column=i).number_format == "@", (kind, header)


def _template_file(kind: str, rows: list[list]) -> SimpleUploadedFile:
    """The downloaded template, filled as a person would (typed into the text-formatted cells)."""
    wb = template_workbook(SPECS[kind], True)
    ws = wb.worksheets[0]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile(f"{kind}.xlsx", out.getvalue())


def _upload(client, kind, file):
    response = client.post(reverse("ledgers:import"), {"kind": kind, "file": file})
    assert response.status_code == 302, response.content.decode()[:1500]
    return ImportJob.objects.latest("created_at")


def test_template_round_trip_with_text_ids_and_chinese_dates(client, cast):
    client.login(username=cast.operator.username, password=PASSWORD)
    a = f.make_id("19800101")
    wb_headers = [c.value for c in template_workbook(SPECS["persons"], True).worksheets[0][1]]
    row = {h.rstrip("*"): "" for h in wb_headers}
    row.update({"户编号": "0012", "姓名": "赵一", "身份证号": a, "联系电话": "13812345678"})
    job = _upload(client, "persons", _template_file("persons", [[row[h.rstrip("*")] for h in wb_headers]]))
    assert job.status == "checked", job.summary["errors"]
    client.post(reverse("ledgers:import_apply", args=[job.pk]))
    person = Person.objects.get(id_number=a)
    assert person.household.code == "0012"  # leading zeros kept
    job = _upload(client, "unemployment", _template_file("unemployment", [[a, "2026年5月1日", "2026.6.1", "就业"]]))
    assert job.status == "checked", job.summary["errors"]
    client.post(reverse("ledgers:import_apply", args=[job.pk]))
    reg = UnemploymentRegistration.objects.get(person=person)
    assert (reg.registered_on, reg.ended_on) == (datetime.date(2026, 5, 1), datetime.date(2026, 6, 1))


def test_scientific_id_gets_a_hint_and_errors_download_as_annotated_workbook(client, cast):
    client.login(username=cast.operator.username, password=PASSWORD)
    good = f.make_id("19800101")
    rows = [["", "", "钱二", 3.50102e17, "", "", ""], ["", "", "孙三", "3.50102E+17", "", "", ""],
            ["", "", "李四", good, "", "", ""], ["", "", "", good[:-1] + "0", "", "", ""]]
    job = _upload(client, "persons", _template_file("persons", rows))
    assert job.status == "rejected"
    messages = {(r, c): m for r, c, m in job.summary["errors"]}
    assert "科学计数法" in messages[(2, "身份证号")] and "文本" in messages[(2, "身份证号")]
    assert "科学计数法" in messages[(3, "身份证号")]
    page = client.get(reverse("ledgers:import_detail", args=[job.pk])).content.decode()
    assert reverse("ledgers:import_errors", args=[job.pk]) in page
    response = client.get(reverse("ledgers:import_errors", args=[job.pk]))
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content)).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[0] == "原行号" and header[-1] == "错误说明"
    numbers = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value]
    assert numbers == [2, 3, 5]  # the good row (4) is not in it
    id_col = header.index("身份证号*") + 1
    assert ws.cell(row=2, column=id_col).fill.fgColor.rgb.endswith("FFC7CE")
    assert "科学计数法" in ws.cell(row=2, column=len(header)).value
    name_col = header.index("姓名*") + 1
    assert ws.cell(row=4, column=name_col).fill.fgColor.rgb.endswith("FFC7CE")  # 姓名 missing on row 5


def test_error_workbook_is_scoped(client, cast):
    client.login(username=cast.operator.username, password=PASSWORD)
    job = _upload(client, "persons", _template_file("persons", [["", "", "钱二", "3.50102E+17"]]))
    client.login(username=cast.outsider.username, password=PASSWORD)
    assert client.get(reverse("ledgers:import_errors", args=[job.pk])).status_code == 404


def test_a_future_visit_is_refused_by_form_and_import(client, cast):
    from ledgers.models import Household, Visit

    hh = Household.objects.create(community=cast.community, code="V01", head_name="周五")
    client.login(username=cast.operator.username, password=PASSWORD)
    url = reverse("ledgers:record_create", args=["visit", hh.pk])
    page = client.get(url).content.decode()
    today = datetime.date.today()
    assert f'value="{today:%Y-%m-%d}"' in page and cast.operator.display_name in page  # defaults
    future = today + datetime.timedelta(days=3)
    response = client.post(url, {"visited_on": f"{future:%Y-%m-%d}", "visitor": "王", "way": "home", "record": "x"})
    assert "晚于今天" in response.content.decode() and not Visit.objects.exists()
    job = _upload(client, "visits", _template_file("visits", [["V01", f"{future:%Y年%m月%d日}", "王", "上门走访", "x"]]))
    assert job.status == "rejected" and "晚于今天" in job.summary["errors"][0][2]
    assert job.summary["errors"][0][1] == "走访日期"
