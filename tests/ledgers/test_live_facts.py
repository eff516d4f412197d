"""A draft sheet's ledger facts are stored and recomputed only after a change of the community's ledgers."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.facts import collect_facts
from ledgers import live_facts
from ledgers.facts import compute_community
from ledgers.models import LedgerGeneration, LiveFacts
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db


def _unemployed_total(evaluation) -> int:
    return collect_facts(evaluation)["registered_unemployed_total"].value


def test_stored_values_equal_a_fresh_computation(evaluation, cast):
    p = f.person(cast.community)
    f.unemployed(p, date(2025, 2, 1))
    f.employed(p, date(2025, 3, 1))
    stored = live_facts.values_for(2025, cast.community.pk)
    assert stored == compute_community(2025, cast.community.pk)[0]
    assert LiveFacts.objects.get(community=cast.community, year=2025).values == stored


def test_second_read_runs_no_fact_query(evaluation, cast):
    f.unemployed(f.person(cast.community), date(2025, 2, 1))
    live_facts.values_for(2025, cast.community.pk)
    with CaptureQueriesContext(connection) as ctx:
        assert live_facts.values_for(2025, cast.community.pk)["registered_unemployed_total"] == 1
    assert len(ctx.captured_queries) == 1  # the stored row with the current generation


@pytest.mark.parametrize("change", ["add", "edit", "delete"])
def test_a_ledger_change_is_seen_at_the_next_read(evaluation, cast, change):
    p = f.person(cast.community)
    reg = f.unemployed(p, date(2025, 2, 1))
    assert _unemployed_total(evaluation) == 1
    if change == "add":
        f.unemployed(f.person(cast.community), date(2025, 5, 1))
        expected = 2
    elif change == "edit":
        reg.registered_on = date(2026, 2, 1)  # after the period: no longer counted
        reg.save()
        expected = 0
    else:
        reg.delete()
        expected = 0
    assert _unemployed_total(evaluation) == expected


def test_another_communitys_change_keeps_the_stored_row(evaluation, cast):
    f.unemployed(f.person(cast.community), date(2025, 2, 1))
    live_facts.values_for(2025, cast.community.pk)
    f.unemployed(f.person(cast.other_community), date(2025, 2, 1))
    row = LiveFacts.objects.get(community=cast.community, year=2025)
    assert row.generation == live_facts.generation(cast.community.pk)


def test_a_change_during_the_computation_is_not_trusted(evaluation, cast, monkeypatch):
    f.unemployed(f.person(cast.community), date(2025, 2, 1))
    original = live_facts.facts.compute_community

    def racing(year, community_id):
        result = original(year, community_id)
        # Another request changes the ledgers after the values were read, before they are stored.
        f.unemployed(f.person(cast.community), date(2025, 6, 1))
        return result

    monkeypatch.setattr(live_facts.facts, "compute_community", racing)
    assert live_facts.values_for(2025, cast.community.pk)["registered_unemployed_total"] == 1
    monkeypatch.setattr(live_facts.facts, "compute_community", original)
    assert live_facts.values_for(2025, cast.community.pk)["registered_unemployed_total"] == 2


def test_changed_definitions_recompute(evaluation, cast, monkeypatch):
    f.unemployed(f.person(cast.community), date(2025, 2, 1))
    live_facts.values_for(2025, cast.community.pk)
    LiveFacts.objects.filter(community=cast.community).update(values={"registered_unemployed_total": 99})
    assert live_facts.values_for(2025, cast.community.pk)["registered_unemployed_total"] == 99
    monkeypatch.setattr(live_facts, "DEFINITIONS", "another")
    assert live_facts.values_for(2025, cast.community.pk)["registered_unemployed_total"] == 1


def test_bulk_writes_mark_the_communities(cast):
    live_facts.ledgers_changed([cast.community.pk, cast.community.pk, None])
    live_facts.ledgers_changed([cast.community.pk, cast.other_community.pk])
    assert dict(LedgerGeneration.objects.values_list("community_id", "generation")) == {
        cast.community.pk: 2, cast.other_community.pk: 1,
    }


def test_values_of_many_communities_recompute_only_the_changed(evaluation, cast):
    f.unemployed(f.person(cast.community), date(2025, 2, 1))
    ids = [cast.community.pk, cast.sibling.pk]
    first = live_facts.values_for_many(2025, ids)
    assert first[cast.community.pk]["registered_unemployed_total"] == 1
    assert first[cast.sibling.pk]["registered_unemployed_total"] == 0
    with CaptureQueriesContext(connection) as ctx:
        assert live_facts.values_for_many(2025, ids) == first
    assert len(ctx.captured_queries) == 2  # generations, stored rows
    f.unemployed(f.person(cast.sibling), date(2025, 3, 1))  # bumps the sibling's generation
    again = live_facts.values_for_many(2025, ids)
    assert again[cast.sibling.pk]["registered_unemployed_total"] == 1
    assert live_facts.values_for(2025, cast.sibling.pk) == again[cast.sibling.pk]
