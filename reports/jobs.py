"""Long report work as background jobs: every filled 附件1 of a period (a zip of xlsx/docx/pdf per
community, or one merged PDF for printing) and summary exports too large for a web request."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from evaluations.models import Evaluation, Period
from jobs.services import JobContext, JobFailed, handler
from orgs.models import Unit, User, log_access

from . import forms
from .exporters import EXPORTERS
from .summaries import scoped_communities

BATCH_KINDS = {"zip": "forms_zip", "pdf": "forms_pdf"}
NO_FORMS = "本评估期在您的管辖范围内尚无已填写的评估表（附件1）。"


def batch_evaluations(user: User, period: Period, county_id: int | None) -> QuerySet[Evaluation]:
    """The filled forms (at least one score entered) of a period in the user's scope, in unit order."""
    communities = scoped_communities(user, county_id)
    return (
        Evaluation.objects.filter(period=period, community__in=communities, scores__isnull=False)
        .distinct()
        .select_related("period", "period__standard", "community", "community__street", "community__county")
        .order_by("community__code")
    )


def _scope(context: JobContext) -> tuple[Period, int | None, QuerySet[Evaluation], int]:
    period = Period.objects.get(pk=context.params["period_id"])
    county_id = context.params.get("county_id")
    evaluations = batch_evaluations(context.owner, period, county_id)
    total = evaluations.count()
    if not total:
        raise JobFailed(NO_FORMS)
    context.progress(0, total, force=True)
    return period, county_id, evaluations, total


def _folder(evaluation: Evaluation) -> str:
    community = evaluation.community
    parts = [u.name for u in (community.county, community.street) if u is not None] + [community.name]
    return "/".join(part.replace("/", "-") for part in parts)


@handler("forms_zip")
def forms_zip(context: JobContext) -> str:
    period, county_id, evaluations, total = _scope(context)
    path = context.scratch_path(".zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, evaluation in enumerate(evaluations.iterator(chunk_size=200), start=1):
            form = forms.filled_form(evaluation, context.owner)
            for fmt in ("xlsx", "docx", "pdf"):
                archive.writestr(f"{_folder(evaluation)}/{form.filename_stem}.{fmt}", forms.form_bytes(form, fmt))
            context.progress(done, total, message=evaluation.community.name)
    name = f"附件1_{period.year}年度_{_scope_name(context.owner, county_id)}_{total}个社区.zip"
    context.save_result(name, path=path)
    log_access(context.owner, "export", f"附件1 批量下载：{name}", format="zip", period=period.year,
               county=county_id, forms=total)
    return f"已生成 {total} 个社区的附件1（Excel、Word、PDF 各一份）。"


@handler("forms_pdf")
def forms_pdf(context: JobContext) -> str:
    from pypdf import PdfWriter

    period, county_id, evaluations, total = _scope(context)
    writer = PdfWriter()
    for done, evaluation in enumerate(evaluations.iterator(chunk_size=200), start=1):
        form = forms.filled_form(evaluation, context.owner)
        writer.append(io.BytesIO(forms.form_bytes(form, "pdf")), outline_item=evaluation.community.name)
        context.progress(done, total, message=evaluation.community.name)
    path = context.scratch_path(".pdf")
    with open(path, "wb") as fp:
        writer.write(fp)
    name = f"附件1_{period.year}年度_{_scope_name(context.owner, county_id)}_合并打印.pdf"
    context.save_result(name, path=path)
    log_access(context.owner, "export", f"附件1 合并打印：{name}", format="pdf", period=period.year,
               county=county_id, forms=total)
    return f"已将 {total} 个社区的附件1合并为一个 PDF（每个社区一个书签）。"


def _scope_name(user: User, county_id: int | None) -> str:
    if county_id:
        return Unit.objects.get(pk=county_id).name
    return user.unit.name if user.unit_id else "全部"


# ---- summary exports --------------------------------------------------------------------------------

def export_in_background(period: Period, county: Unit | None, user: User) -> bool:
    """A summary over more communities than a request should carry is made by a job."""
    return scoped_communities(user, county.pk if county else None).count() > settings.EXPORT_INLINE_MAX_COMMUNITIES


@handler("report_export")
def report_export(context: JobContext) -> str:
    params: dict[str, Any] = context.params
    period = Period.objects.get(pk=params["period_id"])
    county = Unit.objects.get(pk=params["county_id"]) if params.get("county_id") else None
    exporter = EXPORTERS[params["identifier"]](context.owner, period, county)
    context.progress(0, 1, message="正在汇总", force=True)
    content = exporter.export(params["fmt"])
    context.progress(1, 1)
    name = exporter.filename(params["fmt"])
    context.save_result(name, content=content)
    log_access(context.owner, "export", name, format=params["fmt"], report=params["identifier"],
               period=period.year, county=county.pk if county else None)
    return f"已生成 {name}。"
