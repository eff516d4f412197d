"""The scoring standard as validated, immutable data.

Pure Python (no Django): the engine, the loader, the CLI and the tests all read a standard
through :func:`parse_standard`, so a data file that does not add up, or whose rules refer to
unknown facts, is rejected once, at load time, with a message that names the offending line.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any

STAGE_IDS: tuple[str, ...] = ("self", "county", "city")
FACT_TYPES: tuple[str, ...] = ("bool", "int", "number")
RULE_KINDS: tuple[str, ...] = (
    "components",
    "checklist",
    "all_or_nothing",
    "discretionary",
    "count",
    "thresholds",
    "brackets",
    "coverage",
)
BOOL_OPS: tuple[str, ...] = ("true", "false")
COMPARE_OPS: tuple[str, ...] = (">=", ">", "<=", "<", "==", "!=")
DISCRETIONARY = "discretionary"

_FACT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Keys each rule kind may carry; anything else is almost certainly a typo in the data file.
_RULE_KEYS: dict[str, frozenset[str]] = {
    "components": frozenset({"kind", "components"}),
    "checklist": frozenset({"kind", "items", "per_missing"}),
    "all_or_nothing": frozenset({"kind", "when", "empty"}),
    "discretionary": frozenset({"kind"}),
    "count": frozenset({"kind", "facts", "steps", "otherwise"}),
    "thresholds": frozenset({"kind", "fact", "steps", "otherwise"}),
    "brackets": frozenset({"kind", "numerator", "denominator", "label", "brackets", "otherwise", "empty"}),
    "coverage": frozenset({"kind", "total", "covered", "without_record", "empty"}),
}


class StandardError(ValueError):
    """A standard that cannot be used. ``str(error)`` names the line (第 x 行) when there is one."""

    def __init__(self, message: str, line: str | None = None) -> None:
        self.detail = message
        self.line = line
        full = message if line is None or message.startswith("第 ") else f"第 {line} 行：{message}"
        self.message = full
        super().__init__(full)


@dataclass(frozen=True)
class StarBand:
    name: str
    min: Decimal


@dataclass(frozen=True)
class Stage:
    id: str
    label: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    max: Decimal


@dataclass(frozen=True)
class Group:
    id: str
    section: str
    title: str
    max: Decimal


@dataclass(frozen=True)
class FactDef:
    name: str
    type: str  # "bool" | "int" | "number"
    label: str


@dataclass(frozen=True)
class Line:
    id: str
    section: str
    group: str | None
    max: Decimal
    content: str
    method: str
    stages: tuple[str, ...]
    rule: dict[str, Any]
    gate: dict[str, Any] | None = None
    disqualify: dict[str, Any] | None = None
    # The line carrying the community's innovation material (text and files), judged by its stages.
    innovation: bool = False

    @property
    def kind(self) -> str:
        return str(self.rule["kind"])

    @property
    def binary(self) -> bool:
        # All-or-nothing lines accept only 0 or the line's max (STANDARD.md decision 5).
        return self.kind == "all_or_nothing"

    def scored_at(self, stage: str) -> bool:
        return stage in self.stages

    def __hash__(self) -> int:
        # The rule is a dict, so hash by identity-defining fields only.
        return hash((self.id, self.section, self.max))


@dataclass(frozen=True)
class Standard:
    version: str
    title: str
    total: Decimal
    score_step: Decimal
    star_bands: tuple[StarBand, ...]
    sections: tuple[Section, ...]
    groups: tuple[Group, ...]
    lines: tuple[Line, ...]
    facts: Mapping[str, FactDef]
    stages: tuple[Stage, ...]
    footnote: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __hash__(self) -> int:
        return hash((self.version, self.title, self.total))

    @cached_property
    def lines_by_id(self) -> dict[str, Line]:
        return {line.id: line for line in self.lines}

    def line(self, line_id: str) -> Line:
        return self.lines_by_id[line_id]

    @cached_property
    def innovation_line(self) -> str | None:
        """The id of the line flagged `innovation` in the data (at most one), else None."""
        return next((line.id for line in self.lines if line.innovation), None)

    def only_stage(self, line_id: str) -> str | None:
        """The one stage scoring the line when only one does (v1: line 5 at the city), else None."""
        stages = self.line(line_id).stages
        return stages[0] if len(stages) == 1 else None

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(stage.id for stage in self.stages)

    def stage_label(self, stage: str) -> str:
        for item in self.stages:
            if item.id == stage:
                return item.label
        return stage

    def stage_lines(self, stage: str) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.scored_at(stage))

    def stage_max(self, stage: str) -> Decimal:
        # Self and county are out of 95 in v1: line 5 is scored at the city stage only.
        return sum((line.max for line in self.stage_lines(stage)), Decimal(0))

    def fact_label(self, name: str) -> str:
        fact = self.facts.get(name)
        return fact.label if fact is not None else name

    @cached_property
    def fact_lines(self) -> dict[str, tuple[str, ...]]:
        """Fact name -> ids of the lines that read it (rule, gate or disqualification), in sheet order."""
        out: dict[str, list[str]] = {}
        for line in self.lines:
            for name in line_facts(line):
                out.setdefault(name, []).append(line.id)
        return {name: tuple(ids) for name, ids in out.items()}

    def lines_reading(self, names: Iterable[str]) -> tuple[Line, ...]:
        """The lines fed by any of these facts (e.g. the ledger-computed ones), in sheet order."""
        wanted = set(names)
        return tuple(line for line in self.lines if wanted.intersection(line_facts(line)))


# --------------------------------------------------------------------------------------------
# Helpers shared with the engine


def to_decimal(value: Any) -> Decimal:
    """A JSON number as an exact Decimal (floats through their shortest repr, so 0.1 stays 0.1)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"not a number: {value!r}")
    result = value if isinstance(value, Decimal) else Decimal(str(value))
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def condition_facts(conditions: Sequence[Mapping[str, Any]]) -> list[str]:
    names: list[str] = []
    for cond in conditions:
        names.append(cond["fact"])
        names.extend(cond.get("value_of") or [])
    return names


