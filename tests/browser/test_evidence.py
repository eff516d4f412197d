"""Operator uploads a PDF to a line, re-uploads a new revision, downloads it; a disguised .exe is refused."""

import hashlib
from urllib.parse import quote, urljoin

import pytest
from django.urls import reverse

from evaluations.models import Evaluation, EvidenceRevision
from evaluations.services.periods import open_period
from tests.browser.conftest import login
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF_V1 = b"%PDF-1.4\n% version one\n%%EOF\n"
PDF_V2 = b"%PDF-1.4\n% version two, signed\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200


def test_operator_uploads_revises_downloads_and_is_refused_an_exe(page, cast, standard_version, tmp_path):
    period = open_period(cast.city_admin, year=2026, name="2026年度评审", standard=standard_version,
                         communities=[cast.community])
    evaluation = Evaluation.objects.get(period=period, community=cast.community)
    login(page, cast.operator.username, PASSWORD)
    page.goto(page.live_url + reverse("evaluations:evidence", args=[evaluation.pk, "1.1"]))
    assert page.get_by_test_id("evidence-empty").is_visible()

    page.get_by_test_id("evidence-title-input").fill("建站批复文件")
    page.get_by_test_id("evidence-file").set_input_files(
        files=[{"name": "建站批复.pdf", "mimeType": "application/pdf", "buffer": PDF_V1}]
    )
    page.get_by_test_id("evidence-submit").click()
    page.wait_for_load_state("networkidle")
    assert "已上传「建站批复文件」第 1 版" in page.locator("#messages").inner_text()
    assert page.get_by_test_id("evidence-title").inner_text() == "建站批复文件"
    assert page.get_by_test_id("evidence-row").count() == 1

    # A new revision: both are listed, the newest marked current.
    page.get_by_test_id("revision-file").set_input_files(
        files=[{"name": "建站批复（盖章版）.pdf", "mimeType": "application/pdf", "buffer": PDF_V2}]
    )
    page.get_by_test_id("revision-submit").click()
    page.wait_for_load_state("networkidle")
    assert "第 2 版" in page.locator("#messages").inner_text()
    revisions = page.get_by_test_id("evidence-revision")
    assert revisions.count() == 2
    assert "第 2 版" in revisions.nth(0).inner_text() and "当前" in revisions.nth(0).inner_text()
    assert "第 1 版" in revisions.nth(1).inner_text()

    # The current revision opens in the browser (a PDF); ?download=1 saves it: same bytes, the original
    # Chinese name.
    href = page.get_by_test_id("evidence-download").nth(0).get_attribute("href")
    shown = page.request.get(urljoin(page.url, href))
    assert shown.headers["content-disposition"].startswith("inline")
    assert hashlib.sha256(shown.body()).hexdigest() == hashlib.sha256(PDF_V2).hexdigest()
    saved = page.request.get(urljoin(page.url, href) + "?download=1")
    disposition = saved.headers["content-disposition"]
    assert disposition.startswith("attachment") and quote("建站批复（盖章版）.pdf") in disposition
    assert hashlib.sha256(saved.body()).hexdigest() == hashlib.sha256(PDF_V2).hexdigest()

    # A program renamed to .pdf is refused by its content, with a Chinese message naming it.
    page.get_by_test_id("evidence-file").set_input_files(
        files=[{"name": "扫描件.pdf", "mimeType": "application/pdf", "buffer": EXE}]
    )
    page.get_by_test_id("evidence-submit").click()
    page.wait_for_load_state("networkidle")
    message = page.locator("#messages").inner_text()
    assert "文件「扫描件.pdf」的内容不是可接受的文件类型" in message
    assert EvidenceRevision.objects.count() == 2
    assert not page.console_errors
