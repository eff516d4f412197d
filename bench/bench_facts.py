"""Time the facts of all communities for a period against one hand-written SQL aggregate.

    .venv/bin/python bench/bench_facts.py [--year 2025] [--repeat 3]

Run bench/gen_city.py first. Prints the ORM time (all 20 ledger facts, every community), the time of
one hand-written SQL query for the five person-rate facts, the ORM time for the same five facts, and
checks both give the same counts.
"""

from __future__ import annotations

import argparse
import time

from _setup import setup

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
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup()
    from django.db import connection

    from ledgers import facts
    from ledgers.dates import add_months, period_bounds
    from ledgers.models import Person

    start, end = period_bounds(args.year)
    params = {"start": start.isoformat(), "end": end.isoformat(), "cutoff": add_months(end, -6).isoformat()}
    print(f"persons: {Person.objects.count()}, communities with persons: "
          f"{Person.objects.values('community_id').distinct().count()}, {connection.vendor}")

    def best(fn):
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
        return min(times), out

    t_all, everything = best(lambda: facts.compute_all(args.year))
    print(f"all {len(facts.FACTS)} facts, all communities (ORM, compute_all): {t_all:.2f} s")

    saved = dict(facts.FACTS)
    facts.FACTS.clear()
    facts.FACTS.update({k: saved[k] for k in FIVE})
    try:
        t_five, orm = best(lambda: facts.compute_all(args.year))
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

    t_hand, (rows, hard_rows) = best(hand)
    print(f"the same 5 person-rate facts: ORM {t_five:.2f} s, hand-written SQL {t_hand:.2f} s, "
          f"ratio {t_five / t_hand:.2f}x")
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
    if mismatches:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
