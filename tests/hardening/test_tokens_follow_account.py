"""Issue 11.2: API tokens end with a password reset, a deactivation or a password change."""

import pytest
from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from api.tokens import create_token
from orgs.services import accounts
from tests.api.conftest import ApiClient
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def assert_refused(raw):
    client = ApiClient(raw_token=raw)
    assert client.get("/me").status_code == 401
    assert client.get("/ledgers/persons").status_code == 401


def test_reset_by_administrator_revokes(cast):
    token, raw = create_token(cast.operator, "script")
    assert ApiClient(raw_token=raw).get("/me").status_code == 200
    accounts.reset_password(cast.city_admin, cast.operator.pk)
    assert_refused(raw)
    token.refresh_from_db()
    assert token.revoked_reason == "password_reset" and token.revoked_at is not None


def test_deactivation_revokes_and_reactivation_does_not_revive(cast):
    token, raw = create_token(cast.operator, "script")
    accounts.deactivate(cast.city_admin, cast.operator.pk)
    assert_refused(raw)
    accounts.reactivate(cast.city_admin, cast.operator.pk)
    assert_refused(raw)
    token.refresh_from_db()
    assert token.revoked_reason == "deactivated"


def test_own_password_change_revokes_and_the_token_page_says_why(cast):
    token, raw = create_token(cast.operator, "script")
    client = Client()
    client.force_login(cast.operator)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Lantern#Quay-8842", "new_password2": "Lantern#Quay-8842",
    })
    assert response.status_code == 302
    assert_refused(raw)
    page = client.get(reverse("api:tokens")).content.decode()
    assert "已吊销" in page and "本人修改密码" in page
    cast.operator.refresh_from_db()
    body = {t["id"]: t for t in ApiClient(user=cast.operator).get("/tokens").json()}
    assert body[token.pk]["revoked_reason"] == "本人修改密码" and body[token.pk]["is_active"] is False


def test_password_set_outside_the_services_stops_the_token(cast):
    """`manage.py changepassword` or the Django admin: the credential fingerprint no longer matches."""
    token, raw = create_token(cast.operator, "script")
    cast.operator.set_password("Another#Secret-5521")
    cast.operator.save()
    assert_refused(raw)
    assert ApiToken.objects.get(pk=token.pk).revoked_reason == "password_changed"


def test_other_accounts_tokens_are_untouched(cast):
    _, raw = create_token(cast.county_reviewer, "theirs")
    accounts.reset_password(cast.city_admin, cast.operator.pk)
    assert ApiClient(raw_token=raw).get("/me").status_code == 200
