import pytest

from evaluations.facts import checklist_fact_names
from evaluations.models import Evaluation, FactAnswer, Stage, State
from evaluations.services import workflow
from orgs.models import Role
from tests.cast import make_user
from tests.evaluations.conftest import GOOD_FACTS
from tests.matrix_fixtures import _fill

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


@pytest.fixture
def reviewed(cast, period):
    """The cast community's and its sibling's sheets at 市级已复核 (100 points, 五星); the other county's
    sheet stays a draft."""
    sibling_operator = make_user("t_operator2", Role.COMMUNITY_OPERATOR, cast.sibling)
    return [to_city_reviewed(cast, Evaluation.objects.get(period=period, community=cast.community)),
            to_city_reviewed(cast, Evaluation.objects.get(period=period, community=cast.sibling), sibling_operator)]
