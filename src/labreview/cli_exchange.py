"""Command line for files in and out: ``labreview minutes``, ``labreview import``, ``labreview export``."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

from labreview.cli_common import (
    CliError,
    _check_readable,
    _config,
    _open_portfolio,
    _portfolio_at,
    _read_portfolio,
    _refuse_existing,
    _target,
    _write_output,
)


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``minutes``, ``import`` and ``export`` to the parser's subcommands."""
    minutes = commands.add_parser(
        "minutes",
        parents=[common],
        help="write the minutes of a review session as Markdown or HTML",
        description="Write the minutes of the review session of QUARTER as GitHub-flavoured Markdown, "
        "or as one standalone HTML page (--format html).",
    )
    minutes.add_argument("quarter", metavar="QUARTER", help="the session's quarter, e.g. 2026-Q4")
    minutes.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write them: a file, or - for standard output (default: minutes-QUARTER.md here, "
        "or minutes-QUARTER.html)",
    )
    minutes.add_argument("--force", action="store_true", help="replace FILE if it exists")
    minutes.add_argument(
        "--format",
        choices=("markdown", "html"),
        default="markdown",
        help="Markdown (the default), or one standalone HTML page to open, mail or print",
    )
    minutes.set_defaults(run=cmd_minutes)

    load = commands.add_parser(
        "import",
        parents=[common],
        help="add or update initiatives from a CSV file",
        description="Add or update initiatives from a CSV file, matched by key "
        "(labreview import --columns lists the columns and what each accepts).",
    )
    load.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="a CSV file (UTF-8, Windows-1252 or UTF-16; separated by , ; or tab), or an .xlsx workbook "
        "with labreview[xlsx]",
    )
    load.add_argument(
        "--encoding", metavar="NAME", help="the file's text encoding, e.g. cp1252 or utf-16 (default: detected)"
    )
    load.add_argument("--columns", action="store_true", help="print the columns a file may have, and what each accepts")
    load.add_argument("--dry-run", action="store_true", help="show what would be created and changed; write nothing")
    load.add_argument("--skip-invalid", action="store_true", help="import the good rows even when some rows are bad")
    load.add_argument(
        "--kpis",
        action="store_true",
        help="FILE holds KPI readings (columns key, quarter, metric, value; key empty for the whole portfolio); "
        "all or nothing",
    )
    load.set_defaults(run=cmd_import)

    export = commands.add_parser("export", help="write the backlog or the decisions as CSV or JSON")
    what = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    backlog = what.add_parser(
        "backlog", parents=[common], help="every initiative, in the columns `labreview import` reads"
    )
    backlog.add_argument("file", metavar="FILE", help="the CSV file to write, or - for standard output")
    backlog.add_argument("--force", action="store_true", help="replace FILE if it exists")
    _add_format_option(backlog)
    _add_bom_option(backlog)
    backlog.set_defaults(run=cmd_export_backlog)
    decisions = what.add_parser("decisions", parents=[common], help="one row per decision of the board")
    decisions.add_argument("file", metavar="FILE", help="the CSV file to write, or - for standard output")
    decisions.add_argument("--quarter", metavar="QUARTER", help="only the decisions of this session, e.g. 2026-Q3")
    decisions.add_argument("--force", action="store_true", help="replace FILE if it exists")
    _add_format_option(decisions)
    _add_bom_option(decisions)
    decisions.set_defaults(run=cmd_export_decisions)


def _add_format_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="CSV (the default) or JSON, with typed values"
    )


def _add_bom_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--bom",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start the CSV with a UTF-8 byte order mark, so that Excel reads its accents and € right "
        "(default: yes for a file, no for standard output)",
    )


def _with_bom(args: argparse.Namespace, text: str) -> str:
    """The CSV text with the byte order mark ``--bom`` asks for (by default: for a file, not for a pipe; never
    for JSON)."""
    bom = args.bom if args.bom is not None else args.file != "-" and args.format == "csv"
    return "\ufeff" + text if bom else text


