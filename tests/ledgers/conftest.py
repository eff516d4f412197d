
import pytest

from ledgers.facts import FACT_NAMES


@pytest.fixture
def period_year():
    return 2025


def submit_sheet(evaluation, user):
    """Answer the checklist facts, score the self stage at max, submit."""
    from evaluations.services import workflow
    from tests.evaluations.conftest import GOOD_FACTS, answer_facts, fill_stage

    answer_facts(evaluation, user, {k: v for k, v in GOOD_FACTS.items() if k not in FACT_NAMES})
    fill_stage(evaluation, user, "self")
    workflow.submit(evaluation, user)
    evaluation.refresh_from_db()
    return evaluation
