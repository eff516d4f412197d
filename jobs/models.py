"""One row per user-visible background job: who started it, for which unit, how far it got, its result."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.Model):
    # For orgs.scoping: the unit the job works on (a community, or the city for city-wide work).
    scope_path = "unit"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=40)
    title = models.CharField("任务", max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT,
                              related_name="+")
    unit = models.ForeignKey("orgs.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    # Shared jobs (imports) may be followed by everyone who may see the unit; others only by the owner,
    # because their results were made for the owner's role (masking).
    shared = models.BooleanField(default=False)
    params = models.JSONField(default=dict)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField("说明", blank=True)
    result_path = models.CharField(max_length=300, blank=True)  # relative to JOB_RESULTS_ROOT
    result_name = models.CharField("结果文件", max_length=200, blank=True)
    result_size = models.PositiveBigIntegerField(default=0)
    link = models.CharField(max_length=300, blank=True)  # the page the job belongs to
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expired = models.BooleanField(default=False)  # the result file was removed after the retention period

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))

    @property
    def has_result(self) -> bool:
        return self.state == self.State.DONE and bool(self.result_path) and not self.expired