def cmd_minutes(args: argparse.Namespace) -> int:
    from labreview.domain.vocabulary import Quarter
    from labreview.exchange.minutes import default_filename

    quarter = str(Quarter.parse(args.quarter))
    output = args.output or default_filename(quarter)
    if args.format == "html" and not args.output:
        from labreview.exchange.minutes_html import default_filename as html_filename

        output = html_filename(quarter)
    if output != "-":
        _refuse_existing(Path(output), args.force)
    target, _default = _target(args)
    _check_readable(target)
    text = _minutes_text(target, quarter, _config(args), html=args.format == "html")
    _write_output(output, text, args.force, f"the {quarter} minutes")
    return 0


def _minutes_text(target: str, quarter: str, config, *, html: bool = False) -> str:
    """The minutes, read from an SQLite file with plain ``sqlite3`` and from a PostgreSQL server with plain
    psycopg (no SQLAlchemy to import: the command takes a fraction of a second), or through the service layer
    for a database given by another URL. ``html``: one standalone page with the audit log's head hash in its
    footer, else Markdown."""
    import sqlite3

    from labreview.domain.errors import StorageError
    from labreview.exchange.minutes import render_records
    from labreview.portfolio import audit_head
    from labreview.store.location import is_postgres_url, sqlite_path

    path = sqlite_path(target)
    head = None
    try:
        if path is None and is_postgres_url(target):
            data, head = _server_minutes(target, quarter, html=html)
        elif path is None:
            from labreview.portfolio import records  # deferred: pulls in the service layer

            portfolio = _portfolio_at(target, config, read_only=True)
            try:
                data = records.minutes_records(portfolio, quarter)
                if html:
                    raw = portfolio.engine.raw_connection()
                    try:
                        head = audit_head.read(raw.driver_connection)
                    finally:
                        raw.close()
            finally:
                portfolio.close()
        else:
            from labreview.portfolio import minutes_data
            from labreview.store.database import connect_read_only

            connection = connect_read_only(path)
            try:
                data = minutes_data.read(connection, quarter)  # the portfolio's own weights
                head = audit_head.read(connection) if html else None
            finally:
                connection.close()
    except sqlite3.Error as exc:  # both read with the sqlite3 driver (records.minutes_records too)
        raise StorageError(f"{path or target} could not be read: {exc}.") from exc
    if html:
        from labreview.exchange.minutes_html import render_html

        return render_html(data, head=head)
    return render_records(data)


def _server_minutes(target: str, quarter: str, *, html: bool) -> tuple[object, str | None]:
    """The minutes' records (and the audit head for an HTML page) from a PostgreSQL server over one psycopg
    connection: ``minutes_data.read`` runs in one read-only REPEATABLE READ transaction, as through the
    service layer (the portfolio's own weights; byte-identical minutes, held by the parity tests)."""
    import psycopg

    from labreview.domain.errors import StorageError
    from labreview.portfolio import audit_head, minutes_data
    from labreview.store.server import connect, conninfo, server_problem

    connection = connect(target, read_only=True)
    try:
        connection.autocommit = False  # minutes_data opens its own snapshot transaction
        data = minutes_data.read(connection, quarter)
        head = audit_head.read(connection) if html else None
    except psycopg.Error as exc:
        raise StorageError(f"{conninfo(target)[1]} could not be read: {server_problem(exc)}.") from exc
    finally:
        connection.close()
    return data, head


