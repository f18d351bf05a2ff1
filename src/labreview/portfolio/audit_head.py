"""The hash of the newest audit record, as the ``audit_head`` row keeps it (see ``ledger``), read with plain SQL.

Kept outside the minutes (printed in the HTML minutes' footer, say), it lets ``labreview audit verify --anchor``
show later whether the log still reaches that record. Takes any DB-API connection to the portfolio (``sqlite3``,
or the raw connection of a ``Portfolio``'s engine), so that the minutes need not import SQLAlchemy.
"""

from __future__ import annotations

from typing import Any


def read(connection: Any) -> str | None:
    """The head hash, or None when the log is empty or the schema has no head (older than revision 0002)."""
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT hash FROM audit_head WHERE id = 1")
        row = cursor.fetchone()
    except Exception:  # no audit_head table: each driver raises its own error class
        return None
    finally:
        cursor.close()
    return str(row[0]) if row and row[0] else None


__all__ = ["read"]
