"""Calendar helpers for the standard's date rules (STANDARD.md decisions 3 and 4)."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime


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


# 2026-05-01, 2026/5/1, 2026.5.1, 2026年5月1日 (spaces allowed), 20260501.
_DATE_FORMS = re.compile(r"^\s*(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
DATE_FORMS_HINT = "如 2026-05-01、2026/5/1、2026.5.1 或 2026年5月1日"


def parse_date(value: object) -> date | None:
    """A date as people type it in Excel; None for an empty cell, ValueError (Chinese) otherwise.

    The one parser of every import's date columns.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    match = _DATE_FORMS.match(text) or _COMPACT.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueError(f"“{text}”不是有效日期（{DATE_FORMS_HINT}）")
