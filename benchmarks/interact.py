"""Interaction latencies of the real app, headless, on one portfolio (run in its own process per size).

``python -m benchmarks.interact --db COPY --out result.json`` opens ``make_app``
with ``app.run_test(size=(120, 40))`` and times, from the moment a key event is
handed to the app until the result is painted:

- ``ready``: from ``make_app`` to ``app.ready`` (the worker opened the portfolio, the first screen is shown);
- ``backlog_open``: ``b`` until the backlog's table has its rows (the index query and the first block);
- ``index_loaded_after_ready_ms``: from the first screen until the backlog's in-memory index is there
  (until then the backlog answers from SQL); typing is timed after that;
- ``filter``: each keystroke typed into the backlog filter until the table shows that filter's result
  (or, for a filter that does not parse yet such as ``stage:``, until the problem is shown);
- ``escape_ms``: ``escape`` from the filter box until the table has the focus and the footer shows its keys;
- ``sort``: ``>`` (next column, eleven times round) and ``r`` (reverse) until the re-sorted rows show;
- ``pagedown``: page down, 60 times, until the cursor has moved and the rows are drawn; ``end``, ``home``;
- ``scorecard``: each digit 1–5 on the scorecard of a started session until the grid is repainted;
  ``score_handler`` is the screen's ``action_score`` alone (the service call and the screen refresh);
- ``record_score``: ``Portfolio.record_score`` called directly, 100 times, after the app has quit;
- ``peak_rss_kib``: the process's high-water mark (``VmHWM``) at the end. Not ``ru_maxrss``: Linux
  keeps that across ``execve``, so a child started by a big parent would report the parent's peak.

"Painted" means: the condition that shows the new state holds (table source
replaced, problem shown, cursor moved, score handler returned), every message
queued on the screen has been handled (Pilot's ``_wait_for_screen``, no
sleeping), and the screen's compositor has rendered the dirty region
(``screen._on_timer_update()``, what ``Pilot.pause`` ends with). Writing to a
real terminal is not included (headless). Pilot's own ``press`` is not used: it
sleeps at least 2 × 20 ms waiting for idle, more than the targets measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

FILTERS = (
    "pixel",
    "churn email",
    "stage:lab owner:kim",
    "category:capability loyalty",
    "tier:3 stage:trans",
    "stage:factory nimbus",
)
"""Typed character by character; the filter is cleared with ctrl+u after each (also timed)."""
QUICK_FILTERS = ("pixel", "stage:lab owner:kim", "churn email")
PAGEDOWNS = 60
SCORE_CALLS = 100


def key_event(key: str):
    from textual import events
    from textual.keys import _character_to_key

    if len(key) == 1:
        return events.Key(key if key.isalnum() else _character_to_key(key), key)
    return events.Key(key, None)


class Timer:
    def __init__(self, app, pilot) -> None:
        self.app = app
        self.pilot = pilot

    async def press(self, key: str, done: Callable[[], bool], timeout: float = 60.0) -> float:
        """Seconds from handing ``key`` to the app until ``done()`` holds and the screen is painted."""
        app = self.app
        started = time.perf_counter()
        app._driver.send_message(key_event(key))
        while not done():
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"key {key!r}: the expected result did not show within {timeout} s")
            await asyncio.sleep(0.0005)
        await self.pilot._wait_for_screen()
        app.screen._on_timer_update()
        return time.perf_counter() - started


NO_FILTER = False
"""``--no-filter``: the filter box is opened and left without typing into it."""


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


async def measure(db: Path | str, quick: bool) -> dict:
    started = time.perf_counter()
    from labreview.config import Config
    from labreview.ui.app import make_app

    config_dir = Path(tempfile.mkdtemp(prefix="labreview-bench-"))
    app = make_app(db, config=Config(actor="Benchmark", path=config_dir / "config.toml"))
    result: dict = {"db": str(db)}
    async with app.run_test(size=(120, 40)) as pilot:
        await asyncio.wait_for(app.ready.wait(), 120)
        result["ready_ms"] = _ms(time.perf_counter() - started)
        result["_ready_at"] = time.perf_counter()
        timer = Timer(app, pilot)
        await pilot._wait_for_screen()
        await _backlog(app, timer, result, quick)
        await _scorecard(app, timer, result, quick)
    result.pop("_ready_at", None)
    result["record_score_ms"] = _record_score(db, 30 if quick else SCORE_CALLS)
    result["peak_rss_kib"] = _high_water_kib()
    return result


def _table(app):
    from labreview.ui.widgets.virtual_table import VirtualTable

    return app.screen.query_one(VirtualTable)


async def _backlog(app, timer: Timer, result: dict, quick: bool) -> None:
    from textual.widgets import Input, Static

    from labreview.domain.errors import DomainError
    from labreview.portfolio.backlog_filter import parse_filter
    from labreview.ui.screens.backlog import BacklogScreen
    from labreview.ui.widgets.virtual_table import EmptySource

    def backlog_shown() -> bool:
        if not isinstance(app.screen, BacklogScreen) or not app.screen.is_mounted:
            return False
        try:
            return not isinstance(_table(app).source, EmptySource)
        except Exception:
            return False

    result["backlog_open_ms"] = _ms(await timer.press("b", backlog_shown))
    screen = app.screen
    table = _table(app)
    result["backlog_rows"] = len(table.source)
    filter_input = screen.query_one("#filter", Input)
    problem = screen.query_one("#filter-problem", Static)

    def new_source(previous):
        return lambda: table.source is not previous

    # The backlog answers from SQL until its in-memory index has loaded (a second or so at 100k, in the
    # background after start-up); then from the index. Typing is timed once the index is there (the
    # steady state of a meeting); how long that took after the first screen is reported on its own.
    loaded = time.perf_counter()
    while app.backlog_index is None and time.perf_counter() - loaded < 120:
        await asyncio.sleep(0.01)
    result["index_wait_ms"] = _ms(time.perf_counter() - loaded)
    result["index_loaded_after_ready_ms"] = _ms(time.perf_counter() - result["_ready_at"])

    # Filter: type each filter, one key at a time; clear with ctrl+u.
    await timer.press("slash", lambda: app.focused is filter_input)
    keystrokes = []
    for text in () if NO_FILTER else QUICK_FILTERS if quick else FILTERS:
        typed = ""
        for char in [*text, "ctrl+u"]:
            typed = "" if char == "ctrl+u" else typed + char
            try:
                parse_filter(typed)
                valid = True
            except DomainError:
                valid = False
            previous = table.source
            if valid:
                done = new_source(previous)
            else:
                done = lambda typed=typed: filter_input.value == typed and problem.has_class("-shown")  # noqa: E731
            seconds = await timer.press(char, done)
            keystrokes.append(
                {"key": char, "filter": typed, "valid": valid, "rows": len(table.source), "ms": _ms(seconds)}
            )
    result["filter"] = keystrokes

    # Sort: back to the table (timed until the footer shows the table's keys: the footer is rebuilt after
    # the focus moves, and that work belongs to escape, not to the first sort), then > round all the
    # columns, and r.
    from textual.widgets import Footer

    footer = screen.query_one(Footer)

    def table_keys_shown() -> bool:
        return app.focused is table and any(getattr(k, "action", None) == "reverse" for k in footer.query("*"))

    result["escape_ms"] = _ms(await timer.press("escape", table_keys_shown))
    sorts = []
    for key in [">"] * 11 + ["r", "r", "<", "r"]:
        previous = table.source
        seconds = await timer.press(key, new_source(previous))
        sorts.append(
            {"key": key, "column": screen.order.column, "descending": screen.order.descending, "ms": _ms(seconds)}
        )
    result["sort"] = sorts
    previous = table.source
    result["group_ms"] = _ms(await timer.press("G", new_source(previous)))
    previous = table.source
    await timer.press("G", new_source(previous))
    if screen.order.descending:
        previous = table.source
        await timer.press("r", new_source(previous))

    # Page down deep into the table, then to the end and back.
    pages = []
    last = len(table.source) - 1
    for _ in range(20 if quick else PAGEDOWNS):
        before = table.cursor
        if before >= last:
            break  # a small portfolio ends before 60 pages
        seconds = await timer.press("pagedown", lambda before=before: table.cursor != before)
        pages.append(_ms(seconds))
    result["pagedown_ms"] = pages
    result["pagedown_row"] = table.cursor
    result["home_ms"] = _ms(await timer.press("home", lambda: table.cursor == 0))
    result["end_ms"] = _ms(await timer.press("end", lambda: table.cursor >= last))


async def _scorecard(app, timer: Timer, result: dict, quick: bool) -> None:
    from labreview.ui.screens.agenda import AgendaScreen
    from labreview.ui.screens.scorecard import ScorecardScreen

    handler_times: list[float] = []
    original = ScorecardScreen.action_score

    def timed_action_score(self, value: int) -> None:
        started = time.perf_counter()
        try:
            original(self, value)
        finally:
            handler_times.append(time.perf_counter() - started)

    ScorecardScreen.action_score = timed_action_score
    try:
        await timer.press("h", lambda: isinstance(app.screen, AgendaScreen))
        session = app.session
        if session is None or not session.agenda:
            result["scorecard_error"] = "the portfolio has no planned session with an agenda"
            return
        if session.status.value == "planned":
            await timer.press("S", lambda: app.session.status.value == "open")
        await timer.press("enter", lambda: isinstance(app.screen, ScorecardScreen) and app.screen.sheet is not None)
        screen = app.screen
        digits = []
        reviewers = len(screen.sheet.reviewers)
        for reviewer in range(min(2 if quick else 5, reviewers)):
            for digit in "34253":
                count = len(handler_times)
                seconds = await timer.press(digit, lambda count=count: len(handler_times) > count)
                digits.append(_ms(seconds))
            if reviewer + 1 < reviewers:
                before = app.reviewer_id
                await timer.press("r", lambda before=before: app.reviewer_id != before)
        result["scorecard_ms"] = digits
        result["score_handler_ms"] = [_ms(s) for s in handler_times]
    finally:
        ScorecardScreen.action_score = original


def _high_water_kib() -> int:
    """This process's peak resident set (``VmHWM``), or ``ru_maxrss`` where /proc is missing."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _record_score(db: Path | str, calls: int) -> list[float]:
    """``Portfolio.record_score`` alone, on the session the app started, cycling through items and reviewers."""
    from labreview.domain.vocabulary import Criterion
    from labreview.portfolio.service import Portfolio

    portfolio = Portfolio.open(db, actor="Benchmark")
    try:
        session = portfolio.active_session()
        if session is None or session.status.value != "open":
            return []
        reviewers = [p.id for p in session.attendees if p.role is not None][:5]
        times = []
        for n in range(calls):
            entry = session.agenda[n % len(session.agenda)]
            started = time.perf_counter()
            portfolio.record_score(
                session.quarter, entry.key, reviewers[(n // 5) % len(reviewers)], list(Criterion)[n % 5], 1 + n % 5
            )
            times.append(_ms(time.perf_counter() - started))
        return times
    finally:
        portfolio.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", required=True, help="a scratch copy of a portfolio, or a database URL (it is written to)"
    )
    parser.add_argument("--out", type=Path, help="write the result here as JSON (default: standard output)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--no-filter",
        action="store_true",
        help="type no filters (the other steps still run): for a database whose backlog search does not work yet",
    )
    args = parser.parse_args(argv)
    global NO_FILTER
    NO_FILTER = args.no_filter
    result = asyncio.run(measure(args.db, args.quick))
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
