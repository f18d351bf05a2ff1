"""Command line: open the app on a portfolio, or run a batch command.

Every failure a person can fix is one line on stderr and exit code 2; nothing
here prints a traceback for bad input. Heavy modules (Textual, SQLAlchemy) are
imported inside the command that needs them, so ``--version`` and the error
paths answer at once and the app paints its first frame before the store loads.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from labreview import __version__
from labreview.domain.errors import DomainError

EXIT_USAGE = 2
SETUP_ACTOR = "labreview init"
"""The audit log's actor for setting up a new portfolio (default settings and gate templates)."""


class CliError(Exception):
    """A problem reported as one line on stderr with exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help="portfolio database: a file path or an sqlite:/// URL (default: $LABREVIEW_DB, "
        "else portfolio.db in your user data folder)",
    )
    common.add_argument(
        "--as",
        dest="as_person",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="who you are in the portfolio, for the audit log (default: the session's facilitator)",
    )
    parser = argparse.ArgumentParser(
        prog="labreview",
        parents=[common],
        description="Run a quarterly Lab/Factory technology-portfolio review from the terminal.",
        epilog="Without a command, opens the app on the portfolio.",
    )
    parser.add_argument("--version", action="version", version=f"labreview {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a scratch copy of the sample portfolio (the shipped file is never written)",
    )
    parser.add_argument("--read-only", action="store_true", help="open the portfolio without changing it")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser("init", parents=[common], help="create an empty portfolio database")
    init.set_defaults(run=cmd_init)

    minutes = commands.add_parser(
        "minutes",
        parents=[common],
        help="write the minutes of a review session as Markdown",
        description="Write the minutes of the review session of QUARTER as GitHub-flavoured Markdown.",
    )
    minutes.add_argument("quarter", metavar="QUARTER", help="the session's quarter, e.g. 2026-Q4")
    minutes.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write them: a file, or - for standard output (default: minutes-QUARTER.md here)",
    )
    minutes.add_argument("--force", action="store_true", help="replace FILE if it exists")
    minutes.set_defaults(run=cmd_minutes)

    load = commands.add_parser(
        "import",
        parents=[common],
        help="add or update initiatives from a CSV file",
        description="Add or update initiatives from a CSV file, matched by key (columns: see the README).",
    )
    load.add_argument("file", metavar="FILE", help="a CSV file (UTF-8, separated by , or ;)")
    load.add_argument("--dry-run", action="store_true", help="show what would be created and changed; write nothing")
    load.add_argument("--skip-invalid", action="store_true", help="import the good rows even when some rows are bad")
    load.set_defaults(run=cmd_import)

    export = commands.add_parser("export", help="write the backlog or the decisions as CSV")
    what = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    backlog = what.add_parser(
        "backlog", parents=[common], help="every initiative, in the columns `labreview import` reads"
    )
    backlog.add_argument("file", metavar="FILE", help="the CSV file to write, or - for standard output")
    backlog.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backlog.set_defaults(run=cmd_export_backlog)
    decisions = what.add_parser("decisions", parents=[common], help="one row per decision of the board")
    decisions.add_argument("file", metavar="FILE", help="the CSV file to write, or - for standard output")
    decisions.add_argument("--quarter", metavar="QUARTER", help="only the decisions of this session, e.g. 2026-Q3")
    decisions.add_argument("--force", action="store_true", help="replace FILE if it exists")
    decisions.set_defaults(run=cmd_export_decisions)

    board = commands.add_parser("board", help="list the review board, or add a member")
    members = board.add_subparsers(dest="what", metavar="ACTION", required=True)
    listing = members.add_parser("list", parents=[common], help="the board members and their roles")
    listing.set_defaults(run=cmd_board_list)
    add = members.add_parser("add", parents=[common], help="add a board member (or give a person a board role)")
    add.add_argument("name", metavar="NAME", help='the person\'s name, e.g. "Priya Raman"')
    add.add_argument("--role", required=True, metavar="ROLE", help="one of: " + ", ".join(_roles()))
    add.add_argument("--email", default="", metavar="EMAIL")
    add.set_defaults(run=cmd_board_add)

    audit = commands.add_parser("audit", help="check the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    verify = audit_commands.add_parser(
        "verify",
        parents=[common],
        help="check that no audit record was changed, removed, reordered or added behind labreview's back",
        description="Exit 0 when the audit log is intact, 1 at the first broken link, 2 when the database "
        "cannot be read.",
    )
    verify.add_argument(
        "--anchor",
        metavar="HASH",
        default="",
        help="a record hash printed by an earlier verify (e.g. kept in the minutes); it must still be in the log",
    )
    verify.set_defaults(run=cmd_audit_verify)
    from labreview.cli_quarters import add_commands

    add_commands(commands, common)
    return parser


def _roles() -> list[str]:
    from labreview.domain.vocabulary import BoardRole

    return [role.value for role in BoardRole]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = getattr(args, "run", cmd_open)
    try:
        code = run(args)
    except (CliError, DomainError) as exc:
        print(f"labreview: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    if argv is None and run is cmd_import:
        _before_exit()
    return code


def _before_exit() -> None:
    """The process ends next (``main`` was called as the program): freeze what is left for the collector.

    The interpreter's collections at exit would otherwise walk and free the object graph of SQLAlchemy,
    SQLModel and the models, measured at 0.15–0.3 s of an import's whole run; at exit that frees nothing
    anybody needs (reference counting still frees what is not in a cycle). Only after commands that leave
    nothing to finalize: ``import`` has closed its portfolio and printed its report.
    """
    import gc

    gc.freeze()


def _target(args: argparse.Namespace) -> tuple[str, bool]:
    """The database to use and whether it is the default (which is created on first use)."""
    from labreview.paths import database_from_environment, default_database

    explicit = getattr(args, "db", None) or database_from_environment()
    if explicit:
        return str(explicit), False
    return str(default_database()), True


def _config(args: argparse.Namespace | None = None):
    """The facilitator's config; ``--as NAME`` replaces its ``actor``. Warns once that ``[weights]`` is ignored."""
    from dataclasses import replace

    from labreview.config import load
    from labreview.paths import config_file

    config = load(config_file())
    if config.ignored_weights:
        print(f"labreview: {config.ignored_weights}", file=sys.stderr)
    as_person = getattr(args, "as_person", None) if args is not None else None
    if as_person:
        config = replace(config, actor=as_person.strip())
    return config


