"""Reads of notices and cases, shared by the pages, the public page and the documents."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from .models import OPEN_STATUSES, Notice, NoticeEntry, Objection


@dataclass(frozen=True)
class ListRow:
    """One line of the public list: as proposed, or as revised after an upheld objection."""

    district: str
    street: str
    community: str
    total: Decimal | None
    star: str
    revised: bool
    reviewing: bool


def notices() -> QuerySet[Notice]:
    return Notice.objects.select_related("period").annotate(
        n_entries=Count("entries", distinct=True),
        n_cases=Count("objections", distinct=True),
        n_open=Count("objections", filter=Q(objections__status__in=OPEN_STATUSES), distinct=True),
    )


def entries(notice: Notice) -> list[NoticeEntry]:
    return list(notice.entries.select_related("evaluation").order_by("district", "street", "community_name"))


def public_rows(notice: Notice) -> list[ListRow]:
    """The proposed list as the public sees it: communities proposed for a star (a community whose star an
    objection took away stays, marked); no personal data, no line scores."""
    rows = []
    for e in notice.entries.order_by("district", "street", "community_name"):
        if not (e.star or e.revised_star):
            continue
        rows.append(ListRow(e.district, e.street, e.community_name, e.current_total,
                            e.current_star or "经复核不予认定", bool(e.revised_at), e.reopened))
    return rows


def cases(notice: Notice | None = None) -> QuerySet[Objection]:
    qs = Objection.objects.select_related("notice__period", "entry", "assignee")
    return qs.filter(notice=notice) if notice is not None else qs
