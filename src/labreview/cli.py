"""Command line: open the app on a portfolio, or run a batch command.

Every failure a person can fix is one line on stderr and exit code 2; nothing
here prints a traceback for bad input. Heavy modules (Textual, SQLAlchemy) are
imported inside the command that needs them, so ``--version`` and the error
paths answer at once and the app paints its first frame before the store loads.

This module parses the arguments, opens the app and says failures; the batch commands live by area:
``cli_db`` (init, board, backup, audit verify), ``cli_exchange`` (minutes, import, export),
``cli_quarters`` (session, budget, weights), with what they share in ``cli_common``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from labreview import __version__, cli_db, cli_exchange
from labreview.cli_common import CliError, _config, _ensure_defaults, _prepare, _printable, _target
from labreview.cli_exchange import cmd_import
from labreview.domain.errors import DomainError

EXIT_USAGE = 2


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
        help="portfolio database: a file path, or a URL: sqlite:///FILE, postgresql://USER@HOST/DATABASE "
        "(default: $LABREVIEW_DB, "
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

    cli_db.add_init_command(commands, common)

    cli_exchange.add_commands(commands, common)

    cli_db.add_commands(commands, common)

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

    from labreview import cli_serve

    cli_serve.add_commands(commands, common)
    return parser


_FILES = {"bash": "_shtab_compgen_files", "zsh": "_files", "tcsh": "f"}
"""What shtab completes a file argument with (``shtab.FILE``, without importing shtab to build the parser)."""


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
    """The first screen's rows, read without SQLAlchemy (sqlite3, or psycopg for a PostgreSQL URL) so that
    the first frame shows them."""
    from labreview.portfolio.startup import screen_peek

    return screen_peek(target)


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
