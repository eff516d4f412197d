"""Provider, snapshot at submission, reviewer refresh with differences, drill-down pages."""

from datetime import date

import pytest
from django.urls import reverse

from evaluations.facts import checklist_fact_names, collect_facts
from evaluations.models import AuditEvent
from ledgers.facts import FACT_NAMES
from ledgers.models import FactSnapshot
from ledgers.snapshots import SnapshotError, refresh_snapshot
from tests.cast import PASSWORD
from tests.ledgers import factories as f
from tests.ledgers.conftest import submit_sheet

pytestmark = pytest.mark.django_db


def _ledger(community):
    p = f.person(community, name="李四")
    f.unemployed(p, date(2025, 2, 1))
    f.employed(p, date(2025, 3, 1))
    q = f.person(community, name="王五")
    f.unemployed(q, date(2025, 2, 1))
    return p, q


def test_provider_gives_live_values_with_source_and_drill_url(evaluation, cast):
    _ledger(cast.community)
    facts = collect_facts(evaluation)
    fv = facts["registered_unemployed_total"]
    assert (fv.value, fv.source, fv.label) == (2, "ledger", "台帐（实时计算）")
    assert fv.drill_url == reverse("ledgers:fact_records", args=[evaluation.pk, "registered_unemployed_total"])
    standard = evaluation.period.standard.standard
    checklist = checklist_fact_names(standard)
    assert not FACT_NAMES & set(checklist)
    assert "employment_card_full" in checklist and "serious_incident" in checklist


def test_snapshot_at_submission_freezes_values(evaluation, cast):
    p, q = _ledger(cast.community)
    submit_sheet(evaluation, cast.operator)
    snap = FactSnapshot.objects.get(evaluation=evaluation)
    assert snap.values["registered_unemployed_employed"] == 1
    assert snap.records["registered_unemployed_total"] == sorted([p.pk, q.pk])
    f.employed(q, date(2025, 4, 1))  # a later ledger edit
    fv = collect_facts(evaluation)["registered_unemployed_employed"]
    assert (fv.value, fv.source) == (1, "snapshot")
    assert "提交时快照" in fv.label


def test_refresh_records_differences(evaluation, cast):
    _, q = _ledger(cast.community)
    submit_sheet(evaluation, cast.operator)
    f.employed(q, date(2025, 4, 1))
    with pytest.raises(SnapshotError):
        refresh_snapshot(evaluation.pk, cast.operator)
    snap, diffs = refresh_snapshot(evaluation.pk, cast.county_reviewer)
    assert any("1 → 2" in d for d in diffs)
    assert collect_facts(evaluation)["registered_unemployed_employed"].value == 2
    event = AuditEvent.objects.filter(evaluation=evaluation, kind="snapshot").first()
    assert "刷新台帐事实快照" in event.note and "1 → 2" in event.note


@pytest.mark.parametrize(
    ("who", "expected"),
    [("county_reviewer", 302), ("city_reviewer", 302), ("community_operator", 403),
     ("street_viewer", 403), ("other_county_reviewer", 404), ("outsider", 404)],
)
def test_refresh_view_permissions(client, evaluation, cast, who, expected):
    _ledger(cast.community)
    submit_sheet(evaluation, cast.operator)
    client.login(username=cast.users_by_role()[who].username, password=PASSWORD)
    response = client.post(reverse("ledgers:refresh_facts", args=[evaluation.pk]))
    assert response.status_code == expected


def test_drill_down_lists_masked_records(client, evaluation, cast):
    p, q = _ledger(cast.community)
    client.login(username="t_city", password=PASSWORD)
    url = reverse("ledgers:fact_records", args=[evaluation.pk, "registered_unemployed_employed"])
    html = client.get(url).content.decode()
    assert "李四" in html and "王五" not in html
    assert p.id_number not in html and p.id_number[:6] + "********" + p.id_number[-4:] in html
    page = client.get(reverse("ledgers:evaluation_facts", args=[evaluation.pk])).content.decode()
    assert 'data-testid="suggestion-3.5.3"' in page
    client.login(username="t_outsider", password=PASSWORD)
    assert client.get(url).status_code == 404
