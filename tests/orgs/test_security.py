"""Login throttling (django-axes), idle expiry, forced and own password change, strong passwords."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgs.models import OrgEvent, User
from orgs.services import accounts
from orgs.validators import MinimumLengthValidator
from tests.cast import PASSWORD


def login_post(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_axes_locks_out_after_five_failures(client, cast, settings):
    settings.AXES_ENABLED = True
    for _ in range(4):
        response = login_post(client, cast.operator.username, "wrong-password-1")
        assert response.status_code == 200  # the login form again
    response = login_post(client, cast.operator.username, "wrong-password-1")
    assert response.status_code == 429
    assert "登录失败次数过多，账号已暂时锁定" in response.content.decode()
    # Even the right password is refused while locked.
    response = login_post(client, cast.operator.username, PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # Another account from the same address is not affected (lock by username + address).
    response = login_post(client, cast.outsider.username, PASSWORD)
    assert response.status_code == 302
    # The administrator's password reset lifts the lock.
    password = accounts.reset_password(cast.city_admin, cast.operator.pk)
    client.logout()
    assert login_post(client, cast.operator.username, password).status_code == 302


def test_successful_login_and_wrong_password_message(client, cast):
    response = login_post(client, cast.operator.username, "nope-nope-1")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode() or "正确" in response.content.decode()
    response = login_post(client, cast.operator.username, PASSWORD)
    assert response.status_code == 302


def test_inactive_user_cannot_log_in_and_loses_the_session(client, cast):
    client.login(username=cast.operator.username, password=PASSWORD)
    accounts.deactivate(cast.city_admin, cast.operator.pk)
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert login_post(client, cast.operator.username, PASSWORD).status_code == 200


def test_idle_session_expires(client, cast, settings):
    settings.SESSION_IDLE_SECONDS = 60
    client.login(username=cast.operator.username, password=PASSWORD)
    assert client.get(reverse("password_change")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 30
    session.save()
    assert client.get(reverse("password_change")).status_code == 200  # still active
    session = client.session
    session["last_seen"] = int(time.time()) - 61
    session.save()
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert "长时间未操作，已自动退出，请重新登录。" in page.content.decode()


def test_forced_password_change_after_reset(client, cast):
    password = accounts.reset_password(cast.city_admin, cast.operator.pk)
    response = login_post(client, cast.operator.username, password)
    assert response.status_code == 302
    # Every page sends the user to the password change page.
    for url in (reverse("home"), reverse("orgs:units"), "/standard/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("password_change"), url
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "为了账号安全，请先修改密码" in page.content.decode()
    # The API answers 403 instead of redirecting.
    assert client.get("/api/").status_code == 403
    # Same password again is refused.
    response = client.post(reverse("password_change"), {
        "old_password": password, "new_password1": password, "new_password2": password})
    assert response.status_code == 200 and "新密码不能与原密码相同" in response.content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": password, "new_password1": "Xin-Mima-2026a", "new_password2": "Xin-Mima-2026a"})
    assert response.status_code == 302
    user = User.objects.get(pk=cast.operator.pk)
    assert not user.must_change_password and user.check_password("Xin-Mima-2026a")
    assert OrgEvent.objects.filter(target_user=user, action="password_changed").get().detail == {"forced": True}
    # Free again, still logged in.
    assert client.get(reverse("password_change")).status_code == 200
    response = client.get(reverse("orgs:units"))
    assert response.status_code == 403


def test_user_changes_own_password(client, cast):
    client.login(username=cast.street_viewer.username, password=PASSWORD)
    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "Another-Pass-77", "new_password2": "Another-Pass-77"})
    assert response.status_code == 200
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Another-Pass-77", "new_password2": "Another-Pass-77"})
    assert response.status_code == 302
    cast.street_viewer.refresh_from_db()
    assert cast.street_viewer.check_password("Another-Pass-77")
    assert client.get(reverse("password_change")).status_code == 200  # session kept


@pytest.mark.parametrize(
    "password,code",
    [
        ("Short1a", "password_too_short"),
        ("abcdefghijkl", "password_character_classes"),
        ("9384756102", "password_entirely_numeric"),
        ("password123", "password_too_common"),
        ("t_operator2026", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(cast, password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, cast.operator)
    assert code in [e.code for e in exc.value.error_list]


def test_strong_password_is_accepted(cast):
    validate_password("Xin-Mima-2026a", cast.operator)


def test_chinese_length_validator():
    validator = MinimumLengthValidator(10)
    validator.validate("Abcdef1234")
    with pytest.raises(ValidationError) as exc:
        validator.validate("Abc123")
    assert exc.value.messages == ["密码太短，至少需要 10 个字符。"]
    assert "10" in validator.get_help_text()


def test_weak_password_refused_on_the_page(client, cast):
    client.login(username=cast.operator.username, password=PASSWORD)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "abcdefghijkl", "new_password2": "abcdefghijkl"})
    assert response.status_code == 200
    assert "密码必须同时包含字母和数字" in response.content.decode()
    cast.operator.refresh_from_db()
    assert cast.operator.check_password(PASSWORD)


def test_session_is_not_rewritten_on_every_request(client, cast, settings):
    """`last_seen` is written at most once a minute: page views are not database writes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("password_change")).status_code == 200
        return sum('"django_session"' in q["sql"] and not q["sql"].startswith("SELECT") for q in queries)

    settings.SESSION_IDLE_SECONDS = 30 * 60
    client.login(username=cast.operator.username, password=PASSWORD)
    client.get(reverse("password_change"))
    seen = client.session["last_seen"]
    assert [session_writes() for _ in range(3)] == [0, 0, 0]
    session = client.session
    session["last_seen"] = seen - 61
    session.save()
    assert session_writes() == 1  # a minute later it is brought up to date
    assert client.session["last_seen"] >= seen
