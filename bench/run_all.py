"""Run every benchmark in turn; each prints its own figures and keeps them in var/bench-results/.

    .venv/bin/python bench/run_all.py [--backend sqlite|postgres|both] [--small 750] [--big 3000]
                                      [--regenerate] [--pairs 50] [--rows 100000] [--skip NAME,...]

`make bench` calls this with the defaults. For each backend: generate the two cities if missing
(bench/gen_city.py; `--regenerate` rebuilds them), migrate them (a city generated before a schema
change is upgraded as an installation would be), then bench_scope.py (one community's facts, small
vs big), bench_http.py (big city), bench_load.py (import under load, on a copy of the big city),
bench_http.py again on the small city with few pairs (query counts at a second size) and
bench_facts.py (big city). Then the two
self-contained scripts bench_import.py and bench_reports.py, and finally bench/report.py renders
docs/PERFORMANCE.md from the results. A quick check of the whole chain: `--small 30 --big 60 --rows 2000`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _setup import database_url  # noqa: E402


def exists(backend: str, size: int) -> bool:
    url = database_url(backend, size)
    if backend == "sqlite":
        return Path(url[len("sqlite:///"):]).exists()
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                 [parsed.path.lstrip("/")]).fetchone())


def run(failed: list, name: str, *args: str, env: dict | None = None) -> None:
    print(f"\n== {name} {' '.join(args)}", flush=True)
    started = time.perf_counter()
    cmd = [sys.executable, str(ROOT / name if name == "manage.py" else HERE / name), *args]
    code = subprocess.call(cmd, cwd=ROOT, env=dict(os.environ, **(env or {})))
    print(f"== {name}: exit {code} in {time.perf_counter() - started:.0f} s", flush=True)
    if code:
        failed.append(f"{name} {' '.join(args)}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--small", type=int, default=750)
    parser.add_argument("--big", type=int, default=3000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--budget", type=float, default=60, help="seconds per page at most (bench_http.py)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--quiet-seconds", type=float, default=60, help="phases without import (bench_load.py)")
    parser.add_argument("--skip", default="", help="comma-separated script names to leave out")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    failed: list[str] = []
    # The server serves the collected static files (manifest storage): collect the current ones.
    if "collectstatic" not in skip:
        run(failed, "manage.py", "collectstatic", "--noinput", "-v", "0")
    for backend in backends:
        for size in (args.small, args.big):
            if args.regenerate or not exists(backend, size):
                run(failed, "gen_city.py", "--backend", backend, "--communities", str(size))
            else:
                print(f"\n== {backend} city of {size} communities exists (--regenerate to rebuild); migrating it",
                      flush=True)
                run(failed, "manage.py", "migrate", "--noinput", "-v", "0",
                    env={"DATABASE_URL": database_url(backend, size)})
        common = ["--backend", backend]
        big = [*common, "--communities", str(args.big)]
        # Most telling first, so a run cut short still has them.
        if "bench_scope.py" not in skip:
            run(failed, "bench_scope.py", *common, "--small", str(args.small), "--big", str(args.big))
        if "bench_http.py" not in skip:
            run(failed, "bench_http.py", *big, "--pairs", str(args.pairs), "--budget", str(args.budget))
        if "bench_load.py" not in skip:
            run(failed, "bench_load.py", *big, "--rows", str(args.rows), "--quiet-seconds", str(args.quiet_seconds))
        if "bench_http.py" not in skip:  # the small city: query counts at a second size
            run(failed, "bench_http.py", *common, "--communities", str(args.small), "--pairs", "2")
        if "bench_facts.py" not in skip:
            run(failed, "bench_facts.py", *big)
    if "bench_import.py" not in skip:
        run(failed, "bench_import.py", "--rows", str(args.rows))
    if "bench_reports.py" not in skip:
        run(failed, "bench_reports.py", "--communities", str(args.big))
    if "report.py" not in skip:
        run(failed, "report.py", "--small", str(args.small), "--big", str(args.big))
    if failed:
        print("\nfailed: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
