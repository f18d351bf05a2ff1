"""What the command line's commands share: the one-line refusal, which database, the config, and the
portfolio opened to read or to change it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labreview.domain.errors import DomainError

SETUP_ACTOR = "labreview init"
"""The audit log's actor for setting up a new portfolio (default settings and gate templates)."""


class CliError(Exception):
    """A problem reported as one line on stderr with exit code 2."""


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
    from labreview.store.location import is_postgres_url, is_url

    if is_url(target) and not is_postgres_url(target):  # a server URL is checked by the probe, without SQLAlchemy
        from labreview.store.engine import database_url

        database_url(target)  # an in-memory or unknown kind of database is refused here
    found = probe(target)
    readable = (State.CURRENT,) if found.server else (State.CURRENT, State.OLDER)
    if found.state not in readable:
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


def _printable(text: str) -> str:
    """Stored text for the terminal: control characters (ESC, BEL, …) and bidirectional overrides are shown
    as escapes (``\\x1b``), never sent raw, where they would act (move the cursor, set the title, ring)."""
    import unicodedata

    def shown(c: str) -> str:
        if unicodedata.category(c) == "Cc" or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069:
            return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
        return c

    return "".join(map(shown, text))
