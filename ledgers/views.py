"""Ledger pages: thin views over services, scope-aware lookups, masking on the server."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from evaluations import policy
from evaluations.models import Evaluation, Period
from orgs import pickers
from orgs.models import Unit
from orgs.scoping import can, get_for_user, scope_queryset, visible_communities

from . import forms as f
from . import search
from .facts import FACTS
from .masking import household_code_shown, log_unmask, show_person
from .models import (
    GROUPS,
    Complaint,
    Employer,
    FactSnapshot,
    HardshipRecognition,
    Household,
    Person,
    ServiceRecord,
    UnemploymentRegistration,
    Visit,
    ZeroEmploymentHousehold,
)
from .paging import ByCommunity
from .selectors import (
    PARENTS,
    RECORD_KINDS,
    attachment,
    hardship_choices,
    hardship_visible,
    record_visible,
    target_community,
)
from .services import (
    LedgerError,
    editable_communities,
    restore_person,
    save_owned,
    save_person,
    save_record,
    void_person,
)
from .snapshots import SnapshotError, latest_snapshot, refresh_snapshot

PAGE_SIZE = 50


def _community_filter(request, qs, path: str = "community"):
    """Apply ?community= (an id or searched text, within the user's scope).

    Returns (qs, the one selected community or None); the picker's state goes to `request.community_picker`.
    """
    choice = pickers.resolve(visible_communities(request.user), request.GET.get("community"))
    request.community_picker = choice
    return pickers.apply(qs, choice, path), choice.selected


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request, drop: str = "page") -> str:
    params = request.GET.copy()
    params.pop(drop, None)
    return params.urlencode()


def _require_edit(user) -> None:
    if not can(user, "edit_ledger"):
        raise PermissionDenied("您的角色无权修改台帐。")


def _target_community(request) -> Unit:
    """The community a new record goes to: the operator's own, or the one chosen by a city admin."""
    try:
        return target_community(request.user, request.POST.get("community") or request.GET.get("community"))
    except LedgerError as exc:
        raise Http404(exc.message) from None


@login_required
def index(request):
    communities = visible_communities(request.user).select_related("street", "county")
    page = _page(request, communities.order_by("code"))
    ids = [c.pk for c in page.object_list]

    def counts(qs, path):
        return dict(qs.filter(**{f"{path}_id__in": ids}).values_list(f"{path}_id").annotate(n=Count("pk")))

    stats = {
        "persons": counts(Person.objects.all(), "community"),
        "households": counts(Household.objects.all(), "community"),
        "unemployed": counts(UnemploymentRegistration.objects.filter(ended_on__isnull=True), "person__community"),
        "hardship": counts(HardshipRecognition.objects.filter(exited_on__isnull=True), "person__community"),
        "zero": counts(ZeroEmploymentHousehold.objects.filter(exited_on__isnull=True), "household__community"),
        "employers": counts(Employer.objects.all(), "community"),
    }
    rows = [{"unit": c, **{k: v.get(c.pk, 0) for k, v in stats.items()}} for c in page.object_list]
    # The sheet's population, by the same fact functions the sheet uses (ledgers.facts), for the latest
    # period: so the overview and the sheet count the same persons, and the page says how they differ
    # from the registrations open today.
    period = Period.objects.order_by("-year").first()
    if period is not None and ids:
        from .live_facts import values_for_many

        facts = values_for_many(period.year, ids)
        for row in rows:
            values = facts.get(row["unit"].pk, {})
            row["sheet"] = {name: values.get(name, 0) for name in OVERVIEW_FACTS}
    return render(request, "ledgers/index.html", {
        "rows": rows, "page": page, "can_edit": can(request.user, "edit_ledger"),
        "ledger_kinds": _ledger_kinds(), "period": period,
    })


# The sheet's counts shown beside the open registrations on the overview.
OVERVIEW_FACTS = ("registered_unemployed_total", "hard_to_employ_total", "zero_employment_households")


def _ledger_kinds():
    from .imports import SPECS

    return [(k, s.label) for k, s in SPECS.items()]


# ---- persons -------------------------------------------------------------------------------------

STATUS_FILTERS = {
    "unemployed": ("登记失业（未注销）", Q(unemployment__ended_on__isnull=True, unemployment__isnull=False)),
    "hardship": ("就业困难人员（未退出）", Q(hardship__exited_on__isnull=True, hardship__isnull=False)),
    "employed": ("在岗就业", Q(employment__ended_on__isnull=True, employment__isnull=False)),
}


@login_required
def person_list(request):
    if request.method == "POST":
        return search.search_redirect(request, "ledgers:persons")
    # Voided records are out of the list; the county and city may list them (to restore one).
    voided = request.GET.get("voided") == "1" and can(request.user, "restore_person")
    base = Person.all_objects.filter(voided_at__isnull=False) if voided else Person.objects.all()
    qs = scope_queryset(request.user, base.select_related("community", "household"))
    qs, selected = _community_filter(request, qs)
    q = search.search_text(request)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(id_number=q.upper()) | Q(phone=q) | Q(household__code=q))
    group = request.GET.get("group", "")
    sensitive = can(request.user, "view_sensitive")
    groups = [(fld, label) for fld, label, s in GROUPS if sensitive or not s]
    if group in dict(groups):
        qs = qs.filter(**{group: True})
    status = request.GET.get("status", "")
    if status in STATUS_FILTERS:
        qs = qs.filter(STATUS_FILTERS[status][1]).distinct()
    page = _page(request, ByCommunity(qs, "household__code", "id", ledger_counts=True))
    for p in page.object_list:
        show_person(p, request.user)
    ctx = {
        "page": page, "q": q, "group": group, "groups": groups, "status": status, "selected": selected,
        "statuses": [(k, v[0]) for k, v in STATUS_FILTERS.items()], "qs": _querystring(request),
        "communities": visible_communities(request.user), "can_edit": can(request.user, "edit_ledger"),
        "voided": voided, "can_restore": can(request.user, "restore_person"),
    }
    template = "ledgers/_person_rows.html" if request.htmx else "ledgers/person_list.html"
    return search.push_url(request, render(request, template, ctx))


