import datetime

import pytest

from evaluations.models import Evaluation
from evaluations.services.periods import open_period
from ledgers.facts import FACT_NAMES


@pytest.fixture
def period(cast, standard_version):
    return open_period(
        cast.city_admin, year=2025, name="2025年度评审", standard=standard_version,
        communities=[cast.community, cast.sibling, cast.other_community],
        self_deadline=datetime.date(2026, 3, 31), county_deadline=datetime.date(2026, 4, 30),
        city_deadline=datetime.date(2026, 5, 31),
    )


@pytest.fixture
def evaluation(period, cast):
    return Evaluation.objects.get(period=period, community=cast.community)


def submit_sheet(evaluation, user):
    """Answer the checklist facts, score the self stage at max, submit."""
    from evaluations.services import workflow
    from tests.evaluations.conftest import GOOD_FACTS, answer_facts, fill_stage

    answer_facts(evaluation, user, {k: v for k, v in GOOD_FACTS.items() if k not in FACT_NAMES})
    fill_stage(evaluation, user, "self")
    workflow.submit(evaluation, user)
    evaluation.refresh_from_db()
    return evaluation
