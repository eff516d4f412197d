"""Reads shared by the verification pages, the sheet's panel and the reports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from evaluations.facts import collect_facts
from evaluations.models import Evaluation, Period
from ledgers.facts import FACTS, compute_community
from ledgers.models import Person, ServiceRecord
from ledgers.snapshots import latest_snapshot
from orgs.models import Unit
from standards import engine
from standards.schema import line_facts

from .kinds import KINDS, describe, load
from .models import Check, Draw, Outcome, ReferenceKind, ReferenceList, ReferenceRecord, Result


def current_draws(community: Unit, period: Period) -> QuerySet[Draw]:
    return (Draw.objects.filter(community=community, period=period, replaced_by__isnull=True)
            .select_related("drawn_by").order_by("kind"))


def all_draws(community: Unit, period: Period) -> QuerySet[Draw]:
    return Draw.objects.filter(community=community, period=period).select_related(
        "drawn_by", "replaces").order_by("kind", "-drawn_at", "-id")


def checks_of(community: Unit, period: Period) -> QuerySet[Check]:
    return Check.objects.filter(draw__community=community, draw__period=period).select_related(
        "draw", "checked_by")


def with_records(checks: list[Check]) -> list[Check]:
    """Attach each check's ledger record and its description (one query per kind present)."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for c in checks:
        by_kind[c.kind].append(c.object_id)
    loaded = {kind: load(KINDS[kind], ids) for kind, ids in by_kind.items()}
    for c in checks:
        kind = KINDS[c.kind]
        record = loaded[c.kind].get(c.object_id)
        c.kind_def = kind  # type: ignore[attr-defined]
        c.record = record  # type: ignore[attr-defined]
        c.description = describe(kind, record) if record is not None else "（记录已删除）"  # type: ignore[attr-defined]
        c.field_label = kind.field_label(c.field) if c.field else ""  # type: ignore[attr-defined]
        c.current_value = getattr(record, c.field, "") if (record is not None and c.field) else ""  # type: ignore[attr-defined]
    return checks


def _owners(checks: list[Check]) -> list[tuple[Check, dict[str, int]]]:
    out = []
    for c in with_records(checks):
        record = c.record  # type: ignore[attr-defined]
        if record is not None:
            out.append((c, KINDS[c.kind].owners(record)))
    return out


@dataclass
class LineCheck:
    line_id: str
    content: str
    facts: list[str]
    checked: int = 0
    confirmed: int = 0
    wrong: int = 0
    invalid: int = 0
    original: engine.Suggestion | None = None
    adjusted: engine.Suggestion | None = None

    @property
    def changed(self) -> bool:
        return bool(self.original and self.adjusted and self.original.score != self.adjusted.score)


@dataclass
class SheetVerification:
    lines: list[LineCheck] = field(default_factory=list)
    checks: int = 0
    invalid: int = 0
    adjusted_facts: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] | None = None


def fact_records(evaluation: Evaluation) -> dict[str, list[int]]:
    snap = latest_snapshot(evaluation)
    if snap is not None:
        return {k: list(v) for k, v in snap.records.items()}
    _, records = compute_community(evaluation.period.year, evaluation.community_id)
    return records


def _suggest(evaluation: Evaluation, facts: dict[str, Any]) -> dict[str, engine.Suggestion]:
    standard = evaluation.period.standard.standard
    values = {k: v for k, v in facts.items() if k in standard.facts}
    result = engine.evaluate(standard, values, {}, star_bands=evaluation.period.star_bands or None,
                             score_step=evaluation.period.score_step, stages=[])
    return result.suggestions


def sheet_verification(evaluation: Evaluation) -> SheetVerification:
    """Per ledger-based line (lines reading a ledger fact, from the standard's data): how many of its
    records were checked, confirmed, found wrong; and the engine's suggestion with the facts recomputed
    without the records found invalid, beside the original."""
    out = SheetVerification()
    checks = [c for c in checks_of(evaluation.community, evaluation.period) if c.result]
    original_facts = {name: fv.value for name, fv in collect_facts(evaluation).items()}
    records = fact_records(evaluation)
    owners = _owners(checks)
    out.checks = len(owners)
    invalid: dict[str, set[int]] = defaultdict(set)  # fact -> ids (of FactDef.model) taken out
    for c, own in owners:
        if c.outcome == Outcome.INVALID:
            out.invalid += 1
            for fact in KINDS[c.kind].facts:
                model = FACTS[fact].model
                if model in own:
                    invalid[fact].add(own[model])
    adjusted = dict(original_facts)
    for fact, removed in invalid.items():
        if fact not in records or fact not in adjusted:
            continue
        remaining = [pk for pk in records[fact] if pk not in removed]
        fd = FACTS[fact]
        if fd.mode == "count":
            adjusted[fact] = len(remaining)
        elif fd.mode == "any":
            adjusted[fact] = bool(remaining)
        else:
            kinds = set(ServiceRecord.objects.filter(pk__in=remaining).values_list("kind", flat=True))
            adjusted[fact] = kinds >= set(fd.kinds)
    out.adjusted_facts = {k: v for k, v in adjusted.items() if adjusted[k] != original_facts.get(k)}
    original = _suggest(evaluation, original_facts)
    recomputed = _suggest(evaluation, adjusted) if out.adjusted_facts else original
    standard = evaluation.period.standard.standard
    for line in standard.lines:
        ledger = [f for f in line_facts(line) if f in FACTS]
        if not ledger:
            continue
        row = LineCheck(line.id, line.content, ledger, original=original.get(line.id),
                        adjusted=recomputed.get(line.id))
        for c, own in owners:
            feeds = [f for f in ledger if f in KINDS[c.kind].facts
                     and own.get(FACTS[f].model) in set(records.get(f, ()))]
            if not feeds:
                continue
            row.checked += 1
            if c.result == Result.CONFIRMED:
                row.confirmed += 1
            elif c.result == Result.DIFFERS:
                row.wrong += 1
            if c.outcome == Outcome.INVALID:
                row.invalid += 1
        out.lines.append(row)
    out.card = card_suggestion(evaluation, records)
    return out


def latest_reference(kind: str) -> ReferenceList | None:
    return ReferenceList.objects.filter(kind=kind, status=ReferenceList.Status.APPLIED).order_by(
        "-as_of", "-id").first()


def card_suggestion(evaluation: Evaluation, records: dict[str, list[int]] | None = None) -> dict[str, Any] | None:
    """Line 3.3.2's "100% 《就业创业证》" from the loaded reference list of card holders: every registered
    unemployed person of the sheet holds a card there."""
    ref = latest_reference(ReferenceKind.CARD)
    if ref is None:
        return None
    if records is None:
        records = fact_records(evaluation)
    persons = records.get("registered_unemployed_total", [])
    ids = set(Person.objects.filter(pk__in=persons).values_list("id_number", flat=True))
    holders = set(ReferenceRecord.objects.filter(reference=ref, id_number__in=ids).values_list("id_number", flat=True))
    return {"reference": ref, "total": len(ids), "holders": len(holders & ids), "full": bool(ids) and ids <= holders,
            "line": "3.3.2", "fact": "employment_card_full"}
