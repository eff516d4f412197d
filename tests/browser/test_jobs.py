"""Batch download of every filled 附件1 from the reports page: a job page with its bar, then the file."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.test_dashboards import scored  # noqa: F401  (fixture)
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_batch_forms_zip_from_the_reports_page(page, cast, scored):  # noqa: F811
    page.set_default_timeout(60_000)  # rendering three documents takes seconds on a busy machine
    login(page, cast.county_reviewer.username, PASSWORD)
    page.goto(page.live_url + "/reports/?period=2025")
    page.get_by_test_id("form-batch-zip").click()
    expect(page.get_by_test_id("job-progress")).to_have_attribute("data-state", "done", timeout=60_000)
    assert "已生成 1 个社区的附件1" in page.get_by_test_id("job-message").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    names = zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())).namelist()
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["docx", "pdf", "xlsx"]
    assert all(n.startswith("东城区/东华街道/东华一社区/") for n in names)  # the county's own community only
    page.goto(page.live_url + "/jobs/")
    expect(page.get_by_test_id("job-list")).to_contain_text("全部附件1")
