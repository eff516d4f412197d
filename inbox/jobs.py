"""The daily deadline reminders as a job kind (the management command runs the same service)."""

from __future__ import annotations

from jobs.services import JobContext, handler

from .services import deadline_notices


@handler("deadline_notices")
def deadline_notices_job(context: JobContext) -> str:
    context.progress(0, 1, force=True)
    outcome = deadline_notices()
    context.progress(1, 1)
    return f"已发送 {outcome.created} 条截止提醒（{outcome.skipped} 条此前已发送）。"
