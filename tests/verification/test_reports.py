"""The sampling and checking report per community and per county (xlsx, docx)."""

import io
from datetime import date

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from orgs.models import AccessLog
from tests.ledgers import factories as lf
from verification import services
from verification.models import Result


@pytest.mark.django_db
def test_community_and_county_reports(client, cast, period):
    for i in range(3):
        lf.unemployed(lf.person(cast.community, name=f"报{i}"), date(2026, 2, 1 + i))
    d = services.draw(cast.county_reviewer, cast.community, period, "unemployment", count=2, seed=99)
    services.record_check(cast.county_reviewer, d.checks.first().pk, "phone", Result.CONFIRMED)
    client.force_login(cast.county_reviewer)
    xlsx = client.get(reverse("verification:report", args=[cast.community.pk, 2026, "xlsx"]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["汇总", "抽样", "核查"]
    assert list(wb["抽样"].iter_rows(min_row=2, values_only=True))[0][5] == "99"
    results = [row[5] for row in wb["核查"].iter_rows(min_row=2, values_only=True)]
    assert sorted(results) == ["属实", "待核查"]
    docx = client.get(reverse("verification:report", args=[cast.community.pk, 2026, "docx"]))
    text = "\n".join(cell.text for t in Document(io.BytesIO(docx.content)).tables for row in t.rows for cell in row.cells)
    assert "99" in text and "属实" in text
    county = client.get(reverse("verification:county_report", args=[cast.county.pk, 2026, "xlsx"]))
    summary = list(load_workbook(io.BytesIO(county.content))["汇总"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in summary] == [cast.community.full_name, cast.sibling.full_name]
    assert AccessLog.objects.filter(user=cast.county_reviewer, kind="export").count() == 3
    client.force_login(cast.other_county_reviewer)
    assert client.get(reverse("verification:county_report", args=[cast.county.pk, 2026, "xlsx"])).status_code == 404
