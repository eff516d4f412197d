"""Issue 11.1: the log-in lock-out cannot be turned against a colleague behind the reverse proxy."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from orgs.client_ip import client_ip
from orgs.models import OrgEvent
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db

NGINX = "10.0.0.5"


def post_login(client, username, password, forwarded_for):
    return client.post(
        reverse("login"), {"username": username, "password": password},
        REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.fixture
def behind_nginx(settings):
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXIES = [NGINX]


def test_attacker_behind_nginx_does_not_lock_out_the_colleague(cast, behind_nginx):
    attacker, victim = Client(), Client()
    for _ in range(5):
        response = post_login(attacker, cast.operator.username, "wrong-password-1", "203.0.113.66")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    # The same account from the colleague's machine (same nginx, other client address) still logs in.
    assert post_login(victim, cast.operator.username, PASSWORD, "198.51.100.7").status_code == 302


def test_forged_forwarded_header_does_not_escape_the_lock(cast, behind_nginx):
    """nginx appends the real address; whatever the client put before it is ignored."""
    attacker = Client()
    for i in range(5):
        post_login(attacker, cast.operator.username, "wrong-password-1", f"1.2.3.{i}, 203.0.113.66")
    response = post_login(attacker, cast.operator.username, PASSWORD, "9.9.9.9, 203.0.113.66")
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "203.0.113.1", "1.1.1.1", "203.0.113.1"),  # no proxy configured: header ignored
        (["10.0.0.0/24"], "203.0.113.1", "1.1.1.1", "203.0.113.1"),  # not from the proxy: ignored
        (["10.0.0.0/24"], "10.0.0.5", "1.1.1.1", "1.1.1.1"),
        (["10.0.0.0/24"], "10.0.0.5", "6.6.6.6, 1.1.1.1", "1.1.1.1"),  # forged left part ignored
        (["10.0.0.0/24"], "10.0.0.5", "1.1.1.1, 10.0.0.9", "1.1.1.1"),  # two trusted hops
        (["10.0.0.0/24"], "10.0.0.5", "garbage", "10.0.0.5"),
        (["10.0.0.0/24"], "10.0.0.5", "", "10.0.0.5"),
    ],
)
def test_client_ip(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_administrator_unlocks_in_the_ui(cast, behind_nginx):
    attacker = Client()
    for _ in range(5):
        post_login(attacker, cast.operator.username, "wrong-password-1", "203.0.113.66")
    admin = Client()
    admin.force_login(cast.city_admin)
    page = admin.get(reverse("orgs:user_detail", args=[cast.operator.pk])).content.decode()
    assert 'data-testid="locked-badge"' in page and "203.0.113.66" in page and "解除登录锁定" in page
    response = admin.post(reverse("orgs:user_unlock", args=[cast.operator.pk]), follow=True)
    assert "已解除该账号的登录锁定" in response.content.decode()
    assert OrgEvent.objects.filter(action=OrgEvent.Action.LOGIN_UNLOCKED, target_user=cast.operator).exists()
    assert post_login(attacker, cast.operator.username, PASSWORD, "203.0.113.66").status_code == 302
    # Nothing left to unlock: a Chinese error, not a crash.
    response = admin.post(reverse("orgs:user_unlock", args=[cast.operator.pk]), follow=True)
    assert "当前没有登录锁定" in response.content.decode()


def test_only_the_administrator_may_unlock(cast, behind_nginx):
    other = Client()
    other.force_login(cast.county_reviewer)
    assert other.post(reverse("orgs:user_unlock", args=[cast.operator.pk])).status_code in (403, 404)
