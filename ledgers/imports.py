"""xlsx import of every ledger: templates, dry run, row-level errors, all-or-nothing, match on keys.

A file is parsed into a Plan (creates, updates, errors, warnings) without writing; applying re-plans
inside one transaction and writes nothing when any row has an error. Rows are matched on their key
(persons on the ID number), so importing the same file twice updates rather than duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from orgs import tabular
from orgs.models import Unit
from reports.cells import unescape_text

from . import duplicates
from .dates import DATE_FORMS_HINT, parse_date
from .identity import IdentifierError, check_credit_code, check_resident_id, normalise_phone
from .models import (
    SENSITIVE_CATEGORIES,
    Channel,
    Complaint,
    ComplaintKind,
    Employer,
    Employment,
    EndReason,
    FemaleRetirementGroup,
    HardshipCategory,
    HardshipRecognition,
    Household,
    LedgerEvent,
    Person,
    ServiceKind,
    ServiceRecord,
    UnemploymentRegistration,
    Vacancy,
    Visit,
    VisitWay,
    ZeroEmploymentHousehold,
    ZeroExitReason,
)

YES, NO = "是", "否"
SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?E\+?\d+$", re.IGNORECASE)
# Columns Excel must keep as text (leading zeros, 18 digits, X check digits).
TEXT_KINDS = ("id", "uscc", "phone")
TEXT_FIELDS = ("household_code", "employment_card_no", "phone", "employer_ref")
MAX_SHOWN_ERRORS = 200
PROGRESS_EVERY = 500  # rows between progress reports of a background import
Progress = Callable[[int, int], None]  # (rows read, rows in the sheet)


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = "str"  # str | date | bool | choice | int | id | phone | uscc | text
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 200
    sensitive: bool = False


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行" + (f"“{self.column}”列" if self.column else "") + f"：{self.message}"


@dataclass
class Plan:
    kind: str
    rows: int = 0
    creates: list[models.Model] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    new_households: dict[str, Household] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    warnings: list[RowError] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)
    sensitive: bool = False  # the importing role may see sensitive status

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_SHOWN_ERRORS:
            self.errors.append(RowError(row, column, message))

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.rows > 0

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "creates": len(self.creates),
            "updates": len(self.updates),
            "new_households": len(self.new_households),
            "error_count": self.error_count,
            "errors": [[e.row, e.column, e.message] for e in self.errors],
            "warnings": [[w.row, w.column, w.message] for w in self.warnings[:MAX_SHOWN_ERRORS]],
            "samples": self.samples,
        }


class ImportFileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _choices(enum) -> tuple[tuple[str, str], ...]:
    return tuple((value, label) for value, label in enum.choices)


ID = Column("身份证号", "id_number", "id", required=True)
HH = Column("户编号", "household_code", required=True, max_length=40)


@dataclass(frozen=True)
class Spec:
    kind: str
    label: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    parent: str | None  # "person" | "household" | "employer" | None (belongs to the community)
    key: tuple[str, ...]  # fields that, with the parent, identify a row
    community_path: str = "community"


PERSON_COLUMNS = (
    Column("户编号", "household_code", max_length=40),
    Column("与户主关系", "relation", max_length=20),
    Column("姓名", "name", required=True, max_length=50),
    ID,
    Column("联系电话", "phone", "phone"),
    Column("住址", "address"),
    Column("文化程度", "education", max_length=20),
    Column("有劳动能力", "labour_capacity", "bool"),
    Column("有就业愿望", "wish_to_work", "bool"),
    Column("原法定退休年龄（女性）", "female_retirement_group", "choice", choices=_choices(FemaleRetirementGroup)),
    Column("就业创业证号", "employment_card_no", max_length=40),
    Column("高校毕业生", "is_graduate", "bool"),
    Column("退役军人", "is_veteran", "bool"),
    Column("农村转移劳动力", "is_rural_migrant", "bool"),
    Column("随军家属", "is_military_spouse", "bool"),
    Column("残疾人", "is_disabled", "bool", sensitive=True),
    Column("刑满释放人员", "is_released_prisoner", "bool", sensitive=True),
    Column("戒毒康复人员", "is_drug_rehab", "bool", sensitive=True),
)

SPECS: dict[str, Spec] = {
    s.kind: s
    for s in [
        Spec("persons", "人员台帐（含家庭成员）", Person, PERSON_COLUMNS, None, ("id_number",)),
        Spec(
            "unemployment", "失业登记台帐", UnemploymentRegistration,
            (ID, Column("失业登记日期", "registered_on", "date", True), Column("注销日期", "ended_on", "date"),
             Column("注销原因", "end_reason", "choice", choices=_choices(EndReason)),
             Column("备注", "note")),
            "person", ("registered_on",), "person__community",
        ),
        Spec(
            "hardship", "就业困难人员台帐", HardshipRecognition,
            (ID, Column("困难类别", "category", "choice", True, _choices(HardshipCategory)),
             Column("认定日期", "recognized_on", "date", True), Column("退出日期", "exited_on", "date"),
             Column("备注", "note")),
            "person", ("category", "recognized_on"), "person__community",
        ),
        Spec(
            "employment", "就业登记台帐（含用人单位招用）", Employment,
            (ID, Column("就业去向", "channel", "choice", True, _choices(Channel)),
             Column("用人单位名称", "employer_ref", max_length=200),
             Column("就业单位/项目", "employer_name"), Column("岗位", "post", max_length=100),
             Column("就业日期", "started_on", "date", True), Column("离职日期", "ended_on", "date")),
            "person", ("channel", "started_on"), "person__community",
        ),
        Spec(
            "services", "就业服务台帐", ServiceRecord,
            (ID, Column("服务类型", "kind", "choice", True, _choices(ServiceKind)),
             Column("服务日期", "served_on", "date", True), Column("经办人", "staff", max_length=50),
             Column("服务内容", "note", max_length=300)),
            "person", ("kind", "served_on"), "person__community",
        ),
        Spec(
            "zero", "零就业家庭台帐", ZeroEmploymentHousehold,
            (HH, Column("认定日期", "recognized_on", "date", True), Column("退出日期", "exited_on", "date"),
             Column("退出原因", "exit_reason", "choice", choices=_choices(ZeroExitReason)),
             Column("备注", "note")),
            "household", ("recognized_on",), "household__community",
        ),
        Spec(
            "visits", "走访记录台帐", Visit,
            (HH, Column("走访日期", "visited_on", "date", True), Column("走访人", "visitor", required=True, max_length=50),
             Column("走访方式", "way", "choice", True, _choices(VisitWay)),
             Column("情况与需求、帮扶措施", "record", "text")),
            "household", ("visited_on", "visitor"), "household__community",
        ),
        Spec(
            "employers", "用人单位台帐", Employer,
            (Column("单位名称", "name", required=True), Column("统一社会信用代码", "credit_code", "uscc"),
             Column("行业", "industry", max_length=50), Column("联系人", "contact", max_length=50),
             Column("联系电话", "phone", max_length=20), Column("地址", "address")),
            None, ("name",),
        ),
        Spec(
            "vacancies", "招聘岗位台帐", Vacancy,
            (Column("单位名称", "employer_ref", required=True), Column("岗位名称", "title", required=True, max_length=100),
             Column("招聘人数", "headcount", "int", True), Column("薪资待遇", "salary", max_length=50),
             Column("发布日期", "published_on", "date", True), Column("截止日期", "closed_on", "date")),
            "employer", ("title", "published_on"), "employer__community",
        ),
        Spec(
            "complaints", "投诉信访台帐", Complaint,
            (Column("类型", "kind", "choice", True, _choices(ComplaintKind)),
             Column("受理日期", "received_on", "date", True), Column("事由", "summary", required=True, max_length=300),
             Column("因工作人员失误引起", "staff_fault", "bool"), Column("性质严重、社会影响较大", "serious", "bool"),
             Column("处理结果", "handling", "text")),
            None, ("received_on", "summary"),
        ),
    ]
}


def columns_for(spec: Spec, sensitive: bool) -> tuple[Column, ...]:
    return tuple(c for c in spec.columns if sensitive or not c.sensitive)


# ---- templates ------------------------------------------------------------------------------------

TEMPLATE_TEXT_ROWS = 1000  # rows pre-formatted as text (the column format covers rows beyond)


def template_workbook(spec: Spec, sensitive: bool) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = spec.label[:31]
    lists = wb.create_sheet("选项")
    cols = columns_for(spec, sensitive)
    ws.append([c.header + ("*" if c.required else "") for c in cols])
    list_col = 0
    for i, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(col.header) * 2 + 4)
        options = [YES, NO] if col.kind == "bool" else [label for _, label in col.choices]
        if options:
            list_col += 1
            letter = get_column_letter(list_col)
            lists.cell(row=1, column=list_col, value=col.header)
            for r, option in enumerate(options, start=2):
                lists.cell(row=r, column=list_col, value=option)
            dv = DataValidation(
                type="list", formula1=f"'选项'!${letter}$2:${letter}${len(options) + 1}", allow_blank=not col.required
            )
            dv.error, dv.errorTitle = "请从下拉列表中选择", "取值无效"
            ws.add_data_validation(dv)
            dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}5000")
        if col.kind in TEXT_KINDS or col.field in TEXT_FIELDS:
            # Text format, so Excel keeps an 18-digit ID or a code as typed (not 3.50102E+17).
            ws.column_dimensions[get_column_letter(i)].number_format = "@"
            for row in range(2, TEMPLATE_TEXT_ROWS + 2):
                ws.cell(row=row, column=i).number_format = "@"
        if col.kind == "date":
            ws.cell(row=1, column=i).comment = None
    lists.sheet_state = "hidden"
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "是否必填", "说明"])
    for col in cols:
        notes.append([col.header, "必填" if col.required else "选填", _hint(col)])
    return wb


def _hint(col: Column) -> str:
    return {
        "date": f"日期，{DATE_FORMS_HINT}",
        "bool": "填“是”或“否”",
        "choice": "从下拉列表选择：" + "、".join(label for _, label in col.choices),
        "id": "18位居民身份证号，末位X大小写均可；作为匹配依据（已有则更新）。本列已设为文本格式，请勿改为数字",
        "phone": "11位手机号",
        "uscc": "18位统一社会信用代码；校验位不符只提示不拒绝",
        "int": "正整数",
    }.get(col.kind, f"文字，不超过{col.max_length}字")


def error_workbook(source, errors: list[list[Any]], error_count: int) -> bytes:
    """The rows of an uploaded file that have errors, as the user wrote them, with an 错误说明 column
    and the bad cells highlighted: fix them there and upload again."""
    from io import BytesIO

    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    by_row: dict[int, list[tuple[str, str]]] = {}
    for row, column, message in errors:
        by_row.setdefault(int(row), []).append((column or "", message))
    rows = {number: values for number, values in read_rows(source) if number == 1 or number in by_row}
    header = [_cell_text(h) for h in rows.get(1, [])]
    names = [h.rstrip("*") for h in header]
    wb = Workbook()
    ws = wb.active
    ws.title = "有错误的行"
    ws.append(["原行号", *header, "错误说明"])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
    bad_fill = PatternFill("solid", fgColor="FFC7CE")
    note_font = Font(color="9C0006")
    for number in sorted(by_row):
        values = list(rows.get(number, []))
        values += [None] * (len(header) - len(values))
        problems = by_row[number]
        ws.append([number, *values[: len(header)], "；".join(
            (f"“{c}”列：" if c else "") + m for c, m in problems)])
        out_row = ws.max_row
        for column, message in problems:
            if column in names:
                cell = ws.cell(row=out_row, column=names.index(column) + 2)
                cell.fill = bad_fill
                cell.comment = Comment(message, "系统")
        note = ws.cell(row=out_row, column=len(header) + 2)
        note.font, note.alignment = note_font, Alignment(wrap_text=True, vertical="top")
    for i in range(1, len(header) + 2):
        ws.column_dimensions[get_column_letter(i)].width = 16
        ws.column_dimensions[get_column_letter(i)].number_format = "@"
    ws.column_dimensions[get_column_letter(len(header) + 2)].width = 60
    ws.freeze_panes = "B2"
    if error_count > len(errors):
        ws.append([])
        ws.append([None, f"共 {error_count} 处错误，此表列出前 {len(errors)} 处；改正后重新预检可看到其余错误。"])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# ---- parsing --------------------------------------------------------------------------------------

def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unescape_text(str(value).strip())  # an exported "'=..." cell comes back as written


def _parse(col: Column, raw: Any) -> Any:
    """Typed value of one cell; raises ValueError with a Chinese message."""
    if col.kind == "date":
        return parse_date(raw)
    text = _cell_text(raw)
    if col.kind == "bool":
        if text in ("", NO, "否 ", "0", "N", "n", "无"):
            return False
        if text in (YES, "1", "Y", "y", "有"):
            return True
        raise ValueError(f"“{text}”应为“是”或“否”")
    if not text:
        return "" if col.kind not in ("int",) else None
    if col.kind == "choice":
        for value, label in col.choices:
            if text in (label, value):
                return value
        raise ValueError(f"“{text}”不是可选值（可选：{'、'.join(label for _, label in col.choices)}）")
    if col.kind == "int":
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f"“{text}”不是整数") from None
        if number < 1:
            raise ValueError("应为正整数")
        return number
    if col.kind == "id":
        if isinstance(raw, int | float) or SCIENTIFIC.match(text):
            raise ValueError(
                f"“{text}”像是被 Excel 转成了数字或科学计数法（如 3.50102E+17），后几位已丢失："
                "请把该列设为“文本”格式（或在号码前加英文单引号 '）后重新输入完整的 18 位号码"
            )
        try:
            return check_resident_id(text)
        except IdentifierError as exc:
            raise ValueError(str(exc)) from None
    if col.kind == "phone":
        try:
            return normalise_phone(text)
        except IdentifierError as exc:
            raise ValueError(str(exc)) from None
    if col.kind == "uscc":
        try:
            return check_credit_code(text)
        except IdentifierError as exc:
            raise ValueError(str(exc)) from None
    if col.kind != "text" and len(text) > col.max_length:
        raise ValueError(f"超过{col.max_length}字")
    return text


def read_rows(path_or_file) -> Iterator[tuple[int, list[Any]]]:
    """The file's rows, streamed through the one import reader (size, zip bomb, rows, columns)."""
    source = tabular.open_source(path_or_file)
    try:
        yield from tabular.iter_xlsx(source)
    except tabular.TabularError as exc:
        raise ImportFileError(exc.message) from exc
    finally:
        if source is not path_or_file:
            source.close()


