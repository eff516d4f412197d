"""The administrator's pages: tree, account list with filters, create / edit / reset / (de)activate."""

import pytest
from django.urls import reverse

from orgs.models import OrgEvent, Role, User
from tests.cast import PASSWORD


@pytest.fixture
def admin(client, cast):
    client.login(username=cast.city_admin.username, password=PASSWORD)
    return client


def test_unit_tree_with_counts(admin, cast):
    response = admin.get(reverse("orgs:units"))
    html = response.content.decode()
    assert response.status_code == 200
    for unit in (cast.city, cast.county, cast.street, cast.community, cast.other_community):
        assert f'data-unit="{unit.code}"' in html
    root = response.context["roots"][0]
    assert root["unit"] == cast.city and root["communities"] == 3 and root["streets"] == 2
    county = next(n for n in root["children"] if n["unit"] == cast.county)
    assert county["communities"] == 2 and county["users"] == 1
    assert reverse("orgs:unit_edit", args=[cast.community.pk]) in html
    assert "/admin/" not in html  # the Django admin is for engineers only


def test_user_list_filters(admin, cast):
    url = reverse("orgs:users")

    def usernames(**params):
        return [u.username for u in admin.get(url, params).context["page"].object_list]

    assert len(usernames()) == 7
    assert usernames(role=Role.COUNTY_REVIEWER) == ["t_county", "t_county2"]
    assert set(usernames(unit=cast.county.pk)) == {"t_county", "t_street", "t_operator"}
    assert usernames(q="outsider") == ["t_outsider"]
    assert set(usernames(q="西华")) == {"t_outsider"}
    cast.operator.is_active = False
    cast.operator.save()
    assert usernames(status="inactive") == ["t_operator"]
    # htmx asks for the table fragment only.
    response = admin.get(url, {"role": Role.CITY_ADMIN}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="user-table"' in html and "<html" not in html and "t_admin" in html


def test_create_user_page_shows_the_password_once(admin, cast):
    response = admin.post(reverse("orgs:user_create"), {
        "username": "wang_fang", "display_name": "王芳", "phone": "", "role": Role.COMMUNITY_OPERATOR,
        "unit": cast.sibling.pk})
    user = User.objects.get(username="wang_fang")
    assert response.status_code == 302 and response.url == reverse("orgs:user_detail", args=[user.pk])
    page = admin.get(response.url)
    password = page.context["one_time"]["password"]
    assert user.check_password(password) and password in page.content.decode()
    again = admin.get(response.url)
    assert again.context["one_time"] is None and password not in again.content.decode()


def test_create_user_page_errors(admin, cast):
    response = admin.post(reverse("orgs:user_create"), {
        "username": "li_si", "role": Role.COUNTY_REVIEWER, "unit": cast.street.pk})
    assert response.status_code == 422
    assert "县级审核人员必须绑定到区（市、县）级单位" in response.content.decode()
    response = admin.post(reverse("orgs:user_create"), {
        "username": "t_operator", "role": Role.COMMUNITY_OPERATOR, "unit": cast.community.pk})
    assert "用户名“t_operator”已存在" in response.content.decode()
    assert not User.objects.filter(username="li_si").exists()


def test_edit_reset_deactivate_reactivate_pages(admin, cast):
    detail = reverse("orgs:user_detail", args=[cast.operator.pk])
    response = admin.post(detail, {"display_name": "新名字", "phone": "13900001111",
                                   "role": Role.COMMUNITY_OPERATOR, "unit": cast.sibling.pk})
    assert response.status_code == 302
    cast.operator.refresh_from_db()
    assert cast.operator.unit == cast.sibling and cast.operator.display_name == "新名字"

    response = admin.post(reverse("orgs:user_reset_password", args=[cast.operator.pk]))
    page = admin.get(response.url)
    cast.operator.refresh_from_db()
    assert cast.operator.check_password(page.context["one_time"]["password"])
    assert "密码已重置" in page.content.decode()

    admin.post(reverse("orgs:user_deactivate", args=[cast.operator.pk]))
    cast.operator.refresh_from_db()
    assert not cast.operator.is_active
    page = admin.get(detail).content.decode()
    assert 'data-testid="reactivate"' in page and 'data-testid="reset-password"' not in page
    admin.post(reverse("orgs:user_reactivate", args=[cast.operator.pk]))
    cast.operator.refresh_from_db()
    assert cast.operator.is_active
    actions = set(OrgEvent.objects.filter(target_user=cast.operator).values_list("action", flat=True))
    assert actions == {"user_updated", "password_reset", "deactivated", "reactivated"}


def test_admin_cannot_deactivate_self_through_the_page(admin, cast):
    page = admin.get(reverse("orgs:user_detail", args=[cast.city_admin.pk])).content.decode()
    assert 'data-testid="deactivate"' not in page
    response = admin.post(reverse("orgs:user_deactivate", args=[cast.city_admin.pk]), follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    cast.city_admin.refresh_from_db()
    assert cast.city_admin.is_active


def test_django_admin_is_for_superusers_only(client, cast):
    # Even a city administrator made staff by hand does not reach it: units are managed on orgs:units.
    cast.city_admin.is_staff = True
    cast.city_admin.save()
    client.login(username=cast.city_admin.username, password=PASSWORD)
    assert client.get(reverse("admin:orgs_unit_change", args=[cast.community.pk])).status_code == 403
    root = User.objects.create_superuser("engineer", password=PASSWORD)
    client.force_login(root)
    assert client.get(reverse("admin:orgs_unit_change", args=[cast.community.pk])).status_code == 200
    # Read-only for engineers too: no change around the model's validation and the audit trail.
    response = client.post(reverse("admin:orgs_unit_change", args=[cast.community.pk]),
                           {"name": "东华第一社区", "code": "X1", "is_active": "on"})
    assert response.status_code == 403
