"""The standard as data: v1.json parses, and every malformed standard is rejected naming the line."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from standards import schema

V1 = Path(__file__).resolve().parents[2] / "standards" / "data" / "v1.json"
RAW: dict[str, Any] = json.loads(V1.read_text(encoding="utf-8"))


def line(data: dict[str, Any], line_id: str) -> dict[str, Any]:
    return next(item for item in data["lines"] if item["id"] == line_id)


def fact(data: dict[str, Any], name: str) -> dict[str, Any]:
    return data["facts"][name]


@pytest.fixture(scope="module")
def v1() -> schema.Standard:
    return schema.load_standard_file(V1)


# --------------------------------------------------------------------------------------------
# v1.json as published


def test_v1_has_the_23_lines_of_the_seed(v1: schema.Standard) -> None:
    assert v1.version == "v1"
    assert v1.title == "市级充分就业星级社区评审标准"
    assert [item.id for item in v1.lines] == [
        "1.1", "1.2", "1.3", "2.1", "2.2", "2.3",
        "3.1.1", "3.1.2", "3.2.1", "3.2.2", "3.2.3",
        "3.3.1", "3.3.2", "3.3.3", "3.3.4", "3.4",
        "3.5.1", "3.5.2", "3.5.3", "3.5.4", "3.6", "4", "5",
    ]  # fmt: skip
    assert v1.total == Decimal(100)
    assert sum(item.max for item in v1.lines) == Decimal(100)


def test_v1_section_and_group_sums(v1: schema.Standard) -> None:
    assert {s.id: s.max for s in v1.sections} == {"一": 12, "二": 8, "三": 70, "四": 5, "五": 5}
    assert {g.id: g.max for g in v1.groups} == {"3.1": 16, "3.2": 11, "3.3": 17, "3.5": 16}
    for group in v1.groups:
        assert sum(item.max for item in v1.lines if item.group == group.id) == group.max


def test_v1_stages_and_stage_maxima(v1: schema.Standard) -> None:
    assert v1.stage_ids == ("self", "county", "city")
    assert [s.label for s in v1.stages] == ["社区自评", "县级审核", "市级复核"]
    assert v1.line("5").stages == ("city",)
    assert {s: v1.stage_max(s) for s in v1.stage_ids} == {"self": 95, "county": 95, "city": 100}


def test_v1_defaults(v1: schema.Standard) -> None:
    assert v1.score_step == Decimal("0.5")
    assert [(b.name, b.min) for b in v1.star_bands] == [("五星", 95), ("四星", 90), ("三星", 85)]
    assert "创新工作特色分" in v1.footnote


def test_v1_binary_lines_are_the_all_or_nothing_ones(v1: schema.Standard) -> None:
    assert [item.id for item in v1.lines if item.binary] == ["2.2", "3.3.3", "3.5.1"]


def test_v1_gate_and_disqualify(v1: schema.Standard) -> None:
    assert v1.line("1.1").gate is not None
    assert v1.line("4").disqualify is not None
    assert [item.id for item in v1.lines if item.gate or item.disqualify] == ["1.1", "4"]


def test_v1_every_rule_kind_is_used(v1: schema.Standard) -> None:
    assert {item.kind for item in v1.lines} == set(schema.RULE_KINDS)


def test_v1_fact_vocabulary(v1: schema.Standard) -> None:
    assert len(v1.facts) == 34
    assert v1.facts["service_area_m2"].type == "number"
    assert v1.facts["serious_incident"].type == "bool"
    assert v1.facts["hard_to_employ_total"].type == "int"
    labels = [f.label for f in v1.facts.values()]
    assert len(labels) == len(set(labels)), "labels name the missing facts to users, so they must differ"
    used = {name for item in v1.lines for name in schema.rule_facts(item.rule)}
    used |= {"platform_established", "serious_incident"}
    assert used | {"graduates_served"} == set(v1.facts)


def test_raw_is_kept_and_copied(v1: schema.Standard) -> None:
    assert v1.raw == RAW
    copied = schema.standard_to_dict(v1)
    copied["lines"].clear()
    assert len(v1.raw["lines"]) == 23


def test_parse_does_not_share_the_input() -> None:
    data = copy.deepcopy(RAW)
    std = schema.parse_standard(data)
    line(data, "3.5.2")["rule"]["brackets"][0]["points"] = 0
    assert std.line("3.5.2").rule["brackets"][0]["points"] == 4


def test_standard_is_frozen_and_hashable(v1: schema.Standard) -> None:
    with pytest.raises(AttributeError):
        v1.version = "v2"  # type: ignore[misc]
    assert len({v1, v1}) == 1
    assert len(set(v1.lines)) == 23


def test_star_bands_helper() -> None:
    bands = schema.parse_star_bands([{"name": "A", "min": 80}, {"name": "B", "min": 60.5}], Decimal(100))
    assert bands == (schema.StarBand("A", Decimal(80)), schema.StarBand("B", Decimal("60.5")))


# --------------------------------------------------------------------------------------------
# Rejections: (change to v1, the line the message must name, a fragment of the message)

Mutation = Callable[[dict[str, Any]], None]


def _set(path: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        path(data)[key] = value

    return mutate


def _swap_brackets(data: dict[str, Any]) -> None:
    brackets = line(data, "3.5.2")["rule"]["brackets"]
    brackets[1], brackets[2] = brackets[2], brackets[1]


def _duplicate_id(data: dict[str, Any]) -> None:
    data["lines"][1]["id"] = "1.1"


def _unknown_gate_fact(data: dict[str, Any]) -> None:
    line(data, "1.1")["gate"]["all"][0]["fact"] = "platform_exists"


def _checklist_int(data: dict[str, Any]) -> None:
    line(data, "2.1")["rule"]["items"][0] = "staff_count"


def _value_of_unknown(data: dict[str, Any]) -> None:
    line(data, "3.5.1")["rule"]["when"][0]["value_of"][1] = "zero_pending"


def _steps_ascending(data: dict[str, Any]) -> None:
    steps = line(data, "3.6")["rule"]["steps"]
    steps[0], steps[1] = steps[1], steps[0]


REJECTIONS: list[tuple[str, Mutation, str | None, str]] = [
    ("line max off its group", _set(lambda d: line(d, "3.1.1"), "max", 11), "3.1.1", "分组 3.1"),
    ("section sum", _set(lambda d: d["sections"][0], "max", 13), "1.1", "评审项目「一」"),
    ("total", _set(lambda d: d, "total", 99), None, "总分 99"),
    ("duplicate id", _duplicate_id, "1.1", "行编号重复"),
    ("bracket order", _swap_brackets, "3.5.2", "档位必须按下限从高到低排列"),
    (
        "bracket min above 100",
        _set(lambda d: line(d, "3.5.3")["rule"]["brackets"][0], "min", 101),
        "3.5.3",
        "0–100%",
    ),
    (
        "bracket points rise",
        _set(lambda d: line(d, "3.5.3")["rule"]["brackets"][2], "points", 3.5),
        "3.5.3",
        "不能高于",
    ),
    (
        "unknown fact",
        _set(lambda d: line(d, "2.2")["rule"]["when"][0], "fact", "appraisal"),
        "2.2",
        "appraisal",
    ),
    (
        "fact of wrong type",
        _set(lambda d: line(d, "2.2")["rule"]["when"][0], "fact", "staff_count"),
        "2.2",
        "类型",
    ),
    ("bad kind", _set(lambda d: line(d, "2.3")["rule"], "kind", "lottery"), "2.3", "lottery"),
    ("components sum", _set(lambda d: line(d, "1.2")["rule"]["components"][0], "points", 2), "1.2", "之和 4"),
    ("points above max", _set(lambda d: line(d, "3.6")["rule"]["steps"][0], "points", 7), "3.6", "超出 0–6"),
    ("points off step", _set(lambda d: line(d, "3.6")["rule"]["steps"][1], "points", 2.25), "3.6", "整数倍"),
    ("negative points", _set(lambda d: line(d, "3.3.2")["rule"], "otherwise", -1), "3.3.2", "超出"),
    ("bad step op", _set(lambda d: line(d, "3.6")["rule"]["steps"][0], "op", "=>"), "3.6", "=>"),
    ("steps ascending", _steps_ascending, "3.6", "从高到低"),
    ("checklist item not bool", _checklist_int, "2.1", "staff_count"),
    (
        "count fact not bool",
        _set(lambda d: line(d, "3.3.2")["rule"], "facts", ["staff_count"]),
        "3.3.2",
        "bool",
    ),
    ("value_of unknown", _value_of_unknown, "3.5.1", "zero_pending"),
    (
        "comparison without value",
        lambda d: line(d, "1.2")["rule"]["components"][1]["when"][0].pop("value"),
        "1.2",
        "value",
    ),
    (
        "bool op with value",
        _set(lambda d: line(d, "2.2")["rule"]["when"][0], "value", 1),
        "2.2",
        "不取比较值",
    ),
    ("unknown op", _set(lambda d: line(d, "2.2")["rule"]["when"][0], "op", "yes"), "2.2", "yes"),
    ("unknown gate fact", _unknown_gate_fact, "1.1", "platform_exists"),
    ("gate without message", lambda d: line(d, "1.1")["gate"].pop("message"), "1.1", "gate.message"),
    ("disqualify all and any", _set(lambda d: line(d, "4")["disqualify"], "all", []), "4", "all 或 any"),
    ("typo in rule", _set(lambda d: line(d, "3.5.2")["rule"], "brakets", []), "3.5.2", "brakets"),
    ("unknown stage", _set(lambda d: line(d, "5"), "stages", ["province"]), "5", "province"),
    ("duplicate stage", _set(lambda d: line(d, "5"), "stages", ["city", "city"]), "5", "重复"),
    ("unknown section", _set(lambda d: line(d, "4"), "section", "六"), "4", "六"),
    ("unknown group", _set(lambda d: line(d, "3.4"), "group", "3.4"), "3.4", "分组"),
    ("group of another section", _set(lambda d: line(d, "4"), "group", "3.1"), "4", "属于评审项目"),
    (
        "discretionary range reversed",
        _set(lambda d: line(d, "3.6")["rule"]["steps"][2], "range", [3, 0]),
        "3.6",
        "大于上限",
    ),
    (
        "otherwise not discretionary",
        _set(lambda d: line(d, "1.3")["rule"]["components"][1], "otherwise", "zero"),
        "1.3",
        "otherwise",
    ),
    (
        "coverage fact of wrong type",
        _set(lambda d: line(d, "3.2.2")["rule"], "total", "service_area_m2"),
        "3.2.2",
        "service_area_m2",
    ),
    (
        "empty fact unknown",
        _set(lambda d: line(d, "3.5.1")["rule"], "empty", {"fact": "nobody"}),
        "3.5.1",
        "nobody",
    ),
    ("line max not on step", _set(lambda d: d, "score_step", 2), "1.1", "整数倍"),
    ("zero max", _set(lambda d: line(d, "2.3"), "max", 0), "2.3", "大于 0"),
]


@pytest.mark.parametrize(
    ("mutate", "line_id", "fragment"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS]
)
def test_rejections_name_the_line(mutate: Mutation, line_id: str | None, fragment: str) -> None:
    data = copy.deepcopy(RAW)
    mutate(data)
    with pytest.raises(schema.StandardError) as info:
        schema.parse_standard(data)
    message = str(info.value)
    assert fragment in message
    if line_id is not None:
        assert info.value.line == line_id
        assert message.startswith(f"第 {line_id}")


def test_bracket_order_message_reads_as_the_product_says() -> None:
    data = copy.deepcopy(RAW)
    _swap_brackets(data)
    with pytest.raises(schema.StandardError, match=r"^第 3\.5\.2 行：档位必须按下限从高到低排列"):
        schema.parse_standard(data)


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("score_step", 0, "大于 0"),
        ("score_step", "0.5", "数字"),
        ("star_bands", [{"name": "三星", "min": 85}, {"name": "五星", "min": 95}], "从高到低"),
        ("star_bands", [{"name": "", "min": 95}], "名称"),
        ("star_bands", [{"name": "A", "min": 101}], "超出"),
        ("star_bands", [{"name": "A", "min": 95}, {"name": "A", "min": 90}], "重复"),
        ("star_bands", [], "非空"),
        ("stages", [{"id": "province", "label": "省级"}], "province"),
        ("facts", {"Bad-Name": {"type": "bool", "label": "x"}}, "不合法"),
        ("version", "", "version"),
    ],
)
def test_rejections_of_standard_wide_fields(key: str, value: Any, fragment: str) -> None:
    data = copy.deepcopy(RAW)
    data[key] = value
    with pytest.raises(schema.StandardError) as info:
        schema.parse_standard(data)
    assert fragment in str(info.value)


def test_fact_type_must_be_known() -> None:
    data = copy.deepcopy(RAW)
    fact(data, "staff_count")["type"] = "integer"
    with pytest.raises(schema.StandardError, match="staff_count"):
        schema.parse_standard(data)


def test_load_standard_file_rejects_bad_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(schema.StandardError, match="无法读取标准文件"):
        schema.load_standard_file(bad)


def test_standard_error_prefixes_the_line_once() -> None:
    assert (
        str(schema.StandardError("档位必须按下限从高到低排列", "3.5.2"))
        == "第 3.5.2 行：档位必须按下限从高到低排列"
    )
    assert str(schema.StandardError("第 3.5.2 行：x", "3.5.2")) == "第 3.5.2 行：x"
    assert isinstance(schema.StandardError("x"), ValueError)


def test_schema_and_engine_do_not_import_django() -> None:
    code = "import sys, standards.schema, standards.engine; print('django' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_which_lines_a_fact_feeds_comes_from_the_schema():
    from standards.schema import line_facts, load_standard_file

    standard = load_standard_file(Path(__file__).resolve().parents[2] / "standards" / "data" / "v1.json")
    # A gate fact, a disqualification fact, a rule fact, a fact read by two parts of one line.
    assert standard.fact_lines["service_window"] == ("1.1",)
    assert standard.fact_lines["platform_established"] == ("1.1",)
    assert standard.fact_lines["serious_incident"] == ("4",)
    assert standard.fact_lines["visits_without_record"] == ("3.2.2",)
    assert standard.fact_lines["entrepreneurship_policy_help"] == ("3.3.4",)
    assert line_facts(standard.line("1.1")) == [
        "platform_documented", "service_window", "platform_established"]
    ledger = {"households_to_visit", "welfare_post_placements", "registered_unemployed_total"}
    assert [line.id for line in standard.lines_reading(ledger)] == ["3.2.2", "3.5.3", "3.6"]
