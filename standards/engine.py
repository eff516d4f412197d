"""The scoring engine: suggested scores from facts, checks on entered scores, totals and stars.

Pure Python (no Django), so the web app, the API, the CLI and the tests all score the same way.
Every decision of STANDARD.md that is not data in the standard file lives here, next to a
comment naming it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from .schema import (
    BOOL_OPS,
    DISCRETIONARY,
    Line,
    Standard,
    StandardError,
    StarBand,
    condition_facts,
    line_point_values,
    parse_star_bands,
    rule_facts,
    to_decimal,
)

# Decision 6: only the county and city stages have a 扣分原因 column.
REASON_STAGES: frozenset[str] = frozenset({"county", "city"})
# Codes of errors that keep a score out of its stage total (reason_required does not).
VALUE_ERROR_CODES: frozenset[str] = frozenset(
    {"out_of_range", "bad_step", "not_allowed", "not_scored_at_stage", "unknown_line"}
)
STATUS_EVALUATED = "evaluated"
STATUS_NOT_EVALUATED = "not_evaluated"
STATUS_DISQUALIFIED = "disqualified"

_OP_SYMBOLS: dict[str, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}

FactValue = bool | Decimal


class InputError(ValueError):
    """Malformed input to the engine (unknown stage, a score that is not a number, ...)."""


class FactsError(InputError):
    """A fact with an unknown name or a value of the wrong type; ``fact`` is its name."""

    def __init__(self, message: str, fact: str | None = None) -> None:
        super().__init__(message)
        self.fact = fact


@dataclass(frozen=True)
class Suggestion:
    line: str
    score: Decimal | None
    explanation: str
    flags: tuple[str, ...] = ()
    # The range the reviewer scores within when the facts leave the line to discretion.
    bounds: tuple[Decimal, Decimal] | None = None


@dataclass(frozen=True)
class ScoreError:
    stage: str
    line: str
    code: str
    message: str


@dataclass(frozen=True)
class Result:
    status: str
    status_message: str
    suggestions: dict[str, Suggestion]
    totals: dict[str, Decimal]
    stage_max: dict[str, Decimal]
    stars: dict[str, str | None]
    star: str | None
    errors: list[ScoreError]
    score_step: Decimal | None = None
    star_bands: tuple[StarBand, ...] = ()


# --------------------------------------------------------------------------------------------
# Formatting


def _fmt(value: Decimal | int | Fraction) -> str:
    """A number as people write it: 3, 2.5 (never 3.0 or 2.50)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return format(_tidy(Decimal(value)), "f")


def _tidy(value: Decimal) -> Decimal:
    """3 rather than 3.0, 2.5 rather than 2.50 (never 1E+1)."""
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def _truncated(value: Fraction, places: int) -> str:
    """``= x`` when exact, else ``≈ x`` truncated, so a printed rate never crosses a bracket upward."""
    scale = 10**places
    scaled = math.floor(value * scale)
    digits = f"{scaled // scale}.{scaled % scale:0{places}d}"
    return ("= " if Fraction(scaled, scale) == value else "≈ ") + digits


def _percent(ratio: Fraction) -> str:
    # Rates are printed with one decimal; the comparison itself is exact (decision 1).
    return _truncated(ratio * 100, 1) + "%"


