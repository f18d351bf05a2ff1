"""The database a test runs on: an SQLite file (the default) or a PostgreSQL database on a real server.

``LABREVIEW_TEST_BACKEND=postgres`` runs the suite on PostgreSQL; ``LABREVIEW_TEST_PG`` is the server's
maintenance URL (default ``postgresql+psycopg://postgres@127.0.0.1:54329/postgres``, the private cluster
that ``.ci/run`` starts). Each test gets its own database, cloned from a migrated template made once per
test process (``CREATE DATABASE … TEMPLATE``: about 0.1 s, where migrating takes about a second).

Without a server, the PostgreSQL-only tests are skipped, except under ``CI=true``, where a missing server
is a failure: CI installs and starts one.
"""

from __future__ import annotations

import itertools
import os
import uuid
from contextlib import contextmanager

import pytest

BACKEND = os.environ.get("LABREVIEW_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"
if BACKEND not in ("sqlite", "postgres"):
    raise SystemExit(f"LABREVIEW_TEST_BACKEND must be sqlite or postgres, not {BACKEND!r}")
SERVER = os.environ.get("LABREVIEW_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:54329/postgres")
ON_CI = os.environ.get("CI", "").lower() == "true"

_names = itertools.count()
_run = uuid.uuid4().hex[:8]


def _driver_url(url: str) -> str:
    """The URL as libpq reads it (no SQLAlchemy driver suffix)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _database_url(name: str) -> str:
    base, _, _ = SERVER.rpartition("/")
    return f"{base}/{name}"


class Server:
    """The test server: makes and drops databases with an autocommit connection."""

    def __init__(self) -> None:
        self._template: str | None = None
        self._sample: str | None = None
        self._made: list[str] = []
        """Sample databases handed out without a fixture to drop them: dropped when the tests end."""
        self.problem = ""
        try:
            import psycopg

            self._psycopg = psycopg
            with psycopg.connect(_driver_url(SERVER), autocommit=True, connect_timeout=3):
                pass
        except Exception as exc:  # no driver, no server, wrong password: said once, the tests skip or fail
            self.problem = f"no PostgreSQL test server at {SERVER}: {str(exc).splitlines()[0] if str(exc) else exc}"

    def _execute(self, sql: str) -> None:
        with self._psycopg.connect(_driver_url(SERVER), autocommit=True) as connection:
            connection.execute(sql)

    def fresh(self, *, migrated: bool = True) -> str:
        """The URL of a new database: migrated to the schema's head (cloned from the template), or empty."""
        name = f"lrt_{_run}_{os.getpid()}_{next(_names)}"
        if migrated:
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template()}"')
        else:
            self._execute(f'CREATE DATABASE "{name}"')
        return _database_url(name)

    def fresh_icu(self, locale: str = "en-US") -> str:
        """The URL of a new database whose default collation is ICU's ``locale`` (``A_3 a-1 A-2``: case and
        punctuation weigh last), migrated to the schema's head (a skip when the server cannot make one)."""
        name = f"lrt_{_run}_{os.getpid()}_{next(_names)}_icu"
        try:
            self._execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{locale}'")
        except self._psycopg.Error as exc:  # a server built without ICU
            pytest.skip(f"the test server cannot make an ICU database: {exc}")
        from labreview.store.database import prepare

        url = _database_url(name)
        prepare(url, create=True)
        return url

    def template(self) -> str:
        if self._template is None:
            from labreview.store.database import prepare

            name = f"lrt_{_run}_{os.getpid()}_template"
            self._execute(f'CREATE DATABASE "{name}"')
            prepare(_database_url(name), create=True)
            self._template = name
        return self._template

    def sample(self) -> str:
        """The URL of a new database holding the sample portfolio: cloned from a template that
        ``labreview db copy``'s code (``store.transfer.copy_portfolio``) filled from ``data/sample.db``."""
        if self._sample is None:
            from labreview.store.transfer import copy_portfolio
            from tests.conftest import SAMPLE

            name = f"lrt_{_run}_{os.getpid()}_sample"
            self._execute(f'CREATE DATABASE "{name}"')
            copy_portfolio(SAMPLE, _database_url(name))
            self._sample = name
        name = f"lrt_{_run}_{os.getpid()}_{next(_names)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._sample}"')
        self._made.append(name)
        return _database_url(name)

    def drop(self, url: str) -> None:
        name = url.rpartition("/")[2]
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        for name in (*self._made, self._template, self._sample):
            if name is not None:
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._template = self._sample = None


@contextmanager
def connection_to(url: str):
    """An SQLAlchemy connection to the database at ``url`` (its engine disposed after)."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


_server: Server | None = None


def server() -> Server:
    """The test server, or a skip (a failure under CI=true) when there is none."""
    global _server
    if _server is None:
        _server = Server()
    if _server.problem:
        if ON_CI:
            pytest.fail(_server.problem + " (CI=true: .ci/run starts one)", pytrace=False)
        pytest.skip(_server.problem)
    return _server


def close() -> None:
    if _server is not None and not _server.problem:
        _server.close()
