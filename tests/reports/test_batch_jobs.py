"""All filled 附件1 of a period as background jobs (zip per community, one merged PDF) and summary
exports that grow past the inline limit made by a job."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import unquote

import pytest
from django.urls import reverse
from pypdf import PdfReader

from jobs.models import Job
from orgs.models import AccessLog
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def download(client, job: Job) -> bytes:
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def start_batch(client, fmt: str, query: str = "period=2025") -> Job:
    response = client.post(reverse("reports:form_batch") + "?" + query, {"fmt": fmt})
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert response.url == reverse("jobs:detail", args=[job.pk])
    return job


def test_zip_of_every_filled_form_in_the_city(client, cast, sheets):
    login(client, cast.city_admin)
    job = start_batch(client, "zip")
    assert (job.state, job.done, job.total) == ("done", 3, 3), job.message
    names = sorted(zipfile.ZipFile(io.BytesIO(download(client, job))).namelist())
    assert names == sorted(
        f"{county}/{street}/{community}/附件1_2025年度_{community}.{fmt}"
        for county, street, community in [("东城区", "东华街道", "东华一社区"), ("东城区", "东华街道", "东华二社区"),
                                          ("西城区", "西华街道", "西华一社区")]
        for fmt in ("xlsx", "docx", "pdf")
    )
    assert job.result_name == "附件1_2025年度_示范市_3个社区.zip"
    assert AccessLog.objects.filter(user=cast.city_admin, target__startswith="附件1 批量下载").count() == 1


def test_merged_pdf_of_a_county_has_one_bookmark_per_community(client, cast, sheets):
    login(client, cast.county_reviewer)
    job = start_batch(client, "pdf")
    assert job.state == "done", job.message
    reader = PdfReader(io.BytesIO(download(client, job)))
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == ["东华一社区", "东华二社区"]  # its own district only
    single = PdfReader(io.BytesIO(client.get(reverse("reports:form_download", args=[sheets["mine"].pk, "pdf"])).content))
    assert len(reader.pages) > len(single.pages)
    assert "东华一 社区" in reader.pages[0].extract_text()  # the blank-filled unit line of the first form


def test_batch_with_no_filled_form_fails_in_chinese(client, cast, period):
    login(client, cast.operator)
    job = start_batch(client, "zip")
    assert job.state == "failed" and "尚无已填写的评估表" in job.message
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "尚无已填写的评估表" in page


def test_batch_result_is_only_for_its_owner(client, cast, sheets):
    login(client, cast.city_admin)
    job = start_batch(client, "zip")
    login(client, cast.city_reviewer)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_reports_page_offers_the_batch_downloads(client, cast, sheets):
    login(client, cast.city_admin)
    page = client.get(reverse("reports:index") + "?period=2025").content.decode()
    assert 'data-testid="form-batch-zip"' in page and 'data-testid="form-batch-pdf"' in page


def test_a_large_summary_export_runs_as_a_job(client, cast, sheets, settings):
    from reports.exporters import EXPORTERS

    identifier = next(iter(EXPORTERS))
    fmt = EXPORTERS[identifier].formats[0]
    login(client, cast.city_admin)
    url = reverse("reports:export", args=[identifier, fmt]) + "?period=2025"
    inline = client.get(url)
    assert inline.status_code == 200
    settings.EXPORT_INLINE_MAX_COMMUNITIES = 2  # the city has 3 communities
    response = client.get(url)
    job = Job.objects.get(kind="report_export")
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    assert job.state == "done" and job.unit == cast.city
    assert job.result_name == unquote(inline["Content-Disposition"].split("''", 1)[1])
    assert len(download(client, job)) > 0
    assert AccessLog.objects.filter(user=cast.city_admin, target=job.result_name).count() == 2  # inline + job
