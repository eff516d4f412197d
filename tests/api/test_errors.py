"""One error format, and 4xx (never 500) for malformed JSON, wrong types, huge payloads, unknown fields."""

import pytest
from django.test import override_settings

from tests.api.conftest import ApiClient, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(cast):
    return ApiClient(cast.operator)


def score_url(evaluation, stage="self", line="1.2"):
    return f"/evaluations/{evaluation.pk}/scores/{stage}/{line}"


@pytest.mark.parametrize("raw", ["{", "not json", '{"score": }', "\xff\xfe", "[1, 2"])
def test_malformed_json_is_400(operator, evaluation, raw):
    err = assert_error(operator.put(score_url(evaluation), raw=raw), 400, "malformed_json")
    assert "JSON" in err["message"]


def test_wrong_type_names_the_field(operator, evaluation):
    err = assert_error(operator.put(score_url(evaluation), {"score": "三分"}), 422, "validation_error")
    assert err["details"][0]["field"] == "score"
    assert "score" in err["message"] and "数字" in err["message"]


def test_body_must_be_an_object(operator, evaluation):
    assert_error(operator.put(score_url(evaluation), raw="[1,2,3]"), 422, "validation_error")


def test_unknown_fields_are_refused(operator, evaluation):
    err = assert_error(operator.put(score_url(evaluation), {"score": 3, "scroe": 4}), 422, "validation_error")
    assert err["details"][0]["field"] == "scroe" and err["details"][0]["type"] == "extra_forbidden"
    assert "不允许的字段" in err["message"]


def test_transition_unknown_action(cast, evaluation):
    err = assert_error(
        ApiClient(cast.county_reviewer).post(f"/evaluations/{evaluation.pk}/transitions", {"action": "approve"}),
        422,
        "unknown_action",
    )
    assert "county_pass" in err["message"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024 * 1024)
def test_huge_payload_is_413(operator, evaluation):
    body = '{"score": 3, "reason": "' + "长" * (1024 * 1024) + '"}'
    assert_error(operator.put(score_url(evaluation), raw=body), 413, "payload_too_large")


def test_long_text_field_is_422(cast, evaluation):
    body = {"score": 1, "reason": "长" * 5000}
    err = assert_error(ApiClient(cast.county_reviewer).put(score_url(evaluation, "county"), body), 422)
    assert err["details"][0]["field"] == "reason"


@pytest.mark.parametrize("url", ["/evaluations/99999999", "/evaluations/0", "/units/abc", "/periods/-1"])
def test_bad_ids_are_4xx(operator, period, url):
    response = operator.get(url)
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


def test_huge_ids_do_not_overflow(operator, period):
    assert_error(operator.get("/evaluations/" + "9" * 40), 422, "validation_error")
    assert_error(operator.get("/evaluations", {"limit": 10**30}), 422, "validation_error")


def test_paging_parameters(cast, period):
    client = ApiClient(cast.city_admin)
    first = client.get("/evaluations", {"limit": 2, "offset": 0}).json()
    second = client.get("/evaluations", {"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == 3
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})
    assert_error(client.get("/evaluations", {"limit": 0}), 422)
    assert_error(client.get("/evaluations", {"limit": 201}), 422)
    assert_error(client.get("/evaluations", {"state": "nonsense"}), 422)


def test_filters(cast, period, evaluation):
    client = ApiClient(cast.city_admin)
    body = client.get("/evaluations", {"county": cast.county.pk}).json()
    assert {i["community"]["id"] for i in body["items"]} == {cast.community.pk, cast.sibling.pk}
    assert client.get("/evaluations", {"state": "published"}).json()["total"] == 0
    assert client.get("/evaluations", {"community": cast.community.pk}).json()["items"][0]["id"] == evaluation.pk


def test_workflow_refusal_is_409_with_problems(operator, evaluation):
    err = assert_error(
        operator.post(f"/evaluations/{evaluation.pk}/transitions",
                      {"action": "submit", "expected_revision": evaluation.revision}), 409, "workflow_error"
    )
    assert err["details"] and all("message" in d for d in err["details"])


def test_stale_revision_is_409(cast, evaluation):
    client = ApiClient(cast.operator)
    first = client.put(score_url(evaluation), {"score": 3, "expected_revision": 0})
    assert first.status_code == 200, first.content
    stale = client.put(score_url(evaluation), {"score": 2, "expected_revision": 0})
    err = assert_error(stale, 409, "stale_revision")
    assert "已过期" in err["message"]


def test_invalid_score_is_422_naming_the_line(operator, evaluation):
    err = assert_error(operator.put(score_url(evaluation), {"score": 99, "expected_revision": evaluation.revision}),
                       422, "invalid_value")
    assert "1.2" in err["message"]


def test_role_lacking_action_is_403_in_common_format(cast, evaluation):
    err = assert_error(ApiClient(cast.street_viewer).put(score_url(evaluation), {"score": 3}), 403, "permission_denied")
    assert "角色" in err["message"]


def test_unknown_url_and_method(operator):
    response = operator.get("/no-such-endpoint")
    assert response.status_code == 404
    response = operator.send("patch", "/me", {})
    assert response.status_code == 405
    assert_error(response, 405, "method_not_allowed")
