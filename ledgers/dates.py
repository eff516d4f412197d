"""Calendar helpers for the standard's date rules (STANDARD.md decisions 3 and 4)."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier), clamped to the month's last day.

    31 Jan + 1 → 28/29 Feb; 31 Aug − 6 → 28/29 Feb.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def period_bounds(year: int) -> tuple[date, date]:
    """An evaluation period is the calendar year (评估期 ____年度)."""
    return date(year, 1, 1), date(year, 12, 31)
