"""The scoring engine against v1.json: every rule kind and every decision of STANDARD.md."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from standards import engine, schema
from standards.engine import FactsError, InputError, ScoreError, Suggestion

V1 = Path(__file__).resolve().parents[2] / "standards" / "data" / "v1.json"
STD = schema.load_standard_file(V1)
D = Decimal

# A community that meets every computable requirement.
FULL: dict[str, Any] = {
    "platform_established": True,
    "platform_documented": True,
    "service_window": True,
    "staff_count": 2,
    "fulltime_staff_count": 1,
    "certified_staff_count": 1,
    "service_area_m2": 10,
    "equipment_complete": True,
    "duties_published": True,
    "badges_worn": True,
    "supervision_phone_published": True,
    "appraisal_system": True,
    "households_to_visit": 10,
    "households_visited_with_record": 10,
    "visits_without_record": 0,
    "vocational_training_help": True,
    "entrepreneurship_training_help": True,
    "employment_card_full": True,
    "flexible_employment_service": True,
    "entrepreneurship_training_referrals": 2,
    "entrepreneurship_policy_help": True,
    "entrepreneurship_guidance": True,
    "graduates_served": 2,
    "graduates_placed": 1,
    "zero_employment_households": 3,
    "zero_employment_cleared_in_month": 3,
    "zero_employment_pending": 0,
    "hard_to_employ_total": 50,
    "hard_to_employ_employed": 50,
    "registered_unemployed_total": 40,
    "registered_unemployed_employed": 40,
    "unemployed_over_six_months": 0,
    "welfare_post_placements": 5,
    "serious_incident": False,
}
COMPUTED_FULL = {
    "1.1": 3, "1.2": 5, "1.3": 4, "2.1": 3, "2.2": 2, "3.2.2": 4, "3.3.2": 3, "3.3.3": 3, "3.3.4": 5,
    "3.5.1": 4, "3.5.2": 4, "3.5.3": 4, "3.5.4": 4, "3.6": 6,
}  # fmt: skip
DISCRETIONARY_LINES = ["2.3", "3.1.1", "3.1.2", "3.2.1", "3.2.3", "3.3.1", "3.4", "4", "5"]


def facts(**changes: Any) -> dict[str, Any]:
    return {**FULL, **changes}


def suggestion(line_id: str, **changes: Any) -> Suggestion:
    return engine.suggest(STD, facts(**changes))[line_id]


def all_max(stage: str) -> dict[str, Decimal]:
    return {line.id: line.max for line in STD.stage_lines(stage)}


def reasons_for_all() -> dict[str, str]:
    return {line.id: "见核查记录" for line in STD.lines}


def codes(errors: list[ScoreError]) -> list[str]:
    return [e.code for e in errors]


# --------------------------------------------------------------------------------------------
# Suggestions: the full community


def test_full_community_suggestions() -> None:
    result = engine.suggest(STD, FULL)
    assert list(result) == [line.id for line in STD.lines]
    assert {k: v.score for k, v in result.items() if v.score is not None} == COMPUTED_FULL
    for line_id in DISCRETIONARY_LINES:
        item = result[line_id]
        assert item.score is None
        assert item.flags == ("discretionary",)
        assert item.bounds == (0, STD.line(line_id).max)
        assert f"0–{STD.line(line_id).max}" in item.explanation


def test_city_only_line_says_so() -> None:
    assert "仅在市级复核阶段评分" in suggestion("5").explanation


# --------------------------------------------------------------------------------------------
# components (1.1, 1.2, 1.3, 3.3.4)


def test_components_1_1() -> None:
    item = suggestion("1.1", platform_documented=False)
    assert item.score == 1
    assert "扣 2 分" in item.explanation and "合计 1 分" in item.explanation


@pytest.mark.parametrize(
    ("staff", "fulltime", "certified", "expected"),
    [(2, 1, 1, 5), (5, 3, 2, 5), (1, 1, 1, 2), (3, 0, 1, 2), (3, 1, 0, 3), (0, 0, 0, 0)],
)
def test_components_1_2(staff: int, fulltime: int, certified: int, expected: int) -> None:
    item = suggestion(
        "1.2", staff_count=staff, fulltime_staff_count=fulltime, certified_staff_count=certified
    )
    assert item.score == expected


def test_components_explanation_shows_numbers() -> None:
    text = suggestion("1.2", staff_count=3, certified_staff_count=0).explanation
    assert "协理员人数 3（要求 ≥ 2）" in text
    assert "持协理员四级及以上证书人数 0（要求 ≥ 1）" in text
    assert text.endswith("合计 3 分")


@pytest.mark.parametrize(
    ("area", "equipment", "score", "bounds"),
    [
        (10, True, D(4), None),
        (25.5, True, D(4), None),
        (9.5, True, D(2), None),
        (12, False, None, (D(2), D(4))),
        (8, False, None, (D(0), D(2))),
    ],
)
def test_components_with_discretionary_otherwise_1_3(
    area: float, equipment: bool, score: Any, bounds: Any
) -> None:
    item = suggestion("1.3", service_area_m2=area, equipment_complete=equipment)
    assert item.score == score
    assert item.bounds == bounds
    if score is None:
        assert item.flags == ("discretionary",)
        assert f"{bounds[0]}–{bounds[1]} 分内酌情给分" in item.explanation


@pytest.mark.parametrize(
    ("referrals", "policy", "guidance", "expected"),
    [(2, True, True, 5), (1, True, True, 2), (2, False, True, 2), (2, True, False, 3), (0, False, False, 0)],
)
def test_components_3_3_4(referrals: int, policy: bool, guidance: bool, expected: int) -> None:
    item = suggestion(
        "3.3.4",
        entrepreneurship_training_referrals=referrals,
        entrepreneurship_policy_help=policy,
        entrepreneurship_guidance=guidance,
    )
    assert item.score == expected


# --------------------------------------------------------------------------------------------
# checklist (2.1), all_or_nothing (2.2, 3.3.3, 3.5.1), count (3.3.2)


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        ((True, True, True), 3),
        ((True, False, True), 2),
        ((False, True, False), 1),
        ((False, False, False), 0),
    ],
)
def test_checklist_2_1(present: tuple[bool, bool, bool], expected: int) -> None:
    item = suggestion(
        "2.1", duties_published=present[0], badges_worn=present[1], supervision_phone_published=present[2]
    )
    assert item.score == expected


def test_checklist_names_what_is_missing() -> None:
    text = suggestion("2.1", badges_worn=False).explanation
    assert "缺少：「工作人员挂牌上岗」" in text and text.endswith("2 分")


@pytest.mark.parametrize(("value", "expected"), [(True, 2), (False, 0)])
def test_all_or_nothing_2_2(value: bool, expected: int) -> None:
    assert suggestion("2.2", appraisal_system=value).score == expected


def test_all_or_nothing_3_3_3() -> None:
    assert suggestion("3.3.3", flexible_employment_service=False).score == 0
    assert suggestion("3.3.3").score == 3


@pytest.mark.parametrize(
    ("households", "cleared", "pending", "expected", "met"),
    [
        (3, 2, 1, 4, "达到要求"),
        (3, 3, 0, 4, "达到要求"),
        (3, 1, 1, 0, "未达到要求"),
        (2, 0, 0, 0, "未达到要求"),
    ],
)
def test_all_or_nothing_value_of_3_5_1(
    households: int, cleared: int, pending: int, expected: int, met: str
) -> None:
    # Decision 3: a household recognised less than a month ago and not yet employed is pending, not failed.
    item = suggestion(
        "3.5.1",
        zero_employment_households=households,
        zero_employment_cleared_in_month=cleared,
        zero_employment_pending=pending,
    )
    assert item.score == expected
    assert f"→ {met} → {expected} 分" in item.explanation
    assert f"零就业家庭户数 {households}" in item.explanation


def test_all_or_nothing_empty_3_5_1() -> None:
    item = suggestion(
        "3.5.1", zero_employment_households=0, zero_employment_cleared_in_month=0, zero_employment_pending=0
    )
    assert item.score == 4
    assert item.flags == ("no_population",)


@pytest.mark.parametrize(
    ("done", "expected"),
    [((False, False, False), 0), ((True, False, False), 2), ((False, False, True), 2), ((True, True, False), 3),
     ((True, True, True), 3)],
)  # fmt: skip
def test_count_3_3_2(done: tuple[bool, bool, bool], expected: int) -> None:
    item = suggestion(
        "3.3.2",
        vocational_training_help=done[0],
        entrepreneurship_training_help=done[1],
        employment_card_full=done[2],
    )
    assert item.score == expected
    assert f"已开展 {sum(done)} 项" in item.explanation


# --------------------------------------------------------------------------------------------
# thresholds (3.4, 3.5.4, 3.6)


@pytest.mark.parametrize(("placed", "expected"), [(0, D(0)), (1, None), (3, None)])
def test_thresholds_3_4_graduates(placed: int, expected: Any) -> None:
    # Decision 10: 3.4 with nobody placed suggests 0; with ≥1 placed it is left to the reviewer (0–4).
    item = suggestion("3.4", graduates_served=max(placed, 1), graduates_placed=placed)
    assert item.score == expected
    if expected is None:
        assert item.flags == ("discretionary",) and item.bounds == (0, 4)


@pytest.mark.parametrize(("count", "expected"), [(0, D(4)), (1, None), (7, None)])
def test_thresholds_otherwise_discretionary_3_5_4(count: int, expected: Any) -> None:
    item = suggestion("3.5.4", unemployed_over_six_months=count)
    assert item.score == expected
    if expected is None:
        assert item.bounds == (0, 4) and "0–4 分内酌情给分" in item.explanation


@pytest.mark.parametrize(
    ("placed", "expected"), [(0, D(0)), (1, None), (2, D(3)), (4, D(3)), (5, D(6)), (12, D(6))]
)
def test_thresholds_3_6(placed: int, expected: Any) -> None:
    item = suggestion("3.6", welfare_post_placements=placed)
    assert item.score == expected


def test_thresholds_discretionary_step_explains_why() -> None:
    item = suggestion("3.6", welfare_post_placements=1)
    assert item.score is None
    assert item.flags == ("discretionary",)
    assert item.bounds == (0, 3)
    assert "人数 1" in item.explanation and "未达 2" in item.explanation
    assert "由评审人员在 0–3 分内酌情给分" in item.explanation


# --------------------------------------------------------------------------------------------
# brackets (3.5.2, 3.5.3) — decisions 1 and 2

HARD = ("hard_to_employ_employed", "hard_to_employ_total")
REGISTERED = ("registered_unemployed_employed", "registered_unemployed_total")
EDGES = [(799, 1000), (80, 100), (90, 100), (181, 200), (91, 100), (949, 1000), (95, 100), (100, 100)]
#          79.9%       80%        90%        90.5%       91%        94.9%        95%        100%


@pytest.mark.parametrize(
    ("fraction", "expected"), list(zip(EDGES, [0, 2, 2, 2, 3, 3, 4, 4], strict=True)), ids=lambda v: str(v)
)
def test_brackets_3_5_2_edges(fraction: tuple[int, int], expected: int) -> None:
    num, den = fraction
    assert suggestion("3.5.2", hard_to_employ_employed=num, hard_to_employ_total=den).score == expected


@pytest.mark.parametrize(
    ("fraction", "expected"),
    list(zip([*EDGES, (849, 1000), (85, 100)], [0, 0, 1, 1, 3, 3, 4, 4, 0, 1], strict=True)),
    ids=lambda v: str(v),
)
def test_brackets_3_5_3_edges(fraction: tuple[int, int], expected: int) -> None:
    num, den = fraction
    item = suggestion("3.5.3", registered_unemployed_employed=num, registered_unemployed_total=den)
    assert item.score == expected


@pytest.mark.parametrize(("line_id", "names"), [("3.5.2", HARD), ("3.5.3", REGISTERED)])
def test_brackets_empty_population_is_full_marks(line_id: str, names: tuple[str, str]) -> None:
    item = suggestion(line_id, **{names[0]: 0, names[1]: 0})
    assert item.score == 4
    assert item.flags == ("no_population",)
    assert "无统计对象" in item.explanation


def test_brackets_explanation_shows_the_rate() -> None:
    item = suggestion("3.5.2", hard_to_employ_employed=47, hard_to_employ_total=50)
    assert item.explanation == "就业困难人员就业率 47/50 = 94.0% → 91%–94% 档 → 3 分"


def test_brackets_compare_exactly_not_the_printed_rate() -> None:
    # 94.95% prints as ≈ 94.9% (truncated, never rounded up across a bound) and is in the 91% bracket.
    item = suggestion("3.5.2", hard_to_employ_employed=1899, hard_to_employ_total=2000)
    assert item.score == 3
    assert "≈ 94.9%" in item.explanation
    # 18/19 = 94.7368...%: below 95, above 91.
    assert suggestion("3.5.2", hard_to_employ_employed=18, hard_to_employ_total=19).score == 3
    # 2/3 = 66.66...% prints ≈ 66.6% and scores the otherwise 0.
    low = suggestion("3.5.2", hard_to_employ_employed=2, hard_to_employ_total=3)
    assert low.score == 0 and "≈ 66.6%" in low.explanation and "低于 80%" in low.explanation


def test_brackets_inconsistent_facts() -> None:
    item = suggestion("3.5.2", hard_to_employ_employed=51, hard_to_employ_total=50)
    assert item.score is None
    assert item.flags == ("inconsistent_facts",)


# --------------------------------------------------------------------------------------------
# coverage (3.2.2)


@pytest.mark.parametrize(
    ("total", "covered", "without", "expected"),
    [
        (10, 10, 0, D(4)),
        (10, 7, 0, D("2.5")),  # 4 × 0.7 = 2.8 → 2.5
        (3, 2, 0, D("2.5")),  # 4 × 2/3 = 2.67 → 2.5
        (3, 1, 0, D(1)),  # 4 × 1/3 = 1.33 → 1
        (8, 7, 0, D("3.5")),  # 4 × 7/8 = 3.5 exactly
        (10, 8, 0, D(3)),  # 4 × 0.8 = 3.2 → 3
        # "有走访、无记录备案不得分": a household visited without its record scores the line 0,
        # however many others were visited with records (was 4 × 7/8 = 3.5 and 4 × 5/8 = 2.5).
        (8, 7, 1, D(0)),
        (8, 5, 1, D(0)),
        (10, 8, 2, D(0)),
        (5, 0, 5, D(0)),
        (5, 0, 0, D(0)),
        (5, 1, 4, D(0)),
        (5, 1, 0, D("0.5")),  # 4 × 1/5 = 0.8 → 0.5
        (0, 0, 0, D(4)),  # nobody to visit
    ],
)
def test_coverage_3_2_2(total: int, covered: int, without: int, expected: Decimal) -> None:
    item = suggestion(
        "3.2.2",
        households_to_visit=total,
        households_visited_with_record=covered,
        visits_without_record=without,
    )
    assert item.score == expected
    if without:
        assert "有走访、无记录备案不得分 → 0 分" in item.explanation
        assert item.flags == ("visited_without_record",)
    elif total == 0:
        assert item.flags == ("no_population",)
    elif 0 < covered < total:
        assert item.flags == ("partial_coverage",)
        assert "向下取整" in item.explanation


def test_coverage_explanation() -> None:
    item = suggestion(
        "3.2.2", households_to_visit=10, households_visited_with_record=7, visits_without_record=0
    )
    assert "覆盖 7/10 = 70.0%" in item.explanation
    assert "4 × 7/10 = 2.80" in item.explanation
    assert item.explanation.split("→")[-1].strip().startswith("2.5 分")


def test_coverage_rounds_down_to_the_overridden_step() -> None:
    values = facts(households_to_visit=10, households_visited_with_record=7)
    assert engine.suggest(STD, values, score_step=1)["3.2.2"].score == 2
    assert engine.suggest(STD, values, score_step=D("0.25"))["3.2.2"].score == D("2.75")


def test_coverage_inconsistent_facts() -> None:
    item = suggestion(
        "3.2.2", households_to_visit=10, households_visited_with_record=8, visits_without_record=3
    )
    assert item.score is None and item.flags == ("inconsistent_facts",)


# --------------------------------------------------------------------------------------------
# Missing facts


def test_no_facts_at_all() -> None:
    result = engine.suggest(STD, {})
    for line in STD.lines:
        item = result[line.id]
        assert item.score is None
        expected = ("discretionary",) if line.kind == "discretionary" else ("missing_facts",)
        assert item.flags == expected
    text = result["3.5.2"].explanation
    assert text.startswith("缺少事实：")
    assert "就业困难人员中已实现就业人数" in text and "有劳动能力和就业愿望的就业困难人员人数" in text


def test_one_missing_fact_names_only_it() -> None:
    values = facts()
    del values["certified_staff_count"]
    item = engine.suggest(STD, values)["1.2"]
    assert item.score is None and item.flags == ("missing_facts",)
    assert "持协理员四级及以上证书人数" in item.explanation
    assert "专职协理员人数" not in item.explanation
    assert engine.suggest(STD, values)["1.1"].score == 3


def test_null_fact_counts_as_missing() -> None:
    item = suggestion("3.6", welfare_post_placements=None)
    assert item.flags == ("missing_facts",)


def test_missing_gate_fact_keeps_the_community_evaluated_but_says_so() -> None:
    values = facts()
    del values["platform_established"]
    del values["serious_incident"]
    result = engine.evaluate(STD, values, {})
    assert result.status == "evaluated"
    assert "第 1.1 行的列入评估条件" in result.status_message
    assert "第 4 行的取消资格条件" in result.status_message


# --------------------------------------------------------------------------------------------
# validate_facts


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("platform_exists", True, "未知的事实"),
        ("appraisal_system", 1, "true 或 false"),
        ("appraisal_system", "true", "true 或 false"),
        ("staff_count", True, "整数"),
        ("staff_count", 2.5, "整数"),
        ("staff_count", "2", "整数"),
        ("staff_count", -1, "负数"),
        ("service_area_m2", "12", "数字"),
        ("service_area_m2", False, "数字"),
        ("service_area_m2", -3.5, "非负"),
        ("service_area_m2", float("nan"), "有限"),
    ],
)
def test_validate_facts_rejects(name: str, value: Any, fragment: str) -> None:
    with pytest.raises(FactsError) as info:
        engine.validate_facts(STD, {**FULL, name: value})
    assert fragment in str(info.value)
    assert name in str(info.value)
    assert info.value.fact == name
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("value", [12, 12.5, D("12.5"), 0])
def test_validate_facts_numbers(value: Any) -> None:
    engine.validate_facts(STD, {"service_area_m2": value, "staff_count": 0, "badges_worn": None})


def test_validate_facts_requires_a_mapping() -> None:
    with pytest.raises(FactsError):
        engine.validate_facts(STD, [("staff_count", 1)])  # type: ignore[arg-type]


def test_suggest_and_evaluate_validate_facts() -> None:
    with pytest.raises(FactsError):
        engine.suggest(STD, {"nonsense": 1})
    with pytest.raises(FactsError):
        engine.evaluate(STD, {"staff_count": "3"}, {})


# --------------------------------------------------------------------------------------------
# validate_score: every error code


def test_out_of_range() -> None:
    errors = engine.validate_score(STD, "self", "1.1", 4)
    assert codes(errors) == ["out_of_range"]
    assert errors[0].message.startswith("第 1.1 行（社区自评）")
    assert codes(engine.validate_score(STD, "city", "1.1", -0.5, reason="x")) == ["out_of_range"]


def test_bad_step() -> None:
    errors = engine.validate_score(STD, "self", "1.2", 2.3)
    assert codes(errors) == ["bad_step"]
    assert "0.5" in errors[0].message and "第 1.2 行" in errors[0].message
    assert engine.validate_score(STD, "self", "1.2", 2.5) == []
    # A float that is a multiple in decimal is a multiple (no binary rounding surprise).
    assert engine.validate_score(STD, "self", "1.2", 2.3, step=D("0.1")) == []


@pytest.mark.parametrize(("line_id", "score"), [("2.2", 1), ("3.3.3", 1.5), ("3.5.1", 2), ("3.5.1", 0.5)])
def test_not_allowed_on_all_or_nothing_lines(line_id: str, score: float) -> None:
    errors = engine.validate_score(STD, "self", line_id, score)
    assert codes(errors) == ["not_allowed"]
    assert f"第 {line_id} 行" in errors[0].message and "0 分或满分" in errors[0].message


@pytest.mark.parametrize("line_id", ["2.2", "3.3.3", "3.5.1"])
def test_all_or_nothing_accepts_0_and_max(line_id: str) -> None:
    assert engine.validate_score(STD, "self", line_id, 0) == []
    assert engine.validate_score(STD, "self", line_id, STD.line(line_id).max) == []


@pytest.mark.parametrize("stage", ["self", "county"])
def test_not_scored_at_stage(stage: str) -> None:
    errors = engine.validate_score(STD, stage, "5", 3)
    assert codes(errors) == ["not_scored_at_stage"]
    assert "第 5 行" in errors[0].message and "市级复核" in errors[0].message
    assert engine.validate_score(STD, "city", "5", 3, reason="创新材料一般") == []


def test_unknown_line() -> None:
    errors = engine.validate_score(STD, "county", "9.9", 1)
    assert codes(errors) == ["unknown_line"]
    assert "第 9.9 行" in errors[0].message


def test_reason_required_below_max_at_county_and_city() -> None:
    # Decision 6.
    for stage in ("county", "city"):
        errors = engine.validate_score(STD, stage, "1.2", 3)
        assert codes(errors) == ["reason_required"]
        assert "低于满分 5" in errors[0].message and "第 1.2 行" in errors[0].message
        assert engine.validate_score(STD, stage, "1.2", 3, reason="无持证人员") == []
        assert codes(engine.validate_score(STD, stage, "1.2", 3, reason="   ")) == ["reason_required"]
        assert engine.validate_score(STD, stage, "1.2", 5) == []


def test_self_stage_has_no_reason_column() -> None:
    assert engine.validate_score(STD, "self", "1.2", 0) == []
    assert (
        engine.validate_score(STD, "self", "1.2", 5, suggestion=suggestion("1.2", certified_staff_count=0))
        == []
    )


def test_reason_required_when_differing_from_suggestion_even_at_max() -> None:
    # Decision 9.
    sugg = suggestion("1.2", certified_staff_count=0)  # 3
    errors = engine.validate_score(STD, "county", "1.2", 5, suggestion=sugg)
    assert codes(errors) == ["reason_required"]
    assert "与建议分 3 不一致" in errors[0].message
    assert engine.validate_score(STD, "county", "1.2", 5, reason="现场核实有持证人员", suggestion=sugg) == []
    # Agreeing with a suggestion below max still needs the deduction reason (decision 6).
    assert codes(engine.validate_score(STD, "county", "1.2", 3, suggestion=sugg)) == ["reason_required"]
    # A plain number works as the suggestion too.
    assert codes(engine.validate_score(STD, "city", "1.2", 5, suggestion=D(3))) == ["reason_required"]


def test_reason_required_outside_the_discretionary_range() -> None:
    sugg = suggestion("1.3", service_area_m2=8, equipment_complete=False)  # 0–2 at the reviewer's discretion
    errors = engine.validate_score(STD, "city", "1.3", 4, suggestion=sugg)
    assert codes(errors) == ["reason_required"]
    assert "0–2" in errors[0].message
    assert engine.validate_score(STD, "self", "1.3", 4, suggestion=sugg) == []


def test_discretionary_line_at_max_needs_no_reason() -> None:
    assert engine.validate_score(STD, "county", "3.1.1", 12, suggestion=suggestion("3.1.1")) == []


def test_none_score_has_nothing_to_validate() -> None:
    assert engine.validate_score(STD, "county", "1.2", None) == []


@pytest.mark.parametrize("score", ["3", True, [3], float("inf")])
def test_score_that_is_not_a_number_is_an_input_error(score: Any) -> None:
    with pytest.raises(InputError, match="第 1.2 行"):
        engine.validate_score(STD, "self", "1.2", score)


def test_unknown_stage_is_an_input_error() -> None:
    with pytest.raises(InputError, match="province"):
        engine.validate_score(STD, "province", "1.2", 3)
    with pytest.raises(InputError, match="province"):
        engine.evaluate(STD, FULL, {"province": {}})


# --------------------------------------------------------------------------------------------
# evaluate: totals, missing scores, status, stars


def test_stage_totals_and_maxima() -> None:
    # Decision 7: self and county out of 95 (line 5 excluded), city out of 100.
    scores = {"self": all_max("self"), "county": all_max("county"), "city": all_max("city")}
    result = engine.evaluate(STD, FULL, scores)
    assert result.totals == {"self": 95, "county": 95, "city": 100}
    assert result.stage_max == {"self": 95, "county": 95, "city": 100}
    assert result.status == "evaluated"
    assert result.errors == []
    assert result.star == "五星"
    assert result.stars == {"self": "五星", "county": "五星", "city": "五星"}


def test_line_5_at_self_is_an_error_and_not_counted() -> None:
    scores = {"self": {**all_max("self"), "5": 5}}
    result = engine.evaluate(STD, FULL, scores)
    assert codes(result.errors) == ["not_scored_at_stage"]
    assert result.totals["self"] == 95


def test_missing_score() -> None:
    scores = all_max("county")
    del scores["3.4"]
    scores["2.3"] = None  # null is not a score
    result = engine.evaluate(STD, FULL, {"county": scores})
    assert [(e.line, e.code) for e in result.errors] == [("2.3", "missing_score"), ("3.4", "missing_score")]
    assert result.totals["county"] == 95 - 3 - 4


def test_given_stage_without_scores_misses_every_line() -> None:
    result = engine.evaluate(STD, FULL, {}, stages=["city"])
    assert codes(result.errors) == ["missing_score"] * 23
    assert result.totals == {"city": 0}
    assert result.star is None


def test_stages_argument_ignores_other_stages() -> None:
    result = engine.evaluate(STD, FULL, {"self": all_max("self"), "city": {"1.1": 99}}, stages=["self"])
    assert result.totals == {"self": 95}
    assert result.errors == []


def test_invalid_scores_are_left_out_of_the_total() -> None:
    city = {**all_max("city"), "1.1": 4, "1.2": 2.3, "2.2": 1, "9.9": 3}
    result = engine.evaluate(STD, FULL, {"city": city}, reasons={"city": reasons_for_all()})
    assert sorted(codes(result.errors)) == ["bad_step", "not_allowed", "out_of_range", "unknown_line"]
    assert result.totals["city"] == 100 - 3 - 5 - 2
    # A city line without a valid score means the final total is not complete: no star.
    assert result.star is None
    # The per-stage star is indicative: computed from the total as it stands.
    assert result.stars["city"] == "四星"


def test_star_requires_a_complete_city_stage() -> None:
    city = all_max("city")
    del city["3.1.1"]
    result = engine.evaluate(STD, FULL, {"city": city})
    assert result.totals["city"] == 88
    assert codes(result.errors) == ["missing_score"]
    assert result.star is None
    assert result.stars == {"city": "三星"}


def test_star_only_from_the_city_stage() -> None:
    result = engine.evaluate(STD, FULL, {"self": all_max("self"), "county": all_max("county")})
    assert result.star is None
    assert result.stars == {"self": "五星", "county": "五星"}


def test_reasons_are_checked_per_stage() -> None:
    city = {**all_max("city"), "3.1.1": 10}
    result = engine.evaluate(STD, FULL, {"city": city})
    assert [(e.stage, e.line, e.code) for e in result.errors] == [("city", "3.1.1", "reason_required")]
    # reason_required is not a value error: the score counts.
    assert result.totals["city"] == 98
    assert result.star == "五星"
    fixed = engine.evaluate(STD, FULL, {"city": city}, reasons={"city": {"3.1.1": "台帐更新不及时"}})
    assert fixed.errors == []


def test_scores_differing_from_suggestions_at_county() -> None:
    values = facts(hard_to_employ_employed=47)  # 3.5.2 suggests 3
    result = engine.evaluate(STD, values, {"county": all_max("county")})
    assert [(e.line, e.code) for e in result.errors] == [("3.5.2", "reason_required")]
    assert "与建议分 3 不一致" in result.errors[0].message


def test_errors_follow_the_standard_order() -> None:
    county = {"9.9": 1, **{line_id: 0 for line_id in all_max("county")}}
    result = engine.evaluate(STD, FULL, {"county": county})
    assert [e.line for e in result.errors][:3] == ["1.1", "1.2", "1.3"]
    assert result.errors[-1].line == "9.9"


# Gate and disqualification (decision 11)


@pytest.mark.parametrize("missing", ["platform_established", "service_window"])
def test_gate_not_evaluated(missing: str) -> None:
    values = facts(**{missing: False})
    result = engine.evaluate(STD, values, {"city": all_max("city")})
    assert result.status == "not_evaluated"
    assert "不列入评估" in result.status_message and "第 1.1 行" in result.status_message
    assert result.star is None
    assert result.stars == {"city": None}
    assert result.totals["city"] == 100
    assert "not_evaluated" in result.suggestions["1.1"].flags


def test_disqualified() -> None:
    result = engine.evaluate(STD, facts(serious_incident=True), {"city": all_max("city")})
    assert result.status == "disqualified"
    assert "取消" in result.status_message and "第 4 行" in result.status_message
    assert result.star is None and result.stars == {"city": None}
    assert result.suggestions["4"].flags == ("discretionary", "disqualified")


def test_gate_takes_precedence_over_disqualification() -> None:
    result = engine.evaluate(STD, facts(service_window=False, serious_incident=True), {})
    assert result.status == "not_evaluated"


# Star bands (decision 8)


@pytest.mark.parametrize(
    ("total", "star"),
    [
        (100, "五星"),
        (95, "五星"),
        (94.5, "四星"),
        (90, "四星"),
        (89.5, "三星"),
        (85, "三星"),
        (84.5, None),
        (0, None),
    ],
)
def test_star_for_default_bands(total: float, star: str | None) -> None:
    assert engine.star_for(total, STD.star_bands) == star


def test_star_for_accepts_dicts_in_any_order() -> None:
    bands = [{"name": "二星", "min": 80}, {"name": "一星", "min": 60}, {"name": "三星", "min": 90}]
    assert engine.star_for(D("85"), bands) == "二星"
    assert engine.star_for(None, bands) is None


def test_star_bands_overridden() -> None:
    city = all_max("city")
    city["3.1.1"] = 0  # 88
    reasons = {"city": {"3.1.1": "无台帐"}}
    default = engine.evaluate(STD, FULL, {"city": city}, reasons=reasons)
    assert default.star == "三星"
    bands = [{"name": "金牌", "min": 88}, {"name": "银牌", "min": 80}]
    overridden = engine.evaluate(STD, FULL, {"city": city}, reasons=reasons, star_bands=bands)
    assert overridden.star == "金牌"
    assert [b.name for b in overridden.star_bands] == ["金牌", "银牌"]
    stricter = engine.evaluate(
        STD, FULL, {"city": city}, reasons=reasons, star_bands=[{"name": "五星", "min": 99}]
    )
    assert stricter.star is None


@pytest.mark.parametrize(
    "bands",
    [[{"name": "A", "min": 80}, {"name": "B", "min": 90}], [{"name": "A"}], [], [{"name": "A", "min": 120}]],
)
def test_bad_star_bands_are_input_errors(bands: list[dict[str, Any]]) -> None:
    with pytest.raises(InputError):
        engine.evaluate(STD, FULL, {}, star_bands=bands)


# Score step (decision 5)


def test_score_step_overridden() -> None:
    self_scores = {**all_max("self"), "1.2": 2.5}
    assert engine.evaluate(STD, FULL, {"self": self_scores}).errors == []
    result = engine.evaluate(STD, FULL, {"self": self_scores}, score_step=1)
    assert [(e.line, e.code) for e in result.errors] == [("1.2", "bad_step")]
    assert result.score_step == 1
    assert result.totals["self"] == 90
    finer = engine.evaluate(STD, FULL, {"self": {**self_scores, "1.2": D("2.25")}}, score_step="0.25")
    assert finer.errors == []


@pytest.mark.parametrize("step", [0, -1, 2, "abc", D("0.3")])
def test_bad_score_step_is_an_input_error(step: Any) -> None:
    with pytest.raises(InputError):
        engine.evaluate(STD, FULL, {}, score_step=step)


def test_score_step_must_divide_the_line_maxima() -> None:
    with pytest.raises(InputError, match="第 1.1 行"):
        engine.validate_score(STD, "self", "1.2", 2, step=2)


# JSON


def test_result_to_json_shape() -> None:
    city = {**all_max("city"), "3.2.1": 2.5}
    result = engine.evaluate(STD, facts(hard_to_employ_total=0, hard_to_employ_employed=0), {"city": city})
    data = engine.result_to_json(result)
    assert {"status", "suggestions", "totals", "star", "errors"} <= set(data)
    assert data["totals"] == {"city": 99.5}
    assert isinstance(data["stage_max"]["city"], int)
    assert data["suggestions"]["3.5.2"] == {
        "score": 4,
        "explanation": "就业困难人员就业率：有劳动能力和就业愿望的就业困难人员人数为 0，无统计对象 → 按满分计 → 4 分",
        "flags": ["no_population"],
    }
    assert data["suggestions"]["2.3"]["score"] is None
    assert data["suggestions"]["2.3"]["range"] == [0, 3]
    assert data["errors"] == [
        {
            "stage": "city",
            "line": "3.2.1",
            "code": "reason_required",
            "message": "第 3.2.1 行（市级复核）：得分 2.5 低于满分 3，须填写扣分原因",
        }
    ]
    assert data["star"] == "五星"
    assert data["score_step"] == 0.5


def test_suggested_scores_are_tidy_decimals() -> None:
    values = facts(households_to_visit=10, households_visited_with_record=7)
    assert str(engine.suggest(STD, values)["3.2.2"].score) == "2.5"
    assert str(engine.suggest(STD, facts(households_visited_with_record=0))["3.2.2"].score) == "0"


def test_json_number() -> None:
    assert engine.json_number(D("3.0")) == 3 and isinstance(engine.json_number(D("3.0")), int)
    assert engine.json_number(D("2.5")) == 2.5
    assert engine.json_number(None) is None


# --------------------------------------------------------------------------------------------
# Properties

FACT_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "bool": st.booleans(),
    "int": st.integers(min_value=0, max_value=60),
    "number": st.one_of(
        st.integers(min_value=0, max_value=40),
        st.floats(min_value=0, max_value=40, allow_nan=False, allow_infinity=False),
        st.decimals(min_value=0, max_value=40, places=2),
    ),
}
random_facts = st.fixed_dictionaries(
    {},
    optional={name: st.one_of(st.none(), FACT_VALUES[f.type]) for name, f in STD.facts.items()},
)
STEPS = [None, D("0.5"), D(1), D("0.25"), D("0.1")]


@settings(max_examples=300, deadline=None)
@given(values=random_facts, step=st.sampled_from(STEPS))
def test_every_suggestion_is_within_range_and_on_the_step(
    values: dict[str, Any], step: Decimal | None
) -> None:
    effective = step or STD.score_step
    for line_id, item in engine.suggest(STD, values, score_step=step).items():
        line = STD.line(line_id)
        if item.score is not None:
            assert 0 <= item.score <= line.max
            assert item.score % effective == 0
            if line.binary:
                assert item.score in (0, line.max)
        else:
            assert set(item.flags) & {"discretionary", "missing_facts", "inconsistent_facts"}
        if item.bounds is not None:
            assert 0 <= item.bounds[0] <= item.bounds[1] <= line.max
        assert item.explanation


score_value = st.one_of(
    st.none(),
    st.decimals(min_value=-2, max_value=14, places=2),
    st.integers(min_value=-1, max_value=13),
    st.sampled_from([D(0), D("0.5"), D(1), D(2), D(3), D(4), D(5), D(6), D(12)]),
)
stage_scores = st.dictionaries(
    st.sampled_from([line.id for line in STD.lines] + ["9.9", "0"]), score_value, max_size=26
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=random_facts,
    scores=st.fixed_dictionaries({}, optional={stage: stage_scores for stage in STD.stage_ids}),
    step=st.sampled_from(STEPS),
)
def test_total_is_the_sum_of_valid_lines_and_never_exceeds_the_stage_max(
    values: dict[str, Any], scores: dict[str, dict[str, Any]], step: Decimal | None
) -> None:
    result = engine.evaluate(STD, values, scores, score_step=step)
    assert set(result.totals) == set(scores)
    for stage, entered in scores.items():
        bad = {e.line for e in result.errors if e.stage == stage and e.code in engine.VALUE_ERROR_CODES}
        valid = {line_id: v for line_id, v in entered.items() if v is not None and line_id not in bad}
        assert result.totals[stage] == sum((D(v) for v in valid.values()), D(0))
        assert 0 <= result.totals[stage] <= result.stage_max[stage] == STD.stage_max(stage)
        assert all(line_id in STD.lines_by_id and STD.line(line_id).scored_at(stage) for line_id in valid)
        missing = {e.line for e in result.errors if e.stage == stage and e.code == "missing_score"}
        assert missing == {line.id for line in STD.stage_lines(stage) if entered.get(line.id) is None}
    if result.star is not None:
        assert result.status == "evaluated"
        assert result.star == engine.star_for(result.totals["city"], STD.star_bands)


@settings(max_examples=100, deadline=None)
@given(values=random_facts, step=st.sampled_from(STEPS))
def test_one_lines_suggestion_is_the_sheets(values: dict[str, Any], step: Decimal | None) -> None:
    every = engine.suggest(STD, values, score_step=step)
    for line in STD.lines:
        assert engine.suggest(STD, values, score_step=step, lines=[line.id]) == {line.id: every[line.id]}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=random_facts,
    scores=st.fixed_dictionaries({}, optional={stage: stage_scores for stage in STD.stage_ids}),
    scored=st.sets(st.sampled_from(STD.stage_ids)),
    shown=st.sets(st.sampled_from(STD.stage_ids)),
    step=st.sampled_from(STEPS),
)
def test_a_result_restricted_to_fewer_stages_is_their_own_evaluation(
    values: dict[str, Any], scores: dict[str, dict[str, Any]], scored: set[str], shown: set[str],
    step: Decimal | None,
) -> None:
    bands = [{"name": "三星", "min": 95}, {"name": "二星", "min": 90}, {"name": "一星", "min": 0}]
    wide = engine.evaluate(STD, values, scores, star_bands=bands, score_step=step, stages=scored | shown)
    narrow = engine.evaluate(STD, values, scores, star_bands=bands, score_step=step, stages=shown)
    assert engine.restrict(STD, wide, shown) == narrow


def test_restricting_to_a_stage_not_scored_is_refused() -> None:
    result = engine.evaluate(STD, FULL, {"self": all_max("self")})
    with pytest.raises(ValueError, match="county"):
        engine.restrict(STD, result, ["self", "county"])


def test_restricting_keeps_the_star_only_with_the_final_stage() -> None:
    scores = {stage: all_max(stage) for stage in STD.stage_ids}
    reasons = {stage: reasons_for_all() for stage in ("county", "city")}
    result = engine.evaluate(STD, FULL, scores, reasons)
    assert result.star is not None
    assert engine.restrict(STD, result, ["self", "county"]).star is None
    assert engine.restrict(STD, result, ["city"]) == engine.evaluate(STD, FULL, scores, reasons, stages=["city"])
