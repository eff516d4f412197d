"""Evidence service: type by content, size limit, revisions with hashes, role/state checks, audit."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.models import AuditEvent, Evaluation, Evidence, EvidenceRevision, State
from evaluations.services import evidence as service
from evaluations.services.evidence import EvidenceError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
PLAIN_ZIP = _zip({"readme.txt": b"hello"})
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
DOC = OLE + "WordDocument".encode("utf-16-le") + b"\x00" * 20
XLS = OLE + "Workbook".encode("utf-16-le") + b"\x00" * 20


def upload_file(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def set_state(evaluation, state):
    Evaluation.objects.filter(pk=evaluation.pk).update(state=state)
    evaluation.refresh_from_db()
    return evaluation


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.pdf", PDF, "pdf"),
        ("a.png", PNG, "png"),
        ("a.JPG", JPEG, "jpeg"),
        ("a.jpeg", JPEG, "jpeg"),
        ("a.gif", GIF, "gif"),
        ("a.docx", DOCX, "docx"),
        ("a.xlsx", XLSX, "xlsx"),
        ("a.doc", DOC, "doc"),
        ("a.xls", XLS, "xls"),
    ],
)
def test_accepted_kinds_are_sniffed_from_content(name, data, kind):
    assert service.check_file(name, data).key == kind


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("setup.pdf", EXE, "不是可接受的文件类型"),
        ("notes.docx", PLAIN_ZIP, "不是可接受的文件类型"),
        ("unknown.doc", OLE, "不是可接受的文件类型"),
        ("scan.pdf", PNG, "与其实际内容（PNG 图片）不符"),
        ("report.xlsx", DOCX, "与其实际内容（Word 文档（DOCX））不符"),
        ("noext", PDF, "（无扩展名）"),
        ("empty.pdf", b"", "空文件"),
    ],
)
def test_refused_files_name_the_file(name, data, needle):
    with pytest.raises(EvidenceError) as err:
        service.check_file(name, data)
    assert f"「{name}」" in str(err.value)
    assert needle in str(err.value)


def test_size_limit(settings):
    settings.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(EvidenceError, match="超过上限"):
        service.check_file("big.pdf", PDF + b"x" * 200)


def test_upload_stores_revision_with_hash_and_audit(evaluation, cast, settings):
    rev = service.upload(evaluation, cast.operator, "1.1", upload_file("建站文件.pdf", PDF, "text/plain"), title="建站批复")
    assert rev.number == 1
    assert rev.sha256 == hashlib.sha256(PDF).hexdigest()
    assert rev.size == len(PDF)
    assert rev.content_type == "application/pdf"  # from the content, not the browser's claim
    assert rev.original_name == "建站文件.pdf"
    assert rev.evidence.title == "建站批复"
    path = rev.file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    with open(path, "rb") as fh:
        assert fh.read() == PDF
    event = AuditEvent.objects.get(evaluation=evaluation, kind="evidence")
    assert event.line_id == "1.1" and event.stage == "self" and event.user == cast.operator
    assert event.old is None and event.new["sha256"] == rev.sha256 and event.new["revision"] == 1


def test_reupload_keeps_earlier_revision(evaluation, cast):
    first = service.upload(evaluation, cast.operator, "1.1", upload_file("v1.pdf", PDF))
    second_data = PDF + b"% second\n"
    second = service.upload(evaluation, cast.operator, "1.1", upload_file("v2.pdf", second_data), evidence=first.evidence)
    assert second.number == 2 and second.evidence_id == first.evidence_id
    assert EvidenceRevision.objects.filter(evidence=first.evidence).count() == 2
    first.refresh_from_db()
    assert first.sha256 == hashlib.sha256(PDF).hexdigest()
    with open(first.file.path, "rb") as fh:
        assert fh.read() == PDF
    assert first.evidence.current == second
    events = AuditEvent.objects.filter(evaluation=evaluation, kind="evidence").order_by("id")
    assert events[1].old["sha256"] == first.sha256 and events[1].new["sha256"] == second.sha256


def test_identical_reupload_refused(evaluation, cast):
    first = service.upload(evaluation, cast.operator, "1.1", upload_file("v1.pdf", PDF))
    with pytest.raises(EvidenceError, match="内容完全相同"):
        service.upload(evaluation, cast.operator, "1.1", upload_file("v1again.pdf", PDF), evidence=first.evidence)


def test_unknown_line_refused(evaluation, cast):
    with pytest.raises(EvidenceError, match="没有第 9.9 项"):
        service.upload(evaluation, cast.operator, "9.9", upload_file("a.pdf", PDF))


def test_refused_type_writes_nothing(evaluation, cast):
    with pytest.raises(EvidenceError, match="「setup.pdf」"):
        service.upload(evaluation, cast.operator, "1.1", upload_file("setup.pdf", EXE))
    assert not Evidence.objects.exists()
    assert not AuditEvent.objects.filter(kind="evidence").exists()


@pytest.mark.parametrize(
    ("role", "state", "allowed"),
    [
        ("operator", State.DRAFT, True),
        ("operator", State.SUBMITTED, False),
        ("operator", State.COUNTY_REVIEWING, False),
        ("county_reviewer", State.DRAFT, False),
        ("county_reviewer", State.COUNTY_REVIEWING, True),
        ("county_reviewer", State.CITY_REVIEWING, False),
        ("city_reviewer", State.CITY_REVIEWING, True),
        ("city_reviewer", State.COUNTY_PASSED, False),
        ("city_admin", State.CITY_REVIEWING, True),
        ("street_viewer", State.DRAFT, False),
        ("operator", State.PUBLISHED, False),
    ],
)
def test_role_and_state(evaluation, cast, role, state, allowed):
    user = getattr(cast, role)
    set_state(evaluation, state)
    if allowed:
        rev = service.upload(evaluation, user, "2.1", upload_file("a.pdf", PDF))
        expected_stage = {"operator": "self", "county_reviewer": "county"}.get(role, "city")
        assert AuditEvent.objects.get(kind="evidence").stage == expected_stage
        assert rev.uploaded_by == user
    else:
        with pytest.raises(EvidenceError):
            service.upload(evaluation, user, "2.1", upload_file("a.pdf", PDF))


def test_closed_period_refused(evaluation, cast):
    evaluation.period.is_open = False
    evaluation.period.save(update_fields=["is_open"])
    with pytest.raises(EvidenceError, match="已关闭"):
        service.upload(evaluation, cast.operator, "1.1", upload_file("a.pdf", PDF))


def test_soft_delete_keeps_files_and_audits(evaluation, cast):
    rev = service.upload(evaluation, cast.operator, "1.2", upload_file("a.pdf", PDF))
    service.delete(evaluation, cast.operator, rev.evidence)
    item = Evidence.objects.get(pk=rev.evidence_id)
    assert item.is_deleted
    assert EvidenceRevision.objects.filter(pk=rev.pk).exists()
    event = AuditEvent.objects.filter(kind="evidence", field="deleted").get()
    assert event.old["sha256"] == rev.sha256 and event.new is None
    assert not list(service.active_evidence(evaluation, "1.2"))
    with pytest.raises(EvidenceError, match="已删除"):
        service.delete(evaluation, cast.operator, item)


def test_county_cannot_delete_or_revise_community_evidence(evaluation, cast):
    rev = service.upload(evaluation, cast.operator, "1.2", upload_file("a.pdf", PDF))
    set_state(evaluation, State.COUNTY_REVIEWING)
    with pytest.raises(EvidenceError, match="其他单位"):
        service.delete(evaluation, cast.county_reviewer, rev.evidence)
    with pytest.raises(EvidenceError, match="本单位"):
        service.upload(evaluation, cast.county_reviewer, "1.2", upload_file("b.pdf", PDF + b"x"), evidence=rev.evidence)
    own = service.upload(evaluation, cast.county_reviewer, "1.2", upload_file("核查记录.pdf", PDF + b"y"))
    service.delete(evaluation, cast.county_reviewer, own.evidence)


def test_innovation_files_on_line_5(evaluation, cast):
    rev = service.upload(evaluation, cast.operator, "5", upload_file("创新材料.docx", DOCX))
    assert rev.evidence.line_id == "5"
    assert service.evidence_counts(evaluation) == {"5": 1}
