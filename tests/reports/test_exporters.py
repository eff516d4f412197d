"""The exporter base class: title/footer lines (on by default, off for import-shaped files), csv, formats."""

import csv
import io
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from reports.exporters import ListExporter

pytestmark = pytest.mark.django_db


class Tiny(ListExporter):
    identifier = "tiny"
    verbose_name = "小表"

    def headers(self):
        return ["名称", "分数"]

    def rows(self):
        yield ["甲", Decimal("9.5")]
        yield ["乙", None]


class Bare(Tiny):
    title_row = False
    footer_row = False


def _sheet(content: bytes):
    return load_workbook(BytesIO(content)).worksheets[0]


def test_default_layout_has_title_headers_rows_footer(cast):
    ws = _sheet(Tiny(cast.city_admin).export("xlsx"))
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "全市小表"  # no period: no year in the title
    assert values[1] == ["名称", "分数"]
    assert values[2] == ["甲", 9.5] and values[3] == ["乙", None]
    assert values[4][0].startswith("导出时间：")
    assert ws.freeze_panes == "A3" and ws.title == "小表"


def test_without_title_and_footer_headers_are_row_one(cast):
    ws = _sheet(Bare(cast.operator).export("xlsx"))
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values == [["名称", "分数"], ["甲", 9.5], ["乙", None]]
    assert ws.freeze_panes == "A2"
    assert Bare(cast.operator).title() == "东华一社区小表"


def test_csv_is_headers_then_rows_with_bom(cast):
    content = Bare(cast.city_admin).export("csv")
    assert content.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(content.decode("utf-8-sig")))) == [["名称", "分数"], ["甲", "9.5"], ["乙", ""]]


def test_unknown_format_refused(cast):
    with pytest.raises(ValueError):
        Tiny(cast.city_admin).export("pdf")
