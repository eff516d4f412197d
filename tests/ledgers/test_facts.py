"""Every ledger fact against small ledgers computed by hand (period = year 2025)."""

from datetime import date

import pytest

from ledgers.facts import FACT_NAMES, compute_all, compute_community, fact_records
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db
Y = 2025


def facts_of(community):
    values, _ = compute_community(Y, community.pk)
    return values


def test_registered_unemployed_rate_and_population(cast):
    c = cast.community
    a = f.person(c)  # registered 2024, employed 2025-03 → employed
    f.unemployed(a, date(2024, 5, 1), date(2025, 3, 1), "employed")
    f.employed(a, date(2025, 3, 1))
    b = f.person(c)  # registration starting inside the period, not employed
    f.unemployed(b, date(2025, 11, 30))
    d = f.person(c)  # registration ended inside the period (on 1 Jan): active in the period
    f.unemployed(d, date(2024, 1, 1), date(2025, 1, 1), "pension")
    e = f.person(c)  # ended before the period: out
    f.unemployed(e, date(2023, 1, 1), date(2024, 12, 31), "employed")
    g = f.person(c, wish_to_work=False)  # no wish to work: out of the population
    f.unemployed(g, date(2025, 2, 1))
    h = f.person(c)  # registered after the period: out
    f.unemployed(h, date(2026, 1, 1))
    i = f.person(c)  # employment before the registration does not count; after period end neither
    f.unemployed(i, date(2025, 6, 1))
    f.employed(i, date(2025, 5, 31))
    f.employed(i, date(2026, 1, 1))
    j = f.person(c)  # employed on the registration day counts
    f.unemployed(j, date(2025, 6, 1))
    f.employed(j, date(2025, 6, 1), "flexible")
    values, records = compute_community(Y, c.pk)
    assert values["registered_unemployed_total"] == 5  # a b d i j
    assert values["registered_unemployed_employed"] == 2  # a j
    assert records["registered_unemployed_employed"] == sorted([a.pk, j.pk])
    assert set(records["registered_unemployed_total"]) == {a.pk, b.pk, d.pk, i.pk, j.pk}


def test_hard_to_employ_rate(cast):
    c = cast.community
    a = f.person(c)
    f.hardship(a, date(2025, 2, 1), date(2025, 4, 1))
    f.employed(a, date(2025, 4, 1), "welfare_post")
    b = f.person(c)
    f.hardship(b, date(2024, 12, 31))
    x = f.person(c)  # exited before the period
    f.hardship(x, date(2023, 1, 1), date(2024, 12, 31))
    v = facts_of(c)
    assert (v["hard_to_employ_total"], v["hard_to_employ_employed"]) == (2, 1)


def test_unemployed_over_six_months_edges(cast):
    c = cast.community
    exactly = f.person(c)  # 30 Jun → 31 Dec is exactly six calendar months: counts
    f.unemployed(exactly, date(2025, 6, 30))
    short = f.person(c)  # 1 Jul: not yet six months
    f.unemployed(short, date(2025, 7, 1))
    ended = f.person(c)  # registration ended on the period's last day: not unemployed at the end
    f.unemployed(ended, date(2024, 1, 1), date(2025, 12, 31), "income")
    employed_between = f.person(c)  # employed since the registration (record still open)
    f.unemployed(employed_between, date(2024, 1, 1))
    f.employed(employed_between, date(2025, 8, 1))
    old = f.person(c)
    f.unemployed(old, date(2020, 1, 1))
    _, records = compute_community(Y, c.pk)
    assert records["unemployed_over_six_months"] == sorted([exactly.pk, old.pk])


def test_zero_employment_one_calendar_month(cast):
    c = cast.community
    h1 = f.household(c)  # recognised 31 Jan, member employed 28 Feb → cleared (clamped month end)
    m1 = f.person(c, h1)
    f.zero(h1, date(2025, 1, 31))
    f.employed(m1, date(2025, 2, 28))
    h2 = f.household(c)  # recognised 31 Jan, employed 1 Mar → late: neither cleared nor pending
    m2 = f.person(c, h2)
    f.zero(h2, date(2025, 1, 31))
    f.employed(m2, date(2025, 3, 1))
    h3 = f.household(c)  # recognised 15 Dec, nobody employed yet: pending (deadline 15 Jan next year)
    f.person(c, h3)
    f.zero(h3, date(2025, 12, 15))
    h4 = f.household(c)  # recognised 30 Nov, deadline 30 Dec inside the period, not employed: failed
    f.person(c, h4)
    f.zero(h4, date(2025, 11, 30))
    h5 = f.household(c)  # exited before the period
    f.person(c, h5)
    f.zero(h5, date(2023, 1, 1), date(2024, 6, 1))
    h6 = f.household(c)  # no member able and willing to work: outside the population
    f.person(c, h6, labour_capacity=False)
    f.zero(h6, date(2025, 3, 1))
    _, r = compute_community(Y, c.pk)
    assert r["zero_employment_households"] == sorted([h1.pk, h2.pk, h3.pk, h4.pk])
    assert r["zero_employment_cleared_in_month"] == [h1.pk]
    assert r["zero_employment_pending"] == [h3.pk]


def test_leap_year_february(cast):
    c = cast.community
    h = f.household(c)
    m = f.person(c, h)
    f.zero(h, date(2024, 1, 31))
    f.employed(m, date(2024, 2, 29))
    values, _ = compute_community(2024, c.pk)
    assert values["zero_employment_cleared_in_month"] == 1


def test_visits_coverage(cast):
    c = cast.community
    zh = f.household(c)
    f.person(c, zh)
    f.zero(zh, date(2025, 3, 1))
    f.visit(zh, date(2025, 4, 1))
    hh = f.household(c)  # a hard-to-employ member; visited without a record
    f.hardship(f.person(c, hh), date(2025, 1, 10))
    f.visit(hh, date(2025, 5, 1), record="")
    nv = f.household(c)  # hard-to-employ, visited only the year before
    f.hardship(f.person(c, nv), date(2024, 1, 10))
    f.visit(nv, date(2024, 12, 31))
    other = f.household(c)  # an ordinary household visited: not in the population
    f.person(c, other)
    f.visit(other, date(2025, 6, 1))
    v = facts_of(c)
    assert (v["households_to_visit"], v["households_visited_with_record"], v["visits_without_record"]) == (3, 1, 1)


def test_welfare_posts_and_services(cast):
    c = cast.community
    a = f.person(c)
    f.hardship(a, date(2025, 1, 5))
    f.employed(a, date(2025, 2, 1), "welfare_post")
    b = f.person(c)  # welfare post but not hard-to-employ at the time
    f.employed(b, date(2025, 2, 1), "welfare_post")
    f.hardship(b, date(2025, 3, 1))
    g = f.person(c, is_graduate=True)
    f.service(g, "referral", date(2025, 5, 1))
    f.employed(g, date(2025, 5, 20))
    g2 = f.person(c, is_graduate=True)
    f.service(g2, "guidance", date(2025, 5, 1))
    u = f.person(c)
    f.unemployed(u, date(2025, 1, 1))
    f.service(u, "entrepreneurship_training", date(2025, 3, 1))
    f.service(a, "entrepreneurship_training", date(2025, 3, 1))  # not registered unemployed
    f.service(u, "flexible_recognition", date(2025, 3, 1))
    v = facts_of(c)
    assert v["welfare_post_placements"] == 1
    assert (v["graduates_served"], v["graduates_placed"]) == (2, 1)
    assert v["entrepreneurship_training_referrals"] == 1
    assert v["entrepreneurship_training_help"] is True
    assert v["vocational_training_help"] is False
    assert v["flexible_employment_service"] is False  # recognition without the subsidy help
    f.service(u, "social_insurance_subsidy", date(2025, 12, 31))
    assert facts_of(c)["flexible_employment_service"] is True


def test_compute_all_matches_single_community(cast):
    c, s, o = cast.community, cast.sibling, cast.other_community
    for community, n in ((c, 3), (s, 1)):
        for _ in range(n):
            p = f.person(community)
            f.unemployed(p, date(2025, 1, 1))
            f.service(p, "vocational_training", date(2025, 2, 1))
    f.employed(p, date(2025, 2, 1))
    everything = compute_all(Y)
    assert everything[c.pk]["registered_unemployed_total"] == 3
    assert everything[s.pk]["registered_unemployed_employed"] == 1
    assert everything[c.pk]["vocational_training_help"] is True
    assert o.pk not in everything
    seeded = compute_all(Y, [c.pk, s.pk, o.pk])
    assert seeded[o.pk]["registered_unemployed_total"] == 0
    for community in (c, s):
        assert seeded[community.pk] == facts_of(community)
    assert set(seeded[c.pk]) == FACT_NAMES
    assert fact_records("registered_unemployed_total", Y, s.pk) == [p.pk]
