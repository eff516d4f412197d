"""Token lifecycle: create (secret returned once), authenticate, revoke."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import ApiToken, RevokeReason

TOKEN_PREFIX = "sct_"
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token, so every API call does not write a row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def credential_fingerprint(user) -> str:
    """Changes whenever the user's password changes (reset, own change, `changepassword`, admin)."""
    return salted_hmac("api.tokens.credential", user.password or "", algorithm="sha256").hexdigest()


def revoke_user_tokens(user, reason: str) -> int:
    """Revoke every active token of `user` (called inside the account service's transaction)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def create_token(user, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw secret (never stored)."""
    from orgs.scoping import can

    if not can(user, "use_api"):
        raise TokenError("您的角色不使用系统接口，不能创建接口令牌。")
    name = (name or "").strip()
    if not name:
        raise TokenError("请填写令牌名称（用途），例如“省级系统对接”。")
    if len(name) > 100:
        raise TokenError("令牌名称不能超过 100 个字符。")
    with transaction.atomic():
        # Lock the owner's row (PostgreSQL refuses FOR UPDATE with COUNT) so two requests cannot both
        # slip under the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            raise TokenError(f"每个账号最多保留 {MAX_ACTIVE_TOKENS} 个有效令牌，请先吊销不用的令牌。")
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[:12], token_hash=hash_token(raw),
            credential_fingerprint=credential_fingerprint(user),
        )
    return token, raw


def revoke_token(user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens. Someone else's token is reported as not found."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None:
            raise TokenError("未找到该令牌。")
        if token.revoked_at is not None:
            raise TokenError("该令牌已经吊销。")
        token.revoked_at = timezone.now()
        token.revoked_reason = RevokeReason.USER
        token.save(update_fields=["revoked_at", "revoked_reason"])
    return token


def authenticate_token(raw: str):
    """The active user owning the raw token, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.credential_fingerprint != credential_fingerprint(token.user):
        # The password changed by a path that did not revoke (e.g. `manage.py changepassword`): record it.
        revoke_user_tokens(token.user, RevokeReason.PASSWORD_CHANGED)
        return None
    from orgs.scoping import can

    if not can(token.user, "use_api"):
        return None  # a token made before the role lost API access (street viewers) no longer answers
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
