"""A 100,000-row ledger import while other users browse and save: their p95 with and without it.

    .venv/bin/python bench/bench_load.py [--backend sqlite|postgres] [--communities 3000] [--rows 100000]

Works on a copy of the generated city (var/bench-N-load.sqlite3, or the PostgreSQL database
<city>_load made from it as a template), dropped afterwards, so the city stays as generated.
Serves it as `make run` does (scripts/serve: gunicorn with 2 workers plus the background-job worker,
when the product has one; otherwise gunicorn alone) and runs simulated users (operator: sheet,
autosave, home; city admin: person list, evaluation list, home; county reviewer: home, evaluation list;
street viewer: home, person list), each with a think time, in three phases: without an import, while
the importer uploads a persons xlsx of `--rows` new persons for another community and applies it
through the import pages (dry run, then 确认导入; polling the import page once a second as its
progress bar does), and without an import again. Prints the other users' p50/p95 per phase, the ratio
of the import phase's p95 to the phases without it, and every failed request (HTTP ≥ 400, an
autosave not saved, a connection error or timeout).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from _http import Client, Server, multipart, percentile
from _setup import VAR, YEAR, database_url, run_info, save_result, setup


def write_xlsx(rows: int) -> Path:
    """The persons import file: new persons (ID numbers of another region than the generated city's)."""
    path = VAR / f"bench-import-{rows}.xlsx"
    if path.exists():
        return path
    from openpyxl import Workbook

    from ledgers.demo import make_id_number
    from ledgers.imports import SPECS, columns_for

    t = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("人员")
    ws.append([c.header for c in columns_for(SPECS["persons"], True)])
    for i in range(rows):
        number, _ = make_id_number(i, region="350203")
        ws.append([f"IMP{i // 3:06d}", "户主" if i % 3 == 0 else "家庭成员", f"居民{i}", number,
                   f"139{i:08d}", f"和平路{i % 300}号", "高中", "是", "是", "", "否", "否", "否", "否", "否", "否", "否"])
    tmp = path.with_suffix(".tmp")
    wb.save(tmp)
    tmp.rename(path)
    print(f"wrote {path.name}: {rows} rows, {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t:.0f} s",
          flush=True)
    return path


def copy_city(url: str) -> str:
    if url.startswith("sqlite:///"):
        import sqlite3

        src = Path(url[len("sqlite:///"):])
        dst = src.with_name(src.stem + "-load.sqlite3")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(dst) + suffix).unlink(missing_ok=True)
        with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:  # consistent, WAL or not
            a.backup(b)
        a.close()
        b.close()
        return f"sqlite:///{dst}"
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_load" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}_load" TEMPLATE "{name}"')
    return parsed._replace(path=f"/{name}_load").geturl()


