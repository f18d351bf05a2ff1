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
from typing import NoReturn

from labreview import __version__
from labreview.domain.errors import DomainError

EXIT_USAGE = 2
SETUP_ACTOR = "labreview init"
"""The audit log's actor for setting up a new portfolio (default settings and gate templates)."""


class CliError(Exception):
    """A problem reported as one line on stderr with exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error said in one line (argparse's own prints the usage and the error on
    two or three); ``--help`` is unchanged. Sub-parsers are made of this class too."""

    def error(self, message: str) -> NoReturn:
        usage = " ".join(self.format_usage().split())
        self.exit(EXIT_USAGE, f"{self.prog}: {' '.join(message.split())} ({usage}; more with --help)\n")


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help="portfolio database: a file path or an sqlite:/// URL (default: $LABREVIEW_DB, "
        "else portfolio.db in your user data folder)",
    ).complete = _FILES  # type: ignore[attr-defined]
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="write a log for a post-mortem to labreview.log in your user log folder (labreview paths shows it)",
    )
    common.add_argument(
        "--as",
        dest="as_person",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="who you are in the portfolio, for the audit log (default: the session's facilitator)",
    )
    parser = _Parser(
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

    board = commands.add_parser("board", help="list the review board, or add a member")
    members = board.add_subparsers(dest="what", metavar="ACTION", required=True)
    listing = members.add_parser("list", parents=[common], help="the board members and their roles")
    listing.set_defaults(run=cmd_board_list)
    add = members.add_parser("add", parents=[common], help="add a board member (or give a person a board role)")
    add.add_argument("name", metavar="NAME", help='the person\'s name, e.g. "Priya Raman"')
    add.add_argument("--role", required=True, choices=_Listed(_roles()), help="the member's role on the board")
    add.add_argument("--email", default="", metavar="EMAIL")
    add.set_defaults(run=cmd_board_add)

    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="copy the portfolio consistently, also while the app is open",
        description="Copy the portfolio to FILE through SQLite's backup API: every committed change is in the "
        "copy, including those still in the -wal file (which a plain cp misses).",
    )
    backup.add_argument("file", metavar="FILE", help="the copy to write")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.set_defaults(run=cmd_backup)

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
        metavar="HASH|MINUTES",
        default=None,
        help="a record hash printed by an earlier verify, or a minutes file (which carries the head of the log "
        "when it was written); that record must still be in the log",
    )
    verify.set_defaults(run=cmd_audit_verify)

    completion = commands.add_parser(
        "completion",
        help="print a shell completion script",
        description="Print a completion script for SHELL. Bash: labreview completion bash > "
        "~/.local/share/bash-completion/completions/labreview; zsh: labreview completion zsh > "
        "~/.zfunc/_labreview (with ~/.zfunc in fpath).",
    )
    completion.add_argument("shell", metavar="SHELL", choices=("bash", "zsh", "tcsh"), help="bash, zsh or tcsh")
    completion.set_defaults(run=cmd_completion)
    paths = commands.add_parser(
        "paths", parents=[common], help="print where the portfolio, the settings and the logs are"
    )
    paths.set_defaults(run=cmd_paths)

    from labreview.cli_quarters import add_commands

    add_commands(commands, common)
    return parser


_FILES = {"bash": "_shtab_compgen_files", "zsh": "_files", "tcsh": "f"}
"""What shtab completes a file argument with (``shtab.FILE``, without importing shtab to build the parser)."""


class _Listed(tuple):
    """Choices shown in help and offered by shell completion, where a value outside them is left to the service,
    which refuses it in one line with the reason (argparse's own refusal would print the usage as well)."""

    def __contains__(self, value: object) -> bool:
        return True


def cmd_completion(args: argparse.Namespace) -> int:
    import shtab  # deferred: only this command needs it

    sys.stdout.write(shtab.complete(build_parser(), shell=args.shell))
    return 0


def cmd_paths(args: argparse.Namespace) -> int:
    """The database, config file, log folder and sample in use, and where each choice came from."""
    import os
    import re

    from labreview.paths import CONFIG_ENV, config_file, database_from_environment, log_folder, sample_database
    from labreview.store.location import sqlite_path

    explicit = getattr(args, "db", None)
    from_environment = database_from_environment()
    if explicit:
        database, source = explicit, "from --db"
    elif from_environment:
        database, source = from_environment, "from LABREVIEW_DB"
    else:
        from labreview.paths import default_database

        database, source = str(default_database()), "default"
    path = sqlite_path(database)
    if path is not None and not path.exists():
        source += "; not created yet"
    shown = re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", database)
    config = config_file()
    config_source = f"from {CONFIG_ENV}" if os.environ.get(CONFIG_ENV, "").strip() else "default"
    if not config.exists():
        config_source += "; not created yet"
    print(f"database: {shown} ({source})")
    print(f"config:   {config} ({config_source})")
    print(f"logs:     {log_folder()}")
    print(f"sample:   {sample_database()}")
    return 0


