"""After a transition every reader gets the state it just moved to: submitted sheets read the snapshot.

The ledgers' fact provider decides live vs snapshot from evaluation.state, so an object still marked
draft after a submit would read live ledgers. These tests submit a sheet, change the ledger after, and
read facts through the paths people use: the sheet page, the service's returned object, the API.
"""

from datetime import date

import pytest
from django.urls import reverse

from evaluations.models import Evaluation, State
from evaluations.services import workflow
from evaluations.views import Sheet
from ledgers.facts import FACT_NAMES
from tests.api.conftest import ApiClient
from tests.cast import PASSWORD
from tests.evaluations.conftest import GOOD_FACTS, answer_facts, fill_stage
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db


def _ledger(community):
    """Four hard-to-employ people of the period (2026), three of them employed: 3/4."""
    people = [f.person(community, name=f"居民{i}") for i in range(4)]
    for p in people:
        f.hardship(p, date(2026, 1, 10))
    for p in people[:3]:
        f.employed(p, date(2026, 2, 1))
    return people


def _ready(evaluation, cast):
    answer_facts(evaluation, cast.operator, {k: v for k, v in GOOD_FACTS.items() if k not in FACT_NAMES})
    return fill_stage(evaluation, cast.operator, "self")


def _assert_snapshot(facts, employed=3):
    fv = facts["hard_to_employ_employed"]
    assert (fv.value, fv.source) == (employed, "snapshot")
    assert "提交时快照" in fv.label
    assert facts["hard_to_employ_total"].source == "snapshot"


def test_sheet_page_after_submit_reads_the_snapshot(client, evaluation, cast):
    people = _ledger(cast.community)
    _ready(evaluation, cast)
    client.login(username="t_operator", password=PASSWORD)
    before = client.get(reverse("evaluations:detail", args=[evaluation.pk]))
    assert before.context["sheet"].facts["hard_to_employ_employed"].source == "ledger"
    evaluation.refresh_from_db()
    response = client.post(reverse("evaluations:transition", args=[evaluation.pk, "submit"]),
                           {"revision": evaluation.revision})
    assert response.status_code == 302
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.SUBMITTED
    f.employed(people[3], date(2026, 3, 1))  # a ledger edit after submission: 4/4 live
    page = client.get(reverse("evaluations:detail", args=[evaluation.pk]))
    sheet = page.context["sheet"]
    _assert_snapshot(sheet.facts)
    explanation = sheet.result.suggestions["3.5.2"].explanation
    assert "3/4" in explanation and "3/4" in page.content.decode()
    row = next(r for r in sheet.fact_rows() if r["name"] == "hard_to_employ_employed")
    assert row["value"] == 3 and "提交时快照" in row["source"]


def test_object_returned_by_the_transition_is_current(evaluation, cast):
    people = _ledger(cast.community)
    _ready(evaluation, cast)
    submitted = workflow.submit(evaluation, cast.operator)
    assert submitted.state == State.SUBMITTED
    f.employed(people[3], date(2026, 3, 1))
    _assert_snapshot(Sheet(submitted, cast.operator).facts)
    # What the page does on the next request: a fresh lookup.
    _assert_snapshot(Sheet(Evaluation.objects.get(pk=evaluation.pk), cast.county_reviewer).facts)
    # The cached totals were computed after the state change, from the snapshot as well.
    assert Evaluation.objects.get(pk=evaluation.pk).self_total is not None


def test_api_after_submit_reads_the_snapshot(evaluation, cast):
    people = _ledger(cast.community)
    _ready(evaluation, cast)
    api = ApiClient(cast.operator)
    evaluation.refresh_from_db()
    response = api.send("post", f"/evaluations/{evaluation.pk}/transitions",
                        {"action": "submit", "expected_revision": evaluation.revision})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == State.SUBMITTED
    f.employed(people[3], date(2026, 3, 1))
    facts = {row["name"]: row for row in api.get(f"/evaluations/{evaluation.pk}/facts").json()}
    assert (facts["hard_to_employ_employed"]["value"], facts["hard_to_employ_employed"]["source"]) == (3, "snapshot")
    result = api.get(f"/evaluations/{evaluation.pk}/result").json()
    assert "3/4" in result["suggestions"]["3.5.2"]["explanation"]


def test_returned_sheet_reads_live_ledgers_again(client, evaluation, cast):
    people = _ledger(cast.community)
    _ready(evaluation, cast)
    submitted = workflow.submit(evaluation, cast.operator)
    f.employed(people[3], date(2026, 3, 1))
    client.login(username="t_county", password=PASSWORD)
    response = client.post(
        reverse("evaluations:transition", args=[evaluation.pk, "county_return"]),
        {"comment": "请核实就业困难人员台帐", "lines": ["3.5.2"], "revision": submitted.revision},
    )
    assert response.status_code == 302
    client.login(username="t_operator", password=PASSWORD)
    sheet = client.get(reverse("evaluations:detail", args=[evaluation.pk])).context["sheet"]
    fv = sheet.facts["hard_to_employ_employed"]
    assert (fv.value, fv.source) == (4, "ledger")
    assert "4/4" in sheet.result.suggestions["3.5.2"].explanation
