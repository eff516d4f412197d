"""The API permission matrix: every endpoint × role × own/other unit, written out as literals.

"ok" means allowed: neither 401/403/404/500 (the workflow may still refuse with 409/422 — that is the
state, not the role). "other" is a sheet of 西华一社区 in another county: the city sees it, the cast's
county, street and community answer 404 (its existence is not revealed).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orgs.scoping import community_filter
from tests.api.conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db

ROLES = ["city_admin", "city_reviewer", "county_reviewer", "street_viewer", "community_operator"]

OK = "ok"
# Roles in the order of ROLES: city_admin, city_reviewer, county_reviewer, street_viewer, community_operator.
ALL = (OK, OK, OK, OK, OK)
# (name, method, path under /evaluations/{id}, body, expected for the own sheet per role)
SHEET_ENDPOINTS = [
    ("detail", "GET", "", None, ALL),
    ("result", "GET", "/result", None, ALL),
    ("facts", "GET", "/facts", None, ALL),
    ("history", "GET", "/history", None, ALL),
    ("transitions", "GET", "/transitions", None, ALL),
    ("evidence", "GET", "/evidence", None, ALL),
    ("actions", "GET", "/actions", None, ALL),
    ("score_self", "PUT", "/scores/self/1.2", {"score": 3}, (403, 403, 403, 403, OK)),
    ("score_county", "PUT", "/scores/county/1.2", {"score": 3, "reason": "核查"}, (403, 403, OK, 403, 403)),
    ("score_city", "PUT", "/scores/city/1.2", {"score": 3, "reason": "核查"}, (OK, OK, 403, 403, 403)),
    ("fact", "PUT", "/facts/appraisal_system", {"value": True}, (OK, OK, OK, 403, OK)),
    ("innovation", "PUT", "/innovation", {"text": "创新做法"}, (403, 403, 403, 403, OK)),
    ("submit", "POST", "/transitions", {"action": "submit"}, (403, 403, 403, 403, OK)),
    ("county_start", "POST", "/transitions", {"action": "county_start"}, (403, 403, OK, 403, 403)),
    ("county_return", "POST", "/transitions", {"action": "county_return", "comment": "补", "lines": ["1.1"]},
     (403, 403, OK, 403, 403)),
    ("city_start", "POST", "/transitions", {"action": "city_start"}, (OK, OK, 403, 403, 403)),
    ("publish", "POST", "/transitions", {"action": "publish"}, (OK, OK, 403, 403, 403)),
    # The notice's steps are not sheet actions: refused in the common error format (403 for other roles).
    ("start_notice", "POST", "/transitions", {"action": "start_notice"}, (OK, 403, 403, 403, 403)),
    ("reopen_for_objection", "POST", "/transitions", {"action": "reopen_for_objection", "comment": "异议",
                                                      "lines": ["1.1"]}, (OK, OK, 403, 403, 403)),
    ("reopen", "POST", "/transitions", {"action": "reopen", "comment": "更正"}, (OK, 403, 403, 403, 403)),
    ("upload", "UPLOAD", "/evidence", None, (OK, OK, OK, 403, OK)),
]
# The other county's objects: the city reaches them, nobody of the cast's county does.
OTHER_UNIT = (None, None, 404, 404, 404)


def expected_status(role: str, which: str, own: tuple) -> int | str:
    i = ROLES.index(role)
    if which == "other" and OTHER_UNIT[i] is not None:
        return OTHER_UNIT[i]
    return own[i]


def call(client: ApiClient, method: str, url: str, body):
    if method == "GET":
        return client.get(url)
    if method == "UPLOAD":
        upload = SimpleUploadedFile("说明.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
        return client.client.post(
            "/api" + url, {"line_id": "1.1", "title": "文件", "file": upload}, headers=client._headers()
        )
    return client.send(method, url, body)


@pytest.mark.parametrize("which", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", SHEET_ENDPOINTS, ids=[e[0] for e in SHEET_ENDPOINTS])
def test_sheet_endpoint_matrix(cast, period, evaluation, other_evaluation, role, which, endpoint):
    name, method, suffix, body, own = endpoint
    user = cast.users_by_role()[role]
    target = evaluation if which == "own" else other_evaluation
    response = call(ApiClient(user), method, f"/evaluations/{target.pk}{suffix}", body)
    expected = expected_status(role, which, own)
    if expected == OK:
        assert response.status_code not in (401, 403, 404, 500), (response.status_code, response.content[:400])
        if response.status_code >= 400:
            assert_error(response, response.status_code)  # refused by the workflow, in the common format
    else:
        assert_error(response, expected)


@pytest.mark.parametrize("role", ROLES)
def test_period_endpoints_matrix(cast, period, role):
    user = cast.users_by_role()[role]
    client = ApiClient(user)
    assert client.get("/periods").status_code == 200
    assert client.get(f"/periods/{period.pk}").status_code == 200
    create = client.post("/periods", {"year": 2040, "communities": [cast.community.pk]})
    patch = client.patch(f"/periods/{period.pk}", {"name": "改名"})
    if role == "city_admin":
        assert create.status_code == 201, create.content
        assert patch.status_code == 200 and patch.json()["name"] == "改名"
    else:
        assert_error(create, 403, "permission_denied")
        assert_error(patch, 403, "permission_denied")


@pytest.mark.parametrize("role", [*ROLES, "outsider", "other_county_reviewer"])
def test_lists_only_show_the_unit(cast, period, role):
    from evaluations.models import Evaluation
    from orgs.scoping import visible_units

    user = cast.users_by_role()[role]
    body = ApiClient(user).get("/evaluations", {"limit": 200}).json()
    expected = set(
        Evaluation.objects.filter(community_filter(user, "community")).values_list("pk", flat=True)
    )
    assert {item["id"] for item in body["items"]} == expected and body["total"] == len(expected)
    units = ApiClient(user).get("/units", {"limit": 200}).json()
    assert {u["id"] for u in units["items"]} == set(visible_units(user).values_list("pk", flat=True))


def test_unit_outside_scope_is_404(cast):
    client = ApiClient(cast.operator)
    assert client.get(f"/units/{cast.community.pk}").status_code == 200
    assert_error(client.get(f"/units/{cast.other_community.pk}"), 404, "not_found")


def test_evidence_outside_scope_is_404(cast, period, evaluation):
    from evaluations.services import evidence as evidence_service

    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    rev = evidence_service.upload(evaluation, cast.operator, "1.1", upload, title="文件")
    mine = ApiClient(cast.operator)
    assert mine.get(f"/evidence/{rev.evidence_id}").status_code == 200
    download = mine.get(f"/evidence/{rev.evidence_id}/download")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    outsider = ApiClient(cast.outsider)
    assert_error(outsider.get(f"/evidence/{rev.evidence_id}"), 404)
    assert_error(outsider.get(f"/evidence/{rev.evidence_id}/download"), 404)
    assert_error(outsider.get(f"/evidence/{rev.evidence_id}/revisions/1/download"), 404)
    from orgs.models import AccessLog

    assert AccessLog.objects.filter(user=cast.operator, kind="download").count() == 1


def test_anonymous_is_401_everywhere(cast, period, evaluation):
    anonymous = ApiClient()
    for _, method, suffix, body, _ in SHEET_ENDPOINTS:
        response = call(anonymous, method, f"/evaluations/{evaluation.pk}{suffix}", body)
        assert_error(response, 401, "not_authenticated")
    for url in ("/me", "/units", "/periods", "/evaluations", "/standard", "/tokens"):
        assert_error(anonymous.get(url), 401, "not_authenticated")


# ---- ledgers and reports: the same rule on objects of other apps --------------------------------------

@pytest.fixture
def ledger_objects(cast):
    import datetime

    from ledgers.models import Household, Person

    out = {}
    for which, unit, id_number in (("own", cast.community, "11010519491231002X"),
                                   ("other", cast.other_community, "110105194912310037")):
        hh = Household.objects.create(community=unit, code=f"H-{which}", head_name="户主")
        person = Person.objects.create(community=unit, household=hh, name="某人", id_number=id_number,
                                       birth_date=datetime.date(1949, 12, 31), sex="M")
        out[which] = {"household": hh, "person": person}
    return out


LEDGER_EDITORS = (OK, 403, 403, 403, OK)  # the community keeps its ledgers, the city administrator corrects
# (name, method, url template, body, expected for the own community's object per role, object key)
LEDGER_ENDPOINTS = [
    ("person_get", "GET", "/ledgers/persons/{id}", None, ALL, "person"),
    ("person_patch", "PATCH", "/ledgers/persons/{id}", {"address": "新地址"}, LEDGER_EDITORS, "person"),
    ("person_unmask", "POST", "/ledgers/persons/{id}/unmask", {}, (OK, 403, OK, 403, OK), "person"),
    ("household_get", "GET", "/ledgers/households/{id}", None, ALL, "household"),
    ("household_patch", "PATCH", "/ledgers/households/{id}", {"address": "新地址"}, LEDGER_EDITORS, "household"),
    ("visit_create", "POST", "/ledgers/records/visit", "parent", LEDGER_EDITORS, "household"),
]


@pytest.mark.parametrize("which", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", LEDGER_ENDPOINTS, ids=[e[0] for e in LEDGER_ENDPOINTS])
def test_ledger_endpoint_matrix(cast, ledger_objects, role, which, endpoint):
    name, method, template, body, own, key = endpoint
    user = cast.users_by_role()[role]
    obj = ledger_objects[which][key]
    if body == "parent":
        body = {"parent": obj.pk, "visited_on": "2026-03-01", "visitor": "王五", "record": "走访"}
    response = call(ApiClient(user), method, template.format(id=obj.pk), body)
    expected = expected_status(role, which, own)
    if expected == OK:
        assert response.status_code not in (401, 403, 404, 500), (response.status_code, response.content[:400])
    else:
        assert_error(response, expected)


@pytest.mark.parametrize("which", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
def test_form_download_matrix(cast, evaluation, other_evaluation, role, which):
    user = cast.users_by_role()[role]
    target = evaluation if which == "own" else other_evaluation
    response = ApiClient(user).get(f"/evaluations/{target.pk}/form/xlsx")
    expected = expected_status(role, which, ALL)
    if expected == OK:
        assert response.status_code == 200
    else:
        assert_error(response, expected)
