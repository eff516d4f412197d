"""Pages of the evaluations app: the sheet (with htmx inline saves), lists, periods, role home pages.

Views stay thin: scope lookups through orgs.scoping, every change through evaluations.services.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from orgs import pickers
from orgs.models import Role, Unit
from orgs.scoping import get_for_user, require, scope_queryset, visible_communities, visible_counties

from . import evidence_rules, period_log, policy, selectors
from .forms import ListFilterForm, PeriodForm, TransitionForm, bands_to_text
from .models import Evaluation, Period, PeriodChange, Stage, State
from .presenters import STATE_BADGE, STATE_DEADLINE, Sheet, deadline_of, is_overdue, totals_for
from .rendering import sheet_part
from .services import periods as period_service
from .services import scores as score_service
from .services import workflow
from .services.workflow import NotAllowed, WorkflowError

STAGES = list(policy.STAGES)


def _sheet_for(request, pk: int, action: str = "view", *, with_parents: bool = True) -> Evaluation:
    return get_for_user(request.user, selectors.sheet_queryset(with_parents=with_parents), action, pk=pk)


@login_required
def detail(request, pk: int):
    evaluation = _sheet_for(request, pk)
    sheet = Sheet(evaluation, request.user)
    ctx = sheet.context()
    line_ids = [line.id for line in sheet.standard.lines]
    ctx.update({
        "rows": sheet.rows(),
        "fact_rows": sheet.fact_rows(),
        "actions": policy.available_actions(request.user, evaluation),
        "line_choices": [(lid, sheet.presentation[lid].content.splitlines()[-1][:40]) for lid in line_ids],
        "transitions": sheet.transitions(),
        "problems": request.session.pop(f"sheet-problems-{pk}", None),
        # A refused return keeps what was typed (comment, ticked lines, per-line comments).
        "draft": request.session.pop(f"sheet-draft-{pk}", None) or {},
        "return_items": list(sheet.return_items.values()),
        "may_answer_return": policy.may_answer_return(request.user, evaluation),
        "changes_since_return": sheet.changes_since_return(),
        "can_edit_innovation": policy.may_edit_innovation(request.user, evaluation),
        "innovation_revision": evaluation.revision,
        "evidence_checked": evidence_rules.CHECKED_ACTIONS,
    })
    # Lines without the evidence the period asks for: listed, linked to their rows, for whoever may
    # submit or pass the sheet on now (a warning or a block, as the period sets).
    if any(a.name in evidence_rules.CHECKED_ACTIONS for a in ctx["actions"]):
        ctx["evidence_gaps"] = evidence_rules.describe(
            evaluation.period, [line.id for line in sheet.standard.lines if line.id in sheet.evidence_missing])
        ctx["evidence_blocks"] = evidence_rules.blocks(evaluation.period)
    return render(request, "evaluations/sheet.html", ctx)


def _render_line(request, evaluation: Evaluation, line_id: str, *, error: str = "", entered=None,
                 notice: str = "", line_scores=None, result=None) -> HttpResponse:
    sheet = Sheet(evaluation, request.user, line_scores=line_scores, result=result)
    row = sheet.row(line_id)
    row.error = error
    row.entered = entered or {}
    ctx = sheet.context()
    # The row, then totals and banner out of band (inside <template>, where a <tr> response may hold them).
    ctx.update({"notice": notice, "oob": True})
    return HttpResponse(sheet_part(ctx.get, request.user, "line_fragment", row=row))


def _revision(request) -> int | None:
    raw = request.POST.get("revision", "")
    return int(raw) if raw.isdigit() else None


def _seen(response: HttpResponse, request, evaluation: Evaluation) -> HttpResponse:
    """When this save was the sheet's only change since the page's revision, tell the page (htmx event
    `sheetRevision`, static/js/app.js) so its other forms — pass-on, return, submit — carry the new revision.
    A change by someone else in between leaves them stale: the step is then refused, naming that change."""
    before = _revision(request)
    if before is not None and evaluation.revision == before + 1:
        response["HX-Trigger"] = json.dumps({"sheetRevision": {"from": before, "to": evaluation.revision}})
    return response


@require_POST
@login_required
def save_line(request, pk: int, line_id: str, stage: str):
    if stage not in policy.STAGE_PERMISSION:
        raise Http404("未知的评审阶段。")
    evaluation = _sheet_for(request, pk, policy.STAGE_PERMISSION[stage], with_parents=False)
    if line_id not in evaluation.period.standard.standard.lines_by_id:
        raise Http404("标准中没有此行。")
    score, reason = request.POST.get("score", ""), request.POST.get("reason", "")
    try:
        out = score_service.save_score(evaluation, request.user, line_id, stage, score, reason, _revision(request))
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except WorkflowError as exc:
        evaluation.refresh_from_db()
        # A stale save shows the current values; a refused value stays in the box so it can be fixed.
        entered = {} if isinstance(exc, workflow.StaleError) else {"score": score, "reason": reason}
        return _render_line(request, evaluation, line_id, error=exc.message, entered=entered)
    return _seen(_render_line(request, out.evaluation, line_id, notice="已保存" if out.changed else "",
                              line_scores=out.line_scores, result=out.result), request, out.evaluation)


@require_POST
@login_required
def save_fact(request, pk: int, name: str):
    evaluation = _sheet_for(request, pk, "edit_facts", with_parents=False)
    if name not in evaluation.period.standard.standard.facts:
        raise Http404("没有这个核查事实。")
    error = ""
    try:
        score_service.answer_fact(evaluation, request.user, name, request.POST.get("value", ""), _revision(request))
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except WorkflowError as exc:
        error = exc.message
    evaluation.refresh_from_db()
    sheet = Sheet(evaluation, request.user)
    ctx = sheet.context()
    fact = next(r for r in sheet.fact_rows() if r["name"] == name)
    ctx.update({"fact": fact, "fact_error": error, "rows": sheet.rows(), "oob": True})
    # Facts move suggestions and the gate: the lines, totals and banner are refreshed out of band.
    html = sheet_part(ctx.get, request.user, "fact", fact=fact)
    html += "<template>" + render_to_string("evaluations/_sheet_body.html", ctx, request=request)
    html += sheet_part(ctx.get, request.user, "totals") + sheet_part(ctx.get, request.user, "status") + "</template>"
    return _seen(HttpResponse(html), request, evaluation) if not error else HttpResponse(html)


@require_POST
@login_required
def save_innovation(request, pk: int):
    evaluation = _sheet_for(request, pk, "edit_self")
    error, notice = "", ""
    try:
        out = score_service.save_innovation_text(evaluation, request.user, request.POST.get("innovation_text", ""),
                                                 _revision(request))
        notice = "已保存" if out.changed else ""
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except WorkflowError as exc:
        error = exc.message
    evaluation.refresh_from_db()
    ctx = {"evaluation": evaluation, "can_edit_innovation": True, "innovation_error": error,
           "innovation_notice": notice, "innovation_revision": evaluation.revision,
           "innovation_entered": request.POST.get("innovation_text", "") if error else None}
    response = render(request, "evaluations/_innovation.html", ctx)
    return _seen(response, request, evaluation) if not error else response


@require_POST
@login_required
def do_transition(request, pk: int, action: str):
    spec = workflow.ACTIONS.get(action)
    if spec is None:
        raise Http404("未知的操作。")
    evaluation = _sheet_for(request, pk, spec.role_permission)
    standard = evaluation.period.standard.standard
    line_ids = [line.id for line in standard.lines]
    form = TransitionForm(request.POST, line_ids=line_ids)
    line_comments = {
        lid: request.POST.get(f"line_comment-{lid}", "")[:2000]
        for lid in line_ids if request.POST.get(f"line_comment-{lid}", "").strip()
    }
    draft = {"action": action, "comment": request.POST.get("comment", "")[:2000],
             "lines": request.POST.getlist("lines")[:100], "line_comments": line_comments}
    if not form.is_valid():
        messages.error(request, "提交的内容有误：" + "；".join(e for errs in form.errors.values() for e in errs))
        request.session[f"sheet-draft-{pk}"] = draft
        return redirect("evaluations:detail", pk=pk)
    try:
        workflow.transition(evaluation, request.user, action, comment=form.cleaned_data["comment"],
                            lines=form.cleaned_data["lines"], expected_revision=form.cleaned_data["revision"],
                            line_comments=line_comments)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except WorkflowError as exc:
        messages.error(request, exc.message)
        if exc.problems:
            request.session[f"sheet-problems-{pk}"] = exc.problems
        if spec.needs_comment or spec.needs_lines:
            request.session[f"sheet-draft-{pk}"] = draft
        return redirect("evaluations:detail", pk=pk)
    messages.success(request, f"已{spec.label}。")
    if action in evidence_rules.CHECKED_ACTIONS:
        gaps = evidence_rules.gaps_for(evaluation)
        if gaps:
            messages.warning(request, f"提示：{len(gaps)} 个评审项尚无证明材料——" + "；".join(g.text for g in gaps))
    return redirect("evaluations:detail", pk=pk)


@require_POST
@login_required
def answer_return(request, pk: int, line_id: str):
    evaluation = _sheet_for(request, pk)
    if not policy.may_answer_return(request.user, evaluation):
        raise PermissionDenied("当前没有待您答复的退回意见。")
    error, notice = "", ""
    text = request.POST.get("reply", "")
    try:
        workflow.answer_return(evaluation, request.user, line_id, text, _revision(request))
        notice = "已保存"
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except WorkflowError as exc:
        error = exc.message
    evaluation.refresh_from_db()
    sheet = Sheet(evaluation, request.user)
    item = sheet.return_items.get(line_id)
    if item is None:
        raise Http404("该评审项未被退回。")
    return _seen(render(request, "evaluations/_return_item.html", {
        "evaluation": evaluation, "item": item, "may_answer_return": policy.may_answer_return(request.user, evaluation),
        "changes": sheet.changes_since_return().get(line_id, []), "reply_error": error, "reply_notice": notice,
        "reply_entered": text if error else None,
    }), request, evaluation)


@require_POST
@login_required
def adopt(request, pk: int):
    """Adopt the lower stage's scores: one line (htmx, the row comes back), a section or the whole sheet."""
    evaluation = _sheet_for(request, pk)
    if not policy.may_adopt(request.user, evaluation):
        raise PermissionDenied("您当前不能采用下级评分。")
    standard = evaluation.period.standard.standard
    scope = request.POST.get("scope", "all")
    line_ids: list[str] | None
    if scope == "all":
        line_ids = None
    elif scope.startswith("section:"):
        line_ids = [line.id for line in standard.lines if line.section == scope.split(":", 1)[1]]
    elif scope.startswith("line:") and scope.split(":", 1)[1] in standard.lines_by_id:
        line_ids = [scope.split(":", 1)[1]]
    else:
        raise Http404("未知的采用范围。")
    try:
        out = score_service.adopt_lower(evaluation, request.user, line_ids, request.POST.get("reason", ""),
                                        _revision(request))
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except WorkflowError as exc:
        if request.htmx and line_ids and len(line_ids) == 1:
            evaluation.refresh_from_db()
            return _render_line(request, evaluation, line_ids[0], error=exc.message)
        messages.error(request, exc.message)
        return redirect("evaluations:detail", pk=pk)
    if request.htmx and line_ids and len(line_ids) == 1:
        return _seen(_render_line(request, out.evaluation, line_ids[0],
                                  error="；".join(out.skipped), notice="已采用" if out.adopted else ""),
                     request, out.evaluation)
    if out.adopted:
        messages.success(request, f"已采用下级评分 {len(out.adopted)} 行：第 {'、'.join(out.adopted)} 行。")
    else:
        messages.info(request, "没有可采用的评分（已一致，或下级评分在本级无效）。")
    if out.skipped:
        messages.warning(request, f"未采用 {len(out.skipped)} 行：" + "；".join(out.skipped[:10])
                         + ("…" if len(out.skipped) > 10 else ""))
    return redirect("evaluations:detail", pk=pk)


