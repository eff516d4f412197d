"""/api/docs renders from local assets only; a user creates, uses and revokes a token on the page."""

import pytest

from api.models import ApiToken
from tests.browser.conftest import login
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_without_internet(page, cast, standard_version):
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    page.goto(page.live_url + "/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "星级社区评审系统 API" in page.locator(".swagger-ui .info .title").inner_text()
    # The operations from the schema are listed (the spec loaded from /api/openapi.json).
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 20
    assert page.locator(".opblock-summary-path[data-path='/api/evaluations/{evaluation_id}/transitions']").count() >= 1
    assert all(url.startswith(page.live_url) or url.startswith("data:") for url in requested), requested
    assert not page.console_errors, page.console_errors
    # The page fixture also fails the test if anything tried to leave the machine.


def test_token_page_create_and_revoke(page, cast):
    login(page, cast.operator.username, PASSWORD)
    page.goto(page.live_url + "/api/tokens/manage/")
    page.fill("#id_name", "省级系统对接")
    page.click("[data-testid=token-form] button[type=submit]")
    page.wait_for_selector("[data-testid=token-created]")
    raw = page.input_value("#new-token")
    assert raw.startswith("sct_")
    token = ApiToken.objects.get(user=cast.operator)
    assert token.name == "省级系统对接" and raw.startswith(token.prefix)

    # The token works against the API from the same browser context, without the session cookie.
    response = page.request.get(
        page.live_url + "/api/me", headers={"Authorization": f"Bearer {raw}", "Cookie": ""}
    )
    assert response.status == 200 and response.json()["username"] == cast.operator.username

    page.goto(page.live_url + "/api/tokens/manage/")
    assert raw not in page.content()  # shown once only
    row = page.locator(f"tr[data-token-id='{token.pk}']")
    assert "有效" in row.inner_text()
    page.auto_accept_dialogs = False
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button", has_text="吊销").click()
    page.wait_for_selector("text=已吊销令牌")
    assert "已吊销" in page.locator(f"tr[data-token-id='{token.pk}']").inner_text()
    token.refresh_from_db()
    assert token.revoked_at is not None
    anonymous = page.context.browser.new_context()
    try:
        refused = anonymous.request.get(page.live_url + "/api/me", headers={"Authorization": f"Bearer {raw}"})
        assert refused.status == 401
        assert refused.json()["error"]["code"] == "not_authenticated"
    finally:
        anonymous.close()
