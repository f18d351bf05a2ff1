"""Every snapshot SVG belongs to a test that still exists.

syrupy fails a run on an unused snapshot, but not under pytest-xdist (it cannot merge the workers'
reports), and the default run is split across processes: this test keeps that check. Each
``__snapshots__/<module>/<name>.svg`` must be named after a test that collecting ``<module>.py`` finds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
SNAPSHOT_FOLDERS = sorted(folder for folder in TESTS.rglob("__snapshots__/*") if folder.is_dir())


@pytest.mark.parametrize("folder", SNAPSHOT_FOLDERS, ids=lambda f: str(f.relative_to(TESTS)))
def test_every_snapshot_has_its_test(folder):
    module = folder.parent.parent / f"{folder.name}.py"
    assert module.is_file(), f"{folder} holds snapshots of {module.name}, which does not exist"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-o", "addopts=", "-p", "no:cacheprovider", module],
        capture_output=True,
        text=True,
        cwd=TESTS.parent,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    names = {line.split("::", 1)[1] for line in result.stdout.splitlines() if "::" in line}
    unused = sorted(svg.name for svg in folder.glob("*.svg") if svg.stem not in names)
    assert not unused, f"snapshots of no test in {module.name} (delete them or rename them with the test): {unused}"
