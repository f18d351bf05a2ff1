"""Writing an output file so that a reader never sees half of it, and nothing is overwritten by accident."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from labreview.domain.errors import InvalidInput, StorageError


def write_atomic(path: str | Path, text: str, *, force: bool = False, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    The rename is atomic, so the file is either the old one or the complete new
    one, even if the machine stops half-way. An existing file is replaced only
    with ``force``, and only when it is a regular file: a symbolic link to one
    stays a link and its target is written; a device, a FIFO, a socket or a
    folder is never replaced. Returns the path written. Refusals are
    ``DomainError``s whose message names the path and what to do.
    """
    named = Path(path).expanduser()
    target = replaceable(named, force=force)
    folder = target.parent if str(target.parent) else Path(".")
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
    return named


def replaceable(path: str | Path, *, force: bool) -> Path:
    """Where a command may write ``path``: the file itself, or the file a symbolic link points to.
    Refuses (``DomainError``) a folder, an existing file without ``force``, and anything but a regular file."""
    named = Path(path).expanduser()
    target = Path(os.path.realpath(named)) if named.is_symlink() else named
    if target.is_dir():
        raise InvalidInput(f"{named} is a folder; give a file name, e.g. {named / 'minutes.md'}.")
    if target.exists() or named.is_symlink():
        if not force:
            raise InvalidInput(f"{named} already exists; use --force to overwrite it.")
        _require_regular(named, target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise StorageError(f"Cannot write {named}: the folder {folder} does not exist.")
    return target


def _require_regular(named: Path, target: Path) -> None:
    """Refuse to replace anything but a regular file (``/dev/null``, a FIFO, a socket, a dangling link)."""
    try:
        mode = target.stat().st_mode
    except OSError as exc:
        raise InvalidInput(f"{named} cannot be replaced: {exc.strerror or exc}.") from exc
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "a special file")
        where = f" (through the link to {target})" if named != target else ""
        raise InvalidInput(f"{named} is not a regular file but {kind}{where}; labreview only replaces files.")


_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
}


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


__all__ = ["replaceable", "write_atomic"]
