"""A county reviewer draws a sample and records a phone call-back with a photo on a 390 px wide phone."""

import io
from datetime import date

import pytest
from django.urls import reverse
from PIL import Image

from evaluations.models import Evaluation
from evaluations.services.periods import open_period
from tests.browser.conftest import login
from tests.cast import PASSWORD
from tests.ledgers import factories as lf
from verification.models import Check, Draw, Result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buf, format="JPEG")
    return buf.getvalue()


def test_phone_check_with_photo_at_390px(page, cast, standard_version, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    open_period(cast.city_admin, year=2026, name="2026年度评审", standard=standard_version,
                communities=[cast.community])
    for i in range(4):
        lf.unemployed(lf.person(cast.community, name=f"回访{i}"), date(2026, 3, 1 + i))
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, cast.county_reviewer.username, PASSWORD)
    page.goto(page.live_url + reverse("verification:community", args=[cast.community.pk, 2026]))
    form = page.get_by_test_id("draw-form")
    form.locator("select[name=kind]").select_option("unemployment")
    form.locator("input[name=count]").fill("2")
    form.locator("input[name=seed]").fill("2026")
    page.get_by_test_id("draw-submit").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("seed").inner_text() == "2026"
    draw = Draw.objects.get()
    check = draw.checks.order_by("position").first()

    page.goto(page.live_url + reverse("verification:check", args=[check.pk]))
    # The form fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("radio", name="电话回访").check()
    page.get_by_role("radio", name="不符").check()
    page.locator("select[name=field]").select_option("registered_on")
    page.locator("input[name=correct_value]").fill("2026-04-01")
    page.locator("textarea[name=notes]").fill("本人电话确认登记日期为4月1日")
    page.locator("#id_photo").set_input_files(files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    page.get_by_test_id("check-save").click()
    page.wait_for_load_state("networkidle")
    result = page.get_by_test_id("check-result")
    assert "不符" in result.inner_text() and "2026-04-01" in result.inner_text()
    assert page.get_by_test_id("photo-link").is_visible()
    check.refresh_from_db()
    assert check.result == Result.DIFFERS and check.method == "phone" and check.photo

    # A file that is not an image is refused with a Chinese message.
    second = Check.objects.exclude(pk=check.pk).get()
    page.goto(page.live_url + reverse("verification:check", args=[second.pk]))
    page.get_by_role("radio", name="电话回访").check()
    page.get_by_role("radio", name="属实").check()
    page.locator("#id_photo").set_input_files(files=[{"name": "x.jpg", "mimeType": "image/jpeg", "buffer": b"not an image"}])
    page.get_by_test_id("check-save").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("photo-error").is_visible()
    assert Evaluation.objects.filter(community=cast.community).exists()
    assert not page.console_errors