def _prepare(target: str, *, create: bool, read_only: bool = False) -> None:
    """Check the database cheaply; upgrade or create it only when needed (Alembic is slow to import)."""
    from labreview.store.database import State, prepare, probe
    from labreview.store.location import is_url

    if not is_url(target) and probe(target).state is State.CURRENT:
        return
    prepare(target, create=create and not read_only, read_only=read_only)


def _unwritable(target: str) -> str | None:
    """Why an existing database file cannot be written here (None when it can, or when it does not exist yet)."""
    import os

    from labreview.store.location import sqlite_path

    path = sqlite_path(target)
    if path is None or not path.is_file():
        return None
    if not os.access(path, os.W_OK):
        return f"{path} cannot be written by you"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"the folder {path.parent} cannot be written by you, and SQLite needs it for {path.name}"
    return None


def cmd_open(args: argparse.Namespace) -> int:
    config = _config(args)
    scratch: Path | None = None
    if args.demo:
        if getattr(args, "db", None):
            raise CliError("--demo opens a scratch copy of the sample; leave out --db.")
        scratch, target = _demo_copy()
        create = False
    else:
        target, create = _target(args)
    read_only = args.read_only
    try:
        reason = None if read_only else _unwritable(target)
        if reason:
            print(f"labreview: {reason}; opening it read-only (nothing can be changed).", file=sys.stderr)
            read_only = True
        _prepare(target, create=create, read_only=read_only)
        if create and not read_only:
            _ensure_defaults(target, config)
        from labreview.app import make_app  # deferred: Textual is only needed to open the app

        app = make_app(
            target, config=config, read_only=read_only, demo=args.demo, checked=True, preview=_preview(target)
        )
        app.run()
        return app.return_code or 0
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _preview(target: str):
    """The first screen's rows, read with the standard library so that the first frame shows them."""
    from labreview.store.location import sqlite_path
    from labreview.store.peek import first_screen

    path = sqlite_path(target)
    return first_screen(path) if path is not None and path.is_file() else None