def _debug_log(argv: Sequence[str] | None) -> Path:
    """Send labreview's log records (and library warnings) to ``labreview.log`` in the user log folder."""
    import faulthandler
    import logging
    import platform
    import shlex

    from labreview.paths import log_folder

    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "labreview.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger("labreview").setLevel(logging.DEBUG)
    logging.captureWarnings(True)
    faulthandler.enable(handler.stream)  # a crash of the interpreter itself leaves its tracebacks in the log
    words = list(sys.argv[1:] if argv is None else argv)
    logging.getLogger("labreview").info(
        "labreview %s, Python %s on %s: labreview %s",
        __version__,
        platform.python_version(),
        platform.platform(),
        shlex.join(words),
    )
    print(f"labreview: debug log: {path}", file=sys.stderr)
    return path


def _logged(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``run`` with its outcome in the debug log: the exit code, a refusal's reason, or the traceback."""
    import logging

    log = logging.getLogger("labreview")

    def logged(args: argparse.Namespace) -> int:
        try:
            code = run(args)
        except (CliError, DomainError) as exc:
            log.info("refused (exit %d): %s", EXIT_USAGE, exc)
            raise
        except BaseException:
            log.exception("ended by an exception")
            raise
        log.info("exit %s", code)
        return code

    return logged


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


def _roles() -> list[str]:
    from labreview.domain.vocabulary import BoardRole

    return [role.value for role in BoardRole]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = getattr(args, "run", cmd_open)
    if getattr(args, "debug", False):
        _debug_log(argv)
        run = _logged(run)
    try:
        code = run(args)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, while it can still be said in one line
    except (CliError, DomainError) as exc:
        return _refuse(str(exc))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        if not _output_failed(exc):
            raise
        if argv is None:
            _silence_stdout()
        if isinstance(exc, BrokenPipeError):
            return _refuse("standard output was closed before everything was written (broken pipe).")
        return _refuse(f"cannot write to standard output: {exc.strerror or exc}.")
    except Exception as exc:
        reason = _database_failure(exc)
        if reason is None:
            raise
        return _refuse(reason)
    if argv is None and run is cmd_import:
        _before_exit()
    return code


def _refuse(message: str) -> int:
    """One line on stderr (whatever the message holds), exit code 2."""
    print(f"labreview: {_printable(' '.join(message.split()))}", file=sys.stderr)
    return EXIT_USAGE


def _output_failed(exc: OSError) -> bool:
    """Whether ``exc`` is standard output refusing what was printed (a closed pipe, a full or failing device)."""
    import errno

    return isinstance(exc, BrokenPipeError) or (
        exc.filename is None and exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG, errno.EPIPE)
    )


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's own flush at exit does not fail a second time."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _database_failure(exc: Exception) -> str | None:
    """A sentence for a database error that reached the command line (None for anything else: a bug)."""
    import sqlite3

    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.SQLAlchemyError):
        original = getattr(exc, "orig", None) or exc
    elif isinstance(exc, sqlite3.Error):
        original = exc
    else:
        return None
    from labreview.store.database import sqlite_problem

    return f"The database could not be used: {sqlite_problem(original)}."


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


def _prepare(target: str, *, create: bool, read_only: bool = False, writes: bool = False) -> None:
    """Check the database cheaply; upgrade or create it only when needed (Alembic is slow to import).

    ``writes``: a command is about to change it, so a large file is first read page by page (``probe`` reads
    only files up to 16 MiB so): a damaged one is refused. The app does that check in the background instead.
    """
    from labreview.store.database import State, prepare, probe, require_whole
    from labreview.store.location import is_url

    if is_url(target):
        prepare(target, create=create and not read_only, read_only=read_only)
        return
    found = probe(target)
    if found.state in (State.CURRENT, State.OLDER) and writes:
        require_whole(found.path)
    if found.state is not State.CURRENT:
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
    restore: Callable[[], None] = lambda: None  # noqa: E731  (the demo's signal handlers, once installed)
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
        if not _has_terminal():
            raise CliError(
                "the app needs a terminal, and standard input or output is not one; "
                "labreview --help lists the commands that work without."
            )
        from labreview.ui.app import make_app  # deferred: Textual is only needed to open the app

        app = make_app(
            target, config=config, read_only=read_only, demo=args.demo, checked=True, preview=_preview(target)
        )
        if scratch is not None:
            restore = _remove_on_signals(scratch, app)
        app.run()
        return app.return_code or 0
    finally:
        if scratch is not None:
            restore()
            shutil.rmtree(scratch, ignore_errors=True)


