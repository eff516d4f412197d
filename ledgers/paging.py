"""Lists ordered community by community (by code), paged at the cost of the page's communities.

A city-wide list ordered by `community__code, household__code, id` makes the database sort every row
of the city (600,000 persons) to hand out the first fifty. `ByCommunity` instead counts the rows per
community (one grouped count, served from the community index), walks the communities in code order
to find which ones the requested slice falls in, and fetches only those communities' rows, in the
same order. It has the two methods Django's Paginator and the API's paging use: `count()` and slicing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from orgs.models import Level, Unit

MANY = 200  # communities: more than a county's


class ByCommunity:
    ordered = True

    def __init__(self, queryset: QuerySet, *then: str) -> None:
        self.queryset = queryset.order_by()
        self.then = then
        self._counts: list[tuple[int, int]] | None = None

    def _per_community(self) -> list[tuple[int, int]]:
        """(community id, rows) in community code order, communities without rows left out."""
        if self._counts is None:
            # Rows repeated by a join are counted once where the list is distinct (status filters); else
            # COUNT(*), which the community index answers alone (PostgreSQL: an index-only scan).
            n = Count("pk", distinct=True) if self.queryset.query.distinct else Count("*")
            rows = dict(
                self.queryset.values("community_id").annotate(n=n)
                .values_list("community_id", "n")
            )
            if len(rows) > MANY:  # a city: the communities in code order (index), not a list of ids to sort
                ordered = Unit.objects.filter(level=Level.COMMUNITY).order_by("code").values_list("pk", flat=True)
                codes = [pk for pk in ordered if pk in rows]
            else:
                codes = list(Unit.objects.filter(pk__in=list(rows)).order_by("code").values_list("pk", flat=True))
            self._counts = [(cid, rows[cid]) for cid in codes if rows[cid]]
        return self._counts

    def count(self) -> int:
        return sum(n for _, n in self._per_community())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Any]:
        if not isinstance(window, slice) or window.step not in (None, 1):
            raise TypeError("ByCommunity supports plain slices only")
        start = window.start or 0
        stop = window.stop if window.stop is not None else self.count()
        if stop <= start:
            return []
        picked, before, seen = [], None, 0
        for cid, n in self._per_community():
            if seen + n > start and seen < stop:
                picked.append(cid)
                if before is None:
                    before = seen
            seen += n
            if seen >= stop:
                break
        if not picked or before is None:
            return []
        offset = start - before
        rows = self.queryset.filter(community_id__in=picked).order_by("community__code", *self.then)
        return list(rows[offset : offset + (stop - start)])