def cmd_init(args: argparse.Namespace) -> int:
    target, _default = _target(args)
    from labreview.store.database import State, probe
    from labreview.store.location import is_url

    if not is_url(target):
        found = probe(target)
        if found.state is State.CURRENT:
            print(f"{target} is already a labreview portfolio; nothing to do.")
            return 0
        if found.state is not State.MISSING and found.state is not State.EMPTY:
            raise CliError(found.message)
    _prepare(target, create=True)
    _ensure_defaults(target, _config(args))
    print(f"Created an empty portfolio at {target}")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    target, _default = _target(args)
    from labreview.store.database import State, probe
    from labreview.store.location import is_url

    state = State.CURRENT
    if not is_url(target):
        found = probe(target)
        if found.state not in (State.CURRENT, State.OLDER):
            raise CliError(found.message)
        state = found.state
    from sqlalchemy.exc import SQLAlchemyError  # deferred: only this command and the app need SQLAlchemy

    from labreview.portfolio.service import Portfolio
    from labreview.store.engine import make_engine

    portfolio = Portfolio(make_engine(target, read_only=True), read_only=True)
    try:
        verdict = portfolio.verify_audit(anchor=args.anchor)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise CliError(f"Cannot read the audit log of {target}: {reason}.") from exc
    finally:
        portfolio.close()
    print(verdict.message)
    if verdict.ok and verdict.head:
        print(f"head: {verdict.head}")
    if state is State.OLDER:
        print("note: this database has an older schema without a head record, so a log cut short at its end")
        print("      cannot be seen; opening it once with labreview upgrades it.")
    return 0 if verdict.ok else 1


def _ensure_defaults(target: str, config) -> None:
    from labreview.portfolio import Portfolio

    portfolio = Portfolio.open(target, actor=SETUP_ACTOR)
    try:
        portfolio.ensure_defaults()
    finally:
        portfolio.close()


def _open_portfolio(args: argparse.Namespace):
    """The portfolio named by --db or $LABREVIEW_DB (or the default), which must already exist."""
    target, _default = _target(args)
    _prepare(target, create=False)
    return _portfolio_at(target, _config(args), strict=bool(getattr(args, "as_person", None)))


def _portfolio_at(target: str, config, *, strict: bool = False):
    """The portfolio at ``target``, already checked by ``_prepare``, acting as the configured person.

    ``--as NAME`` (or the config's ``actor``) must be a person of the portfolio; without it the
    audit log names the session's facilitator, never the login. The weights are the portfolio's.
    """
    from labreview.portfolio import Portfolio
    from labreview.store.engine import make_engine

    portfolio = Portfolio(make_engine(target), actor=None)
    if config.who:
        try:
            portfolio.act_as(config.who)
        except DomainError as exc:
            if strict:
                portfolio.close()
                raise CliError(f"{exc.message} (--as names who you are in the portfolio)") from exc
            # The config's actor is not a person of this portfolio: the session's facilitator acts.
    return portfolio


def _refuse_existing(path: Path, force: bool) -> None:
    """Fail before doing the work when the output would be refused anyway."""
    if path.exists() and not path.is_dir() and not force:
        raise CliError(f"{path} already exists; use --force to overwrite it.")


def _write_output(target: str, text: str, force: bool, what: str) -> None:
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from labreview.exchange.files import write_atomic

    written = write_atomic(target, text, force=force)
    print(f"Wrote {what} to {written}")


def cmd_minutes(args: argparse.Namespace) -> int:
    from labreview.domain.vocabulary import Quarter
    from labreview.exchange.minutes import default_filename

    quarter = str(Quarter.parse(args.quarter))
    output = args.output or default_filename(quarter)
    if output != "-":
        _refuse_existing(Path(output), args.force)
    target, _default = _target(args)
    _prepare(target, create=False)
    text = _minutes_text(target, quarter, _config(args))
    _write_output(output, text, args.force, f"the {quarter} minutes")
    return 0


