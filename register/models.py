"""After publication: the star register (awards and their changes), appeals, the line-5 expert panel,
and the per-period settings of all three."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from evaluations.models import Evaluation, Period
from orgs.audit import AppendOnlyModel
from orgs.models import Unit

DEFAULT_APPEAL_DAYS = 15


class PanelMethod(models.TextChoices):
    MEAN = "mean", "平均分"
    TRIMMED = "trimmed", "去掉一个最高分和一个最低分后的平均分"


class PeriodRules(models.Model):
    """The city's settings for one period's appeals and expert panel (defaults when no row exists)."""

    period = models.OneToOneField(Period, on_delete=models.CASCADE, related_name="register_rules")
    appeal_days = models.PositiveSmallIntegerField(
        "复核申请期限（自公布之日起，自然日）", default=DEFAULT_APPEAL_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    panel_method = models.CharField("专家组计分方法", max_length=16, choices=PanelMethod.choices,
                                    default=PanelMethod.MEAN)
    panel_exclude_own_district = models.BooleanField("专家不得来自被评社区所在区（市、县）", default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "评估期复核与专家组设置"
        verbose_name_plural = "评估期复核与专家组设置"

    def __str__(self) -> str:
        return f"{self.period.name} 设置"


class AwardStatus(models.TextChoices):
    VALID = "valid", "有效"
    DOWNGRADED = "downgraded", "已降星"
    REVOKED = "revoked", "已摘牌"


class Award(models.Model):
    """One entry of the star register: the star a community holds from one period's published result."""

    scope_path = "community"

    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT, related_name="award")
    period = models.ForeignKey(Period, verbose_name="评估期", on_delete=models.PROTECT, related_name="awards")
    community = models.ForeignKey(Unit, verbose_name="社区", on_delete=models.PROTECT, related_name="awards")
    certificate_no = models.CharField("证书编号", max_length=32, unique=True)
    awarded_star = models.CharField("认定星级", max_length=20)
    star = models.CharField("现星级", max_length=20, blank=True)
    total = models.DecimalField("市级评分", max_digits=6, decimal_places=2, null=True, blank=True)
    awarded_on = models.DateField("认定日期")
    status = models.CharField("状态", max_length=16, choices=AwardStatus.choices, default=AwardStatus.VALID)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "星级社区名录"
        verbose_name_plural = "星级社区名录"
        ordering = ["-period__year", "community__code"]
        constraints = [models.UniqueConstraint(fields=["period", "community"], name="award_unique_per_period")]

    def __str__(self) -> str:
        return f"{self.certificate_no} {self.community.name} {self.star}"

    @property
    def holds_star(self) -> bool:
        return self.status != AwardStatus.REVOKED and bool(self.star)


def award_document_path(instance: AwardChange, filename: str) -> str:
    return f"register/{instance.award.period.year}/{instance.award_id}/{instance.document_sha256[:16]}"


class AwardChange(AppendOnlyModel):
    """The award's audit trail: granted, re-scored, downgraded, revoked, changed on appeal."""

    class Kind(models.TextChoices):
        AWARD = "award", "认定"
        RESCORE = "rescore", "重新公布"
        APPEAL = "appeal", "复核申请改变结果"
        DOWNGRADE = "downgrade", "降星"
        REVOKE = "revoke", "摘牌"

    scope_path = "award__community"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    old_star = models.CharField("原星级", max_length=20, blank=True)
    new_star = models.CharField("新星级", max_length=20, blank=True)
    old_status = models.CharField("原状态", max_length=16, blank=True)
    new_status = models.CharField("新状态", max_length=16, blank=True)
    reason = models.TextField("原因", blank=True)
    document = models.FileField("文件", upload_to=award_document_path, max_length=300, blank=True)
    document_name = models.CharField("原文件名", max_length=255, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "名录变更记录"
        verbose_name_plural = "名录变更记录"
        ordering = ["at", "id"]


class AppealStatus(models.TextChoices):
    OPEN = "open", "待审理"
    REVIEWING = "reviewing", "重新评分中"
    KEPT = "kept", "维持原结果"
    CHANGED = "changed", "改变原结果"


class Appeal(models.Model):
    """A community's request for a re-review of its published result (复核申请)."""

    scope_path = "evaluation__community"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="appeals")
    status = models.CharField("状态", max_length=16, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    reasons = models.TextField("申请理由")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision = models.TextField("决定理由", blank=True)
    # The result before and after (the city column's total and the star).
    old_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    old_star = models.CharField(max_length=20, blank=True)
    new_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    new_star = models.CharField(max_length=20, blank=True)
    old_scores = models.JSONField("原市级评分", default=dict, blank=True)

    class Meta:
        verbose_name = "复核申请"
        verbose_name_plural = "复核申请"
        ordering = ["-filed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.evaluation} 复核申请"

    @property
    def is_closed(self) -> bool:
        return self.status in (AppealStatus.KEPT, AppealStatus.CHANGED)


def appeal_file_path(instance: AppealFile, filename: str) -> str:
    ev = instance.appeal.evaluation
    return f"appeals/{ev.period.year}/{ev.community_id}/{instance.appeal_id}/{instance.sha256[:16]}"


class AppealFile(models.Model):
    scope_path = "appeal__evaluation__community"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=appeal_file_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "复核申请材料"
        verbose_name_plural = "复核申请材料"
        ordering = ["id"]


class PanelRating(models.Model):
    """One expert's independent score of the innovation line of one sheet."""

    scope_path = "evaluation__community"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="panel_ratings")
    line_id = models.CharField("评审项", max_length=16)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评分专家", on_delete=models.PROTECT,
                              related_name="panel_ratings")
    score = models.DecimalField("得分", max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField("评分意见", blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "专家组评分"
        verbose_name_plural = "专家组评分"
        ordering = ["evaluation", "id"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "rater"], name="panel_rater_once")]