def _header_map(spec: Spec, header: list[Any], sensitive: bool) -> tuple[dict[str, int], list[str]]:
    names = [(_cell_text(h)).rstrip("*") for h in header]
    index: dict[str, int] = {}
    ignored: list[str] = []
    for col in spec.columns:
        if col.header in names:
            if col.sensitive and not sensitive:
                ignored.append(col.header)
                continue
            index[col.field] = names.index(col.header)
    missing = [c.header for c in spec.columns if c.required and c.field not in index]
    if missing:
        raise ImportFileError(f"第1行表头缺少必填列：{'、'.join(missing)}。请使用下载的模板。")
    return index, ignored


# ---- planning -------------------------------------------------------------------------------------

class _Context:
    """Look-up maps of the community, loaded once per file."""

    def __init__(self, community: Unit) -> None:
        self.community = community
        self._persons: dict[str, int] | None = None
        self._households: dict[str, int] | None = None
        self._employers: dict[str, int] | None = None

    @property
    def persons(self) -> dict[str, int]:
        if self._persons is None:
            self._persons = dict(Person.all_objects.filter(community=self.community).values_list("id_number", "pk"))
        return self._persons

    @property
    def households(self) -> dict[str, int]:
        if self._households is None:
            self._households = dict(Household.objects.filter(community=self.community).values_list("code", "pk"))
        return self._households

    @property
    def employers(self) -> dict[str, int]:
        if self._employers is None:
            rows = Employer.objects.filter(community=self.community).values_list("name", "credit_code", "pk")
            self._employers = {}
            for name, code, pk in rows:
                self._employers[name] = pk
                if code:
                    self._employers[code] = pk
        return self._employers


