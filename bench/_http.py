"""A gunicorn server on a free loopback port and a tiny cookie-keeping HTTP client (stdlib only)."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from _setup import PASSWORD, ROOT, VAR


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The app served as `make run` serves it: scripts/serve (gunicorn with 2 sync workers plus the
    background-job worker) when the product has it, else gunicorn with 2 sync workers; with
    bench.settings, on a free loopback port. The timeout is production's (deploy/gunicorn.conf.py)."""

    def __init__(self, database_url: str, workers: int = 2, background_worker: bool = True) -> None:
        self.port = free_port()
        self.database_url = database_url
        self.workers = workers
        self.worker = background_worker and (ROOT / "scripts" / "serve").exists()
        self.proc: subprocess.Popen | None = None
        self.log = VAR / f"bench-server-{self.port}.log"

    def __enter__(self) -> Server:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", DATABASE_URL=self.database_url,
                   PYTHONPATH=str(ROOT), HOST="127.0.0.1", PORT=str(self.port), WEB_WORKERS=str(self.workers),
                   BIN=str(ROOT / ".venv" / "bin"))
        env.pop("DEBUG", None)
        if not (ROOT / "staticfiles" / "staticfiles.json").exists():  # the manifest storage needs it
            subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput",
                            "-v", "0"], cwd=ROOT, env=env, check=True)
        if self.worker:
            cmd = [str(ROOT / "scripts" / "serve")]
        else:
            cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind",
                   f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--timeout", "120"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log, "ab"), start_new_session=True)
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                status, *_ = Client(self.port).request("GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise SystemExit(f"the server did not start (see {self.log})")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@dataclass
class Response:
    status: int
    body: str
    seconds: float
    queries: int | None
    headers: dict = field(default_factory=dict)


class Client:
    """One user's browser: keeps cookies, sends the CSRF token on writes. A new connection per request
    (gunicorn's sync workers close it anyway)."""

    def __init__(self, port: int, timeout: float = 600) -> None:
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        hdrs = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return resp.status, data, elapsed, dict((k.lower(), v) for k, v in resp.getheaders())

    def call(self, method: str, path: str, data: dict | None = None, headers: dict | None = None,
             body: bytes | None = None) -> Response:
        hdrs = dict(headers or {})
        if method != "GET":
            hdrs.setdefault("X-CSRFToken", self.cookies.get("csrftoken", ""))
            if data is not None:
                body = urllib.parse.urlencode(data).encode()
                hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        status, raw, elapsed, rh = self.request(method, path, body, hdrs)
        q = rh.get("x-bench-queries")
        return Response(status, raw.decode("utf-8", "replace"), elapsed, int(q) if q else None, rh)

    def login(self, username: str, password: str = PASSWORD) -> None:
        page = self.call("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        if not token:
            raise SystemExit(f"login page without a CSRF token (HTTP {page.status})")
        out = self.call("POST", "/accounts/login/", {"username": username, "password": password,
                                                     "csrfmiddlewaretoken": token.group(1)})
        if out.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login as {username} failed: HTTP {out.status}")


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data upload; files: name -> Path."""
    boundary = "----bench" + os.urandom(8).hex()
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, path in files.items():
        path = Path(path)
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{path.name}"\r\n'
            f"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
            + path.read_bytes() + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]
