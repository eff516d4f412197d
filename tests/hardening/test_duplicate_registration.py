"""Issue 11.5: a cross-community duplicate tells the operator only "registered elsewhere, ask X";
the county and city levels see where, on the 重复登记 page. Page, API and import alike."""

import pytest
from django.test import Client
from django.urls import reverse

from ledgers import services
from ledgers.models import DuplicateAttempt
from tests.api.conftest import ApiClient
from tests.ledgers import factories as f
from tests.ledgers.xlsx import xlsx

pytestmark = pytest.mark.django_db

OTHER = ("西华一社区", "西城区")  # the other county's community and district: never shown to the operator


def assert_no_where(text: str):
    for name in OTHER:
        assert name not in text, text
    assert "已在本市其他社区的台帐中登记" in text and "东城区审核员（t_county）" in text


def test_page(cast):
    other = f.person(cast.other_community)
    client = Client()
    client.force_login(cast.operator)
    html = client.post(reverse("ledgers:person_create"), {"name": "重复", "id_number": other.id_number}).content.decode()
    assert_no_where(html)


def test_api(cast):
    other = f.person(cast.other_community)
    response = ApiClient(cast.operator).send("POST", "/ledgers/persons", {"name": "重复", "id_number": other.id_number})
    assert response.status_code == 422
    assert_no_where(response.content.decode())


def test_import(cast):
    other = f.person(cast.other_community)
    upload = xlsx([["姓名", "身份证号"], ["重复", other.id_number]])
    job = services.check_import(cast.operator, cast.community, "persons", upload, sensitive=True)
    text = str(job.summary["errors"])
    assert_no_where(text)


def test_city_admin_is_told_where(cast):
    other = f.person(cast.other_community)
    response = ApiClient(cast.city_admin).send(
        "POST", "/ledgers/persons", {"name": "重复", "id_number": other.id_number, "community": cast.community.pk})
    assert response.status_code == 422 and "西华一社区" in response.content.decode()


def test_duplicate_page_for_the_county_and_city_levels(cast):
    other = f.person(cast.other_community)
    client = Client()
    client.force_login(cast.operator)
    client.post(reverse("ledgers:person_create"), {"name": "重复", "id_number": other.id_number})
    ApiClient(cast.operator).send("POST", "/ledgers/persons", {"name": "重复", "id_number": other.id_number})
    assert DuplicateAttempt.objects.count() == 2
    # literal table: who sees the page and the row (attempt in 东城区 of a person registered in 西城区)
    expected = {
        "city_admin": (200, True), "city_reviewer": (200, True), "county_reviewer": (200, True),
        "other_county_reviewer": (200, True), "street_viewer": (403, False), "community_operator": (403, False),
        "outsider": (403, False),
    }
    for role, user in cast.users_by_role().items():
        c = Client()
        c.force_login(user)
        response = c.get(reverse("ledgers:duplicates"))
        status, sees = expected[role]
        assert response.status_code == status, role
        if status == 200:
            html = response.content.decode()
            assert ("西华一社区" in html and "东华一社区" in html) is sees, role
            assert other.id_number not in html and other.id_number[-4:] in html


def test_county_reviewer_of_an_unrelated_county_sees_nothing(cast):
    from orgs.models import Level, Role, Unit, User

    third = Unit.objects.create(name="南城区", code="C03", level=Level.COUNTY, parent=cast.city)
    reviewer = User.objects.create_user(username="t_county3", password="x", role=Role.COUNTY_REVIEWER, unit=third)
    other = f.person(cast.other_community)
    Client().force_login(cast.operator)
    ApiClient(cast.operator).send("POST", "/ledgers/persons", {"name": "重复", "id_number": other.id_number})
    c = Client()
    c.force_login(reviewer)
    assert "西华一社区" not in c.get(reverse("ledgers:duplicates")).content.decode()