# ------------------------------------------------------------------------------------------------
# Lists and bulk actions


def _bulk_actions(user) -> list[policy.Action]:
    return policy.bulk_actions(user)


LIST_PAGE_SIZE = 50


def overdue_q(today: datetime.date) -> Q:
    """Sheets whose current stage's deadline has passed (the database side of `is_overdue`)."""
    q = Q(pk__in=[])
    for state, deadline in STATE_DEADLINE.items():
        q |= Q(state=state, **{f"period__{deadline}__lt": today})
    return q


@login_required
def evaluation_list(request):
    qs = scope_queryset(request.user, Evaluation.objects.select_related(
        "period", "community__parent__parent"))
    latest = period_service.current_period()
    if request.GET:
        form = ListFilterForm(request.GET, districts=visible_counties(request.user))
    else:
        # First visit: the latest period, shown as selected in the filter.
        form = ListFilterForm(initial={"period": latest}, districts=visible_counties(request.user))
    period = None
    today = timezone.localdate()
    if form.is_valid():
        period = form.cleaned_data["period"]
        if form.cleaned_data["district"]:
            qs = qs.filter(community__county=form.cleaned_data["district"])
        if form.cleaned_data["overdue"]:
            qs = qs.filter(overdue_q(today))
    if not request.GET:
        period = latest
    if period is not None:
        qs = qs.filter(period=period)
    picker = pickers.resolve(visible_communities(request.user), request.GET.get("community"))
    qs = pickers.apply(qs, picker)
    # The badges count every state of the filtered list; the state filter then narrows the rows.
    state_counts = dict(qs.order_by().values_list("state").annotate(n=Count("pk")))
    if form.is_valid() and form.cleaned_data["state"]:
        qs = qs.filter(state=form.cleaned_data["state"])
        state_counts = {form.cleaned_data["state"]: state_counts.get(form.cleaned_data["state"], 0)}
    page = Paginator(qs.order_by("-period__year", "community__code", "pk"), LIST_PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = []
    for ev in page.object_list:
        rows.append({"ev": ev, "deadline": deadline_of(ev), "overdue": is_overdue(ev, today),
                     "badge": STATE_BADGE.get(ev.state, "secondary"), "totals": totals_for(request.user, ev)})
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "evaluations/list.html", {
        "form": form, "rows": rows, "page": page, "qs": params.urlencode(), "picker": picker,
        "period": period, "bulk_actions": _bulk_actions(request.user),
        "state_counts": state_counts, "total": page.paginator.count,
        "states": State.choices,
    })


