"""The filled 附件1 read back cell by cell (xlsx, docx), the PDF's Chinese text, the print view, scope."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluations.models import Stage
from orgs.models import AccessLog
from reports import forms
from standards.presentation import table_rows
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def expected_lines(evaluation):
    """(line_id, self, county, county reason, city, city reason) straight from the database."""
    by_key = {(s.line_id, s.stage): s for s in evaluation.scores.all()}
    out = []
    for row in table_rows(evaluation.period.standard.data):
        vals = []
        for stage in Stage.values:
            ls = by_key.get((row.line_id, stage))
            vals.append((ls.score if ls else None, ls.reason if ls else ""))
        out.append((row, vals))
    return out


def test_totals_of_the_fixture(sheets):
    mine = sheets["mine"]
    assert (mine.self_total, mine.county_total, mine.city_total) == (Decimal(94), Decimal("93.5"), Decimal("93.5"))
    assert mine.star == "四星"


def test_xlsx_cell_by_cell(sheets, cast):
    from openpyxl import load_workbook

    ev = sheets["mine"]
    form = forms.filled_form(ev, cast.city_reviewer)
    wb = load_workbook(io.BytesIO(forms.form_bytes(form, "xlsx")))
    ws = wb.active
    assert ws["A1"].value == "附件1"
    assert ws["A2"].value == "市级充分就业星级社区评审标准"
    assert ws["A3"].value == "评估单位：东城区（市、县）东华街道（乡镇）东华一社区"
    assert ws["G3"].value == "评估期：2025年度"
    assert [ws.cell(4, c).value for c in range(1, 10)] == [
        "评审项目", "具体评审内容及评分标准", "评分标准", "评分操作办法", "社区自评分数", "县级审核", None, "市级复核", None,
    ]  # fmt: skip
    assert [ws.cell(5, c).value for c in (6, 7, 8, 9)] == ["得分", "扣分原因", "得分", "扣分原因"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:I2", "A4:A5", "B4:B5", "E4:E5", "F4:G4", "H4:I4"} <= merged

    r = forms.FIRST_LINE_ROW
    lines = expected_lines(ev)
    assert len(lines) == 23
    for offset, (row, vals) in enumerate(lines):
        rr = r + offset
        assert ws.cell(rr, 2).value == row.content, row.line_id
        assert ws.cell(rr, 4).value == (row.method or None), row.line_id
        if row.section_rowspan:
            assert ws.cell(rr, 1).value == row.section_title
            if row.section_rowspan > 1:
                assert f"A{rr}:A{rr + row.section_rowspan - 1}" in merged
        if row.max_rowspan:
            assert ws.cell(rr, 3).value == row.max_label
            if row.max_rowspan > 1:
                assert f"C{rr}:C{rr + row.max_rowspan - 1}" in merged
        (s_self, _), (s_county, r_county), (s_city, r_city) = vals
        for col, stage, score in ((5, "self", s_self), (6, "county", s_county), (8, "city", s_city)):
            cell = ws.cell(rr, col).value
            if stage not in row.stages:
                assert cell == forms.NOT_APPLICABLE, (row.line_id, stage)
            else:
                assert Decimal(str(cell)) == score, (row.line_id, stage)
        if "county" in row.stages:
            assert (ws.cell(rr, 7).value or "") == r_county, row.line_id
        assert (ws.cell(rr, 9).value or "") == r_city, row.line_id
    # The seed's merged cells: section 三 spans its 15 lines, group 3.1's "16分" spans two rows.
    assert f"A{r + 6}:A{r + 6 + 15 - 1}" in merged
    assert ws.cell(r + 6, 3).value == "16分" and f"C{r + 6}:C{r + 7}" in merged
    total = r + 23
    assert ws.cell(total, 1).value == "合 计" and ws.cell(total, 2).value == "总分100分"
    assert (ws.cell(total, 5).value, ws.cell(total, 6).value, ws.cell(total, 8).value) == (94, 93.5, 93.5)
    assert "创新工作特色分" in ws.cell(total + 1, 1).value
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    # The reasons of the sample, explicitly.
    row_352 = r + [row.line_id for row, _ in lines].index("3.5.2")
    assert ws.cell(row_352, 7).value == "就业困难人员就业率92%" and ws.cell(row_352, 6).value == 3


def test_docx_cell_by_cell(sheets, cast):
    from docx import Document

    ev = sheets["mine"]
    doc = Document(io.BytesIO(forms.form_bytes(forms.filled_form(ev, cast.city_reviewer), "docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "市级充分就业星级社区评审标准" in text
    assert "评估单位：东城区（市、县）东华街道（乡镇）东华一社区" in text and "评估期：2025年度" in text
    assert "备注：在“创新工作特色分”项目" in text
    table = doc.tables[0]
    assert len(table.rows) == 2 + 23 + 1
    assert [c.text for c in table.rows[1].cells][5:] == ["得分", "扣分原因", "得分", "扣分原因"]
    # A merged cell repeats itself across the cells it covers in python-docx.
    assert table.cell(0, 5).text == table.cell(0, 6).text == "县级审核"
    for i, (row, vals) in enumerate(expected_lines(ev)):
        cells = [c.text for c in table.rows[2 + i].cells]
        assert cells[1] == row.content, row.line_id
        assert cells[3] == row.method, row.line_id
        assert cells[0] == row.section_title, row.line_id  # merged over the section's rows
        (s_self, _), (s_county, r_county), (s_city, r_city) = vals
        assert cells[4] == (forms.fmt_score(s_self) if "self" in row.stages else forms.NOT_APPLICABLE)
        assert cells[5] == (forms.fmt_score(s_county) if "county" in row.stages else forms.NOT_APPLICABLE)
        assert cells[7] == forms.fmt_score(s_city)
        assert cells[8] == r_city
        if "county" in row.stages:
            assert cells[6] == r_county
    sec3 = 2 + 6
    assert table.cell(sec3, 0)._tc is table.cell(sec3 + 14, 0)._tc  # 三 spans 15 rows
    assert table.cell(sec3, 2)._tc is table.cell(sec3 + 1, 2)._tc and table.cell(sec3, 2).text == "16分"
    assert [c.text for c in table.rows[-1].cells][:6] == ["合 计", "总分100分", "", "", "94", "93.5"]
    assert table.rows[-1].cells[7].text == "93.5"


def test_pdf_has_the_chinese_text(sheets, cast):
    from pypdf import PdfReader

    pdf = forms.form_bytes(forms.filled_form(sheets["mine"], cast.city_reviewer), "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    for expected in ("市级充分就业星级社区评审标准", "评估单位", "东华一", "社区自评分数", "就业困难人员就业率92%",
                     "设备不全：缺传真机", "合计", "总分100分", "创新工作特色分", "93.5"):  # fmt: skip
        assert expected in text, expected


def test_print_view_has_the_same_layout(client, cast, sheets):
    ev = sheets["mine"]
    client.login(username=cast.operator.username, password=PASSWORD)
    resp = client.get(reverse("reports:form_print", args=[ev.pk]))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "@page { size: A4 landscape" in html
    assert html.count('<tr data-line="') == 23
    assert 'rowspan="15"' in html and "就业困难人员就业率92%" in html


@pytest.mark.parametrize(
    "role,fmt,status",
    [
        ("community_operator", "xlsx", 200),
        ("county_reviewer", "docx", 200),
        ("street_viewer", "pdf", 200),
        ("city_reviewer", "xlsx", 200),
        ("outsider", "xlsx", 404),
        ("other_county_reviewer", "docx", 404),
        ("city_admin", "exe", 404),
    ],
)
def test_form_download_scope_and_logging(client, cast, sheets, role, fmt, status):
    user = cast.users_by_role()[role]
    client.login(username=user.username, password=PASSWORD)
    before = AccessLog.objects.filter(user=user, kind="export").count()
    resp = client.get(reverse("reports:form_download", args=[sheets["mine"].pk, fmt]))
    assert resp.status_code == status
    after = AccessLog.objects.filter(user=user, kind="export").count()
    assert after == before + (1 if status == 200 else 0)
    if status == 200:
        assert "attachment" in resp["Content-Disposition"]


def test_form_download_needs_login(client, sheets):
    resp = client.get(reverse("reports:form_download", args=[sheets["mine"].pk, "xlsx"]))
    assert resp.status_code == 302


def test_pdf_is_cached_by_content_and_follows_changes(sheets, cast, monkeypatch):
    import weasyprint
    from django.core.cache import caches

    caches["documents"].clear()
    calls = []
    real = weasyprint.HTML.render  # the PDF is laid out (render) once or a few times per new content

    def counting(self, *args, **kwargs):
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", counting)
    ev = sheets["mine"]
    first = forms.form_bytes(forms.filled_form(ev, cast.city_reviewer), "pdf")
    again = forms.form_bytes(forms.filled_form(ev, cast.city_reviewer), "pdf")
    rendered = len(calls)
    assert again == first and rendered >= 1  # unchanged sheet: served from the cache

    score = ev.scores.filter(stage="county").exclude(reason="").first()
    score.reason += "（复核补充）"
    score.save(update_fields=["reason"])
    changed = forms.form_bytes(forms.filled_form(ev, cast.city_reviewer), "pdf")
    assert len(calls) > rendered and changed != first  # any change in the form's content renders anew


def test_pdf_repeats_the_section_numbers_pages_and_ends_with_signatures(sheets, cast):
    """附件1 PDF: a section that runs onto the next page names itself again there (no blank merged cell),
    every page says 第 n 页 共 m 页, and the last page has the signature and date block of each level."""
    import subprocess
    import tempfile

    form = forms.filled_form(sheets["mine"], cast.city_reviewer)
    html, document = forms.paginated_form_html(form)
    pages = len(document.pages)
    assert pages >= 2
    firsts = forms._rows_starting_pages(document)[1:]
    sections = {line.row.line_id: line for line in form.lines}
    continued = [line_id for line_id in firsts if not sections[line_id].row.section_rowspan]
    for line_id in continued:
        assert f"{sections[line_id].section_title}（续）" in html
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(forms.form_bytes(form, "pdf"))
        tmp.flush()
        text = subprocess.run(["pdftotext", "-layout", tmp.name, "-"], capture_output=True, text=True,
                              check=True).stdout
    page_texts = [t.replace(" ", "") for t in text.split("\f")]
    for n in range(1, pages + 1):
        assert f"第{n}页" in page_texts[n - 1] and f"共{pages}页" in page_texts[n - 1]
    last = page_texts[pages - 1]
    for level in form.signature_levels:
        assert level in last
    assert "负责人（签字）" in last and "日期" in last
    for line_id in continued:
        title = sections[line_id].section_title.split("\n")[0][:4]
        page = firsts.index(line_id) + 1
        assert title in page_texts[page], (line_id, title)
