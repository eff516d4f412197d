"""A draft sheet's ledger facts, stored per community and year and recomputed only after a ledger change.

While a community drafts, its sheet reads the ledgers live. Computing the facts costs about twenty
queries, and every view of the sheet, the home page and every autosave needs them; the ledgers change
far less often than that. So the values are kept in `LiveFacts` together with the community's
`LedgerGeneration` read before computing them. Every change of the community's ledgers bumps the
generation in the same transaction (signals below; imports save a LedgerEvent), so a stored row whose
generation differs is recomputed on the next read. A change racing with a computation leaves the row
with the older generation: it is recomputed again rather than trusted.

The definitions' fingerprint (the source of the modules that define the facts) makes a deployment that
changes a definition recompute every row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from . import dates, facts, retirement
from .models import LedgerGeneration, LiveFacts


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for module in (facts, retirement, dates):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


DEFINITIONS = _fingerprint()


def generation(community_id: int) -> int:
    row = LedgerGeneration.objects.filter(community_id=community_id).values_list("generation", flat=True).first()
    return row or 0


def values_for(year: int, community_id: int) -> dict[str, Any]:
    """The community's ledger facts for the year: the stored values when the ledgers have not changed
    since they were computed, else computed now and stored."""
    # The stored row and the community's current generation in one query.
    stored = (
        LiveFacts.objects.filter(community_id=community_id, year=year)
        .annotate(current=Subquery(
            LedgerGeneration.objects.filter(community_id=OuterRef("community_id")).values("generation")[:1]))
        .values_list("values", "generation", "definitions", "current")
        .first()
    )
    if stored is not None and stored[1] == (stored[3] or 0) and stored[2] == DEFINITIONS:
        return dict(stored[0])
    current = (stored[3] or 0) if stored is not None else generation(community_id)
    values, _records = facts.compute_community(year, community_id)
    # `current` was read before computing: a ledger change meanwhile has bumped the generation past it,
    # so this row will not be trusted by the next read.
    LiveFacts.objects.update_or_create(
        community_id=community_id, year=year,
        defaults={"values": values, "generation": current, "definitions": DEFINITIONS,
                  "computed_at": timezone.now()},
    )
    return values


def values_for_many(year: int, community_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """`values_for` of several communities (a list page): two reads, and one grouped computation
    (`facts.compute_all`) of only those whose ledgers changed since their values were stored."""
    ids = sorted(set(community_ids))
    if not ids:
        return {}
    generations = dict(LedgerGeneration.objects.filter(community_id__in=ids).values_list("community_id", "generation"))
    result: dict[int, dict[str, Any]] = {}
    for cid, values, gen, definitions in LiveFacts.objects.filter(community_id__in=ids, year=year).values_list(
        "community_id", "values", "generation", "definitions"
    ):
        if gen == generations.get(cid, 0) and definitions == DEFINITIONS:
            result[cid] = dict(values)
    stale = [cid for cid in ids if cid not in result]
    if stale:
        computed = facts.compute_all(year, stale)
        now = timezone.now()
        LiveFacts.objects.bulk_create(
            [LiveFacts(community_id=cid, year=year, values=computed[cid], generation=generations.get(cid, 0),
                       definitions=DEFINITIONS, computed_at=now) for cid in stale],
            update_conflicts=True, unique_fields=["community", "year"],
            update_fields=["values", "generation", "definitions", "computed_at"],
        )
        result.update(computed)
    return result


def ledgers_changed(community_ids: Iterable[int | None]) -> None:
    """Mark the communities' ledgers changed (inside the writing transaction)."""
    ids = {cid for cid in community_ids if cid is not None}
    if not ids:
        return
    # Rows start at 0 (as a reader takes a missing row); the increment then applies to every id, also
    # when two first changes of a community race.
    LedgerGeneration.objects.bulk_create(
        [LedgerGeneration(community_id=cid, generation=0) for cid in sorted(ids)], ignore_conflicts=True
    )
    LedgerGeneration.objects.filter(community_id__in=ids).update(generation=F("generation") + 1)


def city_signature() -> tuple[int, int, int]:
    """Changes with any ledger change anywhere (generations only grow; a first change adds a row):
    what a city-wide figure computed from the ledgers may be kept under."""
    sig = LedgerGeneration.objects.aggregate(n=Count("*"), total=Sum("generation"), last=Max("community_id"))
    return sig["n"], sig["total"] or 0, sig["last"] or 0


def community_of(instance: Any) -> int | None:
    """The community id of a record with a `scope_path` (an ORM path to its community)."""
    *hops, last = instance.scope_path.split("__")
    obj: Any = instance
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def on_ledger_change(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a ledger record or a ledger event (imports)."""
    ledgers_changed([community_of(instance)])
