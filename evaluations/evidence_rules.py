"""Which lines of a sheet need evidence, and which of those have none (the period decides).

Default (`Period.evidence_lines` is None): every line scored above 0 at the self stage, except the lines
computed from ledgers — those read a fact some provider computes (`facts.provided_fact_names()`), taken
from the standard's data, not from a list here. A period may instead name the lines (a list of ids);
those need evidence when scored above 0 at the self stage. `Period.evidence_check` says whether a gap
is ignored, a warning, or blocks submission and the county's pass-on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .facts import provided_fact_names
from .models import Evaluation, EvidenceCheck, LineScore, Period, Stage

# The actions that check evidence (the community's submission and the county's pass-on).
CHECKED_ACTIONS = frozenset({"submit", "county_pass"})


def ledger_lines(period: Period) -> frozenset[str]:
    standard = period.standard.standard
    return frozenset(line.id for line in standard.lines_reading(provided_fact_names()))


def candidate_lines(period: Period) -> list[str]:
    """The lines that need evidence when scored above 0 at the self stage, in sheet order."""
    standard = period.standard.standard
    if period.evidence_lines is not None:
        wanted = set(period.evidence_lines)
        return [line.id for line in standard.lines if line.id in wanted]
    computed = ledger_lines(period)
    return [line.id for line in standard.lines if line.id not in computed]


def required(period: Period, self_scores: Mapping[str, Decimal | None]) -> list[str]:
    return [lid for lid in candidate_lines(period) if (self_scores.get(lid) or 0) > 0]


def missing(period: Period, self_scores: Mapping[str, Decimal | None], counts: Mapping[str, int]) -> list[str]:
    """Required lines with no evidence item backing them, in sheet order."""
    if period.evidence_check == EvidenceCheck.OFF:
        return []
    return [lid for lid in required(period, self_scores) if not counts.get(lid)]


@dataclass(frozen=True)
class Gap:
    line_id: str
    dom_id: str
    text: str


def gaps_for(evaluation: Evaluation) -> list[Gap]:
    """The sheet's lines that need evidence and have none (two queries)."""
    from .selectors import evidence_counts

    period = evaluation.period
    if period.evidence_check == EvidenceCheck.OFF:
        return []
    scores = dict(
        LineScore.objects.filter(evaluation=evaluation, stage=Stage.SELF.value).values_list("line_id", "score")
    )
    return describe(period, missing(period, scores, evidence_counts(evaluation)))


def describe(period: Period, line_ids: list[str]) -> list[Gap]:
    standard = period.standard.standard
    out = []
    for lid in line_ids:
        content = standard.line(lid).content.strip().splitlines()[-1][:30]
        out.append(Gap(lid, "line-" + lid.replace(".", "-"), f"第 {lid} 项（{content}）尚无证明材料"))
    return out


def blocks(period: Period) -> bool:
    return period.evidence_check == EvidenceCheck.BLOCK
