"""Evaluation periods, one evaluation (sheet) per community, its scores, facts, evidence and history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from orgs.audit import AppendOnlyModel
from orgs.models import Unit
from standards.models import StandardVersion


class Stage(models.TextChoices):
    SELF = "self", "社区自评"
    COUNTY = "county", "县级审核"
    CITY = "city", "市级复核"


class State(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待县级审核"
    COUNTY_REVIEWING = "county_reviewing", "县级审核中"
    COUNTY_PASSED = "county_passed", "县级已通过（报市级）"
    CITY_REVIEWING = "city_reviewing", "市级复核中"
    CITY_REVIEWED = "city_reviewed", "市级已复核"
    NOTICE = "notice", "公示中"
    PUBLISHED = "published", "已公布"
    # A published result re-scored at the city stage on a community's appeal (register.services.appeals).
    APPEAL_REVIEWING = "appeal_reviewing", "复核申请重新评分中"


# The stage whose column is editable in each state.
EDITABLE_STAGE = {
    State.DRAFT: Stage.SELF,
    State.COUNTY_REVIEWING: Stage.COUNTY,
    State.CITY_REVIEWING: Stage.CITY,
    State.APPEAL_REVIEWING: Stage.CITY,
}


class EvidenceCheck(models.TextChoices):
    OFF = "off", "不检查"
    WARN = "warn", "提示但允许提交"
    BLOCK = "block", "不允许提交"


class Period(models.Model):
    year = models.PositiveIntegerField("评估年度", unique=True)
    name = models.CharField("名称", max_length=100)
    standard = models.ForeignKey(
        StandardVersion, verbose_name="评审标准版本", on_delete=models.PROTECT, related_name="periods"
    )
    star_bands = models.JSONField("星级档位", default=list)
    score_step = models.DecimalField("计分步长", max_digits=4, decimal_places=2, default=Decimal("0.5"))
    self_deadline = models.DateField("社区自评截止日期", null=True, blank=True)
    county_deadline = models.DateField("县级审核截止日期", null=True, blank=True)
    city_deadline = models.DateField("市级复核截止日期", null=True, blank=True)
    is_open = models.BooleanField("开放中", default=True)
    # The period home pages and lists start from: chosen by the city administrator, not the newest year.
    is_current = models.BooleanField("当前评估期", default=False)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    # Which lines need evidence: None = the default rule (every line scored above 0 at the self stage,
    # except lines computed from ledgers); a list = exactly those line ids.
    evidence_lines = models.JSONField("须附证明材料的评审项", null=True, blank=True)
    evidence_check = models.CharField(
        "缺少证明材料时", max_length=8, choices=EvidenceCheck.choices, default=EvidenceCheck.WARN
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评估期"
        verbose_name_plural = "评估期"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True),
                                    name="period_one_current")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def settings_locked(self) -> bool:
        # Settings freeze with the first submission of any of the period's sheets.
        return Transition.objects.filter(evaluation__period=self, action="submit").exists()


class Evaluation(models.Model):
    scope_path = "community"

    period = models.ForeignKey(Period, verbose_name="评估期", on_delete=models.PROTECT, related_name="evaluations")
    community = models.ForeignKey(
        Unit, verbose_name="社区", on_delete=models.PROTECT, related_name="evaluations"
    )
    state = models.CharField("状态", max_length=32, choices=State.choices, default=State.DRAFT, db_index=True)
    # Bumped on every change to the sheet: a save carrying an older revision is refused.
    revision = models.PositiveIntegerField("版本号", default=0)
    returned_lines = models.JSONField("退回的评审项", default=list, blank=True)
    return_comment = models.TextField("退回意见", blank=True)
    # The stage that returned the sheet (county | city): its returned lines stay highlighted until that
    # level passes the sheet again.
    returned_by = models.CharField("退回方", max_length=16, blank=True)
    innovation_text = models.TextField("创新工作文字材料", blank=True)
    # Cached engine results, refreshed on every save, for lists and reports.
    self_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    county_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    city_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    result_status = models.CharField(max_length=20, default="evaluated")
    star = models.CharField("星级", max_length=20, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "评估表"
        verbose_name_plural = "评估表"
        ordering = ["period", "community__code"]
        constraints = [
            models.UniqueConstraint(fields=["period", "community"], name="evaluation_unique_per_period")
        ]
        indexes = [models.Index(fields=["period", "state"])]

    def __str__(self) -> str:
        return f"{self.period.year}年度 {self.community.name}"

    @property
    def editable_stage(self) -> str | None:
        return EDITABLE_STAGE.get(self.state)


class LineScore(models.Model):
    scope_path = "evaluation__community"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    line_id = models.CharField("评审项", max_length=16)
    stage = models.CharField("阶段", max_length=16, choices=Stage.choices)
    score = models.DecimalField("得分", max_digits=5, decimal_places=2, null=True, blank=True)
    reason = models.TextField("扣分原因", blank=True)
    # The lower stage whose score this one adopted ('' when typed): marked in the compare view.
    adopted_from = models.CharField("采用自", max_length=16, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "评审项得分"
        verbose_name_plural = "评审项得分"
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "line_id", "stage"], name="linescore_unique")
        ]


class FactAnswer(models.Model):
    """A fact answered on the checklist (not computed from ledgers)."""

    scope_path = "evaluation__community"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="fact_answers")
    name = models.CharField("事实", max_length=64)
    value = models.JSONField("取值", null=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)
    # The community's own declaration, kept when a reviewer corrects the value (value/answered_by above).
    declared = models.BooleanField("社区已申报", default=False)
    declared_value = models.JSONField("社区申报值", null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    declared_at = models.DateTimeField("申报时间", null=True, blank=True)

    @property
    def corrected(self) -> bool:
        """A reviewer changed the community's declared value."""
        return self.declared and self.answered_by_id != self.declared_by_id and self.value != self.declared_value

    class Meta:
        verbose_name = "核查事实"
        verbose_name_plural = "核查事实"
        constraints = [models.UniqueConstraint(fields=["evaluation", "name"], name="factanswer_unique")]


