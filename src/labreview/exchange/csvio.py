"""CSV in and out: the backlog as a spreadsheet, and the decisions for other tools.

Reading takes spreadsheet exports as they come: UTF-8 with or without a byte
order mark, Windows-1252 (Excel's "CSV (Comma delimited)" on Windows) when the
text is not UTF-8, UTF-16 with or without a byte order mark (Excel's "Unicode
Text"), or the encoding a person names; ``,``, ``;`` or a tab between fields
(read from the header line), CRLF or LF line ends, quoted fields spanning
several lines; and the first sheet of an ``.xlsx`` workbook when the optional
``python-calamine`` is installed (``labreview[xlsx]``). Columns are found by their
header, ignoring case, spaces, dashes and underscores; unknown columns are
ignored and reported. Every bad row is reported with the line it starts on in
the file (a quoted field with newlines counts all of its lines) and the reason.

An empty cell leaves an existing initiative's field as it is (a new one gets
the default): a spreadsheet with gaps never wipes stored data by accident.

Writing uses the same columns (``COLUMNS``), so an exported backlog imports
back with no change. Text that a spreadsheet would run as a formula (starting
with ``=``, ``+``, ``-`` or ``@``) is written with a leading apostrophe, which
the reader takes off again.

The database work is ``Portfolio.import_initiatives``; this module only turns
text into typed values and reports into lines for a person. A file whose every
row reads is read a column at a time into ``importing.RecordColumns`` (a
100,000-row file has over a million cells; most columns repeat a few values),
which the import can also check a column at a time.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from labreview.domain.errors import DomainError, InvalidInput, StorageError
from labreview.domain.vocabulary import (
    MINOR_PER_UNIT,
    Category,
    DataSensitivity,
    IntegrationScope,
    Quarter,
    Stage,
    SuccessMetric,
    Track,
    parse_money,
)

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``, called now and then while a long file is read or written."""


@dataclass(frozen=True)
class Column:
    """One column of the backlog file: its header, what it holds, and what it accepts (for the README)."""

    name: str
    kind: str
    accepts: str


def _choices(enum) -> str:
    return ", ".join(f"`{m.value}`" for m in enum)


COLUMNS: tuple[Column, ...] = (
    Column("key", "key", "required; letters, digits, `-`, `.`, `_`, up to 24 characters (`EXP-101`); upper-cased"),
    Column("title", "text", "required for a new initiative; up to 200 characters"),
    Column(
        "stage",
        "stage",
        f"{_choices(Stage)}; new initiatives default to `lab`; an existing initiative's stage cannot change",
    ),
    Column("category", "category", f"required for a new initiative: {_choices(Category)}"),
    Column("track", "track", f"budget track: {_choices(Track)}; new initiatives default to their stage's track"),
    Column("owner", "person", "required for a new initiative; a person's name (created if unknown)"),
    Column("sponsor", "person", "a person's name (created if unknown)"),
    Column("vendor", "text", "up to 120 characters"),
    Column(
        "quarterly_cost",
        "money",
        "in currency units: `12500`, `12500.50`, `12,500.50`, `12500,50`, `12.500,50`; new: 0",
    ),
    Column("renewal_date", "date", "`YYYY-MM-DD`"),
    Column("ai_heavy", "bool", "`yes`/`no` (also `true`/`false`, `1`/`0`, `y`/`n`, `x`); new: no"),
    Column("description", "text", "up to 10,000 characters"),
    Column(
        "baseline", "text", "pre-registered success criterion, up to 500 characters; fixed once the pilot is approved"
    ),
    Column(
        "target_lift",
        "text",
        "pre-registered success criterion, up to 500 characters; fixed once the pilot is approved",
    ),
    Column(
        "test_period",
        "text",
        "pre-registered success criterion, up to 500 characters; fixed once the pilot is approved",
    ),
    Column(
        "operational_threshold",
        "text",
        "pre-registered success criterion, up to 500 characters; fixed once the pilot is approved",
    ),
    Column("business_objective", "text", "intake: up to 10,000 characters"),
    Column("user_group", "text", "intake: who, how often"),
    Column("data_sensitivity", "data_sensitivity", f"intake: {_choices(DataSensitivity)}"),
    Column("integration_scope", "integration_scope", f"intake: {_choices(IntegrationScope)}"),
    Column("success_metric", "success_metric", f"intake: {_choices(SuccessMetric)}"),
    Column("exit_plan", "text", "intake: what happens if the pilot fails"),
)
"""The backlog columns, in the order ``export backlog`` writes them."""

ALIASES = {"cost": "quarterly_cost", "renewal": "renewal_date", "ai": "ai_heavy"}
"""Other headers accepted for a column (after folding)."""

