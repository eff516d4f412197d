"""Reads of the register app, shared by pages, the public view, exports and dashboards."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from evaluations import policy
from evaluations import selectors as sheet_selectors
from evaluations.models import Evaluation, LineScore, Period, Stage, State
from orgs.models import Unit, User
from orgs.scoping import scope_queryset

from .models import Appeal, Award, AwardChange, AwardStatus

# How many consecutive years at the standard make a community eligible for national recommendation.
NATIONAL_YEARS = 3


def awards() -> QuerySet[Award]:
    return Award.objects.select_related("period", "community", "community__county", "community__street")


def register_for(user: User) -> QuerySet[Award]:
    return scope_queryset(user, awards())


def public_register() -> QuerySet[Award]:
    """The public view: every award, no user, no document, no personal data."""
    return awards().order_by("-period__year", "community__code")


def award_history(community: Unit) -> list[Award]:
    """A community's awards across the years, each with its changes (two queries)."""
    changes = AwardChange.objects.select_related("user").order_by("at", "id")
    return list(awards().filter(community=community).prefetch_related(Prefetch("changes", queryset=changes))
                .order_by("-period__year"))


def appeals_for(user: User) -> QuerySet[Appeal]:
    return scope_queryset(user, Appeal.objects.select_related(
        "evaluation__period", "evaluation__community", "filed_by", "decided_by"))


# ------------------------------------------------------------------------------------------------
# Year over year


def previous_period(period: Period) -> Period | None:
    return sheet_selectors.periods_before(period.year).first()


@dataclass
class Baseline:
    """Last year's published result of the same community: the reference of this year's sheet."""

    year: int
    total: Decimal | None
    star: str
    scores: dict[str, Decimal | None] = field(default_factory=dict)


def baseline_for(evaluation: Evaluation, user: User) -> Baseline | None:
    # A sheet read by evaluations.selectors.sheet_queryset knows its previous period already.
    if hasattr(evaluation, "previous_period_id"):
        previous_id = evaluation.previous_period_id
    else:
        previous = previous_period(evaluation.period)
        previous_id = previous.pk if previous is not None else None
    if previous_id is None:
        return None
    last = Evaluation.objects.select_related("period").filter(
        period_id=previous_id, community_id=evaluation.community_id, state=State.PUBLISHED).first()
    if last is None or Stage.CITY.value not in policy.visible_stages(user, last):
        return None
    scores = dict(LineScore.objects.filter(evaluation=last, stage=Stage.CITY.value).values_list("line_id", "score"))
    return Baseline(last.period.year, last.city_total, last.star if last.result_status == "evaluated" else "", scores)


def _held(period: Period, communities: QuerySet[Unit]) -> dict[int, str]:
    """community id -> star held from the period's result (awards not revoked)."""
    return dict(
        Award.objects.filter(period=period, community__in=communities)
        .exclude(status=AwardStatus.REVOKED).exclude(star="").values_list("community_id", "star")
    )


YOY_SERIES = ("新获星级", "保持星级", "失去星级", "尚未公布")


def year_over_year(period: Period, communities: QuerySet[Unit]) -> tuple[Period | None, list[tuple[str, list[int]]]]:
    """Per district: communities that gained, kept or lost a star against the previous period, and those
    that held one last year whose result this year is not yet published."""
    previous = previous_period(period)
    now = _held(period, communities)
    before = _held(previous, communities) if previous is not None else {}
    published = set(Evaluation.objects.filter(period=period, community__in=communities,
                                              state=State.PUBLISHED).values_list("community_id", flat=True))
    county_of = dict(communities.values_list("pk", "county_id"))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for cid in set(now) | set(before):
        if cid in now and cid not in before:
            slot = 0
        elif cid in now:
            slot = 1
        elif cid in published or cid not in county_of:
            slot = 2
        else:
            slot = 3
        counts[county_of.get(cid) or 0][slot] += 1
    names = dict(Unit.objects.filter(pk__in=set(county_of.values())).values_list("pk", "name"))
    rows = [(names.get(d, "—"), counts[d]) for d in sorted(counts, key=lambda d: names.get(d, ""))]
    return previous, rows


def yoy_charts(period: Period, communities: QuerySet[Unit], user: User) -> list[dict[str, Any]]:
    """The dashboard of reports: one stacked bar per district (reports.dashboards.chart's shape)."""
    from reports.dashboards import chart

    previous, rows = year_over_year(period, communities)
    series = [{"name": label, "data": [r[1][i] for r in rows]} for i, label in enumerate(YOY_SERIES)]
    note = (f"与 {previous.year} 年度相比，以星级社区名录为准（已摘牌的不计）；“尚未公布”为上年有星级、本年度结果尚未公布的社区。"
            if previous else "没有上一评估期，无法比较。")
    return [chart("yoy", f"{period.year} 年度星级变化（社区数）", "区（市、县）", [r[0] for r in rows], series,
                  stacked=True, note=note)]


@dataclass
class Eligible:
    community: Unit
    years: list[int]
    stars: list[str]


def national_candidates(communities: QuerySet[Unit]) -> list[Eligible]:
    """Communities holding a star NATIONAL_YEARS years running, up to their latest award (not revoked)."""
    held: dict[int, dict[int, str]] = defaultdict(dict)
    for cid, year, star in (Award.objects.filter(community__in=communities).exclude(status=AwardStatus.REVOKED)
                            .exclude(star="").values_list("community_id", "period__year", "star")):
        held[cid][year] = star
    latest_year = Period.objects.order_by("-year").values_list("year", flat=True).first()
    out: list[tuple[int, list[int]]] = []
    for cid, years in held.items():
        last = max(years)
        # A run must reach the latest published year of the community, and not be older than last year.
        if latest_year is not None and last < latest_year - 1:
            continue
        run = [last]
        while run[-1] - 1 in years:
            run.append(run[-1] - 1)
        if len(run) >= NATIONAL_YEARS:
            out.append((cid, sorted(run)))
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[cid for cid, _ in out]).select_related("county", "street")}
    result = [Eligible(units[cid], years, [held[cid][y] for y in years]) for cid, years in out]
    return sorted(result, key=lambda e: e.community.code)
