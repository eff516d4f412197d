"""Export of every ledger (xlsx or csv) on the one exporter base class, reports.exporters.ListExporter.

Rows are yielded, never built in memory, under the same masking as the pages: ID numbers and phones
masked unless the role may unmask and asked to; sensitive status columns and hardship categories only
for roles allowed to see them. Each export is logged with orgs.models.log_access. The xlsx keeps its
headers on row 1 (no title line), so an edited export can be imported again like the template.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orgs.models import AccessLog, Unit, User, log_access
from orgs.scoping import can, scope_queryset
from reports.exporters import ListExporter

from .identity import mask_id, mask_phone
from .imports import SPECS, Column, Spec, columns_for
from .models import SENSITIVE_CATEGORIES

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
COMMUNITY_HEADER = "所属社区"


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
    if col.kind == "bool":
        return "是" if value else "否"
    if col.kind == "choice":
        return getattr(obj, f"get_{col.field}_display")() if value else ""
    return value


class LedgerExporter(ListExporter):
    """One ledger of the user's scope, or of one community in it. Subclasses set `spec`."""

    spec: Spec
    formats = ("xlsx", "csv")
    title_row = False
    footer_row = False

    def __init__(self, user: User, community: Unit | None = None, full: bool = False) -> None:
        super().__init__(user)
        self.community = community
        # Full ID numbers and phones only for roles allowed to unmask, and only when asked for.
        self.full = full and can(user, "unmask")
        self.sensitive = can(user, "view_sensitive")
        self.columns = columns_for(self.spec, self.sensitive)
        self.row_count = 0

    @property
    def scope_label(self) -> str:
        return self.community.name if self.community is not None else super().scope_label

    def title(self) -> str:
        return f"{self.scope_label}{self.verbose_name}"

    def sheet_title(self) -> str:
        return self.spec.label[:31]

    def queryset(self):
        spec = self.spec
        qs = scope_queryset(self.user, spec.model.objects.select_related(*RELATED[spec.kind]))
        if self.community is not None:
            qs = qs.filter(**{f"{spec.community_path}_id": self.community.pk})
        if spec.kind == "hardship" and not self.sensitive:
            qs = qs.exclude(category__in=SENSITIVE_CATEGORIES)
        return qs.order_by("pk")

    def headers(self) -> list[str]:
        return [c.header for c in self.columns] + [COMMUNITY_HEADER]

    def rows(self) -> Iterator[list[Any]]:
        self.row_count = 0
        for obj in self.queryset().iterator(chunk_size=2000):
            self.row_count += 1
            yield [_value(obj, c, self.full) for c in self.columns] + [_community_of(obj).name]

    def export(self, fmt: str) -> bytes:
        content = super().export(fmt)
        log_access(
            self.user, AccessLog.Kind.EXPORT, f"ledger:{self.spec.kind}", format=fmt, rows=self.row_count,
            unmasked=self.full, community=self.community.pk if self.community is not None else None,
        )
        return content


def _class_name(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_")) + "LedgerExporter"


# One subclass per ledger, keyed by the import spec's kind (the same keys as the import and the URLs).
LEDGER_EXPORTERS: dict[str, type[LedgerExporter]] = {
    kind: type(
        _class_name(kind),
        (LedgerExporter,),
        {"__module__": __name__, "__doc__": f"{spec.label}。", "identifier": f"ledger_{kind}",
         "verbose_name": spec.label, "spec": spec},
    )
    for kind, spec in SPECS.items()
}
