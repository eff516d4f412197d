"""Import a 100,000-row persons xlsx (dry run, then apply) and print time and peak memory.

    .venv/bin/python bench/bench_import.py [--rows 100000]

Uses a fresh SQLite file var/bench-import.sqlite3 (the big city is not needed).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

from _setup import ROOT, run_info, save_result, setup


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    db = ROOT / "var" / "bench-import.sqlite3"
    if db.exists():
        db.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    setup()
    from django.core.management import call_command
    from openpyxl import Workbook

    from ledgers.demo import make_id_number
    from ledgers.imports import SPECS, columns_for, run_import
    from ledgers.models import Person
    from orgs.models import Level, Role, Unit, User

    call_command("migrate", verbosity=0)
    city = Unit.objects.create(name="基准市", code="I", level=Level.CITY)
    county = Unit.objects.create(name="一区", code="I01", level=Level.COUNTY, parent=city)
    street = Unit.objects.create(name="一街道", code="I0101", level=Level.STREET, parent=county)
    community = Unit.objects.create(name="一社区", code="I010101", level=Level.COMMUNITY, parent=street)
    user = User.objects.create_user("bench", role=Role.COMMUNITY_OPERATOR, unit=community)

    spec = SPECS["persons"]
    path = os.path.join(tempfile.mkdtemp(), "persons.xlsx")
    t = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员")
    ws.append([c.header for c in columns_for(spec, True)])
    for i in range(args.rows):
        number, _ = make_id_number(i)
        ws.append([f"H{i // 3:06d}", "户主" if i % 3 == 0 else "家庭成员", f"居民{i}", number,
                   f"138{i:08d}", f"和平路{i % 300}号", "高中", "是", "是", "", "否", "否", "否", "否", "否", "否", "否"])
    wb.save(path)
    print(f"wrote {args.rows} rows ({os.path.getsize(path) / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s; "
          f"peak RSS so far {peak_mb():.0f} MB")

    info = run_info()
    figures = {**info, "rows": args.rows, "mb": os.path.getsize(path) / 1e6}
    t = time.perf_counter()
    plan = run_import(spec, path, community, user, sensitive=True, apply=False)
    figures["dry_run"] = time.perf_counter() - t
    print(f"dry run: {plan.rows} rows, {len(plan.creates)} to create, {plan.error_count} errors, "
          f"{time.perf_counter() - t:.1f} s; peak RSS {peak_mb():.0f} MB")
    t = time.perf_counter()
    plan = run_import(spec, path, community, user, sensitive=True, apply=True)
    figures["apply"] = time.perf_counter() - t
    print(f"apply: {Person.objects.count()} persons written in {time.perf_counter() - t:.1f} s; "
          f"peak RSS {peak_mb():.0f} MB")
    t = time.perf_counter()
    plan = run_import(spec, path, community, user, sensitive=True, apply=True)
    figures["reimport"] = time.perf_counter() - t
    figures["peak_mb"] = peak_mb()
    save_result("import", figures)
    print(f"re-import (all updates): {len(plan.updates)} updated in {time.perf_counter() - t:.1f} s; "
          f"peak RSS {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
