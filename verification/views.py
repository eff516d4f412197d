"""Pages of the spot-checks: thin, calling services and selectors."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from evaluations import policy
from evaluations.models import Evaluation, Period
from jobs import services as jobs
from orgs.models import AccessLog, Level, Unit, log_access
from orgs.scoping import can, get_for_user, requested_county, require, visible_communities

from . import reports, services
from .forms import CheckForm, DrawForm, MappingForm, ReferenceUploadForm
from .kinds import KINDS
from .models import Check, Draw, ReferenceList, ReferenceSource, VerificationEvent
from .reference import masked, reconcile_all
from .risk import flags_for
from .selectors import all_draws, checks_of, current_draws, with_records

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _period(year: int | str | None) -> Period:
    if year:
        period = Period.objects.filter(year=int(year)).select_related("standard").first()
    else:
        period = Period.objects.order_by("-year").select_related("standard").first()
    if period is None:
        raise Http404("尚未设置评估期。")
    return period


def _community(request, community_id: int) -> Unit:
    return get_for_user(request.user, Unit.objects.filter(level=Level.COMMUNITY), "view", pk=community_id)


def _released(request, community: Unit, period: Period) -> None:
    if not policy.may_see_verification(request.user, services.evaluation_of(community, period)):
        raise PermissionDenied("抽查核实结果在县级审核作出决定（审核通过或退回）后向社区和街道公开。")


@login_required
def index(request):
    period = _period(request.GET.get("year"))
    user = request.user
    county = requested_county(user, request.GET.get("county"))
    communities = visible_communities(user).order_by("code")
    if county is not None:
        communities = communities.filter(county=county)
    counties = None
    rows = []
    if user.is_city and county is None:
        counties = Unit.objects.filter(level=Level.COUNTY, is_active=True).order_by("code")
    else:
        units = list(communities.select_related("street"))
        flags = flags_for([u.pk for u in units], period.year, period.self_deadline) if can(user, "verify") else {}
        drawn: dict[int, int] = {}
        done: dict[int, int] = {}
        for cid, result in Check.objects.filter(draw__community__in=units, draw__period=period).values_list(
                "draw__community_id", "result"):
            drawn[cid] = drawn.get(cid, 0) + 1
            done[cid] = done.get(cid, 0) + (1 if result else 0)
        sheets = {ev.community_id: ev for ev in Evaluation.objects.filter(period=period, community__in=units)}
        rows = []
        for u in units:
            released = policy.may_see_verification(user, sheets.get(u.pk))
            rows.append({"unit": u, "flags": flags.get(u.pk, []), "released": released,
                         "drawn": drawn.get(u.pk, 0) if released else None,
                         "done": done.get(u.pk, 0) if released else None})
    return render(request, "verification/index.html", {
        "period": period, "periods": Period.objects.order_by("-year"), "county": county, "counties": counties,
        "rows": rows, "can_verify": can(user, "verify"), "can_reference": can(user, "view_reference"),
    })


@login_required
def help_page(request):
    from .risk import (
        HOLIDAY_MIN,
        OFFSET_MIN,
        ONE_DAY_MIN,
        PHONE_MIN,
        RISK_WEIGHT,
        RUSH_DAYS,
        RUSH_MIN,
        SAME_TEXT_MIN,
    )

    return render(request, "verification/help.html", {
        "same_text": SAME_TEXT_MIN, "rush_days": RUSH_DAYS, "rush_min": RUSH_MIN, "offset_min": OFFSET_MIN,
        "phone_min": PHONE_MIN, "holiday_min": HOLIDAY_MIN, "one_day_min": ONE_DAY_MIN, "weight": RISK_WEIGHT,
    })


@login_required
def community(request, community_id: int, year: int):
    unit = _community(request, community_id)
    period = _period(year)
    _released(request, unit, period)
    user = request.user
    flags = flags_for([unit.pk], period.year, period.self_deadline)[unit.pk] if can(user, "verify") else []
    draws = list(current_draws(unit, period))
    checks = with_records(list(checks_of(unit, period).filter(draw__in=draws).order_by("kind", "position")))
    for d in draws:
        d.check_list = [c for c in checks if c.draw_id == d.pk]  # type: ignore[attr-defined]
        d.done = sum(1 for c in d.check_list if c.result)  # type: ignore[attr-defined]
        d.kind_label = KINDS[d.kind].label  # type: ignore[attr-defined]
    history = [d for d in all_draws(unit, period) if d.replaces_id]
    return render(request, "verification/community.html", {
        "unit": unit, "period": period, "flags": flags, "draws": draws, "history": history,
        "form": DrawForm(), "can_verify": can(user, "verify"), "can_reference": can(user, "view_reference"),
        "evaluation": services.evaluation_of(unit, period),
    })


@login_required
@require_POST
def draw(request, community_id: int, year: int):
    unit = _community(request, community_id)
    period = _period(year)
    require(request.user, "verify")
    form = DrawForm(request.POST)
    back = reverse("verification:community", args=[unit.pk, period.year])
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    replaces = None
    if request.POST.get("replaces"):
        replaces = Draw.objects.filter(pk=request.POST["replaces"], community=unit, period=period).first()
    data = form.cleaned_data
    try:
        new = services.draw(request.user, unit, period, data["kind"], count=data.get("count"),
                            share=Decimal(data["share"]) if data.get("share") else None,
                            weighted=data["weighted"], seed=data.get("seed"), replaces=replaces,
                            reason=data.get("reason") or "")
    except services.VerificationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, f"已抽取{new.size}条{KINDS[new.kind].label}（随机种子 {new.seed}）。")
    return redirect("verification:draw_detail", new.pk)


@login_required
def draw_detail(request, pk: int):
    d = get_for_user(request.user, Draw.objects.select_related("community", "period", "drawn_by", "replaces"),
                     "view", pk=pk)
    _released(request, d.community, d.period)
    checks = with_records(list(d.checks.select_related("checked_by").order_by("position")))
    chain = []
    node = d.replaces
    while node is not None:
        chain.append(node)
        node = node.replaces
    replaced_by = Draw.objects.filter(replaces=d).first()
    events = VerificationEvent.objects.filter(draw=d).select_related("user").order_by("at", "id")
    return render(request, "verification/draw.html", {
        "draw": d, "kind": KINDS[d.kind], "checks": checks, "chain": chain, "replaced_by": replaced_by,
        "events": events, "can_verify": can(request.user, "verify"), "form": DrawForm(initial={
            "kind": d.kind, "count": d.size if d.share is None else None, "share": d.share, "weighted": d.weighted}),
    })


def _check_for(request, pk: int) -> Check:
    c = get_for_user(request.user, Check.objects.select_related("draw__community", "draw__period", "checked_by"),
                     "view", pk=pk)
    _released(request, c.draw.community, c.draw.period)
    return c


@login_required
def check(request, pk: int):
    c = _check_for(request, pk)
    kind = KINDS[c.kind]
    form = CheckForm(request.POST or None, request.FILES or None, field_choices=kind.field_choices(), initial={
        "method": c.method, "result": c.result, "field": c.field, "correct_value": c.correct_value, "notes": c.notes})
    if request.method == "POST":
        require(request.user, "verify")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_check(request.user, c.pk, data["method"], data["result"], data.get("field") or "",
                                      data.get("correct_value") or "", data.get("notes") or "", data.get("photo"))
            except services.VerificationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "核查结果已保存。")
                following = c.draw.checks.filter(result="", position__gt=c.position).order_by("position").first()
                if following is not None and "next" in request.POST:
                    return redirect("verification:check", following.pk)
                return redirect("verification:check", c.pk)
    with_records([c])
    return render(request, "verification/check.html", {
        "check": c, "kind": kind, "form": form, "can_verify": can(request.user, "verify"),
    })


@login_required
@require_POST
def check_outcome(request, pk: int):
    c = get_for_user(request.user, Check.objects.select_related("draw__community"), "verify", pk=pk)
    try:
        if request.POST.get("action") == "correct":
            services.correct_record(request.user, c.pk)
            messages.success(request, "已按核查结果更正台帐，更正已记入台帐变更记录。")
        elif request.POST.get("action") == "invalidate":
            services.invalidate_record(request.user, c.pk)
            messages.success(request, "已认定该记录无效：评估表的建议分将按剔除后的事实重新计算并与原建议分并列显示。")
        else:
            messages.error(request, "请选择处理方式。")
    except services.VerificationError as exc:
        messages.error(request, exc.message)
    return redirect("verification:check", c.pk)


@login_required
def photo(request, pk: int):
    c = _check_for(request, pk)
    if not c.photo:
        raise Http404("没有照片。")
    log_access(request.user, AccessLog.Kind.DOWNLOAD, f"verification-check:{c.pk}", community=c.draw.community_id)
    return FileResponse(c.photo.open("rb"), as_attachment=False, filename=f"check-{c.pk}.jpg")


def _report_response(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX if fmt == "xlsx" else DOCX)
    # No personal data and no Chinese in the header: a fixed ASCII name.
    response["Content-Disposition"] = f"attachment; filename=verification-report.{fmt}"
    return response


def _report(request, communities: list[Unit], period: Period, title: str, fmt: str, target: str) -> HttpResponse:
    if fmt not in ("xlsx", "docx"):
        raise Http404("不支持的格式。")
    buffer = io.BytesIO()
    if fmt == "xlsx":
        reports.sampling_workbook(communities, period, buffer)
    else:
        reports.sampling_document(communities, period, title, buffer)
    log_access(request.user, AccessLog.Kind.EXPORT, target, year=period.year, format=fmt)
    return _report_response(buffer.getvalue(), fmt, title)


@login_required
def community_report(request, community_id: int, year: int, fmt: str):
    unit = _community(request, community_id)
    period = _period(year)
    _released(request, unit, period)
    return _report(request, [unit], period, unit.name, fmt, f"verification-report:community:{unit.pk}")


@login_required
def county_report(request, county_id: int, year: int, fmt: str):
    require(request.user, "verify")
    county = requested_county(request.user, str(county_id))
    period = _period(year)
    units = list(visible_communities(request.user).filter(county=county).order_by("code"))
    return _report(request, units, period, county.name, fmt, f"verification-report:county:{county.pk}")


# ------------------------------------------------------------------------------------------------
# Reference lists


@login_required
def references(request):
    require(request.user, "view_reference")
    form = ReferenceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require(request.user, "manage_reference")
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                source = data["source"] or ReferenceSource.objects.create(
                    name=data["new_source"], kind=data["kind"], updated_by=request.user)
                ref = ReferenceList.objects.create(source=source, kind=source.kind, as_of=data["as_of"],
                                                   file=data["file"], original_name=data["file"].name[:255],
                                                   created_by=request.user)
            city = Unit.objects.filter(level=Level.CITY).first() or request.user.unit
            job = jobs.start("verification_reference_import", request.user, city,
                             f"导入参考名单：{source.name}（{ref.as_of:%Y-%m-%d}）", {"reference": ref.pk},
                             link=reverse("verification:references"), shared=True)
            ReferenceList.objects.filter(pk=ref.pk).update(background=job)
            return redirect("jobs:detail", job.pk)
    lists = ReferenceList.objects.select_related("source", "created_by", "background").order_by("-created_at")[:50]
    communities = visible_communities(request.user).order_by("code")
    county = requested_county(request.user, request.GET.get("county"))
    if county is not None:
        communities = communities.filter(county=county)
    return render(request, "verification/references.html", {
        "form": form, "lists": lists, "sources": ReferenceSource.objects.all(),
        "can_manage": can(request.user, "manage_reference"), "communities": communities[:500],
    })


@login_required
def source_edit(request, pk: int):
    require(request.user, "manage_reference")
    source = get_object_or_404(ReferenceSource, pk=pk)
    form = MappingForm(request.POST or None, mapping=source.mapping)
    if request.method == "POST" and form.is_valid():
        mapping = {k: v.strip() for k, v in form.cleaned_data.items() if v and v.strip()}
        with transaction.atomic():
            before = dict(source.mapping)
            source.mapping, source.updated_by = mapping, request.user
            source.save(update_fields=["mapping", "updated_by", "updated_at"])
            VerificationEvent.objects.create(user=request.user, action="mapping",
                                             detail={"source": source.pk, "before": before, "after": mapping})
        messages.success(request, "列对应关系已保存，之后导入该来源的文件将按此识别列。")
        return redirect("verification:references")
    return render(request, "verification/source.html", {"source": source, "form": form})


@login_required
def reconcile(request, community_id: int):
    require(request.user, "view_reference")
    unit = _community(request, community_id)
    unmask = request.method == "POST" and can(request.user, "unmask")
    results = reconcile_all(unit)
    if unmask:
        log_access(request.user, AccessLog.Kind.UNMASK, f"verification-reference:community:{unit.pk}")
    view = [{"rec": r, "sections": [(code, label, [masked(e, unmask) for e in items])
                                    for code, label, items in r.sections]} for r in results]
    return render(request, "verification/reconcile.html", {
        "unit": unit, "results": view, "unmasked": unmask, "can_unmask": can(request.user, "unmask"),
    })


@login_required
def reconcile_xlsx(request, community_id: int):
    require(request.user, "view_reference")
    unit = _community(request, community_id)
    buffer = io.BytesIO()
    reports.reconciliation_workbook([unit], request.user, buffer)
    log_access(request.user, AccessLog.Kind.EXPORT, f"verification-reference:community:{unit.pk}")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=reference-reconciliation.xlsx"
    return response


@login_required
@require_POST
def reconcile_city(request):
    require(request.user, "view_reference")
    unit = request.user.unit
    job = jobs.start("verification_reconcile_city", request.user, unit, "参考名单比对（全部社区）",
                     link=reverse("verification:references"))
    return redirect("jobs:detail", job.pk)