def condition_set_facts(condition_set: Mapping[str, Any] | None) -> list[str]:
    """Facts read by a gate or disqualification ({"all": [...]} or {"any": [...]})."""
    if not condition_set:
        return []
    return condition_facts(condition_set.get("all") or condition_set.get("any") or [])


def line_facts(line: Line) -> list[str]:
    """Every fact a line reads — its rule, gate and disqualification — without duplicates."""
    names = rule_facts(line.rule) + condition_set_facts(line.gate) + condition_set_facts(line.disqualify)
    return list(dict.fromkeys(names))


def rule_facts(rule: Mapping[str, Any]) -> list[str]:
    """Facts a rule reads, in reading order and without duplicates."""
    kind = rule["kind"]
    names: list[str] = []
    if kind == "components":
        for comp in rule["components"]:
            names.extend(condition_facts(comp["when"]))
    elif kind == "checklist":
        names.extend(rule["items"])
    elif kind == "all_or_nothing":
        if rule.get("empty"):
            names.append(rule["empty"]["fact"])
        names.extend(condition_facts(rule["when"]))
    elif kind == "count":
        names.extend(rule["facts"])
    elif kind == "thresholds":
        names.append(rule["fact"])
    elif kind == "brackets":
        names.extend([rule["numerator"], rule["denominator"]])
    elif kind == "coverage":
        names.extend([rule["total"], rule["covered"]])
        if rule.get("without_record"):
            names.append(rule["without_record"])
    return list(dict.fromkeys(names))


