"""Set-up shared by the notice tests: sheets brought to 市级已复核, a notice whose window has ended."""

from __future__ import annotations

import datetime

from announcements.models import Notice, NoticeEntry
from evaluations.facts import checklist_fact_names
from evaluations.models import Evaluation, FactAnswer, Stage, State
from evaluations.services import workflow
from tests.evaluations.conftest import GOOD_FACTS
from tests.matrix_fixtures import _fill


def ended_notice(evaluation: Evaluation, user, *, ends_on: datetime.date | None = None) -> Notice:
    """Test set-up only (services.start_notice is the production path): the sheet's entry on a notice
    whose window ended yesterday, so publication is not refused for the window."""
    ends = ends_on or datetime.date.today() - datetime.timedelta(days=1)
    notice = Notice.objects.create(
        period=evaluation.period, number=(Notice.objects.filter(period=evaluation.period).count() + 1),
        title=f"{evaluation.period.name}公示", starts_on=ends - datetime.timedelta(days=7), ends_on=ends,
        working_days=5, how_to_object="来电", started_by=user)
    NoticeEntry.objects.create(
        notice=notice, evaluation=evaluation, community=evaluation.community, district="", street="",
        community_name=evaluation.community.name, total=evaluation.city_total, star=evaluation.star)
    return notice


STEPS = [("submit", "operator"), ("county_start", "county_reviewer"), ("county_pass", "county_reviewer"),
         ("city_start", "city_reviewer"), ("city_complete", "city_reviewer")]


def to_city_reviewed(cast, ev: Evaluation, operator=None) -> Evaluation:
    """Test set-up: every line scored at its max (rows), then the real workflow up to 市级已复核."""
    checklist = set(checklist_fact_names(ev.period.standard.standard))
    FactAnswer.objects.bulk_create([FactAnswer(evaluation=ev, name=f, value=v, answered_by=cast.operator)
                                    for f, v in GOOD_FACTS.items() if f in checklist])
    for stage in (Stage.SELF, Stage.COUNTY, Stage.CITY):
        _fill(cast, ev, stage)
    for action, who in STEPS:
        user = operator if who == "operator" and operator is not None else getattr(cast, who)
        ev = workflow.transition(ev, user, action)
    assert ev.state == State.CITY_REVIEWED
    return ev