def _person_context(request, person, unmask=False):
    show_person(person, request.user, unmask=unmask)
    hardship = [h for h in person.hardship.all() if hardship_visible(request.user, h)]
    return {
        "person": person,
        "unemployment": person.unemployment.all(),
        "hardship": hardship,
        "hardship_hidden": len(person.hardship.all()) - len(hardship),
        "employment": person.employment.select_related("employer").all(),
        "services": person.services.all(),
        "household_members": person.household.members.exclude(pk=person.pk),
        "visits": person.household.visits.all()[:20],
        "can_edit": can(request.user, "edit_ledger") and person.voided_at is None,
        "can_void": can(request.user, "void_person") and person.voided_at is None,
        "can_restore": can(request.user, "restore_person") and person.voided_at is not None,
        "can_unmask": can(request.user, "unmask"),
    }


@login_required
def person_detail(request, pk: int):
    # all_objects: a voided record stays reachable (marked as such) for whoever may see the community.
    person = get_for_user(request.user, Person.all_objects.select_related("household", "community", "voided_by"),
                          "view", pk=pk)
    return render(request, "ledgers/person_detail.html", _person_context(request, person))


@login_required
@require_POST
def person_void(request, pk: int):
    person = get_for_user(request.user, Person.objects.all(), "void_person", pk=pk)
    try:
        void_person(request.user, person.pk, request.POST.get("reason", ""))
    except LedgerError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{person.name}”的记录已作废，不再计入台帐列表和成效数据；县级或市级人员可恢复。")
    return redirect("ledgers:person_detail", pk=person.pk)


@login_required
@require_POST
def person_restore(request, pk: int):
    person = get_for_user(request.user, Person.all_objects.all(), "restore_person", pk=pk)
    try:
        restore_person(request.user, person.pk)
    except LedgerError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{person.name}”的记录已恢复。")
    return redirect("ledgers:person_detail", pk=person.pk)


