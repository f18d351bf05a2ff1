"""Writing an output file so that a reader never sees half of it, and nothing is overwritten by accident."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from labreview.domain.errors import InvalidInput, StorageError


def write_atomic(path: str | Path, text: str, *, force: bool = False, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    The rename is atomic, so the file is either the old one or the complete new
    one, even if the machine stops half-way. An existing file is replaced only
    with ``force``. Returns the path written. Refusals are ``DomainError``s
    whose message names the path and what to do.
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; give a file name, e.g. {target / 'minutes.md'}.")
    if target.exists() and not force:
        raise InvalidInput(f"{target} already exists; use --force to overwrite it.")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise StorageError(f"Cannot write {target}: the folder {folder} does not exist.")
    data = text.encode(encoding)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise StorageError(f"Cannot write in {folder}: {exc.strerror or exc}.") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        _keep_mode(target, temporary)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise StorageError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    return target


def _keep_mode(target: Path, temporary: str) -> None:
    """A new file is readable by others like any saved document (mkstemp makes it private);
    a replaced one keeps its mode.

    Reading the umask would mean setting it, which is not safe while other threads run (the app writes from a worker).
    """
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    os.chmod(temporary, mode)


__all__ = ["write_atomic"]