@require_POST
@login_required
def bulk(request):
    action = request.POST.get("action", "")
    spec = workflow.ACTIONS.get(action)
    if spec is None or not spec.bulk:
        messages.error(request, "不能批量执行该操作。")
        return redirect("evaluations:list")
    require(request.user, spec.role_permission)
    ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    if not ids:
        messages.error(request, "请先勾选评估表。")
        return redirect(request.POST.get("next") or "evaluations:list")
    # Sheets outside the user's unit are silently not found, as everywhere.
    sheets = list(scope_queryset(request.user, Evaluation.objects.filter(pk__in=ids)).select_related("community"))
    out = workflow.bulk_transition(sheets, request.user, action, comment=request.POST.get("comment", ""))
    if out.done:
        messages.success(request, f"「{spec.label}」已完成 {len(out.done)} 份：" +
                         "、".join(e.community.name for e in out.done))
    for ev, why in out.failed:
        messages.error(request, f"{ev.community.name}：{why}")
    if len(sheets) < len(ids):
        messages.error(request, f"{len(ids) - len(sheets)} 份评估表不在您的管辖范围内，未处理。")
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else reverse("evaluations:list"))


# ------------------------------------------------------------------------------------------------
# Periods (city administrator)


@login_required
def periods(request):
    require(request.user, "manage_periods")
    items = Period.objects.select_related("standard").annotate(
        sheets=Count("evaluations"),
        published=Count("evaluations", filter=Q(evaluations__state=State.PUBLISHED)),
    ).order_by("-year")  # newest first everywhere (Meta.ordering is dropped by the aggregate)
    rows = []
    for p in items:
        first = period_service.first_submission(p)
        rows.append({"p": p, "first": first, "unfinished": p.sheets - p.published,
                     "deletable": first is None and not period_service.deletion_refusal(p)})
    deleted = PeriodChange.objects.filter(action="delete").select_related("user")[:10]
    return render(request, "evaluations/periods.html", {"periods": rows, "deleted": deleted})


@require_POST
@login_required
def period_action(request, pk: int, action: str):
    """设为当前 / 关闭 / 重新开放 / 删除: each confirmed in the browser, audited in the service."""
    require(request.user, "manage_periods")
    period = get_object_or_404(Period, pk=pk)
    try:
        if action == "current":
            period_service.set_current(period, request.user)
            messages.success(request, f"「{period.name}」已设为当前评估期。")
        elif action == "close":
            period_service.close_period(period, request.user, request.POST.get("reason", ""))
            messages.success(request, f"「{period.name}」已关闭，评估表只读，结果保留。")
        elif action == "reopen":
            period_service.reopen_period(period, request.user)
            messages.success(request, f"「{period.name}」已重新开放。")
        elif action == "delete":
            n = period_service.delete_period(period, request.user)
            messages.success(request, f"已删除「{period.name}」及其 {n} 份草稿评估表。")
        else:
            raise Http404("未知的操作。")
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except WorkflowError as exc:
        messages.error(request, exc.message)
    return redirect("evaluations:periods")


def _period_kwargs(data: dict) -> dict:
    return {k: data[k] for k in ("name", "standard", "star_bands", "score_step", "self_deadline",
                                  "county_deadline", "city_deadline", "evidence_lines", "evidence_check")}


@login_required
def period_create(request):
    require(request.user, "manage_periods")
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = period_service.open_period(
                request.user, year=form.cleaned_data["year"], communities=form.cleaned_data["communities"],
                make_current=form.cleaned_data["make_current"], **_period_kwargs(form.cleaned_data))
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已开启评估期「{period.name}」，为 {period.evaluations.count()} 个社区生成评估表。")
            return redirect("evaluations:periods")
    return render(request, "evaluations/period_form.html", {"form": form, "creating": True})


