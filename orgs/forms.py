from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError

from . import pickers
from .models import LEVEL_ORDER, Level, Role, Unit, User


class UserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=64)
    display_name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    role = forms.ChoiceField(label="角色", choices=[("", "请选择角色"), *Role.choices])
    unit = forms.CharField(label="所属单位", max_length=500)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].help_text = "市级管理员、市级复核人员绑定市；县级审核人员绑定区（市、县）；街道查看人员绑定街道（乡镇）；社区填报人员绑定社区。"
        self.fields["role"].widget.attrs["class"] = "form-select"
        if editing:
            del self.fields["username"]

    def clean_unit(self) -> Unit:
        unit, error = pickers.resolve_unit(Unit.objects.filter(is_active=True), self.cleaned_data["unit"])
        if unit is None:
            raise ValidationError(error)
        return unit


class UserFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False)
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部角色"), *Role.choices])
    unit = forms.CharField(label="单位", required=False, max_length=500)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), ("active", "启用"), ("inactive", "停用")]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "全部单位"})

    def clean_unit(self) -> Unit | None:
        raw = self.cleaned_data["unit"]
        if not raw:
            return None
        unit, error = pickers.resolve_unit(Unit.objects.all(), raw)
        if unit is None:
            raise ValidationError(error)
        return unit


class UnitForm(forms.Form):
    """Add or edit a unit. The parent is typed and picked (searchable), never a list of every unit."""

    level = forms.ChoiceField(label="层级", choices=[(lvl, Level(lvl).label) for lvl in LEVEL_ORDER[1:]])
    name = forms.CharField(label="名称", max_length=100)
    code = forms.CharField(label="代码", max_length=32,
                           help_text="全市唯一，1–32 位字母、数字或连字符；被评估表或台帐导入使用后不能修改。")
    parent = forms.CharField(label="上级单位", max_length=500,
                             help_text="区（市、县）的上级是市；街道（乡镇）的上级是区（市、县）；社区的上级是街道（乡镇）。")

    def __init__(self, *args, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["level"].widget.attrs["class"] = "form-select"
        if unit is not None:
            del self.fields["level"]
            if unit.level == Level.CITY:
                del self.fields["parent"]
            elif unit.code_in_use():
                self.fields["code"].disabled = True
                self.fields["code"].help_text = "该代码已被评估表或台帐导入使用，不能修改。"

    def level_value(self) -> str:
        return self.unit.level if self.unit is not None else (self.data.get("level") or self.initial.get("level") or "")

    def parent_levels(self) -> str:
        from .models import PARENT_LEVEL

        level = self.level_value()
        if level:
            return str(PARENT_LEVEL.get(level, ""))
        return ",".join(str(v) for v in PARENT_LEVEL.values())

    def clean_parent(self) -> Unit:
        from .models import PARENT_LEVEL

        units = Unit.objects.filter(is_active=True)
        expected = PARENT_LEVEL.get(self.level_value())
        if expected is not None:
            units = units.filter(level=expected)
        unit, error = pickers.resolve_unit(units, self.cleaned_data["parent"])
        if unit is None:
            raise ValidationError(error)
        return unit


class RetireForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label="导入文件（.xlsx 或 .csv）")


class PasswordChangeForm(DjangoPasswordChangeForm):
    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", "新密码不能与原密码相同。")
        return cleaned


class LoginForm(AuthenticationForm):
    """Tells a deactivated user so, but only after the right password (no account probing)."""

    error_messages = {
        "invalid_login": "用户名或密码不正确（区分大小写），请重新输入。",
        "inactive": "该账号已停用，无法登录。如需恢复，请联系市级管理员。",
    }

    def get_invalid_login_error(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        user = User.objects.filter(username=username, is_active=False).first()
        if user is not None and user.check_password(password):
            return ValidationError(self.error_messages["inactive"], code="inactive")
        return super().get_invalid_login_error()
