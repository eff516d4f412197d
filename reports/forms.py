"""The filled 附件1 form of one evaluation: one layout (standards.presentation.table_rows) in every format.

`filled_form(evaluation)` gathers everything the form shows; the writers turn it into xlsx, docx,
HTML (the print view) and PDF (WeasyPrint over the same HTML).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from django.core.cache import caches
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from evaluations.models import Evaluation, Stage, State
from evaluations.presenters import totals_for
from orgs.models import User
from standards.numbers import XLSX_POINTS_FORMAT, format_points, points_cell
from standards.presentation import Row, table_rows

from .cells import save_workbook

# A stage that does not score a line (the city-only innovation line before the city stage) shows this, as paper forms do.
NOT_APPLICABLE = "／"
STATUS_LABELS = {"evaluated": "列入评估", "not_evaluated": "不列入评估", "disqualified": "取消资格"}
# Column headers of the form, left to right (the two-row header is built from these).
COLUMNS = [
    "评审项目",
    "具体评审内容及评分标准",
    "评分标准",
    "评分操作办法",
    "社区自评分数",
    "县级审核 得分",
    "县级审核 扣分原因",
    "市级复核 得分",
    "市级复核 扣分原因",
]
_SUFFIXES = {
    "county": ("区（市、县）", "区", "市", "县"),
    "street": ("街道（乡镇）", "街道", "乡", "镇"),
    "community": ("社区",),
}


def fmt_score(value: Decimal | None) -> str:
    return format_points(value)


def blank_fill(name: str, kind: str) -> str:
    """The text written into a blank of "____区（市、县）": the name without the printed suffix."""
    for suffix in _SUFFIXES[kind]:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


@dataclass
class FormLine:
    row: Row
    cells: dict[str, Decimal | None]  # stage -> score
    reasons: dict[str, str]  # stage -> reason
    applicable: dict[str, bool]  # stage -> the line is scored at that stage
    section_title: str = ""  # the row's section, also on rows that do not start it (PDF continuation pages)
    max_label: str = ""  # likewise the 评分标准 of its group
    section_last: bool = False  # the last row of its section / max group (closing border in the PDF)
    max_last: bool = False

    def score_text(self, stage: str) -> str:
        if not self.applicable[stage]:
            return NOT_APPLICABLE
        return fmt_score(self.cells.get(stage))

    def reason_text(self, stage: str) -> str:
        if not self.applicable[stage]:
            return NOT_APPLICABLE
        return self.reasons.get(stage, "")

    @property
    def values(self) -> list[str]:
        """The nine column texts (section and max columns are blank on continuation rows)."""
        r = self.row
        return [
            r.section_title if r.section_rowspan else "",
            r.content,
            r.max_label if r.max_rowspan else "",
            r.method,
            self.score_text(Stage.SELF),
            self.score_text(Stage.COUNTY),
            self.reason_text(Stage.COUNTY),
            self.score_text(Stage.CITY),
            self.reason_text(Stage.CITY),
        ]


@dataclass
class FilledForm:
    evaluation: Evaluation
    attachment: str
    title: str
    county: str
    street: str
    community: str
    year: int
    total_label: str
    footnote: str
    lines: list[FormLine]
    totals: dict[str, Decimal | None]
    status_label: str
    star: str
    state_label: str
    generated_at: object = field(default_factory=timezone.now)

    @property
    def unit_line(self) -> str:
        return f"评估单位：{self.county}区（市、县）{self.street}街道（乡镇）{self.community}社区"

    @property
    def period_line(self) -> str:
        return f"评估期：{self.year}年度"

    @property
    def total_values(self) -> list[str]:
        return [
            "合 计",
            self.total_label,
            "",
            "",
            fmt_score(self.totals[Stage.SELF]),
            fmt_score(self.totals[Stage.COUNTY]),
            "",
            fmt_score(self.totals[Stage.CITY]),
            "",
        ]

    @property
    def conclusion(self) -> str:
        text = f"当前状态：{self.state_label}；评审结论：{self.status_label}"
        if self.star:
            text += f"，{self.star}社区"
        return text

    # The levels that sign the form, left to right (the signature and date block under the table).
    signature_levels = ("社区（自评）", "区（市、县）审核", "市级复核")

    @property
    def filename_stem(self) -> str:
        return f"附件1_{self.year}年度_{self.evaluation.community.name}"


FORM_FORMATS = ("xlsx", "docx", "pdf")


def form_queryset() -> QuerySet[Evaluation]:
    """Sheets with what the filled form reads (pages and API)."""
    return Evaluation.objects.select_related(
        "period", "period__standard", "community", "community__street", "community__county"
    )


def filled_form(evaluation: Evaluation, user: User) -> FilledForm:
    """The form as the user may see it: stages hidden by the review policy are left blank."""
    shown = totals_for(user, evaluation)
    data = evaluation.period.standard.data
    community = evaluation.community
    county = community.county.name if community.county_id else ""
    street = community.street.name if community.street_id else ""
    scores: dict[tuple[str, str], tuple[Decimal | None, str]] = {}
    for line_id, stage, score, reason in evaluation.scores.values_list("line_id", "stage", "score", "reason"):
        scores[(line_id, stage)] = (score, reason)
    lines = []
    for row in table_rows(data):
        cells, reasons, applicable = {}, {}, {}
        for stage in Stage.values:
            score, reason = scores.get((row.line_id, stage), (None, "")) if stage in shown.stages else (None, "")
            cells[stage] = score
            reasons[stage] = reason or ""
            applicable[stage] = stage in row.stages
        lines.append(FormLine(row=row, cells=cells, reasons=reasons, applicable=applicable))
    _spread_groups(lines)
    total = Decimal(str(data.get("total", 100)))
    return FilledForm(
        evaluation=evaluation,
        attachment=data.get("attachment", "附件1"),
        title=data.get("title", ""),
        county=blank_fill(county, "county"),
        street=blank_fill(street, "street"),
        community=blank_fill(community.name, "community"),
        year=evaluation.period.year,
        total_label=f"总分{fmt_score(total)}分",
        footnote=data.get("footnote", ""),
        lines=lines,
        totals={stage: shown.of(stage) for stage in Stage.values},
        status_label=STATUS_LABELS.get(evaluation.result_status, evaluation.result_status),
        star=shown.star,
        state_label=State(evaluation.state).label if evaluation.state in State.values else evaluation.state,
    )


def _spread_groups(lines: list[FormLine]) -> None:
    """Give every row its section title and max label, and mark the last row of each group."""
    section_left = max_left = 0
    section = max_label = ""
    for line in lines:
        if line.row.section_rowspan:
            section, section_left = line.row.section_title, line.row.section_rowspan
        if line.row.max_rowspan:
            max_label, max_left = line.row.max_label, line.row.max_rowspan
        line.section_title, line.max_label = section, max_label
        section_left, max_left = section_left - 1, max_left - 1
        line.section_last, line.max_last = section_left <= 0, max_left <= 0


# ---------------------------------------------------------------------------------------------- xlsx

HEADER_ROW = 4  # first of the two header rows
FIRST_LINE_ROW = HEADER_ROW + 2


XLSX_WIDTHS = (14, 46, 7, 34, 8, 7, 16, 7, 16)  # column widths in characters of the default font
XLSX_LINE_HEIGHT = 14.5  # points per line of the default 11-pt font


def _display_units(text: str) -> float:
    """Width of `text` in column-width units: a CJK or full-width character takes about two."""
    return sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in text)


def row_height(values: list[str], widths: tuple[int, ...] | list[int] = XLSX_WIDTHS) -> float:
    """Points a row needs so that every cell's wrapped text shows (capped at Excel's 409)."""
    lines = 1
    for text, width in zip(values, widths, strict=False):
        usable = max(width - 1.5, 1)
        count = sum(max(1, -(-int(_display_units(part)) // int(usable))) for part in (text or "").split("\n"))
        lines = max(lines, count)
    return min(409.0, lines * XLSX_LINE_HEIGHT + 4)


def write_form_xlsx(form: FilledForm, fp: BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.page import PageMargins

    wb = Workbook()
    ws = wb.active
    ws.title = f"{form.year}年度评估表"[:31]
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    bold = Font(bold=True)

    for col, width in zip("ABCDEFGHI", XLSX_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width

    ws["A1"] = form.attachment
    ws["A2"] = form.title
    ws["A2"].font = Font(bold=True, size=16)
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A2:I2")
    ws["A3"] = form.unit_line
    ws.merge_cells("A3:F3")
    ws["G3"] = form.period_line
    ws.merge_cells("G3:I3")

    h1, h2 = HEADER_ROW, HEADER_ROW + 1
    for idx, label in enumerate(["评审项目", "具体评审内容及评分标准", "评分标准", "评分操作办法", "社区自评分数"], 1):
        ws.cell(h1, idx, label)
        ws.merge_cells(start_row=h1, start_column=idx, end_row=h2, end_column=idx)
    ws.cell(h1, 6, "县级审核")
    ws.merge_cells(start_row=h1, start_column=6, end_row=h1, end_column=7)
    ws.cell(h1, 8, "市级复核")
    ws.merge_cells(start_row=h1, start_column=8, end_row=h1, end_column=9)
    for idx, label in ((6, "得分"), (7, "扣分原因"), (8, "得分"), (9, "扣分原因")):
        ws.cell(h2, idx, label)
    for r in (h1, h2):
        for c in range(1, 10):
            cell = ws.cell(r, c)
            cell.border, cell.alignment, cell.font = border, center, bold

    r = FIRST_LINE_ROW
    for line in form.lines:
        values = line.values
        for c, value in enumerate(values, 1):
            cell = ws.cell(r, c)
            if c in (5, 6, 8) and line.applicable[Stage.values[[5, 6, 8].index(c)]]:
                stage = Stage.values[[5, 6, 8].index(c)]
                score = line.cells.get(stage)
                cell.value = points_cell(score)
                cell.number_format = XLSX_POINTS_FORMAT
            elif (c == 1 and not line.row.section_rowspan) or (c == 3 and not line.row.max_rowspan):
                pass  # covered by the merge above
            else:
                cell.value = value or None
            cell.border = border
            cell.alignment = center if c in (3, 5, 6, 8) else wrap_top
        if line.row.section_rowspan:
            ws.cell(r, 1).font = bold
            if line.row.section_rowspan > 1:
                ws.merge_cells(start_row=r, start_column=1, end_row=r + line.row.section_rowspan - 1, end_column=1)
        if line.row.max_rowspan > 1:
            ws.merge_cells(start_row=r, start_column=3, end_row=r + line.row.max_rowspan - 1, end_column=3)
        # Office suites do not grow a row to its wrapped text on opening: the height is written, from the
        # tallest cell of the row (the reasons included, so their last line is not clipped).
        own = list(values)  # a merged section / max cell spreads over its rows: not this row's height
        if line.row.section_rowspan > 1:
            own[0] = ""
        if line.row.max_rowspan > 1:
            own[2] = ""
        ws.row_dimensions[r].height = row_height(own)
        r += 1
    for c, value in enumerate(form.total_values, 1):
        cell = ws.cell(r, c)
        if c in (5, 6, 8) and value != "":
            cell.value = points_cell(Decimal(value))
            cell.number_format = XLSX_POINTS_FORMAT
        else:
            cell.value = value or None
        cell.border, cell.font = border, bold
        cell.alignment = center
    total_row = r
    ws.cell(total_row + 1, 1, form.footnote)
    ws.merge_cells(start_row=total_row + 1, start_column=1, end_row=total_row + 1, end_column=9)
    ws.cell(total_row + 2, 1, form.conclusion)
    ws.merge_cells(start_row=total_row + 2, start_column=1, end_row=total_row + 2, end_column=9)
    ws.row_dimensions[total_row + 1].height = row_height([form.footnote], [sum(XLSX_WIDTHS)])
    # The signature and date block of each level, side by side under the table.
    sign_row = total_row + 4
    for i, level in enumerate(form.signature_levels):
        first_col = 1 + i * 3
        cell = ws.cell(sign_row, first_col, f"{level}\n负责人（签字）：\n（盖章）\n日期：　　　　年　　月　　日")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=sign_row, start_column=first_col, end_row=sign_row, end_column=first_col + 2)
    ws.row_dimensions[sign_row].height = 4 * XLSX_LINE_HEIGHT + 20

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.print_title_rows = f"{h1}:{h2}"
    ws.print_options.horizontalCentered = True
    save_workbook(wb, fp)  # the one cell writer: a 扣分原因 starting with "=" stays text


# ---------------------------------------------------------------------------------------------- docx


def write_form_docx(form: FilledForm, fp: BinaryIO) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.5))
    section.top_margin = section.bottom_margin = Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(9)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")

    doc.add_paragraph(form.attachment)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(form.title)
    run.bold, run.font.size = True, Pt(16)
    doc.add_paragraph(f"{form.unit_line}　　　　{form.period_line}")

    n_rows = 2 + len(form.lines) + 1
    table = doc.add_table(rows=n_rows, cols=9)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [Cm(w) for w in DOCX_WIDTHS_CM]
    _fix_table_layout(table, widths)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width

    # table.cell() rebuilds the whole cell grid on every call: take the grid once, merge at the end.
    grid = [list(row.cells) for row in table.rows]

    def put(r: int, c: int, text: str, bold: bool = False, center: bool = False) -> None:
        para = grid[r][c].paragraphs[0]
        parts = text.split("\n")
        for i, part in enumerate(parts):
            run = para.add_run(part)
            run.bold = bold
            if i < len(parts) - 1:
                run.add_break()
        if center:
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER

    merges: list[tuple[int, int, int, int]] = []  # (row, col, last row, last col)
    for c, label in enumerate(["评审项目", "具体评审内容及评分标准", "评分标准", "评分操作办法", "社区自评分数"]):
        put(0, c, label, bold=True, center=True)
        merges.append((0, c, 1, c))
    put(0, 5, "县级审核", bold=True, center=True)
    put(0, 7, "市级复核", bold=True, center=True)
    merges += [(0, 5, 0, 6), (0, 7, 0, 8)]
    for c, label in ((5, "得分"), (6, "扣分原因"), (7, "得分"), (8, "扣分原因")):
        put(1, c, label, bold=True, center=True)
    for tr in table.rows[:2]:
        tr_pr = tr._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)

    for i, line in enumerate(form.lines):
        r = 2 + i
        for c, value in enumerate(line.values):
            if (c == 0 and not line.row.section_rowspan) or (c == 2 and not line.row.max_rowspan):
                continue
            if value:
                put(r, c, value, bold=(c == 0), center=c in (2, 4, 5, 7))
        if line.row.section_rowspan > 1:
            merges.append((r, 0, r + line.row.section_rowspan - 1, 0))
        if line.row.max_rowspan > 1:
            merges.append((r, 2, r + line.row.max_rowspan - 1, 2))
        _keep_row_together(table.rows[r])
    total_r = n_rows - 1
    for c, value in enumerate(form.total_values):
        if value:
            put(total_r, c, value, bold=True, center=True)
    for r0, c0, r1, c1 in merges:
        # merge() joins the cells' paragraphs; the covered cells are empty, so drop their blank paragraphs.
        merged = grid[r0][c0].merge(grid[r1][c1])
        for para in merged.paragraphs[1:]:
            if not para.text:
                para._p.getparent().remove(para._p)

    doc.add_paragraph(form.footnote)
    doc.add_paragraph(form.conclusion)
    signatures = doc.add_table(rows=1, cols=len(form.signature_levels))
    sign_widths = [Cm(sum(DOCX_WIDTHS_CM) / len(form.signature_levels))] * len(form.signature_levels)
    _fix_table_layout(signatures, sign_widths)
    for cell, level, width in zip(signatures.rows[0].cells, form.signature_levels, sign_widths, strict=True):
        cell.width = width
        cell.paragraphs[0].add_run(level).bold = True
        for text in ("负责人（签字）：", "（盖章）", "日期：　　　　年　　月　　日"):
            cell.add_paragraph(text)
    _keep_row_together(signatures.rows[0])
    doc.save(fp)


# Column widths of the docx table (cm): 26.7 cm, the A4 landscape page less 1.5 cm margins.
DOCX_WIDTHS_CM = (2.6, 7.6, 1.3, 6.0, 1.5, 1.3, 2.4, 1.3, 2.4)


def _fix_table_layout(table, widths) -> None:
    """Write the layout every office suite reads: a fixed layout, the table width and the grid columns.

    Word takes the cells' widths (tcW); LibreOffice and WPS lay the table out from <w:tblGrid> and
    <w:tblW>, which python-docx leaves at equal shares or "auto" — the content column then shrinks to
    about eight characters a line and the form runs to five pages."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table.autofit = False  # <w:tblLayout w:type="fixed"/>, in its schema position
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:  # schema order: tblStyle, tblpPr, tblOverlap, bidiVisual, …, tblW, jc, …
        tbl_w = OxmlElement("w:tblW")
        style = tbl_pr.find(qn("w:tblStyle"))
        if style is not None:
            style.addnext(tbl_w)
        else:
            tbl_pr.insert(0, tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(int(w.twips) for w in widths)))
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(width.twips)))


