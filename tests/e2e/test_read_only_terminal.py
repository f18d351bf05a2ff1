"""An unwritable portfolio opens read-only with the READ-ONLY banner, in a real terminal, as a person sees it."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.conftest import SAMPLE
from tests.terminal import Terminal, config_file


def test_an_unwritable_portfolio_opens_read_only_with_the_banner(tmp_path, as_ordinary_user):
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "portfolio.db"
    shutil.copyfile(SAMPLE, path)
    path.chmod(0o444)
    folder.chmod(0o555)
    before = path.read_bytes()
    config = config_file(tmp_path)
    terminal = Terminal(["--db", str(path)], env={"LABREVIEW_CONFIG": str(config)}, prefix=as_ordinary_user)
    try:
        assert terminal.wait_for("READ-ONLY", timeout=30), terminal.text()
        notice = bytes(terminal.raw).decode("utf-8", "replace")
        assert f"labreview: {path} cannot be written by you; opening it read-only" in notice
        assert terminal.wait_for("Northwind Retail", timeout=10)
        terminal.press("S")  # start the session: refused in words, the app stays up
        assert terminal.wait_for("open read-only; nothing can be changed", timeout=10), terminal.text()
        terminal.press("b")
        assert terminal.wait_for("EXP-101", timeout=10)
        assert "READ-ONLY" in terminal.lines()[0]
        assert "Traceback" not in bytes(terminal.raw).decode("utf-8", "replace")
        terminal.press("ctrl+q")
        terminal.settle(limit=5)
    finally:
        terminal.close()
        folder.chmod(0o755)
        path.chmod(0o644)
    assert path.read_bytes() == before
    assert sorted(f.name for f in folder.iterdir()) == ["portfolio.db"]


def test_init_in_an_unwritable_folder_is_refused_in_one_line(tmp_path, as_ordinary_user):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        result = subprocess.run(
            [*as_ordinary_user, sys.executable, "-m", "labreview", "init", "--db", str(locked / "p.db")],
            capture_output=True,
            text=True,
            env={"LABREVIEW_CONFIG": str(tmp_path / "none.toml"), "PATH": "/usr/bin:/bin"},
            timeout=60,
        )
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"labreview: Cannot write in {locked}: Permission denied."]
