"""Draws: reproducible (same seed, same sample on any database), audited, no silent redraw."""

from datetime import date

import pytest

from ledgers.dates import period_bounds
from tests.ledgers import factories as lf
from verification import services
from verification.kinds import KINDS
from verification.models import Check, Draw, VerificationEvent


def _ledger(community, n=30):
    for i in range(n):
        p = lf.person(community, name=f"样本{i}")
        lf.unemployed(p, date(2026, 1 + i % 12, 1 + i % 27))


def test_sample_is_a_pure_function_of_candidates_and_seed():
    ids = list(range(1, 101))
    assert services.sample(ids, 10, 42) == services.sample(ids, 10, 42)
    assert services.sample(ids, 10, 42) != services.sample(ids, 10, 43)
    # Literal expectation: the same on every platform and database (random.Random(seed) in Python).
    assert services.sample(ids, 5, 2026) == [16, 41, 65, 66, 83]
    assert services.sample(ids, 5, 2026, {i: 3 for i in range(1, 11)}) == [28, 72, 25, 4, 71]
    weighted = services.sample(ids, 10, 42, {i: 3 for i in range(1, 11)})
    assert weighted == services.sample(ids, 10, 42, {i: 3 for i in range(1, 11)})


def test_weighting_favours_flagged_records():
    ids = list(range(1, 201))
    weights = {i: 3 for i in range(1, 21)}  # 10 % of the records
    hits = sum(len(set(services.sample(ids, 20, seed, weights)) & set(weights)) for seed in range(200))
    plain = sum(len(set(services.sample(ids, 20, seed)) & set(weights)) for seed in range(200))
    assert hits > 1.8 * plain


@pytest.mark.django_db
def test_same_seed_gives_same_sample(cast, period):
    _ledger(cast.community)
    first = services.draw(cast.county_reviewer, cast.community, period, "unemployment", count=8, seed=123456789)
    assert first.seed == 123456789 and len(first.record_ids) == 8
    assert Check.objects.filter(draw=first).count() == 8
    # A redraw with the same seed (and a reason) gives the same records; the first draw is kept.
    again = services.draw(cast.county_reviewer, cast.community, period, "unemployment", count=8, seed=123456789,
                          replaces=first, reason="核对抽样可复现")
    assert again.record_ids == first.record_ids
    assert Draw.objects.filter(pk=first.pk).exists() and again.replaces_id == first.pk
    # The expected ids follow from the candidates in pk order and random.Random(seed): the same on PostgreSQL.
    ids = sorted(again.record_ids + [x for x in []])
    candidates = list(KINDS["unemployment"].candidates(cast.community.pk, *period_bounds(2026)).values_list("pk", flat=True))
    assert first.record_ids == services.sample(candidates, 8, 123456789)
    assert sorted(first.record_ids) == ids
    actions = list(VerificationEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["draw", "redraw"]


@pytest.mark.django_db
def test_no_silent_redraw(cast, period):
    _ledger(cast.community, 5)
    first = services.draw(cast.county_reviewer, cast.community, period, "unemployment", count=2)
    with pytest.raises(services.VerificationError, match="已抽样"):
        services.draw(cast.county_reviewer, cast.community, period, "unemployment", count=2)
    with pytest.raises(services.VerificationError, match="原因"):
        services.draw(cast.county_reviewer, cast.community, period, "unemployment", count=2, replaces=first)


@pytest.mark.django_db
def test_share_and_scope(cast, period):
    _ledger(cast.community, 30)
    d = services.draw(cast.city_reviewer, cast.community, period, "unemployment", share=__import__("decimal").Decimal("10"))
    assert d.size == 3
    with pytest.raises(services.VerificationError):
        services.draw(cast.other_county_reviewer, cast.community, period, "visit", count=1)
    with pytest.raises(services.VerificationError):
        services.draw(cast.operator, cast.community, period, "visit", count=1)
