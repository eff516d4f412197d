"""Pages of the notice (公示) and its objections; the public notice page needs no account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from evaluations.models import Period, State
from jobs.services import start as start_job
from orgs.client_ip import client_ip
from orgs.models import AccessLog, log_access
from orgs.scoping import can, require
from orgs.workdays import working_window

from . import documents, selectors, services
from .forms import (
    AssignForm,
    DecideForm,
    FileForm,
    NoteForm,
    PublicObjectionForm,
    StaffObjectionForm,
    StartNoticeForm,
)
from .models import CaseStatus, Notice, Objection
from .services import NotAllowed, NoticeError


def _error(request, exc: Exception) -> None:
    messages.error(request, getattr(exc, "message", str(exc)))


# ------------------------------------------------------------------------------------------------
# City staff


@login_required
def index(request):
    require(request.user, "handle_objections")
    periods = []
    if can(request.user, "start_notice"):
        periods = list(Period.objects.filter(is_open=True).annotate(
            reviewed=Count("evaluations", filter=Q(evaluations__state=State.CITY_REVIEWED))).order_by("-year"))
    mine = selectors.cases().filter(assignee=request.user).exclude(status=CaseStatus.CLOSED)
    return render(request, "announcements/index.html", {
        "notices": selectors.notices().order_by("-started_at"), "periods": periods, "mine": mine,
        "today": timezone.localdate(),
    })


@login_required
def start(request, period_pk: int):
    require(request.user, "start_notice")
    period = get_object_or_404(Period, pk=period_pk)
    sheets = list(period.evaluations.filter(state=State.CITY_REVIEWED).select_related("community__county")
                  .order_by("community__code"))
    form = StartNoticeForm(request.POST or None, initial={"how_to_object": services.default_how_to_object(period)})
    window = None
    if form.is_valid():
        window = working_window(form.cleaned_data["start_on"], form.cleaned_data["working_days"])
        if request.POST.get("confirm") == "1":
            try:
                notice = services.open_notice(period, request.user, working_days=form.cleaned_data["working_days"],
                                              start_on=form.cleaned_data["start_on"],
                                              how_to_object=form.cleaned_data["how_to_object"])
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from None
            except NoticeError as exc:
                form.add_error(None, exc.message)
            else:
                notice = _run_start(request, notice)
                if notice.ready:
                    messages.success(request, f"已开始公示：{notice.title}（{notice.entries.count()} 个社区）。")
                return redirect("announcements:detail", pk=notice.pk)
    elif request.method == "GET":
        start_on = timezone.localdate()
        window = working_window(start_on, 5)
    return render(request, "announcements/start.html", {
        "period": period, "sheets": sheets, "form": form, "window": window,
    })


def _run_start(request, notice: Notice) -> Notice:
    """Move the list's sheets to 公示中 in a background job; the notice page follows its progress."""
    job = start_job("notice_start", request.user, request.user.unit, f"开始公示：{notice.title}",
                    {"notice_id": notice.pk}, link=reverse("announcements:detail", args=[notice.pk]), shared=True)
    Notice.objects.filter(pk=notice.pk).update(start_job=job)
    notice.refresh_from_db()
    return notice


@require_POST
@login_required
def resume_start(request, pk: int):
    """Start again a notice whose start job was interrupted (sheets already moved are skipped)."""
    require(request.user, "start_notice")
    notice = get_object_or_404(Notice, pk=pk)
    if not notice.ready and (notice.start_job is None or notice.start_job.finished):
        notice = _run_start(request, notice)
        if notice.ready:
            messages.success(request, f"已开始公示：{notice.title}（{notice.entries.count()} 个社区）。")
    return redirect("announcements:detail", pk=notice.pk)


