"""Where the bench cities live, and how a script points Django at one of them.

A city of N communities is `var/bench-N.sqlite3` on SQLite, and the PostgreSQL database
`wt_bench_city` (3,000 communities) or `wt_bench_city_N` (other sizes) on the server of BENCH_PG_URL.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"
RESULTS = VAR / "bench-results"
BIG = 3000
SMALL = 750
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/wt_bench_city")
PASSWORD = "Bench-Passw0rd-2026"
YEAR = 2025
# Users of the generated city: username -> role, and which unit (first county / street / community).
USERS = {
    "bench_admin": ("city_admin", "city"),
    "bench_reviewer": ("city_reviewer", "city"),
    "bench_county": ("county_reviewer", "county"),
    "bench_street": ("street_viewer", "street"),
    "bench_operator": ("community_operator", "community"),
    "bench_importer": ("community_operator", "community2"),
}


def database_url(backend: str, communities: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{VAR / f'bench-{communities}.sqlite3'}"
    if backend == "postgres":
        return PG_BASE if communities == BIG else f"{PG_BASE}_{communities}"
    raise SystemExit(f"unknown backend {backend!r} (sqlite or postgres)")


def setup(url: str | None = None, settings: str = "config.settings") -> None:
    """Configure Django for the bench database `url` (default: DATABASE_URL, else the big SQLite city)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    os.environ["DATABASE_URL"] = url or os.environ.get("DATABASE_URL") or database_url("sqlite", BIG)
    import django

    django.setup()


def save_result(name: str, data: dict) -> Path:
    """Keep a script's figures as var/bench-results/<name>.json (docs are rendered from these)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    return path


def load_result(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def run_info() -> dict:
    """What was measured and where: commit, date (UTC), machine, load average."""
    import datetime
    import platform
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                    if line.startswith("model name")), "")
    mem = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GB"
    return {
        "commit": git("rev-parse", "--short=10", "HEAD"),
        "commit_subject": git("log", "-1", "--format=%s"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores ({cpu}), {mem} RAM, Python {platform.python_version()}",
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }
