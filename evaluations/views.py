"""Pages of the evaluations app: the sheet (with htmx inline saves), lists, periods, role home pages.

Views stay thin: scope lookups through orgs.scoping, every change through evaluations.services.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

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
from orgs.models import Level, Role, Unit
from orgs.scoping import can, get_for_user, require, scope_queryset, visible_communities
from standards import engine
from standards.presentation import table_rows

from . import period_log
from .facts import checklist_fact_names, collect_facts
from .forms import ListFilterForm, PeriodForm, TransitionForm, bands_to_text
from .models import EDITABLE_STAGE, Evaluation, Evidence, FactAnswer, LineScore, Period, Stage, State
from .scoring import result_for
from .services import periods as period_service
from .services import scores as score_service
from .services import workflow
from .services.workflow import NotAllowed, WorkflowError

STAGES = [Stage.SELF, Stage.COUNTY, Stage.CITY]
# Which deadline applies to a sheet in each state (the stage it waits for).
STATE_DEADLINE = {
    State.DRAFT: "self_deadline",
    State.SUBMITTED: "county_deadline",
    State.COUNTY_REVIEWING: "county_deadline",
    State.COUNTY_PASSED: "city_deadline",
    State.CITY_REVIEWING: "city_deadline",
    State.CITY_REVIEWED: "city_deadline",
}
STATE_BADGE = {
    State.DRAFT: "secondary", State.SUBMITTED: "info", State.COUNTY_REVIEWING: "primary",
    State.COUNTY_PASSED: "info", State.CITY_REVIEWING: "primary", State.CITY_REVIEWED: "success",
    State.PUBLISHED: "success",
}


def deadline_of(evaluation: Evaluation) -> datetime.date | None:
    name = STATE_DEADLINE.get(evaluation.state)
    return getattr(evaluation.period, name) if name else None


def is_overdue(evaluation: Evaluation, today: datetime.date | None = None) -> bool:
    deadline = deadline_of(evaluation)
    return deadline is not None and (today or timezone.localdate()) > deadline


# ------------------------------------------------------------------------------------------------
# The sheet


@dataclass
class Cell:
    stage: str
    score: object = None
    reason: str = ""
    updated_by: str = ""
    updated_at: object = None
    scored: bool = True  # the line is scored at this stage
    editable: bool = False
    warnings: list[str] = field(default_factory=list)
    differs: bool = False  # differs from the previous stage's score


@dataclass
class LineRow:
    line_id: str
    dom_id: str
    section_title: str
    first_in_section: bool
    content: str
    max: object
    method: str
    kind: str
    binary: bool
    suggestion: engine.Suggestion | None
    cells: list[Cell]
    returned: bool
    evidence_count: int
    revision: int
    error: str = ""
    entered: dict = field(default_factory=dict)  # values the user typed that were refused


class Sheet:
    """Everything the sheet page needs, computed once per request."""

    def __init__(self, evaluation: Evaluation, user) -> None:
        self.evaluation = evaluation
        self.user = user
        self.period = evaluation.period
        self.standard = self.period.standard.standard
        self.facts = collect_facts(evaluation)
        self.result = result_for(evaluation, self.facts, stages=list(STAGES))
        self.editable_stage = EDITABLE_STAGE.get(evaluation.state)
        self.can_edit = bool(self.editable_stage) and score_service.can_edit_stage(
            evaluation, user, self.editable_stage)
        self.scores = {(s.line_id, s.stage): s for s in LineScore.objects.filter(evaluation=evaluation)
                       .select_related("updated_by")}
        self.evidence = Counter(Evidence.objects.filter(evaluation=evaluation, is_deleted=False)
                                .values_list("line_id", flat=True))
        self.warnings: dict[tuple[str, str], list[str]] = defaultdict(list)
        for error in self.result.errors:
            if error.code != "missing_score":
                self.warnings[(error.line, error.stage)].append(error.message)
        self.presentation = {r.line_id: r for r in table_rows(self.period.standard.data)}

    def row(self, line_id: str) -> LineRow:
        line = self.standard.line(line_id)
        pres = self.presentation[line_id]
        cells = []
        previous = None
        for stage in STAGES:
            ls = self.scores.get((line_id, stage))
            cell = Cell(
                stage=stage,
                score=ls.score if ls else None,
                reason=ls.reason if ls else "",
                updated_by=str(ls.updated_by) if ls else "",
                updated_at=ls.updated_at if ls else None,
                scored=line.scored_at(stage),
                editable=self.can_edit and stage == self.editable_stage and line.scored_at(stage),
                warnings=self.warnings.get((line_id, stage), []),
            )
            if previous is not None and cell.score is not None and previous.score is not None:
                cell.differs = cell.score != previous.score
            if cell.scored:
                previous = cell
            cells.append(cell)
        return LineRow(
            line_id=line_id,
            dom_id="line-" + line_id.replace(".", "-"),
            section_title=pres.section_title,
            first_in_section=pres.section_rowspan > 0,
            content=pres.content,
            max=line.max,
            method=line.method,
            kind=line.kind,
            binary=line.binary,
            suggestion=self.result.suggestions.get(line_id),
            cells=cells,
            returned=line_id in (self.evaluation.returned_lines or []),
            evidence_count=self.evidence.get(line_id, 0),
            revision=self.evaluation.revision,
        )

    def rows(self) -> list[LineRow]:
        return [self.row(line.id) for line in self.standard.lines]

    def totals(self) -> list[dict]:
        out = []
        for stage in STAGES:
            out.append({
                "stage": stage, "label": Stage(stage).label,
                "total": self.result.totals.get(stage),
                "max": self.result.stage_max.get(stage) or self.standard.stage_max(stage),
                "star": self.result.stars.get(stage),
                "count": sum(1 for (lid, s), v in self.scores.items() if s == stage and v.score is not None),
                "lines": len(self.standard.stage_lines(stage)),
            })
        return out

    def fact_rows(self) -> list[dict]:
        checklist = set(checklist_fact_names(self.standard))
        answers = {a.name: a for a in FactAnswer.objects.filter(evaluation=self.evaluation)
                   .select_related("answered_by")}
        editable = score_service.fact_editable(self.evaluation, self.user)
        rows = []
        for name, fact in self.standard.facts.items():
            fv = self.facts.get(name)
            answer = answers.get(name)
            rows.append({
                "name": name, "label": fact.label, "type": fact.type,
                "value": fv.value if fv else None,
                "source": fv.label if fv else "",
                "from_checklist": name in checklist,
                "editable": editable and name in checklist,
                "answered_by": str(answer.answered_by) if answer and name in checklist else fv.answered_by if fv else "",
                "answered_at": answer.answered_at if answer and name in checklist else fv.answered_at if fv else None,
                "drill_url": fv.drill_url if fv else None,
                "revision": self.evaluation.revision,
                "lines": [line.id for line in self.standard.lines if name in engine.rule_facts(line.rule)
                          or (line.gate and name in str(line.gate)) or (line.disqualify and name in str(line.disqualify))],
            })
        # Checklist order follows the sheet: by the first line a fact feeds, then the data file's order.
        line_pos = {line.id: i for i, line in enumerate(self.standard.lines)}
        raw_order = {name: i for i, name in enumerate(self.standard.raw.get("facts", {}))}
        rows.sort(key=lambda r: (min((line_pos[lid] for lid in r["lines"]), default=99), raw_order.get(r["name"], 99)))
        return rows

    def context(self) -> dict:
        ev = self.evaluation
        return {
            "evaluation": ev, "sheet": self, "period": self.period, "standard": self.standard,
            "result": self.result, "totals": self.totals(), "editable_stage": self.editable_stage,
            "can_edit": self.can_edit, "state_badge": STATE_BADGE.get(ev.state, "secondary"),
            "deadline": deadline_of(ev), "overdue": is_overdue(ev),
            "community": ev.community, "street": ev.community.parent,
            "county": ev.community.parent.parent if ev.community.parent else None,
        }


def _sheet_for(request, pk: int, action: str = "view") -> Evaluation:
    qs = Evaluation.objects.select_related("period__standard", "community__parent__parent")
    return get_for_user(request.user, qs, action, pk=pk)


@login_required
def detail(request, pk: int):
    evaluation = _sheet_for(request, pk)
    sheet = Sheet(evaluation, request.user)
    ctx = sheet.context()
    line_ids = [line.id for line in sheet.standard.lines]
    ctx.update({
        "rows": sheet.rows(),
        "fact_rows": sheet.fact_rows(),
        "actions": workflow.available_actions(evaluation, request.user),
        "line_choices": [(lid, sheet.presentation[lid].content.splitlines()[-1][:40]) for lid in line_ids],
        "transitions": evaluation.transitions.select_related("user").order_by("-at", "-id")[:20],
        "problems": request.session.pop(f"sheet-problems-{pk}", None),
        "can_edit_innovation": evaluation.state == State.DRAFT and can(request.user, "edit_self"),
        "innovation_revision": evaluation.revision,
    })
    return render(request, "evaluations/sheet.html", ctx)


def _render_line(request, evaluation: Evaluation, line_id: str, *, error: str = "", entered=None,
                 notice: str = "") -> HttpResponse:
    sheet = Sheet(evaluation, request.user)
    row = sheet.row(line_id)
    row.error = error
    row.entered = entered or {}
    ctx = sheet.context()
    # The row, then totals and banner out of band (inside <template>, where a <tr> response may hold them).
    ctx.update({"row": row, "notice": notice, "oob": True, "line_oob": True})
    return HttpResponse(render_to_string("evaluations/_line_row.html", ctx, request=request))


def _revision(request) -> int | None:
    raw = request.POST.get("revision", "")
    return int(raw) if raw.isdigit() else None


@require_POST
@login_required
def save_line(request, pk: int, line_id: str, stage: str):
    if stage not in score_service.STAGE_PERMISSION:
        raise Http404("未知的评审阶段。")
    evaluation = _sheet_for(request, pk, score_service.STAGE_PERMISSION[stage])
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
    return _render_line(request, out.evaluation, line_id, notice="已保存" if out.changed else "")


@require_POST
@login_required
def save_fact(request, pk: int, name: str):
    evaluation = _sheet_for(request, pk, "edit_facts")
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
    html = render_to_string("evaluations/_fact_row.html", ctx, request=request)
    html += "<template>" + render_to_string("evaluations/_sheet_body.html", ctx, request=request)
    html += render_to_string("evaluations/_totals.html", ctx, request=request)
    html += render_to_string("evaluations/_status.html", ctx, request=request) + "</template>"
    return HttpResponse(html)


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
    return render(request, "evaluations/_innovation.html", ctx)


@require_POST
@login_required
def do_transition(request, pk: int, action: str):
    spec = workflow.ACTIONS.get(action)
    if spec is None:
        raise Http404("未知的操作。")
    evaluation = _sheet_for(request, pk, spec.permission)
    standard = evaluation.period.standard.standard
    form = TransitionForm(request.POST, line_ids=[line.id for line in standard.lines])
    if not form.is_valid():
        messages.error(request, "提交的内容有误：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("evaluations:detail", pk=pk)
    try:
        workflow.transition(evaluation, request.user, action, comment=form.cleaned_data["comment"],
                            lines=form.cleaned_data["lines"], expected_revision=form.cleaned_data["revision"])
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except WorkflowError as exc:
        messages.error(request, exc.message)
        if exc.problems:
            request.session[f"sheet-problems-{pk}"] = exc.problems
        return redirect("evaluations:detail", pk=pk)
    messages.success(request, f"已{spec.label}。")
    return redirect("evaluations:detail", pk=pk)


# ------------------------------------------------------------------------------------------------
# Lists and bulk actions


def _districts_for(user):
    units = Unit.objects.filter(level=Level.COUNTY)
    if user.is_city:
        return units
    if user.unit_id and user.unit.level == Level.COUNTY:
        return units.filter(pk=user.unit_id)
    if user.unit_id and user.unit.county_id:
        return units.filter(pk=user.unit.county_id)
    return units.none()


def _bulk_actions(user) -> list[workflow.Action]:
    return [a for a in workflow.ACTIONS.values() if a.bulk and can(user, a.permission)]


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
    latest = Period.objects.order_by("-year").first()
    if request.GET:
        form = ListFilterForm(request.GET, districts=_districts_for(request.user))
    else:
        # First visit: the latest period, shown as selected in the filter.
        form = ListFilterForm(initial={"period": latest}, districts=_districts_for(request.user))
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
                     "badge": STATE_BADGE.get(ev.state, "secondary")})
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
    require(request.user, spec.permission)
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
    return render(request, "evaluations/periods.html", {
        "periods": [(p, period_service.first_submission(p)) for p in items]})


def _period_kwargs(data: dict) -> dict:
    return {k: data[k] for k in ("name", "standard", "star_bands", "score_step", "self_deadline",
                                  "county_deadline", "city_deadline")}


@login_required
def period_create(request):
    require(request.user, "manage_periods")
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = period_service.open_period(
                request.user, year=form.cleaned_data["year"], communities=form.cleaned_data["communities"],
                **_period_kwargs(form.cleaned_data))
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
# Home page per role (orgs.views.home delegates here)


HOME_LIST_SIZE = 20


@login_required
def home(request):
    user = request.user
    period = Period.objects.order_by("-year").first()
    ctx: dict = {"period": period, "today": timezone.localdate()}
    sheets = scope_queryset(user, Evaluation.objects.select_related("period", "community"))
    if period is not None:
        current = sheets.filter(period=period)
    else:
        current = sheets.none()
    if user.role == Role.COMMUNITY_OPERATOR:
        todos = []
        mine = list(current)
        for ev in mine:
            ev.deadline_value, ev.overdue_flag = deadline_of(ev), is_overdue(ev)
            if ev.state == State.DRAFT:
                missing = workflow.missing_for_stage(ev, Stage.SELF)
                if ev.returned_lines:
                    todos.append(f"县级退回了第 {'、'.join(ev.returned_lines)} 行：{ev.return_comment}")
                todos.append(f"填写社区自评（尚有 {len(missing)} 处待补充）并提交县级审核" if missing
                             else "自评已填完，请提交县级审核")
                if not ev.innovation_text:
                    todos.append("填写创新工作文字材料（第 5 行，由市级评分）")
        ctx.update({"template": "community", "mine": mine, "todos": todos,
                    "history": sheets.exclude(period=period).order_by("-period__year")})
    else:
        by_district: dict[str, Counter] = defaultdict(Counter)
        for county, state, n in (current.order_by().values_list("community__county__name", "state")
                                 .annotate(n=Count("pk"))):
            by_district[county or "—"][state] += n
        total = sum(sum(c.values()) for c in by_district.values())
        waiting_states = {
            Role.COUNTY_REVIEWER: {State.SUBMITTED, State.COUNTY_REVIEWING},
            Role.CITY_REVIEWER: {State.COUNTY_PASSED, State.CITY_REVIEWING, State.CITY_REVIEWED},
            Role.CITY_ADMIN: {State.COUNTY_PASSED, State.CITY_REVIEWING, State.CITY_REVIEWED},
        }.get(user.role, set())
        # The cards list the first sheets only; the counts and the list page show them all.
        waiting_qs = current.filter(state__in=waiting_states).order_by("community__code")
        overdue_qs = current.filter(overdue_q(timezone.localdate())).order_by("community__code")
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
        })
    return render(request, "evaluations/home.html", ctx)
