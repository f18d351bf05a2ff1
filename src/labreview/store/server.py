"""A portfolio on a PostgreSQL server: what is there (``probe``), and what a server's error means in words.

The counterpart of ``store.database.probe`` for a URL: one short connection with psycopg 3 (no
SQLAlchemy engine, no pool), the schema's tables and revision read from the catalogue. Every failure a
person can fix (wrong password, no such database, no server, no driver) is a ``Probe`` in state
``UNREADABLE`` with the reason in one line; nothing is created or changed.
"""

from __future__ import annotations

from typing import Any

from labreview.domain.errors import StorageError
from labreview.store.location import MISSING_DRIVER, is_postgres_url

CONNECT_TIMEOUT_S = 10

# SQLSTATE classes and codes (PostgreSQL's appendix A) that a person can act on, in words.
SQLSTATE_WORDS = {
    "28P01": "the server refused the user name or password",
    "28000": "the server does not let this user in (pg_hba.conf)",
    "3D000": "the database does not exist on that server (create it with createdb, then labreview init)",
    "42501": "this user lacks the privileges needed (ask the server's owner for them)",
    "53100": "the server's disk is full; free some space and try again",
    "53200": "the server is out of memory; try again",
    "53300": "the server has too many connections open; try again later",
    "57P01": "the server was shut down by its administrator; try again when it is back",
    "57P02": "the server was shut down; try again when it is back",
    "57P03": "the server is starting up or shutting down; try again in a moment",
    "25006": "the database is open read-only",
    "55P03": "the database is busy with another labreview for longer than labreview waits; try again",
    "40001": "another change came in between; try again",
    "40P01": "another change came in between (deadlock); try again",
    "42P01": "part of the portfolio is missing (a table was dropped); restore it from a backup",
}


def sqlstate(exc: BaseException) -> str:
    """The SQLSTATE of a psycopg error (or of the one an SQLAlchemy error wraps), "" when there is none."""
    original = getattr(exc, "orig", None) or exc
    return getattr(original, "sqlstate", None) or ""


def from_server(exc: BaseException) -> bool:
    """Whether an error came from PostgreSQL's driver (psycopg), not SQLite's."""
    original = getattr(exc, "orig", None) or exc
    return type(original).__module__.split(".", 1)[0] == "psycopg"


def server_problem(exc: BaseException) -> str:
    """What a PostgreSQL error means, in words for a person."""
    original = getattr(exc, "orig", None) or exc
    code = sqlstate(original)
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    if code in SQLSTATE_WORDS:
        return SQLSTATE_WORDS[code]
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        return SQLSTATE_WORDS["28P01"]
    if "does not exist" in low and "database" in low:
        return SQLSTATE_WORDS["3D000"]
    if "does not exist" in low and "role" in low:
        return "the server has no user of that name"
    if "no pg_hba.conf entry" in low:
        return SQLSTATE_WORDS["28000"]
    if "fatal:" in low:  # the server answered and refused: its own words
        return text[low.index("fatal:") + 6 :].strip()
    if code.startswith("08") or any(
        words in low
        for words in (
            "connection refused",
            "could not connect",
            "timeout expired",
            "could not translate host",
            "connection failed",
            "server closed the connection",
            "no route to host",
            "name or service",
        )
    ):
        return f"the server cannot be reached ({text.removeprefix('connection failed: ')})"
    return text


def conninfo(target: str) -> tuple[str, str]:
    """libpq's URL for ``target`` and the URL as it is shown (the password as ``***``).

    Read with the standard library for ``postgresql://`` and ``postgresql+psycopg://`` (importing
    SQLAlchemy would cost about 150 ms before the first frame); anything else through the engine's checks."""
    from urllib.parse import urlsplit, urlunsplit

    _scheme, _separator, rest = str(target).partition("://")
    if not is_postgres_url(target):
        from labreview.store.engine import database_url

        url = database_url(target)
        return url.set(drivername="postgresql").render_as_string(hide_password=False), url.render_as_string(
            hide_password=True
        )
    info = "postgresql://" + rest
    parts = urlsplit(str(target))
    shown = str(target)
    if parts.password is not None:
        user, _, host = parts.netloc.rpartition("@")
        name = user.partition(":")[0]
        shown = urlunsplit(parts._replace(netloc=f"{name}:***@{host}"))
    return info, shown


class Unreachable(StorageError):
    """The server could not be asked: ``reason`` says why, in words."""

    def __init__(self, shown: str, reason: str) -> None:
        super().__init__(f"Cannot open {shown}: {reason}.")
        self.reason = reason


def connect(target: str, *, read_only: bool = True) -> Any:
    """A short psycopg connection to ``target`` (autocommit, read-only by default); ``Unreachable`` in words."""
    info, shown = conninfo(target)
    try:
        import psycopg
    except ImportError as exc:
        raise Unreachable(shown, MISSING_DRIVER.format(shown=shown).partition(": ")[2].rstrip(".")) from exc
    options = "-c default_transaction_read_only=on" if read_only else ""
    try:
        return psycopg.connect(
            info, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="labreview", options=options
        )
    except psycopg.Error as exc:
        raise Unreachable(shown, server_problem(exc)) from exc


def probe(target: str):
    """What is in the database at ``target``: nothing, a labreview portfolio of some revision, or another schema."""
    from labreview.store.probing import Probe, State
    from labreview.store.schema import HEAD, REVISIONS, TABLES

    try:
        _info, shown = conninfo(target)
    except StorageError as exc:
        return Probe(None, State.UNREADABLE, detail=exc.message, shown=str(target), server=True)
    try:
        connection = connect(target)
    except Unreachable as exc:
        return Probe(None, State.UNREADABLE, detail=exc.reason, shown=shown, server=True)
    try:
        tables = {
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        }
        if not tables:
            return Probe(None, State.EMPTY, shown=shown, server=True)
        if "alembic_version" not in tables:
            return Probe(None, State.FOREIGN, shown=shown, server=True)
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except Exception as exc:
        return Probe(None, State.UNREADABLE, detail=server_problem(exc), shown=shown, server=True)
    finally:
        connection.close()
    revision = row[0] if row else None
    if revision in TABLES:
        ours = tables - {"alembic_version"}
        if not ours & TABLES[revision]:
            return Probe(None, State.FOREIGN, revision, shown=shown, server=True)
        missing = sorted(TABLES[revision] - ours)
        if missing:
            detail = f"the table{'s' * (len(missing) > 1)} {', '.join(missing)}"
            return Probe(None, State.INCOMPLETE, revision, detail, tuple(missing), shown=shown, server=True)
    if revision == HEAD:
        return Probe(None, State.CURRENT, revision, shown=shown, server=True)
    if revision in REVISIONS:
        return Probe(None, State.OLDER, revision, shown=shown, server=True)
    if revision is None:
        return Probe(None, State.FOREIGN, shown=shown, server=True)
    return Probe(None, State.NEWER, revision, shown=shown, server=True)
