"""Time the facts of all communities for a period against one hand-written SQL aggregate.

    .venv/bin/python bench/bench_facts.py [--backend sqlite|postgres] [--communities 3000] [--repeat 5]

Run bench/gen_city.py first. Prints the ORM time of all ledger facts of every community
(`compute_all`, median of the runs), then the ORM time of the five person-rate facts and the time of
hand-written SQL for the same five facts, run alternately (ORM, SQL, ORM, SQL …) in one process, as
the per-pair ratio ORM/SQL (min and median), and checks both give the same counts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _setup import YEAR, database_url, run_info, save_result, setup

HAND_SQL = """
WITH pop AS (SELECT id, community_id FROM ledgers_person WHERE labour_capacity AND wish_to_work)
SELECT p.community_id,
  COUNT(DISTINCT CASE WHEN u.registered_on <= %(end)s AND (u.ended_on IS NULL OR u.ended_on >= %(start)s)
        THEN p.id END),
  COUNT(DISTINCT CASE WHEN u.registered_on <= %(end)s AND (u.ended_on IS NULL OR u.ended_on >= %(start)s)
        AND EXISTS (SELECT 1 FROM ledgers_employment e WHERE e.person_id = p.id
                    AND e.started_on >= u.registered_on AND e.started_on <= %(end)s) THEN p.id END),
  COUNT(DISTINCT CASE WHEN u.registered_on <= %(cutoff)s AND (u.ended_on IS NULL OR u.ended_on > %(end)s)
        AND NOT EXISTS (SELECT 1 FROM ledgers_employment e WHERE e.person_id = p.id
                    AND e.started_on >= u.registered_on AND e.started_on <= %(end)s) THEN p.id END)
FROM pop p JOIN ledgers_unemploymentregistration u ON u.person_id = p.id
GROUP BY p.community_id
"""
HAND_SQL_HARD = """
SELECT p.community_id, COUNT(DISTINCT p.id),
  COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM ledgers_employment e WHERE e.person_id = p.id
        AND e.started_on >= h.recognized_on AND e.started_on <= %(end)s) THEN p.id END)
FROM ledgers_person p JOIN ledgers_hardshiprecognition h ON h.person_id = p.id
WHERE p.labour_capacity AND p.wish_to_work AND h.recognized_on <= %(end)s
  AND (h.exited_on IS NULL OR h.exited_on >= %(start)s)
GROUP BY p.community_id
"""
FIVE = ("registered_unemployed_total", "registered_unemployed_employed", "unemployed_over_six_months",
        "hard_to_employ_total", "hard_to_employ_employed")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default=os.environ.get("BENCH_BACKEND", "sqlite"),
                        choices=["sqlite", "postgres"])
    parser.add_argument("--communities", type=int, default=3000)
    parser.add_argument("--year", type=int, default=YEAR)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup(database_url(args.backend, args.communities))
    from django.db import connection

    from ledgers import facts
    from ledgers.dates import add_months, period_bounds
    from ledgers.models import Person

    start, end = period_bounds(args.year)
    params = {"start": start.isoformat(), "end": end.isoformat(), "cutoff": add_months(end, -6).isoformat()}
    print(f"persons: {Person.objects.count()}, communities with persons: "
          f"{Person.objects.values('community_id').distinct().count()}, {connection.vendor}")

    def timed(fn):
        t = time.perf_counter()
        out = fn()
        return time.perf_counter() - t, out

    info = run_info()
    print(f"commit {info['commit']}, {info['date']}, load {info['loadavg']}", flush=True)
    all_times = [timed(lambda: facts.compute_all(args.year))[0] for _ in range(max(1, args.repeat // 2))]
    t_all = statistics.median(all_times)
    print(f"all {len(facts.FACTS)} facts, all communities (ORM, compute_all): median {t_all:.2f} s "
          f"of {len(all_times)} runs (min {min(all_times):.2f} s)", flush=True)

    saved = dict(facts.FACTS)

    def orm_five():
        facts.FACTS.clear()
        facts.FACTS.update({k: saved[k] for k in FIVE})
        try:
            return facts.compute_all(args.year)
        finally:
            facts.FACTS.clear()
            facts.FACTS.update(saved)

    def hand():
        with connection.cursor() as cur:
            sql = HAND_SQL.replace("%(start)s", "%s").replace("%(end)s", "%s").replace("%(cutoff)s", "%s")
            order = [k for k in ("end", "start", "end", "start", "end", "cutoff", "end", "end")]
            cur.execute(sql, [params[k] for k in order])
            rows = cur.fetchall()
            sql = HAND_SQL_HARD.replace("%(start)s", "%s").replace("%(end)s", "%s")
            cur.execute(sql, [params["end"], params["end"], params["start"]])
            return rows, cur.fetchall()

    orm_t, hand_t = [], []
    timed(orm_five), timed(hand)  # warm-up pair
    for _ in range(args.repeat):
        t, orm = timed(orm_five)
        orm_t.append(t)
        t, (rows, hard_rows) = timed(hand)
        hand_t.append(t)
    ratios = [a / b for a, b in zip(orm_t, hand_t, strict=True)]
    print(f"the same 5 person-rate facts, {args.repeat} interleaved pairs: ORM median {statistics.median(orm_t):.2f} s, "
          f"hand-written SQL median {statistics.median(hand_t):.2f} s; ratio ORM/SQL per pair: min "
          f"{min(ratios):.2f}x, median {statistics.median(ratios):.2f}x")
    mismatches = 0
    for cid, total, employed, six in rows:
        got = orm.get(cid, {})
        if (got.get("registered_unemployed_total", 0), got.get("registered_unemployed_employed", 0),
                got.get("unemployed_over_six_months", 0)) != (total, employed, six):
            mismatches += 1
    for cid, total, employed in hard_rows:
        got = orm.get(cid, {})
        if (got.get("hard_to_employ_total", 0), got.get("hard_to_employ_employed", 0)) != (total, employed):
            mismatches += 1
    print(f"communities compared: {len(rows)} + {len(hard_rows)}, mismatches: {mismatches}")
    save_result(f"facts-{args.backend}-{args.communities}", {
        **info, "compute_all_median": t_all, "compute_all_min": min(all_times), "runs": len(all_times),
        "facts": len(facts.FACTS), "orm_median": statistics.median(orm_t), "sql_median": statistics.median(hand_t),
        "ratio_min": min(ratios), "ratio_median": statistics.median(ratios), "pairs": args.repeat,
        "mismatches": mismatches,
    })
    if mismatches:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
