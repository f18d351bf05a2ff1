"""Crash safety: the real app in a pseudo-terminal, killed with SIGKILL at random moments, again and again.

Each run opens the same copy of the sample portfolio, starts the 2026-Q4 session
(S on the agenda), opens items and types scores, and is killed at a random
moment: during start-up, while a score is being written, while the screen is
being drawn, or idle. After every kill:

- ``PRAGMA integrity_check`` is ok and the audit chain (with its head) verifies;
- every score that was on screen before the kill is in the audit log, and the
  last scorecard seen is what the database holds, but for at most the digits
  typed after it was drawn (those may or may not have been saved; both are fine).

The default run kills three times; the soak (``-m slow``, run by .ci/run) kills
``LABREVIEW_SOAK_KILLS`` times (default 30). The counts are printed.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from labreview.domain.vocabulary import Criterion, SessionStatus
from labreview.portfolio import Portfolio
from tests.conftest import SAMPLE
from tests.terminal import Terminal, config_file

Q = "2026-Q4"
ROW_LABELS = {
    "Outcome impact": Criterion.OUTCOME_IMPACT,
    "Operational fit": Criterion.OPERATIONAL_FIT,
    "Integration": Criterion.INTEGRATION_BURDEN,
    "Data risk": Criterion.DATA_RISK,
    "Economic value": Criterion.ECONOMIC_VALUE,
}
HEADER_KEY = re.compile(r"agenda \d+/\d+\s+(\S+)")


@dataclass(frozen=True)
class Grid:
    """A scorecard as a person saw it: the item and each visible score by reviewer (first name) and criterion."""

    key: str
    cells: dict[tuple[str, Criterion], int]


@dataclass
class Soak:
    kills: int = 0
    kills_during_start: int = 0
    keys_sent: int = 0
    scores_seen: set[tuple[str, str, Criterion, int]] = field(default_factory=set)
    grids_checked: int = 0


def read_grid(screen: str) -> Grid | None:
    """The scorecard on screen, or None when the screen is not a fully drawn scorecard."""
    lines = screen.split("\n")
    if len(lines) < 12 or "Scoring for" not in screen:
        return None
    header = HEADER_KEY.search(lines[0])
    title = lines[1].split()
    if header is None or not title or title[0] != header.group(1):
        return None  # half a frame: the header and the title disagree
    names_line = next((line for line in lines if line.startswith(" Criterion ")), None)
    if names_line is None:
        return None
    names = names_line.split()[1:]
    names = names[: names.index("Mean")] if "Mean" in names else names
    cells: dict[tuple[str, Criterion], int] = {}
    for label, criterion in ROW_LABELS.items():
        row = next((line for line in lines if line.startswith(f" {label} ")), None)
        if row is None:
            return None
        values = row[len(label) + 1 :].split()[: len(names)]
        if len(values) != len(names) or any(v != "·" and not v.isdigit() for v in values):
            return None
        for name, value in zip(names, values, strict=True):
            if value != "·":
                cells[(name, criterion)] = int(value)
    return Grid(header.group(1), cells)


class Run:
    """One life of the app, from spawn to SIGKILL."""

    def __init__(self, database: Path, config: Path, rng: random.Random, soak: Soak) -> None:
        self.rng = rng
        self.soak = soak
        self.terminal = Terminal(["--db", str(database)], env={"LABREVIEW_CONFIG": str(config)})
        self.kill_at = float("inf")
        self.last_grid: Grid | None = None
        self.unanswered: list[str] = []
        """Keys typed whose effect has not been seen on screen yet (oldest first)."""
        self.typed_since: list[int] = []
        """Digits that may have been saved after ``last_grid`` was drawn."""
        self.saw_open = False

    def out_of_time(self) -> bool:
        return time.monotonic() >= self.kill_at

    def settle(self) -> str:
        """Read until the app has been quiet for 0.2 s; only such a screen counts as seen (not a half-drawn one)."""
        quiet = False
        while not self.terminal.exited and time.monotonic() + 0.2 <= self.kill_at:
            if not self.terminal.pump(0.2):
                quiet = True
                break
        screen = self.terminal.text()
        if not quiet:
            return screen
        grid = read_grid(screen)
        if grid is not None:
            self.last_grid = grid
            self.typed_since = [int(k) for k in self.unanswered if k.isdigit()]
            for (name, criterion), value in grid.cells.items():
                self.soak.scores_seen.add((grid.key, name, criterion, value))
        if " open " in screen.split("\n")[0] + " ":
            self.saw_open = True
        return screen

    def press(self, key: str) -> str:
        """Type a key; wait until the screen below the header changes (the oldest key typed was handled), then settle.

        Keys are handled in order, so each change answers the oldest key still unanswered; a key
        whose answer never showed stays unanswered, and its digit counts as possibly saved.
        """
        body = self.terminal.lines()[1:]
        self.terminal.press(key)
        self.soak.keys_sent += 1
        self.unanswered.append(key)
        if key.isdigit():
            self.typed_since.append(int(key))
        deadline = min(self.kill_at, time.monotonic() + 1.5)
        while time.monotonic() < deadline and not self.terminal.exited:
            self.terminal.pump(0.05)
            if self.terminal.lines()[1:] != body:
                self.unanswered.pop(0)
                break
        return self.settle()

    def wait_for(self, text: str) -> bool:
        deadline = min(self.kill_at, time.monotonic() + 30)
        while time.monotonic() < deadline and not self.terminal.exited:
            if text in self.terminal.text():
                return True
            self.terminal.pump(0.05)
        return text in self.terminal.text()

    def live(self) -> None:
        """Do what a facilitator does until the kill time comes."""
        if self.rng.random() < 0.15:  # killed while starting: importing, opening, recovering the WAL
            self.kill_at = self.terminal.started + self.rng.uniform(0.1, 3.0)
            self.soak.kills_during_start += 1
            self.wait_for("\x00never")
            return
        assert self.wait_for("Attending ("), f"the app did not start:\n{self.terminal.text()}"
        self.kill_at = time.monotonic() + self.rng.uniform(0.3, 6.0)
        self.settle()
        if "planned" in self.terminal.lines()[0]:
            self.press("S")
        if self.out_of_time():
            return
        self.press("s")
        while not self.out_of_time() and not self.terminal.exited:
            roll = self.rng.random()
            if roll < 0.72:
                self.press(str(self.rng.randint(1, 5)))
            elif roll < 0.82:
                self.press("r")
            elif roll < 0.94:
                self.press("n")
            else:
                self.press("p")

    def kill(self) -> None:
        self.terminal.kill()
        self.soak.kills += 1


def check_after_kill(database: Path, run: Run, soak: Soak) -> None:
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    p = Portfolio.open(database, actor="Checker")
    try:
        verdict = p.verify_audit()
        assert verdict.ok, verdict.message
        first_names = {person.name.split()[0]: person for person in p.people()}
        summaries = {entry.summary for entry in p.audit_log(limit=100_000) if entry.action == "record score"}
        for key, name, criterion, value in soak.scores_seen:
            full = first_names[name].name
            prefix = f"{full} scored {key} {criterion.label} {value}"
            assert any(s == prefix or s.startswith(prefix + " (was") for s in summaries), (
                f"{prefix} was on screen before a kill but is not in the audit log"
            )
        if run.saw_open:
            assert p.session(Q).status is SessionStatus.OPEN
        grid = run.last_grid
        if grid is not None:
            sheet = p.score_sheet(Q, grid.key)
            differing = []
            for (name, criterion), value in grid.cells.items():
                stored = sheet.score(first_names[name].id, criterion)
                if stored != value:
                    differing.append(stored)
            assert len(differing) <= len(run.typed_since), (
                f"{grid.key}: {differing} differ from the last scorecard seen; only {run.typed_since} were typed after"
            )
            assert all(v in run.typed_since for v in differing), (
                f"{grid.key}: {differing} differ from the last scorecard seen; the digits typed after were "
                f"{run.typed_since}"
            )
            soak.grids_checked += 1
    finally:
        p.close()


def soak_the_app(tmp_path: Path, kills: int, seed: int) -> Soak:
    database = tmp_path / "portfolio.db"
    shutil.copyfile(SAMPLE, database)
    config = config_file(tmp_path)
    rng = random.Random(seed)
    soak = Soak()
    for _ in range(kills):
        run = Run(database, config, rng, soak)
        try:
            run.live()
        finally:
            run.kill()
        check_after_kill(database, run, soak)
    return soak


def report(soak: Soak, seed: int, capsys) -> None:
    with capsys.disabled():
        print(
            f"\ncrash soak (seed {seed}): {soak.kills} SIGKILLs survived ({soak.kills_during_start} during start-up), "
            f"{soak.keys_sent} keys typed, {len(soak.scores_seen)} scores seen on screen all found in the database, "
            f"{soak.grids_checked} last scorecards compared"
        )


def test_a_few_kills(tmp_path, capsys):
    seed = int(os.environ.get("LABREVIEW_SOAK_SEED", "20261123"))
    soak = soak_the_app(tmp_path, kills=3, seed=seed)
    report(soak, seed, capsys)
    assert soak.kills == 3


@pytest.mark.slow
def test_soak_many_kills(tmp_path, capsys):
    seed = int(os.environ.get("LABREVIEW_SOAK_SEED", str(random.randrange(1 << 30))))
    kills = int(os.environ.get("LABREVIEW_SOAK_KILLS", "30"))
    soak = soak_the_app(tmp_path, kills=kills, seed=seed)
    report(soak, seed, capsys)
    assert soak.kills == kills and soak.scores_seen and soak.grids_checked
