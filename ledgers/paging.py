"""Lists ordered community by community (by code), paged at the cost of the page's communities.

A city-wide list ordered by `community__code, household__code, id` makes the database sort every row
of the city (600,000 persons) to hand out the first fifty. `ByCommunity` instead counts the rows per
community (one grouped count, served from the community index), walks the communities in code order
to find which ones the requested slice falls in, and fetches only those communities' rows, in the
same order. It has the two methods Django's Paginator and the API's paging use: `count()` and slicing.

The grouped count of a city still reads every row's index entry (~100 ms for 600,000 persons on
PostgreSQL). For lists of ledger records (`ledger_counts=True`: rows whose every change bumps their
community's ledger generation) a count over more than a county's communities is kept per process
under the city's ledger signature and the latest unit change (moves and re-codes change the scope and
the order), so it is reused until any ledger or unit changes.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet

from orgs.models import Level, OrgEvent, Unit

from .live_facts import city_signature

MANY = 200  # communities: more than a county's
COUNTS_SECONDS = 600


class ByCommunity:
    ordered = True

    def __init__(self, queryset: QuerySet, *then: str, ledger_counts: bool = False) -> None:
        self.queryset = queryset.order_by()
        self.then = then
        self.ledger_counts = ledger_counts
        self._counts: list[tuple[int, int]] | None = None

    def _cache_key(self) -> str:
        sql, params = self.queryset.query.sql_with_params()
        query = hashlib.sha256(f"{sql}|{params}".encode()).hexdigest()[:32]
        unit_event = OrgEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        ledgers = "-".join(str(n) for n in city_signature())
        return f"by-community:{query}:{ledgers}:{unit_event}"

    def _per_community(self) -> list[tuple[int, int]]:
        """(community id, rows) in community code order, communities without rows left out."""
        if self._counts is None and self.ledger_counts:
            key = self._cache_key()  # before counting: a change racing with the count changes the key
            self._counts = cache.get(key)
            if self._counts is None:
                self._counts = self._count()
                if len(self._counts) > MANY:
                    cache.set(key, self._counts, COUNTS_SECONDS)
        if self._counts is None:
            self._counts = self._count()
        return self._counts

    def _count(self) -> list[tuple[int, int]]:
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
        return [(cid, rows[cid]) for cid in codes if rows[cid]]

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
