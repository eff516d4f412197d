"""Issue 11.6: a search by ID number never puts the number in a URL (pages and API)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.conftest import ApiClient
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["ledgers:persons", "ledgers:households", "ledgers:employers"])
def test_list_search_form_posts(cast, url_name):
    client = Client()
    client.force_login(cast.operator)
    page = client.get(reverse(url_name)).content.decode()
    assert 'method="post"' in page and 'method="get"' not in page.split("<main", 1)[-1].split('name="q"')[0][-400:]


def test_person_search_by_id_keeps_the_number_out_of_every_url(cast):
    p = f.person(cast.community, name="李四")
    f.person(cast.community, name="王五")
    client = Client()
    client.force_login(cast.operator)
    response = client.post(reverse("ledgers:persons"), {"q": p.id_number, "status": ""})
    assert response.status_code == 303
    location = response["Location"]
    assert p.id_number not in location and "?s=" in location
    page = client.get(location)
    html = page.content.decode()
    assert "李四" in html and "王五" not in html
    # Paging links carry the token, never the text.
    assert p.id_number not in page.wsgi_request.get_full_path()


def test_htmx_search_pushes_the_token_url(cast):
    p = f.person(cast.community, name="李四")
    client = Client()
    client.force_login(cast.operator)
    response = client.post(reverse("ledgers:persons"), {"q": p.id_number}, headers={"HX-Request": "true"}, follow=True)
    assert response.status_code == 200 and "李四" in response.content.decode()
    assert p.id_number not in response["HX-Push-Url"] and "s=" in response["HX-Push-Url"]


def test_a_token_of_another_session_finds_nothing(cast):
    p = f.person(cast.community, name="李四")
    f.person(cast.community, name="王五")
    first, second = Client(), Client()
    first.force_login(cast.operator)
    second.force_login(cast.operator)
    location = first.post(reverse("ledgers:persons"), {"q": p.id_number})["Location"]
    html = second.get(location).content.decode()
    assert "王五" in html  # unknown token: no search text, the unfiltered list


def test_api_search_in_the_body(cast):
    p = f.person(cast.community, name="李四")
    f.person(cast.community, name="王五")
    api = ApiClient(user=cast.operator)
    response = api.send("POST", "/ledgers/persons/search", {"q": p.id_number})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == 1 and body["items"][0]["name"] == "李四"
    assert p.id_number not in response.wsgi_request.get_full_path()
