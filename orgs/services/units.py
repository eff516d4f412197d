"""The organisation tree edited by the city administrator in the product (not the Django admin).

Add, rename / re-code / move, retire and restore a unit. Every change runs in one transaction on a locked
row, validates through `Unit.full_clean()` (the model's one validation: parent level, frozen code, unique
name under a parent) and writes an OrgEvent on the unit with the old and new values. Renaming or moving
rewrites the stored full names of the subtree through `Unit.save()`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..models import PARENT_LEVEL, Level, OrgEvent, Unit, User
from ..scoping import can


class UnitError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _check_admin(actor: User) -> None:
    if not can(actor, "manage_users"):
        raise PermissionDenied("您的角色无权管理组织机构。")


def _validate(unit: Unit) -> None:
    try:
        unit.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            raise UnitError(messages[0], None if field == "__all__" else field) from exc


def _locked(unit_id: int) -> Unit:
    try:
        unit: Unit = Unit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=unit_id)
        return unit
    except Unit.DoesNotExist as exc:
        raise UnitError("单位不存在。") from exc


def _record(actor: User, action: str, unit: Unit, **detail: object) -> OrgEvent:
    return OrgEvent.objects.create(actor=actor, action=action, target_unit=unit, detail=detail)


def _snapshot(unit: Unit) -> dict[str, str]:
    return {"name": unit.name, "code": unit.code,
            "parent": unit.parent.full_name or unit.parent.name if unit.parent else ""}


def create_unit(actor: User, *, level: str, parent: Unit | None, name: str, code: str) -> Unit:
    _check_admin(actor)
    if level not in PARENT_LEVEL:
        raise UnitError("只能新增区（市、县）、街道（乡镇）或社区。", "level")
    with transaction.atomic():
        unit = Unit(level=level, parent=parent, name=(name or "").strip(), code=(code or "").strip())
        _validate(unit)
        unit.save()
        _record(actor, OrgEvent.Action.UNIT_CREATED, unit, after=_snapshot(unit), level=unit.get_level_display())
    return unit


def update_unit(actor: User, unit_id: int, *, name: str, code: str, parent: Unit | None) -> Unit:
    """Rename, re-code (only while no sheet or import uses the code) or move the unit under another parent."""
    _check_admin(actor)
    with transaction.atomic():
        unit = _locked(unit_id)
        before = _snapshot(unit)
        unit.name, unit.code = (name or "").strip(), (code or "").strip()
        if unit.level != Level.CITY:
            unit.parent = parent
        _validate(unit)
        after = _snapshot(unit)
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if not changed:
            return unit
        unit.save(update_fields=["name", "code", "parent"])
        _record(actor, OrgEvent.Action.UNIT_UPDATED, unit, changed=changed)
    return unit


def retire_unit(actor: User, unit_id: int, reason: str = "") -> Unit:
    """Retire (停用) a unit: it keeps its history and sheets but takes no new accounts, sheets or children.

    Refused while active units or accounts are below it or a sheet of it is still under review.
    """
    from evaluations.models import Evaluation, State

    _check_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise UnitError("请填写撤销原因。", "reason")
    with transaction.atomic():
        unit = _locked(unit_id)
        if unit.level == Level.CITY:
            raise UnitError("市级单位不能撤销。")
        if not unit.is_active:
            raise UnitError(f"“{unit.name}”已是撤销状态。")
        children = Unit.objects.filter(parent=unit, is_active=True).count()
        if children:
            raise UnitError(f"“{unit.name}”下还有 {children} 个启用的下级单位，请先撤销或移走它们。")
        users = User.objects.filter(unit=unit, is_active=True).count()
        if users:
            raise UnitError(f"还有 {users} 个启用的账号绑定在“{unit.name}”，请先停用或改绑这些账号。")
        open_sheets = Evaluation.objects.filter(community=unit).exclude(state=State.PUBLISHED).count()
        if open_sheets:
            raise UnitError(f"“{unit.name}”有 {open_sheets} 份评估表尚未公布，评审结束后才能撤销。")
        unit.is_active = False
        unit.save(update_fields=["is_active"])
        _record(actor, OrgEvent.Action.UNIT_RETIRED, unit, reason=reason)
    return unit


def restore_unit(actor: User, unit_id: int) -> Unit:
    _check_admin(actor)
    with transaction.atomic():
        unit = _locked(unit_id)
        if unit.is_active:
            raise UnitError(f"“{unit.name}”已是启用状态。")
        unit.is_active = True
        _validate(unit)  # the parent must be active
        unit.save(update_fields=["is_active"])
        _record(actor, OrgEvent.Action.UNIT_RESTORED, unit)
    return unit


FIELD_LABELS = {"name": "名称", "code": "代码", "parent": "上级单位"}


def describe(event: OrgEvent) -> list[str]:
    """The event's detail as readable lines (old → new), for the unit's history."""
    detail = event.detail or {}
    lines = []
    for key, (old, new) in (detail.get("changed") or {}).items():
        lines.append(f"{FIELD_LABELS.get(key, '其他')}：{old or '（空）'} → {new or '（空）'}")
    after = detail.get("after")
    if after:
        lines.append(f"名称：{after.get('name', '')}；代码：{after.get('code', '')}；上级单位：{after.get('parent', '')}")
    if detail.get("reason"):
        lines.append(f"原因：{detail['reason']}")
    return lines
