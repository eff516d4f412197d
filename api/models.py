"""Per-user API tokens. The secret is shown once; only its sha256 is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RevokeReason(models.TextChoices):
    USER = "user", "本人吊销"
    PASSWORD_RESET = "password_reset", "管理员重置密码"
    PASSWORD_CHANGED = "password_changed", "本人修改密码"
    DEACTIVATED = "deactivated", "账号停用"


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=100)
    # The first characters of the token, shown in lists so a user can tell tokens apart.
    prefix = models.CharField("前缀", max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_reason = models.CharField("吊销原因", max_length=20, choices=RevokeReason.choices, blank=True)
    # Keyed fingerprint of the owner's password hash when the token was made: any password change,
    # whatever path makes it, stops the token even before the revocation below is recorded.
    credential_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
