"""Reading a CSV file into import records (``portfolio.importing.records``), and importing it.

Reading takes spreadsheet exports as they come: UTF-8 with or without a byte
order mark, Windows-1252 (Excel's "CSV (Comma delimited)" on Windows) when the
text is not UTF-8, UTF-16 with or without a byte order mark (Excel's "Unicode
Text"), or the encoding a person names (``csv_decode``); ``,``, ``;`` or a tab between fields
(read from the header line), CRLF or LF line ends, quoted fields spanning
several lines; and the first sheet of an ``.xlsx`` workbook when the optional
``python-calamine`` is installed (``labreview[xlsx]``). Columns are found by their
header (``csv_columns``), ignoring case, spaces, dashes and underscores; unknown columns are
ignored and reported. Every bad row is reported with the line it starts on in
the file (a quoted field with newlines counts all of its lines) and the reason.

An empty cell leaves an existing initiative's field as it is (a new one gets
the default): a spreadsheet with gaps never wipes stored data by accident.

The database work is ``Portfolio.import_initiatives``; this module only turns
text into typed values (``csv_report`` turns reports into lines for a person). A file whose every
row reads is read a column at a time into ``importing.RecordColumns`` (a
100,000-row file has over a million cells; most columns repeat a few values),
which the import can also check a column at a time.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from labreview.domain.errors import DomainError, InvalidInput, StorageError
from labreview.domain.vocabulary import MINOR_PER_UNIT, parse_money
from labreview.exchange.csv_columns import _BY_FOLDED, ENUMS, Column, ParsedFile, fold_header, unguard
from labreview.exchange.csv_decode import _ZIP_MAGIC, XLSX_SUFFIXES, decode, xlsx_text
from labreview.exchange.csv_report import quote
from labreview.portfolio.gc_pause import collector_paused
from labreview.portfolio.importing.records import ABSENT, ImportRecord, RecordColumns

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``, called now and then while a long file is read or written."""

_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0"}


def read_file(path: str | Path, *, encoding: str | None = None, progress: Progress | None = None) -> ParsedFile:
    """Read the CSV file (or ``.xlsx`` workbook) at ``path``; refuses an unreadable or malformed file with a
    ``DomainError``. ``encoding`` names the text's encoding; without it, it is detected (see the module)."""
    path = Path(path).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise StorageError(f"There is no file {path}.") from exc
    except IsADirectoryError as exc:
        raise StorageError(f"{path} is a folder, not a CSV file.") from exc
    except OSError as exc:
        raise StorageError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if path.suffix.lower() in XLSX_SUFFIXES or data.startswith(_ZIP_MAGIC):
        del data
        text, used = xlsx_text(path), "xlsx"
    else:
        text, used = decode(data, path.name, encoding)
        del data  # the text is all that is needed from here on
    parsed = parse_text(text, name=path.name, progress=progress)
    return dataclasses.replace(parsed, encoding=used) if used != parsed.encoding else parsed


def parse_text(text: str, *, name: str = "the file", progress: Progress | None = None) -> ParsedFile:
    """Read CSV ``text`` (already decoded) into import records."""
    with collector_paused():
        return _parse_text(ImportRecord, text, name, progress)


def _parse_text(ImportRecord, text: str, name: str, progress: Progress | None) -> ParsedFile:
    text = text.removeprefix("\ufeff")
    if not text or text.isspace():  # (not text.strip(), which copies a large file)
        raise InvalidInput(f"{name} is empty; it needs a header line with at least a 'key' column.")
    delimiter = _delimiter(text, name)
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    total_lines = text.count("\n") + 1
    last_line = 0
    try:
        header = next(reader)
        columns = _map_header(header, name)
        key_index = next(i for i, c in enumerate(columns) if c is not None and c.name == "key")
        readers = _readers(columns)
        width = len(header)
        unicode_blanks = any(char in text for char in UNICODE_BLANKS)
        by_columns = _Columns(readers, width, key_index, unicode_blanks=unicode_blanks)
        try:
            lines, rows = _rows_by_chunks(reader, progress, total_lines, by_columns.add)
        except (csv.Error, _LinesNotCounted):
            # Again row by row, which knows the line each row starts on (for a malformed row, that is its line).
            reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
            next(reader)
            lines = []
            rows = []
            last_line = reader.line_num
            for cells in reader:
                line = last_line + 1
                last_line = reader.line_num
                if progress and len(rows) % 2000 == 0:
                    progress("Reading", last_line, total_lines)
                if not any(map(str.strip, cells)):
                    continue
                lines.append(line)
                rows.append(cells)
            by_columns = _Columns(readers, width, key_index, unicode_blanks=unicode_blanks)
            for start in range(0, len(rows), 2000):
                by_columns.add(rows[start : start + 2000])
    except csv.Error as exc:
        start = last_line + 1
        if "unexpected end of data" in str(exc):
            reason = 'a quoted value is never closed (its closing " is missing)'
        else:
            reason = f"the CSV is malformed ({exc})"
        raise InvalidInput(f"{name}, line {start}: {reason}; nothing was imported.") from exc
    records = by_columns.records(lines)
    if records is None:
        records = tuple(
            _record(ImportRecord, line, cells, readers, width, key_index)
            for line, cells in zip(lines, rows, strict=True)
        )
    if progress:
        progress("Reading", total_lines, total_lines)
    known = tuple(c.name for c in columns if c is not None)
    ignored = tuple(h.strip() for h, c in zip(header, columns, strict=True) if c is None and h.strip())
    return ParsedFile(records, known, ignored, delimiter)


