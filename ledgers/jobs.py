"""Ledger imports as background jobs: the dry run and the all-or-nothing apply."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from jobs.services import JobContext, JobFailed, handler

from .imports import SPECS, ImportFileError, Plan, error_workbook, run_import
from .models import ImportJob

CHANGED_MEANWHILE = "台帐已变化，复核发现错误，未写入任何数据。请查看下方错误，修改后重新上传。"
CONFLICT = "导入期间台帐被他人修改（如同一人员被同时登记），未写入任何数据。请重新上传并预检后再导入。"


def _load(context: JobContext) -> ImportJob:
    return ImportJob.objects.select_related("community").get(pk=context.params["import_id"])


def _file_error(job: ImportJob, message: str) -> None:
    summary = {"rows": 0, "creates": 0, "updates": 0, "new_households": 0, "error_count": 1,
               "errors": [[1, "", message]], "warnings": [], "samples": []}
    if job.file:
        job.file.delete(save=False)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.REJECTED, summary=summary, file=job.file)


def _keep_only_errors(job: ImportJob, summary: dict) -> None:
    """A rejected upload is not kept: it is replaced by its failed rows, annotated (错误说明 column, bad
    cells marked), for the user to download, fix and upload again."""
    content = error_workbook(job.file.path, summary.get("errors") or [], summary.get("error_count", 0))
    job.file.delete(save=False)
    # Kept apart from the uploads (which are never kept once rejected), under a generated name.
    job.file.name = default_storage.save(f"ledger-import-errors/{uuid.uuid4().hex}.xlsx", ContentFile(content))


def _counts(plan: Plan) -> str:
    return f"{plan.rows}行：新增{len(plan.creates)}条，更新{len(plan.updates)}条"


@handler("ledger_check")
def check(context: JobContext) -> str:
    job = _load(context)
    context.progress(0, message="正在读取文件", force=True)
    try:
        plan = run_import(SPECS[job.kind], job.file.path, job.community, context.owner,
                          bool(context.params.get("sensitive")), apply=False, progress=context.progress)
    except ImportFileError as exc:
        _file_error(job, exc.message)
        raise JobFailed(exc.message) from exc
    except Exception:
        _file_error(job, "预检时出错，未完成。请检查文件后重新上传；如仍失败，请联系系统管理员。")
        raise
    status = ImportJob.Status.CHECKED if plan.ok else ImportJob.Status.REJECTED
    ImportJob.objects.filter(pk=job.pk).update(status=status, summary=plan.summary())
    if not plan.ok:
        _keep_only_errors(job, plan.summary())
        ImportJob.objects.filter(pk=job.pk).update(file=job.file)
        return f"预检完成，{plan.error_count}处错误，整份文件不会写入。"
    return f"预检完成：{_counts(plan)}。"


@handler("ledger_apply")
def apply(context: JobContext) -> str:
    job = _load(context)
    context.progress(0, message="正在复核文件", force=True)

    def on_write(plan: Plan) -> None:
        # Inside the write transaction: the file must still be waiting for this job.
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportJob.Status.APPLYING:
            raise JobFailed(f"该文件状态为“{locked.get_status_display()}”，未导入。")
        locked.status, locked.applied_at, locked.summary = ImportJob.Status.APPLIED, timezone.now(), plan.summary()
        locked.save(update_fields=["status", "applied_at", "summary"])

    def on_progress(done: int, total: int) -> None:
        context.progress(done, total, message="正在复核")

    try:
        plan = run_import(SPECS[job.kind], job.file.path, job.community, context.owner,
                          bool(context.params.get("sensitive")), apply=True, progress=on_progress,
                          on_write=on_write)
    except ImportFileError as exc:
        _file_error(job, exc.message)
        raise JobFailed(exc.message) from exc
    except IntegrityError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKED)
        raise JobFailed(CONFLICT) from exc
    except JobFailed:
        raise
    except Exception:
        # Nothing was written (the transaction rolled back): the file may be applied again.
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.APPLYING).update(status=ImportJob.Status.CHECKED)
        raise
    if not plan.ok:
        _keep_only_errors(job, plan.summary())
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.REJECTED, summary=plan.summary(),
                                                   file=job.file)
        raise JobFailed(CHANGED_MEANWHILE)
    return f"导入完成：{_counts(plan)}。"


@handler("ledger_export")
def export(context: JobContext) -> str:
    from orgs.models import Unit

    from .exports import LEDGER_EXPORTERS

    params = context.params
    community = Unit.objects.get(pk=params["community_id"]) if params.get("community_id") else None
    exporter = LEDGER_EXPORTERS[params["kind"]](context.owner, community=community, full=bool(params.get("full")))
    total = exporter.queryset().count()
    context.progress(0, total, message="正在导出", force=True)
    rows = exporter.rows

    def counted():
        for done, row in enumerate(rows(), start=1):
            if done % 1000 == 0:
                context.progress(done, total)
            yield row

    exporter.rows = counted  # type: ignore[method-assign]
    content = exporter.export(params["fmt"])  # logs the export (and any unmasking) as the request would
    name = exporter.filename(params["fmt"])
    context.save_result(name, content=content)
    return f"已导出 {exporter.row_count} 条记录。"


INTERRUPTED_IMPORT = "导入被中断（后台任务停止或文件长期未导入），上传的文件已删除，未写入任何数据。请重新上传。"


def abandon_stale_imports(now=None, stale_hours: int = 6, retention_days: int | None = None) -> int:
    """Uploads no import will use any more are deleted (they hold personal data): a check or apply still
    running after `stale_hours` (its worker was killed; the apply writes in one transaction, so nothing was
    written), and a checked file left unapplied past the job retention. Each is marked rejected with a
    Chinese message. Returns how many."""
    now = now or timezone.now()
    days = settings.JOB_RETENTION_DAYS if retention_days is None else retention_days
    S = ImportJob.Status
    stale = ImportJob.objects.filter(
        Q(status__in=[S.CHECKING, S.APPLYING], created_at__lt=now - timedelta(hours=stale_hours))
        | Q(status=S.CHECKED, created_at__lt=now - timedelta(days=days))
    )
    count = 0
    for job in stale:
        _file_error(job, INTERRUPTED_IMPORT)
        count += 1
    return count
