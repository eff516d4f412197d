from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_GET, require_POST

from . import pickers, tabular
from .forms import ImportForm, LoginForm, PasswordChangeForm, RetireForm, UnitForm, UserFilterForm, UserForm
from .help import HELP_SHOTS
from .models import Level, OrgEvent, Unit, User
from .scoping import get_for_user, require
from .services import accounts
from .services import imports as unit_imports
from .services import units as unit_services

ONE_TIME_PASSWORD = "orgs_one_time_password"
IMPORT_SESSION = "orgs_import_rows"


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        accounts.password_changed(self.request.user)
        messages.success(self.request, "密码已修改。")
        return response


# ---------------------------------------------------------------- organisation tree

@login_required
@require_GET
def units(request):
    require(request.user, "manage_users")
    all_units = list(Unit.objects.order_by("code"))
    users = Counter(User.objects.filter(is_active=True).values_list("unit_id", flat=True))
    children: dict[int | None, list[Unit]] = {}
    for unit in all_units:
        children.setdefault(unit.parent_id, []).append(unit)

    def node(unit: Unit) -> dict:
        kids = [node(child) for child in children.get(unit.pk, [])]
        communities = sum(k["communities"] for k in kids) + (1 if unit.level == Level.COMMUNITY else 0)
        return {"unit": unit, "children": kids, "users": users.get(unit.pk, 0), "communities": communities,
                "streets": sum(k["streets"] for k in kids) + (1 if unit.level == Level.STREET else 0)}

    roots = [node(u) for u in children.get(None, [])]
    totals = Counter(u.level for u in all_units)
    return render(request, "orgs/units.html", {
        "roots": roots,
        "totals": [(Level(lvl).label, totals.get(lvl, 0)) for lvl in Level.values],
    })


def _unit(request, pk: int) -> Unit:
    require(request.user, "manage_users")
    return get_for_user(request.user, Unit.objects.select_related("parent"), "manage_users", pk=pk)


@login_required
def unit_create(request):
    require(request.user, "manage_users")
    initial = {}
    parent_id = request.GET.get("parent")
    if parent_id and parent_id.isdigit():
        parent = Unit.objects.filter(pk=int(parent_id)).first()
        if parent is not None and parent.level != Level.COMMUNITY:
            initial = {"parent": pickers.label(parent),
                       "level": Level.values[Level.values.index(parent.level) + 1]}
    form = UnitForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = unit_services.create_unit(request.user, level=data["level"], parent=data["parent"],
                                             name=data["name"], code=data["code"])
        except unit_services.UnitError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已新增{unit.get_level_display()}“{unit.full_name}”。")
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def unit_detail(request, pk: int):
    """One unit: its place in the tree, what uses it, and its history (old → new)."""
    unit = _unit(request, pk)
    events = [{"event": e, "lines": unit_services.describe(e)}
              for e in OrgEvent.objects.filter(target_unit=unit).select_related("actor")[:100]]
    return render(request, "orgs/unit_detail.html", {
        "unit": unit,
        "children": Unit.objects.filter(parent=unit).order_by("code")[:200],
        "child_count": Unit.objects.filter(parent=unit).count(),
        "users": User.objects.filter(unit=unit).order_by("username")[:50],
        "code_in_use": unit.code_in_use(),
        "events": events,
        "retire_form": RetireForm(),
    })


@login_required
def unit_edit(request, pk: int):
    unit = _unit(request, pk)
    initial = {"name": unit.name, "code": unit.code, "parent": pickers.label(unit.parent) if unit.parent else ""}
    form = UnitForm(request.POST if request.method == "POST" else None, initial=initial, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit_services.update_unit(request.user, unit.pk, name=data["name"], code=data["code"],
                                      parent=data.get("parent", unit.parent))
        except unit_services.UnitError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "单位信息已保存。")
            return redirect("orgs:unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": unit},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def unit_retire(request, pk: int):
    unit = _unit(request, pk)
    form = RetireForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        unit_services.retire_unit(request.user, unit.pk, reason)
    except unit_services.UnitError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{unit.name}”已撤销（停用），历史记录和评估表保留。")
    return redirect("orgs:unit_detail", pk=unit.pk)


@login_required
@require_POST
def unit_restore(request, pk: int):
    unit = _unit(request, pk)
    try:
        unit_services.restore_unit(request.user, unit.pk)
    except unit_services.UnitError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"“{unit.name}”已恢复启用。")
    return redirect("orgs:unit_detail", pk=unit.pk)


