"""Command line for the portfolio file and its board: ``labreview init``, ``board``, ``backup``, ``db copy``,
``audit verify``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from labreview.cli_common import (
    CliError,
    _check_readable,
    _config,
    _ensure_defaults,
    _open_portfolio,
    _prepare,
    _printable,
    _read_portfolio,
    _target,
)


def add_init_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``init`` to the parser's subcommands."""
    init = commands.add_parser("init", parents=[common], help="create an empty portfolio database")
    init.set_defaults(run=cmd_init)


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``board``, ``backup``, ``db`` and ``audit`` to the parser's subcommands."""
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

    database = commands.add_parser("db", help="the portfolio's database: copy it to another, upgrade its schema")
    database_commands = database.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    copy = database_commands.add_parser(
        "copy",
        help="copy a portfolio to a new or empty database (SQLite file or PostgreSQL URL), either way",
        description="Copy every table of the portfolio at SOURCE, the audit log included, to TARGET: ids, "
        "versions and timestamps as they are, so that labreview audit verify prints the same head on both. "
        "SOURCE and TARGET are each a file path or a database URL (sqlite:///…, postgresql+psycopg://…). "
        "SOURCE is only read; TARGET must be new or empty (a missing or empty file, a database without "
        "tables, or a freshly migrated one): anything holding data is refused, never overwritten. The copy "
        "is one transaction: if it fails, TARGET is left as it was.",
    )
    copy.add_argument("source", metavar="SOURCE", help="the portfolio to copy: a file path or a database URL")
    copy.add_argument("target", metavar="TARGET", help="where to copy it: a new file path or an empty database's URL")
    copy.set_defaults(run=cmd_db_copy)

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

    upgrade = database_commands.add_parser(
        "upgrade",
        parents=[common],
        help="bring the portfolio's schema to this labreview's (a file is backed up beside itself first)",
        description="Upgrade the schema of the portfolio to this labreview's. A file is copied beside itself "
        "first (and is also upgraded when the app opens it); a portfolio on a PostgreSQL server is upgraded only "
        "by this command, never as a side effect: back it up first with pg_dump -Fc -f portfolio.dump DATABASE.",
    )
    upgrade.set_defaults(run=cmd_db_upgrade)


class _Listed(tuple):
    """Choices shown in help and offered by shell completion, where a value outside them is left to the service,
    which refuses it in one line with the reason (argparse's own refusal would print the usage as well)."""

    def __contains__(self, value: object) -> bool:
        return True


def _roles() -> list[str]:
    from labreview.domain.vocabulary import BoardRole

    return [role.value for role in BoardRole]


def cmd_init(args: argparse.Namespace) -> int:
    target, _default = _target(args)
    from labreview.store.database import State, probe

    found = probe(target)
    shown = found.shown or target
    if found.state is State.CURRENT:
        print(f"{shown} is already a labreview portfolio; nothing to do.")
        return 0
    if found.state is not State.MISSING and found.state is not State.EMPTY:
        raise CliError(found.message)
    _prepare(target, create=True)
    _ensure_defaults(target, _config(args))
    print(f"Created an empty portfolio at {shown}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Bring a portfolio's schema to this labreview's: the only way a shared (server) portfolio is upgraded."""
    target, _default = _target(args)
    from labreview.store.database import State, backup, probe, upgrade
    from labreview.store.server import server_problem

    found = probe(target)
    shown = found.shown or target
    if found.state is State.CURRENT:
        print(f"{shown} already has this labreview's schema ({found.revision}); nothing to do.")
        return 0
    if found.state is not State.OLDER:
        raise CliError(found.message)
    if found.path is not None:
        copy = backup(found.path, found.revision)
        print(f"Backed up {found.path} to {copy}.")
    try:
        upgrade(target)
    except Exception as exc:  # said in words: the server's or SQLite's reason, one line
        from labreview.store.database import sqlite_problem

        reason = sqlite_problem(getattr(exc, "orig", None) or exc) if found.path else server_problem(exc)
        raise CliError(f"Cannot upgrade {shown}: {reason}; nothing was changed.") from exc
    after = probe(target)
    print(f"Upgraded {shown} from schema {found.revision} to {after.revision}.")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    target, _default = _target(args)
    from labreview.store.database import State, probe
    from labreview.store.location import is_url

    found = probe(target)
    # A missing head is for the audit log's check to report as tampering, not a reason to refuse reading it.
    head_only = found.state is State.INCOMPLETE and found.missing == ("audit_head",)
    readable = (State.CURRENT, State.OLDER) if not is_url(target) or found.path else (State.CURRENT,)
    if found.state not in readable and not head_only:
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
        raise CliError(
            f"backup copies an SQLite file; {_hidden(target)} is not one: back up a server's portfolio with pg_dump, "
            "or take an SQLite copy with labreview db copy URL FILE."
        )
    destination = replaceable(args.file, force=args.force)
    if destination.resolve() == path.resolve():
        raise CliError(f"{args.file} is the portfolio itself; give another file for the copy.")
    copy_consistent(path, destination)
    print(f"Backed up {path} to {args.file} ({destination.stat().st_size:,} bytes).")
    return 0


def cmd_db_copy(args: argparse.Namespace) -> int:
    """Copy a portfolio between SQLite and PostgreSQL (see ``store.transfer``); a running count on a terminal."""
    import sys

    from labreview.store.transfer import copy_portfolio, shown

    source, target = args.source.strip(), args.target.strip()
    if not source or not target:
        raise CliError("labreview db copy needs a SOURCE and a TARGET, each a file path or a database URL.")
    counting = sys.stderr.isatty()
    seen: dict[str, int] = {}

    def progress(table: str, rows: int) -> None:
        seen[table] = rows
        print(f"\rlabreview: copying {table}: {sum(seen.values()):,} rows", end="", file=sys.stderr, flush=True)

    try:
        result = copy_portfolio(source, target, progress=progress if counting else None)
    finally:
        if seen:
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)
    print(
        f"Copied {result.total:,} rows in {len(result.rows)} tables from {_printable(shown(source))} "
        f"to {_printable(shown(target))} in {result.seconds:.1f} s."
    )
    return 0


def _hidden(target: str) -> str:
    """A database URL as shown to a person: without its password."""
    from labreview.store.server import conninfo

    try:
        return conninfo(target)[1]
    except Exception:  # not a URL labreview reads: shown as typed (no password can be in it then)
        return target