@login_required
def visit_photo(request, pk: int):
    """The photo of a home visit, to whoever may see the household (not a public media URL)."""
    visit = get_for_user(request.user, Visit.objects.all(), "view", pk=pk)
    if not visit.photo:
        raise Http404("该走访记录没有照片。")
    return FileResponse(visit.photo.open("rb"), content_type=_photo_type(visit.photo.name))


def _photo_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {"png": "image/png", "webp": "image/webp"}.get(ext, "image/jpeg")


@login_required
@require_POST
def person_unmask(request, pk: int):
    person = get_for_user(request.user, Person.objects.select_related("household", "community"), "unmask", pk=pk)
    log_unmask(request.user, person)
    return render(request, "ledgers/person_detail.html", _person_context(request, person, unmask=True))


@login_required
def person_form(request, pk: int | None = None):
    # With an object: get_for_user answers 404 outside the unit before 403 for the role.
    if pk is None:
        _require_edit(request.user)
    sensitive = can(request.user, "view_sensitive")
    if pk is not None:
        person = get_for_user(request.user, Person.objects.select_related("household"), "edit_ledger", pk=pk)
        community = person.community
    else:
        person, community = Person(), _target_community(request)
    form = f.PersonForm(request.POST or None, instance=person, show_sensitive=sensitive)
    if request.method == "POST" and form.is_valid():
        try:
            obj = save_person(request.user, community, form)
        except LedgerError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, f"已保存人员“{obj.name}”。")
            return redirect("ledgers:person_detail", pk=obj.pk)
    return render(request, "ledgers/form.html", {
        "form": form, "title": "修改人员信息" if pk else "登记人员", "community": community,
        "back": reverse("ledgers:person_detail", args=[pk]) if pk else reverse("ledgers:persons"),
    })


# ---- records under a person, household or employer ------------------------------------------------

def _detail_url(parent_kind: str, parent) -> str:
    return reverse(f"ledgers:{parent_kind}_detail", args=[parent.pk])


@login_required
def record_form(request, kind: str, parent_id: int | None = None, pk: int | None = None):
    if kind not in RECORD_KINDS:
        raise Http404("未知的台帐类型。")
    model, form_class, parent_kind, label = RECORD_KINDS[kind]
    if pk is not None:
        instance = get_for_user(request.user, model.objects.all(), "edit_ledger", pk=pk)
        parent = getattr(instance, parent_kind)
    else:
        parent = get_for_user(request.user, PARENTS[parent_kind].objects.all(), "edit_ledger", pk=parent_id)
        instance = model()
    community = parent.community
    if instance.pk and not record_visible(request.user, kind, instance):
        raise PermissionDenied("您的角色无权查看该类别。")
    kwargs = {"community": community} if kind == "employment" else {}
    if kind == "visit" and instance.pk is None:
        # Recorded on site: today and the person logged in, unless changed.
        kwargs["initial"] = {"visited_on": timezone.localdate(), "visitor": request.user.display_name or str(request.user)}
    form = form_class(request.POST or None, request.FILES or None, instance=instance, **kwargs)
    if kind == "hardship":
        form.fields["category"].choices = hardship_choices(request.user, form.fields["category"].choices)
    if request.method == "POST" and form.is_valid():
        try:
            save_record(request.user, community, form, **{parent_kind: parent})
        except LedgerError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存{label}。")
            return redirect(_detail_url(parent_kind, parent))
    return render(request, "ledgers/form.html", {
        "form": form, "title": f"{'修改' if pk else '新增'}{label} · {parent}", "community": community,
        "back": _detail_url(parent_kind, parent),
    })


# ---- households -----------------------------------------------------------------------------------

@login_required
def household_list(request):
    if request.method == "POST":
        return search.search_redirect(request, "ledgers:households")
    qs = scope_queryset(request.user, Household.objects.select_related("community")).annotate(
        n_members=Count("members", distinct=True)
    )
    qs, selected = _community_filter(request, qs)
    q = search.search_text(request)
    if q:
        qs = qs.filter(Q(code=q) | Q(head_name__contains=q) | Q(address__contains=q))
    if request.GET.get("zero"):
        qs = qs.filter(zero_employment__exited_on__isnull=True, zero_employment__isnull=False)
    page = _page(request, ByCommunity(qs, "code", ledger_counts=True))
    return render(request, "ledgers/household_list.html", {
        "page": page, "q": q, "selected": selected, "qs": _querystring(request),
        "communities": visible_communities(request.user), "zero": request.GET.get("zero", ""),
        "can_edit": can(request.user, "edit_ledger"),
    })