def _minutes_text(target: str, quarter: str, config) -> str:
    """The minutes, read from an SQLite file with plain ``sqlite3`` (no SQLAlchemy to import: the command
    takes a fraction of a second), or through the service layer for a database given by another URL."""
    import sqlite3

    from labreview.domain.errors import StorageError
    from labreview.exchange.minutes import render_records
    from labreview.store.location import sqlite_path

    path = sqlite_path(target)
    try:
        if path is None:
            from labreview.portfolio import records  # deferred: pulls in the service layer

            portfolio = _portfolio_at(target, config)
            try:
                data = records.minutes_records(portfolio, quarter)
            finally:
                portfolio.close()
        else:
            from labreview.portfolio import minutes_data
            from labreview.store.database import connect_read_only

            connection = connect_read_only(path)
            try:
                data = minutes_data.read(connection, quarter)  # the portfolio's own weights
            finally:
                connection.close()
    except sqlite3.Error as exc:  # both read with the sqlite3 driver (records.minutes_records too)
        raise StorageError(f"{path or target} could not be read: {exc}.") from exc
    return render_records(data)


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
    portfolio = _open_portfolio(args)
    from labreview.portfolio.gc_pause import collector_paused

    # Reading, checking and writing a large file make a million small objects without cycles that live until the
    # report is printed; with the collector running again before they are freed, its next collections would walk
    # them all (measured: ~0.3 s for 100,000 rows). It stays paused until they are, when _import returns.
    with collector_paused():
        return _import(args, portfolio)


def _import(args: argparse.Namespace, portfolio) -> int:
    """``cmd_import`` once the portfolio is open; what it read and reported is freed when it returns."""
    from labreview.exchange import csvio

    bar = _ProgressBar()
    try:
        parsed, report = csvio.import_file(
            portfolio, args.file, dry_run=args.dry_run, skip_invalid=args.skip_invalid, progress=bar
        )
        currency = portfolio.currency
    finally:
        bar.close()
        portfolio.close()
    if args.dry_run:
        print(f"Dry run of {args.file}: nothing was written.")
    limit = None if args.dry_run else 50
    for line in csvio.describe(parsed, report, currency=currency, detail_limit=limit):
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
    from labreview.exchange import csvio

    if args.file != "-":
        _refuse_existing(Path(args.file), args.force)
    portfolio = _open_portfolio(args)
    try:
        exported = csvio.backlog_csv(portfolio)
    finally:
        portfolio.close()
    _write_output(args.file, exported.text, args.force, f"{exported.rows:,} initiatives")
    return 0


def cmd_export_decisions(args: argparse.Namespace) -> int:
    from labreview.exchange import csvio

    if args.file != "-":
        _refuse_existing(Path(args.file), args.force)
    portfolio = _open_portfolio(args)
    try:
        exported = csvio.decisions_csv(portfolio, args.quarter)
    finally:
        portfolio.close()
    _write_output(args.file, exported.text, args.force, f"{exported.rows:,} decisions")
    return 0


def cmd_board_list(args: argparse.Namespace) -> int:
    portfolio = _open_portfolio(args)
    try:
        board = portfolio.board()
    finally:
        portfolio.close()
    if not board:
        print("The board is empty; add members with: labreview board add NAME --role ROLE")
    for person in board:
        print(f"{person.name} — {person.role_label}" + (f" <{person.email}>" if person.email else ""))
    return 0


def cmd_board_add(args: argparse.Namespace) -> int:
    portfolio = _open_portfolio(args)
    try:
        person = portfolio.add_board_member(args.name, args.role, email=args.email)
    finally:
        portfolio.close()
    print(f"{person.name} is on the board as {person.role_label}.")
    return 0


def _demo_copy() -> tuple[Path, str]:
    from labreview.paths import sample_database

    source = sample_database()
    if not source.is_file() or source.stat().st_size == 0:
        raise CliError(f"The sample portfolio is missing at {source}; reinstall labreview.")
    folder = Path(tempfile.mkdtemp(prefix="labreview-demo-"))
    target = folder / "sample.db"
    shutil.copyfile(source, target)
    target.chmod(0o644)
    return folder, str(target)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
