"""End-to-end tests: the real ``labreview`` command in a pseudo-terminal (see ``tests/terminal.py``)."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

import pytest

DROP_ROOT_POWERS = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
"""A prefix that runs a command as root without the powers to ignore file permissions (so chmod binds)."""


@cache
def _can_drop_root_powers() -> bool:
    if shutil.which("setpriv") is None:
        return False
    return subprocess.run([*DROP_ROOT_POWERS, "true"], capture_output=True).returncode == 0


@pytest.fixture
def as_ordinary_user() -> list[str]:
    """The command prefix under which chmod'ed files are really unwritable (empty when not root)."""
    import os

    if os.geteuid() != 0:
        return []
    if not _can_drop_root_powers():
        pytest.skip("running as root and setpriv cannot drop the capabilities that ignore permissions here")
    return list(DROP_ROOT_POWERS)
