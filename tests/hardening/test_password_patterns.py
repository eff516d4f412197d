"""Issue 11.12: trivial patterns are refused (zxcvbn, Chinese messages); real passwords still pass."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from orgs.demo import DEFAULT_DEMO_PASSWORD
from orgs.services.accounts import generate_password
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", ["11111111111A", "Password2026", "Qwertyuiop12", "2025-12-31Ab", "aaaaaaaa1A", "Abcd1234abcd"])
def test_trivial_patterns_are_refused_in_chinese(cast, password):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, cast.operator)
    assert "password_too_guessable" in [e.code for e in exc.value.error_list]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in exc.value.messages)


@pytest.mark.parametrize("password", [DEFAULT_DEMO_PASSWORD, PASSWORD, "Xin-Mima-2026a", "Lantern#Quay-8842"])
def test_real_passwords_pass(cast, password):
    validate_password(password, cast.operator)


def test_generated_temporary_passwords_pass(cast):
    for _ in range(30):
        validate_password(generate_password(), cast.operator)


def test_refused_on_the_password_page(cast):
    client = Client()
    client.force_login(cast.operator)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "11111111111A", "new_password2": "11111111111A"})
    assert response.status_code == 200 and "密码太容易被猜到" in response.content.decode()
