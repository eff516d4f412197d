"""The one number format for scores and points, used by pages, exports (xlsx, docx, pdf) and logs.

Scores are written as people write them: at most the digits they have, no trailing zeros —
"94", "89.5", "2.25" (never "94.00" or "12.0"). In xlsx, scores are numbers with the General format,
which Excel, WPS and LibreOffice all show the same way.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
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


def round_to_step(value: Decimal | int | float | str | Fraction, step: Decimal | int | float | str) -> Decimal:
    """The nearest multiple of the score step, halves rounded up (4.25 at step 0.5 → 4.5): how a
    panel's mean becomes a score the sheet accepts."""
    exact = _decimal(value)
    unit = _decimal(step)
    if unit <= 0:
        raise ValueError("score step must be positive")
    multiples = (exact / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    result = multiples * unit
    return result.normalize() if result != 0 else Decimal(0)
