

from evaluations.models import Stage
from evaluations.services import scores as score_service

# A plausible complete community: every fact answered, the gate passed, no serious incident.
GOOD_FACTS = {
    "platform_established": True, "platform_documented": True, "service_window": True,
    "staff_count": 3, "fulltime_staff_count": 1, "certified_staff_count": 1,
    "service_area_m2": 24, "equipment_complete": True,
    "duties_published": True, "badges_worn": True, "supervision_phone_published": True,
    "appraisal_system": True,
    "households_to_visit": 10, "households_visited_with_record": 10, "visits_without_record": 0,
    "vocational_training_help": True, "entrepreneurship_training_help": True, "employment_card_full": True,
    "flexible_employment_service": True,
    "entrepreneurship_training_referrals": 3, "entrepreneurship_policy_help": True, "entrepreneurship_guidance": True,
    "graduates_served": 2, "graduates_placed": 0,
    "zero_employment_households": 2, "zero_employment_cleared_in_month": 2, "zero_employment_pending": 0,
    "hard_to_employ_total": 50, "hard_to_employ_employed": 47,
    "registered_unemployed_total": 40, "registered_unemployed_employed": 39,
    "unemployed_over_six_months": 0, "welfare_post_placements": 5, "serious_incident": False,
}


def fill_stage(evaluation, user, stage, score_for=None, reason="按核查情况扣分"):
    """Score every line of a stage at its max (or score_for(line)); reasons where needed."""
    standard = evaluation.period.standard.standard
    for line in standard.stage_lines(stage):
        value = score_for(line) if score_for else line.max
        evaluation.refresh_from_db()
        score_service.save_score(evaluation, user, line.id, stage, value,
                                 reason if stage != Stage.SELF else "")
    evaluation.refresh_from_db()
    return evaluation


def answer_facts(evaluation, user, facts=None):
    for name, value in (facts or GOOD_FACTS).items():
        score_service.answer_fact(evaluation, user, name, value)
    evaluation.refresh_from_db()
    return evaluation
