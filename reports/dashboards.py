"""Dashboard data: pure queries returning plain dicts (charts and their tables share them; the bench times them).

Each function takes a period and a queryset of communities (already scoped to the user's unit and the
district filter) and returns a list of chart specs:
    {"id", "title", "kind": "bar"|"line"|"pie", "stacked", "category_label", "categories",
     "series": [{"name", "data"}], "rows": [[category, v1, v2, ...]], "headers", "note"}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Avg, Count, F, Q

from evaluations import policy
from evaluations.models import Evaluation, LineScore, Period, Stage, State
from orgs.models import Unit, User
from register.selectors import yoy_charts

from .forms import fmt_score
from .summaries import latest_stage_q, line_maxima, star_order

NO_EVALUATION = "未建评估表"


def _num(value) -> float | None:
    if value is None:
        return None
    return round(float(value), 2)


def chart(
    id: str,
    title: str,
    category_label: str,
    categories: list[str],
    series: list[dict],
    kind: str = "bar",
    stacked: bool = False,
    note: str = "",
) -> dict:
    rows = [[cat, *[s["data"][i] for s in series]] for i, cat in enumerate(categories)]
    return {
        "id": id,
        "json_id": f"spec-{id}",
        "title": title,
        "kind": kind,
        "stacked": stacked,
        "category_label": category_label,
        "categories": categories,
        "series": series,
        "headers": [category_label, *[s["name"] for s in series]],
        "rows": rows,
        "note": note,
    }


def _districts(communities) -> list[tuple[int, str]]:
    ids = communities.values("county_id").distinct()
    return list(Unit.objects.filter(pk__in=ids).order_by("code").values_list("pk", "name"))


def workflow_progress(period: Period, communities, user: User) -> list[dict]:
    districts = _districts(communities)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Evaluation.objects.filter(period=period, community__in=communities)
        .values("community__county_id", "state")
        .annotate(n=Count("id"))
    ):
        counts[row["community__county_id"]][row["state"]] = row["n"]
    totals = dict(communities.values("county_id").annotate(n=Count("id")).values_list("county_id", "n"))
    series = []
    for state, label in State.choices:
        series.append({"name": label, "data": [counts[d].get(state, 0) for d, _ in districts]})
    series.insert(
        0,
        {
            "name": NO_EVALUATION,
            "data": [totals.get(d, 0) - sum(counts[d].values()) for d, _ in districts],
        },
    )
    return [
        chart(
            "progress",
            "各区（市、县）评审流程进度（社区数）",
            "区（市、县）",
            [name for _, name in districts],
            series,
            stacked=True,
        )
    ]


SCORE_BANDS = [(Decimal(0), Decimal(60)), (Decimal(60), Decimal(70)), (Decimal(70), Decimal(80)),
               (Decimal(80), Decimal(85)), (Decimal(85), Decimal(90)), (Decimal(90), Decimal(95)),
               (Decimal(95), None)]  # fmt: skip


def _band_label(low: Decimal, high: Decimal | None) -> str:
    return f"{low:f}分及以上" if high is None else f"{low:f}–{high:f}分（不含）"


REVIEWED_STATES = {State.CITY_REVIEWED, State.PUBLISHED}


def score_distribution(period: Period, communities, user: User) -> list[dict]:
    # Only sheets the city has finished reviewing count (a total or a "not evaluated" / "disqualified"
    # result of a sheet still in review is provisional); a result the review policy hides from the user
    # counts as not yet reviewed too.
    hidden = policy.hidden_states(user, Stage.CITY)
    rows = [
        (total, star, status) if state in REVIEWED_STATES and state not in hidden else (None, "", "pending")
        for total, star, status, state in Evaluation.objects.filter(
            period=period, community__in=communities
        ).values_list("city_total", "star", "result_status", "state")
    ]
    band_counts = [0] * len(SCORE_BANDS)
    star_counts: dict[str, int] = defaultdict(int)
    pending = 0
    for total, star, status in rows:
        if status == "not_evaluated":
            star_counts["不列入评估"] += 1
            continue
        if status == "disqualified":
            star_counts["取消资格"] += 1
            continue
        if total is None:
            pending += 1
            continue
        for i, (low, high) in enumerate(SCORE_BANDS):
            if total >= low and (high is None or total < high):
                band_counts[i] += 1
                break
        star_counts[star or "无星级"] += 1
    stars = star_order(period)
    star_names = [s for s in stars if star_counts.get(s)] + [
        s for s in ("无星级", "不列入评估", "取消资格") if star_counts.get(s)
    ]
    note = f"另有 {pending} 个社区尚未完成市级复核，未计入。" if pending else ""
    return [
        chart(
            "scores",
            "最终得分（市级复核）分布",
            "得分区间",
            [_band_label(low, high) for low, high in SCORE_BANDS],
            [{"name": "社区数", "data": band_counts}],
            note=note,
        ),
        chart(
            "stars",
            "星级分布",
            "星级",
            star_names,
            [{"name": "社区数", "data": [star_counts[s] for s in star_names]}],
            kind="pie",
            note=note,
        ),
    ]


def line_losses(period: Period, communities, user: User) -> list[dict]:
    ids, maxima, _stages = line_maxima(period)
    agg = _line_aggregates(period, communities, maxima, user)
    avg_lost, losing, scored = [], [], []
    for line_id in ids:
        row = agg.get(line_id)
        if not row or not row["n"]:
            avg_lost.append(None)
            losing.append(0)
            scored.append(0)
            continue
        avg_lost.append(_num(maxima[line_id] - Decimal(row["total"]) / row["n"]))
        losing.append(row["losing"])
        scored.append(row["n"])
    return [
        chart(
            "losses",
            "各评审项平均失分（按各社区最新评审阶段）",
            "评审项",
            ids,
            [
                {"name": "平均失分", "data": avg_lost},
                {"name": "失分社区数", "data": losing},
                {"name": "已评分社区数", "data": scored},
            ],
            note="失分 = 该项满分 − 得分；平均值按已评分的社区计算。",
        )
    ]


def _line_aggregates(period: Period, communities, maxima: dict[str, Decimal], user: User) -> dict[str, dict]:
    """Per line: sum, count and count below the maximum, from one (line, score) histogram query."""
    out: dict[str, dict] = {}
    rows = (
        LineScore.objects.filter(latest_stage_q(period, communities, user), score__isnull=False)
        .values("line_id", "score")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        agg = out.setdefault(row["line_id"], {"total": Decimal(0), "n": 0, "losing": 0})
        agg["total"] += row["score"] * row["n"]
        agg["n"] += row["n"]
        if row["line_id"] in maxima and row["score"] < maxima[row["line_id"]]:
            agg["losing"] += row["n"]
    return out


def self_vs_reviewed(period: Period, communities, user: User) -> list[dict]:
    districts = _districts(communities)
    # Only totals the review policy lets the user see are averaged.
    county_q = ~Q(state__in=policy.hidden_states(user, Stage.COUNTY))
    city_q = ~Q(state__in=policy.hidden_states(user, Stage.CITY))
    stats = {
        row["community__county_id"]: row
        for row in Evaluation.objects.filter(period=period, community__in=communities)
        .values("community__county_id")
        .annotate(
            self_avg=Avg("self_total"),
            county_avg=Avg("county_total", filter=county_q),
            city_avg=Avg("city_total", filter=city_q),
            gap=Avg(
                F("self_total") - F("county_total"),
                filter=Q(self_total__isnull=False, county_total__isnull=False) & county_q,
            ),
            over=Count("id", filter=Q(self_total__gt=F("county_total")) & county_q),
        )
        .order_by()
    }

    def col(key):
        return [_num(stats.get(d, {}).get(key)) for d, _ in districts]

    return [
        chart(
            "selfgap",
            "各区（市、县）自评分与审核分对比（平均分）",
            "区（市、县）",
            [name for _, name in districts],
            [
                {"name": "平均自评分", "data": col("self_avg")},
                {"name": "平均县级审核分", "data": col("county_avg")},
                {"name": "平均市级复核分", "data": col("city_avg")},
                {"name": "自评高出县级审核（平均分差）", "data": col("gap")},
                {"name": "自评高于审核的社区数", "data": [stats.get(d, {}).get("over", 0) for d, _ in districts]},
            ],
            note=_stage_max_note(period),
        )
    ]


def _stage_max_note(period: Period) -> str:
    """E.g. "自评分与县级审核分均不含第5项（满分95分）；市级复核分满分100分。", from the standard's data."""
    std = period.standard.standard
    self_max, county_max, city_max = (fmt_score(std.stage_max(s)) for s in (Stage.SELF, Stage.COUNTY, Stage.CITY))
    only = std.only_stage(std.innovation_line) if std.innovation_line else None
    if only == Stage.CITY and self_max == county_max:
        return f"自评分与县级审核分均不含第{std.innovation_line}项（满分{self_max}分）；市级复核分满分{city_max}分。"
    return f"自评分满分{self_max}分，县级审核分满分{county_max}分，市级复核分满分{city_max}分。"


