"""Generate a synthetic big city: 3,000 communities and 600,000 persons with their ledgers.

    .venv/bin/python bench/gen_city.py [--communities 3000] [--persons 200] [--year 2025]

Writes to var/bench.sqlite3 (or DATABASE_URL); wipes and rebuilds it. Prints the time taken.
"""

from __future__ import annotations

import argparse
import time

from _setup import ROOT, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=3000)
    parser.add_argument("--persons", type=int, default=200, help="persons per community")
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    db = ROOT / "var" / "bench.sqlite3"
    if db.exists():
        db.unlink()
    setup()
    from django.core.management import call_command

    from ledgers.demo import generate_ledgers
    from orgs.models import Level, Unit

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    city = Unit.objects.create(name="基准市", code="B", level=Level.CITY)
    per_county = max(1, args.communities // 15)
    communities: list[Unit] = []
    c = 0
    for ci in range(15):
        county = Unit.objects.create(name=f"第{ci + 1}区", code=f"B{ci:02d}", level=Level.COUNTY, parent=city)
        for si in range((per_county + 19) // 20):
            street = Unit.objects.create(name=f"第{si + 1}街道", code=f"B{ci:02d}{si:02d}", level=Level.STREET,
                                         parent=county)
            for k in range(20):
                if c >= args.communities or len([x for x in communities if x.street_id == street.pk]) >= 20:
                    break
                communities.append(Unit(name=f"第{k + 1}社区", code=f"B{ci:02d}{si:02d}{k:02d}", level=Level.COMMUNITY,
                                        parent=street, county=county, street=street))
                c += 1
    Unit.objects.bulk_create(communities, batch_size=1000)
    communities = list(Unit.objects.filter(level=Level.COMMUNITY).order_by("code"))
    print(f"units: {len(communities)} communities ({time.perf_counter() - t0:.1f} s)")
    index = 0
    for i in range(0, len(communities), 100):
        index = generate_ledgers(communities[i : i + 100], args.year, args.persons, seed=i, start_index=index)
        print(f"  {i + 100:>5} communities, {index:>7} persons, {time.perf_counter() - t0:7.1f} s", flush=True)
    from ledgers import models as m

    for model in (m.Person, m.Household, m.UnemploymentRegistration, m.HardshipRecognition, m.Employment,
                  m.ServiceRecord, m.Visit, m.ZeroEmploymentHousehold):
        print(f"{model._meta.verbose_name}: {model.objects.count()}")
    print(f"generated in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
