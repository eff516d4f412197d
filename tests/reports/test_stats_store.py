"""Stored statistics per period × community: scoped cost, stale marking, snapshots, computed-at time."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from evaluations.models import Evaluation, State
from ledgers.models import FactSnapshot
from reports import dashboards, stats_store, summaries
from reports.models import CommunityStat
from tests.cast import PASSWORD
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db


def unemployed_person(community, registered=date(2025, 2, 1)):
    p = f.person(community)
    f.unemployed(p, registered)
    return p


def stored(period):
    return {r.community_id: r for r in CommunityStat.objects.filter(period=period)}


def test_a_county_view_computes_its_county_only(client, cast, period):
    unemployed_person(cast.community)
    unemployed_person(cast.other_community)
    client.login(username=cast.county_reviewer.username, password=PASSWORD)
    html = client.get(reverse("reports:ledger_stats") + "?period=2025").content.decode()
    assert set(stored(period)) == {cast.community.pk, cast.sibling.pk}
    assert "统计时间：" in html


def test_rows_are_reused_until_the_ledgers_change(cast, period):
    communities = summaries.scoped_communities(cast.city_admin)
    unemployed_person(cast.community)
    first = stats_store.stats_for(period, communities)
    assert first.values[cast.community.pk]["new_registrations"] == 1
    at = stored(period)[cast.community.pk].computed_at
    assert stats_store.stats_for(period, communities).computed_at == first.computed_at
    assert stored(period)[cast.community.pk].computed_at == at
    # A new record marks only that community's row stale; the next read recomputes it alone.
    unemployed_person(cast.community, date(2025, 6, 1))
    rows = stored(period)
    assert rows[cast.community.pk].stale and not rows[cast.other_community.pk].stale
    again = stats_store.stats_for(period, communities)
    assert again.values[cast.community.pk]["new_registrations"] == 2
    rows = stored(period)
    assert not rows[cast.community.pk].stale and rows[cast.community.pk].computed_at > at
    assert rows[cast.other_community.pk].computed_at == at


def test_outcomes_of_a_submitted_sheet_come_from_its_snapshot(cast, period):
    """As on the sheet: past the draft the frozen snapshot counts, not the live ledgers."""
    unemployed_person(cast.community)
    ev = Evaluation.objects.create(period=period, community=cast.community)
    ev.state = State.SUBMITTED
    ev.save()
    FactSnapshot.objects.create(evaluation=ev, reason=FactSnapshot.Reason.SUBMIT, taken_by=cast.operator,
                                values={"registered_unemployed_total": 7, "registered_unemployed_employed": 3},
                                records={})
    unemployed_person(cast.community, date(2025, 7, 1))  # after submission: in the counts, not the outcomes
    stats = stats_store.stats_for(period, summaries.scoped_communities(cast.city_admin))
    mine = stats.values[cast.community.pk]
    assert (mine["registered_unemployed_total"], mine["registered_unemployed_employed"]) == (7, 3)
    assert mine["new_registrations"] == 2
    assert stored(period)[cast.community.pk].fact_source == "snapshot"
    # Returned to draft: the sheet reads live ledgers again, and so do the statistics.
    ev.state = State.DRAFT
    ev.save(update_fields=["state"])
    mine = stats_store.stats_for(period, summaries.scoped_communities(cast.city_admin)).values[cast.community.pk]
    assert mine["registered_unemployed_total"] == 2


def test_outcomes_dashboard_shows_when_it_was_computed(client, cast, period):
    unemployed_person(cast.community)
    rates, _ = dashboards.outcomes(period, summaries.scoped_communities(cast.city_admin), cast.city_admin)
    assert rates["computed_at"] is not None
    client.login(username=cast.city_admin.username, password=PASSWORD)
    html = client.get(reverse("reports:dashboard", args=["outcomes"]) + "?period=2025").content.decode()
    assert 'data-testid="computed-at"' in html and "统计时间：" in html


def test_rebuild_command_recomputes_every_row(cast, period):
    unemployed_person(cast.other_community)
    call_command("rebuild_stats", "--year", "2025")
    rows = stored(period)
    assert set(rows) == {cast.community.pk, cast.sibling.pk, cast.other_community.pk}
    assert rows[cast.other_community.pk].values["new_registrations"] == 1
    assert not any(r.stale for r in rows.values())


def test_city_page_of_a_big_city_shows_district_subtotals_only(client, cast, period, monkeypatch):
    from reports import views

    monkeypatch.setattr(views, "LEDGER_STATS_MAX_ROWS", 2)
    unemployed_person(cast.community)
    client.login(username=cast.city_admin.username, password=PASSWORD)
    html = client.get(reverse("reports:ledger_stats") + "?period=2025").content.decode()
    assert 'data-testid="summary-only"' in html
    assert "东华一社区" not in html and 'data-kind="community"' not in html
    assert html.count('data-kind="subtotal"') == 2 and f"county={cast.county.pk}" in html
    html = client.get(reverse("reports:ledger_stats") + f"?period=2025&county={cast.county.pk}").content.decode()
    assert "东华一社区" in html and 'data-testid="summary-only"' not in html
