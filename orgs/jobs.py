"""The unit import's write step as a background job (a city's thousands of units)."""

from __future__ import annotations

from jobs.services import JobContext, JobFailed, handler

from .services import imports as unit_imports


@handler("unit_import")
def unit_import(context: JobContext) -> str:
    rows = [(number, values) for number, values in context.params["rows"]]
    context.progress(0, len(rows), message="正在写入", force=True)
    try:
        plan = unit_imports.apply_import(context.owner, rows)
    except unit_imports.ImportFailed as exc:
        details = "；".join(
            (f"第 {e.row} 行" if e.row else "") + f"{e.column}：{e.message}" for e in exc.plan.errors[:5]
        )
        raise JobFailed(f"{exc}{'（' + details + '）' if details else ''}") from exc
    except ValueError as exc:
        raise JobFailed(str(exc)) from exc
    counts = plan.counts()
    created = sum(c["create"] for c in counts.values())
    updated = sum(c["update"] for c in counts.values())
    context.progress(len(rows), len(rows))
    return f"导入完成：新增 {created} 个单位，更新 {updated} 个单位。"
