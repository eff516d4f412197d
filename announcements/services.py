"""公示 and objections: every write of the announcements app.

Each write is one transaction: lock the row, check the from-state (Chinese domain error), save the
fields it changes, write a `NoticeEvent`. Sheet state changes go through the evaluations workflow
(`transition(..., via=...)`), so the policy and the sheet's audit trail see them like any other step.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from evaluations.audit import record
from evaluations.models import Evaluation, Period, State
from evaluations.policy import Action
from evaluations.services.evidence import EvidenceError, check_file, clean_name
from evaluations.services.workflow import NotAllowed, WorkflowError, transition
from orgs.models import Role, User
from orgs.scoping import can
from orgs.workdays import working_window

from .models import (
    DEFAULT_WORKING_DAYS,
    OPEN_STATUSES,
    CaseFile,
    CaseNote,
    CaseStatus,
    Channel,
    Decision,
    Notice,
    NoticeEntry,
    NoticeEvent,
    Objection,
)

MIN_WORKING_DAYS = 5  # the rules: at least five working days
MAX_WORKING_DAYS = 30
CONTENT_MIN, CONTENT_MAX = 10, 2000


class NoticeError(WorkflowError):
    """A refused notice or objection step; `message` is Chinese and shown as is."""


def _require(user: User, permission: str) -> None:
    if not can(user, permission):
        raise NotAllowed(f"您的角色（{user.get_role_display()}）无权办理此事项。")


def _event(notice: Notice, user: User | None, action: str, note: str = "", objection: Objection | None = None) -> None:
    NoticeEvent.objects.create(notice=notice, objection=objection, action=action, note=note, user=user)


def default_how_to_object(period: Period) -> str:
    return (
        "公示期间，任何单位和个人对公示名单有异议的，可通过本页面下方的表单在线提交，"
        "或以来信、来电、来访方式向市人力资源和社会保障局就业促进科反映。"
        "反映情况应实事求是，请写明所涉社区和具体事实，并留下联系方式以便核实和答复。"
    )


# ------------------------------------------------------------------------------------------------
# The notice


# Sheets moved to 公示中 per transaction: a period of 3,000 sheets takes minutes (each move is a full workflow
# step with its audit trail); short transactions keep the database open to other writers meanwhile.
START_CHUNK = 50


def open_notice(
    period: Period,
    user: User,
    *,
    working_days: int = DEFAULT_WORKING_DAYS,
    start_on: datetime.date | None = None,
    how_to_object: str = "",
    allow_past: bool = False,
) -> Notice:
    """Freeze the period's city-reviewed sheets into a notice list (one short transaction). The notice is
    not yet started (`ready` false, shown nowhere public) until `complete_start` has moved every sheet.

    `allow_past` is for recording a notice that already ran (the demo's earlier years); the page always
    starts today or later."""
    _require(user, "start_notice")
    today = timezone.localdate()
    start_on = start_on or today
    if start_on < today and not allow_past:
        raise NoticeError("公示开始日期不能早于今天。")
    if not MIN_WORKING_DAYS <= working_days <= MAX_WORKING_DAYS:
        raise NoticeError(f"公示期应为 {MIN_WORKING_DAYS}～{MAX_WORKING_DAYS} 个工作日。")
    how_to_object = (how_to_object or "").strip() or default_how_to_object(period)
    if len(how_to_object) > 2000:
        raise NoticeError("异议受理方式不能超过 2000 字。")
    with transaction.atomic():
        Period.objects.select_for_update().get(pk=period.pk)
        pending = Notice.objects.filter(period=period, ready=False).first()
        if pending is not None:
            raise NoticeError(f"「{pending.title}」尚未开始完成，请在该公示页面继续，完成后再开始下一批。")
        sheets = list(
            Evaluation.objects.filter(period=period, state=State.CITY_REVIEWED)
            .select_related("community__county", "community__street")
            .order_by("community__code")
        )
        if not sheets:
            raise NoticeError(f"{period.name}没有「市级已复核」的评估表，无需公示。")
        window = working_window(start_on, working_days)
        number = (Notice.objects.filter(period=period).aggregate(n=Max("number"))["n"] or 0) + 1
        title = f"{period.name}拟认定充分就业星级社区名单公示" + (f"（第{number}批）" if number > 1 else "")
        notice = Notice.objects.create(
            period=period, number=number, title=title, starts_on=window.start, ends_on=window.end,
            working_days=working_days, calendar_note=window.fallback_note, how_to_object=how_to_object,
            started_by=user, ready=False,
        )
        NoticeEntry.objects.bulk_create([
            NoticeEntry(
                notice=notice, evaluation=ev, community=ev.community,
                district=ev.community.county.name if ev.community.county else "",
                street=ev.community.street.name if ev.community.street else "",
                community_name=ev.community.name, total=ev.city_total, star=ev.star,
            )
            for ev in sheets
        ])
    return notice


def complete_start(notice: Notice, user: User, progress: Callable[[int, int], None] | None = None) -> Notice:
    """Move the notice's sheets to 公示中, START_CHUNK per transaction, then mark the notice started.

    May run again after an interruption: sheets already moved are skipped. A sheet that left 市级已复核
    meanwhile (reopened by a city reviewer) is taken off the list, and the start event says so."""
    _require(user, "start_notice")
    if notice.ready:
        return notice
    comment = f"{notice.title}：{notice.starts_on:%Y-%m-%d} 至 {notice.ends_on:%Y-%m-%d}"
    waiting = list(notice.entries.filter(evaluation__state=State.CITY_REVIEWED)
                   .order_by("pk").values_list("evaluation_id", flat=True))
    total = len(waiting)
    for i in range(0, total, START_CHUNK):
        with transaction.atomic():
            chunk = (Evaluation.objects.filter(pk__in=waiting[i : i + START_CHUNK], state=State.CITY_REVIEWED)
                     .select_related("period", "community").order_by("pk"))
            for ev in chunk:
                transition(ev, user, "start_notice", comment=comment, via="notice")
        if progress is not None:
            progress(min(i + START_CHUNK, total), total)
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.ready:
            return locked
        left = list(locked.entries.exclude(evaluation__state=State.NOTICE).values_list("community_name", flat=True))
        if left:
            locked.entries.exclude(evaluation__state=State.NOTICE).delete()
        count = locked.entries.count()
        if not count:
            raise NoticeError("名单中的评估表均已不在「市级已复核」状态，公示未开始。")
        locked.ready = True
        locked.save(update_fields=["ready"])
        _event(locked, user, "start",
               f"公示 {count} 个社区，{locked.starts_on:%Y-%m-%d} 至 {locked.ends_on:%Y-%m-%d}（{locked.working_days}个工作日）"
               + (f"；开始期间已退回复核、未列入：{'、'.join(left)}" if left else ""))
    return locked


def start_notice(period: Period, user: User, **options: Any) -> Notice:
    """Freeze the list and move every sheet at once (`open_notice`'s options; the page runs the second
    part as a job)."""
    return complete_start(open_notice(period, user, **options), user)


def current_notice_entry(evaluation: Evaluation) -> NoticeEntry | None:
    return evaluation.notice_entries.select_related("notice").order_by("-notice__started_at", "-id").first()


def open_cases(notice: Notice) -> QuerySet[Objection]:
    return notice.objections.filter(status__in=OPEN_STATUSES)


def notice_refusal(notice: Notice, today: datetime.date | None = None) -> str:
    """Why the notice's sheets may not be published now, in Chinese ('' when they may)."""
    if not notice.ready:
        return f"「{notice.title}」尚未开始完成，不能公布。"
    if not notice.window_ended(today):
        return f"「{notice.title}」的公示期至 {notice.ends_on:%Y年%m月%d日} 截止，公示期满后方可公布。"
    pending = list(open_cases(notice).values_list("number", flat=True))
    if pending:
        return (f"公示期间收到的异议尚有 {len(pending)} 件未办结（{'、'.join(pending)}），"
                "全部办结后方可公布。")
    return ""


def publication_refusal(evaluation: Evaluation, today: datetime.date | None = None) -> str:
    """Why the sheet may not be published now, in Chinese ('' when it may)."""
    entry = current_notice_entry(evaluation)
    if entry is None:
        return "该评估表未经公示，不能公布。"
    return notice_refusal(entry.notice, today)


def check_publication(evaluation: Evaluation, user: User, action: Action) -> None:
    """Before every transition: publication waits for the window and the cases."""
    if action.name != "publish":
        return
    refusal = publication_refusal(evaluation)
    if refusal:
        raise NoticeError(refusal)


def record_publication(evaluation: Evaluation, user: User, action: Action) -> bool:
    """After publication: the published result records its notice, the window and the cases."""
    if action.name == "publish":
        entry = current_notice_entry(evaluation)
        if entry is not None:
            entry.published_at = timezone.now()
            entry.save(update_fields=["published_at"])
            notice = entry.notice
            cases = list(notice.objections.order_by("number"))
            mine = [c for c in cases if c.entry_id == entry.pk]
            summary = "；".join(f"{c.number}（{c.get_decision_display() or c.get_status_display()}）" for c in cases)
            record(evaluation, user, "notice", field="notice", new=notice.pk,
                   note=(f"公布依据：{notice.title}，公示期 {notice.starts_on:%Y-%m-%d} 至 {notice.ends_on:%Y-%m-%d}"
                         f"（{notice.working_days}个工作日）；收到异议 {len(cases)} 件"
                         + (f"：{summary}" if cases else "")
                         + (f"；其中涉及本社区 {len(mine)} 件" if mine else "")))
        return False
    if action.name == "city_complete":
        return rejoin_after_review(evaluation, user)
    return False


# ------------------------------------------------------------------------------------------------
# Objections: receiving


def _next_number(notice: Notice) -> str:
    prefix = f"YY{notice.period.year}-{notice.number}-"
    last = (Objection.objects.filter(notice=notice, number__startswith=prefix)
            .order_by("-id").values_list("number", flat=True).first())
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:03d}"


