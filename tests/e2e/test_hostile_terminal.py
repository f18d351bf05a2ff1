"""Hostile titles in a real terminal: escape sequences, bidi overrides and markup in the data do not move the
cursor, clear the screen or restyle it; every row stays on its line, the header and footer stay put."""

from __future__ import annotations

import shutil

from labreview.portfolio import Portfolio
from tests.conftest import SAMPLE
from tests.hostile import EXTRAS, strings
from tests.terminal import Terminal, config_file

ESCAPES = [s for s in strings() if "\x1b" in s or "\x08" in s or "\x07" in s]


def test_hostile_titles_do_not_break_a_real_terminal(tmp_path):
    path = tmp_path / "portfolio.db"
    shutil.copyfile(SAMPLE, path)
    titles = [*ESCAPES, *(s for s in EXTRAS if len(s) <= 200 and "\x00" not in s and "\ud83d" not in s)]
    p = Portfolio.open(path, actor="Setup")
    try:
        keys = [k for k in p.initiative_keys() if k.startswith("EXP-")][: len(titles)]
        for key, title in zip(keys, titles, strict=False):
            p.update_initiative(key, title=title)
    finally:
        p.close()
    terminal = Terminal(["--db", str(path)], env={"LABREVIEW_CONFIG": str(config_file(tmp_path))})
    try:
        assert terminal.wait_for("Attending (", timeout=30), terminal.text()
        terminal.press("b")
        assert terminal.wait_for(lambda screen: "40 initiatives" in screen, timeout=15), terminal.text()
        lines = terminal.settle().split("\n")
        check_frame(lines)
        rows = {line[2:11].strip(): line for line in lines if line[2:6] == "EXP-"}
        assert set(keys[:20]) <= set(rows), "a row was pushed off its line or overwritten"
        assert all(line[11:] for line in rows.values())
        terminal.press("h", "enter")  # the scorecard of the first agenda item (EXP-102)
        assert terminal.wait_for("Scoring for", timeout=15), terminal.text()
        check_frame(terminal.settle().split("\n"))
        assert "Traceback" not in bytes(terminal.raw).decode("utf-8", "replace")
    finally:
        terminal.close()


def check_frame(lines: list[str]) -> None:
    assert lines[0].startswith(" labreview · Northwind Retail"), lines[0]
    assert "2026-Q4" in lines[0] and "agenda" in lines[0], lines[0]
    assert "^p palette" in lines[-1], lines[-1]
