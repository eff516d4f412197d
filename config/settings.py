"""One settings module. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TESTING", False)
PRODUCTION = env_bool("PRODUCTION", False)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
# Values that are published (this file, deploy/env.example, Django's template): never a real key.
KNOWN_EXAMPLE_SECRET_KEYS = {DEV_SECRET_KEY, "change-me-to-a-long-random-string", "change-me", "secret"}
MIN_SECRET_KEY_LENGTH = 50


def production_secret_key_problem(key: str) -> str | None:
    """Why `key` must not be used in production, or None (Django's own --deploy rule: 50+ chars, 5+ distinct)."""
    if not key:
        return "SECRET_KEY is not set"
    if key in KNOWN_EXAMPLE_SECRET_KEYS or key.startswith(("django-insecure", "change-me", "dev-only")):
        return "SECRET_KEY is the published example value"
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        return f"SECRET_KEY is too short or too simple (needs {MIN_SECRET_KEY_LENGTH}+ random characters)"
    return None


# The dev default keeps `make run` working on a bare machine; production refuses to start without a real key.
SECRET_KEY = env_str("SECRET_KEY", "")
if PRODUCTION:
    _problem = production_secret_key_problem(SECRET_KEY)
    if _problem:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{_problem}. Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
elif not SECRET_KEY:
    SECRET_KEY = DEV_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "orgs",
    "standards",
    "evaluations",
    "ledgers",
    "reports",
    "api",
    "jobs",
    "announcements",
    "register",
    "verification",
    "inbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "orgs.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "evaluations.facts.FactsMemoMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "orgs.errors.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "orgs.context_processors.navigation",
                "inbox.context_processors.inbox",
            ],
        },
    },
    # Only the sheet's repeated rows (config/jinja2.py says why), from <app>/jinja2/.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "config.jinja2.environment"},
    },
]

VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})
    # A busy timeout makes a writer wait for another's transaction instead of failing with
    # "database is locked" (the longest is an import's final write: seconds, more on a loaded machine); IMMEDIATE takes the write lock at BEGIN so two writers never deadlock on an
    # upgrade from a read lock. WAL (set on each connection by init_command) lets readers go on
    # while someone writes. Long work (imports) never holds a write transaction while it parses.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", env_int("SQLITE_BUSY_TIMEOUT", 60))
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

# PBKDF2 at a work factor measured for log-in speed (config/hashers.py); the others verify old hashes.
PASSWORD_ITERATIONS = env_int("PASSWORD_ITERATIONS", 600_000)
PASSWORD_HASHERS = [
    "config.hashers.TunedPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "orgs.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "orgs.validators.CharacterClassValidator"},
    # zxcvbn: repeats, sequences, keyboard rows, dates, common words (messages in Chinese).
    {"NAME": "orgs.validators.PatternValidator", "OPTIONS": {"min_score": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle sessions end: shared office PCs are common.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from our own static files — no inline script,
# no inline event handler, no eval (htmx runs with allowEval=false). Styles allow inline `style=`
# attributes (layout only; they cannot run code). Everything is served locally: no other origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed, e.g. "10.0.0.5" for nginx.
# Empty (the default): the header is ignored and REMOTE_ADDR is the client (no proxy in front).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
# Objections sent through the public notice page: at most this many per client address per hour.
OBJECTION_THROTTLE_PER_HOUR = env_int("OBJECTION_THROTTLE_PER_HOUR", 5)
AXES_CLIENT_IP_CALLABLE = "orgs.client_ip.client_ip"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
# Only the pair is locked: wrong passwords from one machine never lock the user out on another.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Third-party assets from npm (package-lock.json), served from node_modules: only the files pages use.
VENDOR_STATIC = {
    "vendor/bootstrap": (
        NODE_MODULES / "bootstrap" / "dist",
        ["css/bootstrap.min.css", "css/bootstrap.min.css.map", "js/bootstrap.bundle.min.js",
         "js/bootstrap.bundle.min.js.map"],
    ),
    "vendor/bootstrap-icons": (
        NODE_MODULES / "bootstrap-icons" / "font",
        ["bootstrap-icons.min.css", "fonts/bootstrap-icons.woff", "fonts/bootstrap-icons.woff2"],
    ),
    "vendor/echarts": (NODE_MODULES / "echarts" / "dist", ["echarts.min.js"]),
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.finders.VendorFinder",
]
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [
    "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf", "flv",
    "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg", "webm", "wmv", "map",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str("STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
# Evidence files live outside the web root and are only served through a permission check.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Limits of every import (ledgers, units), enforced by the one reader orgs/tabular.py.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)  # a big city's ledger (100,000 rows) fits
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 60)

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Rendered documents (PDF forms), keyed by their content; shared by the workers of one server.
    "documents": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "documents"),
        "TIMEOUT": env_int("DOCUMENT_CACHE_SECONDS", 30 * 24 * 3600),
        "OPTIONS": {"MAX_ENTRIES": env_int("DOCUMENT_CACHE_ENTRIES", 5000)},
    },
}

# Background jobs (imports, batch documents, long exports) run through Django's tasks framework.
# TASK_QUEUE=database (default): the queue is a table of this database and `manage.py db_worker`
# runs it (`make run` starts one beside gunicorn). TASK_QUEUE=redis: the queue lives in Redis
# (REDIS_URL), for several app servers sharing workers; run `manage.py rqworker --job-class
# django_tasks_rq.Job default`. Job results are files under JOB_RESULTS_ROOT, outside the web root.
TASK_QUEUE = env_str("TASK_QUEUE", "database")
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "redis": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}
if TASK_QUEUE not in TASK_BACKENDS:
    raise RuntimeError("TASK_QUEUE must be 'database' or 'redis'")
TASKS = {"default": TASK_BACKENDS[TASK_QUEUE]}
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env_int("JOB_TIMEOUT_SECONDS", 3600)}}
# Notices (inbox app): also e-mail them to users who have an address (off by default). Mail goes out
# through Django's EMAIL_* settings; SITE_URL prefixes the links in the mails.
INBOX_EMAIL = env_bool("INBOX_EMAIL", False)
SITE_URL = env_str("SITE_URL", "")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webmaster@localhost")
JOB_RESULTS_ROOT = Path(env_str("JOB_RESULTS_ROOT", str(VAR_DIR / "job-results")))
JOB_RETENTION_DAYS = env_int("JOB_RETENTION_DAYS", 7)
# Exports larger than this run as jobs instead of inside the request (a few seconds at most inline).
EXPORT_INLINE_MAX_COMMUNITIES = env_int("EXPORT_INLINE_MAX_COMMUNITIES", 300)
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 20000)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    # Every handler masks ID numbers (config/logmask.py): no full ID number is written to any log.
    "filters": {"mask_ids": {"()": "config.logmask.MaskIdNumbersFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_ids"]},
        # runserver's request lines (Django's own handler, redefined here with the mask).
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["mask_ids"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        "api": {"level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

CHROMIUM_PATH = env_str("CHROMIUM_PATH", "/usr/bin/chromium")