ENUMS = {
    "stage": Stage,
    "category": Category,
    "track": Track,
    "data_sensitivity": DataSensitivity,
    "integration_scope": IntegrationScope,
    "success_metric": SuccessMetric,
}
DECISION_COLUMNS = (
    "quarter",
    "session_date",
    "key",
    "title",
    "outcome",
    "stage_before",
    "stage_after",
    "rationale",
    "conditions",
    "next_review",
    "action_items",
)
FORMULA_START = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet evaluate a cell as a formula."""
_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0"}


def column_reference(width: int = 100) -> list[str]:
    """The columns ``import`` reads and what each accepts, as lines for a terminal (``labreview import --columns``)."""
    import textwrap

    name_width = max(len(c.name) for c in COLUMNS) + 2
    aliases = {target: alias for alias, target in ALIASES.items()}
    lines = [
        "The first line names the columns, matched ignoring case, spaces, dashes and underscores",
        "(Quarterly Cost = quarterly_cost). Only key is required; unknown columns are ignored and listed.",
        "An empty cell keeps what is stored; a new initiative gets the default.",
        "",
    ]
    for column in COLUMNS:
        accepts = column.accepts.replace("`", "")
        if column.name in aliases:
            accepts += f" (also headed {aliases[column.name]})"
        wrapped = textwrap.wrap(accepts, width=max(40, width - name_width))
        lines.append(column.name.ljust(name_width) + wrapped[0])
        lines.extend(" " * name_width + more for more in wrapped[1:])
    return lines


def fold_header(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


_BY_FOLDED = {fold_header(c.name): c for c in COLUMNS} | {
    fold_header(alias): next(c for c in COLUMNS if c.name == target) for alias, target in ALIASES.items()
}


# ---------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ParsedFile:
    """A CSV file read into import records, with what a person should know about how it was read."""

    records: Sequence[Any]
    """``importing.ImportRecord``s, one per non-blank row: an ``importing.RecordColumns`` when every row could be
    read (each record is made when it is looked at), else a tuple."""
    columns: tuple[str, ...]
    ignored: tuple[str, ...]
    """Headers that name no known column."""
    delimiter: str
    encoding: str = "UTF-8"
    """How the file was read, for a person: ``UTF-8``, ``Windows-1252``, ``UTF-16 (with BOM)``, ``xlsx``, or the
    encoding the person named."""


XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC = b"PK\x03\x04"


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


def parse_text(text: str, *, name: str = "the file", progress: Progress | None = None) -> ParsedFile:
    """Read CSV ``text`` (already decoded) into import records."""
    from labreview.portfolio.gc_pause import collector_paused  # deferred: keeps this module light
    from labreview.portfolio.importing.records import ImportRecord  # deferred: keeps this module light

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
        from labreview.portfolio.importing.records import ABSENT  # deferred: keeps this module light

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
        from labreview.portfolio.importing.records import RecordColumns  # deferred: keeps this module light

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


def needs_guard(value: str) -> bool:
    """Would a spreadsheet run this as a formula (ignoring apostrophes already in front)?"""
    return value.lstrip("'")[:1] in FORMULA_START


def guard(value: str) -> str:
    """Text for a CSV cell: an apostrophe in front of anything a spreadsheet would evaluate."""
    return "'" + value if needs_guard(value) else value


def unguard(value: str) -> str:
    """The reverse of ``guard``: the apostrophe it added comes off."""
    if value[:1] != "'":
        return value
    return value[1:] if needs_guard(value[1:]) else value


# ---------------------------------------------------------------------- importing


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
    from labreview.portfolio.gc_pause import collector_paused

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


def describe(parsed: ParsedFile, report: Any, *, currency: str = "", detail_limit: int | None = None) -> list[str]:
    """The report as lines for a person: what was (or would be) created and changed, field by field,
    and why rows are bad.

    ``detail_limit`` caps how many initiatives are listed one by one (``None``: all).
    """
    lines: list[str] = []
    would = report.dry_run or not report.written
    if not parsed.encoding.startswith("UTF-8"):
        how = "the first sheet of the workbook" if parsed.encoding == "xlsx" else f"{parsed.encoding} text"
        lines.append(f"Read {how}.")
    if parsed.ignored:
        lines.append("Ignored columns (not known): " + ", ".join(f"'{printable(h)}'" for h in parsed.ignored))
    created = report.created
    changed = report.changed
    verb_create = "Would create" if would else "Created"
    verb_change = "Would change" if would else "Changed"
    if created:
        lines.append(f"{verb_create} {_count(len(created), 'initiative')}:")
        for item in _limited(created, detail_limit, lines):
            values = item.values
            lines.append(
                f"  + {item.key} {quote(item.title)} ({values['stage']}, {values['category']}, "
                f"owner {printable(values['owner'])}) — line {item.line}"
            )
    if changed:
        lines.append(f"{verb_change} {_count(len(changed), 'initiative')}:")
        for item in _limited(changed, detail_limit, lines):
            lines.append(f"  ~ {item.key} — line {item.line}")
            for change in item.changes:
                before = show(change.field, change.before, currency)
                after = show(change.field, change.after, currency)
                lines.append(f"      {change.field}: {before} → {after}")
    if report.new_people:
        verb = "Would add" if would else "Added"
        people = report.new_people
        shown = people if detail_limit is None or len(people) <= detail_limit else people[:detail_limit]
        names = ", ".join(printable(n) for n in shown)
        if len(shown) < len(people):
            names += f" and {len(people) - len(shown):,} more"
        lines.append(f"{verb} {_count(len(report.new_people), 'person', 'people')} (not on the board): {names}")
    if report.unchanged:
        lines.append(f"Unchanged: {_count(report.unchanged, 'initiative')}.")
    if not created and not changed and not report.problems:
        lines.append("Nothing to change: the portfolio already matches the file.")
    if report.problems:
        lines.append(f"{_count(len(report.problems), 'bad row')}:")
        for problem in report.problems:
            key = f" ({printable(problem.key)})" if problem.key else ""
            lines.append(f"  line {problem.line}{key}: {printable(problem.message)}")
    return lines


def _limited(items: Sequence[Any], limit: int | None, lines: list[str]) -> Sequence[Any]:
    if limit is None or len(items) <= limit:
        return items
    lines.append(f"  (the first {limit:,} of {len(items):,}; --dry-run lists them all)")
    return items[:limit]


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def show(field: str, value: Any, currency: str = "") -> str:
    """A stored value as a person reads it in a report."""
    if value is None or value == "":
        return "(empty)"
    if field == "quarterly_cost":
        return f"{currency} {Decimal(value) / MINOR_PER_UNIT:,.2f}".strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if field in ENUMS:
        return str(getattr(value, "value", value))
    return quote(str(value))


def quote(text: str, limit: int = 80) -> str:
    shown = printable(text)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"“{shown}”"


def printable(text: str) -> str:
    """Text safe to print on a terminal: newlines as ⏎, other control characters as \\xNN."""
    out = []
    for char in str(text):
        if char == "\n":
            out.append("⏎")
        elif ord(char) < 32 or 127 <= ord(char) < 160:
            out.append(f"\\x{ord(char):02x}")
        elif char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


# ---------------------------------------------------------------------- writing


@dataclass(frozen=True)
class CsvText:
    text: str
    rows: int


def backlog_csv(portfolio: Any) -> CsvText:
    """The whole backlog as CSV text with the ``COLUMNS`` header, one row per initiative by key."""
    from labreview.portfolio.records import backlog_records

    return _csv([c.name for c in COLUMNS], [_backlog_row(r) for r in backlog_records(portfolio)])


def _backlog_row(record: Mapping[str, Any]) -> list[str]:
    return [cell(c.name, record[c.name]) for c in COLUMNS]


def cell(field: str, value: Any) -> str:
    """A stored value as it is written to a CSV cell (and read back unchanged)."""
    if value is None:
        return ""
    if field == "quarterly_cost":
        return f"{Decimal(value) / MINOR_PER_UNIT:.2f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return guard(str(getattr(value, "value", value)))


def decisions_csv(portfolio: Any, quarter: str | None = None) -> CsvText:
    """One row per decision (of ``quarter``, or of every session), oldest session first."""
    if quarter is not None:
        quarter = str(Quarter.parse(quarter))
        portfolio.session(quarter)  # refuses an unknown quarter in words
    held_on = {s.quarter: s.held_on for s in portfolio.sessions()}
    rows = []
    for decision in portfolio.decisions(quarter):
        actions = "\n".join(
            f"{a.text} ({a.owner.name}, due {a.due.isoformat()}, {a.status})" for a in decision.action_items
        )
        rows.append(
            [
                decision.quarter,
                held_on[decision.quarter].isoformat(),
                decision.key,
                guard(decision.title),
                decision.outcome.value,
                decision.stage_before.value,
                decision.stage_after.value,
                guard(decision.rationale),
                guard(decision.conditions),
                decision.next_review.isoformat() if decision.next_review else "",
                guard(actions),
            ]
        )
    return _csv(DECISION_COLUMNS, rows)


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> CsvText:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return CsvText(buffer.getvalue(), len(rows))


__all__ = [
    "COLUMNS",
    "DECISION_COLUMNS",
    "CsvText",
    "ParsedFile",
    "backlog_csv",
    "column_reference",
    "decisions_csv",
    "describe",
    "import_file",
    "parse_text",
    "read_file",
]
