"""Load a standard data file into the database, idempotently; a version in use is never changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from . import schema
from .models import StandardVersion

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FILE = DATA_DIR / "v1.json"


class LoadError(Exception):
    pass


@dataclass
class LoadOutcome:
    version: str
    action: str  # "created" | "updated" | "unchanged"


def load_file(path: Path | str = DEFAULT_FILE, make_current: bool = True) -> LoadOutcome:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LoadError(f"无法读取标准文件 {path}：{exc}") from exc
    return load_data(data, make_current=make_current)


def load_data(data: dict, make_current: bool = True) -> LoadOutcome:
    try:
        std = schema.parse_standard(data)
    except schema.StandardError as exc:
        raise LoadError(str(exc)) from exc
    digest = StandardVersion.digest(data)
    with transaction.atomic():
        existing = StandardVersion.objects.select_for_update().filter(version=std.version).first()
        if existing is None:
            obj = StandardVersion.objects.create(
                version=std.version, title=std.title, data=data, sha256=digest, is_current=make_current
            )
            action = "created"
        elif existing.sha256 == digest:
            obj, action = existing, "unchanged"
        else:
            if existing.in_use:
                raise LoadError(
                    f"标准版本 {std.version} 已被评估期使用，不能原地修改；请以新的版本号加载修改后的标准。"
                )
            existing.data, existing.title, existing.sha256 = data, std.title, digest
            existing.save(update_fields=["data", "title", "sha256", "loaded_at"])
            obj, action = existing, "updated"
        if make_current and not obj.is_current:
            StandardVersion.objects.exclude(pk=obj.pk).update(is_current=False)
            obj.is_current = True
            obj.save(update_fields=["is_current"])
    return LoadOutcome(version=std.version, action=action)
