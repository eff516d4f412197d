"""Who may draw, check and see results: a literal table (role, page, method) -> status.

County and city reviewers draw and check in their scope; the community and street see the results of
their own community only after the county has decided (evaluations.policy.may_see_verification).
"""

from datetime import date

import pytest
from django.urls import reverse

from evaluations.models import Evaluation, State
from tests.cast import PASSWORD
from tests.ledgers import factories as lf
from verification import services
from verification.models import ReferenceKind, ReferenceSource

ROLES = ["community_operator", "street_viewer", "county_reviewer", "city_reviewer", "city_admin", "outsider",
         "other_county_reviewer"]
#            operator street county city  admin outsider other_county
TABLE = {
    ("community", "get"): (403, 403, 200, 200, 200, 404, 404),
    ("draw_detail", "get"): (403, 403, 200, 200, 200, 404, 404),
    ("check", "get"): (403, 403, 200, 200, 200, 404, 404),
    ("check", "post"): (403, 403, 302, 302, 302, 404, 404),
    ("report", "get"): (403, 403, 200, 200, 200, 404, 404),
    ("draw", "post"): (403, 403, 302, 302, 302, 404, 404),
    ("source_edit", "get"): (403, 403, 403, 200, 200, 403, 403),
    ("reconcile", "get"): (403, 403, 200, 200, 200, 403, 404),
    ("reconcile_xlsx", "get"): (403, 403, 200, 200, 200, 403, 404),
}
# After the county has passed the sheet, its community and street see the results (read only).
RELEASED = {
    ("community", "get"): (200, 200, 200, 200, 200, 404, 404),
    ("check", "get"): (200, 200, 200, 200, 200, 404, 404),
    ("check", "post"): (403, 403, 302, 302, 302, 404, 404),
}


@pytest.fixture
def world(cast, period):
    for i in range(3):
        lf.unemployed(lf.person(cast.community, name=f"权{i}"), date(2026, 2, 1 + i))
    d = services.draw(cast.county_reviewer, cast.community, period, "unemployment", count=2, seed=5)
    source = ReferenceSource.objects.create(name="来源", kind=ReferenceKind.UNEMPLOYED)
    return {"draw": d, "check": d.checks.first(), "source": source, "cast": cast, "period": period}


def _url(name, w):
    c = w["cast"].community
    return {
        "community": reverse("verification:community", args=[c.pk, 2026]),
        "draw_detail": reverse("verification:draw_detail", args=[w["draw"].pk]),
        "check": reverse("verification:check", args=[w["check"].pk]),
        "report": reverse("verification:report", args=[c.pk, 2026, "xlsx"]),
        "draw": reverse("verification:draw", args=[c.pk, 2026]),
        "source_edit": reverse("verification:source_edit", args=[w["source"].pk]),
        "reconcile": reverse("verification:reconcile", args=[c.pk]),
        "reconcile_xlsx": reverse("verification:reconcile_xlsx", args=[c.pk]),
    }[name]


BODIES = {"check": {"method": "phone", "result": "confirmed"}, "draw": {"kind": "visit", "count": "1"}}


def _user(cast, role):
    return {"community_operator": cast.operator, "street_viewer": cast.street_viewer,
            "county_reviewer": cast.county_reviewer, "city_reviewer": cast.city_reviewer,
            "city_admin": cast.city_admin, "outsider": cast.outsider,
            "other_county_reviewer": cast.other_county_reviewer}[role]


def _run(client, world, table, key, role):
    name, method = key
    user = _user(world["cast"], role)
    assert client.login(username=user.username, password=PASSWORD)
    url = _url(name, world)
    response = client.post(url, BODIES.get(name, {})) if method == "post" else client.get(url)
    assert response.status_code == table[key][ROLES.index(role)], (key, role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", list(TABLE))
@pytest.mark.django_db
def test_permission_table(client, world, key, role):
    _run(client, world, TABLE, key, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", list(RELEASED))
@pytest.mark.django_db
def test_results_released_after_county_decides(client, world, key, role):
    Evaluation.objects.filter(community=world["cast"].community).update(state=State.COUNTY_PASSED)
    _run(client, world, RELEASED, key, role)


@pytest.mark.django_db
def test_index_hides_counts_until_the_county_decides(client, world):
    cast = world["cast"]
    client.force_login(cast.operator)
    page = client.get(reverse("verification:index")).content.decode()
    assert "县级审核作出决定后公开" in page
    assert reverse("verification:community", args=[cast.community.pk, 2026]) not in page
    Evaluation.objects.filter(community=cast.community).update(state=State.COUNTY_PASSED)
    page = client.get(reverse("verification:index")).content.decode()
    assert reverse("verification:community", args=[cast.community.pk, 2026]) in page
