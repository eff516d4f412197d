"""Precomputed ledger statistics: one stored row per period × community, summed by county and city views.

A view asks `stats_for(period, communities)`: it reads the stored rows of its scope and recomputes only
the communities whose row is missing or stale (a county user pays for the county, never the city).
Any change of a community's ledgers, fact snapshots or sheet state marks its rows stale in the same
transaction (`mark_stale`, wired to the models' signals in reports.apps). `rebuild` recomputes every
row (management command `rebuild_stats`).

The outcome facts are read the way the sheet reads them: the latest fact snapshot of a sheet past the
draft, else the live ledger facts; a community without any ledger record falls back to the checklist
answers of its sheet.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import models
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from evaluations.models import Evaluation, FactAnswer, Period, State
from ledgers.dates import period_bounds
from ledgers.facts import FACTS
from ledgers.live_facts import community_of
from ledgers.models import (
    Channel,
    Employment,
    FactSnapshot,
    HardshipRecognition,
    ServiceKind,
    ServiceRecord,
    UnemploymentRegistration,
)

from .models import CommunityStat

OUTCOME_FACTS = (
    "registered_unemployed_total",
    "registered_unemployed_employed",
    "hard_to_employ_total",
    "hard_to_employ_employed",
    "zero_employment_households",
    "unemployed_over_six_months",
)
BATCH = 500


def columns() -> list[tuple[str, str]]:
    """(key, label) of every measure, in column order."""
    cols = [
        ("new_registrations", "新增失业登记（人）"),
        ("registered_unemployed_total", "登记失业人员（期内有效，人）"),
        ("registered_unemployed_employed", "登记失业人员中实现就业（人）"),
        ("new_hardship", "新认定就业困难人员（人）"),
        ("hard_to_employ_total", "就业困难人员（期内有效，人）"),
        ("hard_to_employ_employed", "就业困难人员中实现就业（人）"),
        ("zero_employment_households", "零就业家庭（户）"),
        ("unemployed_over_six_months", "失业半年以上（人）"),
    ]
    cols += [(f"emp_{value}", f"就业：{label}（人次）") for value, label in Channel.choices]
    cols += [(f"svc_{value}", f"服务：{label}（人次）") for value, label in ServiceKind.choices]
    return cols


@dataclass
class Stats:
    """The statistics of a scope: per community, which communities report outcomes, and their age."""

    values: dict[int, dict[str, int]]
    outcomes: dict[int, dict[str, int]]  # only communities with outcome data (ledger, snapshot or checklist)
    computed_at: datetime.datetime | None  # the oldest row used: every figure is at least this recent


# ---- computing ---------------------------------------------------------------------------------------

def _counts(period: Period, ids: list[int]) -> dict[int, dict[str, int]]:
    start, end = period_bounds(period.year)
    keys = [k for k, _ in columns()]
    stats: dict[int, dict[str, int]] = {cid: dict.fromkeys(keys, 0) for cid in ids}

    def count(qs, group: str | None, key_of) -> None:
        fields = ["person__community_id"] + ([group] if group else [])
        for row in qs.filter(person__community_id__in=ids).values(*fields).annotate(n=Count("pk")).order_by():
            cid = row["person__community_id"]
            if cid in stats:
                stats[cid][key_of(row.get(group) if group else None)] = row["n"]

    count(UnemploymentRegistration.objects.filter(registered_on__range=(start, end)), None,
          lambda _x: "new_registrations")  # fmt: skip
    count(HardshipRecognition.objects.filter(recognized_on__range=(start, end)), None, lambda _x: "new_hardship")
    count(Employment.objects.filter(started_on__range=(start, end)), "channel", lambda c: f"emp_{c}")
    count(ServiceRecord.objects.filter(served_on__range=(start, end)), "kind", lambda k: f"svc_{k}")
    return stats


def _outcomes(period: Period, ids: list[int]) -> tuple[dict[int, dict[str, int]], dict[int, str]]:
    """Outcome facts per community as the sheet shows them, and where each community's came from."""
    facts: dict[int, dict[str, int]] = {cid: {} for cid in ids}
    source: dict[int, str] = dict.fromkeys(ids, "")
    # Sheets past the draft read their latest snapshot.
    frozen = dict(Evaluation.objects.filter(period=period, community_id__in=ids).exclude(state=State.DRAFT)
                  .values_list("pk", "community_id"))
    seen: set[int] = set()
    for ev_id, values in (FactSnapshot.objects.filter(evaluation_id__in=list(frozen))
                          .order_by("evaluation_id", "-taken_at", "-id").values_list("evaluation_id", "values")):
        if ev_id in seen:
            continue
        seen.add(ev_id)
        cid = frozen[ev_id]
        facts[cid] = {name: int(values.get(name) or 0) for name in OUTCOME_FACTS}
        source[cid] = "snapshot"
    live = [cid for cid in ids if not source[cid]]
    if live:
        start, end = period_bounds(period.year)
        ledger_values: dict[int, dict[str, int]] = defaultdict(dict)
        for name in OUTCOME_FACTS:
            fd = FACTS[name]
            key = fd.path + "_id"
            qs = fd.build(start, end).filter(**{f"{key}__in": live}).order_by()
            for cid, n in qs.values(key).annotate(n=Count("pk", distinct=True)).values_list(key, "n"):
                ledger_values[cid][name] = n
        for cid, values in ledger_values.items():
            if cid in facts and any(values.values()):
                facts[cid] = {n: values.get(n, 0) for n in OUTCOME_FACTS}
                source[cid] = "ledger"
    missing = [cid for cid in live if not source[cid]]
    if missing:
        for cid, name, value in FactAnswer.objects.filter(
            evaluation__period=period, evaluation__community_id__in=missing, name__in=OUTCOME_FACTS
        ).values_list("evaluation__community_id", "name", "value"):
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                facts[cid][name] = int(value)
                source[cid] = "checklist"
    return facts, source


