"""Working age: from the 16th birthday until the statutory retirement age (DOMAIN.md).

Since 2025-01-01 the retirement age rises step by step (全国人大常委会《关于实施渐进式延迟法定退休年龄
的决定》): men from 60 to 63 and women of the former 55 group from 55 to 58, one month more for every
four months of original retirement date from January 2025; women of the former 50 group from 50 to 55,
one month more for every two months. Whoever would have retired before 2025 keeps the old age.
Pure functions: the date is derived from the birth date, the sex and, for women, the former group.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.db.models import Q

from .dates import add_months

REFORM_START = date(2025, 1, 1)
WORKING_AGE_FROM_YEARS = 16

MALE, FEMALE = "M", "F"
FORMER_50, FORMER_55 = "50", "55"  # a woman's former statutory retirement age (女职工 50, 女干部 55)

# (sex, former group) -> (former age in years, months of original date per month of delay, max delay in months)
RULES: dict[tuple[str, str], tuple[int, int, int]] = {
    (MALE, ""): (60, 4, 36),
    (FEMALE, FORMER_55): (55, 4, 36),
    (FEMALE, FORMER_50): (50, 2, 60),
}


def _rule(sex: str, female_group: str) -> tuple[int, int, int]:
    return RULES[(MALE, "")] if sex == MALE else RULES[(FEMALE, female_group or FORMER_50)]


def retirement_delay_months(birth: date, sex: str, female_group: str = FORMER_50) -> int:
    """Months added to the former retirement age for this birth date (0 before the reform)."""
    years, per, cap = _rule(sex, female_group)
    original = add_months(birth, years * 12)
    since = (original.year - REFORM_START.year) * 12 + original.month - REFORM_START.month
    if since < 0:
        return 0
    return min(since // per + 1, cap)


def retirement_date(birth: date, sex: str, female_group: str = FORMER_50) -> date:
    """The day the person reaches the statutory retirement age (no longer of working age from then)."""
    years, _, _ = _rule(sex, female_group)
    return add_months(birth, years * 12 + retirement_delay_months(birth, sex, female_group))


def working_age_from(birth: date) -> date:
    return add_months(birth, WORKING_AGE_FROM_YEARS * 12)


def of_working_age(birth: date, sex: str, female_group: str, on: date) -> bool:
    return working_age_from(birth) <= on < retirement_date(birth, sex, female_group)


def _latest_birth(on: date, reached: Callable[[date], date]) -> date:
    """The latest birth date for which `reached(birth)` (a date, non-decreasing in birth) is <= `on`."""
    lo, hi = on - timedelta(days=100 * 366), on  # reached(lo) <= on < reached(hi + 1 day)
    while lo < hi:
        mid = lo + timedelta(days=(hi - lo).days // 2 + 1)
        if reached(mid) <= on:
            lo = mid
        else:
            hi = mid - timedelta(days=1)
    return lo


def working_age_q(on: date, prefix: str = "") -> Q:
    """Persons of working age on `on`, as a filter on birth date, sex and group (no per-row Python).

    The retirement date only grows with the birth date, so "not yet retired on `on`" is "born after
    the latest birth date that retires by `on`" — one cutoff per sex/group.
    """
    birth, sex, group = f"{prefix}birth_date", f"{prefix}sex", f"{prefix}female_retirement_group"
    adult = Q(**{f"{birth}__lte": _latest_birth(on, working_age_from)})
    not_retired = Q()
    for (s, g), _ in RULES.items():
        cutoff = _latest_birth(on, lambda b, s=s, g=g: retirement_date(b, s, g))
        cond = Q(**{sex: s, f"{birth}__gt": cutoff})
        if s == FEMALE:  # an unset group is the former 50 group (the default)
            cond &= Q(**{group: g}) | Q(**{group: ""}) if g == FORMER_50 else Q(**{group: g})
        not_retired |= cond
    return adult & not_retired