def _show(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _range(low: Decimal, high: Decimal) -> str:
    return f"{_fmt(low)}–{_fmt(high)}"


# --------------------------------------------------------------------------------------------
# Facts


def validate_facts(standard: Standard, facts: Mapping[str, Any]) -> None:
    """Raise FactsError naming the first fact that is unknown or of the wrong type.

    ``None`` means "not known" and is allowed: the lines that need the fact get no suggestion.
    """
    if not isinstance(facts, Mapping):
        raise FactsError(f"事实（facts）必须是对象，实际为 {_show(facts)}")
    for name, value in facts.items():
        if not isinstance(name, str) or name not in standard.facts:
            raise FactsError(
                f"未知的事实 {_show(name)}（标准 {standard.version} 的事实词汇表中没有）", str(name)
            )
        if value is None:
            continue
        fact = standard.facts[name]
        where = f"事实 {name}（{fact.label}）"
        if fact.type == "bool":
            if not isinstance(value, bool):
                raise FactsError(f"{where}必须是 true 或 false，实际为 {_show(value)}", name)
        elif fact.type == "int":
            # bool is an int subclass in Python, but true is not a count.
            if isinstance(value, bool) or not isinstance(value, int):
                raise FactsError(f"{where}必须是整数，实际为 {_show(value)}", name)
            if value < 0:
                raise FactsError(f"{where}不能为负数，实际为 {value}", name)
        else:
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                raise FactsError(f"{where}必须是数字，实际为 {_show(value)}", name)
            if not Decimal(str(value)).is_finite() or value < 0:
                raise FactsError(f"{where}必须是非负的有限数字，实际为 {_show(value)}", name)


def _normalize_facts(standard: Standard, facts: Mapping[str, Any]) -> dict[str, FactValue]:
    validate_facts(standard, facts)
    return {
        name: (value if isinstance(value, bool) else to_decimal(value))
        for name, value in facts.items()
        if value is not None
    }


# --------------------------------------------------------------------------------------------
# Conditions


def _compare(left: Decimal, op: str, right: Decimal) -> bool:
    if op == ">=":
        return left >= right
    if op == ">":
        return left > right
    if op == "<=":
        return left <= right
    if op == "<":
        return left < right
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    raise InputError(f"未知的比较运算 {op}")


def _operand(cond: Mapping[str, Any], facts: Mapping[str, FactValue]) -> Decimal:
    if "value_of" in cond:
        # value_of: the sum of other facts (3.5.1: cleared in a month + still pending).
        return sum((Decimal(facts[name]) for name in cond["value_of"]), Decimal(0))
    return to_decimal(cond["value"])


def _holds(cond: Mapping[str, Any], facts: Mapping[str, FactValue]) -> bool:
    value = facts[cond["fact"]]
    op = cond["op"]
    if op == "true":
        return value is True
    if op == "false":
        return value is False
    return _compare(Decimal(value), op, _operand(cond, facts))


def _cond_text(standard: Standard, cond: Mapping[str, Any], facts: Mapping[str, FactValue]) -> str:
    name = cond["fact"]
    value = facts[name]
    label = standard.fact_label(name)
    if cond["op"] in BOOL_OPS:
        return f"{label}：{'是' if value else '否'}"
    symbol = _OP_SYMBOLS[cond["op"]]
    if "value_of" in cond:
        parts = " + ".join(f"{standard.fact_label(n)} {_fmt(Decimal(facts[n]))}" for n in cond["value_of"])
        target = f"{parts} = {_fmt(_operand(cond, facts))}" if len(cond["value_of"]) > 1 else parts
    else:
        target = _fmt(to_decimal(cond["value"]))
    return f"{label} {_fmt(Decimal(value))}（要求 {symbol} {target}）"


def _condition_set(
    condset: Mapping[str, Any], facts: Mapping[str, FactValue]
) -> tuple[bool | None, list[str]]:
    """Three-valued: True/False when decidable from the known facts, None when facts are missing."""
    key = "all" if "all" in condset else "any"
    results: list[bool | None] = []
    missing: list[str] = []
    for cond in condset[key]:
        absent = [name for name in condition_facts([cond]) if name not in facts]
        if absent:
            missing.extend(absent)
            results.append(None)
        else:
            results.append(_holds(cond, facts))
    if key == "all":
        if any(r is False for r in results):
            return False, missing
        return (None if missing else True), missing
    if any(r is True for r in results):
        return True, missing
    return (None if missing else False), missing


def _status(standard: Standard, facts: Mapping[str, FactValue]) -> tuple[str, str]:
    """Decision 11: a failed gate → not_evaluated; a disqualifying fact → disqualified."""
    notes: list[str] = []
    for line in standard.lines:
        if line.gate is not None:
            holds, missing = _condition_set(line.gate, facts)
            if holds is False:
                return STATUS_NOT_EVALUATED, f"不列入评估：第 {line.id} 行：{line.gate['message']}"
            if holds is None:
                notes.append(f"缺少事实{_labels(standard, missing)}，尚无法确认第 {line.id} 行的列入评估条件")
    for line in standard.lines:
        if line.disqualify is not None:
            holds, missing = _condition_set(line.disqualify, facts)
            if holds is True:
                return STATUS_DISQUALIFIED, f"取消资格：第 {line.id} 行：{line.disqualify['message']}"
            if holds is None:
                notes.append(f"缺少事实{_labels(standard, missing)}，尚无法确认第 {line.id} 行的取消资格条件")
    return STATUS_EVALUATED, "列入评估" + (f"（注意：{'；'.join(notes)}）" if notes else "")


def _labels(standard: Standard, names: Iterable[str]) -> str:
    # Quoted: some labels contain "、" themselves (服务柜台、计算机网络设备、传真机…).
    return "、".join(f"「{standard.fact_label(name)}」" for name in dict.fromkeys(names))


# --------------------------------------------------------------------------------------------
# Suggestions, one function per rule kind


def _suggest_components(
    standard: Standard, line: Line, facts: Mapping[str, FactValue], step: Decimal
) -> Suggestion:
    parts: list[str] = []
    fixed = Decimal(0)
    discretionary = Decimal(0)
    for comp in line.rule["components"]:
        points = to_decimal(comp["points"])
        met = all(_holds(cond, facts) for cond in comp["when"])
        conds = ""
        if any(cond["op"] not in BOOL_OPS for cond in comp["when"]):
            # Yes/no conditions repeat the component's label; only numbers are worth showing.
            conds = "（" + "，".join(_cond_text(standard, cond, facts) for cond in comp["when"]) + "）"
        if met:
            fixed += points
            parts.append(f"{comp['label']}：符合{conds} → {_fmt(points)} 分")
        elif comp.get("otherwise") == DISCRETIONARY:
            # e.g. 1.3 equipment incomplete: "可酌情扣分" within this component's points.
            discretionary += points
            parts.append(f"{comp['label']}：未完全符合{conds}，由评审人员在 0–{_fmt(points)} 分内酌情给分")
        else:
            parts.append(f"{comp['label']}：不符合{conds} → 0 分（扣 {_fmt(points)} 分）")
    text = "；".join(parts)
    if discretionary:
        low, high = fixed, fixed + discretionary
        return Suggestion(
            line.id,
            None,
            f"{text} → 合计由评审人员在 {_range(low, high)} 分内酌情给分",
            ("discretionary",),
            (low, high),
        )
    return Suggestion(line.id, fixed, f"{text} → 合计 {_fmt(fixed)} 分")


def _suggest_checklist(
    standard: Standard, line: Line, facts: Mapping[str, FactValue], step: Decimal
) -> Suggestion:
    items: list[str] = line.rule["items"]
    per_missing = to_decimal(line.rule["per_missing"])
    missing = [name for name in items if facts[name] is not True]
    score = max(Decimal(0), line.max - per_missing * len(missing))  # floor 0
    if not missing:
        return Suggestion(
            line.id, score, f"{len(items)} 项均已具备（{_labels(standard, items)}） → {_fmt(score)} 分"
        )
    text = (
        f"{len(items)} 项中具备 {len(items) - len(missing)} 项，缺少：{_labels(standard, missing)}；"
        f"每缺一项扣 {_fmt(per_missing)} 分 → {_fmt(score)} 分"
    )
    return Suggestion(line.id, score, text)


def _suggest_all_or_nothing(
    standard: Standard, line: Line, facts: Mapping[str, FactValue], step: Decimal
) -> Suggestion:
    empty = line.rule.get("empty")
    if empty is not None and facts[empty["fact"]] == 0:
        # Decision 2 applied to a requirement over a population: nobody to help → requirement met.
        label = standard.fact_label(empty["fact"])
        return Suggestion(
            line.id,
            line.max,
            f"{label}为 0，无考核对象 → 视为达到要求 → {_fmt(line.max)} 分",
            ("no_population",),
        )
    met = all(_holds(cond, facts) for cond in line.rule["when"])
    conds = "；".join(_cond_text(standard, cond, facts) for cond in line.rule["when"])
    score = line.max if met else Decimal(0)
    return Suggestion(line.id, score, f"{conds} → {'达到要求' if met else '未达到要求'} → {_fmt(score)} 分")


def _suggest_discretionary(
    standard: Standard, line: Line, facts: Mapping[str, FactValue], step: Decimal
) -> Suggestion:
    text = f"本项为酌情评分项，由评审人员依据评分操作办法在 0–{_fmt(line.max)} 分内评分"
    if set(line.stages) != set(standard.stage_ids):
        text += f"（仅在{'、'.join(standard.stage_label(s) for s in line.stages)}阶段评分）"
    return Suggestion(line.id, None, text, ("discretionary",), (Decimal(0), line.max))


def _gap_text(step: Mapping[str, Any], unit: str = "") -> str:
    value = _fmt(to_decimal(step["value"])) + unit
    return f"未达 {value}" if step["op"] == ">=" else f"不满足 {_OP_SYMBOLS[step['op']]} {value}"


def _apply_steps(line: Line, value: Decimal, described: str, unit: str = "") -> Suggestion:
    """First matching step wins (thresholds and count); otherwise the rule's ``otherwise``."""
    steps: list[Mapping[str, Any]] = line.rule["steps"]
    for index, step in enumerate(steps):
        bound = to_decimal(step["value"])
        if not _compare(value, step["op"], bound):
            continue
        matched = f"{_OP_SYMBOLS[step['op']]} {_fmt(bound)}{unit}"
        if index > 0 and steps[index - 1]["op"] in (">=", ">"):
            # Say what the next step up would need (3.6: "有1人安置，未达2人").
            matched += f"，{_gap_text(steps[index - 1], unit)}"
        if step.get("discretionary"):
            low, high = (to_decimal(v) for v in step.get("range", (0, line.max)))
            return Suggestion(
                line.id,
                None,
                f"{described}（{matched}） → 由评审人员在 {_range(low, high)} 分内酌情给分",
                ("discretionary",),
                (low, high),
            )
        points = to_decimal(step["points"])
        return Suggestion(line.id, points, f"{described}（{matched}） → {_fmt(points)} 分")
    if all(step["op"] in (">=", ">") for step in steps):
        unmet = _gap_text(steps[-1], unit)
    else:
        unmet = (
            "不满足「"
            + "、".join(f"{_OP_SYMBOLS[s['op']]} {_fmt(to_decimal(s['value']))}{unit}" for s in steps)
            + "」"
        )
    otherwise = line.rule.get("otherwise", 0)
    if otherwise == DISCRETIONARY:
        return Suggestion(
            line.id,
            None,
            f"{described}，{unmet} → 由评审人员在 0–{_fmt(line.max)} 分内酌情给分",
            ("discretionary",),
            (Decimal(0), line.max),
        )
    points = to_decimal(otherwise)
    return Suggestion(line.id, points, f"{described}，{unmet} → {_fmt(points)} 分")


def _suggest_count(
    standard: Standard, line: Line, facts: Mapping[str, FactValue], step: Decimal
) -> Suggestion:
    names: list[str] = line.rule["facts"]
    done = [name for name in names if facts[name] is True]
    undone = [name for name in names if facts[name] is not True]
    described = f"已开展 {len(done)} 项" + (f"（{_labels(standard, done)}）" if done else "")
    if undone:
        described += f"，未开展：{_labels(standard, undone)}"
    return _apply_steps(line, Decimal(len(done)), described, unit=" 项")


def _suggest_thresholds(
    standard: Standard, line: Line, facts: Mapping[str, FactValue], step: Decimal
) -> Suggestion:
    name = line.rule["fact"]
    value = Decimal(facts[name])
    return _apply_steps(line, value, f"{standard.fact_label(name)} {_fmt(value)}")


def _empty_score(line: Line) -> Decimal:
    empty = line.rule.get("empty", "max")
    return line.max if empty == "max" else to_decimal(empty)


def _suggest_brackets(
    standard: Standard, line: Line, facts: Mapping[str, FactValue], step: Decimal
) -> Suggestion:
    rule = line.rule
    numerator, denominator = Decimal(facts[rule["numerator"]]), Decimal(facts[rule["denominator"]])
    label = (
        rule.get("label")
        or f"{standard.fact_label(rule['numerator'])}/{standard.fact_label(rule['denominator'])}"
    )
    if denominator == 0:
        # Decision 2: nobody in the population → full marks, flagged for reviewers.
        score = _empty_score(line)
        return Suggestion(
            line.id,
            score,
            f"{label}：{standard.fact_label(rule['denominator'])}为 0，无统计对象 → 按满分计 → {_fmt(score)} 分",
            ("no_population",),
        )
    if numerator > denominator:
        return Suggestion(
            line.id,
            None,
            f"{label}：{standard.fact_label(rule['numerator'])} {_fmt(numerator)} 大于 "
            f"{standard.fact_label(rule['denominator'])} {_fmt(denominator)}，事实数据不一致，暂无建议分",
            ("inconsistent_facts",),
        )
    num, den = Fraction(numerator), Fraction(denominator)
    shown = f"{label} {_fmt(numerator)}/{_fmt(denominator)} {_percent(num / den)}"
    for bracket in rule["brackets"]:
        minimum = to_decimal(bracket["min"])
        # Decision 1: exact, unrounded, lower bound: num/den ≥ min%  ⇔  num·100 ≥ min·den.
        if num * 100 >= Fraction(minimum) * den:
            points = to_decimal(bracket["points"])
            name = bracket.get("label") or f"{_fmt(minimum)}%以上"
            return Suggestion(line.id, points, f"{shown} → {name} 档 → {_fmt(points)} 分")
    points = to_decimal(rule.get("otherwise", 0))
    lowest = _fmt(to_decimal(rule["brackets"][-1]["min"]))
    return Suggestion(line.id, points, f"{shown} → 低于 {lowest}%（最低档） → {_fmt(points)} 分")


def _suggest_coverage(
    standard: Standard, line: Line, facts: Mapping[str, FactValue], step: Decimal
) -> Suggestion:
    rule = line.rule
    total, covered = Decimal(facts[rule["total"]]), Decimal(facts[rule["covered"]])
    without = Decimal(facts[rule["without_record"]]) if rule.get("without_record") else Decimal(0)
    total_label, covered_label = standard.fact_label(rule["total"]), standard.fact_label(rule["covered"])
    if total == 0:
        score = _empty_score(line)
        return Suggestion(
            line.id,
            score,
            f"{total_label}为 0，无应走访对象 → 按满分计 → {_fmt(score)} 分",
            ("no_population",),
        )
    if covered + without > total:
        extra = f" 与 {standard.fact_label(rule['without_record'])} {_fmt(without)} 之和" if without else ""
        return Suggestion(
            line.id,
            None,
            f"{covered_label} {_fmt(covered)}{extra}超过 {total_label} {_fmt(total)}，事实数据不一致，暂无建议分",
            ("inconsistent_facts",),
        )
    text = f"{total_label} {_fmt(total)}，{covered_label} {_fmt(covered)}"
    if rule.get("without_record"):
        text += f"，{standard.fact_label(rule['without_record'])} {_fmt(without)}"
    if without:
        # The seed's method: "有走访、无记录备案不得分" — a visit without its record scores the line 0
        # (STANDARD.md line 3.2.2; docs/STANDARD_DECISIONS.md).
        return Suggestion(
            line.id, Decimal(0), f"{text} → 有走访、无记录备案不得分 → 0 分", ("visited_without_record",)
        )
    if covered == total:
        return Suggestion(line.id, line.max, f"{text} → 全部走访并记录备案 → {_fmt(line.max)} 分")
    if covered == 0:
        return Suggestion(line.id, Decimal(0), f"{text} → 无走访并记录备案的户 → 0 分")
    share = Fraction(covered) / Fraction(total)
    exact = Fraction(line.max) * share
    # Partial coverage: max × covered share, rounded DOWN to the score step.
    score = _tidy(Decimal(math.floor(exact / Fraction(step))) * step)
    text += (
        f" → 覆盖 {_fmt(covered)}/{_fmt(total)} {_percent(share)} → {_fmt(line.max)} × {_fmt(covered)}/{_fmt(total)} "
        f"{_truncated(exact, 2)} → 按评分步长 {_fmt(step)} 分向下取整 → {_fmt(score)} 分（部分覆盖，评审人员可酌情评分）"
    )
    return Suggestion(line.id, score, text, ("partial_coverage",))


_SUGGESTERS = {
    "components": _suggest_components,
    "checklist": _suggest_checklist,
    "all_or_nothing": _suggest_all_or_nothing,
    "discretionary": _suggest_discretionary,
    "count": _suggest_count,
    "thresholds": _suggest_thresholds,
    "brackets": _suggest_brackets,
    "coverage": _suggest_coverage,
}


def _suggest_line(
    standard: Standard, line: Line, facts: Mapping[str, FactValue], step: Decimal
) -> Suggestion:
    missing = [name for name in rule_facts(line.rule) if name not in facts]
    if missing:
        suggestion = Suggestion(
            line.id,
            None,
            f"缺少事实：{_labels(standard, missing)}，暂无建议分，由评审人员在 0–{_fmt(line.max)} 分内评分",
            ("missing_facts",),
        )
    else:
        suggestion = _SUGGESTERS[line.kind](standard, line, facts, step)
    # The line that carries the gate or the disqualification says so next to its suggestion.
    flags = list(suggestion.flags)
    text = suggestion.explanation
    if line.gate is not None and _condition_set(line.gate, facts)[0] is False:
        flags.append(STATUS_NOT_EVALUATED)
        text += f"；{line.gate['message']}"
    if line.disqualify is not None and _condition_set(line.disqualify, facts)[0] is True:
        flags.append(STATUS_DISQUALIFIED)
        text += f"；{line.disqualify['message']}"
    return Suggestion(suggestion.line, suggestion.score, text, tuple(flags), suggestion.bounds)


def suggest(
    standard: Standard,
    facts: Mapping[str, Any],
    score_step: Decimal | float | str | None = None,
    lines: Iterable[str] | None = None,
) -> dict[str, Suggestion]:
    """A suggestion for every line of the standard (or only `lines`), in the standard's order."""
    step = _resolve_step(standard, score_step)
    values = _normalize_facts(standard, facts)
    wanted = None if lines is None else set(lines)
    return {line.id: _suggest_line(standard, line, values, step) for line in standard.lines
            if wanted is None or line.id in wanted}


# --------------------------------------------------------------------------------------------
# Scores


def _resolve_step(standard: Standard, step: Decimal | float | str | None) -> Decimal:
    """Decision 5: the step is configurable; an argument overrides the standard's default."""
    if step is None:
        return standard.score_step
    try:
        value = Decimal(step) if isinstance(step, str) else to_decimal(step)
    except (TypeError, ValueError, InvalidOperation):
        raise InputError(f"评分步长必须是数字，实际为 {_show(step)}") from None
    if not value.is_finite() or value <= 0:
        raise InputError(f"评分步长必须大于 0，实际为 {_show(step)}")
    for line in standard.lines:
        for points in line_point_values(line):
            if points % value != 0:
                raise InputError(f"评分步长 {_fmt(value)} 不能整除第 {line.id} 行的分值 {_fmt(points)}")
    return value


def _resolve_bands(
    standard: Standard, star_bands: Sequence[Mapping[str, Any]] | None
) -> tuple[StarBand, ...]:
    """Decision 8: star bands are configurable; an argument overrides the standard's default."""
    if star_bands is None:
        return standard.star_bands
    if star_bands and all(isinstance(band, StarBand) for band in star_bands):
        return tuple(sorted(star_bands, key=lambda band: band.min, reverse=True))  # type: ignore[arg-type]
    try:
        return parse_star_bands(list(star_bands), standard.total)
    except StandardError as exc:
        raise InputError(str(exc)) from None


def _check_stage(standard: Standard, stage: Any) -> str:
    if stage not in standard.stage_ids:
        known = "、".join(standard.stage_ids)
        raise InputError(f"未知的评审阶段 {_show(stage)}，只能是 {known}")
    return str(stage)


def _score_value(standard: Standard, stage: str, line_id: str, score: Any) -> Decimal:
    try:
        return to_decimal(score)
    except (TypeError, ValueError, InvalidOperation):
        raise InputError(
            f"第 {line_id} 行（{standard.stage_label(stage)}）的得分必须是数字，实际为 {_show(score)}"
        ) from None


def _suggested(
    suggestion: Suggestion | Decimal | float | None,
) -> tuple[Decimal | None, tuple[Decimal, Decimal] | None]:
    if suggestion is None:
        return None, None
    if isinstance(suggestion, Suggestion):
        return suggestion.score, suggestion.bounds
    return to_decimal(suggestion), None


def validate_score(
    standard: Standard,
    stage: str,
    line_id: str,
    score: Decimal | float | None,
    reason: str | None = None,
    suggestion: Suggestion | Decimal | float | None = None,
    step: Decimal | float | str | None = None,
) -> list[ScoreError]:
    """Check one entered score (the UI calls this on every inline save).

    ``score`` None means "not entered" and has nothing to check here; ``evaluate`` reports it
    as missing_score. Raises InputError when ``stage`` is unknown or ``score`` is not a number.
    """
    _check_stage(standard, stage)
    resolved_step = _resolve_step(standard, step)
    where = standard.stage_label(stage)
    line = standard.lines_by_id.get(line_id)
    if line is None:
        message = f"第 {line_id} 行（{where}）：标准 {standard.version} 中没有此行"
        return [ScoreError(stage, str(line_id), "unknown_line", message)]
    if score is None:
        return []
    value = _score_value(standard, stage, line_id, score)

    def error(code: str, message: str) -> list[ScoreError]:
        return [ScoreError(stage, line.id, code, f"第 {line.id} 行（{where}）：{message}")]

    if not line.scored_at(stage):
        only = "、".join(standard.stage_label(s) for s in line.stages)
        return error("not_scored_at_stage", f"{where}阶段不评本行，本行仅在{only}阶段评分")
    if value < 0 or value > line.max:
        return error("out_of_range", f"得分 {_fmt(value)} 超出 0–{_fmt(line.max)} 分")
    if line.binary and value not in (0, line.max):
        return error("not_allowed", f"本行只能得 0 分或满分 {_fmt(line.max)} 分，不能得 {_fmt(value)} 分")
    if value % resolved_step != 0:
        return error("bad_step", f"得分 {_fmt(value)} 不是评分步长 {_fmt(resolved_step)} 分的整数倍")
    if reason is not None and not isinstance(reason, str):
        raise InputError(f"第 {line.id} 行（{where}）的扣分原因必须是文字，实际为 {_show(reason)}")
    if stage in REASON_STAGES and not (reason and reason.strip()):
        needs: list[str] = []
        if value < line.max:
            needs.append(f"得分 {_fmt(value)} 低于满分 {_fmt(line.max)}")
        suggested, bounds = _suggested(suggestion)
        subject = "且" if needs else f"得分 {_fmt(value)} "
        if suggested is not None and value != suggested:
            # Decision 9: differing from the suggestion needs a reason, even at the line's max.
            needs.append(f"{subject}与建议分 {_fmt(suggested)} 不一致")
        elif suggested is None and bounds is not None and not bounds[0] <= value <= bounds[1]:
            needs.append(f"{subject}超出依据事实的酌情评分范围 {_range(*bounds)} 分")
        if needs:
            return error("reason_required", f"{'，'.join(needs)}，须填写扣分原因")
    return []


def star_for(total: Decimal | float | None, star_bands: Sequence[StarBand | Mapping[str, Any]]) -> str | None:
    """The highest band whose lower bound the total reaches, or None (below every band)."""
    if total is None:
        return None
    value = to_decimal(total)
    bands = [
        band if isinstance(band, StarBand) else StarBand(name=str(band["name"]), min=to_decimal(band["min"]))
        for band in star_bands
    ]
    for band in sorted(bands, key=lambda b: b.min, reverse=True):
        if value >= band.min:
            return band.name
    return None


def _given_stages(standard: Standard, scores: Mapping[str, Any], stages: Iterable[str] | None) -> list[str]:
    wanted = set(scores) if stages is None else {_check_stage(standard, s) for s in stages}
    return [stage for stage in standard.stage_ids if stage in wanted]


def evaluate(
    standard: Standard,
    facts: Mapping[str, Any],
    scores: Mapping[str, Mapping[str, Any]],
    reasons: Mapping[str, Mapping[str, str | None]] | None = None,
    star_bands: Sequence[Mapping[str, Any]] | None = None,
    score_step: Decimal | float | str | None = None,
    stages: Iterable[str] | None = None,
) -> Result:
    """Score one community: suggestions, per-stage checks and totals, status and star.

    ``stages`` lists the stages that are given (default: those present in ``scores``); a given
    stage with no scores reports every line as missing. Scores of stages not given are ignored.
    """
    step = _resolve_step(standard, score_step)
    bands = _resolve_bands(standard, star_bands)
    values = _normalize_facts(standard, facts)
    suggestions = {line.id: _suggest_line(standard, line, values, step) for line in standard.lines}
    status, status_message = _status(standard, values)

    if not isinstance(scores, Mapping):
        raise InputError(f"得分（scores）必须是对象，实际为 {_show(scores)}")
    for stage in scores:
        _check_stage(standard, stage)
    reasons = reasons or {}
    if not isinstance(reasons, Mapping):
        raise InputError(f"扣分原因（reasons）必须是对象，实际为 {_show(reasons)}")
    for stage in reasons:
        _check_stage(standard, stage)

    errors: list[ScoreError] = []
    totals: dict[str, Decimal] = {}
    stage_max: dict[str, Decimal] = {}
    complete: dict[str, bool] = {}
    for stage in _given_stages(standard, scores, stages):
        entered = scores.get(stage) or {}
        stage_reasons = reasons.get(stage) or {}
        if not isinstance(entered, Mapping) or not isinstance(stage_reasons, Mapping):
            raise InputError(f"{standard.stage_label(stage)}（{stage}）的得分与扣分原因必须是对象")
        total = Decimal(0)
        complete[stage] = True
        for line in standard.lines:
            score = entered.get(line.id)
            if score is None:
                if line.scored_at(stage):
                    complete[stage] = False
                    errors.append(
                        ScoreError(
                            stage,
                            line.id,
                            "missing_score",
                            f"第 {line.id} 行（{standard.stage_label(stage)}）：尚未评分",
                        )
                    )
                continue
            found = validate_score(
                standard, stage, line.id, score, stage_reasons.get(line.id), suggestions[line.id], step
            )
            errors.extend(found)
            if any(e.code in VALUE_ERROR_CODES for e in found):
                # An invalid score is kept out of the total: the total stays the sum of valid lines.
                complete[stage] = complete[stage] and not line.scored_at(stage)
            else:
                total += to_decimal(score)
        for line_id in entered:
            if line_id not in standard.lines_by_id:
                errors.extend(validate_score(standard, stage, line_id, entered[line_id], step=step))
        totals[stage] = total
        stage_max[stage] = standard.stage_max(stage)

    # Decision 8: no star for a community that is not evaluated or disqualified.
    ranked = status == STATUS_EVALUATED
    stars = {stage: (star_for(total, bands) if ranked else None) for stage, total in totals.items()}
    # Decision 7: the final (city) total decides the star, once every one of its lines is scored.
    final = standard.stage_ids[-1]
    star = stars.get(final) if complete.get(final) else None
    return Result(
        status=status,
        status_message=status_message,
        suggestions=suggestions,
        totals=totals,
        stage_max=stage_max,
        stars=stars,
        star=star,
        errors=errors,
        score_step=step,
        star_bands=bands,
    )


def restrict(standard: Standard, result: Result, stages: Iterable[str]) -> Result:
    """`result` as `evaluate` gives it for `stages` only, a subset of the stages it scored: each stage is
    scored on its own and the star is the final stage's, so one evaluation serves both a save (which
    stores the begun stages) and the page it answers (which shows the stages the user may see)."""
    wanted = set(stages)
    keep = [stage for stage in standard.stage_ids if stage in wanted]
    if not set(keep) <= set(result.totals):
        raise ValueError(f"stages {sorted(set(keep) - set(result.totals))} were not scored")
    return replace(
        result,
        totals={stage: result.totals[stage] for stage in keep},
        stage_max={stage: result.stage_max[stage] for stage in keep},
        stars={stage: result.stars[stage] for stage in keep},
        star=result.star if standard.stage_ids[-1] in keep else None,
        errors=[error for error in result.errors if error.stage in keep],
    )


# --------------------------------------------------------------------------------------------
# JSON


def json_number(value: Decimal | None) -> int | float | None:
    """Decimals as JSON numbers: int when integral, else float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def suggestion_to_json(suggestion: Suggestion) -> dict[str, Any]:
    data: dict[str, Any] = {
        "score": json_number(suggestion.score),
        "explanation": suggestion.explanation,
        "flags": list(suggestion.flags),
    }
    if suggestion.bounds is not None:
        data["range"] = [json_number(suggestion.bounds[0]), json_number(suggestion.bounds[1])]
    return data


def result_to_json(result: Result) -> dict[str, Any]:
    """The CLI output shape: status, suggestions, totals, star, errors (plus a few extra keys)."""
    return {
        "status": result.status,
        "status_message": result.status_message,
        "suggestions": {line_id: suggestion_to_json(s) for line_id, s in result.suggestions.items()},
        "totals": {stage: json_number(total) for stage, total in result.totals.items()},
        "stage_max": {stage: json_number(value) for stage, value in result.stage_max.items()},
        "star": result.star,
        "stars": dict(result.stars),
        "errors": [
            {"stage": e.stage, "line": e.line, "code": e.code, "message": e.message} for e in result.errors
        ],
        "score_step": json_number(result.score_step),
        "star_bands": [{"name": b.name, "min": json_number(b.min)} for b in result.star_bands],
    }
