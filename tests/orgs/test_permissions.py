"""Every orgs URL × role: (role, url, method, expected status). Outsiders of the target's unit get 404,
insiders whose role lacks account management get 403, anonymous users go to the login page."""

import pytest
from django.urls import reverse

from tests.cast import PASSWORD

ROLES = ["city_admin", "city_reviewer", "county_reviewer", "street_viewer", "community_operator",
         "outsider", "other_county_reviewer"]

# url name, takes the target user's pk, method, status for the city administrator
URLS = [
    ("orgs:units", False, "get", 200),
    ("orgs:import", False, "get", 200),
    ("orgs:import", False, "post", 422),  # no file
    ("orgs:import_template", False, "get", 200),
    ("orgs:users", False, "get", 200),
    ("orgs:user_create", False, "get", 200),
    ("orgs:user_create", False, "post", 422),  # empty form
    ("orgs:user_detail", True, "get", 200),
    ("orgs:user_detail", True, "post", 422),  # empty form
    ("orgs:user_reset_password", True, "post", 302),
    ("orgs:user_deactivate", True, "post", 302),
    ("orgs:user_reactivate", True, "post", 302),  # refused with a message: already active
]

# The target of per-user URLs is the operator of 东华一社区 (in the cast's county and street).
OUTSIDE_TARGET = {"outsider", "other_county_reviewer"}


def expected(role: str, takes_pk: bool, admin_status: int) -> int:
    if role == "city_admin":
        return admin_status
    if takes_pk and role in OUTSIDE_TARGET:
        return 404
    return 403


TABLE = [
    (role, name, takes_pk, method, expected(role, takes_pk, status))
    for name, takes_pk, method, status in URLS
    for role in ROLES
]


@pytest.mark.parametrize("role,name,takes_pk,method,status", TABLE)
def test_permission_table(client, cast, role, name, takes_pk, method, status):
    user = cast.users_by_role()[role]
    client.login(username=user.username, password=PASSWORD)
    url = reverse(name, args=[cast.operator.pk]) if takes_pk else reverse(name)
    response = getattr(client, method)(url)
    assert response.status_code == status, response.content.decode()[:300]


@pytest.mark.parametrize("name,takes_pk,method,_status", URLS)
def test_anonymous_goes_to_login(client, cast, name, takes_pk, method, _status):
    url = reverse(name, args=[cast.operator.pk]) if takes_pk else reverse(name)
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_get_only_and_post_only_urls(client, cast):
    client.login(username=cast.city_admin.username, password=PASSWORD)
    assert client.post(reverse("orgs:units")).status_code == 405
    assert client.get(reverse("orgs:user_reset_password", args=[cast.operator.pk])).status_code == 405


def test_unknown_user_is_404_for_the_admin(client, cast):
    client.login(username=cast.city_admin.username, password=PASSWORD)
    assert client.get(reverse("orgs:user_detail", args=[999999])).status_code == 404


def test_nav_shows_the_menu_to_the_admin_only(client, cast):
    client.login(username=cast.city_admin.username, password=PASSWORD)
    assert "组织与账号" in client.get(reverse("orgs:units")).content.decode()
    client.login(username=cast.city_reviewer.username, password=PASSWORD)
    assert client.get(reverse("password_change")).status_code == 200
    assert "组织与账号" not in client.get(reverse("password_change")).content.decode()
