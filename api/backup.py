"""Backup and restore: one .tar.gz holding a DB-neutral dump (dumpdata JSON, natural keys) and every
stored file referenced by a FileField, plus a manifest with row counts and file checksums.

DB-neutral on purpose: a city can restore a SQLite test machine's backup into PostgreSQL and back, and
the same archive works whatever storage backend (disk or S3-compatible) holds the files, because files
are read and written through Django's storage API.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

FORMAT = "star-community-backup"
FORMAT_VERSION = 1
# Rebuilt by `migrate` (contenttypes, permissions) or worthless after a restore (sessions).
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
# Apps whose rows make a database "not empty" for restore.
DATA_APPS = ("orgs", "standards", "evaluations", "ledgers", "reports", "api")


class BackupError(Exception):
    pass


@dataclass
class RestoreReport:
    objects: int
    files: int
    counts: dict[str, int]
    missing_files: list[str]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _data_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in DATA_APPS and not m._meta.proxy]


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.using("default").count() for m in _data_models()}


def _file_fields() -> list[tuple[type[models.Model], str]]:
    out = []
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, models.FileField):
                out.append((model, f.name))
    return out


def referenced_files() -> list[tuple[str, object]]:
    """(name, storage) of every file a row refers to."""
    seen: dict[str, object] = {}
    for model, field_name in _file_fields():
        field = model._meta.get_field(field_name)
        names = model._default_manager.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
        for name in names.values_list(field_name, flat=True).iterator():
            seen.setdefault(name, field.storage)
    return sorted(seen.items())


def _safe_member(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"备份文件中包含不安全的路径：{name}")
    return str(path)


def backup(output: Path) -> dict:
    """Write the archive to `output`; returns the manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "db.json"
        # One transaction: rows and the file list come from the same snapshot (PostgreSQL REPEATABLE READ
        # is not needed for consistency of a quiet system; the manifest's counts are checked on restore).
        with transaction.atomic():
            _dump(dump)
            counts = row_counts()
            files = referenced_files()
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": _migration_heads(),
            "counts": counts,
            "files": [],
            "missing_files": [],
        }
        with tarfile.open(output, "w:gz") as tar:
            tar.add(dump, arcname="db.json")
            for name, storage in files:
                try:
                    with storage.open(name, "rb") as fh:
                        data = fh.read()
                except (FileNotFoundError, OSError):
                    manifest["missing_files"].append(name)
                    continue
                info = tarfile.TarInfo("files/" + _safe_member(name))
                info.size = len(data)
                info.mtime = int(timezone.now().timestamp())
                tar.addfile(info, io.BytesIO(data))
                manifest["files"].append({"name": name, "size": len(data), "sha256": _sha256(data)})
            raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return manifest


class _FullPrecisionEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder drops microseconds below the millisecond; a backup must not."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _dump(path: Path) -> None:
    """What `dumpdata --natural-foreign --exclude ...` writes, at full precision.

    Primary keys are kept (users included) so a restore is identical row for row; only references to
    content types and permissions, which migrate recreates, go by natural key.
    """
    excluded_apps = {e for e in EXCLUDE if "." not in e}
    excluded_models = {e.lower() for e in EXCLUDE if "." in e}
    app_list = [(cfg, None) for cfg in apps.get_app_configs() if cfg.models_module and cfg.label not in excluded_apps]
    ordered = serializers.sort_dependencies(app_list, allow_cycles=True)

    def objects():
        for model in ordered:
            if model._meta.proxy or not model._meta.managed or model._meta.label_lower in excluded_models:
                continue
            yield from model._base_manager.using("default").order_by(model._meta.pk.name).iterator()

    with open(path, "w", encoding="utf-8") as fh:
        serializers.serialize(
            "json", objects(), stream=fh, use_natural_foreign_keys=True, use_natural_primary_keys=False,
            cls=_FullPrecisionEncoder, ensure_ascii=False,
        )


def _migration_heads() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    heads: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > heads.get(app, ""):
            heads[app] = name
    return heads


def database_is_empty() -> bool:
    return all(count == 0 for count in row_counts().values())


def restore(archive: Path) -> RestoreReport:
    """Load `archive` into a migrated, empty database and put its files back into storage.

    A damaged or truncated archive (gzip/tar errors surface as EOFError, zlib.error, TarError) is a
    BackupError with one line, never a traceback; nothing is written (the load is one transaction).
    """
    try:
        return _restore(Path(archive))
    except (EOFError, zlib.error, tarfile.TarError, UnicodeDecodeError, serializers.base.DeserializationError) as exc:
        raise BackupError(
            f"备份文件已损坏或不完整（archive damaged or truncated: {type(exc).__name__}），未恢复任何数据：{archive}"
        ) from exc


def _restore(archive: Path) -> RestoreReport:
    if not archive.exists():
        raise BackupError(f"备份文件不存在：{archive}")
    if not database_is_empty():
        non_empty = [label for label, n in row_counts().items() if n]
        raise BackupError(
            "目标数据库不是空的（已有数据：" + "、".join(non_empty[:5]) + "）。"
            "恢复只能写入新建并已执行 migrate 的空数据库。"
        )
    try:
        tar = tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"无法读取备份文件 {archive}：{exc}")
    with tar, tempfile.TemporaryDirectory() as tmp:
        try:
            manifest = json.loads(tar.extractfile("manifest.json").read())
        except (KeyError, AttributeError, ValueError):
            raise BackupError("备份文件缺少 manifest.json，不是本系统的备份。")
        if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
            raise BackupError("备份格式不受支持：" + str(manifest.get("format")) + " v" + str(manifest.get("version")))
        dump = Path(tmp) / "db.json"
        member = tar.extractfile("db.json")
        if member is None:
            raise BackupError("备份文件缺少 db.json。")
        dump.write_bytes(member.read())

        # Every FileField of the project uses the default storage (disk or S3-compatible).
        storage = default_storage
        written: list[str] = []
        try:
            with transaction.atomic():
                call_command("loaddata", str(dump), verbosity=0)
                for entry in manifest["files"]:
                    name = _safe_member(entry["name"])
                    member = tar.extractfile("files/" + name)
                    if member is None:
                        raise BackupError(f"备份中缺少文件 {name}。")
                    data = member.read()
                    if _sha256(data) != entry["sha256"]:
                        raise BackupError(f"文件 {name} 校验失败（sha256 不符），备份可能已损坏。")
                    if storage.exists(name):
                        with storage.open(name, "rb") as fh:
                            if _sha256(fh.read()) != entry["sha256"]:
                                raise BackupError(f"存储中已有同名但内容不同的文件：{name}。")
                        continue
                    saved = storage.save(name, io.BytesIO(data))
                    written.append(saved)
                    if saved != name:
                        raise BackupError(f"文件 {name} 被存储改名为 {saved}，无法保持引用。")
                counts = row_counts()
                wrong = {k: (v, counts.get(k)) for k, v in manifest["counts"].items() if counts.get(k) != v}
                if wrong:
                    detail = "；".join(f"{k} 应为 {a} 行，实际 {b} 行" for k, (a, b) in list(wrong.items())[:5])
                    raise BackupError(f"恢复后的行数与备份不符：{detail}")
        except Exception:
            for name in written:
                storage.delete(name)
            raise
    return RestoreReport(objects=sum(counts.values()), files=len(manifest["files"]), counts=counts,
                         missing_files=list(manifest.get("missing_files", [])))
