"""Reference lists from the province's public employment service system: import and reconciliation.

Import: the one reader (`orgs.tabular`, with its limits) streams the export; the header row is mapped
to our fields through the mapping saved for the source (column names vary by province and year),
falling back to common headings. Rows are parsed and checked outside any transaction, then written in
one short one. Reconciliation of one community reads that community's reference rows and ledger rows
plus one look-up of the same ID numbers elsewhere: its cost follows the community, not the city.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from ledgers.dates import parse_date
from ledgers.identity import mask_id
from ledgers.models import Employment, HardshipRecognition, Person, UnemploymentRegistration
from orgs.models import Level, Unit
from orgs.tabular import TabularError, iter_csv, iter_xlsx, open_source

from .kinds import mask_name
from .models import ReferenceKind, ReferenceList, ReferenceRecord, ReferenceSource

# field -> (label, headings recognised without a saved mapping)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id_number": ("身份证号", ("身份证号", "身份证号码", "公民身份号码", "证件号码")),
    "name": ("姓名", ("姓名", "人员姓名")),
    "community": ("所属社区（名称或代码）", ("社区", "所属社区", "社区名称", "社区代码", "居委会")),
    "status": ("状态", ("状态", "登记状态", "人员状态", "认定状态")),
    "date": ("日期", ("日期", "登记日期", "失业登记日期", "认定日期", "发证日期", "就业登记日期")),
    "card_no": ("就业创业证号", ("就业创业证号", "就业创业证编号", "证书编号")),
}
REQUIRED = ("id_number", "community")
ENDED_WORDS = ("注销", "退出", "终止", "已就业", "失效")


class ReferenceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def map_header(header: list[Any], mapping: dict[str, str]) -> dict[str, int]:
    """field -> column index. The saved mapping first, then the common headings."""
    names = [_text(h) for h in header]
    out: dict[str, int] = {}
    for fname, (_, known) in FIELDS.items():
        wanted = [mapping[fname]] if mapping.get(fname) else list(known)
        for heading in wanted:
            if heading in names:
                out[fname] = names.index(heading)
                break
    missing = [f for f in REQUIRED if f not in out]
    if missing:
        labels = "、".join(FIELDS[f][0] for f in missing)
        raise ReferenceError(f"文件表头中找不到“{labels}”列（表头为：{'、'.join(n for n in names if n)}）。"
                             "请在该来源的“列对应关系”中填写这些项目对应的列名后重新导入。")
    return out


@dataclass
class Parsed:
    rows: list[ReferenceRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _rows(path: Path, name: str):
    source = open_source(str(path))
    try:
        if name.lower().endswith(".csv"):
            yield from iter_csv(source.read())
        else:
            yield from iter_xlsx(source)
    finally:
        source.close()


def parse(path: Path, original_name: str, mapping: dict[str, str], progress=None) -> Parsed:
    communities: dict[str, int] = {}
    ambiguous: set[str] = set()
    for pk, code, name in Unit.objects.filter(level=Level.COMMUNITY).values_list("pk", "code", "name"):
        communities[code] = pk
        if name in communities and communities[name] != pk:
            ambiguous.add(name)
        communities.setdefault(name, pk)
    out = Parsed()
    columns: dict[str, int] | None = None
    seen: set[tuple[str, int]] = set()
    try:
        for number, values in _rows(path, original_name):
            if columns is None:
                columns = map_header(values, mapping)
                continue
            if not any(_text(v) for v in values):
                continue
            cell = {f: (values[i] if i < len(values) else None) for f, i in columns.items()}
            id_number = _text(cell.get("id_number")).upper()
            where = _text(cell.get("community"))
            if len(id_number) != 18:
                out.errors.append(f"第{number}行：身份证号应为18位")
                continue
            if where in ambiguous:
                out.errors.append(f"第{number}行：社区名称“{where}”不唯一，请改用社区代码")
                continue
            community = communities.get(where)
            if community is None:
                out.errors.append(f"第{number}行：找不到社区“{where}”")
                continue
            raw_date = cell.get("date")
            when = raw_date if isinstance(raw_date, date) else parse_date(_text(raw_date)) if raw_date else None
            if hasattr(when, "date") and callable(when.date):
                when = when.date()
            if (id_number, community) in seen:
                out.errors.append(f"第{number}行：与前面的行重复（同一社区同一身份证号）")
                continue
            seen.add((id_number, community))
            out.rows.append(ReferenceRecord(
                community_id=community, row=number, id_number=id_number, name=_text(cell.get("name"))[:50],
                status=_text(cell.get("status"))[:40], date=when, card_no=_text(cell.get("card_no"))[:40]))
            if progress and number % 1000 == 0:
                progress(number)
    except TabularError as exc:
        raise ReferenceError(exc.message) from exc
    if columns is None:
        raise ReferenceError("文件是空的：没有表头行。")
    return out


def apply(reference: ReferenceList, parsed: Parsed) -> None:
    with transaction.atomic():
        for r in parsed.rows:
            r.reference = reference
        ReferenceRecord.objects.bulk_create(parsed.rows, batch_size=2000)
        reference.rows = len(parsed.rows)
        reference.status = ReferenceList.Status.APPLIED
        skipped = f"；{len(parsed.errors)}行未导入：" + "；".join(parsed.errors[:20]) if parsed.errors else ""
        reference.message = f"已导入{len(parsed.rows)}人{skipped}"
        reference.save(update_fields=["rows", "status", "message"])


def import_file(reference: ReferenceList) -> str:
    """Parse and store one uploaded list (the job's body; also used by the demo)."""
    source: ReferenceSource = reference.source
    try:
        parsed = parse(Path(reference.file.path), reference.original_name, source.mapping or {})
    except ReferenceError as exc:
        reference.status, reference.message = ReferenceList.Status.FAILED, exc.message
        reference.save(update_fields=["status", "message"])
        raise
    apply(reference, parsed)
    return reference.message


# ------------------------------------------------------------------------------------------------
# Reconciliation


@dataclass
class Entry:
    id_number: str
    name: str
    ledger: str = ""  # what the ledger says
    reference: str = ""  # what the reference says
    other: str = ""  # the other community
    person_id: int | None = None


@dataclass
class Reconciliation:
    kind: str
    reference: ReferenceList | None
    only_reference: list[Entry] = field(default_factory=list)
    only_ledger: list[Entry] = field(default_factory=list)
    status_differs: list[Entry] = field(default_factory=list)
    date_differs: list[Entry] = field(default_factory=list)
    two_communities: list[Entry] = field(default_factory=list)

    @property
    def label(self) -> str:
        return ReferenceKind(self.kind).label

    @property
    def sections(self) -> list[tuple[str, str, list[Entry]]]:
        return [
            ("only_reference", "参考名单有、台帐没有", self.only_reference),
            ("only_ledger", "台帐有、参考名单没有", self.only_ledger),
            ("status_differs", "状态不一致", self.status_differs),
            ("date_differs", "日期或证号不一致", self.date_differs),
            ("two_communities", "被两个社区重复计入", self.two_communities),
        ]

    @property
    def total(self) -> int:
        return sum(len(items) for _, _, items in self.sections)


def _ledger(kind: str, community_id: int) -> dict[str, tuple[int, str, bool, date | None, str]]:
    """id number -> (person id, name, active, date, card no) of the community's ledger for the kind."""
    out: dict[str, tuple[int, str, bool, date | None, str]] = {}
    if kind == ReferenceKind.CARD:
        for pk, id_number, name, card in Person.objects.filter(community_id=community_id).exclude(
                employment_card_no="").values_list("pk", "id_number", "name", "employment_card_no"):
            out[id_number] = (pk, name, True, None, card)
        return out
    model, when, until = {
        ReferenceKind.UNEMPLOYED: (UnemploymentRegistration, "registered_on", "ended_on"),
        ReferenceKind.HARDSHIP: (HardshipRecognition, "recognized_on", "exited_on"),
        ReferenceKind.EMPLOYMENT: (Employment, "started_on", "ended_on"),
    }[ReferenceKind(kind)]
    rows = model.objects.filter(person__community_id=community_id).order_by(when, "pk").values_list(
        "person_id", "person__id_number", "person__name", when, until)
    for pk, id_number, name, start, end in rows:  # the latest record of each person wins
        out[id_number] = (pk, name, end is None, start, "")
    return out


def _active(status: str) -> bool | None:
    if not status:
        return None
    return not any(word in status for word in ENDED_WORDS)


def reconcile(community: Unit, kind: str, reference: ReferenceList | None = None) -> Reconciliation:
    from .selectors import latest_reference

    reference = reference or latest_reference(kind)
    out = Reconciliation(kind, reference)
    if reference is None:
        return out
    ref_rows = {r.id_number: r for r in ReferenceRecord.objects.filter(reference=reference, community=community)}
    ledger = _ledger(kind, community.pk)
    for id_number, r in ref_rows.items():
        if id_number not in ledger:
            out.only_reference.append(Entry(id_number, r.name, reference=_ref_text(r)))
            continue
        pk, name, active, when, card = ledger[id_number]
        ref_active = _active(r.status)
        if ref_active is not None and ref_active != active:
            out.status_differs.append(Entry(id_number, name, "在册" if active else "已注销/退出", r.status, person_id=pk))
        if kind == ReferenceKind.CARD:
            if r.card_no and card and r.card_no != card:
                out.date_differs.append(Entry(id_number, name, f"证号 {card}", f"证号 {r.card_no}", person_id=pk))
        elif r.date and when and r.date != when:
            out.date_differs.append(Entry(id_number, name, f"{when:%Y-%m-%d}", f"{r.date:%Y-%m-%d}", person_id=pk))
    for id_number, (pk, name, active, when, card) in ledger.items():
        if id_number not in ref_rows and active:
            out.only_ledger.append(Entry(id_number, name, ledger=f"{when:%Y-%m-%d}" if when else card, person_id=pk))
    ids = set(ref_rows) | set(ledger)
    names = {i: (ref_rows[i].name if i in ref_rows else ledger[i][1]) for i in ids}
    elsewhere: dict[str, set[str]] = defaultdict(set)
    for id_number, unit in Person.objects.filter(id_number__in=ids).exclude(community=community).values_list(
            "id_number", "community__full_name"):
        elsewhere[id_number].add(f"{unit}（台帐）")
    for id_number, unit in ReferenceRecord.objects.filter(reference=reference, id_number__in=ids).exclude(
            community=community).values_list("id_number", "community__full_name"):
        elsewhere[id_number].add(f"{unit}（参考名单）")
    # A person in this community's reference but on another community's ledger is listed once, as
    # counted by two communities (where to look), not also as missing from this ledger.
    on_other_ledger = {i for i, places in elsewhere.items() if any(p.endswith("（台帐）") for p in places)}
    out.only_reference = [e for e in out.only_reference if e.id_number not in on_other_ledger]
    for id_number in sorted(elsewhere):
        out.two_communities.append(Entry(id_number, names[id_number], other="、".join(sorted(elsewhere[id_number]))))
    for _, _, items in out.sections:
        items.sort(key=lambda e: e.id_number)
    return out


def _ref_text(r: ReferenceRecord) -> str:
    parts = [r.status, f"{r.date:%Y-%m-%d}" if r.date else "", f"证号 {r.card_no}" if r.card_no else ""]
    return " ".join(p for p in parts if p)


def masked(entry: Entry, unmask: bool) -> dict[str, Any]:
    return {"id": entry.id_number if unmask else mask_id(entry.id_number),
            "name": entry.name if unmask else mask_name(entry.name),
            "ledger": entry.ledger, "reference": entry.reference, "other": entry.other, "person_id": entry.person_id}


def reconcile_all(community: Unit) -> list[Reconciliation]:
    return [reconcile(community, kind) for kind in ReferenceKind.values]
