"""Evaluations (sheets): read, history, computed result, facts, evidence."""

from __future__ import annotations

import re

from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from ninja import File, Form, Path, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from evaluations import policy
from evaluations.facts import fact_listing
from evaluations.models import Evaluation, Evidence, EvidenceRevision, Stage, State
from evaluations.presenters import result_for_user, totals_for, visible_events, visible_transitions
from evaluations.services import evidence as evidence_service
from evaluations.services import scores as score_service
from evaluations.services import workflow
from orgs.models import log_access
from orgs.scoping import can, get_for_user, scope_queryset
from standards.engine import json_number, result_to_json

from .. import serialize
from ..errors import ApiError
from ..paging import Page, PageParams, paginate
from ..schemas import (
    ActionOut,
    AuditEventOut,
    EvaluationDetailOut,
    EvaluationOut,
    EvidenceOut,
    FactIn,
    FactOut,
    InnovationIn,
    SaveOut,
    ScoreIn,
    TransitionIn,
    TransitionOut,
)
from .common import ERRORS, MAX_ID, WRITE_ERRORS

router = Router(tags=["评估表"])

EvalId = Path(..., ge=1, le=MAX_ID, description="评估表 id")


def evaluations_for(user):
    return scope_queryset(user, Evaluation.objects.select_related("period", "community"))


def get_evaluation(request, evaluation_id: int, action: str = "view") -> Evaluation:
    return get_for_user(
        request.auth, Evaluation.objects.select_related("period__standard", "community"), action, pk=evaluation_id
    )


class EvaluationFilter(Schema):
    period: int | None = Field(None, ge=1, le=MAX_ID, description="评估期 id")
    year: int | None = Field(None, ge=1900, le=9999, description="评估年度")
    state: State | None = Field(None, description="状态")
    community: int | None = Field(None, ge=1, le=MAX_ID, description="社区 id")
    street: int | None = Field(None, ge=1, le=MAX_ID, description="街道 id")
    county: int | None = Field(None, ge=1, le=MAX_ID, description="区县 id")
    star: str | None = Field(None, max_length=20, description="星级")


@router.get("/evaluations", response={200: Page[EvaluationOut], **ERRORS}, summary="评估表列表（按管辖范围）")
def list_evaluations(request, filters: Query[EvaluationFilter], page: Query[PageParams]):
    qs = evaluations_for(request.auth)
    if filters.period:
        qs = qs.filter(period_id=filters.period)
    if filters.year:
        qs = qs.filter(period__year=filters.year)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.community:
        qs = qs.filter(community_id=filters.community)
    if filters.street:
        qs = qs.filter(community__street_id=filters.street)
    if filters.county:
        qs = qs.filter(community__county_id=filters.county)
    user = request.auth
    if filters.star is not None:
        # A star still under review is not the user's to see: filtering on it must not reveal it either.
        qs = qs.filter(star=filters.star).exclude(state__in=policy.hidden_states(user, Stage.CITY))
    return paginate(qs.order_by("-period__year", "community__code"), page, lambda ev: serialize.evaluation(ev, user))


@router.get("/evaluations/{evaluation_id}", response={200: EvaluationDetailOut, **ERRORS}, summary="一张评估表及各阶段得分")
def get_evaluation_detail(request, response: HttpResponse, evaluation_id: int = EvalId):
    ev = get_evaluation(request, evaluation_id)
    # The revision the client saw: send it back as `expected_revision` or `If-Match` with every write.
    response["ETag"] = f'"{ev.revision}"'
    return serialize.evaluation_detail(ev, request.auth)


@router.get("/evaluations/{evaluation_id}/result", response={200: dict, **ERRORS}, summary="评分引擎计算结果")
def evaluation_result(request, evaluation_id: int = EvalId):
    """Suggestions per line, totals per stage, star and score errors — computed by the engine."""
    ev = get_evaluation(request, evaluation_id)
    return result_to_json(result_for_user(request.auth, ev))