def community_history(community: Unit, user: User) -> list[dict]:
    rows = list(
        Evaluation.objects.filter(community=community)
        .order_by("period__year")
        .values("period__year", "self_total", "county_total", "city_total", "star", "result_status", "state")
    )
    for r in rows:  # totals and star of stages the review policy hides from the user are left out
        stages = policy.stages_visible_in_state(user, r["state"])
        for stage, key in (("county", "county_total"), ("city", "city_total")):
            if stage not in stages:
                r[key] = None
        if Stage.CITY not in stages:
            r["star"] = ""
    categories = [f"{r['period__year']}年度" for r in rows]
    return [
        chart(
            "history",
            f"{community.name} 历年评审结果",
            "评估期",
            categories,
            [
                {"name": "社区自评分", "data": [_num(r["self_total"]) for r in rows]},
                {"name": "县级审核分", "data": [_num(r["county_total"]) for r in rows]},
                {"name": "市级复核分", "data": [_num(r["city_total"]) for r in rows]},
                {"name": "星级", "data": [r["star"] or "—" for r in rows], "table_only": True},
            ],
            kind="line",
            note="" if len(rows) > 1 else "该社区只有一个评估期的结果。",
        )
    ]


def outcomes(period: Period, communities, user: User) -> list[dict]:
    """Employment outcomes per district, from the stored per-community statistics; the summary is reused
    until one of the scope's stored rows changes (as the city's ledger statistics page)."""
    from . import stats_store

    return stats_store.cached_summary("outcomes", period, communities, communities.count(),
                                      lambda: _outcomes(period, communities))


