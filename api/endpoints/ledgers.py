"""Ledgers (台帐): persons, households, employers, complaints and the records under them; xlsx import.

Writes validate with the pages' ModelForms and save through ledgers.services (save_person, save_owned,
save_record, check_import, apply_import) — the same checks, transactions and LedgerEvent trail.
Personal data is masked on the server as on the pages (ledgers.masking.show_person); unmasking needs
the `unmask` action and is logged.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.http import Http404
from ninja import Body, File, Form, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from ledgers import forms as ledger_forms
from ledgers import services as ledger_services
from ledgers.masking import log_unmask, show_person
from ledgers.models import (
    SENSITIVE_GROUPS,
    Complaint,
    Employer,
    Household,
    ImportJob,
    Person,
)
from ledgers.paging import ByCommunity
from ledgers.selectors import PARENTS, RECORD_KINDS, record_visible, target_community, visible_hardship
from orgs import pickers
from orgs.scoping import can, get_for_user, require, scope_queryset, visible_communities

from ..errors import ApiError
from ..paging import Page, PageParams, paginate
from .common import ERRORS, MAX_ID

router = Router(tags=["台帐"])

# The body of a ledger write: the form's fields as a JSON object (validated by the pages' ModelForms).
JSON_OBJECT = Body(..., description="台帐字段（与页面表单相同）")

# resource -> (model, form class, how it is saved)
OWNED = {
    "households": (Household, ledger_forms.HouseholdForm),
    "employers": (Employer, ledger_forms.EmployerForm),
    "complaints": (Complaint, ledger_forms.ComplaintForm),
}


class LedgerFilter(Schema):
    community: int | None = Field(None, ge=1, le=MAX_ID, description="社区 id")
    q: str | None = Field(None, max_length=50, description="姓名、名称或编号")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # a visit's photo: whether there is one (the file is on the person page)
        return bool(value)
    return value


def _row(obj: models.Model, form_class, user) -> dict[str, Any]:
    fields = [f for f in form_class._meta.fields]
    data = {name: _plain(value) for name, value in model_to_dict(obj, fields=fields).items()}
    data["id"] = obj.pk
    if hasattr(obj, "community_id"):
        data["community_id"] = obj.community_id
    return data


def _person_row(person: Person, user, unmask: bool = False) -> dict[str, Any]:
    show_person(person, user, unmask=unmask)
    data = _row(person, ledger_forms.PersonForm, user)
    data["id_number"] = person.id_shown
    data["phone"] = person.phone_shown
    data["unmasked"] = person.unmasked
    data["household_id"] = person.household_id
    data["household_code"] = person.household.code
    data["sex"] = person.sex
    data["groups"] = person.group_labels
    if not can(user, "view_sensitive"):
        for name in SENSITIVE_GROUPS:
            data.pop(name, None)
    return data


def _form_errors(form) -> ApiError:
    details = []
    for field, errors in form.errors.get_json_data().items():
        label = form.fields[field].label if field in form.fields else ""
        for err in errors:
            details.append({"location": "body", "field": "" if field == "__all__" else field,
                            "type": err.get("code") or "invalid",
                            "message": f"{label}：{err['message']}" if label else err["message"]})
    summary = "；".join(d["message"] for d in details[:5])
    return ApiError(422, "invalid_ledger", f"台帐数据有误：{summary}", details)


def _check_fields(payload: dict, allowed: set[str]) -> None:
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise ApiError(
            422, "validation_error", f"请求参数不正确：不允许的字段 {'、'.join(unknown)}",
            [{"location": "body", "field": u, "type": "extra_forbidden", "message": f"不允许的字段“{u}”"}
             for u in unknown],
        )


def _merged(instance: models.Model, form_class, payload: dict) -> dict:
    """PATCH semantics: the stored values, overwritten by the fields sent."""
    data = {k: _plain(v) for k, v in model_to_dict(instance, fields=form_class._meta.fields).items()} if instance.pk else {}
    data.update(payload)
    return {k: v for k, v in data.items() if v is not None}


def _target_community(user, community_id: Any):
    try:
        if community_id is not None and (isinstance(community_id, bool) or not isinstance(community_id, int)):
            raise ledger_services.LedgerError("请选择您管辖范围内的社区。", "community")
        return target_community(user, community_id)
    except ledger_services.LedgerError as exc:
        raise ApiError(422, "invalid_ledger", f"{exc.message}（请用 community 字段指定）",
                       [{"location": "body", "field": "community", "type": "invalid", "message": "社区无效"}]) from None


def _body(payload: dict) -> dict:
    if not isinstance(payload, dict):
        raise ApiError(422, "validation_error", "请求体应为 JSON 对象。")
    return payload


# ---- persons ---------------------------------------------------------------------------------------

class PersonSearchIn(LedgerFilter, PageParams):
    """The search of GET /ledgers/persons in a body: ID numbers and phones stay out of URLs and logs."""


@router.post(
    "/ledgers/persons/search", response={200: Page[dict], **ERRORS},
    summary="按身份证号、电话或姓名查找人员（条件放在请求体中，不进入网址和访问日志）",
)
def search_persons(request, payload: PersonSearchIn):
    return list_persons(request, payload, payload)


@router.get("/ledgers/persons", response={200: Page[dict], **ERRORS}, summary="人员台帐（证件号、电话已遮蔽）")
def list_persons(request, filters: Query[LedgerFilter], page: Query[PageParams]):
    """Searching by ID number or phone: use POST /ledgers/persons/search (keeps them out of URLs)."""
    qs = scope_queryset(request.auth, Person.objects.select_related("household", "community"))
    if filters.community:
        qs = qs.filter(community_id=filters.community)
    if filters.q:
        q = filters.q.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
        qs = qs.filter(Q(name__contains=q) | Q(id_number=q.upper()) | Q(phone=q) | Q(household__code=q))
    return paginate(ByCommunity(qs, "household__code", "id", ledger_counts=True), page, lambda p: _person_row(p, request.auth))


@router.get("/ledgers/persons/{person_id}", response={200: dict, **ERRORS}, summary="一名人员")
def get_person(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    person = get_for_user(request.auth, Person.objects.select_related("household"), "view", pk=person_id)
    return _person_row(person, request.auth)


@router.post(
    "/ledgers/persons/{person_id}/unmask", response={200: dict, **ERRORS}, summary="查看完整证件号和电话（记录日志）"
)
def unmask_person(request, person_id: int = Path(..., ge=1, le=MAX_ID)):
    person = get_for_user(request.auth, Person.objects.select_related("household"), "unmask", pk=person_id)
    log_unmask(request.auth, person)
    return _person_row(person, request.auth, unmask=True)


def _save_person(request, person: Person, community, payload: dict) -> dict:
    sensitive = can(request.auth, "view_sensitive")
    form = ledger_forms.PersonForm(
        _merged(person, ledger_forms.PersonForm, payload), instance=person, show_sensitive=sensitive
    )
    _check_fields(payload, set(form.fields))
    if person.pk and "household_code" not in payload:
        form.data = {**form.data, "household_code": person.household.code}
    if not form.is_valid():
        raise _form_errors(form)
    saved = ledger_services.save_person(request.auth, community, form, channel="api")
    return _person_row(Person.objects.select_related("household").get(pk=saved.pk), request.auth)


@router.post("/ledgers/persons", response={201: dict, **ERRORS}, summary="登记人员")
def create_person(request, payload: dict[str, Any] = JSON_OBJECT):
    require(request.auth, "edit_ledger")
    payload = dict(_body(payload))
    community = _target_community(request.auth, payload.pop("community", None))
    return Status(201, _save_person(request, Person(), community, payload))


@router.patch("/ledgers/persons/{person_id}", response={200: dict, **ERRORS}, summary="修改人员信息")
def update_person(request, payload: dict[str, Any] = JSON_OBJECT, person_id: int = Path(..., ge=1, le=MAX_ID)):
    person = get_for_user(request.auth, Person.objects.select_related("household"), "edit_ledger", pk=person_id)
    return _save_person(request, person, person.community, dict(_body(payload)))


# ---- households, employers, complaints ---------------------------------------------------------------

def _register_owned(resource: str, model, form_class) -> None:
    label = model._meta.verbose_name

    def list_items(request, filters: Query[LedgerFilter], page: Query[PageParams]):
        qs = scope_queryset(request.auth, model.objects.all())
        if filters.community:
            qs = qs.filter(community_id=filters.community)
        if filters.q:
            text_fields = [f for f in ("code", "head_name", "name", "summary") if hasattr(model, f)]
            cond = Q()
            for f in text_fields:
                cond |= Q(**{f"{f}__contains": filters.q})
            qs = qs.filter(cond)
        return paginate(qs.order_by("pk"), page, lambda o: _row(o, form_class, request.auth))

    def get_item(request, item_id: int = Path(..., ge=1, le=MAX_ID)):
        return _row(get_for_user(request.auth, model.objects.all(), "view", pk=item_id), form_class, request.auth)

    def save(request, instance, community, payload: dict):
        form = form_class(_merged(instance, form_class, payload), instance=instance)
        _check_fields(payload, set(form.fields))
        if not form.is_valid():
            raise _form_errors(form)
        obj = ledger_services.save_owned(request.auth, community, form)
        row = _row(model.objects.get(pk=obj.pk), form_class, request.auth)
        warning = getattr(form, "credit_warning", "")
        if warning:
            row["warning"] = warning
        return row

    def create_item(request, payload: dict[str, Any] = JSON_OBJECT):
        require(request.auth, "edit_ledger")
        payload = dict(_body(payload))
        community = _target_community(request.auth, payload.pop("community", None))
        return Status(201, save(request, model(), community, payload))

    def update_item(request, payload: dict[str, Any] = JSON_OBJECT, item_id: int = Path(..., ge=1, le=MAX_ID)):
        instance = get_for_user(request.auth, model.objects.all(), "edit_ledger", pk=item_id)
        return save(request, instance, instance.community, dict(_body(payload)))

    base = f"/ledgers/{resource}"
    router.get(base, response={200: Page[dict], **ERRORS}, summary=f"{label}台帐",
               operation_id=f"ledgers_{resource}_list")(list_items)
    router.get(base + "/{item_id}", response={200: dict, **ERRORS}, summary=f"一条{label}",
               operation_id=f"ledgers_{resource}_get")(get_item)
    router.post(base, response={201: dict, **ERRORS}, summary=f"新增{label}",
                operation_id=f"ledgers_{resource}_create")(create_item)
    router.patch(base + "/{item_id}", response={200: dict, **ERRORS}, summary=f"修改{label}",
                 operation_id=f"ledgers_{resource}_update")(update_item)


for _resource, (_model, _form) in OWNED.items():
    _register_owned(_resource, _model, _form)


# ---- records under a person, household or employer ------------------------------------------------

RECORD_KIND_PATTERN = "^(" + "|".join(RECORD_KINDS) + ")$"


def _record_row(kind: str, obj, user) -> dict:
    _, form_class, parent_kind, _ = RECORD_KINDS[kind]
    row = _row(obj, form_class, user)
    row[f"{parent_kind}_id"] = getattr(obj, f"{parent_kind}_id")
    return row


@router.get("/ledgers/records/{kind}", response={200: Page[dict], **ERRORS}, summary="台帐记录（按上级对象）")
def list_records(
    request,
    page: Query[PageParams],
    kind: str = Path(..., pattern=RECORD_KIND_PATTERN, description="、".join(RECORD_KINDS)),
    parent: int | None = Query(None, ge=1, le=MAX_ID, description="人员、家庭或用人单位 id"),
):
    model, _, parent_kind, _ = RECORD_KINDS[kind]
    qs = scope_queryset(request.auth, model.objects.all())
    if parent is not None:
        qs = qs.filter(**{f"{parent_kind}_id": parent})
    if kind == "hardship":
        qs = visible_hardship(request.auth, qs)
    return paginate(qs.order_by("pk"), page, lambda o: _record_row(kind, o, request.auth))


@router.get("/ledgers/records/{kind}/{record_id}", response={200: dict, **ERRORS}, summary="一条台帐记录")
def get_record(
    request,
    kind: str = Path(..., pattern=RECORD_KIND_PATTERN),
    record_id: int = Path(..., ge=1, le=MAX_ID),
):
    model = RECORD_KINDS[kind][0]
    obj = get_for_user(request.auth, model.objects.all(), "view", pk=record_id)
    if not record_visible(request.auth, kind, obj):
        raise Http404("未找到该记录，或不在您的管辖范围内。")
    return _record_row(kind, obj, request.auth)


def _save_record(request, kind: str, instance, parent, payload: dict) -> dict:
    model, form_class, parent_kind, _ = RECORD_KINDS[kind]
    community = parent.community
    kwargs = {"community": community} if kind == "employment" else {}
    form = form_class(_merged(instance, form_class, payload), instance=instance, **kwargs)
    _check_fields(payload, set(form.fields))
    if not form.is_valid():
        raise _form_errors(form)
    obj = ledger_services.save_record(request.auth, community, form, **{parent_kind: parent})
    return _record_row(kind, model.objects.get(pk=obj.pk), request.auth)


@router.post("/ledgers/records/{kind}", response={201: dict, **ERRORS}, summary="新增台帐记录（body 含 parent）")
def create_record(request, payload: dict[str, Any] = JSON_OBJECT, kind: str = Path(..., pattern=RECORD_KIND_PATTERN)):
    payload = dict(_body(payload))
    _, _, parent_kind, _ = RECORD_KINDS[kind]
    parent_id = payload.pop("parent", None)
    if not isinstance(parent_id, int) or isinstance(parent_id, bool) or not 1 <= parent_id <= MAX_ID:
        raise ApiError(422, "validation_error", "请求参数不正确：请用整数字段 parent 指定所属的人员、家庭或用人单位。",
                       [{"location": "body", "field": "parent", "type": "missing", "message": "缺少 parent"}])
    parent = get_for_user(request.auth, PARENTS[parent_kind].objects.all(), "edit_ledger", pk=parent_id)
    return Status(201, _save_record(request, kind, RECORD_KINDS[kind][0](), parent, payload))


@router.patch("/ledgers/records/{kind}/{record_id}", response={200: dict, **ERRORS}, summary="修改台帐记录")
def update_record(
    request, payload: dict[str, Any] = JSON_OBJECT,
    kind: str = Path(..., pattern=RECORD_KIND_PATTERN), record_id: int = Path(..., ge=1, le=MAX_ID),
):
    model, _, parent_kind, _ = RECORD_KINDS[kind]
    instance = get_for_user(request.auth, model.objects.all(), "edit_ledger", pk=record_id)
    return _save_record(request, kind, instance, getattr(instance, parent_kind), dict(_body(payload)))


# ---- import -----------------------------------------------------------------------------------------

class ImportJobOut(Schema):
    id: int
    community_id: int
    kind: str
    original_name: str
    status: str
    status_label: str
    summary: dict
    created_at: datetime.datetime
    applied_at: datetime.datetime | None
    # The background job checking or applying the file: poll until status leaves 预检中/导入中.
    progress_done: int = 0
    progress_total: int = 0
    message: str = ""


def _job(job: ImportJob) -> dict:
    background = job.background
    return {
        "id": job.pk, "community_id": job.community_id, "kind": job.kind, "original_name": job.original_name,
        "status": job.status, "status_label": job.get_status_display(), "summary": job.summary,
        "created_at": job.created_at, "applied_at": job.applied_at,
        "progress_done": background.done if background else 0,
        "progress_total": background.total if background else 0,
        "message": background.message if background else "",
    }


@router.post("/ledgers/imports", response={201: ImportJobOut, **ERRORS}, summary="上传 xlsx 台帐并预检（不写入；后台进行，轮询状态至“已预检”或“有错误”）")
def create_import(
    request,
    kind: str = Form(..., max_length=32),
    community: int | None = Form(None, ge=1, le=MAX_ID),
    file: UploadedFile = File(...),  # noqa: B008
):
    require(request.auth, "edit_ledger")
    unit = _target_community(request.auth, community)
    job = ledger_services.check_import(request.auth, unit, kind, file, can(request.auth, "view_sensitive"))
    return Status(201, _job(job))


@router.get("/ledgers/imports/{job_id}", response={200: ImportJobOut, **ERRORS}, summary="导入任务的预检结果")
def get_import(request, job_id: int = Path(..., ge=1, le=MAX_ID)):
    return _job(get_for_user(request.auth, ImportJob.objects.select_related("background"), "view", pk=job_id))


@router.post("/ledgers/imports/{job_id}/apply", response={200: ImportJobOut, **ERRORS}, summary="确认导入（全部或全不；后台进行，轮询状态至“已导入”）")
def apply_import(request, job_id: int = Path(..., ge=1, le=MAX_ID)):
    job = get_for_user(request.auth, ImportJob.objects.all(), "edit_ledger", pk=job_id)
    job = ledger_services.apply_import(request.auth, job.pk, can(request.auth, "view_sensitive"))
    if job.status == ImportJob.Status.REJECTED:
        raise ApiError(409, "import_rejected", "台帐已变化，复核发现错误，未写入任何数据。",
                       [{"row": r, "column": c, "message": m} for r, c, m in job.summary.get("errors", [])[:100]])
    return _job(job)


@router.get("/ledgers/communities", response={200: Page[dict], **ERRORS},
            summary="可查看的社区（台帐筛选用；分页，可按名称或代码搜索）")
def ledger_communities(
    request, page: Query[PageParams],
    q: str | None = Query(None, max_length=100, description="社区全称包含的文字，或代码开头"),
):
    qs = visible_communities(request.auth)
    if q and q.strip():
        qs = pickers.search(qs, q)
    editable = ledger_services.editable_communities(request.auth)
    qs = qs.annotate(editable=Exists(editable.filter(pk=OuterRef("pk")))).order_by("code")
    return paginate(qs, page, lambda u: {"id": u.pk, "name": u.name, "full_name": u.full_name, "code": u.code,
                                         "editable": u.editable})
