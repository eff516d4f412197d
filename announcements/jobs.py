"""Starting a notice as a background job: moving a big city's sheets to 公示中 takes minutes."""

from __future__ import annotations

from jobs.services import JobContext, JobFailed, handler

from .models import Notice
from .services import NoticeError, complete_start


@handler("notice_start")
def start(context: JobContext) -> str:
    notice = Notice.objects.select_related("period").get(pk=context.params["notice_id"])
    context.progress(0, notice.entries.count(), message="正在将评估表转为公示中", force=True)
    try:
        notice = complete_start(notice, context.owner, progress=lambda done, total: context.progress(done, total))
    except NoticeError as exc:
        raise JobFailed(exc.message) from exc
    return f"已开始公示：{notice.title}（{notice.entries.count()} 个社区）。"