@router.get(
    "/evaluations/{evaluation_id}/transitions", response={200: list[TransitionOut], **ERRORS}, summary="流转记录"
)
def list_transitions(request, evaluation_id: int = EvalId):
    ev = get_evaluation(request, evaluation_id)
    return [
        {
            "id": t.pk,
            "action": t.action,
            "from_state": t.from_state,
            "to_state": t.to_state,
            "comment": t.comment,
            "lines": t.lines or [],
            "user": str(t.user),
            "at": t.at,
        }
        for t in visible_transitions(request.auth, ev, list(ev.transitions.select_related("user").order_by("at", "id")))
    ]


@router.get(
    "/evaluations/{evaluation_id}/history", response={200: Page[AuditEventOut], **ERRORS}, summary="修改历史（审计记录）"
)
def list_history(request, page: Query[PageParams], evaluation_id: int = EvalId, line_id: str | None = None):
    ev = get_evaluation(request, evaluation_id)
    user = request.auth
    hidden = [s for s in policy.STAGES if s not in policy.visible_stages(user, ev)]
    qs = ev.audit_events.select_related("user").exclude(stage__in=hidden).order_by("-at", "-id")
    if line_id:
        qs = qs.filter(links__line_id=line_id[:16]).distinct()

    def row(event):
        (e,) = visible_events(user, ev, [event])
        return {
            "id": e.pk,
            "kind": e.kind,
            "line_id": e.line_id,
            "stage": e.stage,
            "field": e.field,
            "old": e.old,
            "new": e.new,
            "note": e.note,
            "user": str(e.user),
            "at": e.at,
        }

    return paginate(qs, page, row)


@router.get(
    "/evaluations/{evaluation_id}/facts",
    response={200: list[FactOut], **ERRORS},
    summary="事实：台帐计算值（含提交时快照）与核查清单答案",
)
def list_facts(request, evaluation_id: int = EvalId):
    ev = get_evaluation(request, evaluation_id)
    return [{**row, "value": _plain(row["value"])} for row in fact_listing(ev)]


def _plain(value):
    from decimal import Decimal

    from standards.engine import json_number

    return json_number(value) if isinstance(value, Decimal) else value


def _evidence_qs():
    return Evidence.objects.select_related("created_by").prefetch_related(
        Prefetch("revisions", queryset=EvidenceRevision.objects.select_related("uploaded_by"))
    )


@router.get(
    "/evaluations/{evaluation_id}/evidence", response={200: list[EvidenceOut], **ERRORS}, summary="证明材料列表"
)
def list_evidence(request, evaluation_id: int = EvalId, line_id: str | None = None):
    ev = get_evaluation(request, evaluation_id)
    qs = _evidence_qs().filter(evaluation=ev, is_deleted=False).order_by("line_id", "created_at")
    if line_id:
        qs = qs.filter(links__line_id=line_id[:16]).distinct()
    return [serialize.evidence(e) for e in qs]


@router.get("/evidence/{evidence_id}", response={200: EvidenceOut, **ERRORS}, summary="一份证明材料及其各版本")
def get_evidence(request, evidence_id: int = Path(..., ge=1, le=MAX_ID)):
    return serialize.evidence(get_for_user(request.auth, _evidence_qs().filter(is_deleted=False), "view", pk=evidence_id))