@login_required
def household_detail(request, pk: int):
    hh = get_for_user(request.user, Household.objects.select_related("community"), "view", pk=pk)
    members = [show_person(p, request.user) for p in hh.members.all()]
    return render(request, "ledgers/household_detail.html", {
        "household": hh, "members": members, "zero": hh.zero_employment.all(), "visits": hh.visits.all(),
        "can_edit": can(request.user, "edit_ledger"),
    })


def _owned_form(request, model, form_class, pk, title, list_name, detail_name=None):
    if pk is None:
        _require_edit(request.user)
    if pk is not None:
        instance = get_for_user(request.user, model.objects.all(), "edit_ledger", pk=pk)
        community = instance.community
    else:
        instance, community = model(), _target_community(request)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            obj = save_owned(request.user, community, form)
        except LedgerError as exc:
            form.add_error(None, exc.message)
        else:
            warning = getattr(form, "credit_warning", "")
            if warning:
                messages.warning(request, warning)
            messages.success(request, f"已保存{model._meta.verbose_name}。")
            return redirect(detail_name, pk=obj.pk) if detail_name else redirect(list_name)
    return render(request, "ledgers/form.html", {
        "form": form, "title": title, "community": community, "back": reverse(list_name),
    })


@login_required
def household_form(request, pk: int | None = None):
    return _owned_form(request, Household, f.HouseholdForm, pk, "家庭", "ledgers:households",
                       "ledgers:household_detail")


# ---- employers and complaints ---------------------------------------------------------------------

@login_required
def employer_list(request):
    if request.method == "POST":
        return search.search_redirect(request, "ledgers:employers")
    qs = scope_queryset(request.user, Employer.objects.select_related("community")).annotate(
        n_vacancies=Count("vacancies", distinct=True), n_hires=Count("hires", distinct=True)
    )
    qs, selected = _community_filter(request, qs)
    q = search.search_text(request)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(credit_code=q.upper()))
    page = _page(request, ByCommunity(qs, "name"))
    return render(request, "ledgers/employer_list.html", {
        "page": page, "q": q, "selected": selected, "qs": _querystring(request),
        "communities": visible_communities(request.user), "can_edit": can(request.user, "edit_ledger"),
    })


@login_required
def employer_detail(request, pk: int):
    employer = get_for_user(request.user, Employer.objects.select_related("community"), "view", pk=pk)
    hires = employer.hires.select_related("person").all()
    for h in hires:
        show_person(h.person, request.user)
    return render(request, "ledgers/employer_detail.html", {
        "employer": employer, "vacancies": employer.vacancies.all(), "hires": hires,
        "can_edit": can(request.user, "edit_ledger"),
    })


@login_required
def employer_form(request, pk: int | None = None):
    return _owned_form(request, Employer, f.EmployerForm, pk, "用人单位", "ledgers:employers",
                       "ledgers:employer_detail")


@login_required
def complaint_list(request):
    qs = scope_queryset(request.user, Complaint.objects.select_related("community"))
    qs, selected = _community_filter(request, qs)
    page = _page(request, qs.order_by("-received_on"))
    return render(request, "ledgers/complaint_list.html", {
        "page": page, "selected": selected, "qs": _querystring(request),
        "communities": visible_communities(request.user), "can_edit": can(request.user, "edit_ledger"),
    })


@login_required
def complaint_form(request, pk: int | None = None):
    return _owned_form(request, Complaint, f.ComplaintForm, pk, "投诉信访", "ledgers:complaints")


# ---- facts of an evaluation -----------------------------------------------------------------------

def _evaluation(request, pk: int, action: str = "view") -> Evaluation:
    return get_for_user(
        request.user, Evaluation.objects.select_related("period__standard", "community"), action, pk=pk
    )


