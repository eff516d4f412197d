"""Timings of the reports against a 3,000-community period.

    .venv/bin/python bench/bench_reports.py [--communities 3000] [--db var/bench_reports.sqlite3]

Uses its own SQLite database (created and filled on first run with bulk inserts, reused after), so the
development database is untouched. Targets (issue 5): city summary xlsx < 5 s, one filled form < 300 ms,
city dashboard data < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(db_path: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from standards.loading import load_file

    load_file()


def build(n_communities: int) -> None:
    """A city of 10 districts × 10 streets × n/100 communities, one scored sheet each (bulk inserts)."""
    from django.db import transaction

    from evaluations.models import Evaluation, LineScore, Period, Stage, State
    from orgs.models import Level, Role, Unit, User
    from standards.models import StandardVersion

    if Unit.objects.filter(code="BENCH").exists():
        return
    rng = random.Random(5)
    sv = StandardVersion.objects.current()
    std = sv.standard
    bands = sorted(sv.data["star_bands"], key=lambda b: b["min"], reverse=True)
    per_street = max(1, n_communities // 100)
    with transaction.atomic():
        city = Unit.objects.create(name="基准市", code="BENCH", level=Level.CITY)
        admin = User.objects.create_user("bench_admin", password="Bench-Passw0rd!", role=Role.CITY_ADMIN, unit=city)
        counties = [Unit.objects.create(name=f"基准{i:02d}区", code=f"BENCH{i:02d}", level=Level.COUNTY, parent=city)
                    for i in range(10)]  # fmt: skip
        streets = [
            Unit.objects.create(name=f"{c.name}{j:02d}街道", code=f"{c.code}{j:02d}", level=Level.STREET, parent=c)
            for c in counties
            for j in range(10)
        ]
        Unit.objects.bulk_create(
            [
                Unit(name=f"{s.name}{k:02d}社区", code=f"{s.code}{k:02d}", level=Level.COMMUNITY, parent=s,
                     county_id=s.parent_id, street=s, full_name=f"{s.full_name} / {s.name}{k:02d}社区")  # fmt: skip
                for s in streets
                for k in range(per_street)
            ],
            batch_size=2000,
        )
        period = Period.objects.create(year=2090, name="2090年度（基准）", standard=sv, created_by=admin)
        communities = list(Unit.objects.filter(level=Level.COMMUNITY, code__startswith="BENCH").order_by("code"))
        Evaluation.objects.bulk_create(
            [Evaluation(period=period, community=c, state=State.CITY_REVIEWED) for c in communities], batch_size=2000
        )
        evaluations = list(Evaluation.objects.filter(period=period))
        scores, updates = [], []
        for ev in evaluations:
            totals = {}
            for stage in Stage.values:
                total = Decimal(0)
                for line in std.lines:
                    if stage not in line.stages:
                        continue
                    mx = Decimal(str(line.max))
                    lost = Decimal(rng.choice([0, 0, 0, 0, 0, 0.5, 1, 2])).quantize(Decimal("0.5"))
                    score = max(Decimal(0), mx - lost)
                    total += score
                    reason = f"第{line.id}项材料不全" if score < mx and stage != Stage.SELF else ""
                    scores.append(LineScore(evaluation=ev, line_id=line.id, stage=stage, score=score, reason=reason,
                                            updated_by=admin))  # fmt: skip
                totals[stage] = total
            ev.self_total, ev.county_total, ev.city_total = totals["self"], totals["county"], totals["city"]
            ev.star = next((b["name"] for b in bands if ev.city_total >= b["min"]), "")
            updates.append(ev)
        LineScore.objects.bulk_create(scores, batch_size=5000)
        Evaluation.objects.bulk_update(updates, ["self_total", "county_total", "city_total", "star"], batch_size=2000)


def timed(fn, repeat: int = 5) -> tuple[float, float]:
    """(first call, median of the following calls) in milliseconds."""
    runs = []
    for _ in range(repeat + 1):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return runs[0], statistics.median(runs[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=3000)
    parser.add_argument("--db", default=str(ROOT / "var" / "bench_reports.sqlite3"))
    args = parser.parse_args()
    setup(Path(args.db))
    t = time.perf_counter()
    build(args.communities)
    print(f"data ready in {time.perf_counter() - t:.1f} s")

    from evaluations.models import Evaluation, Period
    from orgs.models import User
    from reports import dashboards, forms, summaries
    from reports.exporters import LineTableExporter, StarListExporter, SummaryExporter

    admin = User.objects.get(username="bench_admin")
    period = Period.objects.get(year=2090)
    communities = summaries.scoped_communities(admin).filter(code__startswith="BENCH")
    n = communities.count()
    print(f"communities: {n}, evaluations: {Evaluation.objects.filter(period=period).count()}")

    class BenchSummary(SummaryExporter):
        @property
        def communities(self):
            return communities

    results = []

    def report(label: str, fn, target_ms: float | None, repeat: int = 5) -> None:
        first, median = timed(fn, repeat)
        ok = "" if target_ms is None else ("  OK" if median < target_ms else "  OVER TARGET")
        target = f" (target < {target_ms:.0f} ms)" if target_ms else ""
        results.append((label, first, median))
        print(f"{label:<44} first {first:8.1f} ms   median {median:8.1f} ms{target}{ok}")

    report("city summary xlsx", lambda: BenchSummary(admin, period).export("xlsx"), 5000, repeat=3)
    report("city summary csv", lambda: BenchSummary(admin, period).export("csv"), None, repeat=3)

    class BenchLines(LineTableExporter):
        communities = BenchSummary.communities

    class BenchStars(StarListExporter):
        communities = BenchSummary.communities

    report("line table xlsx", lambda: BenchLines(admin, period).export("xlsx"), None, repeat=3)
    report("star list docx", lambda: BenchStars(admin, period).export("docx"), None, repeat=3)

    ev = Evaluation.objects.filter(period=period).select_related(
        "period", "period__standard", "community", "community__street", "community__county"
    ).first()

    def one_form(fmt):
        def run():
            fresh = Evaluation.objects.select_related(
                "period", "period__standard", "community", "community__street", "community__county"
            ).get(pk=ev.pk)
            forms.form_bytes(forms.filled_form(fresh, admin), fmt)

        return run

    report("one filled form xlsx", one_form("xlsx"), 300)
    report("one filled form docx", one_form("docx"), 300)
    report("one filled form pdf (WeasyPrint)", one_form("pdf"), None, repeat=3)

    def all_dashboards():
        for _title, fn in dashboards.DASHBOARDS.values():
            if fn is dashboards.outcomes:
                continue  # ledger facts: timed separately below
            fn(period, communities, admin)

    for slug, (_title, fn) in dashboards.DASHBOARDS.items():
        if fn is dashboards.outcomes:
            # This city has sheets but no ledger rows, so the outcomes dashboard would have nothing to
            # count here: bench_http.py measures it on the generated city with its ledgers.
            print(f"{'dashboard data: ' + slug:<44} see bench_http.py (needs a city with ledgers)")
            continue
        report(f"dashboard data: {slug}", lambda fn=fn: fn(period, communities, admin), 300)
    report("city dashboards (all score charts together)", all_dashboards, 300)
    from _setup import run_info, save_result

    save_result("reports", {**run_info(), "communities": n,
                            "rows": [{"label": label, "first_ms": first, "median_ms": median}
                                     for label, first, median in results]})


if __name__ == "__main__":
    main()
