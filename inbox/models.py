"""In-app notices: one row per recipient, read or unread."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    RETURN = "return", "退回"
    WAITING = "waiting", "待我办理"
    WITHDRAW = "withdraw", "撤回"
    DEADLINE_SOON = "deadline_soon", "即将截止"
    DEADLINE_PASSED = "deadline_passed", "已逾期"
    PUBLISHED = "published", "结果公布"
    OTHER = "other", "其他"


class Message(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_messages")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    evaluation = models.ForeignKey(
        "evaluations.Evaluation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Set for notices that must not repeat (a deadline's reminder): one per recipient and key.
    key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], condition=~models.Q(key=""),
                                    name="inbox_message_once_per_key")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
