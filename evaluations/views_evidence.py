"""Evidence pages: list and upload per line, download through the scope check, soft delete.

Thin views: the rules live in evaluations.services.evidence.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from orgs.models import log_access
from orgs.scoping import get_for_user

from . import policy
from .models import Evaluation, Evidence, EvidenceRevision
from .services import evidence as service
from .services import scores as score_service
from .services.workflow import WorkflowError

PANEL = "evaluations/_evidence_panel.html"


def _evaluation(request, pk: int, action: str) -> Evaluation:
    return get_for_user(
        request.user, Evaluation.objects.select_related("period__standard", "community"), action, pk=pk
    )


def _line(evaluation: Evaluation, line_id: str):
    line = evaluation.period.standard.standard.lines_by_id.get(line_id)
    if line is None:
        raise Http404(f"评审标准中没有第 {line_id} 项。")
    return line


def panel_context(request, evaluation: Evaluation, line_id: str) -> dict:
    """Context of `_evidence_panel.html`, also for the sheet when it embeds the panel."""
    user = request.user
    items = list(service.active_evidence(evaluation, line_id))
    may_change = policy.may_upload_evidence(user, evaluation)
    for item in items:
        item.revision_list = sorted(item.revisions.all(), key=lambda r: r.number, reverse=True)
        item.may_delete = policy.may_delete_evidence(user, item, evaluation)
        order = {line.id: i for i, line in enumerate(evaluation.period.standard.standard.lines)}
        item.line_list = sorted((link.line_id for link in item.links.all()), key=lambda x: order.get(x, 999))
    return {
        "ev": evaluation,
        "line": _line(evaluation, line_id),
        "line_id": line_id,
        "items": items,
        "may_upload": may_change,
        "may_edit_innovation": may_change and policy.may_edit_innovation(user, evaluation),
        "innovation_max": score_service.MAX_INNOVATION,
        "is_innovation": line_id == evaluation.period.standard.standard.innovation_line,
        "accept": service.ACCEPT_ATTR,
        "accepted_text": service.ACCEPTED_TEXT,
        "max_mb": service.megabytes(settings.EVIDENCE_MAX_BYTES),
        "embedded": bool(getattr(request, "htmx", False)),
        "inline_types": service.INLINE_TYPES,
    }


def _panel_or_redirect(request, evaluation: Evaluation, line_id: str):
    if getattr(request, "htmx", False):
        return render(request, PANEL, panel_context(request, evaluation, line_id))
    return redirect(reverse("evaluations:evidence", args=[evaluation.pk, line_id]))


@login_required
@require_GET
def evidence(request, pk: int, line_id: str):
    ev = _evaluation(request, pk, "view")
    context = panel_context(request, ev, line_id)
    if context["embedded"]:
        return render(request, PANEL, context)
    return render(request, "evaluations/evidence.html", context)


@login_required
@require_POST
def evidence_upload(request, pk: int, line_id: str):
    ev = _evaluation(request, pk, "upload_evidence")
    _line(ev, line_id)
    uploaded = request.FILES.get("file")
    existing = None
    if request.POST.get("evidence"):
        existing = get_object_or_404(Evidence, pk=request.POST["evidence"], evaluation=ev, is_deleted=False)
    if uploaded is None:
        messages.error(request, f"第 {line_id} 项：请选择要上传的文件。")
        return _panel_or_redirect(request, ev, line_id)
    try:
        rev = service.upload(ev, request.user, line_id, uploaded, title=request.POST.get("title"), evidence=existing,
                             also_lines=split_lines(request.POST.get("also_lines", "")))
    except service.EvidenceError as exc:
        messages.error(request, f"第 {line_id} 项：{exc}")
    else:
        messages.success(request, f"第 {line_id} 项：已上传「{rev.evidence.title}」第 {rev.number} 版。")
    return _panel_or_redirect(request, ev, line_id)


def split_lines(raw: str) -> list[str]:
    """"2.1、3.2.2, 4" -> ["2.1", "3.2.2", "4"] (Chinese and ASCII separators alike)."""
    return [x for x in re.split(r"[\s,，、;；]+", raw or "") if x][:50]


@login_required
@require_POST
def evidence_lines(request, pk: int, evidence_id: int):
    ev = _evaluation(request, pk, "upload_evidence")
    item = get_object_or_404(Evidence, pk=evidence_id, evaluation=ev, is_deleted=False)
    back = request.POST.get("line", "")
    back = back if back in ev.period.standard.standard.lines_by_id else item.line_id
    try:
        service.set_lines(ev, request.user, item, split_lines(request.POST.get("lines", "")))
    except service.EvidenceError as exc:
        messages.error(request, f"「{item.title}」：{exc}")
    else:
        messages.success(request, f"「{item.title}」所证评审项已更新。")
    return _panel_or_redirect(request, ev, back)


@login_required
@require_POST
def evidence_delete(request, pk: int, evidence_id: int):
    ev = _evaluation(request, pk, "upload_evidence")
    item = get_object_or_404(Evidence, pk=evidence_id, evaluation=ev)
    try:
        service.delete(ev, request.user, item)
    except service.EvidenceError as exc:
        messages.error(request, f"第 {item.line_id} 项：{exc}")
    else:
        messages.success(request, f"第 {item.line_id} 项：已删除「{item.title}」，文件保留备查。")
    return _panel_or_redirect(request, ev, item.line_id)


@login_required
@require_POST
def innovation(request, pk: int):
    ev = _evaluation(request, pk, "edit_self")
    line_id = ev.period.standard.standard.innovation_line
    if line_id is None:
        raise Http404("本评审标准没有创新工作项。")
    try:
        # The text is the sheet's (scores service); the innovation line's evidence page edits it beside the files.
        score_service.save_innovation_text(ev, request.user, request.POST.get("innovation_text", ""))
    except WorkflowError as exc:
        messages.error(request, f"第 {line_id} 项：{exc}")
    else:
        messages.success(request, "创新工作文字材料已保存。")
    return _panel_or_redirect(request, ev, line_id)


@login_required
@require_GET
def evidence_download(request, pk: int, revision_id: int):
    rev = get_for_user(
        request.user,
        EvidenceRevision.objects.select_related("evidence__evaluation__period", "evidence__evaluation__community"),
        "view",
        pk=revision_id,
        evidence__evaluation_id=pk,
        evidence__is_deleted=False,
    )
    try:
        handle = rev.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("文件不存在，请联系管理员。")
    item = rev.evidence
    log_access(
        request.user,
        "download",
        f"{item.evaluation} 第{item.line_id}项「{item.title}」第{rev.number}版",
        evaluation=pk,
        evidence=item.pk,
        revision=rev.pk,
        sha256=rev.sha256,
        name=rev.original_name,
    )
    # FileResponse writes both filename= (ASCII fallback) and filename*=UTF-8'' (RFC 5987). PDFs and images
    # open in the browser (inline); any other type, or ?download=1, downloads.
    inline = rev.content_type in service.INLINE_TYPES and not request.GET.get("download")
    response = FileResponse(handle, as_attachment=not inline, filename=rev.original_name,
                            content_type=rev.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