@login_required
@require_GET
def import_template(request):
    require(request.user, "manage_users")
    response = HttpResponse(
        unit_imports.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E7%BB%84%E7%BB%87%E6%9C%BA%E6%9E%84%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    return response


@login_required
def import_units(request):
    """Upload → preview (nothing written, rows kept in the session) → confirm (one transaction)."""
    require(request.user, "manage_users")
    context: dict = {"form": ImportForm()}
    if request.method == "POST" and request.POST.get("step") == "confirm":
        pending = request.session.pop(IMPORT_SESSION, None)
        if not pending:
            messages.error(request, "没有待确认的导入，请重新上传文件。")
            return redirect("orgs:import")
        # The write (re-planned against the units as they are then) runs as a background job.
        from jobs.services import start

        job = start("unit_import", request.user, request.user.unit or unit_imports.import_city(request.user),
                    f"导入组织机构：{pending['filename']}", {"rows": pending["rows"]}, link=reverse("orgs:units"))
        return redirect("jobs:detail", pk=job.pk)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                tabular.check_size(upload.size)
            except tabular.LimitExceeded as exc:
                form.add_error("file", exc.message)
                return render(request, "orgs/import.html", context, status=422)
            rows, errors = unit_imports.read_rows(upload.name, upload.read())
            if errors:
                plan = unit_imports.ImportPlan(errors=errors)
            else:
                try:
                    plan = unit_imports.plan_import(rows, unit_imports.import_city(request.user))
                except ValueError as exc:
                    plan = unit_imports.ImportPlan(errors=[unit_imports.RowError(0, "文件", str(exc))])
            context.update(plan=plan, filename=upload.name)
            if plan.ok:
                request.session[IMPORT_SESSION] = {"filename": upload.name, "rows": rows}
            return render(request, "orgs/import.html", context, status=200 if plan.ok else 422)
        return render(request, "orgs/import.html", context, status=422)
    request.session.pop(IMPORT_SESSION, None)
    return render(request, "orgs/import.html", context)


# ---------------------------------------------------------------- accounts

@login_required
@require_GET
def users(request):
    require(request.user, "manage_users")
    form = UserFilterForm(request.GET or None)
    qs = User.objects.select_related("unit__parent__parent").order_by("unit__code", "username")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(unit__name__icontains=q))
        if data["role"]:
            qs = qs.filter(role=data["role"])
        if data["unit"]:
            unit = data["unit"]
            qs = qs.filter(Q(unit_id=unit.pk) | Q(unit__county_id=unit.pk) | Q(unit__street_id=unit.pk))
        if data["status"]:
            qs = qs.filter(is_active=data["status"] == "active")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter_form": form, "page": page, "query": query.urlencode()}
    template = "orgs/_user_table.html" if request.htmx else "orgs/users.html"
    return render(request, template, context)


@login_required
def user_create(request):
    require(request.user, "manage_users")
    form = UserForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = accounts.create_user(
                request.user, username=data["username"], role=data["role"], unit=data["unit"],
                display_name=data["display_name"], phone=data["phone"],
            )
        except accounts.AccountError as exc:
            form.add_error(exc.field, exc.message)
        else:
            request.session[ONE_TIME_PASSWORD] = {"user": user.pk, "password": password, "created": True}
            messages.success(request, f"账号“{user.username}”已创建。")
            return redirect("orgs:user_detail", pk=user.pk)
    return render(request, "orgs/user_form.html", {"form": form}, status=422 if form.errors else 200)


def _user(request, pk: int) -> User:
    return get_for_user(request.user, User.objects.select_related("unit"), "manage_users", pk=pk)


@login_required
def user_detail(request, pk: int):
    target = _user(request, pk)
    initial = {"display_name": target.display_name, "phone": target.phone, "role": target.role,
               "unit": pickers.label(target.unit) if target.unit else ""}
    form = UserForm(request.POST if request.method == "POST" else None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accounts.update_user(request.user, target.pk, role=data["role"], unit=data["unit"],
                                 display_name=data["display_name"], phone=data["phone"])
        except accounts.AccountError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "账号信息已保存。")
            return redirect("orgs:user_detail", pk=target.pk)
    one_time = request.session.get(ONE_TIME_PASSWORD)
    if one_time and one_time["user"] == target.pk:
        del request.session[ONE_TIME_PASSWORD]  # shown exactly once
    else:
        one_time = None
    return render(request, "orgs/user_detail.html", {
        "target": target,
        "form": form,
        "one_time": one_time,
        "lockouts": accounts.login_lockouts(target.username),
        "events": OrgEvent.objects.filter(target_user=target).select_related("actor")[:20],
    }, status=422 if form.errors else 200)


def _user_action(request, pk: int, action) -> HttpResponse:
    target = _user(request, pk)
    try:
        result = action(request.user, target.pk)
    except accounts.AccountError as exc:
        messages.error(request, exc.message)
        return redirect("orgs:user_detail", pk=target.pk)
    return result


@login_required
@require_POST
def user_reset_password(request, pk: int):
    def act(actor, user_id):
        password = accounts.reset_password(actor, user_id)
        request.session[ONE_TIME_PASSWORD] = {"user": user_id, "password": password, "created": False}
        messages.success(request, "密码已重置，用户下次登录时须修改密码。")
        return redirect("orgs:user_detail", pk=user_id)

    return _user_action(request, pk, act)


@login_required
@require_POST
def user_deactivate(request, pk: int):
    def act(actor, user_id):
        user = accounts.deactivate(actor, user_id)
        messages.success(request, f"账号“{user.username}”已停用。")
        return redirect(reverse("orgs:user_detail", args=[user_id]))

    return _user_action(request, pk, act)


@login_required
@require_POST
def user_reactivate(request, pk: int):
    def act(actor, user_id):
        user = accounts.reactivate(actor, user_id)
        messages.success(request, f"账号“{user.username}”已启用。")
        return redirect(reverse("orgs:user_detail", args=[user_id]))

    return _user_action(request, pk, act)


@login_required
@require_POST
def user_unlock(request, pk: int):
    def act(actor, user_id):
        count = accounts.unlock_login(actor, user_id)
        messages.success(request, f"已解除该账号的登录锁定（{count} 个来源地址）。")
        return redirect(reverse("orgs:user_detail", args=[user_id]))

    return _user_action(request, pk, act)


# ---------------------------------------------------------------- help

HELP_ROLES = ["community_operator", "county_reviewer", "street_viewer", "city_reviewer", "city_admin"]


@login_required
@require_GET
def help_page(request):
    """The first-day walk-through of the user's own role (the others' below, folded)."""
    role = request.user.role
    others = [(r, HELP_SHOTS.get(r, [])) for r in HELP_ROLES if r != role]
    return render(request, "help.html", {"role": role, "shots": HELP_SHOTS.get(role, []), "others": others})
