"""Background jobs: importing a reference list, and the city-wide reconciliation workbook."""

from __future__ import annotations

import io

from jobs.services import JobContext, JobFailed, handler
from orgs.models import AccessLog, log_access
from orgs.scoping import visible_communities

from .models import ReferenceList, ReferenceRecord, VerificationEvent
from .reference import ReferenceError, import_file


@handler("verification_reference_import")
def reference_import(ctx: JobContext) -> str:
    reference = ReferenceList.objects.select_related("source").get(pk=ctx.params["reference"])
    try:
        message = import_file(reference)
    except ReferenceError as exc:
        raise JobFailed(exc.message) from exc
    VerificationEvent.objects.create(user=ctx.owner, action="import",
                                     detail={"reference": reference.pk, "rows": reference.rows})
    return message


@handler("verification_reconcile_city")
def reconcile_city(ctx: JobContext) -> str:
    from .reports import reconciliation_workbook

    communities = list(visible_communities(ctx.owner).filter(
        pk__in=ReferenceRecord.objects.values("community_id")).order_by("code"))
    if not communities:
        raise JobFailed("尚未导入任何参考名单，或名单中没有您管辖范围内的社区。")
    buffer = io.BytesIO()
    reconciliation_workbook(communities, ctx.owner, buffer, progress=lambda done: ctx.progress(done, len(communities)))
    ctx.save_result("参考名单比对（全市）.xlsx", content=buffer.getvalue())
    log_access(ctx.owner, AccessLog.Kind.EXPORT, "verification:reconcile_city", communities=len(communities))
    return f"已比对{len(communities)}个社区。"
