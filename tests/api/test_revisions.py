"""Lost updates through the API (issue 11 item 9): writes carry the revision the client saw."""

import pytest

from evaluations.models import Evaluation, LineScore, Stage, State
from evaluations.services.workflow import transition
from tests.api.conftest import ApiClient, assert_error
from tests.evaluations.conftest import fill_stage

pytestmark = pytest.mark.django_db


def _url(ev, suffix):
    return f"/evaluations/{ev.pk}{suffix}"


# (name, method, path, body) of every sheet write; each answers 428 without a revision.
WRITES = [
    ("score", "PUT", "/scores/self/1.2", {"score": 3}),
    ("fact", "PUT", "/facts/appraisal_system", {"value": True}),
    ("innovation", "PUT", "/innovation", {"text": "创新做法"}),
    ("transition", "POST", "/transitions", {"action": "submit"}),
]


@pytest.mark.parametrize("name,method,suffix,body", WRITES, ids=[w[0] for w in WRITES])
def test_write_without_revision_is_428_in_chinese(cast, evaluation, name, method, suffix, body):
    response = ApiClient(cast.operator).send(method, _url(evaluation, suffix), body)
    err = assert_error(response, 428, "revision_required")
    assert "expected_revision" in err["message"] and "If-Match" in err["message"]
    assert err["details"][0]["field"] == "expected_revision"


def test_if_match_header_is_accepted_and_etag_given(cast, evaluation):
    client = ApiClient(cast.operator)
    detail = client.get(_url(evaluation, ""))
    assert detail["ETag"] == f'"{evaluation.revision}"'
    ok = client.put(_url(evaluation, "/scores/self/1.2"), {"score": 3}, headers={"If-Match": detail["ETag"]})
    assert ok.status_code == 200, ok.content
    stale = client.put(_url(evaluation, "/scores/self/1.2"), {"score": 2}, headers={"If-Match": detail["ETag"]})
    assert_error(stale, 409, "stale_revision")
    assert_error(client.put(_url(evaluation, "/scores/self/1.2"), {"score": 2}, headers={"If-Match": "abc"}),
                 400, "bad_if_match")


def test_role_refusal_comes_before_the_revision(cast, evaluation):
    response = ApiClient(cast.street_viewer).put(_url(evaluation, "/scores/self/1.2"), {"score": 3})
    assert_error(response, 403, "permission_denied")


def test_race_two_clients_one_line(cast, evaluation):
    """The issue's replay: two clients read the sheet, both save line 1.2; the second is refused."""
    first, second = ApiClient(cast.operator), ApiClient(cast.operator)
    seen = first.get(_url(evaluation, "")).json()["revision"]
    assert second.get(_url(evaluation, "")).json()["revision"] == seen
    a = first.put(_url(evaluation, "/scores/self/1.2"), {"score": 3, "expected_revision": seen})
    assert a.status_code == 200, a.content
    b = second.put(_url(evaluation, "/scores/self/1.2"), {"score": 2, "expected_revision": seen})
    err = assert_error(b, 409, "stale_revision")
    assert "第 1.2 行" in err["message"]
    assert LineScore.objects.get(evaluation=evaluation, line_id="1.2", stage=Stage.SELF).score == 3


def test_pass_on_with_an_old_revision_is_refused(cast, evaluation):
    """A score changes under the reviewer: the pass-on sent with the revision they saw is refused."""
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    transition(evaluation, cast.county_reviewer, "county_start")
    evaluation.refresh_from_db()
    fill_stage(evaluation, cast.county_reviewer, Stage.COUNTY)
    reviewer, colleague = ApiClient(cast.county_reviewer), ApiClient(cast.county_reviewer)
    seen = reviewer.get(_url(evaluation, "")).json()["revision"]
    changed = colleague.put(_url(evaluation, "/scores/county/1.1"),
                            {"score": 1, "reason": "核查后扣分", "expected_revision": seen})
    assert changed.status_code == 200, changed.content
    refused = reviewer.post(_url(evaluation, "/transitions"), {"action": "county_pass", "expected_revision": seen})
    err = assert_error(refused, 409, "stale_revision")
    assert "第 1.1 行（县级审核）得分" in err["message"]
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.COUNTY_REVIEWING
    fresh = reviewer.get(_url(evaluation, "")).json()["revision"]
    done = reviewer.post(_url(evaluation, "/transitions"), {"action": "county_pass", "expected_revision": fresh})
    assert done.status_code == 200 and done.json()["state"] == State.COUNTY_PASSED


def test_return_with_line_comments_through_the_api(cast, evaluation):
    fill_stage(evaluation, cast.operator, Stage.SELF)
    transition(evaluation, cast.operator, "submit")
    evaluation.refresh_from_db()
    county = ApiClient(cast.county_reviewer)
    body = {"action": "county_return", "lines": ["1.2", "2.1"],
            "line_comments": {"1.2": "人员证明不全", "2.1": "未见公示"}, "expected_revision": evaluation.revision}
    assert county.post(_url(evaluation, "/transitions"), body).status_code == 200
    returns = ApiClient(cast.operator).get(_url(evaluation, "")).json()["returns"]
    assert [(r["line_id"], r["comment"]) for r in returns] == [("1.2", "人员证明不全"), ("2.1", "未见公示")]
