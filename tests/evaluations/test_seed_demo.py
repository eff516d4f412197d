"""The demo city of `make run`: stars in both years, deadlines around the turn of the year, idempotent."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from announcements.models import Notice
from evaluations.models import AuditEvent, Evaluation, LineScore, Period, State
from ledgers.models import Person

pytestmark = pytest.mark.django_db


def test_seed_demo_spreads_scores_over_the_star_bands_and_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    p2025, p2026 = Period.objects.get(year=2025), Period.objects.get(year=2026)
    assert (p2026.self_deadline, p2026.county_deadline, p2026.city_deadline) == (
        datetime.date(2026, 12, 31), datetime.date(2027, 1, 20), datetime.date(2027, 2, 10))

    sheets = {ev.community.code: ev for ev in p2025.evaluations.select_related("community")}
    assert len(sheets) == 12 and {ev.state for ev in sheets.values()} == {State.PUBLISHED}
    stars = sorted(ev.star or "-" for ev in sheets.values())
    assert stars == ["-"] * 3 + ["三星"] * 3 + ["五星"] * 3 + ["四星"] * 3
    for ev in sheets.values():
        assert ev.result_status == "evaluated"
        band = {"五星": (95, 100), "四星": (90, 95), "三星": (85, 90), "": (60, 85)}[ev.star]
        assert band[0] <= ev.city_total < band[1] or ev.city_total == 100, (ev, ev.city_total)

    published = p2026.evaluations.filter(state=State.PUBLISHED)
    assert published.count() == 2 and set(published.values_list("star", flat=True)) == {"五星", "四星"}
    # The city-reviewed 三星 sheet is on the notice running now: an objection partly upheld re-scored a line.
    on_notice = p2026.evaluations.get(state=State.NOTICE)
    running = Notice.objects.get(period=p2026, number=2)
    assert running.window_open() and not running.window_ended()
    entry = running.entries.get()
    assert entry.evaluation == on_notice and entry.star == "三星" and entry.revised_at is not None
    assert entry.revised_total == entry.total - 1 == on_notice.city_total
    assert sorted(running.objections.values_list("decision", "status")) == [
        ("dismissed", "closed"), ("partly", "closed")]
    # The earlier notices ran their windows (2026's first batch over the National Day holiday).
    first = Notice.objects.get(period=p2026, number=1)
    assert (first.starts_on, first.ends_on) == (datetime.date(2026, 9, 28), datetime.date(2026, 10, 9))
    assert first.entries.count() == 2 and not first.entries.filter(published_at__isnull=True).exists()
    assert Notice.objects.get(period=p2025).entries.count() == 12
    assert set(p2026.evaluations.values_list("state", flat=True)) >= {
        State.DRAFT, State.SUBMITTED, State.COUNTY_REVIEWING, State.COUNTY_PASSED, State.CITY_REVIEWING}
    assert p2026.evaluations.filter(result_status="not_evaluated").count() == 1
    assert p2026.evaluations.filter(result_status="disqualified").count() == 1

    counts = (Person.objects.count(), LineScore.objects.count(), AuditEvent.objects.count())
    revisions = sorted(Evaluation.objects.values_list("pk", "revision"))
    call_command("seed_demo", stdout=StringIO())
    assert (Person.objects.count(), LineScore.objects.count(), AuditEvent.objects.count()) == counts
    assert sorted(Evaluation.objects.values_list("pk", "revision")) == revisions