def _existing_keys(spec: Spec, community: Unit) -> dict[tuple, int]:
    parent_field = f"{spec.parent}_id" if spec.parent else "community_id"
    qs = spec.model._base_manager.filter(**{f"{spec.community_path}": community})
    return {tuple(row[:-1]): row[-1] for row in qs.values_list(parent_field, *spec.key, "pk")}


def plan_import(
    spec: Spec, rows: Iterable[tuple[int, list[Any]]], community: Unit, sensitive: bool, user=None,
) -> Plan:
    """Plan the rows in one pass over the file; persons are checked against other communities after."""
    plan = Plan(kind=spec.kind, sensitive=sensitive)
    ctx = _Context(community)
    rows = iter(rows)
    try:
        _, header = next(rows)
    except StopIteration:
        raise ImportFileError("文件为空：第1行应为表头。") from None
    index, ignored = _header_map(spec, header, sensitive)
    if ignored:
        plan.warnings.append(RowError(1, "", f"您的角色无权导入以下敏感列，已忽略：{'、'.join(ignored)}"))
    existing = _existing_keys(spec, community)
    seen: dict[tuple, int] = {}
    others: dict[str, int] | None = {} if spec.kind == "persons" else None  # id number -> row
    for number, raw in rows:
        if all(v is None or _cell_text(v) == "" for v in raw):
            continue
        plan.rows += 1
        values: dict[str, Any] = {}
        bad = False
        for col in spec.columns:
            if col.field not in index:
                continue
            cell = raw[index[col.field]] if index[col.field] < len(raw) else None
            try:
                value = _parse(col, cell)
            except ValueError as exc:
                plan.error(number, col.header, str(exc))
                bad = True
                continue
            if col.required and value in ("", None):
                plan.error(number, col.header, "必填，不能为空")
                bad = True
                continue
            values[col.field] = value
        if bad:
            continue
        if not _validate_record(spec, plan, number, values):
            continue
        _plan_row(spec, plan, ctx, existing, seen, others, number, values)
    if plan.rows == 0:
        raise ImportFileError("文件中没有数据行。")
    if others:
        for id_number, other in _other_communities(list(others), community).items():
            # Only "registered elsewhere, ask your county" unless the importer's scope covers it.
            duplicates.record(user, id_number, community, other, "import")
            plan.error(others[id_number], "身份证号", duplicates.message(user, community, other))
    return plan


