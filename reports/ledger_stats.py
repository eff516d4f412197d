"""就业失业情况统计: aggregate ledger counts per community and district for a period (no personal data).

The per-community figures come from reports.stats_store (stored per period × community, recomputed only
for communities whose ledgers changed); this module lays them out with district subtotals and a total.
"""

from __future__ import annotations

from collections import defaultdict

from evaluations.models import Period

from . import stats_store
from .stats_store import OUTCOME_FACTS, columns

__all__ = ["OUTCOME_FACTS", "columns", "community_stats", "outcome_facts", "rate", "table"]


def community_stats(period: Period, communities) -> dict[int, dict[str, int]]:
    return stats_store.stats_for(period, communities).values


def outcome_facts(period: Period, communities) -> dict[int, dict[str, int]]:
    """The outcome facts of every community with data (snapshot, ledgers or checklist); {} for the others."""
    stats = stats_store.stats_for(period, communities)
    return {cid: stats.outcomes.get(cid, {}) for cid in stats.values}


def rate(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def table(period: Period, communities, *, community_rows: bool = True, n_communities: int | None = None) -> dict:
    """Rows per community with a subtotal per district and a grand total, and when they were computed.

    `community_rows=False` keeps the district subtotals and the total only (the city-wide page), which is
    reused until one of the scope's stored rows changes (`stats_store.cached_summary`).
    """
    if not community_rows:
        count = communities.count() if n_communities is None else n_communities
        return stats_store.cached_summary("ledger-table", period, communities, count,
                                          lambda: _table(period, communities, community_rows=False))
    return _table(period, communities, community_rows=True)


def _table(period: Period, communities, *, community_rows: bool) -> dict:
    cols = columns()
    computed = stats_store.stats_for(period, communities)
    stats = computed.values
    rows, subtotals = [], defaultdict(lambda: defaultdict(int))
    grand: dict[str, int] = defaultdict(int)
    units = list(communities.order_by("code").values("pk", "name", "county__name", "street__name", "county_id"))
    current = county_id = None
    for u in units:
        if current is not None and u["county__name"] != current:
            rows.append({"kind": "subtotal", "labels": [current, "小计", ""], "county_id": county_id,
                         "values": _vals(subtotals[current], cols)})
        current, county_id = u["county__name"], u["county_id"]
        s = stats.get(u["pk"], {})
        for key, _label in cols:
            subtotals[current][key] += s.get(key, 0)
            grand[key] += s.get(key, 0)
        if community_rows:
            rows.append({"kind": "community", "labels": [u["county__name"], u["street__name"], u["name"]],
                         "values": _vals(s, cols)})
    if current is not None:
        rows.append({"kind": "subtotal", "labels": [current, "小计", ""], "county_id": county_id,
                     "values": _vals(subtotals[current], cols)})
        rows.append({"kind": "total", "labels": ["合计", "", ""], "values": _vals(grand, cols)})
    return {"headers": ["区（市、县）", "街道（乡镇）", "社区", *[label for _, label in cols]], "rows": rows,
            "computed_at": computed.computed_at}


def _vals(stats, cols) -> list[int]:
    return [stats.get(key, 0) for key, _ in cols]
