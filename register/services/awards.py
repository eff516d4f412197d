"""The star register's writes: an award follows each published result; the city downgrades or revokes.

`record_award` is called by `evaluations.services.workflow.transition` inside the publish transaction (and
by the appeal service when a re-scored result is published again). Downgrades and revocations are the
city administrator's, with reasons and a document, each one an `AwardChange` row (append-only).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from evaluations.models import Evaluation, Period
from evaluations.services.evidence import EvidenceError, check_file, clean_name
from orgs.models import User
from orgs.scoping import can

from ..models import Award, AwardChange, AwardStatus

MAX_REASON = 2000


class RegisterError(Exception):
    """A refused register change; the message is Chinese and shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def star_names(period: Period) -> list[str]:
    """The period's star bands, highest first (as the engine reads them)."""
    bands = period.star_bands or period.standard.standard.star_bands
    names = []
    for band in bands:
        name = band["name"] if isinstance(band, dict) else band.name
        names.append(str(name))
    return names


def next_certificate_no(period: Period) -> str:
    """`<year>-<seq>`: sequential within the period (the period row is locked by the publish transaction)."""
    used = Award.objects.filter(period=period).count()
    number = used + 1
    while True:
        candidate = f"{period.year}-{number:04d}"
        if not Award.objects.filter(certificate_no=candidate).exists():
            return candidate
        number += 1


def record_award(evaluation: Evaluation, user: User, *, kind: str = AwardChange.Kind.AWARD, reason: str = "") -> Award | None:
    """Bring the register in line with the sheet's published result (inside the caller's transaction).

    A first result with a star creates the award; a later one (republished after a reopen, or changed on
    appeal) updates its star and total. A revoked award stays revoked: only the city lifts a 摘牌.
    """
    award = Award.objects.select_for_update().filter(evaluation=evaluation).first()
    star = evaluation.star if evaluation.result_status == "evaluated" else ""
    if award is None:
        if not star:
            return None
        award = Award.objects.create(
            evaluation=evaluation, period_id=evaluation.period_id, community_id=evaluation.community_id,
            certificate_no=next_certificate_no(evaluation.period), awarded_star=star, star=star,
            total=evaluation.city_total, awarded_on=timezone.localdate(), status=AwardStatus.VALID,
        )
        AwardChange.objects.create(award=award, kind=AwardChange.Kind.AWARD, new_star=star,
                                   new_status=AwardStatus.VALID, reason=reason or "评审结果公布", user=user)
        return award
    if award.status == AwardStatus.REVOKED:
        return award
    old_star, old_status = award.star, award.status
    award.total = evaluation.city_total
    award.star = star
    award.status = AwardStatus.VALID if star else AwardStatus.REVOKED
    if (old_star, old_status) == (award.star, award.status):
        award.save(update_fields=["total", "updated_at"])
        return award
    award.save(update_fields=["total", "star", "status", "updated_at"])
    change_kind = kind if kind != AwardChange.Kind.AWARD else AwardChange.Kind.RESCORE
    AwardChange.objects.create(
        award=award, kind=change_kind, old_star=old_star, new_star=award.star, old_status=old_status,
        new_status=award.status, reason=reason or ("重新公布的结果未达星级标准" if not star else "重新公布的结果"),
        user=user,
    )
    return award


def _document(uploaded: Any) -> tuple[bytes, str, str]:
    if uploaded is None:
        raise RegisterError("请上传决定文件（PDF 或图片）。")
    name = clean_name(getattr(uploaded, "name", ""))
    uploaded.seek(0)
    data = b"".join(uploaded.chunks()) if hasattr(uploaded, "chunks") else uploaded.read()
    try:
        kind = check_file(name, data)
    except EvidenceError as exc:
        raise RegisterError(str(exc)) from None
    return data, name, kind.content_type


def change_status(award: Award, user: User, action: str, reason: str, document: Any,
                  new_star: str = "") -> Award:
    """Downgrade (降星, to a lower star of the period) or revoke (摘牌) an award, with reasons and a document."""
    if not can(user, "manage_register"):
        raise RegisterError("只有市级管理员可以降星或摘牌。")
    reason = (reason or "").strip()
    if not reason:
        raise RegisterError("请填写降星或摘牌的原因。")
    if len(reason) > MAX_REASON:
        raise RegisterError(f"原因不能超过 {MAX_REASON} 字。")
    if action not in (AwardChange.Kind.DOWNGRADE, AwardChange.Kind.REVOKE):
        raise RegisterError("未知的名录操作。")
    data, name, content_type = _document(document)
    with transaction.atomic():
        locked = Award.objects.select_for_update(of=("self",)).select_related("period__standard").get(pk=award.pk)
        if locked.status == AwardStatus.REVOKED:
            raise RegisterError(f"证书 {locked.certificate_no} 已摘牌，不能再{'降星' if action == 'downgrade' else '摘牌'}。")
        old_star, old_status = locked.star, locked.status
        if action == AwardChange.Kind.DOWNGRADE:
            names = star_names(locked.period)
            lower = names[names.index(locked.star) + 1:] if locked.star in names else []
            if new_star not in lower:
                shown = "、".join(lower) or "无（已是最低星级，请改用摘牌）"
                raise RegisterError(f"降星须选择低于「{locked.star}」的星级：{shown}。")
            locked.star, locked.status = new_star, AwardStatus.DOWNGRADED
        else:
            locked.status = AwardStatus.REVOKED
        locked.save(update_fields=["star", "status", "updated_at"])
        AwardChange.objects.create(
            award=locked, kind=action, old_star=old_star, new_star=locked.star if action == "downgrade" else "",
            old_status=old_status, new_status=locked.status, reason=reason, document_name=name,
            document_type=content_type, document_sha256=hashlib.sha256(data).hexdigest(), user=user,
            document=ContentFile(data, name=name),
        )
    return locked