def drop_copy(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    import psycopg

    parsed = urlparse(url)
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


class User(threading.Thread):
    def __init__(self, port: int, username: str, actions, think: float, log: list, stop: threading.Event):
        super().__init__(daemon=True)
        self.client = Client(port, timeout=120)
        self.client.login(username)
        self.username, self.actions, self.think, self.log, self.stop = username, actions, think, log, stop

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            label, fn = self.actions[i % len(self.actions)]
            i += 1
            started = time.time()
            try:
                r = fn(self.client)
                ok, seconds, status = r.status < 400 and r.status != 599, r.seconds, r.status
            except OSError as exc:  # refused, reset, timed out
                ok, seconds, status = False, time.time() - started, type(exc).__name__
            self.log.append((started, f"{self.username} {label}", seconds, ok, status))
            self.stop.wait(self.think)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default=os.environ.get("BENCH_BACKEND", "sqlite"),
                        choices=["sqlite", "postgres"])
    parser.add_argument("--communities", type=int, default=3000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--quiet-seconds", type=float, default=60, help="length of each phase without import")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between one user's requests")
    args = parser.parse_args()
    city = database_url(args.backend, args.communities)
    setup(city)
    from bench_http import Autosave  # noqa: I001 (bench script beside this one)
    from evaluations.models import Evaluation
    from orgs.models import User as Account

    xlsx = write_xlsx(args.rows)
    operator = Account.objects.get(username="bench_operator")
    importer = Account.objects.get(username="bench_importer")
    sheet = Evaluation.objects.get(period__year=YEAR, community=operator.unit).pk
    target_community = importer.unit_id
    from django.db import connections

    connections.close_all()
    info = run_info()
    print(f"{args.backend}, {args.communities} communities, commit {info['commit']}, {info['date']}, "
          f"load {info['loadavg']}", flush=True)
    t = time.perf_counter()
    url = copy_city(city)
    print(f"copied the city for the load test in {time.perf_counter() - t:.0f} s", flush=True)
    log: list = []
    phases: dict[str, tuple[float, float]] = {}
    importer_log: list = []
    progress_seen: list[str] = []  # states of the import's progress bar seen while polling
    try:
        with Server(url, background_worker=True) as server:
            get = lambda path: lambda c: c.call("GET", path)  # noqa: E731
            saver: dict = {}

            def autosave(c):
                if c not in saver:
                    saver[c] = Autosave(c, f"/evaluations/{sheet}/")
                return saver[c]()

            stop = threading.Event()
            users = [
                User(server.port, "bench_operator", [("sheet", get(f"/evaluations/{sheet}/")), ("autosave", autosave),
                                                     ("home", get("/"))], args.think, log, stop),
                User(server.port, "bench_admin", [("person list", get("/ledgers/persons/")),
                                                  ("evaluation list", get("/evaluations/")), ("home", get("/"))],
                     args.think, log, stop),
                User(server.port, "bench_county", [("home", get("/")), ("evaluation list", get("/evaluations/"))],
                     args.think, log, stop),
                User(server.port, "bench_street", [("home", get("/")), ("person list", get("/ledgers/persons/"))],
                     args.think, log, stop),
            ]
            imp = Client(server.port, timeout=900)
            imp.login("bench_importer")
            for u in users:
                u.start()
            t0 = time.time()
            time.sleep(args.quiet_seconds)
            phases["without import (before)"] = (t0, time.time())

            t1 = time.time()
            t_check = None

            def do_import() -> str:
                nonlocal t_check
                body, ctype = multipart({"kind": "persons", "community": str(target_community)}, {"file": xlsx})
                up = imp.call("POST", "/ledgers/import/", body=body, headers={"Content-Type": ctype})
                importer_log.append(("upload (dry run when in the request)", up.seconds, up.status))
                m = re.search(r"/ledgers/import/(\d+)/", up.headers.get("location", ""))
                if up.status != 302 or not m:
                    return f"upload refused: HTTP {up.status}"
                detail = f"/ledgers/import/{m.group(1)}/"

                def wait_for(*statuses: str) -> str:
                    deadline = time.time() + 1800
                    while time.time() < deadline:
                        page = imp.call("GET", detail)
                        importer_log.append(("poll", page.seconds, page.status))
                        if 'data-testid="job-progress"' in page.body:
                            progress_seen.append(re.search(r'data-state="(\w+)"', page.body).group(1))
                        s = re.search(r'data-testid="import-status">([^<]+)<', page.body)
                        status = s.group(1) if s else f"HTTP {page.status}"
                        if status in statuses or page.status >= 400 or 'data-state="failed"' in page.body:
                            return status
                        time.sleep(1)
                    return f"still {status} after 30 minutes"

                status = wait_for("已预检", "有错误")
                t_check = time.time() - t1
                if status != "已预检":
                    return f"dry run ended: {status}"
                ap = imp.call("POST", f"{detail}apply/", data={})
                importer_log.append(("apply (whole import when in the request)", ap.seconds, ap.status))
                return wait_for("已导入", "有错误")

            try:
                status = do_import()
            except OSError as exc:  # the server cut the request off (worker timeout) or refused it
                importer_log.append(("cut off", time.time() - t1, 0))
                status = f"import request cut off after {time.time() - t1:.0f} s ({type(exc).__name__})"
            t_import = time.time() - t1
            phases["during the import"] = (t1, time.time())
            print(f"import of {args.rows} rows: dry run done after "
                  f"{'—' if t_check is None else f'{t_check:.0f} s'}, {status} after {t_import:.0f} s", flush=True)
            t2 = time.time()
            time.sleep(args.quiet_seconds)
            phases["without import (after)"] = (t2, time.time())
            stop.set()
            for u in users:
                u.join(180)
    finally:
        drop_copy(url)

    def stats(name: str, rows: list) -> dict:
        times = [r[2] for r in rows]
        return {"phase": name, "requests": len(rows), "failed": sum(1 for r in rows if not r[3]),
                "p50": percentile(times, 50) if times else None, "p95": percentile(times, 95) if times else None,
                "failures": sorted({f"{r[1]}: {r[4]}" for r in rows if not r[3]})}

    result = []
    for name, (a, b) in phases.items():
        result.append(stats(name, [r for r in log if a <= r[0] < b]))
    quiet = [r for r in log for n, (a, b) in phases.items() if "without" in n and a <= r[0] < b]
    base = stats("without import (both)", quiet)
    during = next(r for r in result if r["phase"] == "during the import")
    ratio = during["p95"] / base["p95"]
    for r in [*result, base]:
        print(f"{r['phase']:<28} {r['requests']:>4} requests, p50 {r['p50'] * 1000:7.0f} ms, "
              f"p95 {r['p95'] * 1000:7.0f} ms, failed {r['failed']}{' ' + str(r['failures']) if r['failed'] else ''}")
    failed = sum(r["failed"] for r in result)
    print(f"other users' p95 during the import / without: {ratio:.2f}x (target ≤ 2x); failed requests: {failed} "
          f"(target 0); importer's requests: {len(importer_log)}, slowest {max(x[1] for x in importer_log):.1f} s")
    per_kind = {}
    for r in log:
        per_kind.setdefault(r[1], []).append(r[2])
    save_result(f"load-{args.backend}-{args.communities}", {
        **info, "backend": args.backend, "communities": args.communities, "rows": args.rows,
        "phases": result, "baseline": base, "ratio_p95": ratio, "failed": failed,
        "dry_run_seconds": t_check, "import_seconds": t_import, "import_status": status, "background_worker": server.worker,
        "progress_bar_states": sorted(set(progress_seen)),
        "importer": {"requests": len(importer_log), "slowest": max(x[1] for x in importer_log),
                     "failed": sum(1 for x in importer_log if not 200 <= x[2] < 400)},
        "median_by_request": {k: statistics.median(v) for k, v in per_kind.items()},
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    })


if __name__ == "__main__":
    main()