def compute(period: Period, ids: list[int]) -> dict[int, tuple[dict[str, int], str]]:
    """Every measure of the given communities for the period: (values, outcome source) per community."""
    counts = _counts(period, ids)
    outcome, source = _outcomes(period, ids)
    out: dict[int, tuple[dict[str, int], str]] = {}
    for cid in ids:
        values = counts[cid]
        for name in OUTCOME_FACTS:
            values[name] = outcome[cid].get(name, 0)
        out[cid] = (values, source[cid])
    return out


def refresh(period: Period, ids: Iterable[int]) -> dict[int, CommunityStat]:
    """Recompute and store the rows of the given communities (batch by batch)."""
    ids = list(ids)
    stored: dict[int, CommunityStat] = {}
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        now = timezone.now()
        rows = [CommunityStat(period=period, community_id=cid, values=values, fact_source=source, stale=False,
                              computed_at=now)
                for cid, (values, source) in compute(period, chunk).items()]
        CommunityStat.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["period", "community"],
            update_fields=["values", "fact_source", "stale", "computed_at"])
        stored.update({r.community_id: r for r in rows})
    return stored


def rebuild(periods: Iterable[Period] | None = None, communities: models.QuerySet | None = None) -> int:
    """Recompute every stored row (all periods and communities unless narrowed); returns the rows written."""
    from orgs.models import Level, Unit

    units = communities if communities is not None else Unit.objects.filter(level=Level.COMMUNITY)
    ids = list(units.order_by("code").values_list("pk", flat=True))
    written = 0
    for period in periods if periods is not None else Period.objects.order_by("year"):
        written += len(refresh(period, ids))
    return written


# ---- reading -----------------------------------------------------------------------------------------

def stats_for(period: Period, communities: models.QuerySet) -> Stats:
    """The stored statistics of the scope, recomputing only its missing or stale communities."""
    ids = list(communities.values_list("pk", flat=True))
    rows = {cid: (values, source, stale, at) for cid, values, source, stale, at in CommunityStat.objects.filter(
        period=period, community_id__in=communities.values("pk")).values_list(
        "community_id", "values", "fact_source", "stale", "computed_at")}
    need = [cid for cid in ids if cid not in rows or rows[cid][2]]
    if need:
        for cid, row in refresh(period, need).items():
            rows[cid] = (row.values, row.fact_source, False, row.computed_at)
    values = {cid: rows[cid][0] for cid in ids}
    outcomes = {cid: {n: rows[cid][0].get(n, 0) for n in OUTCOME_FACTS} for cid in ids if rows[cid][1]}
    oldest = min((rows[cid][3] for cid in ids), default=None)
    return Stats(values=values, outcomes=outcomes, computed_at=oldest)


# A whole city's summary (3,000 stored rows read and summed) is kept, per process, under the state of
# the rows it was summed from: any refreshed, added or removed row gives another key. Unit names in the
# labels may lag a rename by at most this long.
SUMMARY_SECONDS = 600


def _signature(period: Period, communities: models.QuerySet) -> dict[str, Any]:
    return CommunityStat.objects.filter(period=period, community_id__in=communities.values("pk")).aggregate(
        rows=Count("pk"), stale=Count("pk", filter=Q(stale=True)), latest=Max("computed_at"),
        ids=Sum("community_id"),
    )


def _summary_key(name: str, period: Period, communities: models.QuerySet, sig: dict[str, Any]) -> str:
    sql, params = communities.values("pk").query.sql_with_params()
    scope = hashlib.sha256(f"{sql}|{params}".encode()).hexdigest()[:32]
    return f"stats-summary:{name}:{period.pk}:{scope}:{sig['rows']}:{sig['ids']}:{sig['latest'] and sig['latest'].isoformat()}"


def cached_summary(name: str, period: Period, communities: models.QuerySet, n_communities: int,
                   compute: Callable[[], Any]) -> Any:
    """`compute()` (the summary `name` of the scope's stored rows), reused while none of those rows changed."""
    sig = _signature(period, communities)
    if not sig["stale"] and sig["rows"] == n_communities:
        hit = cache.get(_summary_key(name, period, communities, sig))
        if hit is not None:
            return hit
    result = compute()  # refreshes the missing and stale rows
    sig = _signature(period, communities)
    if not sig["stale"] and sig["rows"] == n_communities:
        cache.set(_summary_key(name, period, communities, sig), result, SUMMARY_SECONDS)
    return result


# ---- keeping rows current ----------------------------------------------------------------------------

def mark_stale(community_ids: Iterable[int | None]) -> None:
    ids = {cid for cid in community_ids if cid is not None}
    if ids:
        CommunityStat.objects.filter(community_id__in=ids, stale=False).update(stale=True)


def on_ledger_change(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a ledger record, a ledger event (imports) or a fact snapshot."""
    mark_stale([community_of(instance)])


def on_evaluation_saved(sender, instance: Evaluation, update_fields=None, **kwargs) -> None:
    """A sheet changing state changes where its outcome facts come from (snapshot or live)."""
    if update_fields is None or "state" in update_fields:
        mark_stale([instance.community_id])
