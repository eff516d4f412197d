"""Journey: the city administrator creates an account and resets its password; the new user logs in
with the temporary password and is held on the password change page until they change it."""

import pytest
from playwright.sync_api import expect

from orgs.models import User
from tests.browser.conftest import login
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_creates_user_resets_password_and_user_must_change_it(page, cast):
    login(page, cast.city_admin.username, PASSWORD)
    page.click("text=组织与账号")
    assert page.locator("[data-testid=unit-tree]").is_visible()
    page.click("text=账号管理")
    page.click("[data-testid=new-user]")

    page.fill("#id_username", "zhang_wei")
    page.fill("#id_display_name", "张伟")
    page.select_option("#id_role", "county_reviewer")
    page.fill("#id_unit", cast.street.code)  # wrong level first (the searchable unit picker takes a code)
    page.click("[data-testid=user-form] button[type=submit]")
    assert page.locator("text=县级审核人员必须绑定到区（市、县）级单位").is_visible()
    page.select_option("#id_role", "community_operator")
    page.fill("#id_unit", cast.sibling.code)
    page.click("[data-testid=user-form] button[type=submit]")
    page.wait_for_selector("[data-testid=temp-password]")
    first = page.inner_text("[data-testid=temp-password]").strip()
    assert User.objects.get(username="zhang_wei").check_password(first)

    page.auto_accept_dialogs = False
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=reset-password]")
    page.wait_for_selector("text=密码已重置")
    temporary = page.inner_text("[data-testid=temp-password]").strip()
    assert temporary != first
    page.reload()
    assert page.locator("[data-testid=temp-password]").count() == 0  # shown only once

    page.click("text=退出")
    page.wait_for_load_state("networkidle")
    login(page, "zhang_wei", first)
    assert page.locator("text=请输入一个正确的").count() + page.locator(".alert-danger").count() > 0

    login(page, "zhang_wei", temporary)
    assert page.url.endswith("/accounts/password/")
    assert page.locator("text=为了账号安全，请先修改密码后再继续使用。").is_visible()
    page.goto(page.live_url + "/standard/")
    assert page.url.endswith("/accounts/password/")  # still held there

    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", "abcdefghijkl")
    page.fill("#id_new_password2", "abcdefghijkl")
    page.click("main button[type=submit]")
    assert page.locator("text=密码必须同时包含字母和数字。").first.is_visible()

    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", "Zhang-Wei-2026")
    page.fill("#id_new_password2", "Zhang-Wei-2026")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=密码已修改。")
    assert not page.url.endswith("/accounts/password/")
    assert "张伟" in page.inner_text("[data-testid=whoami]")
    user = User.objects.get(username="zhang_wei")
    assert not user.must_change_password and user.check_password("Zhang-Wei-2026")
    # The refused form answers 422 (Unprocessable Entity), which Chromium logs; nothing else may fail.
    assert [e for e in page.console_errors if "422" not in e] == []


def test_admin_imports_units_with_preview_and_filters_users(page, cast):
    from orgs.models import Unit
    from tests.orgs.test_imports import GOOD, workbook_bytes

    login(page, cast.city_admin.username, PASSWORD)
    page.goto(page.live_url + "/orgs/import/")
    with page.expect_download() as download:
        page.click("[data-testid=template-link]")
    assert download.value.suggested_filename.endswith(".xlsx")

    bad = GOOD + [["北区", "", "", "", "", ""]]
    page.set_input_files("#id_file", files=[{"name": "units.xlsx", "mimeType": "application/octet-stream",
                                             "buffer": workbook_bytes(bad)}])
    page.click("text=预览（不写入）")
    errors = page.locator("[data-testid=import-errors] tbody tr")
    assert errors.count() == 1 and "第 7 行" in errors.first.inner_text()
    assert page.locator("[data-testid=confirm-import]").count() == 0

    before = Unit.objects.count()
    page.set_input_files("#id_file", files=[{"name": "units.xlsx", "mimeType": "application/octet-stream",
                                             "buffer": workbook_bytes(GOOD)}])
    page.click("text=预览（不写入）")
    assert page.locator("[data-testid=import-summary]").is_visible()
    assert Unit.objects.count() == before
    page.click("[data-testid=confirm-import]")
    # The write runs as a background job: its page shows the outcome and leads back to the units.
    page.wait_for_selector("text=导入完成：新增 8 个单位，更新 0 个单位。", timeout=30_000)
    page.click("text=返回")
    assert page.locator('[data-unit="C030102"]').is_visible()

    page.goto(page.live_url + "/orgs/users/")
    page.select_option("#id_role", "county_reviewer")
    # A locator wait, not wait_for_function: the page's CSP forbids the eval that polling needs.
    expect(page.locator("[data-testid=user-table] tbody tr")).to_have_count(2)
    assert page.locator("tr[data-username=t_county2]").is_visible()
    assert [e for e in page.console_errors if "422" not in e] == []
