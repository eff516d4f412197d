from __future__ import annotations

from django import forms
from django.conf import settings

from .kinds import KIND_CHOICES
from .models import Method, ReferenceKind, ReferenceSource, Result
from .reference import FIELDS

PHOTO_MAX_BYTES = 10 * 1024 * 1024


class DrawForm(forms.Form):
    kind = forms.ChoiceField(label="台帐", choices=KIND_CHOICES)
    count = forms.IntegerField(label="抽取数量", min_value=1, max_value=10000, required=False)
    share = forms.DecimalField(label="或抽取比例（%）", min_value=0.01, max_value=100, decimal_places=2, required=False)
    weighted = forms.BooleanField(label="向有风险提示的记录加权（权重3倍）", required=False)
    seed = forms.IntegerField(label="随机种子（留空则随机生成）", min_value=0, required=False)
    reason = forms.CharField(label="重新抽样原因", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self):
        data = super().clean()
        if not data.get("count") and not data.get("share"):
            raise forms.ValidationError("请填写抽取数量或抽取比例。")
        return data


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")


class CheckForm(forms.Form):
    method = forms.ChoiceField(label="核查方式", choices=Method.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label="核查结果", choices=Result.choices, widget=forms.RadioSelect)
    field = forms.ChoiceField(label="不符项", required=False)
    correct_value = forms.CharField(label="核实的正确值", max_length=300, required=False)
    notes = forms.CharField(label="核查情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label="现场照片", required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))

    def __init__(self, *args, field_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", "（请选择）"), *field_choices]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(f"照片过大（上限 {PHOTO_MAX_BYTES // 1024 // 1024} MB），请压缩后上传。")
        return photo

    def clean(self):
        data = super().clean()
        if data.get("result") == Result.DIFFERS and (not data.get("field") or not data.get("correct_value")):
            raise forms.ValidationError("核查结果为“不符”时，请选择不符项并填写核实的正确值。")
        return data


class ReferenceUploadForm(forms.Form):
    source = forms.ModelChoiceField(label="来源", queryset=ReferenceSource.objects.all(), required=False,
                                    empty_label="（新来源，填写下面的名称）")
    new_source = forms.CharField(label="新来源名称", max_length=100, required=False)
    kind = forms.ChoiceField(label="名单类型（新来源）", choices=ReferenceKind.choices, required=False)
    as_of = forms.DateField(label="名单日期", widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label="导出文件（xlsx 或 csv）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError("文件过大。")
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("请上传 .xlsx 或 .csv 文件。")
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("source"):
            if not data.get("new_source") or not data.get("kind"):
                raise forms.ValidationError("请选择来源，或填写新来源的名称和名单类型。")
            if ReferenceSource.objects.filter(name=data["new_source"]).exists():
                raise forms.ValidationError("已有同名来源，请直接选择它。")
        return data


class MappingForm(forms.Form):
    def __init__(self, *args, mapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        mapping = mapping or {}
        for name, (label, known) in FIELDS.items():
            self.fields[name] = forms.CharField(
                label=label, max_length=100, required=False, initial=mapping.get(name, ""),
                help_text="留空时按常见列名识别：" + "、".join(known))
