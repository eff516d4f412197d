"""Evidence files per line, including the innovation line's material.

Every upload is kept as a revision with its sha256; a re-upload adds a revision, a delete only hides
the evidence. The file type is decided by the file's first bytes, never by its name or the
browser's Content-Type. Files live under MEDIA_ROOT (outside the web root) and are served only by
the download view after the scope check.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, QuerySet

from orgs.models import User

from .. import policy
from ..audit import record
from ..models import Evaluation, Evidence, EvidenceLine, EvidenceRevision

TITLE_MAX = 200

class EvidenceError(Exception):
    """A refused evidence operation; the message is Chinese and meant for the user."""


@dataclass(frozen=True)
class FileKind:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


KINDS: dict[str, FileKind] = {
    k.key: k
    for k in (
        FileKind("pdf", "PDF 文件", "application/pdf", (".pdf",)),
        FileKind("png", "PNG 图片", "image/png", (".png",)),
        FileKind("jpeg", "JPEG 图片", "image/jpeg", (".jpg", ".jpeg")),
        FileKind("gif", "GIF 图片", "image/gif", (".gif",)),
        FileKind(
            "docx",
            "Word 文档（DOCX）",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        FileKind(
            "xlsx",
            "Excel 表格（XLSX）",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
        ),
        FileKind("doc", "Word 文档（DOC）", "application/msword", (".doc",)),
        FileKind("xls", "Excel 表格（XLS）", "application/vnd.ms-excel", (".xls",)),
    )
}
ACCEPT_ATTR = ",".join(ext for kind in KINDS.values() for ext in kind.extensions)
ACCEPTED_TEXT = "PDF、图片（PNG/JPEG/GIF）、Word（DOC/DOCX）、Excel（XLS/XLSX）"

# Kinds the browser may show in place (Content-Disposition: inline). Everything else downloads. The type sent
# is the one sniffed at upload, never the client's claim; with nosniff the browser keeps to it.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif"})

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Stream names in an OLE2 compound file's directory are UTF-16LE.
OLE2_WORD = "WordDocument".encode("utf-16-le")
OLE2_EXCEL = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))


def _read_all(uploaded_file: Any) -> bytes:
    uploaded_file.seek(0)
    data = b"".join(uploaded_file.chunks()) if hasattr(uploaded_file, "chunks") else uploaded_file.read()
    uploaded_file.seek(0)
    return data


def sniff(data: bytes) -> FileKind | None:
    """The kind of file the bytes are, or None for anything not accepted."""
    if data.startswith(b"%PDF-"):
        return KINDS["pdf"]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return KINDS["png"]
    if data.startswith(b"\xff\xd8\xff"):
        return KINDS["jpeg"]
    if data.startswith((b"GIF87a", b"GIF89a")):
        return KINDS["gif"]
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if any(name.startswith("word/") for name in names):
            return KINDS["docx"]
        if any(name.startswith("xl/") for name in names):
            return KINDS["xlsx"]
        return None
    if data.startswith(OLE2_MAGIC):
        if OLE2_WORD in data:
            return KINDS["doc"]
        if any(name in data for name in OLE2_EXCEL):
            return KINDS["xls"]
        return None
    return None


def megabytes(size: int, *, round_up: bool = False) -> str:
    """A size in MB (1024²) with at most one decimal. A refused file's size is rounded up, so a file
    just over the limit never reads as the limit itself ("20.1 MB，超过上限 20 MB")."""
    tenths = size * 10 / (1024 * 1024)
    tenths = math.ceil(tenths) if round_up else math.floor(tenths)
    return f"{tenths / 10:.1f} MB".replace(".0 MB", " MB")


def clean_name(name: str) -> str:
    # Browsers on Windows may send a full path; keep the last component only.
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    return base[:255] or "未命名文件"


def check_file(name: str, data: bytes) -> FileKind:
    """The accepted kind of an upload, or EvidenceError naming the file."""
    if not data:
        raise EvidenceError(f"文件「{name}」是空文件，请重新选择。")
    limit = settings.EVIDENCE_MAX_BYTES
    if len(data) > limit:
        raise EvidenceError(f"文件「{name}」大小为 {megabytes(len(data), round_up=True)}，超过上限 {megabytes(limit)}。")
    kind = sniff(data)
    if kind is None:
        raise EvidenceError(f"文件「{name}」的内容不是可接受的文件类型，只接受 {ACCEPTED_TEXT}。")
    ext = os.path.splitext(name)[1].lower()
    if ext not in kind.extensions:
        shown = ext or "（无扩展名）"
        raise EvidenceError(
            f"文件「{name}」的扩展名 {shown} 与其实际内容（{kind.label}）不符，"
            f"请使用正确的扩展名（{'、'.join(kind.extensions)}）后重新上传。"
        )
    return kind


def _lock_evaluation(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update(of=("self",)).select_related("period__standard").get(pk=evaluation.pk)


def _check_line(evaluation: Evaluation, line_id: str) -> None:
    standard = evaluation.period.standard.standard
    if line_id not in standard.lines_by_id:
        raise EvidenceError(f"评审标准中没有第 {line_id} 项，不能为其上传材料。")


def _check_may_change(evaluation: Evaluation, user: User) -> str:
    """The user's stage when they may add evidence to the sheet in its current state."""
    refusal = policy.evidence_refusal(user, evaluation)
    if refusal:
        raise EvidenceError(refusal)
    stage = policy.user_editable_stage(user, evaluation)
    assert stage is not None
    return stage


