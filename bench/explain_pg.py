"""Query plans and timings of the scoped list queries on the big synthetic city (issue 6).

Run after bench/gen_city.py against the same database, e.g.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/gen_city.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/explain_pg.py
Adds one evaluation period with a sheet per community if none exists, then prints each plan.
"""

from __future__ import annotations

import time

from _setup import setup

setup()

from django.db import connection  # noqa: E402

from evaluations.models import Evaluation, Period  # noqa: E402
from ledgers.models import Person  # noqa: E402
from orgs.models import Level, Role, Unit, User  # noqa: E402
from orgs.scoping import scope_queryset  # noqa: E402
from standards.loading import load_file  # noqa: E402
from standards.models import StandardVersion  # noqa: E402


def ensure_period() -> Period:
    period = Period.objects.order_by("-year").first()
    if period is not None:
        return period
    load_file()
    admin = User.objects.filter(role=Role.CITY_ADMIN).first() or User.objects.create_user(
        "bench_admin", password="Bench-pass-2026", role=Role.CITY_ADMIN, unit=Unit.objects.get(level=Level.CITY)
    )
    period = Period.objects.create(year=2025, name="2025年度（基准测试）", standard=StandardVersion.objects.current(),
                                   created_by=admin)
    Evaluation.objects.bulk_create(
        [Evaluation(period=period, community_id=cid) for cid in Unit.objects.communities().values_list("pk", flat=True)],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return period


def show(title: str, qs) -> None:
    started = time.perf_counter()
    rows = len(list(qs[:50]))
    elapsed = (time.perf_counter() - started) * 1000
    analyze = connection.vendor == "postgresql"
    plan = qs[:50].explain(analyze=analyze) if analyze else qs[:50].explain()
    print(f"\n== {title}: {rows} rows of the first page in {elapsed:.1f} ms")
    print(plan)


def main() -> None:
    period = ensure_period()
    county = Unit.objects.filter(level=Level.COUNTY).order_by("code").first()
    street = Unit.objects.filter(level=Level.STREET).order_by("code").first()
    county_user = User(username="x", role=Role.COUNTY_REVIEWER, unit=county)
    street_user = User(username="y", role=Role.STREET_VIEWER, unit=street)
    base = Evaluation.objects.filter(period=period).select_related("period", "community__parent__parent")
    show("county reviewer: evaluation list", scope_queryset(county_user, base).order_by("community__code"))
    show("street viewer: evaluation list", scope_queryset(street_user, base).order_by("community__code"))
    show("county reviewer: evaluation list, state filter",
         scope_queryset(county_user, base.filter(state="submitted")).order_by("community__code"))
    persons = Person.objects.select_related("community", "household")
    show("county reviewer: person ledger page",
         scope_queryset(county_user, persons).order_by("community__code", "household__code", "id"))
    show("county reviewer: person search by ID number",
         scope_queryset(county_user, persons.filter(id_number=Person.objects.values_list("id_number", flat=True)
                                                    .first())))


if __name__ == "__main__":
    main()
