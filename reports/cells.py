"""The one cell writer for every spreadsheet the system produces (xlsx and CSV).

OWASP's rule against formula injection (CSV/DDE injection): a text cell whose first character is
`=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a single quote, so Excel, WPS and
LibreOffice show it as text and never evaluate it. Numbers stay numbers: ints, floats and Decimals
are written as numbers (xlsx) or plain numerals (CSV), and a text that is exactly a number ("-3",
"+86") is left alone because no spreadsheet reads it as a formula.

Writers use `xlsx_value`/`csv_value` per cell, `csv_bytes` for a whole CSV and `save_workbook` for a
workbook built cell by cell (it neutralises every cell before saving). The import reader undoes the
prefix (`unescape_text`), so an exported ledger can be imported again unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, BinaryIO

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
QUOTE = "'"


def is_dangerous(text: str) -> bool:
    return bool(text) and text[0] in FORMULA_TRIGGERS and not _NUMBER.match(text)


def safe_text(text: str) -> str:
    """The text as it may go into a spreadsheet cell."""
    return QUOTE + text if is_dangerous(text) else text


def unescape_text(text: str) -> str:
    """Undo `safe_text` on a value read back from an exported file."""
    if text.startswith(QUOTE) and is_dangerous(text[1:]):
        return text[1:]
    return text


def xlsx_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return safe_text(value)
    return value


def _number_text(value: Decimal | float) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return repr(value) if not float(value).is_integer() else str(int(value))


def csv_value(value: Any, number_format=None) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        return number_format(value) if number_format else _number_text(value)
    return safe_text(str(value))


def csv_bytes(header: list[str], rows: Iterable[Iterable[Any]], number_format=None) -> bytes:
    """A CSV with a BOM (Excel opens the Chinese text as UTF-8), every cell through `csv_value`."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([csv_value(h) for h in header])
    for row in rows:
        writer.writerow([csv_value(v, number_format) for v in row])
    return text.getvalue().encode("utf-8-sig")


def neutralise_workbook(wb) -> int:
    """Neutralise every text cell of a (not write-only) workbook; returns how many were changed.

    openpyxl turns any string starting with "=" into a formula; cells are reset to text explicitly.
    """
    changed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" or (isinstance(value, str) and is_dangerous(value)):
                    text = str(value)
                    cell.value = safe_text(text)
                    cell.data_type = "s"
                    changed += 1
    return changed


def save_workbook(wb, fp: BinaryIO) -> None:
    neutralise_workbook(wb)
    wb.save(fp)