def _validate_record(spec: Spec, plan: Plan, number: int, values: dict[str, Any]) -> bool:
    """The record's own rules (`Model.clean()`, as the page form and the API run them), per row.

    Errors name the row and the column with the form's message; derived fields the model computes
    in `clean()` (e.g. the zero-employment clearing deadline) are taken into the row's values.
    """
    names = {f.name for f in spec.model._meta.concrete_fields}
    record = spec.model(**{k: v for k, v in values.items() if k in names})
    try:
        record.clean()
    except ValidationError as exc:
        headers = {c.field: c.header for c in spec.columns}
        for field_name, messages in exc.message_dict.items():
            for message in messages:
                plan.error(number, headers.get(field_name, ""), message)
        return False
    for field_name in getattr(spec.model, "DERIVED_FIELDS", ()):
        values[field_name] = getattr(record, field_name)
    for field_name in names & set(values):
        if isinstance(values[field_name], str):
            values[field_name] = getattr(record, field_name)  # normalised by clean() (e.g. trimmed text)
    return True


def _other_communities(numbers: list[str], community: Unit) -> dict[str, Unit]:
    """ID numbers already in another community's ledger (one query per 500 ids)."""
    found: dict[str, Unit] = {}
    numbers_list = sorted(numbers)
    for i in range(0, len(numbers_list), 500):
        chunk = numbers_list[i : i + 500]
        qs = Person.objects.filter(id_number__in=chunk).exclude(community=community).select_related("community")
        for person in qs.only("id_number", "community"):
            found[person.id_number] = person.community
    return found


