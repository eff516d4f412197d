"""Test settings: plain static storage (the manifest breaks live-server tests) and fast hashing."""

import os

os.environ.setdefault("TESTING", "1")

from config.settings import *  # noqa: F403
from config.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = False
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="star-media-"))

# Tests serve static files through the finders; no collectstatic run is needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "documents": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "documents"},
}
# Jobs run at once in the request that starts them (tests of the real worker set TASKS themselves).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
JOB_RESULTS_ROOT = Path(tempfile.mkdtemp(prefix="star-jobs-"))
