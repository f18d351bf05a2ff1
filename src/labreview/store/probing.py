"""What a probe found at a portfolio's place: a state and one line for a person (files and servers alike).

Kept apart from ``database`` (files, sqlite3) and ``server`` (PostgreSQL, psycopg), which both make them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class State(Enum):
    MISSING = "missing"
    EMPTY = "empty"
    CURRENT = "current"
    OLDER = "older"
    NEWER = "newer"
    FOREIGN = "foreign"
    CORRUPT = "corrupt"
    INCOMPLETE = "incomplete"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Probe:
    path: Path | None
    """The file (None for a database on a server)."""
    state: State
    revision: str | None = None
    detail: str = ""
    missing: tuple[str, ...] = ()
    """The tables a portfolio of this revision has that this file lacks (``INCOMPLETE``)."""
    shown: str = ""
    """How a server database is named to a person (its URL without the password)."""
    server: bool = False

    @property
    def message(self) -> str:
        """One line for a person."""
        where = self.shown or str(self.path)
        if self.server:
            return self._server_message(where)
        return {
            State.MISSING: f"No database at {where}. Create one with: labreview init --db {where}",
            State.EMPTY: f"{where} is an empty file, not a portfolio yet; labreview init --db {where} sets it up.",
            State.CURRENT: f"{where} is a labreview database (schema {self.revision}).",
            State.OLDER: f"{where} has an older schema ({self.revision}); it will be upgraded after a backup.",
            State.NEWER: (
                f"{where} was written by a newer labreview (schema {self.revision}); upgrade labreview to open it."
            ),
            State.FOREIGN: f"{where} is an SQLite database but not a labreview portfolio.",
            State.CORRUPT: f"{where} is not a readable SQLite database ({self.detail or 'damaged or not SQLite'}).",
            State.INCOMPLETE: (
                f"{where} is a labreview portfolio with {self.detail} missing; it was damaged or edited by hand: "
                "restore it from a backup."
            ),
            State.UNREADABLE: f"Cannot read {where}: {self.detail}.",
        }[self.state]

    def _server_message(self, where: str) -> str:
        if self.state is State.EMPTY:
            return f"{where} holds no portfolio yet; labreview init --db {where} sets it up."
        if self.state is State.OLDER:
            return (
                f"{where} has an older schema ({self.revision}); a shared portfolio is upgraded only on purpose: "
                f"back it up (pg_dump), then run labreview db upgrade --db {where}"
            )
        if self.state is State.FOREIGN:
            return f"{where} is a PostgreSQL database but not a labreview portfolio."
        if self.state is State.UNREADABLE:
            return f"Cannot open {where}: {self.detail}."
        return dataclasses.replace(self, server=False).message
