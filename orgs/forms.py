from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError

from .models import LEVEL_ORDER, Level, Role, Unit, User


def unit_choices(include_blank: str | None = "请选择单位") -> list:
    """Active units grouped by level, labelled with their path (东湖区 / 湖滨街道 / 湖滨社区)."""
    units = list(Unit.objects.filter(is_active=True).select_related("parent__parent__parent").order_by("code"))
    groups = []
    for level in LEVEL_ORDER:
        options = [(u.pk, f"{u.full_name}（{u.code}）") for u in units if u.level == level]
        if options:
            groups.append((Level(level).label, options))
    return ([("", include_blank)] if include_blank else []) + groups


class UserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=64)
    display_name = forms.CharField(label="姓名", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    role = forms.ChoiceField(label="角色", choices=[("", "请选择角色"), *Role.choices])
    unit = forms.TypedChoiceField(label="所属单位", coerce=int, choices=())

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices()
        self.fields["unit"].help_text = "市级管理员、市级复核人员绑定市；县级审核人员绑定区（市、县）；街道查看人员绑定街道（乡镇）；社区填报人员绑定社区。"
        for name in ("role", "unit"):
            self.fields[name].widget.attrs["class"] = "form-select"
        if editing:
            del self.fields["username"]

    def clean_unit(self) -> Unit:
        try:
            return Unit.objects.get(pk=self.cleaned_data["unit"])
        except Unit.DoesNotExist:
            raise ValidationError("请选择有效的单位。")


class UserFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False)
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部角色"), *Role.choices])
    unit = forms.TypedChoiceField(label="单位", required=False, coerce=int, empty_value=None, choices=())
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), ("active", "启用"), ("inactive", "停用")]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices("全部单位")
        self.fields["unit"].widget.attrs["class"] = "form-select form-select-sm"


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
