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


# Suggested scores each demo profile must earn, in both years of its ledgers (None: the reviewer's call).
PROFILE_SUGGESTIONS = {
    "excellent": {"3.2.2": 4, "3.3.3": 3, "3.3.4": 5, "3.4": None, "3.5.1": 4, "3.5.2": 4, "3.5.3": 4,
                  "3.5.4": 4, "3.6": 6},
    "good": {"3.2.2": 4, "3.3.3": 3, "3.3.4": 5, "3.4": None, "3.5.1": 4, "3.5.2": 4, "3.5.3": 3, "3.5.4": 4,
             "3.6": 6},
    "fair": {"3.3.3": 3, "3.3.4": 5, "3.4": None, "3.5.1": 4, "3.5.2": 3, "3.5.3": 3, "3.5.4": 4, "3.6": 3},
    "weak": {"3.3.3": 3, "3.3.4": 2, "3.4": None, "3.5.1": 4, "3.5.2": 2, "3.5.3": 1, "3.5.4": None, "3.6": 3},
}


@pytest.mark.parametrize("tier", list(PROFILE_SUGGESTIONS))
def test_demo_profiles_earn_their_brackets_in_both_years(period, cast, standard_version, tier):
    from decimal import Decimal

    from standards import engine

    units = [cast.community, cast.sibling, cast.other_community]
    assert create_demo_ledgers(period, tiers={u.pk: tier for u in units}) == 3
    standard = standard_version.standard
    for year in (period.year - 1, period.year):
        for unit in units:
            facts = compute_all(year)[unit.pk]
            suggestions = engine.suggest(standard, facts)
            got = {line: suggestions[line].score for line in PROFILE_SUGGESTIONS[tier]}
            want = {line: None if v is None else Decimal(v) for line, v in PROFILE_SUGGESTIONS[tier].items()}
            assert got == want, (year, unit.name, facts)
            assert facts["graduates_placed"] >= 1 and facts["hard_to_employ_total"] >= 10
            assert facts["households_visited_with_record"] >= facts["households_to_visit"] - 2
            if tier == "fair":  # one household not visited: partial coverage
                assert Decimal(3) <= suggestions["3.2.2"].score < Decimal(4)
            if tier == "weak":  # and one visited without a record: 有走访、无记录备案不得分
                assert suggestions["3.2.2"].score == 0
                assert "有走访、无记录备案不得分" in suggestions["3.2.2"].explanation


def test_bench_generation_defaults_to_one_year_and_mixed_profiles(cast, standard_version):
    from ledgers.demo import generate_ledgers
    from ledgers.models import UnemploymentRegistration

    units = [cast.community, cast.sibling, cast.other_community]
    assert generate_ledgers(units, 2025, 200, seed=7, start_index=10) == 10 + 3 * 200
    assert Person.objects.count() == 600
    dates = UnemploymentRegistration.objects.values_list("registered_on", flat=True)
    assert {d.year for d in dates} == {2025}
    facts = compute_all(2025)
    for unit in units:
        assert facts[unit.pk]["registered_unemployed_employed"] >= 0.8 * facts[unit.pk]["registered_unemployed_total"]
        assert facts[unit.pk]["welfare_post_placements"] >= 2
