"""Spot-checks of the ledgers (draws and check tasks), official reference lists and their audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from orgs.audit import AppendOnlyModel


class Draw(models.Model):
    """One reproducible sample of a community's ledger records of one kind for a period.

    A draw is never changed or deleted: a redraw is a new draw naming the one it replaces and why.
    """

    scope_path = "community"

    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey("evaluations.Period", verbose_name="评估期", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("台帐", max_length=32)
    size = models.PositiveIntegerField("抽取数量")
    share = models.DecimalField("抽取比例（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    weighted = models.BooleanField("向风险记录加权", default=False)
    seed = models.BigIntegerField("随机种子")
    candidates = models.PositiveIntegerField("候选记录数")
    record_ids = models.JSONField("抽中记录", default=list)
    reason = models.CharField("重抽原因", max_length=300, blank=True)
    replaces = models.OneToOneField("self", verbose_name="替代的抽样", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replaced_by")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽样人", on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField("抽样时间", auto_now_add=True)

    class Meta:
        verbose_name = "抽样"
        verbose_name_plural = "抽样"
        ordering = ["-drawn_at", "-id"]
        indexes = [models.Index(fields=["community", "period", "kind"])]

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "replaced_by") or self.replaced_by is None  # type: ignore[attr-defined]


class Method(models.TextChoices):
    VISIT = "visit", "上门核查"
    PHONE = "phone", "电话回访"
    DOCUMENTS = "documents", "查阅材料"


class Result(models.TextChoices):
    CONFIRMED = "confirmed", "属实"
    DIFFERS = "differs", "不符"
    UNREACHABLE = "unreachable", "无法联系"


class Outcome(models.TextChoices):
    NONE = "", "未处理"
    CORRECTED = "corrected", "已更正台帐"
    INVALID = "invalid", "认定无效，不计入事实"


class Check(models.Model):
    """The check task of one sampled record, and what the checker found."""

    scope_path = "draw__community"

    draw = models.ForeignKey(Draw, verbose_name="抽样", on_delete=models.PROTECT, related_name="checks")
    kind = models.CharField("台帐", max_length=32)
    object_id = models.PositiveBigIntegerField("记录")
    position = models.PositiveIntegerField("序号", default=0)
    method = models.CharField("核查方式", max_length=16, choices=Method.choices, blank=True)
    result = models.CharField("核查结果", max_length=16, choices=Result.choices, blank=True)
    field = models.CharField("不符项", max_length=40, blank=True)
    correct_value = models.CharField("核实的正确值", max_length=300, blank=True)
    notes = models.TextField("核查情况", blank=True)
    photo = models.ImageField("现场照片", upload_to="verification/%Y/%m/", blank=True, max_length=300)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核查人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)
    outcome = models.CharField("处理", max_length=16, choices=Outcome.choices, blank=True)
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    outcome_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "核查任务"
        verbose_name_plural = "核查任务"
        ordering = ["draw", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["draw", "kind", "object_id"], name="check_record_once")]

    @property
    def done(self) -> bool:
        return bool(self.result)


class ReferenceKind(models.TextChoices):
    UNEMPLOYED = "unemployed", "登记失业人员"
    HARDSHIP = "hardship", "就业困难人员认定"
    CARD = "card", "《就业创业证》持证人员"
    EMPLOYMENT = "employment", "就业登记"


class ReferenceSource(models.Model):
    """A kind of export of the province's system, with the column mapping saved for it."""

    name = models.CharField("来源名称", max_length=100, unique=True)
    kind = models.CharField("名单类型", max_length=16, choices=ReferenceKind.choices)
    mapping = models.JSONField("列对应关系", default=dict, blank=True)  # field -> column heading
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "参考名单来源"
        verbose_name_plural = "参考名单来源"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReferenceList(models.Model):
    """One dated export imported from the province's system (city-wide)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "等待导入"
        APPLIED = "applied", "已导入"
        FAILED = "failed", "导入失败"

    source = models.ForeignKey(ReferenceSource, verbose_name="来源", on_delete=models.PROTECT, related_name="lists")
    kind = models.CharField("名单类型", max_length=16, choices=ReferenceKind.choices)
    as_of = models.DateField("名单日期")
    file = models.FileField(upload_to="reference-imports/%Y/%m/", max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField("导入行数", default=0)
    message = models.TextField("结果说明", blank=True)
    background = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "参考名单"
        verbose_name_plural = "参考名单"
        ordering = ["-as_of", "-id"]


class ReferenceRecord(models.Model):
    """One person on a reference list (personal data: masked, scoped, access-logged)."""

    scope_path = "community"

    reference = models.ForeignKey(ReferenceList, on_delete=models.CASCADE, related_name="records")
    community = models.ForeignKey("orgs.Unit", verbose_name="社区", on_delete=models.PROTECT, related_name="+")
    row = models.PositiveIntegerField("行号")
    id_number = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=50, blank=True)
    status = models.CharField("状态", max_length=40, blank=True)
    date = models.DateField("日期", null=True, blank=True)
    card_no = models.CharField("就业创业证号", max_length=40, blank=True)

    class Meta:
        verbose_name = "参考名单人员"
        verbose_name_plural = "参考名单人员"
        ordering = ["row"]
        indexes = [models.Index(fields=["reference", "community"]), models.Index(fields=["id_number"])]


class VerificationEvent(AppendOnlyModel):
    """Audit trail: draws, redraws, checks, corrections, invalidations, mappings and imports."""

    scope_path = "community"

    community = models.ForeignKey("orgs.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=16)  # draw | redraw | check | correct | invalidate | mapping | import
    draw = models.ForeignKey(Draw, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    check_task = models.ForeignKey(Check, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    detail = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "抽查核实记录"
        verbose_name_plural = "抽查核实记录"
        ordering = ["-at", "-id"]
