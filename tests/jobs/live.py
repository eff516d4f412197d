"""A real stack for load tests: a fresh SQLite file, migrations, the test cast, gunicorn and the
database worker as separate processes, and a small cookie-keeping HTTP client (stdlib only)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, var_dir: Path, web_workers: int = 2) -> None:
        self.var_dir = var_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.web_workers = web_workers
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")},
            "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(var_dir), "TASK_QUEUE": "database",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "AXES_ENABLED": "0", "LOG_LEVEL": "WARNING", "SECRET_KEY": uuid.uuid4().hex * 2,
        }
        self.procs: list[subprocess.Popen] = []

    def manage(self, *args: str) -> str:
        done = subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=600)
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self) -> None:
        log = open(self.var_dir / "stack.log", "w")
        self.procs.append(subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.web_workers), "--timeout", "120"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT))
        self.procs.append(subprocess.Popen(
            [str(BIN / "python"), "manage.py", "db_worker", "--queue-name", "default", "--interval", "0.5"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=10)
                return
            except OSError:  # refused, reset or timed out while gunicorn starts
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not start:\n" + (self.var_dir / "stack.log").read_text())

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


class Browser:
    """One user: a cookie jar, CSRF handling, and every response recorded as (status, seconds, path)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.log: list[tuple[int, float, str]] = []
        self.last_url = ""

    def _csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path: str, data: dict | None = None, files: dict | None = None) -> tuple[int, str]:
        headers = {"Referer": self.base + path}
        body = None
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for key, value in (data or {}).items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
            for key, (name, content) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{name}"\r\n'
                             f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        if body is not None:
            headers["X-CSRFToken"] = self._csrf()
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=120) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
                self.last_url = response.geturl()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode("utf-8", "replace")
        self.log.append((status, time.perf_counter() - started, path))
        return status, text

    def login(self, username: str, password: str) -> None:
        self.request("/accounts/login/")
        status, text = self.request("/accounts/login/", {"username": username, "password": password,
                                                         "csrfmiddlewaretoken": self._csrf()})
        if status != 200 or "退出" not in text:
            raise RuntimeError(f"login of {username} failed ({status})")

    def failures(self) -> list[tuple[int, float, str]]:
        return [entry for entry in self.log if entry[0] >= 400]


def find(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if not match:
        raise AssertionError(f"{pattern!r} not found")
    return match.group(1)
