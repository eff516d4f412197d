"""Serve only the vendor files pages use, straight from node_modules (installed by `npm ci`).

Listing whole dist folders made collectstatic compress megabytes of unused bundles on every run.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # static path -> absolute source path
        self.files: dict[str, Path] = {}
        for prefix, (root, names) in settings.VENDOR_STATIC.items():
            for name in names:
                self.files[f"{prefix}/{name}"] = Path(root) / name

    def check(self, **kwargs):
        missing = [str(src) for src in self.files.values() if not src.exists()]
        if missing:
            return [Error(f"front-end assets missing (run `make assets`): {missing[:3]}", id="config.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        src = self.files.get(path)
        if src is None or not src.exists():
            return [] if find_all else None
        return [str(src)] if find_all else str(src)

    def list(self, ignore_patterns):
        for prefix, (root, names) in settings.VENDOR_STATIC.items():
            storage = FileSystemStorage(location=str(root))
            storage.prefix = prefix  # collectstatic places files under the storage's prefix
            for name in names:
                if (Path(root) / name).exists():
                    yield name, storage