def evidence_path(instance: EvidenceRevision, filename: str) -> str:
    ev = instance.evidence.evaluation
    return f"evidence/{ev.period.year}/{ev.community_id}/{instance.evidence_id}/{instance.number}-{instance.sha256[:16]}"


class Evidence(models.Model):
    """A piece of evidence for one line (the standard's innovation line carries the innovation material).

    `line_id` is the line it was uploaded for; `EvidenceLine` lists every line it backs (that one
    included), so one file may back several lines.
    """

    scope_path = "evaluation__community"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evidence")
    line_id = models.CharField("评审项", max_length=16)
    title = models.CharField("材料名称", max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_deleted = models.BooleanField(default=False)

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"
        ordering = ["line_id", "created_at"]

    @property
    def current(self) -> EvidenceRevision | None:
        return self.revisions.order_by("-number").first()


class EvidenceLine(models.Model):
    """One line an evidence item backs (the link table behind the per-line evidence counts)."""

    scope_path = "evidence__evaluation__community"

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    line_id = models.CharField("评审项", max_length=16)

    class Meta:
        verbose_name = "证明材料所证评审项"
        verbose_name_plural = "证明材料所证评审项"
        constraints = [models.UniqueConstraint(fields=["evidence", "line_id"], name="evidenceline_unique")]


class EvidenceRevision(models.Model):
    """Each upload is kept; a re-upload adds a revision rather than replacing the file."""

    scope_path = "evidence__evaluation__community"

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField("版本")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "证明材料版本"
        verbose_name_plural = "证明材料版本"
        constraints = [models.UniqueConstraint(fields=["evidence", "number"], name="evidence_revision_unique")]


class Transition(AppendOnlyModel):
    """A workflow step, with its comment and the lines concerned (for returns)."""

    scope_path = "evaluation__community"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField("操作", max_length=32)
    from_state = models.CharField(max_length=32, choices=State.choices)
    to_state = models.CharField(max_length=32, choices=State.choices)
    comment = models.TextField("意见", blank=True)
    lines = models.JSONField("涉及评审项", default=list, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["at", "id"]


class ReturnedLine(models.Model):
    """One line of a return, with the returning level's comment and the answer of the level it went to.

    The line stays open (`is_open`) until the returning level passes the sheet again; `revision` is the
    sheet's revision right after the return, so changes since the return are read from the audit trail.
    """

    scope_path = "evaluation__community"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="returned_line_items")
    transition = models.ForeignKey(
        Transition, on_delete=models.CASCADE, related_name="returned_line_items", null=True, blank=True
    )
    returned_by = models.CharField("退回方", max_length=16)  # county | city
    line_id = models.CharField("评审项", max_length=16)
    comment = models.TextField("退回意见")
    revision = models.PositiveIntegerField("退回时版本号", default=0)
    is_open = models.BooleanField("待处理", default=True)
    reply = models.TextField("答复", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "退回的评审项"
        verbose_name_plural = "退回的评审项"
        ordering = ["id"]
        indexes = [models.Index(fields=["evaluation", "is_open"])]


class AuditEvent(AppendOnlyModel):
    """Every change to a sheet: score, reason, fact, evidence, state. old → new, who, when."""

    scope_path = "evaluation__community"

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="audit_events")
    kind = models.CharField("类别", max_length=32)  # score | reason | fact | evidence | state | snapshot | ...
    line_id = models.CharField("评审项", max_length=16, blank=True)
    stage = models.CharField("阶段", max_length=16, blank=True)
    field = models.CharField("字段", max_length=64, blank=True)
    old = models.JSONField("原值", null=True, blank=True)
    new = models.JSONField("新值", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    # The sheet revision this change produced: a stale save is told what changed since its revision.
    revision = models.PositiveIntegerField("版本号", null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]


class PeriodChange(AppendOnlyModel):
    """Opening a period and every change of its settings: who, when, old → new.

    A deleted period's rows stay (period set to NULL) with its year, so the deletion itself is on record.
    """

    period = models.ForeignKey(Period, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes")
    year = models.PositiveIntegerField("评估年度", null=True, blank=True)
    action = models.CharField("操作", max_length=32)  # open | update | current | close | reopen | delete
    changes = models.JSONField("变更", default=dict, blank=True)
    note = models.TextField("说明", blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "评估期变更记录"
        verbose_name_plural = "评估期变更记录"
        ordering = ["-at", "-id"]
