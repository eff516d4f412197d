"""Forms of the evaluations pages. Validation that is a rule of the domain lives in the services."""

from __future__ import annotations

import datetime
import re

from django import forms

from orgs.models import Level, Unit
from standards.models import StandardVersion

from .models import EvidenceCheck, Period, State


def bands_to_text(bands: list[dict]) -> str:
    return "\n".join(f"{b['name']} {b['min']}" for b in bands)


def parse_bands_text(text: str) -> list[dict]:
    bands = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.replace("：", " ").replace(":", " ").replace("≥", " ").replace(">=", " ").strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise forms.ValidationError(f"星级档位第 {number} 行「{raw.strip()}」格式应为「名称 最低分」，如「五星 95」。")
        name, minimum = parts
        try:
            value = float(minimum)
        except ValueError:
            raise forms.ValidationError(f"星级档位第 {number} 行的最低分「{minimum}」不是数字。") from None
        bands.append({"name": name, "min": int(value) if value.is_integer() else value})
    if not bands:
        raise forms.ValidationError("请至少填写一个星级档位。")
    return bands


class CommunityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.full_name


class PeriodForm(forms.Form):
    year = forms.IntegerField(label="评估年度", min_value=1990, max_value=2100)
    name = forms.CharField(label="名称", max_length=100, required=False,
                           help_text="留空则为「某某年度充分就业星级社区评审」")
    standard = forms.ModelChoiceField(label="评审标准版本", queryset=StandardVersion.objects.all(), empty_label=None)
    star_bands = forms.CharField(label="星级档位", widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text="每行一个档位：名称 最低分，从高到低，如「五星 95」")
    score_step = forms.DecimalField(label="计分步长", max_digits=4, decimal_places=2, min_value=0.01)
    self_deadline = forms.DateField(label="社区自评截止日期", required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    county_deadline = forms.DateField(label="县级审核截止日期", required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    city_deadline = forms.DateField(label="市级复核截止日期", required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    evidence_check = forms.ChoiceField(
        label="缺少证明材料时", choices=EvidenceCheck.choices, initial=EvidenceCheck.WARN, required=False,
        help_text="提交县级审核和县级通过报市级时检查；「提示」列出缺材料的评审项但允许继续，「不允许提交」须先补齐",
    )
    evidence_lines = forms.CharField(
        label="须附证明材料的评审项", required=False,
        help_text="留空：社区自评得分大于 0 的评审项都须附材料（由台帐计算的评审项除外）；"
                  "或填写评审项编号，多项用顿号或逗号分隔，如 2.1、3.2.2",
    )
    make_current = forms.BooleanField(
        label="设为当前评估期", required=False,
        help_text="当前评估期是首页和评估表列表默认显示的评估期；其他开放评估期的待办事项仍会列出",
    )
    communities = CommunityChoiceField(
        label="参加评估的社区", queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一个参加评估的社区。"},
    )

    def __init__(self, *args, editing: Period | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = (
            Unit.objects.filter(level=Level.COMMUNITY, is_active=True).select_related("parent__parent")
            .order_by("code")
        )
        for name, field in self.fields.items():
            if name == "communities" or isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            else:
                field.widget.attrs["class"] = "form-control"
        if editing is not None:
            self.fields["year"].disabled = True
            # The current period is chosen on the periods page (with a confirmation), not here.
            del self.fields["make_current"]
        if not self.is_bound and editing is None:
            current = StandardVersion.objects.filter(is_current=True).first()
            if current is not None:
                self.initial.setdefault("standard", current)
                self.initial.setdefault("star_bands", bands_to_text(
                    [{"name": b.name, "min": float(b.min) if b.min % 1 else int(b.min)}
                     for b in current.standard.star_bands]))
                self.initial.setdefault("score_step", current.standard.score_step)
            self.initial.setdefault("year", datetime.date.today().year)
            self.initial.setdefault("communities", list(self.fields["communities"].queryset))

    def clean_evidence_check(self) -> str:
        return self.cleaned_data.get("evidence_check") or EvidenceCheck.WARN

    def clean_evidence_lines(self) -> list[str] | None:
        raw = self.cleaned_data.get("evidence_lines") or ""
        ids = [x for x in re.split(r"[\s,，、;；]+", raw) if x]
        return ids or None

    def clean_star_bands(self) -> list[dict]:
        return parse_bands_text(self.cleaned_data["star_bands"])

    def communities_by_district(self) -> list[tuple[str, list]]:
        """The checkboxes grouped by district (区), for the template."""
        groups: dict[str, list] = {}
        units = {u.pk: u for u in self.fields["communities"].queryset}
        for widget in self["communities"]:
            unit = units.get(int(str(widget.data["value"])))
            district = unit.county.name if unit and unit.county_id else "其他"
            groups.setdefault(district, []).append(widget)
        return list(groups.items())


class ListFilterForm(forms.Form):
    period = forms.ModelChoiceField(label="评估期", queryset=Period.objects.all(), required=False,
                                    empty_label="全部评估期")
    district = forms.ModelChoiceField(label="区（市、县）", queryset=Unit.objects.none(), required=False,
                                      empty_label="全部")
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态")] + list(State.choices))
    overdue = forms.BooleanField(label="仅看逾期", required=False)

    def __init__(self, *args, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts if districts is not None else Unit.objects.none()
        for name in ("period", "district", "state"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"


class TransitionForm(forms.Form):
    comment = forms.CharField(label="意见", required=False, max_length=2000, widget=forms.Textarea)
    lines = forms.MultipleChoiceField(label="涉及评审项", required=False, choices=[])
    revision = forms.IntegerField(required=False)

    def __init__(self, *args, line_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [(x, x) for x in line_ids]
