"""The notice window counts working days by the official calendar, around a real holiday."""

import datetime

import pytest

from orgs.workdays import is_workday, working_days_between, working_window

D = datetime.date


@pytest.mark.parametrize(("start", "days", "first", "last"), [
    # 国庆节 2026: 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 are make-up working days;
    # 中秋节 09-25..09-27 off.
    (D(2026, 9, 28), 5, D(2026, 9, 28), D(2026, 10, 9)),    # Mon-Wed, then Thu 10-08 and Fri 10-09
    (D(2026, 9, 30), 5, D(2026, 9, 30), D(2026, 10, 12)),   # 09-30, 10-08, 10-09, Sat 10-10 (make-up), 10-12
    (D(2026, 10, 1), 5, D(2026, 10, 8), D(2026, 10, 13)),   # started on the holiday: 10-08, 09, Sat 10, 12, 13
    (D(2026, 9, 24), 5, D(2026, 9, 24), D(2026, 10, 8)),    # 中秋 and 国庆 both skipped
    (D(2026, 9, 19), 5, D(2026, 9, 20), D(2026, 9, 24)),    # Sat 09-19 off, Sun 09-20 a working day
    (D(2026, 9, 28), 7, D(2026, 9, 28), D(2026, 10, 12)),   # a longer window set for the period
])
def test_window_around_national_day_2026(start, days, first, last):
    window = working_window(start, days)
    assert (window.start, window.end, window.days) == (first, last, days)
    assert window.fallback_years == () and window.fallback_note == ""
    assert working_days_between(window.start, window.end) == days


def test_holidays_and_make_up_days():
    assert not is_workday(D(2026, 10, 1)) and not is_workday(D(2026, 10, 7))
    assert is_workday(D(2026, 10, 10))  # Saturday, make-up working day
    assert is_workday(D(2026, 9, 20))  # Sunday, make-up working day
    assert not is_workday(D(2026, 10, 11))  # an ordinary Sunday


def test_a_year_the_calendar_lacks_counts_monday_to_friday_and_says_so():
    # 2027 is not in the official calendar of the pinned chinesecalendar: Mon-Fri, with a visible note.
    window = working_window(D(2026, 12, 29), 5)  # Tue 12-29, Wed 12-30, Thu 12-31, then 2027
    assert window.start == D(2026, 12, 29)
    assert window.end == D(2027, 1, 4)  # Fri 01-01 counts (fallback), Mon 01-04
    assert window.fallback_years == (2027,)
    assert "2027年" in window.fallback_note and "周一至周五" in window.fallback_note
    assert is_workday(D(2027, 1, 1)) and not is_workday(D(2027, 1, 2))


def test_a_window_has_at_least_one_day():
    with pytest.raises(ValueError):
        working_window(D(2026, 9, 28), 0)
