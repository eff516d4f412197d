"""Each risk flag fires on its planted pattern and stays quiet on a clean community."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from ledgers.models import Person
from tests.ledgers import factories as lf
from verification.risk import flags_for

DEADLINE = date(2026, 3, 31)


def _clean(community):
    for i in range(12):
        hh = lf.household(community)
        p = lf.person(community, hh, name=f"清{i}", phone=f"1380000{i:04d}")
        lf.unemployed(p, date(2026, 1, 3 + i))
        lf.employed(p, date(2026, 2 + i % 9, 5 + 2 * i))
        lf.visit(hh, date(2026, 3, 2) + timedelta(days=9 * i), record=f"第{i}户：了解求职意向，推荐岗位{i}个")


@pytest.mark.parametrize("code", ["same_text", "deadline_rush", "fixed_offset", "shared_phone", "holiday_visits",
                                  "one_day_visits"])
@pytest.mark.django_db
def test_flag_fires_on_planted_pattern(cast, code):
    _clean(cast.sibling)
    c = cast.community
    if code == "same_text":
        for _ in range(6):
            lf.visit(lf.household(c), date(2026, 5, 6), record="入户走访，了解就业需求，宣传就业政策")
            lf.visit(lf.household(c), date(2026, 7, 6), record="")
    elif code == "deadline_rush":
        for i in range(12):
            lf.person(c, name=f"补{i}")
        when = timezone.make_aware(datetime(2026, 3, 29, 10))
        Person.objects.filter(community=c).update(created_at=when)
    elif code == "fixed_offset":
        for i in range(6):
            p = lf.person(c, name=f"偏{i}")
            lf.unemployed(p, date(2026, 1 + i, 15))
            lf.employed(p, date(2026, 2 + i, 15))
    elif code == "shared_phone":
        for i in range(3):
            lf.person(c, name=f"话{i}", phone="13912345678")
    elif code == "holiday_visits":
        for day in (date(2026, 10, 1), date(2026, 10, 2), date(2026, 5, 1)):
            lf.visit(lf.household(c), day, record=f"节日走访{day}")
    elif code == "one_day_visits":
        for i in range(9):
            lf.visit(lf.household(c), date(2026, 6, 18), record=f"走访{i}")
    flags = flags_for([c.pk, cast.sibling.pk], 2026, DEADLINE)
    fired = [f for f in flags[c.pk] if f.code == code]
    assert fired, flags[c.pk]
    assert fired[0].records and fired[0].explanation
    assert flags[cast.sibling.pk] == []


@pytest.mark.django_db
def test_calendar_gap_falls_back_to_weekends(cast):
    for day in (date(2030, 6, 1), date(2030, 6, 2), date(2030, 6, 8)):  # Saturdays and a Sunday
        lf.visit(lf.household(cast.community), day, record=f"走访{day}")
    flags = flags_for([cast.community.pk], 2030, date(2030, 12, 31))[cast.community.pk]
    holiday = [f for f in flags if f.code == "holiday_visits"]
    assert holiday and "周六、周日" in holiday[0].explanation
