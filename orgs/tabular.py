"""The one reader of uploaded spreadsheets (xlsx, CSV) for every import: ledgers and units.

It enforces the import limits before and while reading, so no upload can hold a worker (or a lock):
- file size (IMPORT_MAX_BYTES), checked before anything is parsed;
- uncompressed size of the xlsx package (IMPORT_MAX_UNCOMPRESSED_BYTES), from the zip directory
  (a 292 KB zip bomb declaring 2 million rows is refused before its XML is touched), plus the
  compression ratio;
- rows (IMPORT_MAX_ROWS data rows) and columns (IMPORT_MAX_COLUMNS), from the sheet's declared
  dimension first and again while streaming, so a file lying about its size is stopped at the limit.
Rows are streamed (openpyxl read_only) and never held as a workbook. Every refusal is a
LimitExceeded (a TabularError) with a Chinese message naming the limit and the actual figure.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings


class TabularError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LimitExceeded(TabularError):
    pass


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_uncompressed_bytes: int
    max_ratio: int
    max_rows: int
    max_columns: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.IMPORT_MAX_BYTES,
            max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            max_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_columns=settings.IMPORT_MAX_COLUMNS,
        )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _size_of(source: IO[bytes]) -> int:
    position = source.tell()
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def check_size(size: int, limits: Limits | None = None) -> None:
    limits = limits or Limits.from_settings()
    if size > limits.max_bytes:
        raise LimitExceeded(f"文件过大：{_mb(size)}，导入文件上限为 {_mb(limits.max_bytes)}。请分批导入。")


def _check_package(source: IO[bytes], limits: Limits) -> None:
    try:
        with zipfile.ZipFile(source) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TabularError("无法读取该文件：请上传由模板填写的 .xlsx 文件（文件可能已损坏）。") from exc
    finally:
        source.seek(0)
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if unpacked > limits.max_uncompressed_bytes:
        raise LimitExceeded(
            f"文件解压后过大：{_mb(unpacked)}，上限为 {_mb(limits.max_uncompressed_bytes)}"
            "（文件内容异常，可能含大量空行或为恶意文件）。请只保留数据行后重新保存。"
        )
    if unpacked > 10 * 1024 * 1024 and unpacked / packed > limits.max_ratio:
        raise LimitExceeded(
            f"文件压缩比异常：解压后 {_mb(unpacked)}，是文件大小的 {unpacked // packed} 倍（上限 {limits.max_ratio} 倍）。"
            "请只保留数据行后重新保存。"
        )


def _too_many_rows(data_rows: int, limits: Limits) -> LimitExceeded:
    return LimitExceeded(f"数据行过多：文件有 {data_rows} 行数据（不含表头），一次最多导入 {limits.max_rows} 行。请分批导入。")


def _too_many_columns(columns: int, limits: Limits) -> LimitExceeded:
    return LimitExceeded(f"列数过多：文件有 {columns} 列，上限为 {limits.max_columns} 列。请使用下载的模板。")


def _trim(row: list[Any]) -> list[Any]:
    end = len(row)
    while end and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    return row[:end]


def iter_xlsx(source: IO[bytes], limits: Limits | None = None) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) of the first sheet, streamed, under the limits."""
    from openpyxl import load_workbook

    limits = limits or Limits.from_settings()
    check_size(_size_of(source), limits)
    _check_package(source, limits)
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a non-xlsx file
        raise TabularError("无法读取该文件：请上传由模板填写的 .xlsx 文件。") from exc
    try:
        ws = wb.worksheets[0]
        declared_rows, declared_columns = ws.max_row or 0, ws.max_column or 0
        if declared_columns > limits.max_columns:
            raise _too_many_columns(declared_columns, limits)
        if declared_rows - 1 > limits.max_rows:
            raise _too_many_rows(declared_rows - 1, limits)
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if number - 1 > limits.max_rows:
                raise _too_many_rows(number - 1, limits)
            row = _trim(list(values))
            if len(row) > limits.max_columns:
                raise _too_many_columns(len(row), limits)
            yield number, row
    finally:
        wb.close()


def iter_csv(data: bytes, limits: Limits | None = None) -> Iterator[tuple[int, list[Any]]]:
    limits = limits or Limits.from_settings()
    check_size(len(data), limits)
    for encoding in ("utf-8-sig", "gb18030"):  # Excel saves Chinese CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TabularError("无法识别 CSV 文件的编码，请另存为 UTF-8 或使用 xlsx 模板。")
    for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number - 1 > limits.max_rows:
            raise _too_many_rows(number - 1, limits)
        row = _trim(values)
        if len(row) > limits.max_columns:
            raise _too_many_columns(len(row), limits)
        yield number, row


def open_source(path_or_file) -> IO[bytes]:
    if isinstance(path_or_file, str | bytes) or hasattr(path_or_file, "__fspath__"):
        return open(path_or_file, "rb")
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    return path_or_file