def _has_terminal() -> bool:
    """Whether standard input and output are a terminal, which the app reads keys from and draws on."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _remove_on_signals(scratch: Path, app) -> Callable[[], None]:
    """Remove the demo's scratch copy when SIGHUP (the terminal closed) or SIGTERM ends the app; returns what
    puts the previous handlers back.

    The copy goes first, in the handler; then the app is asked to exit (restoring the terminal), with the exit
    code of the signal; a daemon timer ends the process if the app cannot finish (a hung-up terminal).
    """
    import asyncio
    import os
    import signal
    import threading

    def handler(signum: int, _frame: object) -> None:
        shutil.rmtree(scratch, ignore_errors=True)
        code = 128 + signum
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # the app is not running (yet or any more)
            raise SystemExit(code) from None
        timer = threading.Timer(5.0, os._exit, (code,))
        timer.daemon = True
        timer.start()
        loop.call_soon_threadsafe(lambda: app.exit(None, code))

    previous = {}
    for name in ("SIGHUP", "SIGTERM"):
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, handler)

    def restore() -> None:
        for number, old in previous.items():
            signal.signal(number, old)

    return restore


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
        # A missing head is for the audit log's check to report as tampering, not a reason to refuse reading it.
        head_only = found.state is State.INCOMPLETE and found.missing == ("audit_head",)
        if found.state not in (State.CURRENT, State.OLDER) and not head_only:
            raise CliError(found.message)
        state = found.state
    from sqlalchemy.exc import SQLAlchemyError  # deferred: only this command and the app need SQLAlchemy

    from labreview.portfolio.service import Portfolio
    from labreview.store.engine import make_engine

    anchor = _anchor(args.anchor)
    portfolio = Portfolio(make_engine(target, read_only=True), read_only=True)
    try:
        verdict = portfolio.verify_audit(anchor=anchor)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise CliError(f"Cannot read the audit log of {target}: {reason}.") from exc
    finally:
        portfolio.close()
    print(verdict.message)
    if verdict.ok and verdict.head:
        print(f"head: {verdict.head}")
    if verdict.ok and verdict.unanchored:
        print(f"note: records 1–{verdict.unanchored} were found without a head when this file was upgraded from")
        print("      schema 0001, so a cut at their end before then cannot be seen here; check it against a head")
        print("      kept from before (--anchor with older minutes or a printed hash).")
    if state is State.OLDER:
        print("note: this database has an older schema without a head record, so a log cut short at its end")
        print("      cannot be seen; opening it once with labreview upgrades it.")
    return 0 if verdict.ok else 1


def _anchor(given: str | None) -> str:
    """The record hash ``--anchor`` names: given as 64 hexadecimal digits, or read from a minutes file.
    Anything else is bad input (exit 2), never a verdict: a typo must not read as tampering, nor skip the check."""
    if given is None:
        return ""
    import re

    text = given.strip()
    if not text:
        raise CliError("--anchor needs a record hash (64 hexadecimal digits) or a minutes file; it was blank.")
    if re.fullmatch(r"[0-9a-fA-F]{64}", text):
        return text.lower()
    path = Path(text).expanduser()
    if path.is_file():
        from labreview.exchange.minutes import anchor_of

        try:
            found = anchor_of(path.read_text(encoding="utf-8", errors="replace"))
        except OSError as exc:
            raise CliError(f"Cannot read the anchor file {path}: {exc.strerror or exc}.") from exc
        if found is None:
            raise CliError(f"{path} carries no audit log head (minutes written by this labreview end with one).")
        return found
    shown = text if len(text) <= 40 and text.isprintable() else repr(text[:40]) + "…"
    raise CliError(f"--anchor {shown} is neither a record hash (64 hexadecimal digits) nor a minutes file.")


def _ensure_defaults(target: str, config) -> None:
    from labreview.portfolio import Portfolio

    portfolio = Portfolio.open(target, actor=SETUP_ACTOR)
    try:
        portfolio.ensure_defaults()
    finally:
        portfolio.close()


def _open_portfolio(args: argparse.Namespace):
    """The portfolio named by --db or $LABREVIEW_DB (or the default), which must already exist, to change it."""
    target, _default = _target(args)
    _prepare(target, create=False, writes=True)
    return _portfolio_at(target, _config(args), strict=bool(getattr(args, "as_person", None)))


def _read_portfolio(args: argparse.Namespace):
    """The portfolio named by --db or $LABREVIEW_DB (or the default), opened to read it: nothing is created,
    upgraded or switched to another journal mode, so the file keeps its bytes."""
    target, _default = _target(args)
    _check_readable(target)
    return _portfolio_at(target, _config(args), read_only=True)


def _check_readable(target: str) -> None:
    """Refuse, in one line, a file that is not a portfolio this labreview can read as it is."""
    from labreview.store.database import State, probe
    from labreview.store.location import is_url

    if is_url(target):
        from labreview.store.engine import database_url

        database_url(target)  # an in-memory or unknown kind of database is refused here
        return
    found = probe(target)
    if found.state not in (State.CURRENT, State.OLDER):
        raise CliError(found.message)


def _portfolio_at(target: str, config, *, read_only: bool = False, strict: bool = False):
    """The portfolio at ``target``, already checked, acting as the configured person.

    ``--as NAME`` (or the config's ``actor``) must be a person of the portfolio; without it the
    audit log names the session's facilitator, never the login. The weights are the portfolio's.
    """
    from labreview.portfolio import Portfolio
    from labreview.store.engine import make_engine

    portfolio = Portfolio(make_engine(target, read_only=read_only), actor=None, read_only=read_only)
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
    """The minutes, read from an SQLite file with plain ``sqlite3`` (no SQLAlchemy to import: the command
    takes a fraction of a second), or through the service layer for a database given by another URL.
    ``html``: one standalone page with the audit log's head hash in its footer, else Markdown."""
    import sqlite3

    from labreview.domain.errors import StorageError
    from labreview.exchange.minutes import render_records
    from labreview.portfolio import audit_head
    from labreview.store.location import sqlite_path

    path = sqlite_path(target)
    head = None
    try:
        if path is None:
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
        from labreview.exchange.csvio import column_reference

        print("\n".join(column_reference(shutil.get_terminal_size().columns)))
        return 0
    if not args.file:
        raise CliError("import needs a FILE to read (labreview import --columns lists the columns it may have).")
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
    portfolio = _read_portfolio(args)
    try:
        if args.format == "json":
            from labreview.exchange import jsonio

            exported = jsonio.backlog_json(portfolio)
        else:
            exported = csvio.backlog_csv(portfolio)
    finally:
        portfolio.close()
    _write_output(args.file, _with_bom(args, exported.text), args.force, f"{exported.rows:,} initiatives")
    return 0


def cmd_export_decisions(args: argparse.Namespace) -> int:
    from labreview.exchange import csvio

    if args.file != "-":
        _refuse_existing(Path(args.file), args.force)
    portfolio = _read_portfolio(args)
    try:
        if args.format == "json":
            from labreview.exchange import jsonio

            exported = jsonio.decisions_json(portfolio, args.quarter)
        else:
            exported = csvio.decisions_csv(portfolio, args.quarter)
    finally:
        portfolio.close()
    _write_output(args.file, _with_bom(args, exported.text), args.force, f"{exported.rows:,} decisions")
    return 0


def cmd_board_list(args: argparse.Namespace) -> int:
    portfolio = _read_portfolio(args)
    try:
        board = portfolio.board()
    finally:
        portfolio.close()
    if not board:
        print("The board is empty; add members with: labreview board add NAME --role ROLE")
    for person in board:
        email = f" <{_printable(person.email)}>" if person.email else ""
        print(f"{_printable(person.name)} — {person.role_label}{email}")
    return 0


def _printable(text: str) -> str:
    """Stored text for the terminal: control characters (ESC, BEL, …) and bidirectional overrides are shown
    as escapes (``\\x1b``), never sent raw, where they would act (move the cursor, set the title, ring)."""
    import unicodedata

    def shown(c: str) -> str:
        if unicodedata.category(c) == "Cc" or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069:
            return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
        return c

    return "".join(map(shown, text))


def cmd_board_add(args: argparse.Namespace) -> int:
    portfolio = _open_portfolio(args)
    try:
        person = portfolio.add_board_member(args.name, args.role, email=args.email)
    finally:
        portfolio.close()
    print(f"{_printable(person.name)} is on the board as {person.role_label}.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from labreview.exchange.files import replaceable
    from labreview.store.database import copy_consistent
    from labreview.store.location import sqlite_path

    target, _default = _target(args)
    _check_readable(target)
    path = sqlite_path(target)
    if path is None:
        raise CliError(f"backup copies an SQLite file; {target} is not one.")
    destination = replaceable(args.file, force=args.force)
    if destination.resolve() == path.resolve():
        raise CliError(f"{args.file} is the portfolio itself; give another file for the copy.")
    copy_consistent(path, destination)
    print(f"Backed up {path} to {args.file} ({destination.stat().st_size:,} bytes).")
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
