"""Pages of the register app: thin — look up in scope, call the service, message, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from evaluations import selectors as sheet_selectors
from evaluations.models import Evaluation, Period
from evaluations.services.workflow import NotAllowed, WorkflowError
from jobs.services import start as start_job
from orgs.models import Level, Unit, log_access
from orgs.scoping import can, get_for_user, require, visible_communities

from . import selectors
from .forms import AppealForm, AwardChangeForm, DecisionForm, PanelAssignForm, PanelRateForm, RulesForm
from .jobs import EXPORT_FORMATS
from .models import AppealFile, AppealStatus, Award, AwardChange, AwardStatus, PanelRating
from .services import appeals as appeal_service
from .services import awards as award_service
from .services import panel as panel_service
from .services.rules import rules_for, update_rules

PAGE_SIZE = 50


def _years() -> list[int]:
    return list(Period.objects.order_by("-year").values_list("year", flat=True))


def _filtered(qs, request: HttpRequest):
    year = request.GET.get("year", "")
    status = request.GET.get("status", "")
    if year.isdigit():
        qs = qs.filter(period__year=int(year))
    if status in AwardStatus.values:
        qs = qs.filter(status=status)
    return qs, year, status


@login_required
def index(request: HttpRequest) -> HttpResponse:
    qs, year, status = _filtered(selectors.register_for(request.user).order_by("-period__year", "community__code"),
                                 request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "register/index.html", {
        "page": page, "years": _years(), "year": year, "status": status, "statuses": AwardStatus.choices,
        "formats": EXPORT_FORMATS,
    })


@require_POST
@login_required
def export(request: HttpRequest) -> HttpResponse:
    require(request.user, "export")
    fmt = request.POST.get("fmt", "")
    if fmt not in EXPORT_FORMATS:
        raise Http404("不支持的导出格式。")
    year = request.POST.get("year", "")
    status = request.POST.get("status", "")
    params = {"fmt": fmt, "year": int(year) if year.isdigit() else None,
              "status": status if status in AwardStatus.values else ""}
    job = start_job("register_export", request.user, request.user.unit, f"星级社区名录（{fmt}）", params,
                    link=reverse("register:index"))
    return redirect("jobs:detail", pk=job.pk)


@login_required
def award(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_user(request.user, selectors.awards(), "view", pk=pk)
    form = None
    if can(request.user, "manage_register") and item.status != AwardStatus.REVOKED:
        form = AwardChangeForm(stars=_lower_stars(item))
    return render(request, "register/award.html", {
        "award": item, "changes": item.changes.select_related("user").order_by("at", "id"), "form": form,
    })


def _lower_stars(item: Award) -> list[str]:
    names = award_service.star_names(item.period)
    return names[names.index(item.star) + 1:] if item.star in names else []


@require_POST
@login_required
def award_change(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_user(request.user, selectors.awards(), "manage_register", pk=pk)
    form = AwardChangeForm(request.POST, request.FILES, stars=_lower_stars(item))
    if not form.is_valid():
        messages.error(request, "提交的内容有误：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("register:award", pk=pk)
    data = form.cleaned_data
    try:
        award_service.change_status(item, request.user, data["action"], data["reason"], data["document"],
                                    data.get("new_star") or "")
    except award_service.RegisterError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"证书 {item.certificate_no} 已{'降星' if data['action'] == 'downgrade' else '摘牌'}。")
    return redirect("register:award", pk=pk)


@login_required
def award_document(request: HttpRequest, pk: int) -> FileResponse:
    change = get_for_user(request.user, AwardChange.objects.select_related("award"), "view", pk=pk)
    if not change.document:
        raise Http404("该记录没有文件。")
    log_access(request.user, "download", f"名录决定文件 {change.award.certificate_no}", change=change.pk)
    return FileResponse(change.document.open("rb"), as_attachment=True, filename=change.document_name,
                        content_type=change.document_type or "application/octet-stream")


@login_required
def community(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_for_user(request.user, Unit.objects.filter(level=Level.COMMUNITY), "view", pk=pk)
    return render(request, "register/community.html", {
        "community": unit, "awards": selectors.award_history(unit),
    })


@login_required
def national(request: HttpRequest) -> HttpResponse:
    return render(request, "register/national.html", {
        "eligible": selectors.national_candidates(visible_communities(request.user)),
        "years": selectors.NATIONAL_YEARS,
    })


# ------------------------------------------------------------------------------------------------
# Appeals


@login_required
def appeals(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.appeals_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "register/appeals.html", {"page": page})


@login_required
def appeal_new(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_for_user(request.user, sheet_selectors.sheet_queryset(), "appeal", pk=pk)
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = appeal_service.file_appeal(evaluation, request.user, form.cleaned_data["reasons"],
                                                form.cleaned_data["files"])
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "复核申请已提交，市级将指定未参与该表复核的人员审理。")
            return redirect("register:appeal", pk=appeal.pk)
    return render(request, "register/appeal_new.html", {
        "evaluation": evaluation, "form": form, "refusal": appeal_service.appeal_refusal(evaluation, request.user),
        "deadline": appeal_service.appeal_deadline(evaluation),
    })


@login_required
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_user(request.user, selectors.appeals_for(request.user), "view", pk=pk)
    refusal = ""
    if can(request.user, "decide_appeal") and not item.is_closed:
        done = appeal_service.involvement(item.evaluation, request.user, item.filed_at)
        refusal = f"您参与过该评估表的市级复核（{done}），不能审理此复核申请。" if done else ""
    return render(request, "register/appeal.html", {
        "appeal": item, "files": item.files.all(), "form": DecisionForm(), "refusal": refusal,
        "may_decide": can(request.user, "decide_appeal") and not item.is_closed,
    })


@require_POST
@login_required
def appeal_decide(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    item = get_for_user(request.user, selectors.appeals_for(request.user), "decide_appeal", pk=pk)
    steps = {"keep": appeal_service.keep, "start": appeal_service.start_rescoring,
             "complete": appeal_service.complete}
    if step not in steps:
        raise Http404("未知的操作。")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写理由（不超过 2000 字）。")
        return redirect("register:appeal", pk=pk)
    try:
        done = steps[step](item, request.user, form.cleaned_data["decision"])
    except WorkflowError as exc:  # NotAllowed included: the refusal names what the user did on the sheet
        messages.error(request, exc.message)
        if exc.problems:
            messages.error(request, "；".join(exc.problems[:5]))
        return redirect("register:appeal", pk=pk)
    if done.status == AppealStatus.REVIEWING:
        messages.success(request, "已受理，市级复核一栏已重新开放，请在评估表上重新评分后回到本页完成复核。")
        return redirect("evaluations:detail", pk=item.evaluation_id)
    messages.success(request, f"复核申请已决定：{done.get_status_display()}。")
    return redirect("register:appeal", pk=pk)


@login_required
def appeal_file(request: HttpRequest, pk: int) -> FileResponse:
    item = get_for_user(request.user, AppealFile.objects.select_related("appeal__evaluation"), "view", pk=pk)
    log_access(request.user, "download", f"复核申请材料 {item.appeal_id}", file=item.pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                        content_type=item.content_type)


# ------------------------------------------------------------------------------------------------
# Period settings


@login_required
def rules(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "manage_register")
    period = get_object_or_404(Period, pk=pk)
    current = rules_for(period)
    form = RulesForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_rules(period, request.user, appeal_days=data["appeal_days"], panel_method=data["panel_method"],
                         panel_exclude_own_district=data["panel_exclude_own_district"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "复核申请与专家组设置已保存。")
            return redirect("register:rules", pk=pk)
    return render(request, "register/rules.html", {"period": period, "form": form})


# ------------------------------------------------------------------------------------------------
# Expert panel of the innovation line


def _rater_label(user) -> str:
    unit = user.unit.full_name if user.unit_id else ""
    return f"{user.display_name or user.username}（{user.get_role_display()}{'，' + unit if unit else ''}）"


@login_required
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_for_user(request.user, sheet_selectors.sheet_queryset(), "manage_panel", pk=pk)
    try:
        line_id = panel_service.panel_line(evaluation)
    except WorkflowError as exc:
        raise Http404(exc.message) from None
    ratings = list(PanelRating.objects.filter(evaluation=evaluation).select_related("rater__unit"))
    choices = [(u.pk, _rater_label(u)) for u in panel_service.eligible_raters(evaluation)]
    form = PanelAssignForm(request.POST or None, choices=choices,
                           initial={"raters": [r.rater_id for r in ratings]})
    if request.method == "POST":
        if form.is_valid():
            try:
                panel_service.assign(evaluation, request.user, form.cleaned_data["raters"])
            except WorkflowError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "专家组已设定。")
                return redirect("register:panel", pk=pk)
        else:
            messages.error(request, "请选择评分专家。")
    outcome = panel_service.result(evaluation)
    return render(request, "register/panel.html", {
        "evaluation": evaluation, "line_id": line_id, "ratings": ratings, "form": form, "outcome": outcome,
        "rules": rules_for(evaluation.period),
    })


@require_POST
@login_required
def panel_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_for_user(request.user, sheet_selectors.sheet_queryset(), "manage_panel", pk=pk)
    try:
        value = panel_service.adopt(evaluation, request.user)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("register:panel", pk=pk)
    messages.success(request, f"专家组评分 {value.normalize():f} 分已写入市级复核一栏。")
    return redirect("evaluations:detail", pk=pk)


@login_required
def panel_mine(request: HttpRequest) -> HttpResponse:
    require(request.user, "rate_panel")
    return render(request, "register/panel_mine.html", {"ratings": panel_service.own_assignments(request.user)})


@login_required
def panel_rate(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "rate_panel")
    # A rater reaches the sheet through the assignment alone (a rater of another district has no scope on it).
    rating = get_object_or_404(PanelRating.objects.select_related(
        "evaluation__period__standard", "evaluation__community"), pk=pk, rater=request.user)
    evaluation: Evaluation = rating.evaluation
    form = PanelRateForm(request.POST or None, initial={"score": rating.score, "comment": rating.comment})
    if request.method == "POST" and form.is_valid():
        try:
            panel_service.rate(rating, request.user, form.cleaned_data["score"], form.cleaned_data["comment"])
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "评分已保存。")
            return redirect("register:panel_rate", pk=pk)
    outcome = panel_service.result(evaluation)
    line = evaluation.period.standard.standard.lines_by_id[rating.line_id]
    return render(request, "register/panel_rate.html", {
        "rating": rating, "evaluation": evaluation, "form": form, "outcome": outcome, "line": line,
        "open": evaluation.state in panel_service.PANEL_STATES,
    })


# ------------------------------------------------------------------------------------------------
# Public (no login)


def public_register(request: HttpRequest) -> HttpResponse:
    qs, year, status = _filtered(selectors.public_register(), request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "register/public.html", {
        "page": page, "years": _years(), "year": year, "status": status, "statuses": AwardStatus.choices,
    })
