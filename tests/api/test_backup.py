"""backup → empty database → restore: every evaluation, score, reason, file and ledger record is back."""

from __future__ import annotations

import datetime
import hashlib
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from api.backup import _data_models

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n% backup test \xe4\xb8\xad\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def snapshot() -> dict[str, list[dict]]:
    """Every row of every data model, as plain values, ordered by primary key."""
    return {
        m._meta.label: [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
            for row in m._default_manager.order_by("pk").values()
        ]
        for m in _data_models()
    }


def build_data(cast, standard_version):
    from evaluations.models import Evaluation
    from evaluations.services import evidence, scores, workflow
    from evaluations.services.periods import open_period
    from ledgers.models import Household, Person

    period = open_period(
        cast.city_admin, year=2026, name="2026年度", standard=standard_version,
        communities=[cast.community, cast.other_community],
    )
    ev = Evaluation.objects.get(period=period, community=cast.community)
    scores.save_score(ev, cast.operator, "1.2", "self", 3)
    scores.save_score(ev, cast.operator, "2.1", "self", 2)
    evidence.upload(ev, cast.operator, "1.1", SimpleUploadedFile("平台文件.pdf", PDF, "application/pdf"), title="平台文件")
    household = Household.objects.create(community=cast.community, code="H001", head_name="张三", address="东华路1号")
    Person.objects.create(
        community=cast.community, household=household, name="张三", id_number="11010519491231002X",
        birth_date=datetime.date(1949, 12, 31), sex="F", phone="13800138000",
    )
    # A county-stage reason needs the sheet in county review: walk it there through the services.
    ev.refresh_from_db()
    ev.state = "county_reviewing"
    ev.save(update_fields=["state"])
    scores.save_score(ev, cast.county_reviewer, "1.2", "county", 2, "协理员持证不全")
    workflow.transition(ev, cast.county_reviewer, "county_return", comment="请补充材料", lines=["1.1"])
    return ev


def test_round_trip(cast, standard_version, tmp_path, settings):
    from evaluations.models import EvidenceRevision, LineScore
    from ledgers.models import Person

    build_data(cast, standard_version)
    before = snapshot()
    files_before = {
        rev.file.name: hashlib.sha256(rev.file.open("rb").read()).hexdigest() for rev in EvidenceRevision.objects.all()
    }
    assert LineScore.objects.filter(reason="协理员持证不全").exists() and Person.objects.exists() and files_before

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "db.json" in names and "manifest.json" in names
    assert {f"files/{n}" for n in files_before} <= set(names)

    # A new server: empty database, empty media directory.
    call_command("flush", interactive=False, verbosity=0)
    assert all(not rows for rows in snapshot().values())
    fresh_media = tmp_path / "media-new"
    fresh_media.mkdir()
    with override_settings(MEDIA_ROOT=str(fresh_media)):
        call_command("restore", str(archive))
        after = snapshot()
        for label, rows in before.items():
            for old, new in zip(rows, after[label], strict=True):
                assert old == new, (label, {k: (old[k], new[k]) for k in old if old[k] != new[k]})
        for rev in EvidenceRevision.objects.all():
            with rev.file.open("rb") as fh:
                assert hashlib.sha256(fh.read()).hexdigest() == files_before[rev.file.name] == rev.sha256
        assert (fresh_media / next(iter(files_before))).exists()
        # Restored sequences: new rows get fresh ids (PostgreSQL sequence reset by loaddata).
        from orgs.models import Unit

        Unit.objects.create(name="新社区", code="C010199", level="community", parent=cast.street)


def test_restore_refuses_a_non_empty_database(cast, standard_version, tmp_path):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", output=str(archive))
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(archive))


def test_restore_rejects_a_tampered_file(cast, standard_version, tmp_path):
    build_data(cast, standard_version)
    archive = tmp_path / "b.tar.gz"
    call_command("backup", output=str(archive))
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("files/"):
                data = data.replace(b"backup test", b"BACKUP TEST")
            member.size = len(data)
            import io

            dst.addfile(member, io.BytesIO(data))
    call_command("flush", interactive=False, verbosity=0)
    with override_settings(MEDIA_ROOT=str(tmp_path / "m2")):
        with pytest.raises(CommandError, match="校验失败"):
            call_command("restore", str(tampered))
        from evaluations.models import Evaluation

        assert not Evaluation.objects.exists()  # nothing half-restored


def test_restore_rejects_a_foreign_archive(db, tmp_path):
    bogus = tmp_path / "x.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, arcname="something.py")
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(bogus))


def test_restore_answers_a_truncated_archive_with_one_line_and_exit_2(cast, standard_version, tmp_path, capsys):
    """A backup cut off in transfer: one line on stderr, exit status 2, no traceback, nothing restored."""
    from api.management.commands.restore import Command

    build_data(cast, standard_version)
    archive = tmp_path / "b.tar.gz"
    call_command("backup", output=str(archive))
    truncated = tmp_path / "cut.tar.gz"
    data = archive.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(truncated), no_migrate=True)
    assert caught.value.returncode == 2
    assert "损坏或不完整" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "restore", str(truncated), "--no-migrate"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "EOFError" in err and len(err.strip().splitlines()) == 1
    from evaluations.models import Evaluation

    assert not Evaluation.objects.exists()


def test_restore_answers_a_garbage_file_with_exit_2(db, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 40)
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(junk), no_migrate=True)
    assert caught.value.returncode == 2
