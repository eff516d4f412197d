"""Issue 11.6: no full ID number in any log line (application log, runserver, gunicorn access log)."""

from __future__ import annotations

import io
import logging
import logging.config
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from config.logmask import mask_ids

ROOT = Path(__file__).resolve().parents[2]
ID18, ID18X, ID15 = "350102198001011234", "35010219800101123X", "350102800101123"
FULL = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])|(?<!\d)\d{15}(?!\d)")


def test_mask_ids():
    assert mask_ids(f"/ledgers/persons/?q={ID18}") == "/ledgers/persons/?q=350102********1234"
    assert mask_ids(f"q={ID18X.lower()}&x=1") == "q=350102********123x&x=1"
    assert mask_ids(f"old {ID15} id") == "old 350102*****1123 id"
    assert mask_ids("account 12345678901234567890123") == "account 12345678901234567890123"
    assert mask_ids("phone 13800138000, id 42") == "phone 13800138000, id 42"


@pytest.fixture
def configured_logging():
    logging.config.dictConfig(settings.LOGGING)
    streams = []
    for name in ("", "django.server"):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler):
                stream = io.StringIO()
                handler.setStream(stream)
                streams.append(stream)
    yield streams
    logging.config.dictConfig(settings.LOGGING)


def test_every_configured_handler_masks(configured_logging):
    logging.getLogger("django.request").warning("Not Found: /api/ledgers/persons?q=%s", ID18)
    logging.getLogger("django.server").info('"GET /ledgers/persons/?q=%s HTTP/1.1" 200 512', ID18X)
    logging.getLogger("api").info("search %s by %s", ID15, "t_operator")
    try:
        raise ValueError(f"no person {ID18}")
    except ValueError:
        logging.getLogger("api").exception("API error on GET /api/ledgers/persons/%s", ID18)
    written = "".join(s.getvalue() for s in configured_logging)
    assert "350102********1234" in written and "350102*****1123" in written and "Traceback" in written
    assert not FULL.search(written), written


def test_gunicorn_access_log_is_masked(tmp_path):
    from gunicorn.config import Config

    from config.gunicorn_logging import MaskingLogger

    conf: dict = {}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(encoding="utf-8"), conf)
    assert conf["logger_class"] == "config.gunicorn_logging.MaskingLogger"
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("access_log_format", conf["access_log_format"])
    logger = MaskingLogger(cfg)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/ledgers/persons/?q={ID18}", "PATH_INFO": "/ledgers/persons/",
               "QUERY_STRING": f"q={ID18}", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.5",
               "HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_REFERER": f"https://x/?q={ID18X}"}
    req = SimpleNamespace(headers=[("X-FORWARDED-FOR", "203.0.113.9"), ("REFERER", f"https://x/?q={ID18X}")])
    resp = SimpleNamespace(status="200 OK", response_length=512, sent=512, headers=[])
    import datetime

    logger.access(resp, req, environ, datetime.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = (tmp_path / "access.log").read_text()
    assert "350102********1234" in line and "GET /ledgers/persons/" in line
    assert not FULL.search(line), line


def test_the_make_run_server_uses_the_masking_logger():
    # `make run` serves through scripts/serve (gunicorn beside the job worker).
    assert "scripts/serve" in (ROOT / "Makefile").read_text()
    assert "--logger-class config.gunicorn_logging.MaskingLogger" in (ROOT / "scripts" / "serve").read_text()