def line_point_values(line: Line) -> list[Decimal]:
    """Every point value a line's rule can award, so a score step can be checked against them."""
    rule = line.rule
    values: list[Any] = [line.max]
    kind = rule["kind"]
    if kind == "components":
        values.extend(comp["points"] for comp in rule["components"])
    elif kind == "checklist":
        values.append(rule["per_missing"])
    elif kind in ("count", "thresholds"):
        for step in rule["steps"]:
            if "points" in step:
                values.append(step["points"])
            values.extend(step.get("range") or [])
    elif kind == "brackets":
        values.extend(b["points"] for b in rule["brackets"])
    for key in ("otherwise", "empty"):
        if isinstance(rule.get(key), int | float | Decimal) and not isinstance(rule.get(key), bool):
            values.append(rule[key])
    return [to_decimal(v) for v in values]


def parse_star_bands(data: Any, total: Decimal | None = None) -> tuple[StarBand, ...]:
    """Star bands: named lower bounds, highest first (STANDARD.md decision 8)."""
    if not isinstance(data, list) or not data:
        raise StandardError("星级档次（star_bands）必须是非空列表")
    bands: list[StarBand] = []
    for i, item in enumerate(data):
        where = f"星级档次第 {i + 1} 项"
        if not isinstance(item, Mapping) or set(item) - {"name", "min"}:
            raise StandardError(f"{where}必须是只含 name 与 min 的对象（star_bands[{i}]）")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise StandardError(f"{where}缺少名称（star_bands[{i}].name）")
        minimum = _number(item.get("min"), f"{where}的下限（star_bands[{i}].min）")
        if minimum < 0 or (total is not None and minimum > total):
            raise StandardError(f"{where}「{name}」的下限 {minimum} 超出 0–{total} 分（star_bands[{i}].min）")
        if bands and minimum >= bands[-1].min:
            raise StandardError(f"{where}「{name}」：星级档次必须按下限从高到低排列（star_bands[{i}].min）")
        if any(b.name == name for b in bands):
            raise StandardError(f"{where}：星级名称「{name}」重复（star_bands[{i}].name）")
        bands.append(StarBand(name=name, min=minimum))
    return tuple(bands)


# --------------------------------------------------------------------------------------------
# Parsing


def _number(value: Any, where: str, line: str | None = None) -> Decimal:
    try:
        return to_decimal(value)
    except (TypeError, ValueError, InvalidOperation):
        raise StandardError(
            f"{where}必须是数字，实际为 {json.dumps(value, ensure_ascii=False)}", line
        ) from None


