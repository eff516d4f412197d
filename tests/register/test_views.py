"""The register's pages and export: permissions as literals, the public view, the sheet's baseline."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from jobs.models import Job
from jobs.services import results_root
from orgs.models import AccessLog
from orgs.scoping import ACTION_ROLES
from register.models import Award
from tests.cast import PASSWORD

from .conftest import make_sheet

pytestmark = pytest.mark.django_db

# The register's actions, written out by hand (not derived from the code under test).
EXPECTED_ROLES = {
    "appeal": {"community_operator"},
    "decide_appeal": {"city_reviewer", "city_admin"},
    "manage_panel": {"city_reviewer", "city_admin"},
    "rate_panel": {"city_reviewer", "county_reviewer"},
    "manage_register": {"city_admin"},
}


def test_action_roles_of_the_register():
    assert {name: {str(r) for r in ACTION_ROLES[name]} for name in EXPECTED_ROLES} == EXPECTED_ROLES


def web(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_public_register_needs_no_login_and_shows_no_person(cast, published):
    award = Award.objects.get(evaluation=published)
    response = Client().get("/public/register/")
    text = response.content.decode()
    assert response.status_code == 200 and award.certificate_no in text and cast.community.name in text
    for user in cast.users_by_role().values():
        assert user.username not in text and user.display_name not in text


def test_export_job_writes_the_register_as_xlsx(cast, published):
    award = Award.objects.get(evaluation=published)
    response = web(cast.city_admin).post("/register/export/", {"fmt": "xlsx"})
    job = Job.objects.get(kind="register_export")
    assert response.status_code == 302 and job.state == Job.State.DONE, job.message
    wb = load_workbook(io.BytesIO((results_root() / job.result_path).read_bytes()))
    rows = list(wb.active.values)
    assert rows[0][0] == "证书编号" and rows[1][0] == award.certificate_no and rows[1][7] == 100
    assert AccessLog.objects.filter(user=cast.city_admin, kind="export", target="星级社区名录").exists()


def test_export_job_docx(cast, published):
    web(cast.city_admin).post("/register/export/", {"fmt": "docx"})
    job = Job.objects.get(kind="register_export")
    assert job.state == Job.State.DONE and job.result_name.endswith(".docx")


def test_new_year_sheet_shows_last_years_result_per_line(cast, standard_version):
    make_sheet(cast, standard_version, 2025, cast.community)
    sheet = make_sheet(cast, standard_version, 2026, cast.community, until="draft")
    assert sheet.state == "draft"
    html = web(cast.operator).get(f"/evaluations/{sheet.pk}/").content.decode()
    assert 'data-testid="baseline-summary"' in html and "2025 年度" in html
    assert 'data-testid="baseline-1.1"' in html and "上年" in html
    # The row an autosave answers with keeps it (the saved sheet is the locked one, read again).
    answer = web(cast.operator).post(f"/evaluations/{sheet.pk}/line/1.1/self/", {"score": "0", "revision": sheet.revision},
                                     HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="line-saved"' in answer and 'data-testid="baseline-1.1"' in answer
    assert "上年" in answer and "text-danger" in answer  # 0 this year, below last year's score


def test_appeal_page_tells_an_involved_reviewer_before_they_try(cast, published):
    from register.services import appeals

    appeal = appeals.file_appeal(published, cast.operator, "请复核", [])
    html = web(cast.city_reviewer).get(f"/register/appeals/{appeal.pk}/").content.decode()
    assert "参与过该评估表的市级复核" in html
    response = web(cast.city_reviewer).post(f"/register/appeals/{appeal.pk}/keep/", {"decision": "维持"}, follow=True)
    assert "不能审理针对该结果的复核申请" in response.content.decode()
