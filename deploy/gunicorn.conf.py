"""gunicorn settings for one app server (`gunicorn -c deploy/gunicorn.conf.py config.wsgi:application`).

Every value can be overridden from the environment (GUNICORN_*), so the same file serves every server.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the app is CPU-light and database-bound; 2 × cores + 1 is the usual start.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# PDF/Word exports of a whole city can take a while; nginx's proxy_read_timeout matches this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak in a document library cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# Preloading shares the imported code between workers and fails fast on a broken settings file.
preload_app = True
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr: journald (systemd) or the container runtime collects them.
accesslog = "-"
# Masks ID numbers in every access and error line (a search by ID must never reach the log in full).
logger_class = "config.gunicorn_logging.MaskingLogger"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# One line per request: client (as forwarded by nginx), user-agent-free, with duration in ms.
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%({x-request-id}i)s"'
