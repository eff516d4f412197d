"""就业失业情况统计: aggregate ledger counts per community and district for a period (no personal data).

Grouped queries over the ledgers (one per measure for the whole scope), plus the standard's outcome
facts from ledgers.facts.compute_all, with the checklist answers as fallback for communities without
ledger records.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count

from evaluations.models import FactAnswer, Period

OUTCOME_FACTS = (
    "registered_unemployed_total",
    "registered_unemployed_employed",
    "hard_to_employ_total",
    "hard_to_employ_employed",
    "zero_employment_households",
    "unemployed_over_six_months",
)


def _bounds(period: Period):
    from ledgers.dates import period_bounds

    return period_bounds(period.year)


def columns() -> list[tuple[str, str]]:
    """(key, label) of every measure, in column order."""
    from ledgers.models import Channel, ServiceKind

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


def community_stats(period: Period, communities) -> dict[int, dict[str, int]]:
    from ledgers.models import Employment, HardshipRecognition, ServiceRecord, UnemploymentRegistration

    start, end = _bounds(period)
    ids = list(communities.values_list("pk", flat=True))
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
    for cid, facts in outcome_facts(period, communities, ids).items():
        for name in OUTCOME_FACTS:
            stats[cid][name] = int(facts.get(name) or 0)
    return stats


def outcome_facts(period: Period, communities, ids: list[int] | None = None) -> dict[int, dict[str, int]]:
    """The outcome facts of every community: from the ledgers, else from the checklist answers."""
    if ids is None:
        ids = list(communities.values_list("pk", flat=True))
    facts: dict[int, dict[str, int]] = {cid: {} for cid in ids}
    try:
        from ledgers.facts import FACTS
    except ImportError:  # the ledgers app publishes no facts: checklist answers only
        FACTS = {}
    if FACTS:
        # The ledgers' own fact definitions, grouped by community; only the six outcome facts are needed.
        start, end = _bounds(period)
        ledger_values: dict[int, dict[str, int]] = defaultdict(dict)
        for name in OUTCOME_FACTS:
            fd = FACTS.get(name)
            if fd is None:
                continue
            key = fd.path + "_id"
            qs = fd.build(start, end).filter(**{f"{key}__in": communities.values("pk")})
            for cid, n in qs.values(key).annotate(n=Count("pk", distinct=True)).values_list(key, "n").order_by():
                ledger_values[cid][name] = n
        for cid, values in ledger_values.items():
            if cid in facts and any(values.values()):
                facts[cid] = {n: values.get(n, 0) for n in OUTCOME_FACTS}
    missing = [cid for cid, v in facts.items() if not v]
    if missing:
        for cid, name, value in FactAnswer.objects.filter(
            evaluation__period=period, evaluation__community_id__in=missing, name__in=OUTCOME_FACTS
        ).values_list("evaluation__community_id", "name", "value"):
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                facts[cid][name] = int(value)
    return facts


def rate(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def table(period: Period, communities) -> dict:
    """Rows per community with a subtotal per district and a grand total."""
    cols = columns()
    stats = community_stats(period, communities)
    rows, subtotals = [], defaultdict(lambda: defaultdict(int))
    grand: dict[str, int] = defaultdict(int)
    units = list(communities.order_by("code").values("pk", "name", "county__name", "street__name", "county_id"))
    current = None
    for u in units:
        if current is not None and u["county__name"] != current:
            rows.append({"kind": "subtotal", "labels": [current, "小计", ""], "values": _vals(subtotals[current], cols)})
        current = u["county__name"]
        s = stats.get(u["pk"], {})
        for key, _label in cols:
            subtotals[current][key] += s.get(key, 0)
            grand[key] += s.get(key, 0)
        rows.append(
            {"kind": "community", "labels": [u["county__name"], u["street__name"], u["name"]], "values": _vals(s, cols)}
        )
    if current is not None:
        rows.append({"kind": "subtotal", "labels": [current, "小计", ""], "values": _vals(subtotals[current], cols)})
        rows.append({"kind": "total", "labels": ["合计", "", ""], "values": _vals(grand, cols)})
    return {"headers": ["区（市、县）", "街道（乡镇）", "社区", *[label for _, label in cols]], "rows": rows}


def _vals(stats, cols) -> list[int]:
    return [stats.get(key, 0) for key, _ in cols]