def _clean_text(contact: str, content: str) -> tuple[str, str]:
    contact, content = (contact or "").strip(), (content or "").strip()
    if not contact:
        raise NoticeError("请填写联系方式（电话或通信地址），以便核实和答复。")
    if len(contact) > 200:
        raise NoticeError("联系方式不能超过 200 字。")
    if len(content) < CONTENT_MIN:
        raise NoticeError(f"异议内容不能少于 {CONTENT_MIN} 字，请写明所涉社区和具体事实。")
    if len(content) > CONTENT_MAX:
        raise NoticeError(f"异议内容不能超过 {CONTENT_MAX} 字。")
    return contact, content


def _check_entry(notice: Notice, entry: NoticeEntry | None) -> None:
    if entry is not None and entry.notice_id != notice.pk:
        raise NoticeError("所选社区不在本次公示名单中。")


def _check_window(notice: Notice, today: datetime.date | None = None) -> None:
    if not notice.ready:
        raise NoticeError("公示尚未开始完成，暂不能受理异议。")
    today = today or timezone.localdate()
    if today < notice.starts_on:
        raise NoticeError(f"公示自 {notice.starts_on:%Y年%m月%d日} 开始，尚不能受理异议。")
    if today > notice.ends_on:
        raise NoticeError(f"公示已于 {notice.ends_on:%Y年%m月%d日} 截止，不再受理异议。")