def _plan_row(spec, plan, ctx, existing, seen, others, number, values) -> None:
    parent_id = ctx.community.pk
    if spec.kind == "persons":
        _plan_person(plan, ctx, existing, seen, others, number, values)
        return
    if spec.parent == "person":
        rid = values.pop("id_number")
        parent_id = ctx.persons.get(rid.number)
        if parent_id is None:
            plan.error(number, "身份证号", f"本社区人员台帐中没有身份证号为{rid.number[:6]}…{rid.number[-4:]}的人员，请先导入人员台帐")
            return
    elif spec.parent == "household":
        code = values.pop("household_code")
        parent_id = ctx.households.get(code)
        if parent_id is None:
            plan.error(number, "户编号", f"本社区没有户编号为“{code}”的家庭，请先导入人员台帐")
            return
    elif spec.parent == "employer":
        ref = values.pop("employer_ref")
        parent_id = ctx.employers.get(ref) or ctx.employers.get(ref.upper())
        if parent_id is None:
            plan.error(number, "单位名称", f"本社区用人单位台帐中没有“{ref}”，请先导入用人单位台帐")
            return
    if "employer_ref" in values:
        ref = values.pop("employer_ref")
        values["employer_id"] = None
        if ref:
            values["employer_id"] = ctx.employers.get(ref)
            if values["employer_id"] is None:
                plan.error(number, "用人单位名称", f"本社区用人单位台帐中没有“{ref}”")
                return
            if not values.get("employer_name"):
                values["employer_name"] = ref
    if spec.kind == "employers" and "credit_code" in values:
        code, warning = values["credit_code"] or ("", "")
        values["credit_code"], values["credit_code_warning"] = code, warning
        if warning:
            plan.warnings.append(RowError(number, "统一社会信用代码", warning))
    if spec.kind == "hardship" and values.get("category") in SENSITIVE_CATEGORIES and not plan.sensitive:
        plan.error(number, "困难类别", "您的角色无权登记该困难类别")
        return
    key = (parent_id, *(values[k] for k in spec.key))
    if key in seen:
        plan.error(number, "", f"与第{seen[key]}行重复")
        return
    seen[key] = number
    parent_field = f"{spec.parent}_id" if spec.parent else "community_id"
    if key in existing:
        plan.updates.append((existing[key], values))
    else:
        plan.creates.append(spec.model(**{parent_field: parent_id}, **values))
    if len(plan.samples) < 5:
        plan.samples.append({"row": number, "action": "更新" if key in existing else "新增"})