class _LinesNotCounted(Exception):
    """The lines of a chunk of rows do not add up (``_rows_by_chunks``)."""


_BREAK = re.compile(r"\r\n|\r|\n")


def _rows_by_chunks(
    reader: Any, progress: Progress | None, total_lines: int, take: Callable[[list[list[str]]], None]
) -> tuple[list[int], list[list[str]]]:
    """The line each non-blank row starts on, and its cells, from ``reader`` (past the header); each chunk of
    non-blank rows is also handed to ``take`` as it is read.

    Read 2,000 rows at a time (``islice``), without a Python step per row. When a chunk's rows took as many
    lines as there are rows, they start on consecutive lines; otherwise some quoted value spans lines, and a
    row takes one line more per line break in its cells (``_LinesNotCounted`` if that does not add up). A
    malformed row raises ``csv.Error`` in the middle of a chunk: the caller then reads row by row to say where.
    """
    lines: list[int] = []
    rows: list[list[str]] = []
    last_line = reader.line_num
    while chunk := list(itertools.islice(reader, 2000)):
        first = last_line + 1
        last_line = reader.line_num
        starts: Iterable[int] = range(first, last_line + 1)
        if last_line - first + 1 != len(chunk):
            spans = [1 + sum(len(_BREAK.findall(cell)) for cell in cells) for cells in chunk]
            if first + sum(spans) - 1 != last_line:
                raise _LinesNotCounted
            starts = itertools.accumulate(spans[:-1], initial=first)
        filled = list(map(any, map(map, itertools.repeat(str.strip), chunk)))  # not blank
        lines.extend(itertools.compress(starts, filled))
        chunk = list(itertools.compress(chunk, filled))
        rows.extend(chunk)
        take(chunk)
        if progress:
            progress("Reading", last_line, total_lines)
    return lines, rows


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
"""One line with its line end (``\\r\\n``, ``\\r`` or ``\\n``), or the last line without one."""


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` as ``io.StringIO(text, newline="")`` gives them, one at a time.

    StringIO would first copy the text into a buffer of 4 bytes per character (+80 MiB for a
    100,000-row file), and ``splitlines`` also breaks at characters a CSV file keeps in a value.
    """
    if text.count("\r") != text.count("\r\n"):  # a lone carriage return ends a line too: the general case
        return (match.group() for match in _LINE.finditer(text))
    return _lines_at_newlines(text)


_OTHER_LINE_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""Where ``str.splitlines`` also breaks a line, besides ``\\n`` and ``\\r``."""


def _lines_at_newlines(text: str) -> Iterator[str]:
    """Lines ending at each ``\\n`` (with it), for text whose every ``\\r`` comes before one."""
    if not any(char in text for char in _OTHER_LINE_BREAKS):
        # splitlines breaks at the same places then, without a Python step per line (~0.1 s for 100,000);
        # by pieces of about a megabyte, or a large file's lines would all be held at once.
        return itertools.chain.from_iterable(map(str.splitlines, _pieces(text), itertools.repeat(True)))
    return _lines_one_by_one(text)


def _pieces(text: str, size: int = 1 << 20) -> Iterator[str]:
    """``text`` in pieces of about ``size`` characters, each but the last ending with a ``\\n``."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + size) + 1 or len(text)
        yield text[start:end]
        start = end


def _lines_one_by_one(text: str) -> Iterator[str]:
    start = 0
    find = text.find
    while True:
        end = find("\n", start) + 1
        if not end:
            if start < len(text):
                yield text[start:]
            return
        yield text[start:end]
        start = end


_DELIMITERS = (",", ";", "\t")
_OTHER_SEPARATORS = re.compile(r"[|:^~#/\\!]|\S\s+\S")


def _delimiter(text: str, name: str = "the file") -> str:
    """The one of ``,``, ``;`` and tab found most often in the header line outside quotes (``,`` on a tie).

    A header with none of them is one column; when it does not name one but looks separated by something
    else (``|``, spaces…), it is refused in words.
    """
    end = text.find("\n")
    header = text[:end] if end >= 0 else text
    outside = re.sub(r'"[^"]*"', "", header)
    counts = [outside.count(d) for d in _DELIMITERS]
    best = max(range(len(_DELIMITERS)), key=counts.__getitem__)
    if counts[best] == 0 and fold_header(outside) not in _BY_FOLDED and _OTHER_SEPARATORS.search(outside.strip()):
        raise InvalidInput(
            f"{name}: the header line ({quote(outside.strip(), 60)}) is not separated by , ; or tab; "
            "save it from the spreadsheet as CSV."
        )
    return _DELIMITERS[best]


def _map_header(header: Sequence[str], name: str) -> list[Column | None]:
    columns: list[Column | None] = []
    seen: dict[str, str] = {}
    for title in header:
        column = _BY_FOLDED.get(fold_header(title))
        if column is not None:
            if column.name in seen:
                raise InvalidInput(
                    f"{name} has two columns for {column.name}: '{seen[column.name]}' and '{title.strip()}'; keep one."
                )
            seen[column.name] = title.strip()
        columns.append(column)
    if "key" not in seen:
        found = ", ".join(f"'{h.strip()}'" for h in header if h.strip()) or "none"
        raise InvalidInput(
            f"{name} has no 'key' column (the header line has {found}); "
            "the first line must name the columns (labreview import --columns lists them)."
        )
    return columns


def _readers(columns: Sequence[Column | None]) -> list[tuple[int, str, Callable[[str], Any]]]:
    """For each known column but the key: its index in the row, its name, and what turns a cell into a value."""
    readers = []
    for index, column in enumerate(columns):
        if column is None or column.name == "key":
            continue
        kind = column.kind
        if kind in ("text", "person"):
            read = unguard
        elif kind in ENUMS:
            read = _choice_reader(ENUMS[kind])
        else:
            read = {"money": read_money, "date": read_date, "bool": read_bool}[kind]
        readers.append((index, column.name, read))
    return readers


def _choice_reader(enum: Any) -> Callable[[str], Any]:
    """Cell → enum member, as ``enum.parse(cell.strip())`` answers, from a dict of the cells seen so far.

    A file repeats the same few spellings on every row: each distinct cell is parsed once
    (the value, label and name of every member are known from the start). A cell that
    does not parse raises as ``parse`` does, every time.
    """
    known = {text: enum.parse(text) for member in enum for text in (member.value, member.label, member.name)}

    def read(cell: str) -> Any:
        member = known.get(cell)
        if member is None:
            member = known[cell] = enum.parse(cell.strip())
        return member

    read.known = known  # type: ignore[attr-defined]  # for _Columns: a column looked up in one pass
    return read


UNICODE_BLANKS = (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""The characters beyond ASCII that ``str.isspace`` counts as blank."""


class _Columns:
    """Rows read into ``importing.RecordColumns`` a chunk at a time, each while its cells are still in the
    processor's cache (a pass over a column of 100,000 cells scattered in memory costs more than the work on
    them): the records ``_record`` would give, with far less work per cell. ``records`` is ``None`` when a row
    does not have as many cells as the header or a cell does not read: then every row goes through ``_record``,
    which says why.

    A text column's cells are taken as they are when none is empty, blank or starts with the apostrophe of
    ``guard`` (all of which start with a character below ``(``, or from U+0085 on for a blank cell, which needs
    ``unicode_blanks`` in the text), else cell by cell; a choice is looked up among the spellings its reader
    knows; a cell of another kind (money, dates, yes/no) is read once per distinct cell.
    """

    def __init__(self, readers, width: int, key_index: int, *, unicode_blanks: bool = True) -> None:
        self.absent = ABSENT
        self.readers = readers
        self.width = width
        self.key_index = key_index
        self.unicode_blanks = unicode_blanks
        self.keys: list[str] | None = []
        self.fields: dict[str, list[Any]] = {name: [] for _index, name, _read in readers}
        self.value_of: dict[str, dict[str, Any]] = {name: {} for _index, name, _read in readers}

    def add(self, rows: list[list[str]]) -> None:
        if self.keys is None or not rows:
            return
        try:
            cells_of = list(zip(*rows, strict=True))
        except ValueError:  # rows with different numbers of cells
            cells_of = []
        if len(cells_of) != self.width:
            self.keys = None
            return
        absent = self.absent
        for index, name, read in self.readers:
            cells = cells_of[index]
            column = self.fields[name]
            if read is unguard:
                if min(cells) >= "(" and (not self.unicode_blanks or max(cells) < "\x85"):
                    column.extend(cells)
                else:
                    column.extend([cell if "(" <= cell < "\x85" else _text_cell(cell, absent) for cell in cells])
                continue
            known = getattr(read, "known", None)
            if known is not None:  # a choice: most cells are spelled as a value, label or name
                values = list(map(known.get, cells))
                if None not in values:
                    column.extend(values)
                    continue
            value_of = self.value_of[name]
            for cell in dict.fromkeys(cells):
                if cell in value_of:
                    continue
                if not cell or cell.isspace():
                    value_of[cell] = absent
                    continue
                try:
                    value_of[cell] = read(cell)
                except DomainError:
                    self.keys = None
                    return
            column.extend(map(value_of.__getitem__, cells))
        self.keys.extend(map(_key_of, cells_of[self.key_index]))

    def records(self, lines: list[int]) -> Any | None:
        if not self.keys:
            return None
        return RecordColumns(lines, self.keys, self.fields)


def _text_cell(cell: str, absent: Any) -> Any:
    """A text cell as ``_record`` reads it: ``absent`` when it is blank."""
    if not cell or cell.isspace():
        return absent
    return cell if cell[0] != "'" else unguard(cell)


def _key_of(cell: str) -> str:
    """A key cell as the import matches it: upper-cased when it is ASCII; otherwise as typed, so that
    "EXP-ß" is refused as a key instead of becoming EXP-SS ("ß".upper() is "SS", "ﬁ".upper() is "FI")."""
    key = cell.strip()
    return key.upper() if key.isascii() else key


def _record(ImportRecord, line: int, cells: list[str], readers, width: int, key_index: int):
    count = len(cells)
    key = _key_of(cells[key_index]) if key_index < count else ""
    if count > width:
        return ImportRecord(
            line,
            key,
            problem=f"the row has {count} fields but the header has {width}; "
            "is a separator inside a value that is not quoted?",
        )
    if count < width:
        cells = cells + [""] * (width - count)
    fields: dict[str, Any] = {}
    problems: list[str] = []
    for index, name, read in readers:
        raw = cells[index]
        if not raw or raw.isspace():
            continue  # an empty cell keeps what is stored (a new initiative gets the default)
        if read is unguard and raw[0] != "'":
            fields[name] = raw  # what unguard gives, without calling it (most cells are text)
            continue
        try:
            fields[name] = read(raw)
        except DomainError as exc:
            problems.append(f"{name}: {exc.message}")
    if problems:
        return ImportRecord(line, key, problem=" ".join(problems))
    return ImportRecord(line, key, fields)


def read_bool(text: str) -> bool:
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise InvalidInput(f"'{text.strip()}' is not yes or no.")


_DECIMAL_COMMA = re.compile(r"^(\d+),(\d{1,2})$")
_GROUPED_DECIMAL_COMMA = re.compile(r"^(\d{1,3}(?:\.\d{3})+),(\d{1,2})$")


_PLAIN_AMOUNT = re.compile(r"(\d{1,15})(?:\.(\d{1,2}))?")
"""Whole units with up to two decimals and nothing else (``12500``, ``12500.5``): most cells of most files."""


def read_money(text: str) -> int:
    """An amount in currency units into minor units; ``12500,50`` and ``12.500,50`` (decimal comma) too."""
    text = text.strip()
    plain = _PLAIN_AMOUNT.fullmatch(text) if text.isascii() else None
    if plain:  # what parse_money gives for these, without Decimal
        units, cents = plain.groups()
        return int(units) * MINOR_PER_UNIT + (int(cents.ljust(2, "0")) if cents else 0)
    cleaned = re.sub(r"\s", "", text)
    match = _DECIMAL_COMMA.match(cleaned) or _GROUPED_DECIMAL_COMMA.match(cleaned)
    if match:
        cleaned = f"{match[1].replace('.', '')}.{match[2]}"
    return parse_money(cleaned if match else text)


def read_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    candidate = text[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]00:00(:00)?)?", text) else text
    try:
        return dt.date.fromisoformat(candidate)
    except ValueError as exc:
        raise InvalidInput(f"'{text}' is not a date; write it like 2026-12-31.") from exc


def import_file(
    portfolio: Any,
    path: str | Path,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> tuple[ParsedFile, Any]:
    """Read ``path`` and import it into ``portfolio``; returns what was read and the ``ImportReport``."""
    # One pause for reading and importing: resumed in between, the collector would walk every record just read.
    with collector_paused():
        parsed = read_file(path, encoding=encoding, progress=progress)
        report = portfolio.import_initiatives(
            parsed.records,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            source=Path(path).name,
            progress=progress,
        )
    return parsed, report
