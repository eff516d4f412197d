"""Evidence pages: list, upload, re-upload, download through the scope check, delete."""

import hashlib
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluations.models import Evaluation, Evidence, EvidenceRevision, State
from evaluations.services import evidence as service
from orgs.models import AccessLog
from tests.cast import PASSWORD
from tests.evaluations.test_evidence_service import EXE, PDF


def client_for(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def set_state(evaluation, state):
    Evaluation.objects.filter(pk=evaluation.pk).update(state=state)
    evaluation.refresh_from_db()


def test_page_lists_and_upload_form(client, cast, evaluation):
    service.upload(evaluation, cast.operator, "1.1", SimpleUploadedFile("批复.pdf", PDF), title="建站批复")
    client_for(client, cast.operator)
    response = client.get(reverse("evaluations:evidence", args=[evaluation.pk, "1.1"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "建站批复" in html and "批复.pdf" in html
    assert 'data-testid="evidence-upload-form"' in html
    assert response.templates[0].name == "evaluations/evidence.html"


def test_htmx_get_returns_the_fragment(client, cast, evaluation):
    client_for(client, cast.operator)
    response = client.get(reverse("evaluations:evidence", args=[evaluation.pk, "1.1"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.templates[0].name == "evaluations/_evidence_panel.html"
    assert "<html" not in response.content.decode()


def test_unknown_line_is_404(client, cast, evaluation):
    client_for(client, cast.operator)
    assert client.get(reverse("evaluations:evidence", args=[evaluation.pk, "9.9"])).status_code == 404


def test_upload_and_reupload_through_the_view(client, cast, evaluation):
    client_for(client, cast.operator)
    url = reverse("evaluations:evidence_upload", args=[evaluation.pk, "3.2.2"])
    response = client.post(url, {"title": "走访记录", "file": SimpleUploadedFile("走访.pdf", PDF)}, follow=True)
    assert response.status_code == 200
    assert "已上传「走访记录」第 1 版" in response.content.decode()
    item = Evidence.objects.get(evaluation=evaluation, line_id="3.2.2")
    response = client.post(
        url, {"evidence": item.pk, "file": SimpleUploadedFile("走访2.pdf", PDF + b"%2\n")}, follow=True
    )
    assert "第 2 版" in response.content.decode()
    assert [r.number for r in item.revisions.order_by("number")] == [1, 2]


def test_upload_refusal_is_a_chinese_message(client, cast, evaluation):
    client_for(client, cast.operator)
    url = reverse("evaluations:evidence_upload", args=[evaluation.pk, "1.1"])
    response = client.post(url, {"file": SimpleUploadedFile("setup.pdf", EXE)}, follow=True)
    html = response.content.decode()
    assert "第 1.1 项：文件「setup.pdf」的内容不是可接受的文件类型" in html
    assert not Evidence.objects.exists()


def test_upload_in_wrong_state_is_refused(client, cast, evaluation):
    set_state(evaluation, State.SUBMITTED)
    client_for(client, cast.operator)
    url = reverse("evaluations:evidence_upload", args=[evaluation.pk, "1.1"])
    response = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}, follow=True)
    assert "社区只能在评估表为草稿或被退回修改时上传" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("street_viewer", 403), ("outsider", 404), ("other_county_reviewer", 404)])
def test_upload_permissions(client, cast, evaluation, who, status):
    client_for(client, getattr(cast, who))
    url = reverse("evaluations:evidence_upload", args=[evaluation.pk, "1.1"])
    assert client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}).status_code == status
    assert not Evidence.objects.exists()


def test_download_streams_file_with_chinese_name_and_logs(client, cast, evaluation):
    rev = service.upload(evaluation, cast.operator, "1.1", SimpleUploadedFile("建站 批复.pdf", PDF))
    client_for(client, cast.county_reviewer)
    response = client.get(reverse("evaluations:evidence_download", args=[evaluation.pk, rev.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == rev.sha256
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    # PDFs and images open in the browser; the type is the sniffed one and nosniff keeps the browser to it.
    assert disposition.startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "filename*=utf-8''" in disposition.lower()
    assert unquote(disposition.split("''", 1)[1]) == "建站 批复.pdf"
    log = AccessLog.objects.get(kind="download")
    assert log.user == cast.county_reviewer and log.detail["revision"] == rev.pk and log.detail["sha256"] == rev.sha256


@pytest.mark.parametrize(("who", "status"), [("street_viewer", 200), ("outsider", 404), ("other_county_reviewer", 404)])
def test_download_scope(client, cast, evaluation, who, status):
    rev = service.upload(evaluation, cast.operator, "1.1", SimpleUploadedFile("a.pdf", PDF))
    client_for(client, getattr(cast, who))
    assert client.get(reverse("evaluations:evidence_download", args=[evaluation.pk, rev.pk])).status_code == status
    assert AccessLog.objects.filter(kind="download").count() == (1 if status == 200 else 0)


def test_download_needs_login(client, cast, evaluation):
    rev = service.upload(evaluation, cast.operator, "1.1", SimpleUploadedFile("a.pdf", PDF))
    response = client.get(reverse("evaluations:evidence_download", args=[evaluation.pk, rev.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_download_of_revision_under_other_evaluation_is_404(client, cast, evaluation):
    rev = service.upload(evaluation, cast.operator, "1.1", SimpleUploadedFile("a.pdf", PDF))
    other = Evaluation.objects.get(period=evaluation.period, community=cast.sibling)
    client_for(client, cast.city_admin)
    assert client.get(reverse("evaluations:evidence_download", args=[other.pk, rev.pk])).status_code == 404


def test_delete_hides_but_keeps(client, cast, evaluation):
    rev = service.upload(evaluation, cast.operator, "1.1", SimpleUploadedFile("a.pdf", PDF))
    client_for(client, cast.operator)
    response = client.post(reverse("evaluations:evidence_delete", args=[evaluation.pk, rev.evidence_id]), follow=True)
    assert "已删除" in response.content.decode()
    assert Evidence.objects.get(pk=rev.evidence_id).is_deleted
    assert EvidenceRevision.objects.filter(pk=rev.pk).exists()
    # A deleted item's files are no longer offered for download.
    assert client.get(reverse("evaluations:evidence_download", args=[evaluation.pk, rev.pk])).status_code == 404


def test_innovation_text_on_line_5(client, cast, evaluation):
    client_for(client, cast.operator)
    response = client.post(
        reverse("evaluations:innovation", args=[evaluation.pk]), {"innovation_text": "建立“15分钟就业服务圈”"}, follow=True
    )
    assert response.status_code == 200
    evaluation.refresh_from_db()
    assert evaluation.innovation_text == "建立“15分钟就业服务圈”"
    assert "15分钟就业服务圈" in response.content.decode()


def test_get_only_and_post_only(client, cast, evaluation):
    client_for(client, cast.operator)
    assert client.get(reverse("evaluations:evidence_upload", args=[evaluation.pk, "1.1"])).status_code == 405
    assert client.post(reverse("evaluations:evidence", args=[evaluation.pk, "1.1"])).status_code == 405