class _ProgressBar:
    """A Rich progress bar on stderr for long imports; silent for small files or when stderr is not a terminal."""

    THRESHOLD = 5_000
    """Rows (or lines) below which a bar would only flicker."""

    def __init__(self) -> None:
        self._progress = None
        self._tasks: dict[str, int] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total < self.THRESHOLD or not sys.stderr.isatty():
            return
        if self._progress is None:
            from rich.console import Console  # deferred: only long imports show a bar
            from rich.progress import Progress

            self._progress = Progress(console=Console(stderr=True), transient=True)
            self._progress.start()
        task = self._tasks.get(phase)
        if task is None:
            task = self._tasks[phase] = self._progress.add_task(phase, total=total)
        self._progress.update(task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def cmd_import(args: argparse.Namespace) -> int:
    if args.columns:
        from labreview.exchange.csv_columns import column_reference

        print("\n".join(column_reference(shutil.get_terminal_size().columns)))
        return 0
    if not args.file:
        raise CliError("import needs a FILE to read (labreview import --columns lists the columns it may have).")
    if args.kpis:
        return _import_kpis(args)
    portfolio = _open_portfolio(args)
    from labreview.portfolio.gc_pause import collector_paused

    # Reading, checking and writing a large file make a million small objects without cycles that live until the
    # report is printed; with the collector running again before they are freed, its next collections would walk
    # them all (measured: ~0.3 s for 100,000 rows). It stays paused until they are, when _import returns.
    with collector_paused():
        return _import(args, portfolio)


def _import_kpis(args: argparse.Namespace) -> int:
    """``labreview import --kpis FILE``: every row checked first; one bad row and nothing is recorded."""
    from labreview.exchange.csv_report import printable
    from labreview.exchange.kpi_csv import read_readings
    from labreview.portfolio.kpis import ReadingRow

    rows = [ReadingRow(*row) for row in read_readings(args.file, encoding=args.encoding)]
    portfolio = _open_portfolio(args)
    try:
        if args.dry_run:
            report = portfolio.check_kpi_readings(rows)
        else:
            report = portfolio.import_kpi_readings(rows, source=Path(args.file).name)
    finally:
        portfolio.close()
    name = printable(Path(args.file).name)
    if report.problems:
        for problem in report.problems:
            print(f"{name}: {printable(problem)}")
        bad = len(report.problems)
        rows_bad = "1 row is bad" if bad == 1 else f"{bad:,} rows are bad"
        raise CliError(f"{rows_bad} (listed above), so no reading was recorded; fix them and import the file again.")
    if args.dry_run:
        print(f"Dry run of {name}: {_readings(len(rows))} read well; nothing was written.")
        return 0
    print(
        f"{name}: {_readings(report.added)} added, {report.changed} changed, {report.unchanged} unchanged "
        "(undo in the app takes the import back)."
    )
    return 0


def _readings(count: int) -> str:
    return "1 reading" if count == 1 else f"{count:,} readings"


def _import(args: argparse.Namespace, portfolio) -> int:
    """``cmd_import`` once the portfolio is open; what it read and reported is freed when it returns."""
    from labreview.exchange import csv_read, csv_report

    bar = _ProgressBar()
    try:
        parsed, report = csv_read.import_file(
            portfolio,
            args.file,
            dry_run=args.dry_run,
            skip_invalid=args.skip_invalid,
            progress=bar,
            encoding=args.encoding,
        )
        currency = portfolio.currency
    finally:
        bar.close()
        portfolio.close()
    if args.dry_run:
        print(f"Dry run of {args.file}: nothing was written.")
    limit = None if args.dry_run else 50
    for line in csv_report.describe(parsed, report, currency=currency, detail_limit=limit):
        print(line)
    bad = len(report.problems)
    if bad and not args.skip_invalid:
        rows = "1 row is bad" if bad == 1 else f"{bad:,} rows are bad"
        done = "an import would write nothing" if args.dry_run else "nothing was imported"
        raise CliError(f"{rows} (listed above), so {done}; fix them, or add --skip-invalid to import the rest.")
    if report.written and not report.undoable:
        print("This import is too large to undo from the app; correct it with another import if needed.")
    return 0


def cmd_export_backlog(args: argparse.Namespace) -> int:
    from labreview.exchange import csv_write

    if args.file != "-":
        _refuse_existing(Path(args.file), args.force)
    portfolio = _read_portfolio(args)
    try:
        if args.format == "json":
            from labreview.exchange import jsonio

            exported = jsonio.backlog_json(portfolio)
        else:
            exported = csv_write.backlog_csv(portfolio)
    finally:
        portfolio.close()
    _write_output(args.file, _with_bom(args, exported.text), args.force, f"{exported.rows:,} initiatives")
    return 0


def cmd_export_decisions(args: argparse.Namespace) -> int:
    from labreview.exchange import csv_write

    if args.file != "-":
        _refuse_existing(Path(args.file), args.force)
    portfolio = _read_portfolio(args)
    try:
        if args.format == "json":
            from labreview.exchange import jsonio

            exported = jsonio.decisions_json(portfolio, args.quarter)
        else:
            exported = csv_write.decisions_csv(portfolio, args.quarter)
    finally:
        portfolio.close()
    _write_output(args.file, _with_bom(args, exported.text), args.force, f"{exported.rows:,} decisions")
    return 0
