"""One community's facts cost what that community holds, whatever the size of the city."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledgers.facts import FACTS, compute_community
from orgs.models import Level, Unit
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db
Y = 2025


def populate(community: Unit, persons: int = 4) -> None:
    """Rows feeding every fact of the standard."""
    for i in range(persons):
        hh = f.household(community)
        p = f.person(community, hh, is_graduate=i % 2 == 0)
        f.unemployed(p, date(2024, 3, 1))
        f.hardship(p, date(2025, 1, 10))
        f.employed(p, date(2025, 2, 1), "welfare_post" if i % 2 else "unit")
        for kind in ("referral", "vocational_training", "entrepreneurship_training", "guaranteed_loan",
                     "entrepreneurship_guidance", "flexible_recognition", "social_insurance_subsidy", "policy"):
            f.service(p, kind, date(2025, 1, 20))
        f.zero(hh, date(2025, 1, 5))
        f.visit(hh, date(2025, 3, 1), record="" if i % 3 == 0 else "上门了解需求")


def other_communities(cast, n: int) -> None:
    first = Unit.objects.filter(name__startswith="外社区").count()
    for k in range(first, first + n):
        unit = Unit.objects.create(name=f"外社区{k}", code=f"C0101{k + 50:02d}", level=Level.COMMUNITY,
                                   parent=cast.street)
        populate(unit, persons=6)


def run(community_id: int):
    with CaptureQueriesContext(connection) as ctx:
        values, records = compute_community(Y, community_id)
    return values, records, [q["sql"] for q in ctx.captured_queries]


def _spans(sql: str, opening: str) -> list[tuple[int, int]]:
    """(start, end) of every `<opening> (…)` group, e.g. `IN (SELECT …)` or `EXISTS(…)`."""
    spans = []
    for match in re.finditer(re.escape(opening), sql):
        depth, i = 0, match.start()
        for i in range(sql.index("(", match.start()), len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            if depth == 0:
                break
        spans.append((match.start(), i + 1))
    return spans


def restricted(sql: str, community_id: int) -> bool:
    """Every uncorrelated sub-select (`IN (SELECT …)`, evaluated on its own) filters on the community,
    and so does the query outside its correlated EXISTS sub-selects (those are bound to the outer row
    and read only that person's or household's rows)."""
    pattern = re.compile(rf'"community_id" = {community_id}\b')
    if not all(pattern.search(sql[a:b]) for a, b in _spans(sql, "IN (SELECT")):
        return False
    outside = sql
    exists = _spans(sql, "EXISTS(")
    for a, b in sorted(exists, reverse=True):
        if not any(x < a and b <= y for x, y in exists):  # outermost EXISTS only
            outside = outside[:a] + outside[b:]
    return bool(pattern.search(outside))


def test_facts_of_one_community_do_not_grow_with_the_city(cast):
    populate(cast.community)
    other_communities(cast, 2)
    small_values, small_records, small_sql = run(cast.community.pk)
    other_communities(cast, 10)  # five times more of other communities' rows
    big_values, big_records, big_sql = run(cast.community.pk)

    assert (big_values, big_records) == (small_values, small_records)
    assert len(small_sql) == len(big_sql) == len(FACTS)
    for sql in big_sql:
        assert restricted(sql, cast.community.pk), sql
    # The facts are really there (the test is not about empty queries).
    assert small_values["registered_unemployed_total"] == 4
    assert small_values["households_to_visit"] == 4
    assert small_values["vocational_training_help"] is True
