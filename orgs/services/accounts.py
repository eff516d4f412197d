"""Account administration by the city administrator, and the user's own password change.

Every change runs in one transaction on a locked row, checks the state it starts from, and writes an
OrgEvent. Errors are AccountError with a Chinese message (and the form field it concerns).
"""

from __future__ import annotations

import re
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import ROLE_LEVEL, Level, OrgEvent, Role, Unit, User
from ..scoping import can

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,64}$")
# No look-alikes (0/O, 1/l/I) so a password read aloud over the phone survives.
_ALPHABET_LOWER = "abcdefghijkmnpqrstuvwxyz"  # no l, o
_DIGITS = "23456789"


class AccountError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def generate_password(groups: int = 3, group_length: int = 5) -> str:
    """A temporary password easy to read out by phone: lower-case letters and digits without
    look-alikes, in groups joined by hyphens ("k7mp3-x9qt2-hn4wa"; 15 characters from 31, ~74 bits).
    No capitals or symbols to spell out; the user must change it at first login."""
    alphabet = _ALPHABET_LOWER + _DIGITS
    while True:
        chars = [secrets.choice(alphabet) for _ in range(groups * group_length)]
        if any(c.isdigit() for c in chars) and any(c.isalpha() for c in chars):
            break
    return "-".join("".join(chars[i:i + group_length]) for i in range(0, len(chars), group_length))


def _check_admin(actor: User) -> None:
    if not can(actor, "manage_users"):
        raise PermissionDenied("您的角色无权管理账号。")


def _check_role_unit(role: str, unit: Unit | None) -> None:
    if role not in Role.values:
        raise AccountError("请选择有效的角色。", "role")
    if unit is None:
        raise AccountError("请选择所属单位。", "unit")
    if not unit.is_active:
        raise AccountError(f"单位“{unit.name}”已停用，不能绑定账号。", "unit")
    expected = ROLE_LEVEL[Role(role)]
    if unit.level != expected:
        raise AccountError(
            f"{Role(role).label}必须绑定到{Level(expected).label}级单位，“{unit.name}”是{unit.get_level_display()}。",
            "unit",
        )


def _locked(user_id: int) -> User:
    try:
        return User.objects.select_for_update().get(pk=user_id)
    except User.DoesNotExist:
        raise AccountError("账号不存在。")


MOBILE_RE = re.compile(r"1[3-9]\d{9}")
LANDLINE_RE = re.compile(r"0\d{2,3}-?\d{7,8}(?:-\d{1,6})?")


def clean_phone(phone: str) -> str:
    """A mainland mobile (13812345678) or landline (0591-87654321, extension -123) number, or ""."""
    raw = (phone or "").strip()
    if not raw:
        return ""
    text = re.sub(r"[\s()（）]", "", raw)
    text = re.sub(r"^(?:\+86|0086)-?", "", text)
    if MOBILE_RE.fullmatch(text) or LANDLINE_RE.fullmatch(text):
        return text
    raise AccountError(
        f"联系电话“{raw}”格式不正确：请填写 11 位手机号（如 13812345678）或带区号的固定电话（如 0591-87654321）。",
        "phone",
    )


def _record(actor: User, action: str, target: User | None, **detail) -> OrgEvent:
    return OrgEvent.objects.create(actor=actor, action=action, target_user=target, detail=detail)


def create_user(
    actor: User, *, username: str, role: str, unit: Unit | None, display_name: str = "", phone: str = ""
) -> tuple[User, str]:
    """Create an account with a temporary password; returns (user, password) — show it once."""
    _check_admin(actor)
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise AccountError("用户名须为 3–64 位字母、数字或 _ . @ + -。", "username")
    _check_role_unit(role, unit)
    phone = clean_phone(phone)
    password = generate_password()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise AccountError(f"用户名“{username}”已存在。", "username")
        user = User(
            username=username,
            role=role,
            unit=unit,
            display_name=(display_name or "").strip(),
            phone=(phone or "").strip(),
            must_change_password=True,
            # The Django admin is for engineers (superusers) only; units are managed on orgs:units.
            is_staff=False,
        )
        user.set_password(password)
        user.save()
        _record(actor, OrgEvent.Action.USER_CREATED, user, role=role, unit=unit.code)
    return user, password


