"""Bridge from the database to the pure scoring engine. Nothing here re-implements a rule."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from standards import engine

from .facts import FactValue, collect_facts
from .models import Evaluation, LineScore, Stage


def period_bands(evaluation: Evaluation) -> list[dict] | None:
    return evaluation.period.star_bands or None


def stage_inputs(
    evaluation: Evaluation, line_scores: Iterable[LineScore] | None = None
) -> tuple[dict[str, dict[str, Decimal]], dict[str, dict[str, str]]]:
    """Scores and reasons per stage; `line_scores` when the caller has already read the sheet's rows."""
    scores: dict[str, dict[str, Decimal]] = {s: {} for s in Stage.values}
    reasons: dict[str, dict[str, str]] = {s: {} for s in Stage.values}
    for ls in evaluation.scores.all() if line_scores is None else line_scores:
        if ls.score is not None:
            scores[ls.stage][ls.line_id] = ls.score
        if ls.reason:
            reasons[ls.stage][ls.line_id] = ls.reason
    return scores, reasons


def suggestion_for(evaluation: Evaluation, facts: dict[str, FactValue], line_id: str) -> engine.Suggestion | None:
    """One line's suggestion (what a save checks its score against), without scoring the whole sheet."""
    standard = evaluation.period.standard.standard
    values = {name: fv.value for name, fv in facts.items() if name in standard.facts}
    return engine.suggest(standard, values, evaluation.period.score_step, lines=[line_id]).get(line_id)


def begun_stages(evaluation: Evaluation, line_scores: Iterable[LineScore] | None = None) -> list[str]:
    """The stages with a score entered: what `result_for` evaluates by default (and the sheet stores)."""
    scores, _reasons = stage_inputs(evaluation, line_scores)
    return [s for s in Stage.values if scores[s]]


def result_for(
    evaluation: Evaluation,
    facts: dict[str, FactValue] | None = None,
    stages: list[str] | None = None,
    line_scores: Iterable[LineScore] | None = None,
) -> engine.Result:
    # Pass an evaluation whose state is current (re-fetched or returned by the transition): the
    # ledgers' provider reads live ledgers for a draft and the snapshot once submitted.
    standard = evaluation.period.standard.standard
    if facts is None:
        facts = collect_facts(evaluation)
    values = {name: fv.value for name, fv in facts.items() if name in standard.facts}
    scores, reasons = stage_inputs(evaluation, line_scores)
    if stages is None:
        # Only stages that have begun are evaluated, so missing_score speaks of real gaps (begun_stages).
        stages = [s for s in Stage.values if scores[s]]
    return engine.evaluate(
        standard,
        values,
        {s: scores[s] for s in stages},
        {s: reasons[s] for s in stages},
        star_bands=period_bands(evaluation),
        score_step=evaluation.period.score_step,
        stages=stages,
    )


def refresh_cached_result(
    evaluation: Evaluation, result: engine.Result | None = None, also: tuple[str, ...] = ()
) -> engine.Result:
    """Store totals, status and star on the evaluation row for lists and reports (and the fields in
    `also` the caller changed, in the same UPDATE)."""
    if result is None:
        result = result_for(evaluation)
    evaluation.self_total = result.totals.get(Stage.SELF)
    evaluation.county_total = result.totals.get(Stage.COUNTY)
    evaluation.city_total = result.totals.get(Stage.CITY)
    evaluation.result_status = result.status
    evaluation.star = result.star or ""
    evaluation.save(update_fields=["self_total", "county_total", "city_total", "result_status", "star", *also])
    return result