def record_objection(
    notice: Notice,
    user: User,
    *,
    channel: str,
    objector: str,
    contact: str,
    content: str,
    entry: NoticeEntry | None = None,
) -> Objection:
    """An objection received by city staff (letter, phone, visit) during the window."""
    _require(user, "handle_objections")
    if channel not in (Channel.LETTER, Channel.PHONE, Channel.VISIT):
        raise NoticeError("请选择受理渠道（来信、来电或来访）。")
    objector = (objector or "").strip()
    if not objector:
        raise NoticeError("请填写异议人（姓名或单位；匿名的写“匿名”）。")
    if len(objector) > 100:
        raise NoticeError("异议人不能超过 100 字。")
    contact, content = _clean_text(contact, content)
    _check_entry(notice, entry)
    with transaction.atomic():
        locked = Notice.objects.select_for_update(of=("self",)).select_related("period").get(pk=notice.pk)
        _check_window(locked)
        case = Objection.objects.create(
            notice=locked, number=_next_number(locked), channel=channel, entry=entry, objector=objector,
            contact=contact, content=content, received_by=user,
        )
        _event(locked, user, "receive", f"受理异议（{case.get_channel_display()}）", case)
    return case


def client_key(address: str | None) -> str:
    """A keyed hash of the client address: counts submissions without storing the address."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "unknown").encode(), hashlib.sha256).hexdigest()


def throttled(key: str) -> bool:
    """The address sent OBJECTION_THROTTLE_PER_HOUR objections in the last hour (any notice)."""
    since = timezone.now() - datetime.timedelta(hours=1)
    recent = Objection.objects.filter(client_key=key, received_at__gte=since).count()
    return recent >= settings.OBJECTION_THROTTLE_PER_HOUR


def submit_public_objection(
    notice: Notice, *, contact: str, content: str, entry: NoticeEntry | None = None, client: str = "",
) -> Objection:
    """An objection sent through the public notice page (no account; the view throttles by `client`)."""
    contact, content = _clean_text(contact, content)
    _check_entry(notice, entry)
    with transaction.atomic():
        locked = Notice.objects.select_for_update(of=("self",)).select_related("period").get(pk=notice.pk)
        _check_window(locked)
        case = Objection.objects.create(
            notice=locked, number=_next_number(locked), channel=Channel.ONLINE, entry=entry,
            objector="网上提交", contact=contact, content=content, client_key=client,
        )
        _event(locked, None, "receive", "公示页面网上提交异议", case)
    return case


# ------------------------------------------------------------------------------------------------
# Objections: handling


def _lock_case(objection: Objection) -> Objection:
    return Objection.objects.select_for_update(of=("self",)).select_related("notice__period", "entry__evaluation").get(
        pk=objection.pk)


def handles(user: User, case: Objection) -> bool:
    """The administrator, or the reviewer the case is assigned to."""
    return user.role == Role.CITY_ADMIN or (case.assignee_id is not None and case.assignee_id == user.pk)


def may_see_contact(user: User, case: Objection) -> bool:
    """The objector's contact: for the administrator and the case's reviewer (who answer the objector)."""
    return can(user, "handle_objections") and handles(user, case)


def may_work_on(user: User, case: Objection) -> bool:
    return can(user, "decide_objections") and handles(user, case) and case.status == CaseStatus.INVESTIGATING


def assignable_users() -> QuerySet[User]:
    return User.objects.filter(role__in=[Role.CITY_REVIEWER, Role.CITY_ADMIN], is_active=True).order_by(
        "role", "username")


def assign(objection: Objection, user: User, assignee: User) -> Objection:
    _require(user, "assign_objections")
    if not assignee.is_active or not can(assignee, "decide_objections"):
        raise NoticeError("承办人须为在岗的市级复核人员或市级管理员。")
    with transaction.atomic():
        case = _lock_case(objection)
        if case.status not in (CaseStatus.RECEIVED, CaseStatus.INVESTIGATING):
            raise NoticeError(f"异议 {case.number} 当前为「{case.get_status_display()}」，不能再分派。")
        old = case.assignee
        case.assignee, case.status = assignee, CaseStatus.INVESTIGATING
        case.save(update_fields=["assignee", "status"])
        _event(case.notice, user, "assign",
               f"分派给 {assignee}" + (f"（原承办人 {old}）" if old and old != assignee else ""), case)
    return case


def add_note(objection: Objection, user: User, text: str) -> CaseNote:
    text = (text or "").strip()
    if not text:
        raise NoticeError("请填写调查记录。")
    if len(text) > 4000:
        raise NoticeError("调查记录不能超过 4000 字。")
    with transaction.atomic():
        case = _lock_case(objection)
        if not may_work_on(user, case):
            raise NotAllowed("只有承办人或市级管理员可以在调查核实阶段添加记录。")
        note = CaseNote.objects.create(objection=case, text=text, user=user)
        _event(case.notice, user, "note", "添加调查记录", case)
    return note


def add_file(objection: Objection, user: User, uploaded: Any) -> CaseFile:
    name = clean_name(getattr(uploaded, "name", ""))
    uploaded.seek(0)
    data = uploaded.read()
    try:
        kind = check_file(name, data)
    except EvidenceError as exc:
        raise NoticeError(str(exc)) from None
    with transaction.atomic():
        case = _lock_case(objection)
        if not may_work_on(user, case):
            raise NotAllowed("只有承办人或市级管理员可以在调查核实阶段上传材料。")
        item = CaseFile(objection=case, original_name=name, content_type=kind.content_type, size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=user)
        item.file.save(name, ContentFile(data), save=False)
        item.save()
        _event(case.notice, user, "file", f"上传调查材料「{name}」", case)
    return item


def decide(
    objection: Objection, user: User, *, decision: str, reasons: str, lines: Iterable[str] = (),
) -> Objection:
    """Decide a case. Upheld (or partly) with a community named: its lines are reopened at the city stage
    and the case stays open until the re-review completes (its new result then joins the list)."""
    if decision not in Decision.values:
        raise NoticeError("请选择处理结论。")
    reasons = (reasons or "").strip()
    if not reasons:
        raise NoticeError("请填写处理理由（将答复异议人）。")
    if len(reasons) > 2000:
        raise NoticeError("处理理由不能超过 2000 字。")
    chosen = [str(x) for x in lines if str(x).strip()]
    with transaction.atomic():
        case = _lock_case(objection)
        if case.status != CaseStatus.INVESTIGATING:
            raise NoticeError(f"异议 {case.number} 当前为「{case.get_status_display()}」，不能作出处理结论。")
        if not may_work_on(user, case):
            raise NotAllowed("只有承办人或市级管理员可以作出处理结论。")
        entry_id = case.entry_id
        changes_result = decision in (Decision.UPHELD, Decision.PARTLY) and entry_id is not None
        now = timezone.now()
        case.decision, case.reasons, case.decided_by, case.decided_at = decision, reasons, user, now
        label = Decision(decision).label
        if changes_result and entry_id is not None:
            if not chosen:
                raise NoticeError("异议成立的，请选择需要重新复核的评审项。")
            entry = NoticeEntry.objects.select_for_update(of=("self",)).select_related("evaluation").get(pk=entry_id)
            ev = entry.evaluation
            if ev.state != State.NOTICE:
                raise NoticeError(f"{entry.community_name}的评估表当前不在公示中，不能因异议重新复核。")
            transition(ev, user, "reopen_for_objection", comment=f"异议 {case.number}{label}：{reasons}",
                       lines=chosen, via="objection")
            entry.reopened = True
            entry.save(update_fields=["reopened"])
            case.lines = list(Evaluation.objects.get(pk=ev.pk).returned_lines)
            case.status = CaseStatus.REVIEWING
        else:
            case.lines, case.status, case.closed_at = [], CaseStatus.CLOSED, now
        case.save(update_fields=["decision", "reasons", "decided_by", "decided_at", "lines", "status", "closed_at"])
        _event(case.notice, user, "decide",
               f"{label}：{reasons}" + (f"；重新复核第 {'、'.join(case.lines)} 行" if case.lines else ""), case)
    return case


def rejoin_after_review(evaluation: Evaluation, user: User) -> bool:
    """The city completed a re-review opened by an objection: the result joins the list again and the
    case is closed. Runs inside the completing transition's transaction."""
    cases = list(
        Objection.objects.select_for_update().filter(status=CaseStatus.REVIEWING, entry__evaluation=evaluation)
        .select_related("notice", "entry")
    )
    if not cases:
        return False
    ev = Evaluation.objects.get(pk=evaluation.pk)
    transition(ev, user, "rejoin_notice", comment="异议 " + "、".join(c.number for c in cases) + " 复核完成，重新列入公示",
               via="objection")
    ev.refresh_from_db()
    now = timezone.now()
    for entry in {c.entry for c in cases if c.entry is not None}:
        entry.reopened, entry.revised_total, entry.revised_star, entry.revised_at = False, ev.city_total, ev.star, now
        entry.save(update_fields=["reopened", "revised_total", "revised_star", "revised_at"])
    for case in cases:
        case.status, case.closed_at = CaseStatus.CLOSED, now
        case.save(update_fields=["status", "closed_at"])
        total = "—" if ev.city_total is None else f"{ev.city_total.normalize():f}"
        _event(case.notice, user, "close", f"重新复核完成：总分 {total}，{ev.star or '未达星级标准'}；已重新列入公示", case)
    return True


# ------------------------------------------------------------------------------------------------
# Masking


def mask_contact(contact: str) -> str:
    """Digits of a phone number keep their first three and last four; other text its first character."""
    text = contact.strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 7 and len(digits) >= len(text) - 4:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return (text[:1] + "*" * min(len(text) - 1, 8)) if text else ""