def _keep_row_together(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(cant_split)


# ---------------------------------------------------------------------------------------------- html / pdf


def render_form_html(form: FilledForm, for_pdf: bool = False, repeat: frozenset[str] = frozenset()) -> str:
    return render_to_string("reports/form_print.html", {"form": form, "for_pdf": for_pdf, "repeat": repeat})


def _rows_starting_pages(document) -> list[str]:
    """The line id of the first table row on each page of a rendered WeasyPrint document."""
    firsts = []
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and getattr(box, "element_tag", "") == "tr" and element.get("data-line"):
                firsts.append(element.get("data-line"))
                break
    return firsts


def paginated_form_html(form: FilledForm) -> tuple[str, object]:
    """The PDF's HTML with the section name repeated on the first row of every continuation page.

    Lay out, find the rows that start a page inside a section (or a max group), write the name into
    them, and lay out again until the set is stable (a repeated name can move a break; two or three
    passes in practice)."""
    from weasyprint import HTML

    starts_group = {line.row.line_id for line in form.lines if line.row.section_rowspan and line.row.max_rowspan}
    repeat: frozenset[str] = frozenset()
    for _ in range(4):
        html = render_form_html(form, for_pdf=True, repeat=repeat)
        document = HTML(string=html).render()
        needed = frozenset(line for line in _rows_starting_pages(document)[1:] if line not in starts_group)
        if needed == repeat:
            return html, document
        repeat = needed
    return html, document


def write_form_pdf(form: FilledForm, fp: BinaryIO) -> None:
    html = render_form_html(form, for_pdf=True)
    # WeasyPrint needs 0.5-1.5 s for the three pages; the same HTML always gives the same PDF, so a
    # sheet that has not changed since its last download (the usual case once published) is served
    # from the cache, keyed by the content itself: no invalidation to get wrong.
    key = "form-pdf-" + hashlib.sha256(html.encode("utf-8")).hexdigest()
    cache = caches["documents"]
    pdf = cache.get(key)
    if pdf is None:
        _final_html, document = paginated_form_html(form)
        buf = io.BytesIO()
        document.write_pdf(buf)  # type: ignore[attr-defined]
        pdf = buf.getvalue()
        cache.set(key, pdf)
    fp.write(pdf)


WRITERS = {"xlsx": write_form_xlsx, "docx": write_form_docx, "pdf": write_form_pdf}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


def form_bytes(form: FilledForm, fmt: str) -> bytes:
    buf = io.BytesIO()
    WRITERS[fmt](form, buf)
    return buf.getvalue()
