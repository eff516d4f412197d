"""The notice document, ready to post: docx (python-docx) and PDF (WeasyPrint with the CJK fonts)."""

from __future__ import annotations

import hashlib
import io
from typing import BinaryIO

from django.core.cache import caches
from django.template.loader import render_to_string

from reports.forms import fmt_score

from .models import Notice
from .selectors import ListRow, public_rows

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _intro(notice: Notice, count: int) -> str:
    return (f"根据充分就业星级社区评审工作安排，经社区自评、街道推荐、县（区）审核和市级复核，"
            f"拟认定以下 {count} 个社区为{notice.period.year}年度充分就业星级社区，现予以公示。")


def _window(notice: Notice) -> str:
    return (f"公示期：{notice.starts_on:%Y年%m月%d日}至{notice.ends_on:%Y年%m月%d日}"
            f"（{notice.working_days}个工作日，法定节假日不计入）。")


def context(notice: Notice) -> dict:
    rows = public_rows(notice)
    return {"notice": notice, "rows": rows, "intro": _intro(notice, len(rows)), "window": _window(notice)}


def write_docx(notice: Notice, fp: BinaryIO) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    ctx = context(notice)
    rows: list[ListRow] = ctx["rows"]
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "宋体", Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(notice.title)
    run.bold, run.font.size = True, Pt(18)
    doc.add_paragraph(ctx["intro"])
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["序号", "区（市、县）", "街道（乡镇）", "社区", "总分", "拟认定星级"],
                          strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for i, r in enumerate(rows, 1):
        values = [str(i), r.district, r.street, r.community, fmt_score(r.total) if r.total is not None else "—",
                  r.star + ("（经异议复核）" if r.revised else "")]
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    doc.add_paragraph(ctx["window"])
    if notice.calendar_note:
        doc.add_paragraph(notice.calendar_note)
    doc.add_paragraph("异议受理方式：" + notice.how_to_object)
    sign = doc.add_paragraph(f"\n{notice.starts_on:%Y年%m月%d日}")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(fp)


def render_html(notice: Notice) -> str:
    return render_to_string("announcements/notice_document.html", context(notice))


def write_pdf(notice: Notice, fp: BinaryIO) -> None:
    from weasyprint import HTML

    html = render_html(notice)
    # Same HTML, same PDF: cached by content (a revised entry changes the HTML, so nothing goes stale).
    key = "notice-pdf-" + hashlib.sha256(html.encode("utf-8")).hexdigest()
    cache = caches["documents"]
    pdf = cache.get(key)
    if pdf is None:
        buf = io.BytesIO()
        HTML(string=html).write_pdf(buf)
        pdf = buf.getvalue()
        cache.set(key, pdf)
    fp.write(pdf)


def document_bytes(notice: Notice, fmt: str) -> bytes:
    buf = io.BytesIO()
    (write_docx if fmt == "docx" else write_pdf)(notice, buf)
    return buf.getvalue()
