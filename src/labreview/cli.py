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


class CliError(Exception):
    """A problem reported as one line on stderr with exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help="portfolio database: a file path or an SQLAlchemy URL (default: $LABREVIEW_DB, "
        "else portfolio.db in your user data folder)",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = getattr(args, "run", cmd_open)
    try:
        return run(args)
    except (CliError, DomainError) as exc:
        print(f"labreview: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _target(args: argparse.Namespace) -> tuple[str, bool]:
    """The database to use and whether it is the default (which is created on first use)."""
    from labreview.paths import database_from_environment, default_database

    explicit = getattr(args, "db", None) or database_from_environment()
    if explicit:
        return str(explicit), False
    return str(default_database()), True


def _config():
    from labreview.config import load
    from labreview.paths import config_file

    return load(config_file())


def _prepare(target: str, *, create: bool, read_only: bool = False) -> None:
    """Check the database cheaply; upgrade or create it only when needed (Alembic is slow to import)."""
    from labreview.store.database import State, prepare, probe
    from labreview.store.engine import is_url

    if not is_url(target) and probe(target).state is State.CURRENT:
        return
    prepare(target, create=create and not read_only, read_only=read_only)


def _unwritable(target: str) -> str | None:
    """Why an existing database file cannot be written here (None when it can, or when it does not exist yet)."""
    import os

    from labreview.store.engine import sqlite_path

    path = sqlite_path(target)
    if path is None or not path.is_file():
        return None
    if not os.access(path, os.W_OK):
        return f"{path} cannot be written by you"
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return f"the folder {path.parent} cannot be written by you, and SQLite needs it for {path.name}"
    return None


def cmd_open(args: argparse.Namespace) -> int:
    config = _config()
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

        app = make_app(target, config=config, read_only=read_only, demo=args.demo)
        app.run()
        return app.return_code or 0
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def cmd_init(args: argparse.Namespace) -> int:
    target, _default = _target(args)
    from labreview.store.database import State, probe
    from labreview.store.engine import is_url

    if not is_url(target):
        found = probe(target)
        if found.state is State.CURRENT:
            print(f"{target} is already a labreview portfolio; nothing to do.")
            return 0
        if found.state is not State.MISSING and found.state is not State.EMPTY:
            raise CliError(found.message)
    _prepare(target, create=True)
    _ensure_defaults(target, _config())
    print(f"Created an empty portfolio at {target}")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    target, _default = _target(args)
    from labreview.store.database import State, probe
    from labreview.store.engine import is_url

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

    portfolio = Portfolio.open(target, actor=config.who)
    try:
        portfolio.ensure_defaults()
    finally:
        portfolio.close()


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
