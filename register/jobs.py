"""The star register exported (xlsx through reports.cells, docx) as a background job: a big city's
register across the years can hold thousands of rows."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.utils import timezone

from jobs.services import JobContext, JobFailed, handler
from orgs.models import User, log_access
from standards.numbers import format_points, points_cell

from .models import Award
from .selectors import register_for

HEADERS = ["证书编号", "评估年度", "区（市、县）", "街道（乡镇）", "社区", "认定星级", "现星级", "市级评分", "认定日期", "状态"]
EXPORT_FORMATS = ("xlsx", "docx")


def register_rows(user: User, params: dict[str, object]) -> Iterator[list[object]]:
    qs = register_for(user).order_by("-period__year", "community__code")
    if params.get("year"):
        qs = qs.filter(period__year=params["year"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    award: Award
    for award in qs.iterator(chunk_size=500):
        c = award.community
        yield [award.certificate_no, award.period.year, c.county.name if c.county else "",
               c.street.name if c.street else "", c.name, award.awarded_star, award.star or "—",
               award.total, award.awarded_on, award.get_status_display()]


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    from reports.cells import save_workbook, xlsx_value

    wb = Workbook()
    ws = wb.active
    ws.title = "星级社区名录"
    ws.append(HEADERS)
    for row in rows:
        cells = list(row)
        cells[7] = points_cell(cells[7])  # type: ignore[arg-type]
        ws.append([xlsx_value(v) for v in cells])
    for letter, width in zip("ABCDEFGHIJ", (12, 10, 14, 14, 16, 10, 10, 10, 12, 8), strict=True):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    save_workbook(wb, out)
    return out.getvalue()


def _docx(rows: list[list[object]]) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading("充分就业星级社区名录", level=1)
    doc.add_paragraph(f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}，共 {len(rows)} 条。")
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for i, value in enumerate(row):
            cells[i].text = format_points(value) if i == 7 else ("" if value is None else str(value))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@handler("register_export")
def register_export(context: JobContext) -> str:
    fmt = str(context.params.get("fmt", "xlsx"))
    if fmt not in EXPORT_FORMATS:
        raise JobFailed("不支持的导出格式。")
    rows = list(register_rows(context.owner, context.params))
    if not rows:
        raise JobFailed("名录中没有符合条件的记录。")
    context.progress(len(rows), len(rows), force=True)
    content = _xlsx(rows) if fmt == "xlsx" else _docx(rows)
    context.save_result(f"星级社区名录.{fmt}", content=content)
    log_access(context.owner, "export", "星级社区名录", fmt=fmt, rows=len(rows))
    return f"已导出 {len(rows)} 条名录记录。"