@login_required
def detail(request, pk: int):
    require(request.user, "handle_objections")
    notice = get_object_or_404(Notice.objects.select_related("period", "started_by", "start_job"), pk=pk)
    cases = list(selectors.cases(notice).order_by("number"))
    for case in cases:
        case.shown_contact = services.mask_contact(case.contact)
    return render(request, "announcements/detail.html", {
        "notice": notice, "entries": selectors.entries(notice), "cases": cases,
        "refusal": services.notice_refusal(notice), "public_rows": selectors.public_rows(notice),
        "events": notice.events.filter(objection__isnull=True).select_related("user"),
        "can_receive": can(request.user, "handle_objections") and notice.window_open(),
    })


@login_required
def objection_create(request, pk: int):
    require(request.user, "handle_objections")
    notice = get_object_or_404(Notice.objects.select_related("period"), pk=pk)
    entries = selectors.entries(notice)
    form = StaffObjectionForm(request.POST or None, entries=entries)
    if request.method == "POST" and form.is_valid():
        entry = next((e for e in entries if e.pk == form.cleaned_data["entry"]), None)
        try:
            case = services.record_objection(
                notice, request.user, channel=form.cleaned_data["channel"], objector=form.cleaned_data["objector"],
                contact=form.cleaned_data["contact"], content=form.cleaned_data["content"], entry=entry)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except NoticeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已受理异议 {case.number}。")
            return redirect("announcements:case", pk=case.pk)
    return render(request, "announcements/objection_form.html", {"notice": notice, "form": form})


def _case_for(request, pk: int) -> Objection:
    require(request.user, "handle_objections")
    return get_object_or_404(selectors.cases().select_related("entry__evaluation__period__standard", "received_by",
                                                              "decided_by"), pk=pk)


def _line_choices(case: Objection) -> list[tuple[str, str]]:
    if case.entry is None:
        return []
    standard = case.entry.evaluation.period.standard.standard
    return [(line.id, f"第 {line.id} 行：{line.content.splitlines()[-1][:30]}") for line in standard.stage_lines("city")]


@login_required
def case(request, pk: int):
    item = _case_for(request, pk)
    show_contact = services.may_see_contact(request.user, item)
    if show_contact:
        log_access(request.user, AccessLog.Kind.UNMASK, f"异议 {item.number} 异议人联系方式", objection=item.pk)
    work = services.may_work_on(request.user, item)
    return render(request, "announcements/case.html", {
        "case": item, "notice": item.notice,
        "contact": item.contact if show_contact else services.mask_contact(item.contact),
        "contact_masked": not show_contact,
        "notes": item.notes.select_related("user"), "files": item.files.select_related("uploaded_by"),
        "events": item.events.select_related("user"),
        "can_assign": can(request.user, "assign_objections") and item.status in (CaseStatus.RECEIVED,
                                                                                 CaseStatus.INVESTIGATING),
        "assign_form": AssignForm(users=services.assignable_users(), initial={"assignee": item.assignee_id}),
        "can_work": work,
        "note_form": NoteForm(), "file_form": FileForm(),
        "decide_form": DecideForm(line_choices=_line_choices(item)),
        "lines_possible": item.entry is not None,
    })


@login_required
@require_POST
def case_assign(request, pk: int):
    item = _case_for(request, pk)
    require(request.user, "assign_objections")
    form = AssignForm(request.POST, users=services.assignable_users())
    if not form.is_valid():
        messages.error(request, "请选择承办人。")
        return redirect("announcements:case", pk=pk)
    assignee = get_object_or_404(services.assignable_users(), pk=form.cleaned_data["assignee"])
    try:
        services.assign(item, request.user, assignee)
    except NoticeError as exc:
        _error(request, exc)
    else:
        messages.success(request, f"已分派给 {assignee}。")
    return redirect("announcements:case", pk=pk)


@login_required
@require_POST
def case_note(request, pk: int):
    item = _case_for(request, pk)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise NoticeError("请填写调查记录（不超过 4000 字）。")
        services.add_note(item, request.user, form.cleaned_data["text"])
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except NoticeError as exc:
        _error(request, exc)
    else:
        messages.success(request, "已添加调查记录。")
    return redirect("announcements:case", pk=pk)


