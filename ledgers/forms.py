"""Forms of the ledger pages; messages in Chinese, identifiers checked by ledgers.identity.

Cross-field rules of a record (date order, a reason with an end date) live in the model's `clean()`
(ledgers.models.check_record), which a ModelForm runs — the API uses these forms and the import
calls the same `clean()`, so no path writes what another refuses.
"""

from __future__ import annotations

from django import forms

from .identity import IdentifierError, check_credit_code, check_resident_id, normalise_phone
from .models import (
    SENSITIVE_GROUPS,
    Complaint,
    Employer,
    Employment,
    HardshipRecognition,
    Household,
    Person,
    ServiceRecord,
    UnemploymentRegistration,
    Vacancy,
    Visit,
    ZeroEmploymentHousehold,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StyledForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            field.error_messages.setdefault("required", f"请填写“{field.label}”")
            field.error_messages["required"] = f"请填写“{field.label}”"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"“{field.label}”不是有效日期（格式：2025-01-31）"


class PersonForm(StyledForm):
    household_code = forms.CharField(
        label="户编号", max_length=40, required=False, help_text="同一户成员填写相同户编号；留空则单独建户"
    )

    class Meta:
        model = Person
        fields = [
            "name", "id_number", "female_retirement_group", "phone", "address", "relation", "education",
            "labour_capacity", "wish_to_work",
            "employment_card_no", "is_graduate", "is_veteran", "is_rural_migrant", "is_military_spouse",
            "is_disabled", "is_released_prisoner", "is_drug_rehab",
        ]

    def __init__(self, *args, show_sensitive: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["household_code"].initial = self.instance.household.code
        if not show_sensitive:
            for name in SENSITIVE_GROUPS:
                del self.fields[name]

    def clean_id_number(self) -> str:
        try:
            rid = check_resident_id(self.cleaned_data["id_number"])
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.resident_id = rid
        return rid.number

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data.get("phone", ""))
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc)) from exc


class HouseholdForm(StyledForm):
    class Meta:
        model = Household
        fields = ["code", "head_name", "address", "helper"]


class UnemploymentForm(StyledForm):
    class Meta:
        model = UnemploymentRegistration
        fields = ["registered_on", "ended_on", "end_reason", "note"]
        widgets = {"registered_on": DATE, "ended_on": DATE}


class HardshipForm(StyledForm):
    class Meta:
        model = HardshipRecognition
        fields = ["category", "recognized_on", "exited_on", "note"]
        widgets = {"recognized_on": DATE, "exited_on": DATE}


class EmploymentForm(StyledForm):
    class Meta:
        model = Employment
        fields = ["channel", "employer", "employer_name", "post", "started_on", "ended_on"]
        widgets = {"started_on": DATE, "ended_on": DATE}

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Employer.objects.filter(community=community)
        self.fields["employer"].required = False


class ServiceForm(StyledForm):
    class Meta:
        model = ServiceRecord
        fields = ["kind", "served_on", "staff", "note"]
        widgets = {"served_on": DATE}


class ZeroForm(StyledForm):
    class Meta:
        model = ZeroEmploymentHousehold
        fields = ["recognized_on", "exited_on", "exit_reason", "note"]
        widgets = {"recognized_on": DATE, "exited_on": DATE}


class VisitForm(StyledForm):
    class Meta:
        model = Visit
        fields = ["visited_on", "visitor", "way", "record", "photo"]
        widgets = {"visited_on": DATE, "record": forms.Textarea(attrs={"rows": 4}),
                   # On a phone: the camera straight away (or the gallery).
                   "photo": forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})}


class EmployerForm(StyledForm):
    class Meta:
        model = Employer
        fields = ["name", "credit_code", "industry", "contact", "phone", "address"]

    def clean_credit_code(self) -> str:
        try:
            code, warning = check_credit_code(self.cleaned_data.get("credit_code", ""))
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.credit_warning = warning
        return code

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        if value and value[:1] == "1":
            try:
                return normalise_phone(value)
            except IdentifierError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return value


class VacancyForm(StyledForm):
    class Meta:
        model = Vacancy
        fields = ["title", "headcount", "salary", "published_on", "closed_on"]
        widgets = {"published_on": DATE, "closed_on": DATE}


class ComplaintForm(StyledForm):
    class Meta:
        model = Complaint
        fields = ["kind", "received_on", "summary", "staff_fault", "serious", "handling"]
        widgets = {"received_on": DATE, "handling": forms.Textarea(attrs={"rows": 3})}
