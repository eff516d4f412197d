"""公示 (public notice) of a period's proposed star list, and the objections (异议) raised against it.

A `Notice` freezes the proposed list at its start (`NoticeEntry`, one per sheet: community, district,
total, proposed star). An `Objection` is a case: received (by staff or on the public page), assigned to
a city reviewer, investigated (`CaseNote`, `CaseFile`), decided with reasons. An upheld objection reopens
the named lines of one sheet; when the re-review completes the entry's revised result joins the list.
Every step is a `NoticeEvent` (append-only).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from evaluations.models import Evaluation, Period
from orgs.audit import AppendOnlyModel
from orgs.models import Unit

DEFAULT_WORKING_DAYS = 5


class Notice(models.Model):
    period = models.ForeignKey(Period, verbose_name="评估期", on_delete=models.PROTECT, related_name="notices")
    # Several notices per period are possible (sheets reviewed after a notice started wait for the next).
    number = models.PositiveIntegerField("批次", default=1)
    title = models.CharField("标题", max_length=200)
    starts_on = models.DateField("公示开始日期")
    ends_on = models.DateField("公示截止日期")
    working_days = models.PositiveIntegerField("公示期（工作日）", default=DEFAULT_WORKING_DAYS)
    # The window reaches a year the official calendar lacks: counted Monday to Friday, and said so.
    calendar_note = models.TextField("工作日计算说明", blank=True)
    how_to_object = models.TextField("异议受理方式")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    # False while the background job moves the sheets to 公示中 (a big city's period takes minutes):
    # such a notice is on no public page and takes no objection.
    ready = models.BooleanField("已开始", default=True)
    start_job = models.ForeignKey("jobs.Job", verbose_name="开始公示的任务", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["period", "number"], name="notice_unique_number")]

    def __str__(self) -> str:
        return self.title

    def window_open(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.ready and self.starts_on <= today <= self.ends_on

    def window_ended(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.ends_on

    def phase(self, today: datetime.date | None = None) -> str:
        if not self.ready:
            return "正在开始"
        today = today or timezone.localdate()
        if today < self.starts_on:
            return "未开始"
        return "公示中" if today <= self.ends_on else "公示期已满"


class NoticeEntry(models.Model):
    """One line of the frozen list. `total`/`star` are as proposed; a re-review after an upheld objection
    sets `revised_total`/`revised_star`, which the list shows from then on."""

    scope_path = "community"

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="entries")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="notice_entries")
    community = models.ForeignKey(Unit, verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    district = models.CharField("区（市、县）", max_length=100)
    street = models.CharField("街道（乡镇）", max_length=100)
    community_name = models.CharField("社区", max_length=100)
    total = models.DecimalField("总分", max_digits=6, decimal_places=2, null=True)
    star = models.CharField("拟认定星级", max_length=20, blank=True)
    reopened = models.BooleanField("因异议重新复核中", default=False)
    revised_total = models.DecimalField("复核后总分", max_digits=6, decimal_places=2, null=True, blank=True)
    revised_star = models.CharField("复核后星级", max_length=20, blank=True)
    revised_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示名单条目"
        verbose_name_plural = "公示名单条目"
        ordering = ["district", "street", "community_name"]
        constraints = [models.UniqueConstraint(fields=["notice", "evaluation"], name="notice_entry_unique")]

    def __str__(self) -> str:
        return f"{self.district}{self.street}{self.community_name}"

    @property
    def current_total(self) -> Decimal | None:
        return self.revised_total if self.revised_at else self.total

    @property
    def current_star(self) -> str:
        return self.revised_star if self.revised_at else self.star


class Channel(models.TextChoices):
    LETTER = "letter", "来信"
    PHONE = "phone", "来电"
    VISIT = "visit", "来访"
    ONLINE = "online", "公示页面网上提交"


class CaseStatus(models.TextChoices):
    RECEIVED = "received", "待分派"
    INVESTIGATING = "investigating", "调查核实中"
    REVIEWING = "reviewing", "异议成立，重新复核中"
    CLOSED = "closed", "已办结"


class Decision(models.TextChoices):
    UPHELD = "upheld", "异议成立"
    PARTLY = "partly", "异议部分成立"
    DISMISSED = "dismissed", "异议不成立"


OPEN_STATUSES = (CaseStatus.RECEIVED, CaseStatus.INVESTIGATING, CaseStatus.REVIEWING)


class Objection(models.Model):
    notice = models.ForeignKey(Notice, verbose_name="公示", on_delete=models.PROTECT, related_name="objections")
    number = models.CharField("编号", max_length=32, unique=True)
    channel = models.CharField("受理渠道", max_length=16, choices=Channel.choices)
    # The community objected to (none: an objection to the list as a whole).
    entry = models.ForeignKey(NoticeEntry, verbose_name="涉及社区", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="objections")
    objector = models.CharField("异议人", max_length=100, blank=True)
    # Personal data: masked unless the role needs it (services.may_see_contact), each showing logged.
    contact = models.CharField("联系方式", max_length=200)
    content = models.TextField("异议内容")
    received_at = models.DateTimeField("受理时间", default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # Public submissions: a keyed hash of the client address (services.client_key), for the throttle only.
    client_key = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField("办理状态", max_length=16, choices=CaseStatus.choices, default=CaseStatus.RECEIVED,
                              db_index=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="承办人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="objection_cases")
    decision = models.CharField("处理结论", max_length=16, choices=Decision.choices, blank=True)
    reasons = models.TextField("理由", blank=True)
    lines = models.JSONField("重新复核的评审项", default=list, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "异议"
        verbose_name_plural = "异议"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"异议 {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseNote(AppendOnlyModel):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField("调查记录")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


def case_file_path(instance: CaseFile, filename: str) -> str:
    return f"objections/{instance.objection.notice_id}/{instance.objection_id}/{instance.sha256[:24]}"


class CaseFile(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=case_file_path, max_length=300)
    original_name = models.CharField("文件名", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]


class NoticeEvent(AppendOnlyModel):
    """The notice's and its cases' audit trail: who did what, when."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    objection = models.ForeignKey(Objection, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=32)
    note = models.TextField("说明", blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]