@login_required
@require_POST
def case_file(request, pk: int):
    item = _case_for(request, pk)
    form = FileForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise NoticeError("请选择要上传的文件。")
        services.add_file(item, request.user, form.cleaned_data["file"])
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except NoticeError as exc:
        _error(request, exc)
    else:
        messages.success(request, "已上传调查材料。")
    return redirect("announcements:case", pk=pk)


@login_required
def case_file_download(request, pk: int, file_pk: int):
    item = _case_for(request, pk)
    upload = get_object_or_404(item.files, pk=file_pk)
    try:
        handle = upload.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("文件不存在，请联系管理员。") from None
    log_access(request.user, AccessLog.Kind.DOWNLOAD, f"异议 {item.number} 调查材料「{upload.original_name}」",
               objection=item.pk, file=upload.pk, sha256=upload.sha256)
    response = FileResponse(handle, as_attachment=True, filename=upload.original_name,
                            content_type=upload.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def case_decide(request, pk: int):
    item = _case_for(request, pk)
    form = DecideForm(request.POST, line_choices=_line_choices(item))
    try:
        if not form.is_valid():
            raise NoticeError("请选择处理结论并填写理由。")
        decided = services.decide(item, request.user, decision=form.cleaned_data["decision"],
                                  reasons=form.cleaned_data["reasons"], lines=form.cleaned_data["lines"])
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except NoticeError as exc:
        _error(request, exc)
    else:
        if decided.status == CaseStatus.REVIEWING:
            messages.success(request, f"{decided.get_decision_display()}：{decided.entry.community_name}的评估表"
                                      f"第 {'、'.join(decided.lines)} 行已退回市级重新复核，复核完成后重新列入公示。")
        else:
            messages.success(request, f"{decided.get_decision_display()}，异议 {decided.number} 已办结。")
    return redirect("announcements:case", pk=pk)


# ------------------------------------------------------------------------------------------------
# Public: no account, only the list and how to object


def document(request, pk: int, fmt: str):
    if fmt not in documents.CONTENT_TYPES:
        raise Http404("不支持的文件格式。")
    notice = get_object_or_404(Notice.objects.filter(ready=True).select_related("period"), pk=pk)
    response = HttpResponse(documents.document_bytes(notice, fmt), content_type=documents.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f"attachment; filename=\"notice-{notice.period.year}-{notice.number}.{fmt}\"; "
        f"filename*=UTF-8''{_quote(notice.title)}.{fmt}")
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def public_index(request):
    notices = Notice.objects.filter(ready=True).select_related("period").order_by("-starts_on", "-id")
    return render(request, "announcements/public_index.html", {"notices": notices, "today": timezone.localdate()})


@csrf_protect
def public(request, pk: int):
    notice = get_object_or_404(Notice.objects.filter(ready=True).select_related("period"), pk=pk)
    entries = [e for e in notice.entries.order_by("district", "street", "community_name")]
    form = PublicObjectionForm(request.POST or None, entries=entries)
    submitted = None
    status = 200
    if request.method == "POST":
        key = services.client_key(client_ip(request))
        if services.throttled(key):
            form.add_error(None, "同一网络地址提交过于频繁，请一小时后再试，或通过来信、来电、来访方式反映。")
            status = 429
        elif form.is_valid():
            entry = next((e for e in entries if e.pk == form.cleaned_data["entry"]), None)
            try:
                submitted = services.submit_public_objection(
                    notice, contact=form.cleaned_data["contact"], content=form.cleaned_data["content"], entry=entry,
                    client=key)
            except NoticeError as exc:
                form.add_error(None, exc.message)
            else:
                form = PublicObjectionForm(entries=entries)
        else:
            status = 400
    return render(request, "announcements/public.html", {
        "notice": notice, "rows": selectors.public_rows(notice), "form": form, "submitted": submitted,
        "window_open": notice.window_open(), "today": timezone.localdate(),
    }, status=status)