def _plan_person(plan, ctx, existing, seen, others, number, values) -> None:
    rid = values.pop("id_number")
    others.setdefault(rid.number, number)  # checked against other communities after the pass
    key = (ctx.community.pk, rid.number)
    if key in seen:
        plan.error(number, "身份证号", f"与第{seen[key]}行的身份证号重复")
        return
    seen[key] = number
    code = values.pop("household_code", "") or ""
    values.update(id_number=rid.number, birth_date=rid.birth_date, sex=rid.sex)
    values.setdefault("labour_capacity", True)
    values.setdefault("wish_to_work", True)
    if not values.get("female_retirement_group"):
        values.pop("female_retirement_group", None)  # an empty cell keeps the stored (or default) group
    if key in existing:
        if code:
            values["household_code"] = code
        plan.updates.append((existing[key], values))
        if len(plan.samples) < 5:
            plan.samples.append({"row": number, "action": "更新"})
        return
    if not code:  # a household of one, under a random code (never derived from the ID number)
        code = Household.generated_code()
        while code in ctx.households or code in plan.new_households:
            code = Household.generated_code()
    if code not in ctx.households and code not in plan.new_households:
        plan.new_households[code] = Household(
            community=ctx.community, code=code, head_name=values.get("name", ""), address=values.get("address", "")
        )
    person = Person(community=ctx.community, **values)
    person._household_code = code
    plan.creates.append(person)
    if len(plan.samples) < 5:
        plan.samples.append({"row": number, "action": "新增"})


# ---- applying -------------------------------------------------------------------------------------

def _reporting(rows: list[tuple[int, list[Any]]], progress: Progress | None) -> Iterator[tuple[int, list[Any]]]:
    """The rows, reporting every PROGRESS_EVERY of them to a background job's progress bar."""
    for done, row in enumerate(rows, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, len(rows))
        yield row

def run_import(spec: Spec, source, community: Unit, user, sensitive: bool, apply: bool,
               progress: Progress | None = None, on_write: Callable[[Plan], None] | None = None) -> Plan:
    """Plan (dry run) or plan-then-write. Nothing is written if any row fails.

    The file is read (under the import limits) and planned without a transaction, so a long file
    holds no write lock (on SQLite a write transaction blocks every other writer); the writes then go
    in one short transaction, which `on_write` (the caller's state check and bookkeeping) joins: if it
    raises, nothing is written.
    """
    rows = list(read_rows(source))
    plan = plan_import(spec, _reporting(rows, progress), community, sensitive, user=user)
    if not apply or not plan.ok:
        return plan
    with transaction.atomic():
        _write(spec, plan, community)
        LedgerEvent.objects.create(
            community=community, user=user, action="import", model=spec.kind,
            note=f"导入{spec.label}：新增{len(plan.creates)}条，更新{len(plan.updates)}条",
        )
        if on_write is not None:
            on_write(plan)
    return plan


def _write(spec: Spec, plan: Plan, community: Unit) -> None:
    if spec.kind == "persons":
        if plan.new_households:
            Household.objects.bulk_create(plan.new_households.values(), batch_size=1000)
        codes = dict(Household.objects.filter(community=community).values_list("code", "pk"))
        for person in plan.creates:
            person.household_id = codes[person._household_code]
        for _, values in plan.updates:
            code = values.pop("household_code", None)
            if code:
                if code not in codes:
                    hh = Household.objects.create(community=community, code=code, head_name=values.get("name", ""))
                    codes[code] = hh.pk
                values["household_id"] = codes[code]
    spec.model.objects.bulk_create(plan.creates, batch_size=1000)
    # One UPDATE per row: bulk_update's CASE expressions grow quadratically on wide rows.
    for pk, values in plan.updates:
        values = {k: v for k, v in values.items() if k != "id_number"}
        spec.model.objects.filter(pk=pk).update(**values)
