"""xlsx export of every ledger, under the same masking as the pages (rows are yielded, not built)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from io import BytesIO
from typing import Any

from openpyxl import Workbook

from orgs.models import AccessLog, log_access
from orgs.scoping import can, scope_queryset

from .identity import mask_id, mask_phone
from .imports import Column, Spec, columns_for

RELATED = {
    "persons": ("community", "household"),
    "unemployment": ("person__community",),
    "hardship": ("person__community",),
    "employment": ("person__community", "employer"),
    "services": ("person__community",),
    "zero": ("household__community",),
    "visits": ("household__community",),
    "employers": ("community",),
    "vacancies": ("employer__community",),
    "complaints": ("community",),
}


def _community_of(obj) -> Any:
    for path in ("community", "person", "household", "employer"):
        if hasattr(obj, path + "_id"):
            target = getattr(obj, path)
            return target if path == "community" else target.community
    return None


def _value(obj, col: Column, full: bool) -> Any:
    if col.field == "id_number":
        number = obj.id_number if hasattr(obj, "id_number") else obj.person.id_number
        return number if full else mask_id(number)
    if col.field == "household_code":
        return obj.household.code
    if col.field == "employer_ref":
        return obj.employer.name if obj.employer_id else ""
    value = getattr(obj, col.field)
    if col.kind == "phone" or col.field == "phone":
        return value if full else mask_phone(value)
    if col.kind == "uscc":
        return value
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "choice":
        return getattr(obj, f"get_{col.field}_display")() if value else ""
    if isinstance(value, date):
        return value
    return value


def export_rows(spec: Spec, user, full: bool, community_id: int | None = None) -> Iterator[list[Any]]:
    sensitive = can(user, "view_sensitive")
    cols = columns_for(spec, sensitive)
    yield [c.header for c in cols] + ["所属社区"]
    qs = scope_queryset(user, spec.model.objects.select_related(*RELATED[spec.kind]))
    if community_id:
        qs = qs.filter(**{f"{spec.community_path}_id": community_id})
    if spec.kind == "hardship" and not sensitive:
        from .models import SENSITIVE_CATEGORIES

        qs = qs.exclude(category__in=SENSITIVE_CATEGORIES)
    for obj in qs.order_by("pk").iterator(chunk_size=2000):
        yield [_value(obj, c, full) for c in cols] + [_community_of(obj).name]


def export_workbook(spec: Spec, user, full: bool = False, community_id: int | None = None) -> bytes:
    """The ledger as xlsx; full ID numbers and phones only for roles allowed to unmask. Logged."""
    full = full and can(user, "unmask")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.label[:31])
    count = -1
    for row in export_rows(spec, user, full, community_id):
        ws.append(row)
        count += 1
    out = BytesIO()
    wb.save(out)
    log_access(user, AccessLog.Kind.EXPORT, f"ledger:{spec.kind}", rows=count, unmasked=full,
               community=community_id)
    return out.getvalue()
