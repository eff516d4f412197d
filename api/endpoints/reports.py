"""Report downloads: the filled 附件1 form of one sheet, and the list exports — the reports app's writers,
the same scope and the same AccessLog entry as the pages."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpResponse
from ninja import Path, Router, Schema

from orgs.models import log_access
from orgs.scoping import get_for_user, require
from reports import forms as report_forms
from reports.exporters import EXPORTERS
from reports.summaries import report_scope

from .common import ERRORS, MAX_ID

router = Router(tags=["报表"])

FORM_FORMATS = report_forms.FORM_FORMATS


class ReportOut(Schema):
    identifier: str
    verbose_name: str
    formats: list[str]
    url: str


def _download(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=report_forms.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@router.get("/reports", response={200: list[ReportOut], **ERRORS}, summary="可下载的统计报表")
def list_reports(request):
    return [
        {
            "identifier": cls.identifier,
            "verbose_name": str(cls.verbose_name),
            "formats": list(cls.formats),
            "url": f"/api/reports/{cls.identifier}/{{format}}?period=<年度>&county=<区县 id>",
        }
        for cls in EXPORTERS.values()
    ]


@router.get(
    "/reports/{identifier}/{fmt}",
    response={200: None, **ERRORS},
    summary="下载统计报表（?period=年度，缺省最新；?county=区县 id）",
)
def download_report(
    request,
    identifier: str = Path(..., max_length=64, pattern=r"^[-a-zA-Z0-9_]+$"),
    fmt: str = Path(..., max_length=8, pattern=r"^[a-z]+$"),
):
    require(request.auth, "export")
    cls = EXPORTERS.get(identifier)
    if cls is None or fmt not in cls.formats:
        raise Http404("未找到该报表或格式。")
    # The pages' period/district resolution (a county user is held to its own district).
    period, county = report_scope(request.auth, request.GET.get("period"), request.GET.get("county"))
    if period is None:
        raise Http404("尚未建立评估期。")
    exporter = cls(request.auth, period, county)
    content = exporter.export(fmt)
    log_access(request.auth, "export", exporter.filename(fmt), format=fmt, report=identifier,
               period=period.year, county=county.pk if county else None, via="api")
    return _download(content, exporter.filename(fmt), fmt)


@router.get(
    "/evaluations/{evaluation_id}/form/{fmt}",
    response={200: None, **ERRORS},
    summary="下载填好的附件1评估表（xlsx / docx / pdf）",
)
def download_form(
    request,
    evaluation_id: int = Path(..., ge=1, le=MAX_ID),
    fmt: str = Path(..., pattern="^(" + "|".join(FORM_FORMATS) + ")$"),
):
    evaluation = get_for_user(request.auth, report_forms.form_queryset(), "export", pk=evaluation_id)
    form = report_forms.filled_form(evaluation, request.auth)
    content = report_forms.form_bytes(form, fmt)
    log_access(request.auth, "export", f"附件1：{form.filename_stem}.{fmt}", format=fmt, evaluation=evaluation_id,
               via="api")
    return _download(content, f"{form.filename_stem}.{fmt}", fmt)


