"""Decoding a file into text: UTF-8 with or without a byte order mark, Windows-1252, UTF-16, a named
encoding, or the first sheet of an ``.xlsx`` workbook (with the optional ``python-calamine``)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from labreview.domain.errors import InvalidInput
from labreview.exchange.csv_report import printable

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC = b"PK\x03\x04"


def decode(data: bytes, name: str = "the file", encoding: str | None = None) -> tuple[str, str]:
    """The text of a file's bytes and how it was read (see ``ParsedFile.encoding``).

    Without ``encoding``: a byte order mark says UTF-8 or UTF-16; NUL bytes in every other place say UTF-16
    without one (other NUL bytes: UTF-8 or not text at all); else UTF-8, and Windows-1252 when that does not
    decode (every byte Excel writes there is).
    """
    if encoding:
        return _decode_as(data, name, encoding), encoding
    if data.startswith(codecs.BOM_UTF8):
        return _utf8(data, name), "UTF-8 (with BOM)"
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return _utf16(data, name, "utf-16"), "UTF-16 (with BOM)"
    if b"\x00" in data[:4096]:
        sample = data[:4096]
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) // 2 or 1
        if odd * 10 >= half * 3 and even * 4 <= odd:
            return _utf16(data, name, "utf-16-le"), "UTF-16 LE"
        if even * 10 >= half * 3 and odd * 4 <= even:
            return _utf16(data, name, "utf-16-be"), "UTF-16 BE"
        try:  # a stray NUL in UTF-8 text: the row that has it is reported
            return data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"{name} is not a text file; save the sheet from the spreadsheet as “CSV UTF-8”."
            ) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        try:
            return data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError:
            raise _not_utf8(data, name, exc) from exc


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, name, exc) from exc


def _not_utf8(data: bytes, name: str, exc: UnicodeDecodeError) -> InvalidInput:
    line = data.count(b"\n", 0, exc.start) + 1
    return InvalidInput(
        f"{name} is not UTF-8 text (line {line}), nor Windows-1252; save it from the spreadsheet as “CSV UTF-8”, "
        "or name its encoding with --encoding."
    )


def _utf16(data: bytes, name: str, codec: str) -> str:
    try:
        return data.decode(codec).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{name} looks like UTF-16 text but is cut short or damaged (byte {exc.start:,}); "
            "save it again, or name its encoding with --encoding."
        ) from exc


def _decode_as(data: bytes, name: str, encoding: str) -> str:
    try:
        codec = codecs.lookup(encoding)
    except LookupError as exc:
        raise InvalidInput(f"There is no encoding named '{printable(encoding)}'; try utf-8, cp1252 or utf-16.") from exc
    try:
        text = data.decode(codec.name)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(
            f"{name} is not {printable(encoding)} text (line {line}); leave out --encoding to have it detected."
        ) from exc
    return text.removeprefix("\ufeff")


def xlsx_text(path: Path) -> str:
    """The first sheet of an ``.xlsx`` workbook as CSV text, one line per sheet row (read with python-calamine)."""
    try:
        from python_calamine import CalamineWorkbook  # deferred: an optional extra
    except ImportError as exc:
        raise InvalidInput(
            f"{path.name} is an Excel workbook, and reading one needs labreview[xlsx] "
            "(uv tool install 'labreview[xlsx]' or pipx install 'labreview[xlsx]'); or save the sheet as “CSV UTF-8”."
        ) from exc
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except Exception as exc:  # python-calamine's own errors (not a workbook, damaged, password…)
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidInput(f"{path.name} cannot be read as an Excel workbook: {printable(reason)}.") from exc
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([_sheet_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _sheet_cell(value: Any) -> str:
    """A workbook cell as the text a CSV export of it would have."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
