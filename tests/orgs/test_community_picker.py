"""The community picker: scoped suggestions, a plain text search without JavaScript, paged lists."""

import datetime

import pytest
from django.test import Client

from evaluations.models import Evaluation
from orgs.models import Level
from tests.api.conftest import ApiClient
from tests.cast import PASSWORD, make_unit
from tests.ledgers import factories as lf

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_suggestions_are_scoped_and_searched(cast):
    body = web(cast.county_reviewer).get("/orgs/communities/options/", {"q": "社区"}).content.decode()
    assert 'value="东城区 / 东华街道 / 东华一社区"' in body
    assert 'value="东城区 / 东华街道 / 东华二社区"' in body
    assert "西华一社区" not in body
    body = web(cast.city_admin).get("/orgs/communities/options/", {"q": "西华"}).content.decode()
    assert body.count("<option") == 1 and "西城区 / 西华街道 / 西华一社区" in body
    # by code prefix
    body = web(cast.city_admin).get("/orgs/communities/options/", {"q": "C0101"}).content.decode()
    assert body.count("<option") == 2


def test_suggestions_need_a_login(cast):
    assert Client().get("/orgs/communities/options/", {"q": "社区"}).status_code == 302


def test_person_list_searches_communities_by_text(cast):
    lf.person(cast.community, name="甲")
    lf.person(cast.sibling, name="乙")
    lf.person(cast.other_community, name="丙")
    client = web(cast.city_admin)
    # Text naming several communities: every matching community's persons.
    body = client.get("/ledgers/persons/", {"community": "东华"}).content.decode()
    assert "甲" in body and "乙" in body and "丙" not in body
    # Text naming exactly one community selects it (and the field shows its full name).
    body = client.get("/ledgers/persons/", {"community": "东华二"}).content.decode()
    assert "乙" in body and "甲" not in body
    assert 'value="东城区 / 东华街道 / 东华二社区"' in body
    # An id (links, the chosen suggestion) still works; outside the scope it filters nothing in.
    body = web(cast.county_reviewer).get("/ledgers/persons/", {"community": cast.other_community.pk}).content.decode()
    assert "丙" not in body


def test_person_list_does_not_list_every_community(cast):
    body = web(cast.city_admin).get("/ledgers/persons/").content.decode()
    assert "<select name=\"community\"" not in body
    assert 'hx-get="/orgs/communities/options/"' in body


def test_evaluation_list_is_paged_and_keeps_its_filters(cast, period):
    street = make_unit("大街道", "C0199", Level.STREET, cast.county)
    for i in range(60):
        Evaluation.objects.create(period=period, community=make_unit(f"大{i:02d}社区", f"C0199{i:02d}",
                                                                     Level.COMMUNITY, street))
    client = web(cast.city_admin)
    first = client.get("/evaluations/", {"period": period.pk, "state": "draft"}).content.decode()
    assert first.count('name="ids"') == 50
    assert "共 63 份" in first
    assert f"?period={period.pk}&amp;state=draft&page=2" in first
    second = client.get("/evaluations/", {"period": period.pk, "state": "draft", "page": 2}).content.decode()
    assert second.count('name="ids"') == 13
    only = client.get("/evaluations/", {"period": period.pk, "community": "大0"}).content.decode()
    assert only.count('name="ids"') == 10 and "共 10 份" in only


def test_evaluation_list_overdue_filter_is_done_in_the_database(cast, period):
    Evaluation.objects.filter(community=cast.community).update(state="submitted")
    period.county_deadline = datetime.date(2000, 1, 1)
    period.self_deadline = datetime.date(2999, 1, 1)
    period.save()
    body = web(cast.city_admin).get("/evaluations/", {"period": period.pk, "overdue": "on"}).content.decode()
    assert body.count('name="ids"') == 1 and "东华一社区" in body


def test_api_communities_are_paged_and_searchable(cast):
    api = ApiClient(cast.city_admin)
    out = api.get("/ledgers/communities", {"limit": 2}).json()
    assert out["total"] == 3 and len(out["items"]) == 2
    assert out["items"][0] == {"id": cast.community.pk, "name": "东华一社区", "full_name": "东城区 / 东华街道 / 东华一社区",
                               "code": "C010101", "editable": True}
    out = api.get("/ledgers/communities", {"q": "西华"}).json()
    assert [i["code"] for i in out["items"]] == ["C020101"]
    out = ApiClient(cast.street_viewer).get("/ledgers/communities").json()
    assert out["total"] == 2 and {i["editable"] for i in out["items"]} == {False}
