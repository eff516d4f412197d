"""Reads shared by the ledger pages, exports and the API (which never imports a view).

Which record kinds hang under which parent, which community a new record goes to, which hardship
categories a role may see, and the attachment response of a download — each written once here.
"""

from __future__ import annotations

from urllib.parse import quote

from django.db.models import Model, QuerySet
from django.http import HttpResponse

from orgs import pickers
from orgs.models import Unit
from orgs.scoping import can

from . import forms as f
from .models import (
    SENSITIVE_CATEGORIES,
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
from .services import LedgerError, editable_communities

# kind -> (model, form, parent kind, label)
RECORD_KINDS: dict[str, tuple[type[Model], type[f.StyledForm], str, str]] = {
    "unemployment": (UnemploymentRegistration, f.UnemploymentForm, "person", "失业登记"),
    "hardship": (HardshipRecognition, f.HardshipForm, "person", "就业困难人员认定"),
    "employment": (Employment, f.EmploymentForm, "person", "就业记录"),
    "service": (ServiceRecord, f.ServiceForm, "person", "服务记录"),
    "zero": (ZeroEmploymentHousehold, f.ZeroForm, "household", "零就业家庭认定"),
    "visit": (Visit, f.VisitForm, "household", "走访记录"),
    "vacancy": (Vacancy, f.VacancyForm, "employer", "招聘岗位"),
}
PARENTS: dict[str, type[Model]] = {"person": Person, "household": Household, "employer": Employer}


def target_community(user, community: int | str | None) -> Unit:
    """The community a new record goes to: the one chosen within the user's editable units (an id, or
    the community picker's text naming exactly one), or the user's only one. Raises LedgerError (field
    `community`) otherwise."""
    communities = editable_communities(user)
    if isinstance(community, int):
        unit = communities.filter(pk=community).first()
    elif community:
        unit = pickers.resolve(communities, community).selected
    else:
        unit = communities.first() if communities.count() == 1 else None
    if unit is None:
        raise LedgerError("请选择您管辖范围内的社区。", "community")
    return unit


# ---- hardship categories: the sensitive ones need `view_sensitive` --------------------------------

def sees_sensitive(user) -> bool:
    return can(user, "view_sensitive")


def visible_hardship(user, qs: QuerySet) -> QuerySet:
    """Hardship recognitions the user may see (`qs` of HardshipRecognition)."""
    return qs if sees_sensitive(user) else qs.exclude(category__in=SENSITIVE_CATEGORIES)


def hardship_visible(user, record: HardshipRecognition) -> bool:
    return sees_sensitive(user) or record.category not in SENSITIVE_CATEGORIES


def record_visible(user, kind: str, record: Model) -> bool:
    """A record of `kind` the user reached within scope: hidden when a sensitive hardship category."""
    return kind != "hardship" or hardship_visible(user, record)  # type: ignore[arg-type]


def hardship_choices(user, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [c for c in choices if sees_sensitive(user) or c[0] not in SENSITIVE_CATEGORIES]


# ---- downloads --------------------------------------------------------------------------------------

def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file to download (UTF-8 file name), never cached."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response