@login_required
def period_edit(request, pk: int):
    require(request.user, "manage_periods")
    period = get_object_or_404(Period, pk=pk)
    first = period_service.first_submission(period)
    initial = {
        "year": period.year, "name": period.name, "standard": period.standard,
        "star_bands": bands_to_text(period.star_bands), "score_step": period.score_step,
        "self_deadline": period.self_deadline, "county_deadline": period.county_deadline,
        "city_deadline": period.city_deadline,
        "evidence_check": period.evidence_check,
        "evidence_lines": "、".join(period.evidence_lines or []),
        "communities": list(Unit.objects.filter(evaluations__period=period)),
    }
    form = PeriodForm(request.POST or None, initial=initial, editing=period)
    if request.method == "POST" and form.is_valid():
        try:
            period_service.update_period_settings(
                period, request.user, communities=form.cleaned_data["communities"],
                **_period_kwargs(form.cleaned_data))
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "评估期设置已保存。")
            return redirect("evaluations:periods")
    if first is not None:
        for f in form.fields.values():
            f.disabled = True
    return render(request, "evaluations/period_form.html", {
        "form": form, "creating": False, "period": period, "first": first,
        "changes": [(c, period_log.describe(c.changes)) for c in period.changes.select_related("user")[:20]]})


# ------------------------------------------------------------------------------------------------
# Home page per role (the site's "/")


