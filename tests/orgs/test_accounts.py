"""orgs.services.accounts: create, edit, reset, deactivate/reactivate, own password change; audited."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied

from orgs.models import OrgEvent, Role, User
from orgs.services import accounts
from orgs.services.accounts import AccountError


def test_generated_passwords_pass_the_validators():
    for _ in range(50):
        password = accounts.generate_password()
        validate_password(password)
        # Easy to read out by phone: groups of lower-case letters and digits, no look-alikes.
        assert re.fullmatch(r"[a-km-np-z2-9]{5}-[a-km-np-z2-9]{5}-[a-km-np-z2-9]{5}", password), password


def test_create_user(cast):
    user, password = accounts.create_user(
        cast.city_admin, username="new_op", role=Role.COMMUNITY_OPERATOR, unit=cast.sibling, display_name="王芳"
    )
    user.refresh_from_db()
    assert user.check_password(password) and user.must_change_password and user.is_active
    assert user.unit == cast.sibling and not user.is_staff
    event = OrgEvent.objects.get(target_user=user)
    assert event.action == "user_created" and event.actor == cast.city_admin
    admin, _ = accounts.create_user(cast.city_admin, username="admin2", role=Role.CITY_ADMIN, unit=cast.city)
    assert not admin.is_staff  # the Django admin is for engineers (superusers) only


@pytest.mark.parametrize(
    "role,unit_attr,message",
    [
        (Role.COUNTY_REVIEWER, "street", "县级审核人员必须绑定到区（市、县）级单位"),
        (Role.COUNTY_REVIEWER, "city", "县级审核人员必须绑定到区（市、县）级单位"),
        (Role.STREET_VIEWER, "community", "街道查看人员必须绑定到街道（乡镇）级单位"),
        (Role.COMMUNITY_OPERATOR, "county", "社区填报人员必须绑定到社区级单位"),
        (Role.CITY_REVIEWER, "county", "市级复核人员必须绑定到市级单位"),
    ],
)
def test_create_user_checks_role_and_unit(cast, role, unit_attr, message):
    with pytest.raises(AccountError) as exc:
        accounts.create_user(cast.city_admin, username="x_user", role=role, unit=getattr(cast, unit_attr))
    assert message in exc.value.message and exc.value.field == "unit"
    assert not User.objects.filter(username="x_user").exists()


def test_create_user_refuses_duplicates_bad_names_and_inactive_units(cast):
    with pytest.raises(AccountError, match="已存在"):
        accounts.create_user(cast.city_admin, username="T_OPERATOR", role=Role.COMMUNITY_OPERATOR, unit=cast.sibling)
    with pytest.raises(AccountError, match="用户名须为"):
        accounts.create_user(cast.city_admin, username="a b", role=Role.COMMUNITY_OPERATOR, unit=cast.sibling)
    cast.sibling.is_active = False
    cast.sibling.save()
    with pytest.raises(AccountError, match="已停用"):
        accounts.create_user(cast.city_admin, username="ok_name", role=Role.COMMUNITY_OPERATOR, unit=cast.sibling)


def test_only_the_city_admin_manages_accounts(cast):
    for user in (cast.city_reviewer, cast.county_reviewer, cast.street_viewer, cast.operator):
        with pytest.raises(PermissionDenied):
            accounts.create_user(user, username="zz_user", role=Role.COMMUNITY_OPERATOR, unit=cast.community)
        with pytest.raises(PermissionDenied):
            accounts.reset_password(user, cast.outsider.pk)
        with pytest.raises(PermissionDenied):
            accounts.deactivate(user, cast.outsider.pk)


def test_reset_password(cast):
    password = accounts.reset_password(cast.city_admin, cast.operator.pk)
    cast.operator.refresh_from_db()
    assert cast.operator.check_password(password) and cast.operator.must_change_password
    assert OrgEvent.objects.filter(target_user=cast.operator, action="password_reset").count() == 1


def test_deactivate_and_reactivate(cast):
    accounts.deactivate(cast.city_admin, cast.operator.pk)
    cast.operator.refresh_from_db()
    assert not cast.operator.is_active
    with pytest.raises(AccountError, match="已是停用状态"):
        accounts.deactivate(cast.city_admin, cast.operator.pk)
    with pytest.raises(AccountError, match="请先启用"):
        accounts.reset_password(cast.city_admin, cast.operator.pk)
    accounts.reactivate(cast.city_admin, cast.operator.pk)
    cast.operator.refresh_from_db()
    assert cast.operator.is_active
    with pytest.raises(AccountError, match="已是启用状态"):
        accounts.reactivate(cast.city_admin, cast.operator.pk)
    actions = list(OrgEvent.objects.filter(target_user=cast.operator).values_list("action", flat=True))
    assert sorted(actions) == ["deactivated", "reactivated"]


def test_admin_cannot_deactivate_or_demote_themself(cast):
    with pytest.raises(AccountError, match="不能停用自己的账号"):
        accounts.deactivate(cast.city_admin, cast.city_admin.pk)
    with pytest.raises(AccountError, match="不能取消自己的市级管理员角色"):
        accounts.update_user(cast.city_admin, cast.city_admin.pk, role=Role.CITY_REVIEWER, unit=cast.city)
    cast.city_admin.refresh_from_db()
    assert cast.city_admin.is_active and cast.city_admin.role == Role.CITY_ADMIN


def test_update_user_records_the_changes(cast):
    accounts.update_user(cast.city_admin, cast.operator.pk, role=Role.STREET_VIEWER, unit=cast.street,
                         display_name="李四", phone="13800000000")
    cast.operator.refresh_from_db()
    assert (cast.operator.role, cast.operator.unit) == (Role.STREET_VIEWER, cast.street)
    event = OrgEvent.objects.get(target_user=cast.operator, action="user_updated")
    assert event.detail["changed"]["role"] == ["community_operator", "street_viewer"]
    # No change, no event.
    accounts.update_user(cast.city_admin, cast.operator.pk, role=Role.STREET_VIEWER, unit=cast.street,
                         display_name="李四", phone="13800000000")
    assert OrgEvent.objects.filter(target_user=cast.operator, action="user_updated").count() == 1


def test_events_are_append_only(cast):
    accounts.reset_password(cast.city_admin, cast.operator.pk)
    event = OrgEvent.objects.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        OrgEvent.objects.all().delete()