def _download(request, rev: EvidenceRevision) -> FileResponse:
    log_access(
        request.auth,
        "download",
        f"证明材料 {rev.evidence.title} 第{rev.number}版",
        evidence=rev.evidence_id,
        revision=rev.number,
        via="api",
    )
    response = FileResponse(
        rev.file.open("rb"), as_attachment=True, filename=rev.original_name, content_type=rev.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get(
    "/evidence/{evidence_id}/download",
    response={200: None, **ERRORS},
    summary="下载证明材料（当前版本）",
    url_name="evidence_download",
)
def download_evidence(request, evidence_id: int = Path(..., ge=1, le=MAX_ID)):
    evidence = get_for_user(request.auth, Evidence.objects.filter(is_deleted=False), "view", pk=evidence_id)
    rev = evidence.revisions.select_related("evidence").order_by("-number").first()
    if rev is None:
        from django.http import Http404

        raise Http404("该证明材料尚无文件。")
    return _download(request, rev)


@router.get(
    "/evidence/{evidence_id}/revisions/{number}/download",
    response={200: None, **ERRORS},
    summary="下载证明材料的指定版本",
    url_name="evidence_revision_download",
)
def download_evidence_revision(
    request, evidence_id: int = Path(..., ge=1, le=MAX_ID), number: int = Path(..., ge=1, le=1_000_000)
):
    rev = get_for_user(
        request.auth,
        EvidenceRevision.objects.select_related("evidence").filter(evidence__is_deleted=False),
        "view",
        evidence_id=evidence_id,
        number=number,
    )
    return _download(request, rev)


# ---------------------------------------------------------------------------------------------
# Changes: every one goes through the evaluations services (the same functions the pages call).

_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


def required_revision(request, body_value: int | None) -> int:
    """Every write carries the sheet revision the client saw (`expected_revision`, else `If-Match`), so a
    change made on an old read is refused with what changed (409) instead of overwriting it silently."""
    if body_value is not None:
        return body_value
    header = request.headers.get("If-Match", "")
    if header:
        match = _IF_MATCH.match(header)
        if match is None:
            raise ApiError(400, "bad_if_match", "If-Match 请求头应为评估表的版本号，如 \"12\"（见 GET 评估表的 ETag 或 revision）。")
        return int(match.group(1))
    raise ApiError(
        428, "revision_required",
        "请提供读取评估表时的版本号（请求体 expected_revision，或 If-Match 请求头），以免覆盖他人在此期间的修改。",
        [{"location": "body", "field": "expected_revision", "type": "missing", "message": "缺少必填字段"}],
    )


def _save_out(outcome, user) -> dict:
    ev = outcome.evaluation
    stages = policy.visible_stages(user, ev)
    totals = outcome.result.totals if outcome.result is not None else {}
    return {
        "changed": outcome.changed,
        "revision": ev.revision,
        "state": ev.state,
        "warnings": outcome.warnings,
        "totals": {stage: json_number(value) for stage, value in totals.items() if stage in stages},
        "star": totals_for(user, ev).star,
    }


@router.put(
    "/evaluations/{evaluation_id}/scores/{stage}/{line_id}",
    response={200: SaveOut, **WRITE_ERRORS},
    summary="填写一个评审项的得分（及扣分原因）",
)
def put_score(
    request,
    payload: ScoreIn,
    evaluation_id: int = EvalId,
    stage: str = Path(..., pattern="^(self|county|city)$", description="阶段：self / county / city"),
    line_id: str = Path(..., max_length=16, description="评审项 id，如 3.2.2"),
):
    # The role is checked before the revision: a role that may not write is told so, not asked for a revision.
    ev = get_evaluation(request, evaluation_id, policy.STAGE_PERMISSION[stage])
    revision = required_revision(request, payload.expected_revision)
    outcome = score_service.save_score(ev, request.auth, line_id, stage, payload.score, payload.reason, revision)
    return _save_out(outcome, request.auth)


@router.put(
    "/evaluations/{evaluation_id}/facts/{name}", response={200: SaveOut, **WRITE_ERRORS}, summary="回答一个核查清单事实"
)
def put_fact(request, payload: FactIn, evaluation_id: int = EvalId, name: str = Path(..., max_length=64)):
    ev = get_evaluation(request, evaluation_id)
    standard = ev.period.standard.standard
    if name not in standard.facts:
        raise ApiError(404, "not_found", f"评审标准中没有事实「{name}」。")
    if not can(request.auth, "edit_facts"):
        raise workflow.NotAllowed("您的角色不能填写核查事实。")
    revision = required_revision(request, payload.expected_revision)
    outcome = score_service.answer_fact(ev, request.auth, name, payload.value, revision)
    return _save_out(outcome, request.auth)


@router.put(
    "/evaluations/{evaluation_id}/innovation",
    response={200: EvaluationDetailOut, **WRITE_ERRORS},
    summary="填写第 5 项创新工作文字材料（社区）",
)
def put_innovation(request, payload: InnovationIn, evaluation_id: int = EvalId):
    ev = get_evaluation(request, evaluation_id, "edit_self")
    revision = required_revision(request, payload.expected_revision)
    outcome = score_service.save_innovation_text(ev, request.auth, payload.text, revision)
    return serialize.evaluation_detail(get_evaluation(request, outcome.evaluation.pk), request.auth)


@router.get(
    "/evaluations/{evaluation_id}/actions",
    response={200: list[ActionOut], **ERRORS},
    summary="当前用户此刻可尝试的流转操作",
)
def list_actions(request, evaluation_id: int = EvalId):
    ev = get_evaluation(request, evaluation_id)
    return [
        {"name": a.name, "label": a.label, "needs_comment": a.needs_comment, "needs_lines": a.needs_lines}
        for a in policy.available_actions(request.auth, ev)
    ]


@router.post(
    "/evaluations/{evaluation_id}/transitions",
    response={200: EvaluationOut, **WRITE_ERRORS},
    summary="流转：提交、开始审核、退回、通过、公布、重新开放",
)
def post_transition(request, payload: TransitionIn, evaluation_id: int = EvalId):
    ev = get_evaluation(request, evaluation_id)
    if payload.action not in workflow.ACTIONS:
        known = "、".join(workflow.ACTIONS)
        raise ApiError(
            422, "unknown_action", f"未知的操作「{payload.action}」（可选：{known}）。",
            [{"location": "body", "field": "action", "type": "enum", "message": f"可选：{known}"}],
        )
    spec = workflow.ACTIONS[payload.action]
    if not policy.may_do_kind(request.auth, spec):
        raise workflow.NotAllowed(f"您的角色（{request.auth.get_role_display()}）不能执行「{spec.label}」。")
    revision = required_revision(request, payload.expected_revision)
    ev = workflow.transition(
        ev, request.auth, payload.action, comment=payload.comment, lines=payload.lines,
        expected_revision=revision, line_comments=payload.line_comments,
    )
    return serialize.evaluation(evaluations_for(request.auth).get(pk=ev.pk), request.auth)


@router.post(
    "/evaluations/{evaluation_id}/evidence",
    response={201: EvidenceOut, **ERRORS},
    summary="上传证明材料（新材料，或给 evidence_id 上传新版本）",
)
def upload_evidence(
    request,
    evaluation_id: int = EvalId,
    line_id: str = Form(..., max_length=16),
    title: str = Form("", max_length=200),
    evidence_id: int | None = Form(None, ge=1, le=MAX_ID),
    file: UploadedFile = File(...),  # noqa: B008
):
    ev = get_evaluation(request, evaluation_id, "upload_evidence")
    existing = None
    if evidence_id is not None:
        existing = Evidence.objects.filter(pk=evidence_id, evaluation=ev, is_deleted=False).first()
        if existing is None:
            raise ApiError(404, "not_found", "未找到该证明材料，或已删除。")
    rev = evidence_service.upload(ev, request.auth, line_id, file, title=title, evidence=existing)
    return Status(201, serialize.evidence(_evidence_qs().get(pk=rev.evidence_id)))


@router.delete("/evidence/{evidence_id}", response={200: EvidenceOut, **ERRORS}, summary="删除证明材料（文件保留备查）")
def delete_evidence(request, evidence_id: int = Path(..., ge=1, le=MAX_ID)):
    item = get_for_user(
        request.auth, Evidence.objects.select_related("evaluation__period"), "upload_evidence", pk=evidence_id
    )
    evidence_service.delete(item.evaluation, request.auth, item)
    return serialize.evidence(_evidence_qs().get(pk=item.pk))
