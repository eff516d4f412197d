"""Starting and running background jobs.

A job kind is a function registered with `@handler(kind)`; it receives a JobContext, reports progress
through it, may store one result file and returns a short Chinese message. `start()` records the Job
and puts it on the task queue (database or Redis, see settings.TASKS); `execute()` is what the worker
runs. A handler raises JobFailed with a Chinese message for an expected failure; any other exception
is logged and shown to the user as a generic failure.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from orgs.models import Unit, User

from .models import Job

logger = logging.getLogger("jobs")

GENERIC_FAILURE = "任务执行出错，未完成。请稍后重试；如仍失败，请联系系统管理员。"
QUEUE_DOWN = "任务队列暂不可用，任务未能开始。请稍后重试或联系系统管理员。"
INTERRUPTED = "任务处理过程中中断（服务器重启或超时），未完成。请重新提交。"
PROGRESS_INTERVAL = 0.5  # seconds between progress writes


class JobFailed(Exception):
    """An expected failure; its message (Chinese) is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Handler = Callable[["JobContext"], str | None]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


def results_root() -> Path:
    return Path(settings.JOB_RESULTS_ROOT)


class JobContext:
    """What a running handler sees: its job, progress reporting and result storage."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last_write = 0.0

    @property
    def owner(self) -> User:
        return self.job.owner

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params

    def progress(self, done: int, total: int | None = None, message: str | None = None,
                 force: bool = False) -> None:
        """Record progress; writes at most every PROGRESS_INTERVAL seconds unless forced."""
        self.job.done = done
        if total is not None:
            self.job.total = total
        if message is not None:
            self.job.message = message
        now = time.monotonic()
        if not force and now - self._last_write < PROGRESS_INTERVAL:
            return
        self._last_write = now
        Job.objects.filter(pk=self.job.pk).update(done=self.job.done, total=self.job.total,
                                                  message=self.job.message)

    def save_result(self, name: str, content: bytes | None = None, path: Path | None = None) -> None:
        """Keep the result (bytes, or a file written by the handler and moved here) for download."""
        relative = Path(timezone.now().strftime("%Y/%m")) / f"{self.job.pk}-{uuid.uuid4().hex}{Path(name).suffix}"
        target = results_root() / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is not None:
            target.write_bytes(content)
        elif path is not None:
            Path(path).replace(target)
        else:
            raise ValueError("save_result needs content or path")
        self.job.result_path, self.job.result_name = str(relative), name[:200]
        self.job.result_size = target.stat().st_size

    def scratch_path(self, suffix: str) -> Path:
        """A file name in the results folder for a handler that writes a large result piecewise."""
        folder = results_root() / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{self.job.pk}-{uuid.uuid4().hex}{suffix}"


def start(kind: str, owner: User, unit: Unit, title: str, params: dict[str, Any] | None = None,
          link: str = "", shared: bool = False) -> Job:
    """Record a job and queue it. Called outside any transaction, so the worker finds the row."""
    if kind not in HANDLERS:
        raise KeyError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, owner=owner, unit=unit, title=title[:200], params=params or {},
                             link=link, shared=shared)
    from .tasks import run_job

    try:
        result = run_job.enqueue(job.pk)
    except Exception:  # the queue (Redis) is unreachable: the job fails visibly instead of hanging
        logger.exception("could not queue job %s", job.pk)
        _finish(job.pk, Job.State.FAILED, QUEUE_DOWN)
    else:
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def _finish(pk: int, state: str, message: str, **extra: Any) -> None:
    Job.objects.filter(pk=pk).update(state=state, message=message, finished_at=timezone.now(), **extra)


def execute(job_id: int) -> str:
    """Run one job (the worker's entry point). Returns the final state."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        logger.warning("job %s is not queued; skipped", job_id)
        return Job.objects.filter(pk=job_id).values_list("state", flat=True).first() or "missing"
    job = Job.objects.select_related("owner", "unit").get(pk=job_id)
    context = JobContext(job)
    func = HANDLERS.get(job.kind)
    try:
        if func is None:
            raise RuntimeError(f"no handler for job kind {job.kind!r}")
        message = func(context) or "已完成。"
    except JobFailed as exc:
        _finish(job.pk, Job.State.FAILED, exc.message, done=job.done, total=job.total)
        return Job.State.FAILED
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job.pk, Job.State.FAILED, GENERIC_FAILURE, done=job.done, total=job.total)
        return Job.State.FAILED
    _finish(job.pk, Job.State.DONE, message, done=max(job.done, job.total), total=job.total,
            result_path=job.result_path, result_name=job.result_name, result_size=job.result_size)
    return Job.State.DONE


def prune(now=None, retention_days: int | None = None, stale_hours: int = 6) -> tuple[int, int]:
    """Remove result files past the retention period and fail jobs left running by a dead worker.

    Returns (files removed, jobs marked interrupted). The Job rows stay as the record of what ran.
    """
    now = now or timezone.now()
    days = settings.JOB_RETENTION_DAYS if retention_days is None else retention_days
    old = Job.objects.filter(finished_at__lt=now - timedelta(days=days), expired=False).exclude(result_path="")
    removed = 0
    for pk, relative in old.values_list("pk", "result_path"):
        (results_root() / relative).unlink(missing_ok=True)
        removed += 1
        Job.objects.filter(pk=pk).update(expired=True)
    stale = Job.objects.filter(
        models.Q(state=Job.State.RUNNING, started_at__lt=now - timedelta(hours=stale_hours))
        | models.Q(state=Job.State.QUEUED, created_at__lt=now - timedelta(days=days))
    )
    interrupted = stale.update(state=Job.State.FAILED, message=INTERRUPTED, finished_at=now)
    scratch = results_root() / "tmp"
    if scratch.is_dir():
        for leftover in scratch.iterdir():
            if leftover.stat().st_mtime < (now - timedelta(hours=stale_hours)).timestamp():
                leftover.unlink(missing_ok=True)
    return removed, interrupted
