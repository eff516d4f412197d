"""Page latency over HTTP, each page interleaved with a bare one-query view of the same server.

    .venv/bin/python bench/bench_http.py [--backend sqlite|postgres] [--communities 3000] [--pairs 20]

Starts gunicorn (2 sync workers, as in production) on a free loopback port with bench.settings (the
product's URLs plus /bench/bare/, a logged-in view running one query, and a response header counting
each request's queries), logs in as the generated city's users and, for every page, requests the bare
view and the page alternately (A B A B …) as the same user. Prints p50/p95 of both, the per-pair ratio
page/bare (min and median) and the p95 ratio, the page's query count and size. A page stops after
`--pairs` pairs or `--budget` seconds (at least 3 pairs), after one unmeasured warm-up pair.

Run bench/gen_city.py for the same backend and size first.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time

from _http import Client, Response, Server, percentile
from _setup import YEAR, database_url, run_info, save_result, setup

# (label, user, path or "AUTOSAVE", target ratio of p95 to the bare view's p95 from issue 9, or None)
PAGES = [
    ("operator: draft sheet", "bench_operator", "/evaluations/{sheet}/", 10),
    ("operator: autosave of one score", "bench_operator", "AUTOSAVE", 5),
    ("operator: home page", "bench_operator", "/", None),
    ("city admin: person list", "bench_admin", "/ledgers/persons/", 20),
    ("city admin: home page", "bench_admin", "/", None),
    ("city admin: evaluation list", "bench_admin", "/evaluations/", 20),
    ("city admin: ledger statistics", "bench_admin", "/reports/ledger-stats/", 20),
    ("county reviewer: ledger statistics", "bench_county", "/reports/ledger-stats/", 20),
    ("city admin: outcomes dashboard", "bench_admin", "/reports/dashboard/outcomes/", None),
    ("city admin: /api/evaluations", "bench_admin", "/api/evaluations", 20),
    ("city admin: /api/ledgers/communities", "bench_admin", "/api/ledgers/communities", 20),
]
ROW = re.compile(r'<tr id="[^"]*" data-line="([^"]+)"[^>]*?hx-post="([^"]+/self/)"')


class Autosave:
    """The htmx POST the draft sheet sends when a score box changes: one line's self score."""

    def __init__(self, client: Client, sheet_path: str) -> None:
        self.client = client
        page = client.call("GET", sheet_path)
        for m in ROW.finditer(page.body):
            row = page.body[m.start() : page.body.find("</tr>", m.start())]
            top = re.search(r'placeholder="0–([\d.]+)"', row)
            revision = re.search(r'name="revision" value="(\d+)"', row)
            if top and revision and float(top.group(1)) >= 1:
                self.line, self.path, self.revision = m.group(1), m.group(2), revision.group(1)
                current = re.search(r'name="score"[^>]*value="([^"]*)"', row)
                break
        else:
            raise SystemExit(f"no editable self-score line on {sheet_path} (HTTP {page.status})")
        # Every save changes the score (1, 0, 1, …, starting from what the box does not hold), so each
        # answer must say 已保存; a save of an unchanged value would not.
        self.value = 1 if current and current.group(1) in ("1", "1.0") else 0

    def __call__(self):
        self.value = 1 - self.value
        out = self.client.call("POST", self.path, {"score": str(self.value), "revision": self.revision},
                               headers={"HX-Request": "true", "HX-Current-URL": "/"})
        revision = re.search(r'name="revision" value="(\d+)"', out.body)
        if revision:
            self.revision = revision.group(1)
        if out.status == 200 and 'data-testid="line-saved"' not in out.body:
            out.status = 599  # answered, but the score was not saved (an error shown in the row)
        return out


def guarded(fn) -> Response:
    """A request that may be cut off (the server's worker timeout): a failure, timed to the cut."""
    started = time.perf_counter()
    try:
        return fn()
    except OSError as exc:
        return Response(0, type(exc).__name__, time.perf_counter() - started, None)


