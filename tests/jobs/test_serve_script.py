"""`make run` serves through scripts/serve: gunicorn and the job worker, the worker at a lower CPU priority
(a long import must not slow the pages users wait for), both stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .live import ROOT, Stack


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_serve_runs_the_worker_at_lower_priority_and_stops_both(tmp_path):
    stack = Stack(tmp_path)
    stack.manage("migrate", "--noinput", "-v", "0")
    env = {**stack.env, "PORT": str(stack.port), "BIN": str(Path(sys.executable).parent)}
    proc = subprocess.Popen([str(ROOT / "scripts" / "serve")], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker: list[int] = []
    web: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(stack.url + "/healthz", timeout=10)
                break
            except OSError:
                assert time.monotonic() < deadline, "scripts/serve did not start"
                time.sleep(0.3)
        children = {pid: _cmdline(pid) for pid in _children(proc.pid)}
        worker = [pid for pid, cmd in children.items() if "db_worker" in cmd]
        web = [pid for pid, cmd in children.items() if "gunicorn" in cmd]
        assert len(worker) == 1 and len(web) == 1, children
        assert os.getpriority(os.PRIO_PROCESS, worker[0]) == 10
        assert os.getpriority(os.PRIO_PROCESS, web[0]) == 0
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    for pid in [*worker, *web]:
        assert not Path(f"/proc/{pid}").exists() or "Z" in (Path(f"/proc/{pid}") / "stat").read_text().split()[2]
