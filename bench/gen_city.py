"""Generate a synthetic big city: communities, persons with their ledgers, users and a period of sheets.

    .venv/bin/python bench/gen_city.py [--backend sqlite|postgres] [--communities 3000] [--persons 200]

Writes the city of that size (see bench/_setup.py: var/bench-N.sqlite3 or the PostgreSQL database
wt_bench_city[_N]); wipes and rebuilds it. Persons are per community, so cities of different sizes have
proportional ledgers. The layout is a prefix: community k sits in county k % 15, and the first N
communities of a bigger city (and their ledgers, generated in batches of 100 with the batch's seed)
are exactly those of the smaller one, so "the same community at two city sizes" is meaningful.

Also creates the users of bench/_setup.py (password PASSWORD) and the 2025 period opened for every
community through the service; sheets are then put in review states by a bulk update (bench
shortcut, no line scores): 60% draft, 10% each submitted / county reviewing / county passed / city
reviewing. The operator's community (the first) stays in draft. Prints the time taken and keeps it
in var/bench-results/gen_city-<backend>-<N>.json.
"""

from __future__ import annotations

import argparse
import time
from urllib.parse import urlparse

from _setup import PASSWORD, USERS, YEAR, database_url, save_result, setup

STATES = ["draft"] * 6 + ["submitted", "county_reviewing", "county_passed", "city_reviewing"]


def recreate_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        from pathlib import Path

        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            p = Path(str(path) + suffix)
            if p.exists():
                p.unlink()
        return
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--communities", type=int, default=3000)
    parser.add_argument("--persons", type=int, default=200, help="persons per community")
    args = parser.parse_args()
    url = database_url(args.backend, args.communities)
    recreate_database(url)
    setup(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from evaluations.models import Evaluation
    from evaluations.services.periods import open_period
    from ledgers import models as m
    from ledgers.demo import generate_ledgers
    from orgs.models import Level, Unit, User
    from standards.loading import load_file
    from standards.models import StandardVersion

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_file()
    with transaction.atomic():
        city = Unit.objects.create(name="基准市", code="B", level=Level.CITY)
        counties = [Unit.objects.create(name=f"第{ci + 1}区", code=f"B{ci:02d}", level=Level.COUNTY, parent=city)
                    for ci in range(15)]  # fmt: skip
        streets: dict[tuple[int, int], Unit] = {}
        communities: list[Unit] = []
        for k in range(args.communities):
            ci, j = k % 15, k // 15
            si, pos = j // 20, j % 20
            if (ci, si) not in streets:
                streets[ci, si] = Unit.objects.create(name=f"第{si + 1}街道", code=f"B{ci:02d}{si:02d}",
                                                      level=Level.STREET, parent=counties[ci])
            communities.append(Unit.objects.create(name=f"第{pos + 1}社区", code=f"B{ci:02d}{si:02d}{pos:02d}",
                                                   level=Level.COMMUNITY, parent=streets[ci, si]))
        units = {"city": city, "county": counties[0], "street": streets[0, 0], "community": communities[0],
                 "community2": communities[1]}
        users = {}
        for username, (role, unit) in USERS.items():
            users[username] = User.objects.create_user(username, password=PASSWORD, role=role, unit=units[unit],
                                                       is_staff=False)
    print(f"units: {len(communities)} communities, {len(streets)} streets ({time.perf_counter() - t0:.1f} s)",
          flush=True)
    index = 0
    for i in range(0, len(communities), 100):
        index = generate_ledgers(communities[i : i + 100], YEAR, args.persons, seed=i, start_index=index)
        if (i // 100) % 5 == 4 or i + 100 >= len(communities):
            print(f"  {min(i + 100, len(communities)):>5} communities, {index:>7} persons, "
                  f"{time.perf_counter() - t0:7.1f} s", flush=True)
    t_ledgers = time.perf_counter() - t0
    period = open_period(users["bench_admin"], year=YEAR, name=f"{YEAR}年度（基准测试）",
                         standard=StandardVersion.objects.current(), communities=communities)
    sheets = list(Evaluation.objects.filter(period=period).values_list("pk", "community_id"))
    order = {u.pk: k for k, u in enumerate(communities)}
    for state in set(STATES):
        pks = [pk for pk, cid in sheets if STATES[order[cid] % len(STATES)] == state]
        for n in range(0, len(pks), 900):
            Evaluation.objects.filter(pk__in=pks[n : n + 900]).update(state=state)
    if connection.vendor == "postgresql":
        # What autovacuum does to a live database after a bulk load: statistics, and the visibility map
        # that lets counts be answered from an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    counts = {}
    for model in (m.Person, m.Household, m.UnemploymentRegistration, m.HardshipRecognition, m.Employment,
                  m.ServiceRecord, m.Visit, m.ZeroEmploymentHousehold):
        counts[str(model._meta.verbose_name)] = model.objects.count()
        print(f"{model._meta.verbose_name}: {counts[str(model._meta.verbose_name)]}")
    elapsed = time.perf_counter() - t0
    print(f"generated in {elapsed:.1f} s (ledgers {t_ledgers:.1f} s)")
    save_result(f"gen_city-{args.backend}-{args.communities}", {
        "backend": args.backend, "communities": args.communities, "persons_per_community": args.persons,
        "seconds": round(elapsed, 1), "counts": counts, "sheets": len(sheets),
    })


if __name__ == "__main__":
    main()
