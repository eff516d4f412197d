"""Who am I, organisation units, the standard, evaluation periods."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from evaluations.models import Period
from evaluations.services import periods
from orgs.models import Level, Unit
from orgs.scoping import require, visible_units
from standards.engine import json_number
from standards.models import StandardVersion

from .. import serialize
from ..errors import ApiError
from ..paging import Page, PageParams, paginate
from ..schemas import MeOut, PeriodIn, PeriodOut, PeriodPatch, UnitOut
from .common import ERRORS, MAX_ID

router = Router(tags=["基础信息"])


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户、所属单位与可执行的操作")
def me(request):
    return serialize.me(request.auth)


class UnitFilter(Schema):
    level: Level | None = Field(None, description="层级：city / county / street / community")
    parent: int | None = Field(None, ge=1, le=MAX_ID, description="上级单位 id")
    q: str | None = Field(None, max_length=100, description="按名称或代码查找")


@router.get("/units", response={200: Page[UnitOut], **ERRORS}, summary="组织机构（仅本人管辖范围及上级）")
def list_units(request, filters: Query[UnitFilter], page: Query[PageParams]):
    qs = visible_units(request.auth)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    if filters.q:
        qs = qs.filter(Q(name__contains=filters.q) | Q(code__startswith=filters.q))
    return paginate(qs.order_by("code"), page, serialize.unit)


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="一个单位")
def get_unit(request, unit_id: int = Path(..., ge=1, le=MAX_ID)):
    unit = visible_units(request.auth).filter(pk=unit_id).first()
    if unit is None:
        raise Http404("未找到该单位，或不在您的管辖范围内。")
    return serialize.unit(unit)


class LineOut(Schema):
    id: str
    section: str
    group: str | None
    max: float
    content: str
    method: str
    stages: list[str]
    kind: str
    binary: bool


class FactDefOut(Schema):
    name: str
    type: str
    label: str


class StandardOut(Schema):
    version: str
    title: str
    total: float
    score_step: float
    star_bands: list[dict]
    lines: list[LineOut]
    facts: list[FactDefOut]


def _standard(sv: StandardVersion) -> dict:
    std = sv.standard
    return {
        "version": std.version,
        "title": std.title,
        "total": json_number(std.total),
        "score_step": json_number(std.score_step),
        "star_bands": [{"name": b.name, "min": json_number(b.min)} for b in std.star_bands],
        "lines": [
            {
                "id": line.id,
                "section": line.section,
                "group": line.group,
                "max": json_number(line.max),
                "content": line.content,
                "method": line.method,
                "stages": list(line.stages),
                "kind": line.kind,
                "binary": line.binary,
            }
            for line in std.lines
        ],
        "facts": [{"name": f.name, "type": f.type, "label": f.label} for f in std.facts.values()],
    }


@router.get("/standard", response={200: StandardOut, **ERRORS}, summary="当前评审标准（23 个评审项）")
def current_standard(request):
    try:
        return _standard(StandardVersion.objects.current())
    except StandardVersion.DoesNotExist:
        raise Http404("尚未加载评审标准。")


@router.get("/periods", response={200: Page[PeriodOut], **ERRORS}, summary="评估期列表")
def list_periods(request, page: Query[PageParams], is_open: bool | None = None):
    qs = Period.objects.select_related("standard").order_by("-year")
    if is_open is not None:
        qs = qs.filter(is_open=is_open)
    return paginate(qs, page, serialize.period)


@router.get("/periods/{period_id}", response={200: PeriodOut, **ERRORS}, summary="一个评估期")
def get_period(request, period_id: int = Path(..., ge=1, le=MAX_ID)):
    period = Period.objects.select_related("standard").filter(pk=period_id).first()
    if period is None:
        raise Http404("未找到该评估期。")
    return serialize.period(period)


def _bands(bands) -> list[dict] | None:
    if bands is None:
        return None
    return [{"name": b.name, "min": json_number(b.min)} for b in bands]


@router.post("/periods", response={201: PeriodOut, **ERRORS}, summary="开启评估期（市级管理员；为每个参评社区建表）")
def create_period(request, payload: PeriodIn):
    require(request.auth, "manage_periods")
    if payload.standard_version:
        standard = StandardVersion.objects.filter(version=payload.standard_version).first()
        if standard is None:
            raise ApiError(422, "invalid_period", f"评审标准版本「{payload.standard_version}」不存在。")
    else:
        try:
            standard = StandardVersion.objects.current()
        except StandardVersion.DoesNotExist:
            raise ApiError(409, "no_standard", "尚未加载评审标准，不能开启评估期。")
    communities = payload.communities
    if communities is None:
        communities = list(Unit.objects.communities().filter(is_active=True).values_list("pk", flat=True))
    period = periods.open_period(
        request.auth,
        year=payload.year,
        name=payload.name,
        standard=standard,
        communities=communities,
        star_bands=_bands(payload.star_bands),
        score_step=payload.score_step,
        self_deadline=payload.self_deadline,
        county_deadline=payload.county_deadline,
        city_deadline=payload.city_deadline,
    )
    return Status(201, serialize.period(period))


@router.patch("/periods/{period_id}", response={200: PeriodOut, **ERRORS}, summary="修改评估期设置（首次提交前）")
def update_period(request, payload: PeriodPatch, period_id: int = Path(..., ge=1, le=MAX_ID)):
    require(request.auth, "manage_periods")
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        raise Http404("未找到该评估期。")
    changes = payload.model_dump(exclude_unset=True)
    communities = changes.pop("communities", None)
    if "star_bands" in changes:
        changes["star_bands"] = _bands(payload.star_bands)
    if changes.get("name", "") is None:
        changes.pop("name")
    period = periods.update_period_settings(period, request.auth, communities=communities, **changes)
    return serialize.period(Period.objects.select_related("standard").get(pk=period.pk))
