"""Import of the organisation tree (区/县 → 街道 → 社区 under the city) from an xlsx or CSV file.

One row per community with its street and county, or a shorter row (county only, county + street) to
create a unit without children. Units are matched by code, so a re-import updates names instead of
duplicating. Reading and planning never write; `apply_import` re-plans inside one transaction and
writes everything or nothing.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from reports.cells import save_workbook

from .. import tabular
from ..models import Level, OrgEvent, Unit, User

COUNTY, COUNTY_CODE = "区（市、县）", "区（市、县）代码"
STREET, STREET_CODE = "街道（乡镇）", "街道（乡镇）代码"
COMMUNITY, COMMUNITY_CODE = "社区", "社区代码"
HEADERS = [COUNTY, COUNTY_CODE, STREET, STREET_CODE, COMMUNITY, COMMUNITY_CODE]
# (level, name column, code column), top-down.
LEVEL_COLUMNS = [
    (Level.COUNTY, COUNTY, COUNTY_CODE),
    (Level.STREET, STREET, STREET_CODE),
    (Level.COMMUNITY, COMMUNITY, COMMUNITY_CODE),
]
CODE_RE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
MAX_ROWS = 20000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class PlannedUnit:
    level: str
    code: str
    name: str
    parent_code: str | None  # None: the city
    row: int
    action: str = "create"  # create | update | unchanged
    old_name: str = ""

    @property
    def level_label(self) -> str:
        return Level(self.level).label


@dataclass
class ImportPlan:
    rows: int = 0
    units: list[PlannedUnit] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.rows > 0

    def counts(self) -> dict[str, dict[str, int]]:
        out = {lvl: {"create": 0, "update": 0, "unchanged": 0} for lvl, _, _ in LEVEL_COLUMNS}
        for unit in self.units:
            out[unit.level][unit.action] += 1
        return out

    def summary(self) -> list[dict]:
        counts = self.counts()
        return [{"level": Level(lvl).label, **counts[lvl]} for lvl, _, _ in LEVEL_COLUMNS]

    def changes(self) -> list[PlannedUnit]:
        return [u for u in self.units if u.action != "unchanged"]


class ImportFailed(Exception):
    def __init__(self, plan: ImportPlan):
        super().__init__(f"导入失败：共 {len(plan.errors)} 处错误，未写入任何数据。")
        self.plan = plan


Row = tuple[int, dict[str, str]]


# ---------------------------------------------------------------- reading

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel turns a typed-in code into a number
    return str(value).replace("\u3000", " ").strip()


def _norm_header(value: str) -> str:
    return _cell(value).replace("(", "（").replace(")", "）").replace(" ", "")


def read_rows(filename: str, data: bytes) -> tuple[list[Row], list[RowError]]:
    """Read the data rows (file row number, {header: text}); header problems are row-1 errors."""
    name = (filename or "").lower()
    try:
        if name.endswith(".xlsx"):
            table = _read_xlsx(data)
        elif name.endswith(".csv"):
            table = _read_csv(data)
        else:
            return [], [RowError(0, "文件", "请上传 .xlsx 或 .csv 文件（可下载模板填写）。")]
    except ValueError as exc:
        return [], [RowError(0, "文件", str(exc))]
    if not table:
        return [], [RowError(1, "表头", "文件是空的：第 1 行应为表头。")]
    header = [_norm_header(v) for v in table[0]]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        return [], [RowError(1, h, f"缺少表头“{h}”（请使用下载的模板）。") for h in missing]
    index = {h: header.index(h) for h in HEADERS}
    rows: list[Row] = []
    for number, raw in enumerate(table[1:], start=2):
        values = {h: _cell(raw[i]) if i < len(raw) else "" for h, i in index.items()}
        if any(values.values()):
            rows.append((number, values))
    if len(rows) > MAX_ROWS:
        return [], [RowError(0, "文件", f"数据行过多（{len(rows)} 行），一次最多导入 {MAX_ROWS} 行。")]
    if not rows:
        return [], [RowError(2, "表头", "文件中没有数据行。")]
    return rows, []


def _read_xlsx(data: bytes) -> list[list]:
    try:
        return [row for _, row in tabular.iter_xlsx(io.BytesIO(data))]
    except tabular.LimitExceeded as exc:  # size, zip bomb, rows, columns
        raise ValueError(exc.message) from exc
    except tabular.TabularError as exc:
        raise ValueError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏。") from exc


def _read_csv(data: bytes) -> list[list]:
    try:
        return [row for _, row in tabular.iter_csv(data)]
    except tabular.TabularError as exc:
        raise ValueError(exc.message) from exc


# ---------------------------------------------------------------- planning

def plan_import(rows: list[Row], city: Unit) -> ImportPlan:
    plan = ImportPlan(rows=len(rows))
    errors = plan.errors
    by_code: dict[str, PlannedUnit] = {}
    community_rows: dict[str, int] = {}

    for number, values in rows:
        parent_code: str | None = None
        for level, name_col, code_col in LEVEL_COLUMNS:
            name, code = values[name_col], values[code_col]
            if not name and not code:
                if level == Level.COUNTY:
                    errors.append(RowError(number, COUNTY, "区（市、县）名称和代码必须填写。"))
                break
            if level != Level.COUNTY and parent_code is None:
                break  # the parent's own error is already reported
            if not name:
                errors.append(RowError(number, name_col, f"填写了{code_col}，但{name_col}名称为空。"))
                parent_code = None
                continue
            if not code:
                errors.append(RowError(number, code_col, f"“{name}”缺少{code_col}。"))
                parent_code = None
                continue
            if not CODE_RE.match(code):
                errors.append(RowError(number, code_col, f"代码“{code}”无效：只能是 1–32 位字母、数字或连字符。"))
                parent_code = None
                continue
            if len(name) > 100:
                errors.append(RowError(number, name_col, "名称超过 100 个字符。"))
                parent_code = None
                continue
            seen = by_code.get(code)
            if seen is None:
                by_code[code] = PlannedUnit(level, code, name, parent_code, number)
            elif seen.level != level:
                errors.append(RowError(number, code_col,
                                       f"代码“{code}”在第 {seen.row} 行已用于{seen.level_label}“{seen.name}”。"))
            elif seen.name != name:
                errors.append(RowError(number, name_col,
                                       f"代码“{code}”在第 {seen.row} 行的名称是“{seen.name}”，与本行“{name}”不一致。"))
            elif seen.parent_code != parent_code:
                errors.append(RowError(number, code_col,
                                       f"代码“{code}”在第 {seen.row} 行属于另一个上级单位。"))
            if level == Level.COMMUNITY:
                if code in community_rows:
                    errors.append(RowError(number, code_col, f"社区代码“{code}”与第 {community_rows[code]} 行重复。"))
                else:
                    community_rows[code] = number
            parent_code = code

    _check_names_in_file(by_code, errors)
    _compare_with_database(by_code, city, errors)
    order = {lvl: i for i, (lvl, _, _) in enumerate(LEVEL_COLUMNS)}
    plan.units = sorted(by_code.values(), key=lambda u: (order[u.level], u.row, u.code))
    plan.errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else -1))
    return plan


def _check_names_in_file(by_code: dict[str, PlannedUnit], errors: list[RowError]) -> None:
    # Two codes with one name under one parent would break the unique (parent, name) rule.
    first: dict[tuple, PlannedUnit] = {}
    for unit in by_code.values():
        key = (unit.parent_code, unit.name)
        other = first.setdefault(key, unit)
        if other is not unit:
            name_col = _columns(unit.level)[0]
            errors.append(RowError(unit.row, name_col,
                                   f"同一上级下已有名为“{unit.name}”的单位（第 {other.row} 行，代码 {other.code}）。"))


def _columns(level: str) -> tuple[str, str]:
    for lvl, name_col, code_col in LEVEL_COLUMNS:
        if lvl == level:
            return name_col, code_col
    raise KeyError(level)


def _compare_with_database(by_code: dict[str, PlannedUnit], city: Unit, errors: list[RowError]) -> None:
    existing = {u.code: u for u in Unit.objects.select_related("parent").filter(code__in=list(by_code))}
    parent_ids = {city.pk} | {u.pk for u in existing.values()}
    # (parent id, name) -> code of the units already there, to catch a new name taken by a sibling.
    siblings = {
        (pid, name): code
        for pid, name, code in Unit.objects.filter(parent_id__in=parent_ids).values_list("parent_id", "name", "code")
    }
    for unit in by_code.values():
        name_col, code_col = _columns(unit.level)
        current = existing.get(unit.code)
        if current is not None:
            if current.level != unit.level:
                errors.append(RowError(unit.row, code_col,
                                       f"代码“{unit.code}”已被{current.get_level_display()}“{current.full_name}”使用。"))
                continue
            current_parent = current.parent.code if current.parent else None
            if current_parent != (unit.parent_code or city.code):
                errors.append(RowError(
                    unit.row, code_col,
                    f"“{current.full_name}”（代码 {unit.code}）已属于其他上级单位，导入不能调整上级，请在该单位的页面（组织机构 → 单位 → 改名 / 调整上级）修改。",
                ))
                continue
            if current.name != unit.name or not current.is_active:
                unit.action, unit.old_name = "update", current.name
            else:
                unit.action = "unchanged"
        parent = existing.get(unit.parent_code) if unit.parent_code else city
        if parent is None:
            continue  # the parent is new too: the in-file check covered its children
        clash = siblings.get((parent.pk, unit.name))
        if clash is not None and clash != unit.code:
            errors.append(RowError(unit.row, name_col,
                                   f"“{parent.name}”下已有名为“{unit.name}”的单位（代码 {clash}）。"))


# ---------------------------------------------------------------- writing

def import_city(actor: User) -> Unit:
    if actor.unit is not None and actor.unit.level == Level.CITY:
        return actor.unit
    city = Unit.objects.filter(level=Level.CITY).order_by("pk").first()
    if city is None:
        raise ValueError("系统中尚无市级单位，请先在管理后台创建。")
    return city


def apply_import(actor: User, rows: list[Row]) -> ImportPlan:
    """Write the planned units in one transaction; raises ImportFailed (nothing written) on any error."""
    from ..scoping import require

    require(actor, "manage_users")
    with transaction.atomic():
        city = Unit.objects.select_for_update().get(pk=import_city(actor).pk)  # one import at a time
        plan = plan_import(rows, city)
        if not plan.ok:
            raise ImportFailed(plan)
        units = {u.code: u for u in Unit.objects.filter(code__in=[p.code for p in plan.units])}
        for item in plan.units:
            if item.action == "unchanged":
                continue
            if item.action == "update":
                unit = units[item.code]
                unit.name, unit.is_active = item.name, True
                unit.save(update_fields=["name", "is_active"])
                continue
            parent = units[item.parent_code] if item.parent_code else city
            unit = Unit(name=item.name, code=item.code, level=item.level, parent=parent)
            unit.save()
            units[item.code] = unit
        OrgEvent.objects.create(
            actor=actor,
            action=OrgEvent.Action.UNITS_IMPORTED,
            detail={"rows": plan.rows, "counts": plan.counts()},
        )
    return plan


# ---------------------------------------------------------------- template

def template_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "组织机构"
    sheet.append(HEADERS)
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0D6EFD")
    for col, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=col)
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(horizontal="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 22 if "代码" in header else 18
        if "代码" in header:
            # Text format keeps leading zeros of codes typed into the sheet.
            sheet.column_dimensions[letter].number_format = "@"
            for row in range(2, 1002):
                sheet.cell(row=row, column=col).number_format = "@"
    sheet.freeze_panes = "A2"

    notes = book.create_sheet("填写说明")
    lines = [
        ["组织机构导入模板 · 填写说明"],
        [],
        ["1. 在“组织机构”工作表中填写，第 1 行表头不要修改；每行一个社区，同时填写其所属街道（乡镇）和区（市、县）。"],
        ["2. 只新增区（市、县）或街道（乡镇）时，可只填写前两列或前四列。"],
        ["3. 代码在全市唯一（1–32 位字母、数字或连字符），系统按代码识别单位：再次导入同一代码会更新名称，不会重复创建。"],
        ["4. 导入不能调整单位的上级，如需调整请在系统的“组织机构”页面打开该单位修改。"],
        ["5. 先预览（不写入），确认无误后再导入；任何一行有错误时整个文件都不会写入。"],
        [],
        ["示例（请勿直接复制到“组织机构”表）："],
        HEADERS,
        ["东湖区", "990102", "湖滨街道", "990102001", "湖滨社区", "990102001001"],
        ["东湖区", "990102", "湖滨街道", "990102001", "柳岸社区", "990102001002"],
        ["东湖区", "990102", "新华街道", "990102002"],
    ]
    for line in lines:
        notes.append(line)
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 18
    out = io.BytesIO()
    save_workbook(book, out)
    return out.getvalue()