def update_user(
    actor: User, user_id: int, *, role: str, unit: Unit | None, display_name: str = "", phone: str = ""
) -> User:
    _check_admin(actor)
    _check_role_unit(role, unit)
    phone = clean_phone(phone)
    with transaction.atomic():
        user = _locked(user_id)
        if user.pk == actor.pk and role != Role.CITY_ADMIN:
            raise AccountError("不能取消自己的市级管理员角色。", "role")
        before = {"role": user.role, "unit": user.unit.code if user.unit else None,
                  "display_name": user.display_name, "phone": user.phone}
        user.role, user.unit = role, unit
        user.display_name, user.phone = (display_name or "").strip(), (phone or "").strip()
        user.is_staff = user.is_superuser
        after = {"role": role, "unit": unit.code, "display_name": user.display_name, "phone": user.phone}
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if not changed:
            return user
        user.save(update_fields=["role", "unit", "display_name", "phone", "is_staff"])
        _record(actor, OrgEvent.Action.USER_UPDATED, user, changed=changed)
    return user


def reset_password(actor: User, user_id: int) -> str:
    """Set a new temporary password (returned, to be shown once) and force a change at next login."""
    _check_admin(actor)
    with transaction.atomic():
        user = _locked(user_id)
        if not user.is_active:
            raise AccountError("账号已停用，请先启用再重置密码。")
        password = generate_password()
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        revoked = _revoke_tokens(user, "password_reset")
        _record(actor, OrgEvent.Action.PASSWORD_RESET, user, **_revoked(revoked))
    _unlock(user.username)
    return password


def deactivate(actor: User, user_id: int) -> User:
    _check_admin(actor)
    with transaction.atomic():
        user = _locked(user_id)
        if user.pk == actor.pk:
            raise AccountError("不能停用自己的账号。")
        if not user.is_active:
            raise AccountError(f"账号“{user.username}”已是停用状态。")
        user.is_active = False
        user.save(update_fields=["is_active"])
        revoked = _revoke_tokens(user, "deactivated")
        _record(actor, OrgEvent.Action.DEACTIVATED, user, **_revoked(revoked))
    return user


def reactivate(actor: User, user_id: int) -> User:
    _check_admin(actor)
    with transaction.atomic():
        user = _locked(user_id)
        if user.is_active:
            raise AccountError(f"账号“{user.username}”已是启用状态。")
        user.is_active = True
        user.save(update_fields=["is_active"])
        _record(actor, OrgEvent.Action.REACTIVATED, user)
    _unlock(user.username)
    return user


def login_lockouts(username: str) -> list[dict]:
    """Client addresses from which `username` is locked out now (failures ≥ limit within the cool-off)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    since = timezone.now() - timezone.timedelta(hours=settings.AXES_COOLOFF_TIME)
    rows = AccessAttempt.objects.filter(
        username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")
    return [{"ip_address": a.ip_address, "failures": a.failures_since_start, "at": a.attempt_time} for a in rows]


def unlock_login(actor: User, user_id: int) -> int:
    """Lift every log-in lock-out of the account (all client addresses); audited. Returns the count."""
    _check_admin(actor)
    with transaction.atomic():
        user = _locked(user_id)
        locks = login_lockouts(user.username)
        if not locks:
            raise AccountError(f"账号“{user.username}”当前没有登录锁定。")
        _record(actor, OrgEvent.Action.LOGIN_UNLOCKED, user, addresses=[lock["ip_address"] for lock in locks])
    _unlock(user.username)
    return len(locks)


def password_changed(user: User) -> None:
    """Called after the user changed their own password: clears the forced-change flag, audits."""
    with transaction.atomic():
        locked = _locked(user.pk)
        fields = []
        if locked.must_change_password:
            locked.must_change_password = False
            fields.append("must_change_password")
        if fields:
            locked.save(update_fields=fields)
        revoked = _revoke_tokens(locked, "password_changed")
        _record(user, OrgEvent.Action.PASSWORD_CHANGED, locked, forced=bool(fields), **_revoked(revoked))
    user.must_change_password = False


def _revoked(count: int) -> dict:
    return {"revoked_tokens": count} if count else {}


def _revoke_tokens(user: User, reason: str) -> int:
    # API tokens follow the account: a reset, a deactivation or a new password ends them.
    from api.tokens import revoke_user_tokens

    return revoke_user_tokens(user, reason)


def _unlock(username: str) -> None:
    # An administrator's reset or re-activation also lifts a login lock-out.
    from axes.utils import reset

    reset(username=username)


__all__ = [
    "AccountError",
    "create_user",
    "deactivate",
    "generate_password",
    "login_lockouts",
    "unlock_login",
    "password_changed",
    "reactivate",
    "reset_password",
    "update_user",
]
