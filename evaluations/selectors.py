"""Queries of sheets shared by pages, exports and the API (what to fetch; presenters decide what to show)."""

from __future__ import annotations

from collections import Counter

from django.db.models import OuterRef, QuerySet, Subquery

from orgs.models import User
from orgs.scoping import scope_queryset

from .models import Evaluation, EvidenceLine, LineScore, Period, ReturnedLine


def sheets_for(user: User) -> QuerySet[Evaluation]:
    """The sheets in the user's scope, with what lists show of each."""
    return scope_queryset(
        user, Evaluation.objects.select_related("period", "community__parent__parent", "community__county")
    )


def periods_before(year: int | OuterRef) -> QuerySet[Period]:
    """The periods before a year, latest first: the first is the year's previous period (its baseline)."""
    return Period.objects.filter(year__lt=year).order_by("-year")


def sheet_queryset(*, with_parents: bool = True) -> QuerySet[Evaluation]:
    """One sheet with what its page, forms and API detail read, and its previous period's id (the
    baseline beside every line; None in a first year); `with_parents=False` for a save, whose answer (a
    row, the totals) does not name the street and county."""
    related = ("period__standard", "community__parent__parent" if with_parents else "community")
    return Evaluation.objects.select_related(*related).annotate(
        previous_period_id=Subquery(periods_before(OuterRef("period__year")).values("pk")[:1])
    )


def line_scores(evaluation: Evaluation) -> dict[tuple[str, str], LineScore]:
    """(line id, stage) -> entered score; reuses a prefetched `scores` when the caller did one."""
    return {(s.line_id, s.stage): s for s in evaluation.scores.all().select_related("updated_by")}


def evidence_counts(evaluation: Evaluation) -> Counter[str]:
    """line id -> evidence items backing it (one file may back several lines)."""
    return Counter(
        EvidenceLine.objects.filter(evidence__evaluation=evaluation, evidence__is_deleted=False)
        .values_list("line_id", flat=True)
    )


def open_returns(evaluation: Evaluation) -> list[ReturnedLine]:
    """The open return's lines (comment, answer), of the level that returned the sheet last."""
    return list(
        ReturnedLine.objects.filter(evaluation=evaluation, returned_by=evaluation.returned_by, is_open=True)
        .select_related("replied_by", "transition__user")
        .order_by("id")
    )
