"""Working days by China's official calendar (statutory holidays off, make-up working days on).

`chinesecalendar` knows the State Council's schedule for the years it was released with (2004-2026 in
the pinned version). For a later year the schedule is not yet known to the system: those days count
Monday to Friday, and the window says so (`Window.fallback_years`) so the page can tell the user.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import chinese_calendar


@dataclass(frozen=True)
class Window:
    """A notice window: `days` working days from `start` to `end`, both included."""

    start: datetime.date
    end: datetime.date
    days: int
    # Years of the window the official calendar does not cover (counted Monday to Friday).
    fallback_years: tuple[int, ...] = field(default=())

    @property
    def fallback_note(self) -> str:
        if not self.fallback_years:
            return ""
        years = "、".join(f"{y}年" for y in self.fallback_years)
        return (f"系统尚无{years}的国务院节假日安排，{years}的日期暂按周一至周五计算工作日；"
                "如遇法定节假日或调休，请核对公示截止日期。")


# The years the pinned calendar has the State Council's schedule for (its own bounds: first to last year
# of its holiday table).
OFFICIAL_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


def is_official(day: datetime.date) -> bool:
    """The official calendar covers the day's year."""
    return holiday_detail(day)[2]


def holiday_detail(day: datetime.date) -> tuple[bool, str | None, bool]:
    """(a day off, the statutory holiday's name or None, whether the official calendar covers the year);
    for a year it does not cover, weekends are the days off."""
    if day.year not in OFFICIAL_YEARS:
        return day.weekday() >= 5, None, False
    off, name = chinese_calendar.get_holiday_detail(day)
    return bool(off), name, True


def is_workday(day: datetime.date) -> bool:
    """A working day by the official calendar, or Monday to Friday for a year it does not cover."""
    return not holiday_detail(day)[0]


def working_window(start_on: datetime.date, days: int) -> Window:
    """`days` working days, the first being `start_on` or the next working day after it."""
    if days < 1:
        raise ValueError("a window has at least one working day")
    day = start_on
    while not is_workday(day):
        day += datetime.timedelta(days=1)
    first, counted, fallback = day, 0, set()
    while True:
        if not is_official(day):
            fallback.add(day.year)
        if is_workday(day):
            counted += 1
            if counted == days:
                break
        day += datetime.timedelta(days=1)
    return Window(first, day, days, tuple(sorted(fallback)))


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days from `start` to `end`, both included (0 when end is before start)."""
    count, day = 0, start
    while day <= end:
        count += is_workday(day)
        day += datetime.timedelta(days=1)
    return count