def measure(client: Client, fetch, pairs: int, budget: float) -> dict:
    bare_t, page_t, ratios, queries, sizes, failures = [], [], [], [], [], 0
    for i in range(pairs + 1):
        a = guarded(lambda: client.call("GET", "/bench/bare/"))
        b = guarded(fetch)
        if i == 0:
            continue  # warm-up pair
        if a.status != 200 or not 200 <= b.status < 400:
            failures += 1
        bare_t.append(a.seconds)
        page_t.append(b.seconds)
        ratios.append(b.seconds / a.seconds)
        if b.queries is not None:
            queries.append(b.queries)
        sizes.append(len(b.body.encode()))
        if len(page_t) >= 3 and sum(bare_t) + sum(page_t) > budget:
            break
    return {
        "n": len(page_t), "failures": failures, "status": b.status,
        "page_p50": percentile(page_t, 50), "page_p95": percentile(page_t, 95),
        "bare_p50": percentile(bare_t, 50), "bare_p95": percentile(bare_t, 95),
        "ratio_min": min(ratios), "ratio_median": statistics.median(ratios),
        "ratio_p95": percentile(page_t, 95) / percentile(bare_t, 95),
        "queries": max(queries) if queries else None, "kb": statistics.median(sizes) / 1024,
        "bare_all": bare_t,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default=os.environ.get("BENCH_BACKEND", "sqlite"),
                        choices=["sqlite", "postgres"])
    parser.add_argument("--communities", type=int, default=3000)
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--budget", type=float, default=120, help="seconds per page at most")
    parser.add_argument("--only", default="", help="measure only pages whose label contains this")
    args = parser.parse_args()
    url = database_url(args.backend, args.communities)
    setup(url)
    from evaluations.models import Evaluation
    from orgs.models import User

    operator = User.objects.get(username="bench_operator")
    sheet = Evaluation.objects.get(period__year=YEAR, community=operator.unit)
    info = run_info()
    print(f"{args.backend}, {args.communities} communities, commit {info['commit']}, {info['date']}, "
          f"load {info['loadavg']}", flush=True)
    results = []
    with Server(url) as server:
        clients: dict[str, Client] = {}
        for label, username, path, target in PAGES:
            if args.only and args.only not in label:
                continue
            if username not in clients:
                clients[username] = Client(server.port)
                clients[username].login(username)
            client = clients[username]
            if path == "AUTOSAVE":
                fetch = Autosave(client, f"/evaluations/{sheet.pk}/")
            else:
                full = path.format(sheet=sheet.pk)

                def fetch(full=full, client=client):
                    return client.call("GET", full)
            r = measure(client, fetch, args.pairs, args.budget)
            r.update(label=label, target=target, path=path)
            results.append(r)
            flag = "" if target is None else ("  ok" if r["ratio_p95"] <= target else f"  OVER {target}x")
            print(f"{label:<40} n={r['n']:<3} p50 {r['page_p50'] * 1000:8.0f} ms  p95 {r['page_p95'] * 1000:8.0f} ms"
                  f" | bare p95 {r['bare_p95'] * 1000:5.1f} ms | ratio min {r['ratio_min']:7.1f} median "
                  f"{r['ratio_median']:7.1f} p95 {r['ratio_p95']:7.1f}x{flag} | {r['queries']} queries, "
                  f"{r['kb']:.0f} kB{' | FAILED ' + str(r['failures']) + ' (HTTP ' + str(r['status']) + ')' if r['failures'] else ''}",
                  flush=True)
    bare = [t for r in results for t in r.pop("bare_all")]
    noise = {"bare_p50_ms": percentile(bare, 50) * 1000, "bare_p95_ms": percentile(bare, 95) * 1000,
             "bare_max_ms": max(bare) * 1000, "loadavg_after": [round(x, 2) for x in os.getloadavg()]}
    print(f"bare view over the run: p50 {noise['bare_p50_ms']:.1f} ms, p95 {noise['bare_p95_ms']:.1f} ms, "
          f"max {noise['bare_max_ms']:.1f} ms; load average before {info['loadavg']}, after {noise['loadavg_after']}")
    save_result(f"http-{args.backend}-{args.communities}", {**info, "backend": args.backend,
                "communities": args.communities, "pages": results, "noise": noise})


if __name__ == "__main__":
    main()