def _outcomes(period: Period, communities) -> list[dict]:
    from . import stats_store
    from .ledger_stats import rate

    districts = _districts(communities)
    county_of = dict(communities.values_list("pk", "county_id"))
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    reporting: dict[int, int] = defaultdict(int)
    stats = stats_store.stats_for(period, communities)
    for cid, facts in stats.outcomes.items():
        reporting[county_of[cid]] += 1
        for name, value in facts.items():
            sums[county_of[cid]][name] += value
    names = [name for _, name in districts]

    def col(key):
        return [sums[d][key] for d, _ in districts]

    note = ("数据与评估表一致：已提交的评估表取提交时冻结的台帐快照，其余取台帐实时数据（无台帐记录的社区取核查清单填报值）；"
            "就业率 = 实现就业人数 ÷ 期内有效登记人数。")
    charts = [
        chart(
            "rates",
            "各区（市、县）就业率（%）",
            "区（市、县）",
            names,
            [
                {"name": "登记失业人员就业率（%）", "data": [
                    rate(sums[d]["registered_unemployed_employed"], sums[d]["registered_unemployed_total"])
                    for d, _ in districts]},
                {"name": "就业困难人员就业率（%）", "data": [
                    rate(sums[d]["hard_to_employ_employed"], sums[d]["hard_to_employ_total"]) for d, _ in districts]},
                {"name": "登记失业人员（人）", "data": col("registered_unemployed_total"), "table_only": True},
                {"name": "就业困难人员（人）", "data": col("hard_to_employ_total"), "table_only": True},
                {"name": "有数据的社区数", "data": [reporting[d] for d, _ in districts], "table_only": True},
            ],
            note=note,
        ),
        chart(
            "hardship",
            "各区（市、县）零就业家庭与长期失业人员",
            "区（市、县）",
            names,
            [
                {"name": "零就业家庭（户）", "data": col("zero_employment_households")},
                {"name": "失业半年以上人员（人）", "data": col("unemployed_over_six_months")},
            ],
            note=note,
        ),
    ]
    for c in charts:
        c["computed_at"] = stats.computed_at
    return charts


# slug -> (title, function of (period, communities, user)). The history dashboard takes a community instead.
DASHBOARDS: dict[str, tuple[str, Callable]] = {
    "progress": ("评审流程进度", workflow_progress),
    "scores": ("得分与星级分布", score_distribution),
    "losses": ("各评审项失分情况", line_losses),
    "selfgap": ("自评与审核对比", self_vs_reviewed),
    "outcomes": ("就业成效（按区）", outcomes),
    "yoy": ("逐年星级变化", yoy_charts),
}
