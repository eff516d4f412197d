"""The one exporter base class (after pretix's ListExporter): yield rows, write xlsx, csv or docx.

Every list document of the app is a subclass; the views log each download with orgs.models.log_access.
The report exporters here hold no personal data: they work on scores, states and aggregate counts.
The ledger exporters (ledgers/exports.py) do: they mask on the server in rows() under the same rules
as the ledger pages, and log their own exports.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from django.utils import timezone

from evaluations.models import Period
from orgs.models import Unit, User

from . import summaries
from .cells import csv_bytes, xlsx_value
from .forms import fmt_score


class ListExporter(ABC):
    identifier: str = ""
    verbose_name: str = ""
    formats: tuple[str, ...] = ("xlsx", "csv")
    column_widths: tuple[int, ...] = ()
    # A title line above the headers and an "exported at/by" line below the rows (xlsx only). Ledger
    # exports turn both off so the headers stay on row 1 and an edited export re-imports like a template.
    title_row: bool = True
    footer_row: bool = True

    def __init__(self, user: User, period: Period | None = None, county: Unit | None = None) -> None:
        self.user = user
        self.period = period
        self.county = county

    # -- what subclasses provide

    @abstractmethod
    def headers(self) -> list[str]: ...

    @abstractmethod
    def rows(self) -> Iterator[list[Any]]: ...

    # -- shared

    @property
    def communities(self):
        return summaries.scoped_communities(self.user, self.county.pk if self.county else None)

    @property
    def scope_label(self) -> str:
        if self.county is not None:
            return self.county.name
        if self.user.is_city:
            return "全市"
        return self.user.unit.name if self.user.unit_id else ""

    def title(self) -> str:
        year = f"{self.period.year}年度" if self.period is not None else ""
        return f"{year}{self.scope_label}{self.verbose_name}"

    def filename(self, fmt: str) -> str:
        return f"{self.title()}.{fmt}"

    def sheet_title(self) -> str:
        return self.verbose_name[:31] or "Sheet1"

    @staticmethod
    def cell_value(value: Any) -> Any:
        # Every xlsx cell goes through the one cell writer (formula injection, numbers stay numbers).
        return xlsx_value(value)

    def write_xlsx(self, fp: BinaryIO) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(self.sheet_title())
        for idx, width in enumerate(self.column_widths, 1):
            ws.column_dimensions[_col(idx)].width = width
        header_row = 2 if self.title_row else 1
        ws.freeze_panes = f"A{header_row + 1}"
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        if self.title_row:
            title = WriteOnlyCell(ws, self.cell_value(self.title()))
            title.font = Font(bold=True, size=14)
            ws.append([title])
        bold = Font(bold=True)
        header_cells = []
        for h in self.headers():
            cell = WriteOnlyCell(ws, self.cell_value(h))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in self.rows():
            ws.append([self.cell_value(v) for v in row])
        if self.footer_row:
            ws.append([self.cell_value(f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}；导出人：{self.user}")])
        wb.save(fp)

    def write_csv(self, fp: BinaryIO) -> None:
        fp.write(csv_bytes(self.headers(), self.rows(), number_format=fmt_score))

    def write_docx(self, fp: BinaryIO) -> None:
        doc = _landscape_doc()
        _docx_title(doc, self.title())
        headers = self.headers()
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, h in zip(table.rows[0].cells, headers, strict=True):
            cell.text = h
        for row in self.rows():
            cells = table.add_row().cells
            for cell, v in zip(cells, row, strict=True):
                cell.text = _text(v)
        doc.save(fp)

    def export(self, fmt: str) -> bytes:
        if fmt not in self.formats:
            raise ValueError(fmt)
        buf = io.BytesIO()
        getattr(self, f"write_{fmt}")(buf)
        return buf.getvalue()


def _col(idx: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(idx)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return fmt_score(value)
    return str(value)


def _landscape_doc():
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(1.8)
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    return doc


def _docx_title(doc, text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run(text)
    run.bold, run.font.size = True, Pt(16)


class SummaryExporter(ListExporter):
    """Every community of the scope: three totals, state, result, star, ranks, lost lines."""

    identifier = "summary"
    verbose_name = "星级社区评审汇总表"
    formats = ("xlsx", "csv", "docx")
    column_widths = (6, 12, 14, 16, 12, 16, 10, 10, 12, 10, 8, 8, 8, 80)

    def headers(self) -> list[str]:
        return [
            "序号", "区（市、县）", "街道（乡镇）", "社区", "社区代码", "流程状态", "社区自评分", "县级审核分",
            "市级复核分（最终得分）", "评审结论", "星级", "县级审核排名", "最终排名", "失分项（最新评审阶段）",
        ]  # fmt: skip

    def results(self) -> list[summaries.CommunityResult]:
        return summaries.period_results(self.period, self.communities, self.user)

    def rows(self) -> Iterator[list[Any]]:
        for i, r in enumerate(self.results(), 1):
            yield [
                i, r.county, r.street, r.name, r.code, r.state_label, r.self_total, r.county_total, r.city_total,
                r.status_label, r.star, r.county_rank, r.final_rank, r.lost_text,
            ]  # fmt: skip


class StarListExporter(ListExporter):
    """The published star list (星级社区名单), grouped by district and star."""

    identifier = "stars"
    verbose_name = "充分就业星级社区名单"
    formats = ("xlsx", "csv", "docx")
    column_widths = (6, 14, 8, 16, 18, 12)

    def headers(self) -> list[str]:
        return ["序号", "区（市、县）", "星级", "街道（乡镇）", "社区", "最终得分"]

    def groups(self):
        return summaries.star_list(self.period, self.communities, self.user)

    def rows(self) -> Iterator[list[Any]]:
        for county, stars in self.groups():
            for star, items in stars:
                for i, r in enumerate(items, 1):
                    yield [i, county, star, r.street, r.name, r.city_total]

    def write_docx(self, fp: BinaryIO) -> None:
        from docx.shared import Pt

        doc = _landscape_doc()
        _docx_title(doc, self.title())
        groups = self.groups()
        total = sum(len(items) for _, stars in groups for _, items in stars)
        doc.add_paragraph(f"共 {total} 个社区。")
        if not groups:
            doc.add_paragraph("本评估期尚未公布星级社区名单。")
        for county, stars in groups:
            heading = doc.add_paragraph()
            run = heading.add_run(county)
            run.bold, run.font.size = True, Pt(14)
            for star, items in stars:
                para = doc.add_paragraph()
                para.add_run(f"{star}社区（{len(items)}个）：").bold = True
                para.add_run("、".join(f"{r.street}{r.name}" for r in items))
        doc.save(fp)


class LineTableExporter(ListExporter):
    """One row per community, one column per line: the score at the most advanced stage."""

    identifier = "lines"
    verbose_name = "评审项得分明细表"
    formats = ("xlsx", "csv")

    def line_ids(self) -> list[str]:
        ids, self._maxima, _ = summaries.line_maxima(self.period)
        return ids

    def headers(self) -> list[str]:
        ids = self.line_ids()
        return (
            ["区（市、县）", "街道（乡镇）", "社区", "评审阶段"]
            + [f"{i}（{fmt_score(self._maxima[i])}分）" for i in ids]
            + ["合计"]
        )

    def rows(self) -> Iterator[list[Any]]:
        ids = self.line_ids()
        sums: dict[str, Decimal] = dict.fromkeys(ids, Decimal(0))
        counts: dict[str, int] = dict.fromkeys(ids, 0)
        for r in summaries.period_results(self.period, self.communities, self.user, lines="all"):
            if not r.latest_stage:
                continue
            scores = [r.line_scores.get(i) for i in ids]
            for i, s in zip(ids, scores, strict=True):
                if s is not None:
                    sums[i] += s
                    counts[i] += 1
            total = sum((s for s in scores if s is not None), Decimal(0))
            yield [r.county, r.street, r.name, summaries.STAGE_LABELS[r.latest_stage], *scores, total]
        averages = [(sums[i] / counts[i]).quantize(Decimal("0.01")) if counts[i] else None for i in ids]
        yield ["平均分", "", "", "", *averages, None]


class LedgerStatsExporter(ListExporter):
    """就业失业情况统计: ledger counts per community with district subtotals (aggregate only)."""

    identifier = "ledger_stats"
    verbose_name = "就业失业情况统计表"
    formats = ("xlsx", "csv")

    def table(self) -> dict:
        from . import ledger_stats

        if not hasattr(self, "_table"):
            self._table = ledger_stats.table(self.period, self.communities)
        return self._table

    def headers(self) -> list[str]:
        return self.table()["headers"]

    def rows(self) -> Iterator[list[Any]]:
        for row in self.table()["rows"]:
            yield [*row["labels"], *row["values"]]


EXPORTERS: dict[str, type[ListExporter]] = {
    cls.identifier: cls for cls in (SummaryExporter, StarListExporter, LineTableExporter, LedgerStatsExporter)
}
