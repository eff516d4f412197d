"""The one number format for scores and points, used by pages, exports (xlsx, docx, pdf) and logs.

Scores are written as people write them: at most the digits they have, no trailing zeros —
"94", "89.5", "2.25" (never "94.00" or "12.0"). In xlsx, scores are numbers with the General format,
which Excel, WPS and LibreOffice all show the same way.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

# openpyxl's number format for score cells: General shows 94 and 89.5 (never 94.0).
XLSX_POINTS_FORMAT = "General"


def _decimal(value: Decimal | int | float | str | Fraction) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(str(value))


def format_points(value: Decimal | int | float | str | Fraction | None) -> str:
    """"94", "89.5"; "" for no value. Values that are not numbers are returned as text unchanged."""
    if value is None or value == "" or isinstance(value, bool):
        return "" if value is None or value == "" else str(value)
    try:
        d = _decimal(value)
    except ArithmeticError:
        return str(value)
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def points_cell(value: Decimal | int | float | None) -> int | float | None:
    """A score as an xlsx cell value: an int when whole (so no office suite shows "12.0")."""
    if value is None:
        return None
    d = _decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)
