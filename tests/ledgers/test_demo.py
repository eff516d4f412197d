import pytest

from evaluations.facts import collect_facts
from evaluations.scoring import result_for
from ledgers.demo import create_demo_ledgers
from ledgers.facts import compute_all
from ledgers.identity import check_resident_id
from ledgers.models import Person

pytestmark = pytest.mark.django_db


def test_demo_ledgers_are_valid_and_give_suggestions(evaluation, period):
    assert create_demo_ledgers(period, persons_per_community=60) == 3
    assert create_demo_ledgers(period) == 0  # idempotent
    for number in Person.objects.values_list("id_number", flat=True)[:200]:
        check_resident_id(number)
    facts = compute_all(2025)
    assert len(facts) == 3
    mine = facts[evaluation.community_id]
    assert mine["registered_unemployed_total"] > 0
    assert mine["registered_unemployed_employed"] <= mine["registered_unemployed_total"]
    result = result_for(evaluation, collect_facts(evaluation))
    assert result.suggestions["3.5.3"].score is not None