HOME_LIST_SIZE = 20


@login_required
def home(request):
    user = request.user
    period = period_service.current_period()
    ctx: dict = {"period": period, "today": timezone.localdate()}
    sheets = scope_queryset(user, Evaluation.objects.select_related("period", "community"))
    current = sheets.filter(period=period) if period is not None else sheets.none()
    # Unfinished work of every open period stays on the to-do lists, whichever period is current.
    open_work = sheets.filter(period__is_open=True)
    if user.role == Role.COMMUNITY_OPERATOR:
        todos = []
        mine = list(
            (current | open_work.exclude(state=State.PUBLISHED)).distinct().order_by("-period__year")
        )
        for ev in mine:
            ev.deadline_value, ev.overdue_flag = deadline_of(ev), is_overdue(ev)
            ev.shown = totals_for(user, ev)
            ev.editable_now = ev.period.is_open
            year = f"{ev.period.year}年度："
            if ev.state == State.DRAFT and ev.period.is_open:
                missing = workflow.missing_for_stage(ev, Stage.SELF)
                if ev.returned_lines:
                    todos.append(f"{year}县级退回了第 {'、'.join(ev.returned_lines)} 行：{ev.return_comment}")
                todos.append(f"{year}填写社区自评（尚有 {len(missing)} 处待补充）并提交县级审核" if missing
                             else f"{year}自评已填完，请提交县级审核")
                innovation = ev.period.standard.standard.innovation_line
                if innovation and not ev.innovation_text:
                    stage = ev.period.standard.standard.only_stage(innovation)
                    by = f"，由{Stage(stage).label}评分" if stage else ""
                    todos.append(f"{year}填写创新工作文字材料（第 {innovation} 行{by}）")
        history = list(sheets.exclude(pk__in=[ev.pk for ev in mine]).order_by("-period__year"))
        for ev in history:
            ev.shown = totals_for(user, ev)
        ctx.update({"template": "community", "mine": mine, "todos": todos, "history": history})
    else:
        by_district: dict[str, Counter] = defaultdict(Counter)
        for county, state, n in (current.order_by().values_list("community__county__name", "state")
                                 .annotate(n=Count("pk"))):
            by_district[county or "—"][state] += n
        total = sum(sum(c.values()) for c in by_district.values())
        waiting_states = policy.waiting_states(user)
        # The cards list the first sheets only; the counts and the list page show them all.
        waiting_qs = open_work.filter(state__in=waiting_states).order_by("-period__year", "community__code")
        overdue_qs = open_work.filter(overdue_q(timezone.localdate())).order_by("-period__year", "community__code")
        ctx.update({
            "template": "reviewer", "total": total,
            "state_counts": [(value, label, sum(c[value] for c in by_district.values()))
                             for value, label in State.choices],
            "districts": [(name, [c[value] for value, _ in State.choices], sum(c.values()))
                          for name, c in sorted(by_district.items())],
            "states": State.choices,
            "waiting": list(waiting_qs[:HOME_LIST_SIZE]), "waiting_count": waiting_qs.count(),
            "overdue": list(overdue_qs[:HOME_LIST_SIZE]), "overdue_count": overdue_qs.count(),
            "communities": visible_communities(user).count(),
            "other_open": sum(1 for p in period_service.open_periods() if p != period),
        })
    return render(request, "evaluations/home.html", ctx)
