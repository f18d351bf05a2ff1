"""A file of KPI readings, in: ``key, quarter, metric, value`` (``labreview import --kpis FILE``).

``key`` names the initiative a reading is of, or is empty for a portfolio-wide reading; ``metric`` is a KPI's
key or label (``uptime``, ``Incident frequency``); ``value`` a number (``99.5``, ``99,5``, ``98 %``). The file is
decoded as the initiative import decodes it (UTF-8 with or without BOM, Windows-1252, UTF-16, or a named
encoding) and separated by ``,``, ``;`` or tab. Other columns are ignored. Rows are returned as typed, with their
line numbers; the service checks them (``Portfolio.import_kpi_readings``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from labreview.domain.errors import InvalidInput, StorageError
from labreview.exchange.csv_decode import decode
from labreview.exchange.csv_report import printable

COLUMNS = ("key", "quarter", "metric", "value")

Row = tuple[int, str, str, str, str]
"""``(line, key, quarter, metric, value)`` as typed."""


def read_readings(path: str | Path, *, encoding: str | None = None) -> list[Row]:
    """The rows of the readings file at ``path``; an unreadable file or header is refused in words."""
    path = Path(path).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise StorageError(f"There is no file {path}.") from exc
    except IsADirectoryError as exc:
        raise StorageError(f"{path} is a folder, not a CSV file.") from exc
    except OSError as exc:
        raise StorageError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    text, _used = decode(data, path.name, encoding)
    return parse_readings(text, name=path.name)


def parse_readings(text: str, *, name: str = "the file") -> list[Row]:
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise InvalidInput(f"{name} holds NUL characters; it is not a CSV file of readings.")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []  # (the line a row starts on, its cells)
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(f"{name}: line {start} does not read as CSV ({exc}).") from exc
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        raise InvalidInput(f"{name} is empty; it needs a header line: {', '.join(COLUMNS)}.")
    header = [_fold(cell) for cell in rows[0][1]]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        found = ", ".join(f"'{printable(cell.strip())[:40]}'" for cell in rows[0][1] if cell.strip()) or "none"
        raise InvalidInput(
            f"{name} has no column {', '.join(missing)} (its header line has {found}); "
            f"a readings file has the columns {', '.join(COLUMNS)}."
        )
    at = [header.index(column) for column in COLUMNS]
    out: list[Row] = []
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        key, quarter, metric, value = (row[i].strip() if i < len(row) else "" for i in at)
        out.append((line, key, quarter, metric, value))
    return out


def _fold(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")
