"""Issue 11.4: every import (ledgers, units) under the one reader's limits; rejected uploads removed;
checking a file holds no write lock."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from ledgers import imports, services
from ledgers.models import ImportJob, Person
from orgs.services import imports as unit_imports
from tests.api.conftest import ApiClient
from tests.ledgers import factories as f

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号"]


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_bomb(rows: int = 2_000_000) -> bytes:
    """A valid xlsx whose sheet declares and holds `rows` rows; a few hundred KB on disk."""
    template = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in template.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(item, template.read(item))
                continue
            with bomb.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><dimension ref="A1:B%d"/><sheetData>' % rows)
                row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'  # identical rows: tiny when zipped
                for _ in range(rows // 10000):
                    sheet.write(row * 10000)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Each test counts only its own uploads: files other tests left behind don't count."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def media_uploads() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT) / "ledger-imports"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb()


def test_zip_bomb_is_refused_quickly_for_ledgers(cast, bomb):
    assert len(bomb) < 1024 * 1024
    before = media_uploads()
    started = time.monotonic()
    with pytest.raises(services.LedgerError) as caught:
        services.check_import(cast.operator, cast.community, "persons", upload("bomb.xlsx", bomb), sensitive=True)
    assert time.monotonic() - started < 10
    assert "解压后" in caught.value.message or "压缩比" in caught.value.message
    assert "MB" in caught.value.message
    assert media_uploads() == before and not ImportJob.objects.exists()


def test_zip_bomb_is_refused_for_units(cast, bomb):
    client = Client()
    client.force_login(cast.city_admin)
    response = client.post(reverse("orgs:import"), {"step": "preview", "file": upload("units.xlsx", bomb)})
    assert response.status_code == 422 and "MB" in response.content.decode()


def test_zip_bomb_through_the_api(cast, bomb):
    api = ApiClient(user=cast.operator)
    response = api.client.post("/api/ledgers/imports", {"kind": "persons", "file": upload("bomb.xlsx", bomb)},
                               headers=api._headers())
    assert response.status_code == 422 and "MB" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("IMPORT_MAX_ROWS", 3, ("数据行过多", "4 行", "最多导入 3 行")),
        ("IMPORT_MAX_COLUMNS", 1, ("列数过多", "2 列", "上限为 1 列")),
        ("IMPORT_MAX_BYTES", 2000, ("文件过大", "上限为 0.0 MB")),
    ],
)
def test_each_limit_names_the_limit_and_the_figure(cast, settings, setting, value, words):
    setattr(settings, setting, value)
    rows = [HEADER] + [[f"人{i}", f.make_id()] for i in range(4)]
    # The size is refused at upload; rows and columns by the background dry run, which rejects the file.
    try:
        job = services.check_import(cast.operator, cast.community, "persons", upload("p.xlsx", xlsx_bytes(rows)), True)
    except services.LedgerError as exc:
        message = exc.message
    else:
        job.refresh_from_db()
        assert job.status == "rejected"
        message = job.summary["errors"][0][2]
    for word in words:
        assert word in message, message
    assert not media_uploads()
    # The unit import reads through the same reader (xlsx and CSV).
    table_rows = [unit_imports.HEADERS] + [["东区" * 300, "C09", "", "", "", ""]] * 4
    csv_data = "\n".join(",".join(r) for r in table_rows).encode("utf-8")
    for name, data in (("u.xlsx", xlsx_bytes(table_rows)), ("u.csv", csv_data)):
        _, errors = unit_imports.read_rows(name, data)
        assert errors and words[0] in errors[0].message, (name, errors)


def test_a_rejected_upload_is_removed(cast):
    rows = [HEADER, ["甲", "110105194912310021"]]  # bad check digit
    job = services.check_import(cast.operator, cast.community, "persons", upload("p.xlsx", xlsx_bytes(rows)), True)
    assert job.status == "rejected" and job.summary["error_count"] == 1
    assert not media_uploads()


def test_an_accepted_upload_is_kept_until_applied(cast):
    rows = [HEADER, ["甲", f.make_id()]]
    job = services.check_import(cast.operator, cast.community, "persons", upload("p.xlsx", xlsx_bytes(rows)), True)
    assert job.status == "checked" and len(media_uploads()) == 1
    services.apply_import(cast.operator, job.pk, True)
    assert Person.objects.count() == 1


def test_checking_a_file_opens_no_transaction(cast, monkeypatch):
    """On SQLite every transaction takes the write lock (IMMEDIATE): a dry run must not open one."""

    def no_transaction(*args, **kwargs):
        raise AssertionError("a transaction was opened while checking a file")

    rows = [HEADER, ["甲", f.make_id()]]
    monkeypatch.setattr(imports.transaction, "atomic", no_transaction)
    plan = imports.run_import(imports.SPECS["persons"], io.BytesIO(xlsx_bytes(rows)), cast.community,
                              cast.operator, True, apply=False)
    assert plan.ok


def test_an_upload_left_by_a_killed_worker_is_deleted_by_the_daily_prune(cast):
    """A kill -9 during the check or the apply leaves the ImportJob 'running' with its upload on disk
    (personal data); the daily prune_jobs deletes it and tells the user in Chinese. A fresh one stays."""
    import datetime

    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.utils import timezone

    def stuck(status, age_hours):
        job = ImportJob(community=cast.community, kind="persons", original_name="人员.xlsx",
                        created_by=cast.operator, status=status)
        job.file.save("人员.xlsx", ContentFile(xlsx_bytes([["姓名"]])), save=False)
        job.save()
        ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=age_hours))
        return job

    killed_check = stuck(ImportJob.Status.CHECKING, 7)
    killed_apply = stuck(ImportJob.Status.APPLYING, 30)
    running = stuck(ImportJob.Status.CHECKING, 1)
    assert len(media_uploads()) == 3
    call_command("prune_jobs", stdout=io.StringIO())
    assert [p.name for p in media_uploads()] == [Path(running.file.name).name]
    for job in (killed_check, killed_apply):
        job.refresh_from_db()
        assert job.status == ImportJob.Status.REJECTED and not job.file
        assert "导入被中断" in job.summary["errors"][0][2]
    running.refresh_from_db()
    assert running.status == ImportJob.Status.CHECKING
