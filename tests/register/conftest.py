"""A published sheet of the cast community, walked through the services (scores written as rows)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from evaluations.facts import checklist_fact_names
from evaluations.models import Evaluation, FactAnswer, LineScore, Stage, State
from evaluations.services.periods import open_period
from evaluations.services.workflow import transition
from tests.announcements.helpers import ended_notice
from tests.evaluations.conftest import GOOD_FACTS

STEPS = [("submit", "operator", Stage.SELF), ("county_start", "county_reviewer", None),
         ("county_pass", "county_reviewer", Stage.COUNTY), ("city_start", "city_reviewer", None),
         ("city_complete", "city_reviewer", Stage.CITY), ("publish", "city_admin", None)]
SCORER = {Stage.SELF: "operator", Stage.COUNTY: "county_reviewer", Stage.CITY: "city_reviewer"}


def fill(cast, evaluation, stage, minus: dict[str, Decimal] | None = None) -> None:
    standard = evaluation.period.standard.standard
    user = getattr(cast, SCORER[stage])
    LineScore.objects.bulk_create([
        LineScore(evaluation=evaluation, line_id=line.id, stage=stage,
                  score=Decimal(str(line.max)) - (minus or {}).get(line.id, Decimal(0)),
                  reason="" if stage == Stage.SELF else "按核查情况扣分", updated_by=user)
        for line in standard.stage_lines(stage)
    ])


def make_sheet(cast, standard_version, year: int, community, *, until: str = "publish",
               minus: dict[str, Decimal] | None = None) -> Evaluation:
    from evaluations.models import Period

    period = Period.objects.filter(year=year).first() or open_period(
        cast.city_admin, year=year, name=f"{year}年度评审", standard=standard_version,
        communities=[cast.community, cast.sibling, cast.other_community],
        self_deadline=datetime.date(year, 3, 31), county_deadline=datetime.date(year, 4, 30),
        city_deadline=datetime.date(year, 5, 31))
    ev = Evaluation.objects.get(period=period, community=community)
    checklist = set(checklist_fact_names(standard_version.standard))
    FactAnswer.objects.bulk_create([FactAnswer(evaluation=ev, name=k, value=v, answered_by=cast.city_admin)
                                    for k, v in GOOD_FACTS.items() if k in checklist])
    operator = cast.operator if community == cast.community else (
        cast.outsider if community == cast.other_community else cast.operator)
    for action, who, stage in STEPS if until != "draft" else []:
        if stage is not None:
            fill(cast, ev, stage, minus if stage == Stage.CITY else None)
        user = operator if who == "operator" else getattr(cast, who)
        if who == "county_reviewer" and community == cast.other_community:
            user = cast.other_county_reviewer
        if action == "publish":
            # Publication follows the notice (公示): the sheet on a notice whose window has ended.
            Evaluation.objects.filter(pk=ev.pk).update(state=State.NOTICE)
            ended_notice(ev, cast.city_admin)
            ev.refresh_from_db()
        ev = transition(ev, user, action)
        if action == until:
            break
    ev.refresh_from_db()
    return ev


@pytest.fixture
def published(cast, standard_version):
    return make_sheet(cast, standard_version, 2025, cast.community)


@pytest.fixture
def second_reviewer(cast):
    from orgs.models import Role
    from tests.cast import make_user

    return make_user("t_city2", Role.CITY_REVIEWER, cast.city, display_name="第二复核员")