def can_change(evaluation: Evaluation, user: User) -> bool:
    """For templates: whether the upload form is offered (the service checks again)."""
    return policy.may_upload_evidence(user, evaluation)


def can_delete(evidence: Evidence, user: User) -> bool:
    return policy.may_delete_evidence(user, evidence)


def _revision_json(rev: EvidenceRevision) -> dict[str, Any]:
    return {
        "title": rev.evidence.title,
        "revision": rev.number,
        "name": rev.original_name,
        "size": rev.size,
        "sha256": rev.sha256,
        "type": rev.content_type,
    }


def upload(
    evaluation: Evaluation,
    user: User,
    line_id: str,
    uploaded_file: UploadedFile[Any],
    title: str | None = None,
    evidence: Evidence | None = None,
    also_lines: Iterable[str] = (),
) -> EvidenceRevision:
    """Add a file to a line: a new Evidence, or a new revision of `evidence` (earlier ones are kept).

    `also_lines`: further lines the new file backs (one file may back several lines).
    """
    line_id = str(line_id).strip()
    extra = [str(x).strip() for x in also_lines if str(x).strip() and str(x).strip() != line_id]
    name = clean_name(getattr(uploaded_file, "name", ""))
    title = (title or "").strip()
    if len(title) > TITLE_MAX:
        raise EvidenceError(f"材料名称不能超过 {TITLE_MAX} 个字。")
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > settings.EVIDENCE_MAX_BYTES:
        # Refuse before reading a huge file into memory.
        raise EvidenceError(
            f"文件「{name}」大小为 {megabytes(size, round_up=True)}，超过上限 {megabytes(settings.EVIDENCE_MAX_BYTES)}。"
        )
    data = _read_all(uploaded_file)
    kind = check_file(name, data)
    digest = hashlib.sha256(data).hexdigest()

    with transaction.atomic():
        ev = _lock_evaluation(evaluation)
        _check_line(ev, line_id)
        stage = _check_may_change(ev, user)
        previous = None
        if evidence is None:
            for other in extra:
                _check_line(ev, other)
            item = Evidence.objects.create(
                evaluation=ev, line_id=line_id, title=title or os.path.splitext(name)[0][:TITLE_MAX], created_by=user
            )
            EvidenceLine.objects.bulk_create(
                [EvidenceLine(evidence=item, line_id=lid) for lid in dict.fromkeys([line_id, *extra])]
            )
        else:
            try:
                item = Evidence.objects.select_for_update().get(pk=evidence.pk, evaluation=ev, is_deleted=False)
            except Evidence.DoesNotExist:
                raise EvidenceError("该证明材料不存在或已删除，不能上传新版本。")
            if item.line_id != line_id and not item.links.filter(line_id=line_id).exists():
                raise EvidenceError(f"该证明材料属于第 {item.line_id} 项，不是第 {line_id} 项。")
            if item.created_by.unit_id != user.unit_id:
                raise EvidenceError("只能为本单位上传的证明材料上传新版本，请另行添加材料。")
            previous = item.revisions.order_by("-number").first()
            if previous is not None and previous.sha256 == digest:
                raise EvidenceError(
                    f"文件「{name}」与「{item.title}」的当前版本（第 {previous.number} 版）内容完全相同，无需重复上传。"
                )
            if title and title != item.title:
                item.title = title
                item.save(update_fields=["title"])
        number = (item.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        rev = EvidenceRevision(
            evidence=item,
            number=number,
            original_name=name,
            content_type=kind.content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=user,
        )
        uploaded_file.seek(0)
        rev.file.save(name, uploaded_file, save=False)
        try:
            rev.save()
            record(
                ev,
                user,
                "evidence",
                line_id=line_id,
                stage=stage,
                field="file",
                old=_revision_json(previous) if previous else None,
                new=_revision_json(rev),
                note=f"上传「{item.title}」第 {number} 版：{name}",
            )
        except Exception:
            # Nothing half-written: the database rolls back, so the stored file goes too.
            if rev.file.name:
                rev.file.storage.delete(rev.file.name)
            raise
    return rev


def delete(evaluation: Evaluation, user: User, evidence: Evidence) -> Evidence:
    """Hide an evidence item; its revisions and files stay for the audit trail."""
    with transaction.atomic():
        ev = _lock_evaluation(evaluation)
        stage = _check_may_change(ev, user)
        try:
            item = Evidence.objects.select_for_update().get(pk=evidence.pk, evaluation=ev)
        except Evidence.DoesNotExist:
            raise EvidenceError("该证明材料不存在。")
        if item.is_deleted:
            raise EvidenceError(f"证明材料「{item.title}」已删除。")
        if item.created_by.unit_id != user.unit_id:
            raise EvidenceError(f"证明材料「{item.title}」由其他单位上传，您不能删除。")
        item.is_deleted = True
        item.save(update_fields=["is_deleted"])
        current = item.current
        record(
            ev,
            user,
            "evidence",
            line_id=item.line_id,
            stage=stage,
            field="deleted",
            old=_revision_json(current) if current else {"title": item.title},
            new=None,
            note=f"删除「{item.title}」（共 {item.revisions.count()} 个版本，文件保留备查）",
        )
    return item


def set_lines(evaluation: Evaluation, user: User, evidence: Evidence, line_ids: Iterable[str]) -> Evidence:
    """Set the lines one evidence item backs (always including the line it was uploaded for)."""
    with transaction.atomic():
        ev = _lock_evaluation(evaluation)
        stage = _check_may_change(ev, user)
        try:
            item = Evidence.objects.select_for_update().get(pk=evidence.pk, evaluation=ev, is_deleted=False)
        except Evidence.DoesNotExist:
            raise EvidenceError("该证明材料不存在或已删除。")
        if item.created_by.unit_id != user.unit_id:
            raise EvidenceError(f"证明材料「{item.title}」由其他单位上传，您不能修改其所证评审项。")
        wanted = list(dict.fromkeys([item.line_id, *(str(x).strip() for x in line_ids if str(x).strip())]))
        for lid in wanted:
            _check_line(ev, lid)
        old = sorted(item.links.values_list("line_id", flat=True))
        if sorted(wanted) == old:
            return item
        item.links.exclude(line_id__in=wanted).delete()
        EvidenceLine.objects.bulk_create(
            [EvidenceLine(evidence=item, line_id=lid) for lid in wanted if lid not in old]
        )
        record(ev, user, "evidence", line_id=item.line_id, stage=stage, field="lines", old=old,
               new=sorted(wanted), note=f"「{item.title}」所证评审项改为第 {'、'.join(wanted)} 项")
    return item


def active_evidence(evaluation: Evaluation, line_id: str | None = None) -> QuerySet[Evidence]:
    qs = (
        Evidence.objects.filter(evaluation=evaluation, is_deleted=False)
        .select_related("created_by", "created_by__unit")
        .prefetch_related("revisions__uploaded_by", "links")
        .order_by("line_id", "created_at", "pk")
    )
    if line_id is not None:
        qs = qs.filter(links__line_id=line_id).distinct()
    return qs


def evidence_counts(evaluation: Evaluation) -> dict[str, int]:
    """line_id -> number of (not deleted) evidence items backing it, for the sheet's badges."""
    rows = (
        EvidenceLine.objects.filter(evidence__evaluation=evaluation, evidence__is_deleted=False)
        .values("line_id")
        .annotate(n=Count("evidence_id", distinct=True))
    )
    return {row["line_id"]: row["n"] for row in rows if row["n"]}