@login_required
def evaluation_facts(request, pk: int):
    from evaluations.facts import collect_facts, fact_listing
    from evaluations.scoring import result_for

    ev = _evaluation(request, pk)
    standard = ev.period.standard.standard
    facts = collect_facts(ev)
    result = result_for(ev, facts)
    rows = [row for row in fact_listing(ev, facts) if row["name"] in FACTS]
    lines = [
        {"line": line, "suggestion": result.suggestions.get(line.id)}
        for line in standard.lines_reading(FACTS)
    ]
    return render(request, "ledgers/facts.html", {
        "evaluation": ev, "rows": rows, "lines": lines, "snapshot": latest_snapshot(ev),
        "snapshots": FactSnapshot.objects.filter(evaluation=ev).select_related("taken_by"),
        "can_refresh": policy.may_refresh_facts(request.user, ev),
    })


@login_required
@require_POST
def refresh_facts(request, pk: int):
    ev = _evaluation(request, pk, "refresh_facts")
    try:
        _, diffs = refresh_snapshot(ev.pk, request.user)
    except SnapshotError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已刷新台帐事实快照：" + ("；".join(diffs) if diffs else "无变化"))
    return redirect(request.POST.get("next") or reverse("ledgers:evaluation_facts", args=[ev.pk]))


@login_required
def fact_records(request, pk: int, name: str):
    from .facts import fact_records as live_records

    ev = _evaluation(request, pk)
    if name not in FACTS:
        raise Http404("未知的台帐事实。")
    fd = FACTS[name]
    snap = latest_snapshot(ev)
    live_ids = live_records(name, ev.period.year, ev.community_id)
    ids = snap.records.get(name, []) if snap else live_ids
    model = {"person": Person, "household": Household, "service": ServiceRecord}[fd.model]
    qs = model.objects.filter(pk__in=ids)
    if fd.model == "service":
        qs = qs.select_related("person")
    if fd.model == "person":
        qs = qs.select_related("household")
    objects = list(qs)
    if fd.model == "person":
        for p in objects:
            show_person(p, request.user)
            p.household_shown = household_code_shown(p.household.code, request.user) if p.household_id else ""
    if fd.model == "service":
        for s in objects:
            show_person(s.person, request.user)
    standard = ev.period.standard.standard
    value = snap.values.get(name) if snap else (len(ids) if fd.mode == "count" else bool(ids))
    return render(request, "ledgers/fact_records.html", {
        "evaluation": ev, "name": name, "label": standard.facts[name].label if name in standard.facts else name,
        "fact": fd, "objects": objects, "snapshot": snap, "value": value,
        "missing": len(ids) - len(objects),
        "added": sorted(set(live_ids) - set(ids)), "removed": sorted(set(ids) - set(live_ids)),
    })




# ---- import and export ----------------------------------------------------------------------------

@login_required
def import_page(request):
    from .imports import SPECS

    _require_edit(request.user)
    communities = editable_communities(request.user)
    error = None
    picker = pickers.resolve(communities, request.POST.get("community") or request.GET.get("community"))
    if request.method == "POST":
        try:
            if picker.text and picker.selected is None and not picker.text.isdigit():
                raise LedgerError(f"社区“{picker.text}”不唯一或不在您的管辖范围内，请从提示中选择一个社区。")
            community = _target_community(request)
            upload = request.FILES.get("file")
            if upload is None:
                raise LedgerError("请选择要上传的文件。")
            from .services import check_import

            job = check_import(request.user, community, request.POST.get("kind", ""), upload,
                               can(request.user, "view_sensitive"))
        except LedgerError as exc:
            error = exc.message
        else:
            return redirect("ledgers:import_detail", pk=job.pk)
    from .models import ImportJob

    jobs = scope_queryset(request.user, ImportJob.objects.select_related("community", "created_by"))[:20]
    return render(request, "ledgers/import.html", {
        "specs": SPECS, "communities": communities, "error": error, "jobs": jobs, "picker": picker,
        "kind": request.POST.get("kind") or request.GET.get("kind", ""),
    })


