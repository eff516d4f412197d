"""The 附件1 docx and xlsx keep their layout in another office suite: LibreOffice converts them to PDF and
the page count and the column positions are compared with the PDF the system makes (WeasyPrint).

Skipped only where LibreOffice is absent outside CI (`make sysdeps` installs it); with CI=true it must run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports import forms

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None and os.environ.get("CI", "").lower() != "true":
    pytest.skip("LibreOffice (soffice) is not installed: make sysdeps installs libreoffice-*-nogui",
                allow_module_level=True)

# Header labels that sit on one line in every format, left to right.
LABELS = ["评审项目", "具体评审内容及评分标准", "评分操作办法", "县级审核", "市级复核"]
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>')


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def header_positions(pdf: Path) -> list[float]:
    """The header labels' centres on page 1, as fractions of the span from the first to the last label."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    centres: dict[str, float] = {}
    for x0, x1, text in WORD.findall(html):
        if text in LABELS and text not in centres:
            centres[text] = (float(x0) + float(x1)) / 2
    assert set(centres) == set(LABELS), f"{pdf.name}: header labels found {sorted(centres)}"
    first, last = centres[LABELS[0]], centres[LABELS[-1]]
    return [(centres[label] - first) / (last - first) for label in LABELS]


def convert(source: Path, out: Path, profile: Path) -> Path:
    out.mkdir(exist_ok=True)
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(source)],
        capture_output=True, check=True, timeout=240,
    )
    return out / (source.stem + ".pdf")


def test_docx_and_xlsx_keep_the_layout_in_libreoffice(sheets, cast, tmp_path):
    assert SOFFICE is not None, "CI=true: LibreOffice must be installed (libreoffice-writer-nogui, -calc-nogui)"
    form = forms.filled_form(sheets["mine"], cast.city_reviewer)
    reference = tmp_path / "form.pdf"
    reference.write_bytes(forms.form_bytes(form, "pdf"))
    expected_pages, expected_columns = pages(reference), header_positions(reference)
    for fmt in ("docx", "xlsx"):
        source = tmp_path / f"form-{fmt}.{fmt}"
        source.write_bytes(forms.form_bytes(form, fmt))
        converted = convert(source, tmp_path / fmt, tmp_path / "lo-profile")
        # The signature block may take a page of its own in one suite and not the other: one page apart at most
        # (a shrunk content column made five pages of three).
        assert abs(pages(converted) - expected_pages) <= 1, (fmt, pages(converted), expected_pages)
        for label, got, want in zip(LABELS, header_positions(converted), expected_columns, strict=True):
            assert abs(got - want) < 0.05, f"{fmt}: column {label} at {got:.3f} of the table, PDF {want:.3f}"
