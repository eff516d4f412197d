"""A person record voided (作废) and restored; a home visit with a photo."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from ledgers import services
from ledgers.facts import compute_community
from ledgers.models import LedgerEvent, Person, Visit
from tests.cast import PASSWORD
from tests.ledgers import factories as fx

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


def test_void_leaves_lists_and_facts_and_county_restores(cast, client):
    p = fx.person(cast.community)
    fx.unemployed(p, date(2025, 3, 1))
    before = compute_community(2025, cast.community.pk)[0]["registered_unemployed_total"]
    with pytest.raises(services.LedgerError, match="请填写作废原因"):
        services.void_person(cast.operator, p.pk, "")
    services.void_person(cast.operator, p.pk, "重复登记")
    assert not Person.objects.filter(pk=p.pk).exists() and Person.all_objects.get(pk=p.pk).void_reason == "重复登记"
    assert compute_community(2025, cast.community.pk)[0]["registered_unemployed_total"] == before - 1
    assert LedgerEvent.objects.filter(action="void", object_id=p.pk).exists()
    client.login(username=cast.operator.username, password=PASSWORD)
    assert p.name not in client.get(reverse("ledgers:persons")).content.decode()
    page = client.get(reverse("ledgers:person_detail", args=[p.pk])).content.decode()
    assert 'data-testid="voided-banner"' in page and 'data-testid="person-restore"' not in page
    # The community cannot restore; the county can.
    assert client.post(reverse("ledgers:person_restore", args=[p.pk])).status_code == 403
    with pytest.raises(services.LedgerError):
        services.restore_person(cast.operator, p.pk)
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    assert p.name in client.get(reverse("ledgers:persons"), {"voided": "1"}).content.decode()
    client.post(reverse("ledgers:person_restore", args=[p.pk]))
    assert Person.objects.filter(pk=p.pk).exists()
    assert compute_community(2025, cast.community.pk)[0]["registered_unemployed_total"] == before


def test_void_refused_outside_scope(cast):
    p = fx.person(cast.other_community)
    with pytest.raises(services.LedgerError, match="管辖范围"):
        services.void_person(cast.county_reviewer, p.pk, "误录")


def test_visit_with_photo_shown_on_person_page(cast, client):
    p = fx.person(cast.community)
    client.login(username=cast.operator.username, password=PASSWORD)
    url = reverse("ledgers:record_create", args=["visit", p.household_id])
    form = client.get(url).content.decode()
    assert 'capture="environment"' in form and 'enctype="multipart/form-data"' in form
    bad = client.post(url, {"visited_on": date.today().isoformat(), "visitor": "张三", "way": "home",
                            "record": "了解需求", "photo": SimpleUploadedFile("a.jpg", b"not an image")})
    assert bad.status_code == 200 and not Visit.objects.exists()
    response = client.post(url, {"visited_on": date.today().isoformat(), "visitor": "张三", "way": "home",
                                 "record": "了解需求", "photo": SimpleUploadedFile("王五身份证.png", _png())})
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.photo.name.startswith("visit-photos/") and "王五" not in visit.photo.name
    page = client.get(reverse("ledgers:person_detail", args=[p.pk])).content.decode()
    assert reverse("ledgers:visit_photo", args=[visit.pk]) in page
    photo = client.get(reverse("ledgers:visit_photo", args=[visit.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    client.login(username=cast.outsider.username, password=PASSWORD)
    assert client.get(reverse("ledgers:visit_photo", args=[visit.pk])).status_code == 404