def _text(value: Any, where: str, line: str | None = None, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise StandardError(f"{where}必须是非空文字", line)
    return value


def _list(value: Any, where: str, line: str | None = None) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise StandardError(f"{where}必须是非空列表", line)
    return value


def _multiple(value: Decimal, step: Decimal) -> bool:
    return value % step == 0


class _LineChecker:
    """Validates one line's rule, gate and disqualify against the facts vocabulary."""

    def __init__(self, line_id: str, line_max: Decimal, step: Decimal, facts: Mapping[str, FactDef]) -> None:
        self.id = line_id
        self.max = line_max
        self.step = step
        self.facts = facts

    def fail(self, message: str) -> StandardError:
        return StandardError(message, self.id)

    def fact(self, name: Any, where: str, types: tuple[str, ...]) -> FactDef:
        if not isinstance(name, str) or name not in self.facts:
            raise self.fail(f"引用了未定义的事实 {json.dumps(name, ensure_ascii=False)}（{where}）")
        fact = self.facts[name]
        if fact.type not in types:
            wanted = "、".join(types)
            raise self.fail(f"事实 {name} 的类型为 {fact.type}，此处需要 {wanted}（{where}）")
        return fact

    def points(self, value: Any, where: str) -> Decimal:
        pts = _number(value, f"分值（{where}）", self.id)
        if pts < 0 or pts > self.max:
            raise self.fail(f"分值 {pts} 超出 0–{self.max} 分（{where}）")
        if not _multiple(pts, self.step):
            raise self.fail(f"分值 {pts} 不是评分步长 {self.step} 的整数倍（{where}）")
        return pts

    def keys(self, obj: Any, allowed: frozenset[str] | set[str], where: str) -> Mapping[str, Any]:
        if not isinstance(obj, Mapping):
            raise self.fail(f"{where}必须是对象")
        extra = sorted(set(obj) - set(allowed))
        if extra:
            raise self.fail(f"{where}含有未知的键：{'、'.join(extra)}")
        return obj

    def condition(self, cond: Any, where: str) -> None:
        cond = self.keys(cond, {"fact", "op", "value", "value_of"}, f"条件（{where}）")
        op = cond.get("op")
        if op in BOOL_OPS:
            self.fact(cond.get("fact"), f"{where}.fact", ("bool",))
            if "value" in cond or "value_of" in cond:
                raise self.fail(f"布尔条件 {op} 不取比较值（{where}）")
        elif op in COMPARE_OPS:
            self.fact(cond.get("fact"), f"{where}.fact", ("int", "number"))
            if ("value" in cond) == ("value_of" in cond):
                raise self.fail(f"比较条件须且只须给出 value 或 value_of 之一（{where}）")
            if "value" in cond:
                _number(cond["value"], f"比较值（{where}.value）", self.id)
            else:
                names = _list(cond["value_of"], f"value_of（{where}.value_of）", self.id)
                for j, name in enumerate(names):
                    self.fact(name, f"{where}.value_of[{j}]", ("int", "number"))
        else:
            raise self.fail(f"未知的条件运算 {json.dumps(op, ensure_ascii=False)}（{where}.op）")

    def conditions(self, conds: Any, where: str) -> None:
        for j, cond in enumerate(_list(conds, f"条件列表（{where}）", self.id)):
            self.condition(cond, f"{where}[{j}]")

    def condition_set(self, value: Any, label: str, key: str) -> None:
        obj = self.keys(value, {"all", "any", "message"}, f"{label}（{key}）")
        if ("all" in obj) == ("any" in obj):
            raise self.fail(f"{label}须且只须给出 all 或 any 之一（{key}）")
        which = "all" if "all" in obj else "any"
        self.conditions(obj[which], f"{key}.{which}")
        _text(obj.get("message"), f"{label}的提示文字（{key}.message）", self.id)

    def otherwise(self, value: Any, where: str) -> None:
        if value != DISCRETIONARY:
            self.points(value, where)

    def empty(self, value: Any, where: str) -> None:
        if value != "max":
            self.points(value, where)

    def steps(self, steps: Any, where: str) -> None:
        previous: Decimal | None = None
        items = _list(steps, f"档位列表（{where}）", self.id)
        descending = all(isinstance(s, Mapping) and s.get("op") in (">=", ">") for s in items)
        for j, step in enumerate(items):
            at = f"{where}[{j}]"
            step = self.keys(step, {"op", "value", "points", "discretionary", "range"}, f"档位（{at}）")
            if step.get("op") not in COMPARE_OPS:
                raise self.fail(f"未知的档位运算 {json.dumps(step.get('op'), ensure_ascii=False)}（{at}.op）")
            value = _number(step.get("value"), f"档位阈值（{at}.value）", self.id)
            if descending and previous is not None and value >= previous:
                raise self.fail(f"档位必须按阈值从高到低排列（{at}.value）")
            previous = value
            if step.get("discretionary") is True:
                if "points" in step:
                    raise self.fail(f"酌情档位不取固定分值（{at}）")
                if "range" in step:
                    rng = step["range"]
                    if not isinstance(rng, list) or len(rng) != 2:
                        raise self.fail(f"酌情范围必须是 [下限, 上限]（{at}.range）")
                    low, high = self.points(rng[0], f"{at}.range[0]"), self.points(rng[1], f"{at}.range[1]")
                    if low > high:
                        raise self.fail(f"酌情范围下限 {low} 大于上限 {high}（{at}.range）")
            elif "discretionary" in step:
                raise self.fail(f"discretionary 只能为 true（{at}.discretionary）")
            elif "range" in step:
                raise self.fail(f"只有酌情档位可给出 range（{at}.range）")
            else:
                if "points" not in step:
                    raise self.fail(f"档位缺少分值（{at}.points）")
                self.points(step["points"], f"{at}.points")

    def rule(self, rule: Any) -> None:
        if not isinstance(rule, Mapping):
            raise self.fail("缺少评分规则（rule）")
        kind = rule.get("kind")
        if kind not in RULE_KINDS:
            raise self.fail(f"未知的评分规则类型 {json.dumps(kind, ensure_ascii=False)}（rule.kind）")
        self.keys(rule, _RULE_KEYS[kind], f"{kind} 规则（rule）")
        getattr(self, f"rule_{kind}")(rule)

    def rule_components(self, rule: Mapping[str, Any]) -> None:
        total = Decimal(0)
        for j, comp in enumerate(_list(rule.get("components"), "分项列表（rule.components）", self.id)):
            at = f"rule.components[{j}]"
            comp = self.keys(comp, {"label", "points", "when", "otherwise"}, f"分项（{at}）")
            _text(comp.get("label"), f"分项名称（{at}.label）", self.id)
            total += self.points(comp.get("points"), f"{at}.points")
            self.conditions(comp.get("when"), f"{at}.when")
            if "otherwise" in comp and comp["otherwise"] != DISCRETIONARY:
                raise self.fail(f"分项的 otherwise 只能为 discretionary（{at}.otherwise）")
        if total != self.max:
            raise self.fail(f"各分项分值之和 {total} 与本行满分 {self.max} 不符（rule.components）")

    def rule_checklist(self, rule: Mapping[str, Any]) -> None:
        items = _list(rule.get("items"), "检查项列表（rule.items）", self.id)
        if len(set(map(str, items))) != len(items):
            raise self.fail("检查项重复（rule.items）")
        for j, name in enumerate(items):
            self.fact(name, f"rule.items[{j}]", ("bool",))
        per_missing = self.points(rule.get("per_missing"), "rule.per_missing")
        if per_missing <= 0:
            raise self.fail("每缺一项的扣分必须大于 0（rule.per_missing）")

    def rule_all_or_nothing(self, rule: Mapping[str, Any]) -> None:
        self.conditions(rule.get("when"), "rule.when")
        if "empty" in rule:
            empty = self.keys(rule["empty"], {"fact"}, "无考核对象条件（rule.empty）")
            self.fact(empty.get("fact"), "rule.empty.fact", ("int", "number"))

    def rule_discretionary(self, rule: Mapping[str, Any]) -> None:
        return None

    def rule_count(self, rule: Mapping[str, Any]) -> None:
        names = _list(rule.get("facts"), "计数事实列表（rule.facts）", self.id)
        if len(set(map(str, names))) != len(names):
            raise self.fail("计数事实重复（rule.facts）")
        for j, name in enumerate(names):
            self.fact(name, f"rule.facts[{j}]", ("bool",))
        self.steps(rule.get("steps"), "rule.steps")
        self.otherwise(rule.get("otherwise", 0), "rule.otherwise")

    def rule_thresholds(self, rule: Mapping[str, Any]) -> None:
        self.fact(rule.get("fact"), "rule.fact", ("int", "number"))
        self.steps(rule.get("steps"), "rule.steps")
        self.otherwise(rule.get("otherwise", 0), "rule.otherwise")

    def rule_brackets(self, rule: Mapping[str, Any]) -> None:
        self.fact(rule.get("numerator"), "rule.numerator", ("int", "number"))
        self.fact(rule.get("denominator"), "rule.denominator", ("int", "number"))
        if rule["numerator"] == rule["denominator"]:
            raise self.fail("分子与分母不能是同一事实（rule.numerator）")
        if "label" in rule:
            _text(rule["label"], "比率名称（rule.label）", self.id)
        previous_min: Decimal | None = None
        previous_points: Decimal | None = None
        for j, bracket in enumerate(_list(rule.get("brackets"), "档位列表（rule.brackets）", self.id)):
            at = f"rule.brackets[{j}]"
            bracket = self.keys(bracket, {"min", "points", "label"}, f"档位（{at}）")
            minimum = _number(bracket.get("min"), f"档位下限（{at}.min）", self.id)
            if minimum < 0 or minimum > 100:
                raise self.fail(f"档位下限 {minimum}% 超出 0–100%（{at}.min）")
            if previous_min is not None and minimum >= previous_min:
                raise self.fail(f"档位必须按下限从高到低排列（{at}.min）")
            points = self.points(bracket.get("points"), f"{at}.points")
            if previous_points is not None and points > previous_points:
                raise self.fail(f"下限较低的档位分值不能高于上一档（{at}.points）")
            if "label" in bracket:
                _text(bracket["label"], f"档位名称（{at}.label）", self.id)
            previous_min, previous_points = minimum, points
        otherwise = rule.get("otherwise", 0)
        self.points(otherwise, "rule.otherwise")
        if previous_points is not None and to_decimal(otherwise) > previous_points:
            raise self.fail("未达最低档的分值不能高于最低档（rule.otherwise）")
        self.empty(rule.get("empty", "max"), "rule.empty")

    def rule_coverage(self, rule: Mapping[str, Any]) -> None:
        self.fact(rule.get("total"), "rule.total", ("int",))
        self.fact(rule.get("covered"), "rule.covered", ("int",))
        if "without_record" in rule:
            self.fact(rule["without_record"], "rule.without_record", ("int",))
        self.empty(rule.get("empty", "max"), "rule.empty")


def parse_standard(data: Mapping[str, Any]) -> Standard:
    """Validate ``data`` (the JSON of a standard) and return it as a :class:`Standard`.

    Raises :class:`StandardError` naming the line (or group, section, field) that is wrong.
    """
    if not isinstance(data, Mapping):
        raise StandardError("标准数据必须是 JSON 对象")
    version = _text(data.get("version"), "版本号（version）")
    title = _text(data.get("title"), "标准名称（title）")
    total = _number(data.get("total"), "总分（total）")
    step = _number(data.get("score_step"), "评分步长（score_step）")
    if step <= 0:
        raise StandardError(f"评分步长（score_step）必须大于 0，实际为 {step}")
    footnote = _text(data.get("footnote", ""), "备注（footnote）", allow_empty=True)
    if not _multiple(total, step):
        raise StandardError(f"总分 {total} 不是评分步长 {step} 的整数倍（total）")

    stages = _parse_stages(data.get("stages"))
    stage_ids = {s.id for s in stages}
    facts = _parse_facts(data.get("facts"))
    sections = _parse_sections(data.get("sections"))
    section_ids = {s.id for s in sections}
    groups = _parse_groups(data.get("groups", []), section_ids)
    group_by_id = {g.id: g for g in groups}

    lines: list[Line] = []
    seen: set[str] = set()
    for i, item in enumerate(_list(data.get("lines"), "评分行列表（lines）")):
        if not isinstance(item, Mapping):
            raise StandardError(f"第 {i + 1} 个评分行必须是对象（lines[{i}]）")
        line_id = item.get("id")
        if not isinstance(line_id, str) or not line_id.strip():
            raise StandardError(f"第 {i + 1} 个评分行缺少编号（lines[{i}].id）")
        if line_id in seen:
            raise StandardError("行编号重复（id）", line_id)
        seen.add(line_id)
        lines.append(_parse_line(item, line_id, step, facts, section_ids, group_by_id, stage_ids))

    _check_sums(lines, groups, sections, total)
    innovation = [line.id for line in lines if line.innovation]
    if len(innovation) > 1:
        raise StandardError(f"只能有一行标记为创新工作（innovation），实际有第 {'、'.join(innovation)} 行")
    star_bands = parse_star_bands(data.get("star_bands"), total)

    return Standard(
        version=version,
        title=title,
        total=total,
        score_step=step,
        star_bands=star_bands,
        sections=sections,
        groups=groups,
        lines=tuple(lines),
        facts=facts,
        stages=stages,
        footnote=footnote,
        raw=copy.deepcopy(dict(data)),
    )


def _parse_stages(data: Any) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    for i, item in enumerate(_list(data, "评审阶段列表（stages）")):
        if not isinstance(item, Mapping) or item.get("id") not in STAGE_IDS:
            got = json.dumps(item.get("id") if isinstance(item, Mapping) else item, ensure_ascii=False)
            raise StandardError(f"未知的评审阶段 {got}，只能是 self、county、city（stages[{i}].id）")
        if any(s.id == item["id"] for s in stages):
            raise StandardError(f"评审阶段 {item['id']} 重复（stages[{i}].id）")
        stages.append(Stage(id=item["id"], label=_text(item.get("label"), f"阶段名称（stages[{i}].label）")))
    return tuple(stages)


def _parse_facts(data: Any) -> dict[str, FactDef]:
    if not isinstance(data, Mapping) or not data:
        raise StandardError("事实词汇表（facts）必须是非空对象")
    facts: dict[str, FactDef] = {}
    for name, spec in data.items():
        if not isinstance(name, str) or not _FACT_NAME.match(name):
            raise StandardError(f"事实名称 {json.dumps(name, ensure_ascii=False)} 不合法（facts）")
        if not isinstance(spec, Mapping) or spec.get("type") not in FACT_TYPES:
            raise StandardError(f"事实 {name} 的类型必须是 bool、int 或 number（facts.{name}.type）")
        label = _text(spec.get("label"), f"事实 {name} 的中文名称（facts.{name}.label）")
        facts[name] = FactDef(name=name, type=spec["type"], label=label)
    return facts


def _parse_sections(data: Any) -> tuple[Section, ...]:
    sections: list[Section] = []
    for i, item in enumerate(_list(data, "评审项目列表（sections）")):
        if not isinstance(item, Mapping):
            raise StandardError(f"评审项目必须是对象（sections[{i}]）")
        sid = _text(item.get("id"), f"评审项目编号（sections[{i}].id）")
        if any(s.id == sid for s in sections):
            raise StandardError(f"评审项目 {sid} 重复（sections[{i}].id）")
        title = _text(item.get("title"), f"评审项目 {sid} 的名称（sections[{i}].title）")
        sections.append(Section(id=sid, title=title, max=_number(item.get("max"), f"评审项目 {sid} 的满分")))
    return tuple(sections)


def _parse_groups(data: Any, section_ids: set[str]) -> tuple[Group, ...]:
    if not isinstance(data, list):
        raise StandardError("分组列表（groups）必须是列表")
    groups: list[Group] = []
    for i, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise StandardError(f"分组必须是对象（groups[{i}]）")
        gid = _text(item.get("id"), f"分组编号（groups[{i}].id）")
        if any(g.id == gid for g in groups):
            raise StandardError(f"分组 {gid} 重复（groups[{i}].id）")
        if item.get("section") not in section_ids:
            raise StandardError(
                f"分组 {gid} 引用了不存在的评审项目 {item.get('section')}（groups[{i}].section）"
            )
        groups.append(
            Group(
                id=gid,
                section=item["section"],
                title=_text(item.get("title"), f"分组 {gid} 的名称（groups[{i}].title）"),
                max=_number(item.get("max"), f"分组 {gid} 的满分"),
            )
        )
    return tuple(groups)


def _parse_line(
    item: Mapping[str, Any],
    line_id: str,
    step: Decimal,
    facts: Mapping[str, FactDef],
    section_ids: set[str],
    groups: Mapping[str, Group],
    stage_ids: set[str],
) -> Line:
    section = item.get("section")
    if section not in section_ids:
        raise StandardError(
            f"引用了不存在的评审项目 {json.dumps(section, ensure_ascii=False)}（section）", line_id
        )
    group = item.get("group")
    if group is not None:
        if group not in groups:
            raise StandardError(
                f"引用了不存在的分组 {json.dumps(group, ensure_ascii=False)}（group）", line_id
            )
        if groups[group].section != section:
            raise StandardError(
                f"分组 {group} 属于评审项目 {groups[group].section}，与本行不符（group）", line_id
            )
    line_max = _number(item.get("max"), "满分（max）", line_id)
    if line_max <= 0:
        raise StandardError(f"满分必须大于 0，实际为 {line_max}（max）", line_id)
    if not _multiple(line_max, step):
        raise StandardError(f"满分 {line_max} 不是评分步长 {step} 的整数倍（max）", line_id)
    content = _text(item.get("content"), "评审内容（content）", line_id)
    method = _text(item.get("method", ""), "评分操作办法（method）", line_id, allow_empty=True)
    stages = _list(item.get("stages"), "评分阶段（stages）", line_id)
    for stage in stages:
        if stage not in STAGE_IDS or stage not in stage_ids:
            raise StandardError(
                f"未知的评审阶段 {json.dumps(stage, ensure_ascii=False)}，只能是 self、county、city（stages）",
                line_id,
            )
    if len(set(stages)) != len(stages):
        raise StandardError("评分阶段重复（stages）", line_id)

    innovation = item.get("innovation", False)
    if not isinstance(innovation, bool):
        raise StandardError("创新工作标记（innovation）只能是 true 或 false", line_id)

    checker = _LineChecker(line_id, line_max, step, facts)
    checker.rule(item.get("rule"))
    gate = item.get("gate")
    if gate is not None:
        checker.condition_set(gate, "列入评估条件", "gate")
    disqualify = item.get("disqualify")
    if disqualify is not None:
        checker.condition_set(disqualify, "取消资格条件", "disqualify")
    return Line(
        id=line_id,
        section=section,
        group=group,
        max=line_max,
        content=content,
        method=method,
        stages=tuple(stages),
        rule=copy.deepcopy(dict(item["rule"])),
        gate=copy.deepcopy(dict(gate)) if gate is not None else None,
        disqualify=copy.deepcopy(dict(disqualify)) if disqualify is not None else None,
        innovation=innovation,
    )


def _check_sums(
    lines: Sequence[Line], groups: Sequence[Group], sections: Sequence[Section], total: Decimal
) -> None:
    def ids(members: list[Line]) -> str:
        return "、".join(line.id for line in members) or "无"

    for group in groups:
        members = [line for line in lines if line.group == group.id]
        got = sum((line.max for line in members), Decimal(0))
        if got != group.max:
            raise StandardError(
                f"第 {ids(members)} 行：所属分组 {group.id} 各行满分之和 {got} 与分组满分 {group.max} 不符",
                members[0].id if members else None,
            )
    for section in sections:
        members = [line for line in lines if line.section == section.id]
        got = sum((line.max for line in members), Decimal(0))
        if got != section.max:
            raise StandardError(
                f"第 {ids(members)} 行：所属评审项目「{section.id}」各行满分之和 {got} 与该项满分 {section.max} 不符",
                members[0].id if members else None,
            )
    got = sum((line.max for line in lines), Decimal(0))
    if got != total:
        raise StandardError(f"各行满分之和 {got} 与总分 {total} 不符（total）")
    sections_sum = sum((s.max for s in sections), Decimal(0))
    if sections_sum != total:
        raise StandardError(f"各评审项目满分之和 {sections_sum} 与总分 {total} 不符（total）")


def load_standard_file(path: str | Path) -> Standard:
    """Read and validate a standard data file (UTF-8 JSON)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise StandardError(f"无法读取标准文件 {path}：{exc}") from exc
    return parse_standard(data)


def standard_to_dict(standard: Standard) -> dict[str, Any]:
    """The data the standard was parsed from (a copy, so callers cannot alter the standard)."""
    return copy.deepcopy(standard.raw)
