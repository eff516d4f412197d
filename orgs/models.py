"""Units (市 → 区/县 → 街道 → 社区) and users bound to one unit with one role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction


class Level(models.TextChoices):
    CITY = "city", "市"
    COUNTY = "county", "区（市、县）"
    STREET = "street", "街道（乡镇）"
    COMMUNITY = "community", "社区"


LEVEL_ORDER = [Level.CITY, Level.COUNTY, Level.STREET, Level.COMMUNITY]
PARENT_LEVEL = {Level.COUNTY: Level.CITY, Level.STREET: Level.COUNTY, Level.COMMUNITY: Level.STREET}


class UnitQuerySet(models.QuerySet):
    def communities(self) -> UnitQuerySet:
        return self.filter(level=Level.COMMUNITY)


class Unit(models.Model):
    name = models.CharField("名称", max_length=100)
    code = models.CharField("代码", max_length=32, unique=True,
                            error_messages={"unique": "该代码已被其他单位使用。"},
                            validators=[RegexValidator(r"^[A-Za-z0-9-]{1,32}$", "代码只能是 1–32 位字母、数字或连字符。")])
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Denormalised ancestors make scope filters one indexed equality instead of a recursive walk.
    county = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    street = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # The whole path below the city ("东城区 / 东华街道 / 光明社区"), stored so that lists print it without
    # walking the parents. Kept current by save(): renaming or moving a unit rewrites its subtree.
    full_name = models.CharField("全称", max_length=400, default="", editable=False)
    is_active = models.BooleanField("启用", default=True)

    objects = UnitQuerySet.as_manager()

    # For orgs.scoping: a unit is its own "community path"; the denormalised county/street columns make
    # county and street scopes include the unit itself and its subtree.
    scope_path = ""

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(
            fields=["parent", "name"], name="unit_unique_name_in_parent",
            violation_error_message="同一上级单位下已有同名单位。")]
        indexes = [models.Index(fields=["level", "county"]), models.Index(fields=["level", "street"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.code = (self.code or "").strip()
        if self.pk is not None:
            before = Unit.objects.filter(pk=self.pk).values("code", "level").first()
            if before is not None and before["code"] != self.code and self.code_in_use():
                raise ValidationError({"code": f"代码“{before['code']}”已被评估表或台帐导入使用，不能修改。"})
            if before is not None and before["level"] != self.level:
                raise ValidationError({"level": "单位的层级不能修改。"})
        if self.parent is not None and not self.parent.is_active and self.is_active:
            raise ValidationError({"parent": f"上级单位“{self.parent.name}”已停用。"})
        if self.parent is not None and self.pk is not None and self.parent.pk == self.pk:
            raise ValidationError({"parent": "上级单位不能是单位本身。"})
        expected = PARENT_LEVEL.get(self.level)
        if expected is None:
            if self.parent_id is not None:
                raise ValidationError({"parent": "市级单位不能有上级单位。"})
            return
        if self.parent is None:
            raise ValidationError({"parent": f"{self.get_level_display()}必须指定上级单位。"})
        if self.parent.level != expected:
            raise ValidationError(
                {"parent": f"{self.get_level_display()}的上级单位必须是{Level(expected).label}。"}
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {"full_name", "county", "street"}
        with transaction.atomic():
            before = None
            if self.pk is not None:
                before = Unit.objects.filter(pk=self.pk).values("name", "parent_id").first()
            county, street = self._ancestors()
            self.full_name = self.compose_full_name(self.parent, self.name, self.level)
            # A new county/street refers to itself: that reference can only be written once it has a pk.
            self_ref = self.pk is None and (county is self or street is self)
            self.county = None if (self_ref and county is self) else county
            self.street = None if (self_ref and street is self) else street
            super().save(*args, **kwargs)
            if self_ref:
                self.county, self.street = county, street
                Unit.objects.filter(pk=self.pk).update(county=county, street=street)
            if before is not None and (before["name"] != self.name or before["parent_id"] != self.parent_id):
                self._rewrite_subtree()

    def subtree_q(self) -> models.Q:
        """Q over Unit selecting this unit and every unit below it."""
        if self.level == Level.CITY:
            return models.Q()
        if self.level == Level.COUNTY:
            return models.Q(pk=self.pk) | models.Q(county_id=self.pk)
        if self.level == Level.STREET:
            return models.Q(pk=self.pk) | models.Q(street_id=self.pk)
        return models.Q(pk=self.pk)

    def code_in_use(self) -> bool:
        """Whether a sheet or a ledger import refers to this unit or one below it: its code is then fixed
        (imports, exports and the other systems identify units by it)."""
        from evaluations.models import Evaluation
        from ledgers.models import ImportJob

        below = Unit.objects.filter(self.subtree_q()).values("pk")
        return (Evaluation.objects.filter(community__in=below).exists()
                or ImportJob.objects.filter(community__in=below).exists())

    @staticmethod
    def compose_full_name(parent: Unit | None, name: str, level: str) -> str:
        """The stored full name of a unit named `name` under `parent` (the city is left out)."""
        if level == Level.CITY or parent is None or parent.level == Level.CITY:
            return name
        return f"{parent.full_name} / {name}"

    def _rewrite_subtree(self) -> None:
        """Recompute the stored names and ancestors of every unit below this one (same transaction)."""
        if self.level == Level.COMMUNITY:
            return
        if self.level == Level.CITY:
            below = Unit.objects.exclude(pk=self.pk)
        else:
            below = Unit.objects.filter(models.Q(county=self) | models.Q(street=self) | models.Q(parent=self))
            below = below.exclude(pk=self.pk)
        nodes = {self.pk: self}
        pending = list(below.select_for_update())
        by_parent: dict[int, list[Unit]] = {}
        for unit in pending:
            by_parent.setdefault(unit.parent_id, []).append(unit)
        changed: list[Unit] = []
        queue = [self]
        while queue:
            node = queue.pop()
            for child in by_parent.get(node.pk, []):
                child.parent = node
                child.full_name = self.compose_full_name(node, child.name, child.level)
                child.county = node if node.level == Level.COUNTY else node.county
                child.street = node if node.level == Level.STREET else node.street
                if child.level == Level.COUNTY:
                    child.county = child
                elif child.level == Level.STREET:
                    child.street = child
                nodes[child.pk] = child
                changed.append(child)
                queue.append(child)
        if changed:
            Unit.objects.bulk_update(changed, ["full_name", "county", "street"], batch_size=1000)

    def _ancestors(self) -> tuple[Unit | None, Unit | None]:
        county = street = None
        node = self
        while node is not None:
            if node.level == Level.COUNTY:
                county = node
            elif node.level == Level.STREET:
                street = node
            node = node.parent
        return county, street


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", "市级管理员"
    CITY_REVIEWER = "city_reviewer", "市级复核人员"
    COUNTY_REVIEWER = "county_reviewer", "县级审核人员"
    STREET_VIEWER = "street_viewer", "街道查看人员"
    COMMUNITY_OPERATOR = "community_operator", "社区填报人员"


# Which level of unit each role is bound to.
ROLE_LEVEL = {
    Role.CITY_ADMIN: Level.CITY,
    Role.CITY_REVIEWER: Level.CITY,
    Role.COUNTY_REVIEWER: Level.COUNTY,
    Role.STREET_VIEWER: Level.STREET,
    Role.COMMUNITY_OPERATOR: Level.COMMUNITY,
}


class User(AbstractUser):
    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.COMMUNITY_OPERATOR)
    unit = models.ForeignKey(Unit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    objects = UserManager()

    # For orgs.scoping.get_for_user: a user belongs to the scope of their unit.
    scope_path = "unit"

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def clean(self) -> None:
        super().clean()
        if self.unit_id is None:
            if not self.is_superuser:
                raise ValidationError({"unit": "请选择所属单位。"})
            return
        expected = ROLE_LEVEL.get(self.role)
        if expected is not None and self.unit.level != expected:
            raise ValidationError(
                {"unit": f"{self.get_role_display()}必须绑定到{Level(expected).label}级单位。"}
            )

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_city(self) -> bool:
        return self.role in (Role.CITY_ADMIN, Role.CITY_REVIEWER)

    @property
    def is_city_admin(self) -> bool:
        return self.role == Role.CITY_ADMIN


from .audit import AppendOnlyModel  # noqa: E402


class AccessLog(AppendOnlyModel):
    """Who unmasked personal data or downloaded an export, and when."""

    class Kind(models.TextChoices):
        EXPORT = "export", "导出"
        UNMASK = "unmask", "查看完整个人信息"
        DOWNLOAD = "download", "下载证明材料"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    target = models.CharField("对象", max_length=200)
    detail = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "访问日志"
        verbose_name_plural = "访问日志"
        ordering = ["-at"]


def log_access(user: User, kind: str, target: str, **detail) -> AccessLog:
    return AccessLog.objects.create(user=user, kind=kind, target=target[:200], detail=detail)


class OrgEvent(AppendOnlyModel):
    """Audit trail of account and organisation changes (who did what to whom)."""

    class Action(models.TextChoices):
        USER_CREATED = "user_created", "创建账号"
        USER_UPDATED = "user_updated", "修改账号"
        PASSWORD_RESET = "password_reset", "重置密码"
        PASSWORD_CHANGED = "password_changed", "本人修改密码"
        DEACTIVATED = "deactivated", "停用账号"
        REACTIVATED = "reactivated", "启用账号"
        LOGIN_UNLOCKED = "login_unlocked", "解除登录锁定"
        UNITS_IMPORTED = "units_imported", "导入组织机构"
        UNIT_CREATED = "unit_created", "新增单位"
        UNIT_UPDATED = "unit_updated", "修改单位"
        UNIT_RETIRED = "unit_retired", "撤销单位"
        UNIT_RESTORED = "unit_restored", "恢复单位"

    actor = models.ForeignKey(User, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    action = models.CharField("操作", max_length=32, choices=Action.choices)
    target_user = models.ForeignKey(
        User, verbose_name="对象账号", null=True, blank=True, on_delete=models.PROTECT, related_name="org_events"
    )
    target_unit = models.ForeignKey(
        Unit, verbose_name="对象单位", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    detail = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "账号与组织操作记录"
        verbose_name_plural = "账号与组织操作记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.target_user or self.target_unit or ''}"
