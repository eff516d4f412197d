"""Stored aggregates: each community's ledger statistics per period, so county and city views only sum them."""

from django.db import models


class CommunityStat(models.Model):
    """One community's ledger measures for one period (reports.stats_store computes and refreshes them).

    `stale` is set in the same transaction as any change of the community's ledgers, fact snapshots or
    sheet state; the next view that needs the row recomputes it for that community only.
    """

    period = models.ForeignKey("evaluations.Period", on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    values = models.JSONField("统计值", default=dict)
    fact_source = models.CharField("成效数据来源", max_length=16, blank=True)
    stale = models.BooleanField("待更新", default=False)
    computed_at = models.DateTimeField("统计时间")

    class Meta:
        verbose_name = "社区统计（预计算）"
        verbose_name_plural = "社区统计（预计算）"
        constraints = [models.UniqueConstraint(fields=["period", "community"], name="community_stat_unique")]
        indexes = [models.Index(fields=["community", "stale"])]

    def __str__(self) -> str:
        return f"{self.period_id}/{self.community_id}"
