"""Units managed in the product: add, rename, move, retire, restore; the code frozen once used; history."""

import pytest
from django.urls import reverse

from orgs.models import Level, OrgEvent, Unit
from orgs.pickers import label
from orgs.services import units
from tests.cast import PASSWORD


@pytest.fixture
def admin(client, cast):
    client.login(username=cast.city_admin.username, password=PASSWORD)
    return client


def test_add_rename_move_keep_full_names_and_history(cast):
    street = units.create_unit(cast.city_admin, level=Level.STREET, parent=cast.county, name="东风街道", code="C0109")
    community = units.create_unit(cast.city_admin, level=Level.COMMUNITY, parent=street, name="东风社区",
                                  code="C010901")
    assert community.full_name == "东城区 / 东风街道 / 东风社区" and community.county == cast.county
    units.update_unit(cast.city_admin, street.pk, name="东风新街道", code="C0109", parent=cast.other_county)
    community.refresh_from_db()
    assert community.full_name == "西城区 / 东风新街道 / 东风社区"
    assert community.county == cast.other_county and community.street == street
    event = OrgEvent.objects.get(target_unit=street, action="unit_updated")
    assert event.detail["changed"] == {"name": ["东风街道", "东风新街道"], "parent": ["东城区", "西城区"]}
    assert units.describe(event) == ["名称：东风街道 → 东风新街道", "上级单位：东城区 → 西城区"]


def test_wrong_parent_level_and_duplicate_name_refused(cast):
    with pytest.raises(units.UnitError, match="社区的上级单位必须是街道（乡镇）"):
        units.create_unit(cast.city_admin, level=Level.COMMUNITY, parent=cast.county, name="错层社区", code="BAD1")
    with pytest.raises(units.UnitError, match="同一上级单位下已有同名单位"):
        units.create_unit(cast.city_admin, level=Level.COMMUNITY, parent=cast.street, name="东华二社区", code="C9")
    with pytest.raises(units.UnitError, match="该代码已被其他单位使用"):
        units.create_unit(cast.city_admin, level=Level.COMMUNITY, parent=cast.street, name="新社区", code="C010102")
    with pytest.raises(units.UnitError, match="代码只能是"):
        units.create_unit(cast.city_admin, level=Level.COMMUNITY, parent=cast.street, name="新社区", code="a b")


def test_code_frozen_once_a_sheet_uses_it(cast, evaluation):
    community = evaluation.community
    community.code = "NEW1"
    with pytest.raises(Exception, match="不能修改"):
        community.full_clean()  # the model's one validation (form, service, import)
    with pytest.raises(units.UnitError, match="不能修改"):
        units.update_unit(cast.city_admin, community.pk, name=community.name, code="NEW1", parent=community.parent)
    # The street above it is used too (its subtree holds a sheet); a renaming stays allowed.
    with pytest.raises(units.UnitError, match="不能修改"):
        units.update_unit(cast.city_admin, cast.street.pk, name="东华街道", code="X9", parent=cast.county)
    units.update_unit(cast.city_admin, community.pk, name="东华第一社区", code="C010101",
                      parent=community.parent)
    assert Unit.objects.get(pk=community.pk).name == "东华第一社区"
    # Unused units may still correct their code.
    fresh = units.create_unit(cast.city_admin, level=Level.COMMUNITY, parent=cast.other_street, name="西华九社区",
                              code="C020109")
    assert units.update_unit(cast.city_admin, fresh.pk, name="西华九社区", code="C020199",
                             parent=cast.other_street).code == "C020199"


def test_retire_and_restore(cast):
    with pytest.raises(units.UnitError, match="请填写撤销原因"):
        units.retire_unit(cast.city_admin, cast.sibling.pk, "")
    with pytest.raises(units.UnitError, match="启用的下级单位"):
        units.retire_unit(cast.city_admin, cast.street.pk, "合并")
    with pytest.raises(units.UnitError, match="启用的账号"):
        units.retire_unit(cast.city_admin, cast.community.pk, "合并")
    unit = units.retire_unit(cast.city_admin, cast.sibling.pk, "与东华一社区合并")
    assert not unit.is_active
    assert OrgEvent.objects.get(target_unit=unit, action="unit_retired").detail["reason"] == "与东华一社区合并"
    assert units.restore_unit(cast.city_admin, unit.pk).is_active


def test_only_the_city_admin(cast):
    from django.core.exceptions import PermissionDenied

    for user in (cast.city_reviewer, cast.county_reviewer, cast.operator):
        with pytest.raises(PermissionDenied):
            units.retire_unit(user, cast.sibling.pk, "x")


def test_pages_add_edit_retire(admin, cast):
    response = admin.post(reverse("orgs:unit_create"), {
        "level": "community", "name": "东华三社区", "code": "C010103", "parent": label(cast.street)})
    unit = Unit.objects.get(code="C010103")
    assert response.status_code == 302 and unit.parent == cast.street
    response = admin.post(reverse("orgs:unit_edit", args=[unit.pk]), {
        "name": "东华三社区", "code": "C010103", "parent": "西华街道"})
    unit.refresh_from_db()
    assert unit.parent == cast.other_street and unit.full_name == "西城区 / 西华街道 / 东华三社区"
    response = admin.post(reverse("orgs:unit_retire", args=[unit.pk]), {"reason": "撤并"}, follow=True)
    assert "已撤销" in response.content.decode()
    page = admin.get(reverse("orgs:unit_detail", args=[unit.pk])).content.decode()
    assert "东华街道 → 西城区 / 西华街道" in page and "原因：撤并" in page
    # A parent at the wrong level is refused with the picker's message.
    response = admin.post(reverse("orgs:unit_create"), {
        "level": "community", "name": "错层", "code": "C77", "parent": label(cast.county)})
    assert response.status_code == 422 and "没有找到" in response.content.decode()


def test_unit_options_search(admin, cast):
    html = admin.get(reverse("orgs:unit_options"), {"q": "东华", "level": "street"}).content.decode()
    assert label(cast.street) in html and "东华一社区" not in html


def test_pages_refused_to_other_roles(client, cast):
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    assert client.get(reverse("orgs:unit_detail", args=[cast.community.pk])).status_code == 403
    assert client.post(reverse("orgs:unit_retire", args=[cast.sibling.pk]), {"reason": "x"}).status_code == 403


def test_unit_options_for_a_new_units_parent(admin, cast):
    # The add form sends the new unit's level: a street's parent is a county.
    html = admin.get(reverse("orgs:unit_options"), {"parent": "东城", "level": "street", "parent_of": "1"}).content.decode()
    assert label(cast.county) in html and label(cast.street) not in html
