from __future__ import annotations

from django import forms
from django.utils import timezone

from .models import DEFAULT_WORKING_DAYS, Channel, Decision
from .services import MAX_WORKING_DAYS, MIN_WORKING_DAYS

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})


class StartNoticeForm(forms.Form):
    start_on = forms.DateField(label="公示开始日期", widget=DATE)
    working_days = forms.IntegerField(label="公示期（工作日）", min_value=MIN_WORKING_DAYS, max_value=MAX_WORKING_DAYS,
                                      initial=DEFAULT_WORKING_DAYS,
                                      widget=forms.NumberInput(attrs={"class": "form-control"}))
    how_to_object = forms.CharField(label="异议受理方式", max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_on"].initial = timezone.localdate()


class StaffObjectionForm(forms.Form):
    channel = forms.ChoiceField(label="受理渠道", choices=[(c.value, c.label) for c in
                                                        (Channel.LETTER, Channel.PHONE, Channel.VISIT)],
                                widget=forms.Select(attrs={"class": "form-select"}))
    objector = forms.CharField(label="异议人", max_length=100, help_text="姓名或单位；匿名的写“匿名”",
                               widget=forms.TextInput(attrs={"class": "form-control"}))
    contact = forms.CharField(label="联系方式", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    entry = forms.TypedChoiceField(label="涉及社区", coerce=int, required=False, empty_value=None,
                                   widget=forms.Select(attrs={"class": "form-select"}))
    content = forms.CharField(label="异议内容", max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}))

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "（针对名单整体）")] + [(e.pk, str(e)) for e in entries]


class PublicObjectionForm(forms.Form):
    entry = forms.TypedChoiceField(label="涉及社区", coerce=int, required=False, empty_value=None,
                                   widget=forms.Select(attrs={"class": "form-select"}))
    contact = forms.CharField(label="联系方式（电话或通信地址）", max_length=200,
                              widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "tel"}))
    content = forms.CharField(label="异议内容", max_length=2000, min_length=10,
                              widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}))

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "（针对名单整体）")] + [(e.pk, str(e)) for e in entries]


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label="承办人", coerce=int, widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(u.pk, f"{u}（{u.get_role_display()}）") for u in users]


class NoteForm(forms.Form):
    text = forms.CharField(label="调查记录", max_length=4000, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))


class FileForm(forms.Form):
    file = forms.FileField(label="调查材料", widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="处理结论", choices=Decision.choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    reasons = forms.CharField(label="理由（答复异议人）", max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    lines = forms.MultipleChoiceField(label="重新复核的评审项（异议成立时）", required=False,
                                      widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))

    def __init__(self, *args, line_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = list(line_choices)
