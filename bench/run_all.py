"""Run every benchmark script in turn; each prints its own figures. `make bench` calls this."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# gen_city.py builds the big synthetic city that bench_facts.py reads (skipped when it exists).
SCRIPTS = ["gen_city.py", "bench_facts.py", "bench_import.py", "bench_reports.py"]


def main() -> int:
    failed = []
    for name in SCRIPTS:
        path = HERE / name
        if not path.exists():
            print(f"== {name}: missing", flush=True)
            failed.append(name)
            continue
        if name == "gen_city.py" and (HERE.parent / "var" / "bench.sqlite3").exists():
            print("== gen_city.py: var/bench.sqlite3 exists, reused (delete it to regenerate)", flush=True)
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(path), *sys.argv[1:]], cwd=HERE.parent)
        print(f"== {name}: exit {code} in {time.perf_counter() - started:.1f} s", flush=True)
        if code:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
