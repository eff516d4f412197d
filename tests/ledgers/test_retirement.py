"""Working age (16 until the statutory retirement age rising since 2025-01-01) and the populations
of DOMAIN.md in the facts. Expected dates are written out from the published schedule."""

from __future__ import annotations

from datetime import date

import pytest

from ledgers.facts import compute_community
from ledgers.models import Person
from ledgers.retirement import of_working_age, retirement_date, working_age_q
from tests.ledgers import factories as f

M, F = "M", "F"


@pytest.mark.parametrize(
    ("birth", "sex", "group", "expected"),
    [
        # Men: 60, then +1 month per 4 months of original retirement date from January 2025, up to 63.
        (date(1964, 12, 31), M, "", date(2024, 12, 31)),  # retired before the reform: 60
        (date(1965, 1, 1), M, "", date(2025, 2, 1)),  # 60 years 1 month
        (date(1965, 4, 30), M, "", date(2025, 5, 30)),  # same 4-month band: 60y1m
        (date(1965, 5, 1), M, "", date(2025, 7, 1)),  # next band: 60y2m
        (date(1976, 8, 31), M, "", date(2039, 7, 31)),  # 35 months: 62y11m
        (date(1976, 9, 1), M, "", date(2039, 9, 1)),  # 36 months: 63
        (date(1990, 3, 15), M, "", date(2053, 3, 15)),  # 63
        # Women of the former 55 group: 55 → 58 at the same pace.
        (date(1969, 12, 31), F, "55", date(2024, 12, 31)),
        (date(1970, 1, 1), F, "55", date(2025, 2, 1)),
        (date(1981, 8, 1), F, "55", date(2039, 7, 1)),  # 57y11m
        (date(1981, 9, 1), F, "55", date(2039, 9, 1)),  # 58
        # Women of the former 50 group: 50 → 55, +1 month per 2 months.
        (date(1974, 12, 31), F, "50", date(2024, 12, 31)),
        (date(1975, 1, 15), F, "50", date(2025, 2, 15)),  # 50y1m
        (date(1975, 3, 1), F, "50", date(2025, 5, 1)),  # 50y2m
        (date(1984, 10, 1), F, "50", date(2039, 9, 1)),  # 59 months: 54y11m
        (date(1984, 11, 1), F, "50", date(2039, 11, 1)),  # 55
        (date(1996, 2, 29), F, "50", date(2051, 2, 28)),  # 55, clamped to the month's end
    ],
)
def test_retirement_date(birth, sex, group, expected):
    assert retirement_date(birth, sex, group or "50") == expected


def test_working_age_boundaries():
    end = date(2025, 12, 31)
    assert of_working_age(date(2009, 12, 31), M, "50", end)  # 16 on the day
    assert not of_working_age(date(2010, 1, 1), M, "50", end)  # 16 the day after
    assert of_working_age(date(1965, 4, 30), M, "50", date(2025, 5, 29))  # the day before retiring
    assert not of_working_age(date(1965, 4, 30), M, "50", date(2025, 5, 30))  # retired that day


@pytest.mark.django_db
def test_working_age_filter_agrees_with_the_pure_function(cast):
    births = [date(1964, 12, 31), date(1965, 1, 1), date(1965, 11, 30), date(1966, 1, 1), date(1970, 1, 1),
              date(1970, 6, 30), date(1975, 5, 31), date(1975, 6, 1), date(1975, 11, 1), date(2009, 12, 31),
              date(2010, 1, 1), date(1960, 5, 5)]
    people = []
    for birth in births:
        for sex, group in ((M, "50"), (F, "50"), (F, "55"), (F, "")):
            hh = f.household(cast.community)
            people.append(Person.objects.create(
                community=cast.community, household=hh, name="某", id_number=f"X{len(people):017d}",
                birth_date=birth, sex=sex, female_retirement_group=group))
    for on in (date(2025, 12, 31), date(2025, 6, 30), date(2026, 1, 31)):
        expected = {p.pk for p in people if of_working_age(p.birth_date, p.sex, p.female_retirement_group, on)}
        got = set(Person.objects.filter(working_age_q(on)).values_list("pk", flat=True))
        assert got == expected, on
        assert 0 < len(expected) < len(people)


@pytest.mark.django_db
def test_populations_in_the_facts(cast):
    c = cast.community
    ok = f.person(c, id_number=f.make_id("19800101"))
    old = f.person(c, id_number=f.make_id("19640601"))  # a man retired in June 2024
    w50 = f.person(c, id_number=f.make_id("19750601", female=True), female_retirement_group="50")  # retires 2025-09
    w55 = f.person(c, id_number=f.make_id("19750601", female=True), female_retirement_group="55")  # until 2030
    young = f.person(c, id_number=f.make_id("20100301"))  # 16 only in 2026
    for p in (ok, old, w50, w55, young):
        f.unemployed(p, date(2025, 2, 1))
        f.hardship(p, date(2025, 2, 1))
    values, records = compute_community(2025, c.pk)
    assert set(records["registered_unemployed_total"]) == {ok.pk, w55.pk}
    assert set(records["hard_to_employ_total"]) == {ok.pk, w55.pk}
    assert set(records["unemployed_over_six_months"]) == {ok.pk, w55.pk}

    # Public-welfare posts: recognised hard-to-employ OR a member of a zero-employment household.
    hh = f.household(c)
    member = f.person(c, hh)
    f.zero(hh, date(2025, 3, 1))
    f.employed(member, date(2025, 4, 1), "welfare_post")
    other = f.person(c)  # neither: not counted
    f.employed(other, date(2025, 4, 1), "welfare_post")
    early = f.person(c, f.household(c))  # placed before the household's recognition: not counted
    f.zero(early.household, date(2025, 6, 1))
    f.employed(early, date(2025, 5, 1), "welfare_post")
    _, records = compute_community(2025, c.pk)
    assert records["welfare_post_placements"] == [member.pk]

    # Policy help for 3.3.4: a policy consultation counts, not only a guaranteed loan.
    assert compute_community(2025, c.pk)[0]["entrepreneurship_policy_help"] is False
    f.service(ok, "policy", date(2025, 7, 1))
    assert compute_community(2025, c.pk)[0]["entrepreneurship_policy_help"] is True
