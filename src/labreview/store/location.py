"""Where a portfolio lives: a file path or a database URL. Standard library only (no SQLAlchemy),
so that the command line can check a file before the first frame without paying for that import."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit


def is_url(target: str | Path) -> bool:
    return "://" in str(target)


def sqlite_path(target: str | Path) -> Path | None:
    """The file behind a path or an ``sqlite:///`` URL; None for other databases and in-memory ones."""
    if not is_url(target):
        return Path(target).expanduser().resolve()
    text = str(target)
    scheme, _, rest = text.partition("://")
    if scheme.split("+", 1)[0].lower() != "sqlite":
        return None
    # sqlite:///relative.db, sqlite:////absolute.db, sqlite:///file:path?mode=ro&uri=true
    database = unquote(urlsplit("x://" + rest).path.removeprefix("/"))
    database = database.removeprefix("file:")
    if not database or database == ":memory:":
        return None
    return Path(database).expanduser().resolve()
