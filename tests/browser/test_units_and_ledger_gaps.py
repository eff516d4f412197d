"""Browser journeys: the city administrator adds, renames, moves and retires units in the product; a person
record voided and restored; a home visit with a photo recorded on a phone."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_units_add_rename_move_retire(page, cast):
    from orgs.models import Unit

    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "t_admin", PASSWORD)
    page.goto(page.live_url + "/orgs/")
    assert page.locator("a[href^='/admin/']").count() == 0  # the Django admin is not part of the product
    page.get_by_test_id("unit-create").click()
    page.select_option("#id_level", "street")
    page.fill("#id_name", "东风街道")
    page.fill("#id_code", "C0109")
    page.fill("#id_parent", "东城")
    # The suggestions come from the searchable picker (htmx); pick the county's entry.
    expect(page.locator("#id_parent-options option")).to_have_count(1)
    page.fill("#id_parent", page.locator("#id_parent-options option").first.get_attribute("value"))
    page.get_by_test_id("unit-save").click()
    expect(page.get_by_test_id("unit-title")).to_contain_text("东城区 / 东风街道")
    page.get_by_test_id("unit-add-child").click()
    page.select_option("#id_level", "community")
    page.fill("#id_name", "东风社区")
    page.fill("#id_code", "C010901")
    page.get_by_test_id("unit-save").click()
    expect(page.get_by_test_id("unit-title")).to_contain_text("东城区 / 东风街道 / 东风社区")
    community = Unit.objects.get(code="C010901")
    # Rename and move the street under the other county: the community's full name follows.
    page.goto(page.live_url + f"/orgs/units/{community.parent_id}/edit/")
    page.fill("#id_name", "东风新街道")
    page.fill("#id_parent", "西城区")
    page.get_by_test_id("unit-save").click()
    expect(page.get_by_test_id("unit-title")).to_contain_text("西城区 / 东风新街道")
    history = page.get_by_test_id("unit-history")
    expect(history).to_contain_text("名称：东风街道 → 东风新街道")
    expect(history).to_contain_text("上级单位：东城区 → 西城区")
    community.refresh_from_db()
    assert community.full_name == "西城区 / 东风新街道 / 东风社区"
    # Retire the community (the street still has it: refused first).
    page.fill("#retire-reason", "撤并")
    page.get_by_test_id("unit-retire").click()
    expect(page.locator(".alert-danger")).to_contain_text("启用的下级单位")
    page.goto(page.live_url + f"/orgs/units/{community.pk}/")
    page.fill("#retire-reason", "并入西华一社区")
    page.get_by_test_id("unit-retire").click()
    expect(page.get_by_test_id("retired-badge")).to_be_visible()
    expect(page.get_by_test_id("unit-history")).to_contain_text("原因：并入西华一社区")


def test_person_void_and_restore(page, cast):
    from ledgers.models import Person
    from tests.ledgers import factories as f

    person = f.person(cast.community, name="误录王五")
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "t_operator", PASSWORD)
    page.goto(page.live_url + f"/ledgers/persons/{person.pk}/")
    page.get_by_test_id("void-panel").locator("summary").click()
    page.fill("#void-reason", "重复登记")
    page.get_by_test_id("person-void").click()
    expect(page.get_by_test_id("voided-banner")).to_contain_text("重复登记")
    expect(page.get_by_test_id("person-restore")).to_have_count(0)  # the community cannot restore
    page.goto(page.live_url + "/ledgers/persons/")
    expect(page.get_by_test_id("person-table")).not_to_contain_text("误录王五")
    page.context.clear_cookies()
    login(page, "t_county", PASSWORD)
    page.goto(page.live_url + "/ledgers/persons/")
    page.get_by_test_id("show-voided").click()
    page.get_by_role("link", name="误录王五").click()
    page.get_by_test_id("person-restore").click()
    expect(page.get_by_test_id("voided-banner")).to_have_count(0)
    assert Person.objects.filter(pk=person.pk).exists()


def test_visit_with_photo_on_a_phone(page, cast, tmp_path):
    from PIL import Image

    from ledgers.models import Visit
    from tests.ledgers import factories as f

    person = f.person(cast.community, name="走访对象")
    photo = tmp_path / "IMG_0001.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(buf, "JPEG")
    photo.write_bytes(buf.getvalue())
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "t_operator", PASSWORD)
    page.goto(page.live_url + f"/ledgers/persons/{person.pk}/")
    page.get_by_test_id("add-visit").click()
    # Recorded on site: today's date and the user by default.
    assert page.input_value("#id_visited_on")
    assert page.input_value("#id_visitor")
    page.fill("#id_record", "上门了解就业需求，推荐保洁岗位")
    page.set_input_files("#id_photo", str(photo))
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    visit = Visit.objects.get()
    assert visit.photo
    page.goto(page.live_url + f"/ledgers/persons/{person.pk}/")
    img = page.get_by_test_id("visit-photo")
    expect(img).to_be_visible()
    assert page.evaluate("el => el.naturalWidth", img.element_handle()) == 640
    box = img.bounding_box()
    assert box["x"] + box["width"] <= 390
