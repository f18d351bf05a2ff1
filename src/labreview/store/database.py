"""Opening a portfolio database: check it, back it up and upgrade it, or refuse it clearly.

``probe`` uses only the standard library's ``sqlite3`` so that the command line
can answer "missing", "not a labreview database" or "made by a newer labreview"
in milliseconds, before SQLAlchemy or Alembic are imported.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from urllib.parse import quote

from labreview.domain.errors import StorageError
from labreview.store.location import readonly_uri
from labreview.store.probing import Probe, State
from labreview.store.schema import HEAD, REVISIONS, TABLES

SQLITE_MAGIC = b"SQLite format 3\x00"
QUICK_CHECK_LIMIT = 16 * 1024 * 1024
"""Files up to this size have every page checked when they are opened (a few milliseconds)."""


def probe(path: str | Path) -> Probe:
    """What is at ``path``: nothing, an empty file, a labreview database of some revision, or junk.
    A server URL is asked over one short connection (``store.server.probe``)."""
    from labreview.store.location import is_url, sqlite_path

    if is_url(path):
        file = sqlite_path(path)
        if file is None:
            from labreview.store.server import probe as probe_server

            return probe_server(str(path))
        path = file
    path = Path(path).expanduser().resolve()
    if not path.exists():
        return Probe(path, State.MISSING)
    if path.is_dir():
        return Probe(path, State.UNREADABLE, detail="it is a directory")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        return Probe(path, State.UNREADABLE, detail=exc.strerror or str(exc))
    if not header:
        return Probe(path, State.EMPTY)
    if header != SQLITE_MAGIC:
        return Probe(path, State.CORRUPT, detail="not an SQLite file")
    size = path.stat().st_size
    cut = _truncated(path, size)
    if cut:
        return Probe(path, State.CORRUPT, detail=cut)
    try:
        connection = sqlite3.connect(readonly_uri(path), uri=True, timeout=5)
    except StorageError as exc:
        return Probe(path, State.UNREADABLE, detail=exc.message)
    except sqlite3.Error as exc:
        return Probe(path, State.UNREADABLE, detail=str(exc))
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return Probe(path, State.EMPTY)
        if "alembic_version" not in tables:
            return Probe(path, State.FOREIGN)
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        # Reading every page costs about a second per 300 MiB; a large file is checked in the
        # background once the app is up (see ``integrity``) instead of before the first frame.
        quick = connection.execute("PRAGMA quick_check").fetchone() if size <= QUICK_CHECK_LIMIT else ("ok",)
    except sqlite3.OperationalError as exc:
        if _transient(exc):  # locked, busy, an I/O error: the file may be fine
            return Probe(path, State.UNREADABLE, detail=str(exc))
        return Probe(path, State.CORRUPT, detail=str(exc))
    except sqlite3.DatabaseError as exc:
        return Probe(path, State.CORRUPT, detail=str(exc))
    finally:
        connection.close()
    if quick is None or quick[0] != "ok":
        return Probe(
            path,
            State.CORRUPT,
            detail=f"integrity check: {' / '.join(quick[0].splitlines()) if quick else 'no answer'}",
        )
    revision = row[0] if row else None
    if revision in TABLES:
        ours = tables - {"alembic_version", "sqlite_sequence"}
        if not ours & TABLES[revision]:
            return Probe(path, State.FOREIGN, revision)
        missing = sorted(TABLES[revision] - ours)
        if missing:
            names = ", ".join(missing)
            detail = f"the table{'s' * (len(missing) > 1)} {names}"
            return Probe(path, State.INCOMPLETE, revision, detail, tuple(missing))
    if revision == HEAD:
        return Probe(path, State.CURRENT, revision)
    if revision in REVISIONS:
        return Probe(path, State.OLDER, revision)
    if revision is None:
        return Probe(path, State.FOREIGN)
    return Probe(path, State.NEWER, revision)


def sqlite_problem(exc: BaseException) -> str:
    """What an SQLite error means, in words for a person: damage is called damage only when it is damage
    (a locked database or a failing disk says nothing about the file's contents)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    low = text.lower()
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in low or "not a database" in low:
        return f"the database file is damaged ({text}); restore it from a backup"
    if name.startswith("SQLITE_FULL") or "database or disk is full" in low:
        return "the disk is full; free some space and try again"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in low or "busy" in low:
        return "the database is locked by another program for longer than labreview waits; try again"
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in low:
        return (
            "the disk reported an input/output error (a failing disk, or a network or removable drive "
            "that went away); the file itself may be fine: check the drive and try again"
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in low or "read-only" in low:
        return "the database cannot be written here"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in low:
        return f"the database file cannot be opened ({text})"
    if "no such table" in low or "no such column" in low:
        return f"part of the portfolio is missing ({text}): it was damaged or edited by hand; restore it from a backup"
    return text


def _transient(exc: sqlite3.Error) -> bool:
    """An error that says nothing about the file's contents: another process holds it, or the disk failed."""
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_NOMEM"))


def _truncated(path: Path, size: int) -> str:
    """Why the file is shorter than its own header says ("" when it is not): a cut copy, a full disk."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError:
        return ""
    if len(header) < 100:
        return "the file is cut short"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96]  # the page count is kept current by SQLite since 3.7.0
    if valid and pages and size < pages * page_size:
        return f"the file is cut short: {size:,} of {pages * page_size:,} bytes"
    return ""


def integrity(path: str | Path) -> str:
    """``"ok"``, or what SQLite's ``quick_check`` found wrong (reads every page: run it in the background)."""
    try:
        connection = sqlite3.connect(readonly_uri(Path(path)), uri=True, timeout=5)
        try:
            row = connection.execute("PRAGMA quick_check").fetchone()
        finally:
            connection.close()
    except (sqlite3.Error, StorageError) as exc:
        return str(exc)
    return row[0] if row else "no answer"


def require_whole(path: str | Path) -> None:
    """Before writing: refuse a file with damaged pages, even one too large for ``probe`` to have read page by
    page (``StorageError``). Writing into a damaged file spreads the damage; it is repaired or restored first.
    Costs one ``quick_check`` of a large file (about a second per 300 MiB); small files were checked by ``probe``."""
    path = Path(path)
    try:
        if path.stat().st_size <= QUICK_CHECK_LIMIT:
            return
    except OSError:
        return
    verdict = integrity(path)
    if verdict != "ok":
        raise StorageError(
            f"{path} is damaged ({verdict.splitlines()[0]}), so nothing is written to it; "
            "restore it from a backup (or repair it with sqlite3's .recover) first."
        )


def connect_read_only(path: str | Path, *, timeout: float = 5) -> sqlite3.Connection:
    """A plain ``sqlite3`` connection that only reads ``path`` (see ``readonly_uri``), in autocommit mode:
    the caller begins a transaction when it wants several reads to see one moment."""
    connection = sqlite3.connect(readonly_uri(path), uri=True, timeout=timeout, isolation_level=None)
    connection.execute("PRAGMA query_only = ON")
    return connection


def backup(path: Path, revision: str | None, *, now: dt.datetime | None = None) -> Path:
    """Copy the database (consistently, through SQLite's backup API) beside itself."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{revision or 'new'}-{stamp}.bak")
    source = sqlite3.connect(f"file:{quote(path.as_posix())}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target


def copy_consistent(path: Path, destination: Path) -> Path:
    """Copy the database at ``path`` to ``destination`` through SQLite's backup API: one consistent moment,
    the changes still in the ``-wal`` file included, even while the app writes to it. The copy is made
    beside ``destination`` and renamed over it once complete, so a reader never sees half of it."""
    import contextlib
    import os
    import tempfile

    folder = destination.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=folder)
        os.close(handle)
    except OSError as exc:
        raise StorageError(f"Cannot write in {folder}: {exc.strerror or exc}.") from exc
    try:
        source = sqlite3.connect(readonly_uri(path), uri=True, timeout=10)
        try:
            copy = sqlite3.connect(temporary)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                copy.close()
        finally:
            source.close()
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o600)  # a portfolio is not for everybody to read
        os.replace(temporary, destination)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else sqlite_problem(exc)
        raise StorageError(f"Cannot back up {path} to {destination}: {reason}.") from exc
    return destination


def upgrade(target: str | Path) -> None:
    """Bring the schema to HEAD with Alembic (imported here: it is only needed on upgrade)."""
    from alembic import command  # deferred: costs ~100 ms and is rarely needed
    from alembic.config import Config

    from labreview.store.engine import make_engine

    engine = make_engine(target)
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                # Batch migrations copy tables; foreign keys must be off while they do
                # (the pragma is ignored inside a transaction, so set it before BEGIN).
                connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
            else:  # two labreviews setting up or upgrading one server database at once: one waits
                from labreview.store.engine import WRITE_LOCK

                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
    finally:
        engine.dispose()


def prepare(target: str | Path, *, create: bool = False, read_only: bool = False) -> Probe:
    """Check the database at ``target``, creating or upgrading it as needed.

    With ``read_only`` nothing is written: a database that would need creating or
    upgrading is refused instead. Raises ``StorageError`` with a one-line message
    for everything a person has to fix. Returns the probe of the database as it was found.
    """
    from labreview.store.location import sqlite_path

    path = sqlite_path(target)
    if path is None:
        return _prepare_server(str(target), create=create, read_only=read_only)
    found = probe(path)
    if read_only and found.state is State.OLDER:
        raise StorageError(
            f"{path} has an older schema ({found.revision}) and must be upgraded before it can be read, "
            "which needs write access; open it once where it can be written."
        )
    if read_only and found.state is State.EMPTY:
        raise StorageError(f"{path} is not set up as a portfolio yet; there is nothing to open read-only.")
    if found.state is State.MISSING and create:
        _ensure_directory(path.parent)
    elif found.state in (
        State.MISSING,
        State.NEWER,
        State.FOREIGN,
        State.CORRUPT,
        State.INCOMPLETE,
        State.UNREADABLE,
    ):
        raise StorageError(found.message)
    if found.state is State.OLDER:
        try:
            backup(path, found.revision)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"Cannot back up {path} before upgrading it: {exc}.") from exc
    if found.state is not State.CURRENT:
        try:
            upgrade(target)
        except Exception as exc:
            raise StorageError(f"Cannot set up the database at {path}: {_reason(exc)}.") from exc
    return found


def _prepare_server(target: str, *, create: bool, read_only: bool) -> Probe:
    """A database on a server: set up only when asked to (``create``, on an empty database), upgraded only by
    ``labreview db upgrade`` (``upgrade``), never as a side effect of opening it: others share it."""
    from labreview.store.server import server_problem

    found = probe(target)
    if found.state is State.CURRENT:
        return found
    if found.state is State.EMPTY and create and not read_only:
        try:
            upgrade(target)
        except StorageError:
            raise
        except Exception as exc:
            raise StorageError(f"Cannot set up the database at {found.shown}: {server_problem(exc)}.") from exc
        return found
    if found.state is State.EMPTY and read_only:
        raise StorageError(f"{found.shown} holds no portfolio yet; there is nothing to open read-only.")
    raise StorageError(found.message)


def _ensure_directory(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"Cannot create the folder {directory}: {exc.strerror or exc}.") from exc
    probe_file = directory / ".labreview-write-test"
    try:
        probe_file.write_bytes(b"")
        probe_file.unlink()
    except OSError as exc:
        raise StorageError(f"Cannot write in {directory}: {exc.strerror or exc}.") from exc


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).splitlines()[0] if str(original) else type(original).__name__
