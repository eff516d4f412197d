"""Token lifecycle: created (secret shown once, stored hashed), used, listed, revoked."""

import hashlib

import pytest

from api.models import ApiToken
from api.tokens import create_token, revoke_token
from tests.api.conftest import ApiClient, assert_error
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_authenticates(cast):
    token, raw = create_token(cast.operator, "省级系统对接")
    assert raw.startswith("sct_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.token_hash, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix)
    assert stored.last_used_at is None

    client = ApiClient(raw_token=raw)
    response = client.get("/me")
    assert response.status_code == 200
    assert response.json()["username"] == "t_operator"
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_list_shows_no_secret_and_only_own_tokens(cast):
    _, raw = create_token(cast.operator, "a")
    create_token(cast.county_reviewer, "someone else's")
    body = ApiClient(raw_token=raw).get("/tokens").json()
    assert [t["name"] for t in body] == ["a"]
    assert "token" not in body[0] and raw not in str(body)


def test_revoked_token_is_refused(cast):
    token, raw = create_token(cast.operator, "x")
    client = ApiClient(raw_token=raw)
    response = client.delete(f"/tokens/{token.pk}")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert_error(client.get("/me"), 401, "not_authenticated")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(cast):
    other, other_raw = create_token(cast.county_reviewer, "theirs")
    _, raw = create_token(cast.operator, "mine")
    assert_error(ApiClient(raw_token=raw).delete(f"/tokens/{other.pk}"), 404, "not_found")
    assert ApiClient(raw_token=other_raw).get("/me").status_code == 200


def test_revoke_twice_is_a_conflict(cast):
    token, _ = create_token(cast.operator, "x")
    revoke_token(cast.operator, token.pk)
    _, raw = create_token(cast.operator, "y")
    assert_error(ApiClient(raw_token=raw).delete(f"/tokens/{token.pk}"), 409, "already_revoked")


def test_inactive_user_token_is_refused(cast):
    _, raw = create_token(cast.operator, "x")
    cast.operator.is_active = False
    cast.operator.save()
    assert_error(ApiClient(raw_token=raw).get("/me"), 401)


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer sct_forged", "Token abc", "Bearer "])
def test_bad_tokens_are_401(cast, header):
    client = ApiClient()
    assert_error(client.get("/me", headers={"Authorization": header}), 401, "not_authenticated")


def test_a_token_cannot_mint_tokens_but_the_session_can(cast):
    _, raw = create_token(cast.operator, "x")
    assert_error(ApiClient(raw_token=raw).post("/tokens", {"name": "more"}), 401)

    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="t_operator", password=PASSWORD)
    # Without the CSRF token a session write is refused...
    assert_error(browser.post("/api/tokens", {"name": "s"}, content_type="application/json"), 403, "csrf_failed")
    browser.get("/api/tokens/manage/")
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/tokens", {"name": "会话创建"}, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201, response.content
    created = response.json()["token"]
    assert ApiClient(raw_token=created).get("/me").json()["username"] == "t_operator"


def test_token_name_required(cast):
    from django.test import Client

    browser = Client()
    browser.force_login(cast.operator)
    assert_error(browser.post("/api/tokens", {"name": "  "}, content_type="application/json"), 422)


def test_token_page_create_list_revoke(cast):
    from django.test import Client

    browser = Client()
    browser.force_login(cast.operator)
    page = browser.get("/api/tokens/manage/")
    assert page.status_code == 200 and "尚未创建令牌" in page.content.decode()
    created = browser.post("/api/tokens/manage/", {"name": "脚本"})
    html = created.content.decode()
    assert created.status_code == 200 and "令牌只显示这一次" in html
    token = ApiToken.objects.get(user=cast.operator)
    raw = html.split('id="new-token" value="')[1].split('"')[0]
    assert hashlib.sha256(raw.encode()).hexdigest() == token.token_hash
    # Listed afterwards without the secret.
    again = browser.get("/api/tokens/manage/").content.decode()
    assert token.prefix in again and raw not in again
    browser.post(f"/api/tokens/manage/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_error(ApiClient(raw_token=raw).get("/me"), 401)


def test_token_page_needs_login(client):
    response = client.get("/api/tokens/manage/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_active_token_limit(cast):
    from api.tokens import MAX_ACTIVE_TOKENS, TokenError

    for i in range(MAX_ACTIVE_TOKENS):
        create_token(cast.operator, f"t{i}")
    with pytest.raises(TokenError, match="最多"):
        create_token(cast.operator, "one too many")
    revoke_token(cast.operator, ApiToken.objects.filter(user=cast.operator).first().pk)
    create_token(cast.operator, "fits again")