@login_required
def import_detail(request, pk: int):
    from .imports import SPECS
    from .models import ImportJob

    job = get_for_user(request.user, ImportJob.objects.select_related("community", "background"), "view", pk=pk)
    return render(request, "ledgers/import_detail.html", {
        "job": job, "spec": SPECS[job.kind], "s": job.summary, "can_edit": can(request.user, "edit_ledger"),
        "background": job.background,
    })


@login_required
def import_errors(request, pk: int):
    """The failed rows of a rejected file as an annotated workbook (错误说明 column, bad cells marked): the
    check job keeps only that workbook of a rejected upload."""
    from .models import ImportJob

    job = get_for_user(request.user, ImportJob.objects.all(), "view", pk=pk)
    if job.status != ImportJob.Status.REJECTED or not job.file or not (job.summary or {}).get("errors"):
        raise Http404("该导入没有错误行。")
    with job.file.open("rb") as fh:
        content = fh.read()
    name = job.original_name.rsplit(".", 1)[0]
    return attachment(content, f"{name}-错误说明.xlsx", EXPORT_CONTENT_TYPES["xlsx"])


@login_required
@require_POST
def import_apply(request, pk: int):
    from .models import ImportJob
    from .services import apply_import

    job = get_for_user(request.user, ImportJob.objects.all(), "edit_ledger", pk=pk)
    try:
        apply_import(request.user, job.pk, can(request.user, "view_sensitive"))
    except LedgerError as exc:
        messages.error(request, exc.message)
    return redirect("ledgers:import_detail", pk=job.pk)


@login_required
def import_template(request, kind: str):
    from io import BytesIO

    from .imports import SPECS, template_workbook

    if kind not in SPECS:
        raise Http404("未知的台帐类型。")
    from reports.cells import save_workbook

    wb = template_workbook(SPECS[kind], can(request.user, "view_sensitive"))
    out = BytesIO()
    save_workbook(wb, out)
    return attachment(out.getvalue(), f"{SPECS[kind].label}-导入模板.xlsx", EXPORT_CONTENT_TYPES["xlsx"])


EXPORT_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@login_required
def export(request, kind: str):
    """A ledger as xlsx (default) or ?format=csv; ?community= narrows, ?full=1 unmasks where allowed."""
    from .exports import LEDGER_EXPORTERS

    cls = LEDGER_EXPORTERS.get(kind)
    if cls is None:
        raise Http404("未知的台帐类型。")
    fmt = request.GET.get("format") or "xlsx"
    if fmt not in cls.formats:
        raise Http404(f"不支持的导出格式“{fmt}”（可选：{'、'.join(cls.formats)}）。")
    if not can(request.user, "export"):
        raise PermissionDenied("您的角色无权导出。")
    _, selected = _community_filter(request, Person.objects.none())
    exporter = cls(request.user, community=selected, full=request.GET.get("full") == "1")
    if exporter.queryset().count() > settings.EXPORT_INLINE_MAX_ROWS:
        # A large ledger (a county's or the city's) is written by a background job.
        from jobs.services import start

        job = start("ledger_export", request.user, selected or request.user.unit,
                    f"导出：{exporter.title()}（{fmt.upper()}）",
                    {"kind": kind, "fmt": fmt, "community_id": selected.pk if selected else None,
                     "full": exporter.full}, link=request.get_full_path())
        return redirect("jobs:detail", pk=job.pk)
    return attachment(exporter.export(fmt), exporter.filename(fmt), EXPORT_CONTENT_TYPES[fmt])


@login_required
@require_GET
def duplicate_list(request):
    """Refused registrations of an ID number already on another community's ledger (county and city)."""
    from . import duplicates
    from .identity import mask_id

    if not can(request.user, "view_duplicates"):
        raise PermissionDenied("您的角色无权查看重复登记。")
    page = _page(request, duplicates.visible_attempts(request.user))
    for attempt in page.object_list:
        attempt.shown_id = mask_id(attempt.id_number)
    return render(request, "ledgers/duplicate_list.html", {"page": page, "qs": _querystring(request)})
