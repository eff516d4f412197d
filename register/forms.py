"""Forms of the register app: each one feeds a service, which holds the rules."""

from __future__ import annotations

from django import forms

from .models import PanelMethod, PeriodRules


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


TEXT = {"class": "form-control", "rows": 4}


class AppealForm(forms.Form):
    reasons = forms.CharField(label="申请复核的理由", max_length=2000, widget=forms.Textarea(attrs=TEXT))
    files = MultipleFileField(label="证明材料（PDF 或图片，可多选，最多 5 个）", required=False)


class DecisionForm(forms.Form):
    decision = forms.CharField(label="理由", max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 3}))


class AwardChangeForm(forms.Form):
    action = forms.ChoiceField(label="操作", choices=[("downgrade", "降星"), ("revoke", "摘牌")],
                               widget=forms.Select(attrs={"class": "form-select"}))
    new_star = forms.ChoiceField(label="降为", required=False, widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(label="原因", max_length=2000, widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    document = forms.FileField(label="决定文件（PDF 或图片）", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))

    def __init__(self, *args, stars: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_star"].choices = [("", "（摘牌时不选）")] + [(s, s) for s in stars]


class RulesForm(forms.ModelForm):
    class Meta:
        model = PeriodRules
        fields = ["appeal_days", "panel_method", "panel_exclude_own_district"]
        widgets = {
            "appeal_days": forms.NumberInput(attrs={"class": "form-control", "min": 1, "max": 90}),
            "panel_method": forms.Select(attrs={"class": "form-select"}, choices=PanelMethod.choices),
            "panel_exclude_own_district": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }


class PanelAssignForm(forms.Form):
    raters = forms.TypedMultipleChoiceField(label="评分专家（至少 2 位）", coerce=int,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["raters"].choices = choices


class PanelRateForm(forms.Form):
    score = forms.CharField(label="得分", max_length=10, widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}))
    comment = forms.CharField(label="评分意见", max_length=1000, required=False,
                              widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
