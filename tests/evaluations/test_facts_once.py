"""The ledger facts are computed at most once per request, and a save computes them outside the row lock;
while the ledgers do not change they are not computed again at all (ledgers.live_facts stores them)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from evaluations.services import scores as score_service
from ledgers import live_facts
from tests.cast import PASSWORD
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """Records, in order, each computation of one community's facts and each row lock of a sheet."""
    events: list[str] = []
    compute, lock = live_facts.facts.compute_community, score_service.lock

    def counted_compute(year, community_id):
        events.append("compute")
        return compute(year, community_id)

    def counted_lock(evaluation, user):
        events.append("lock")
        return lock(evaluation, user)

    monkeypatch.setattr(live_facts.facts, "compute_community", counted_compute)
    monkeypatch.setattr(score_service, "lock", counted_lock)
    return events


def ledgers_of(community):
    p = f.person(community)
    f.unemployed(p, date(2026, 2, 1))
    f.employed(p, date(2026, 3, 1))


def test_save_score_computes_facts_once_before_the_lock(evaluation, cast, calls):
    ledgers_of(cast.community)
    out = score_service.save_score(evaluation, cast.operator, "3.5.3", "self", 3)
    assert out.changed
    assert calls == ["compute", "lock"]


def test_a_second_save_reads_the_stored_facts(evaluation, cast, calls):
    score_service.save_score(evaluation, cast.operator, "3.5.3", "self", 3)
    evaluation.refresh_from_db()
    calls.clear()
    out = score_service.save_score(evaluation, cast.operator, "3.5.3", "self", 3)
    assert not out.changed
    assert calls == ["lock"]


def test_a_ledger_change_between_saves_computes_again_before_the_lock(evaluation, cast, calls):
    score_service.save_score(evaluation, cast.operator, "3.5.3", "self", 3)
    evaluation.refresh_from_db()
    ledgers_of(cast.community)
    calls.clear()
    score_service.save_score(evaluation, cast.operator, "3.5.3", "self", 2)
    assert calls == ["compute", "lock"]


def test_autosave_request_computes_facts_once(client, evaluation, cast, calls):
    ledgers_of(cast.community)
    client.login(username=cast.operator.username, password=PASSWORD)
    url = reverse("evaluations:save_line", args=[evaluation.pk, "3.5.3", "self"])
    response = client.post(url, {"score": "3", "revision": str(evaluation.revision)})
    assert response.status_code == 200
    assert "已保存" in response.content.decode()
    assert calls == ["compute", "lock"]


def test_draft_sheet_and_home_compute_facts_once_per_request(client, evaluation, cast, calls):
    ledgers_of(cast.community)
    client.login(username=cast.operator.username, password=PASSWORD)
    assert client.get(reverse("evaluations:detail", args=[evaluation.pk])).status_code == 200
    assert calls == ["compute"]
    calls.clear()
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("evaluations:detail", args=[evaluation.pk])).status_code == 200
    assert calls == []


def test_a_checklist_answer_in_the_request_is_seen_by_the_rerendered_row(client, evaluation, cast):
    client.login(username=cast.operator.username, password=PASSWORD)
    url = reverse("evaluations:save_fact", args=[evaluation.pk, "staff_count"])
    response = client.post(url, {"value": "4", "revision": str(evaluation.revision)})
    assert response.status_code == 200
    assert 'value="4"' in response.content.decode()
