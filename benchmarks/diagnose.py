"""Where the time goes for the targets the benchmark misses: ``python -m benchmarks.diagnose [PART ...]``.

Parts (default: all):

- ``startup``: first frame of ``labreview --demo`` against the bare app and against the same app
  with one change applied from outside (``benchmarks/whatif.py``); at the largest size, the launch
  with and without the database's ``PRAGMA quick_check``;
- ``imports``: ``python -X importtime`` of what the first frame needs and of the service layer;
- ``open``: the steps of opening a portfolio and showing the backlog, timed one by one;
- ``queries``: the backlog's SQL per filter and per sort column (index, count, first block) and its plans;
- ``columnar``: a prototype of the in-memory alternative (columns loaded once, filtered and sorted in Python);
- ``profile``: cProfile of the UI thread while typing filters, sorting and scoring, with the SQL
  statements each scorecard digit runs.

Nothing here changes the app; the numbers are for the diagnosis in the report.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import generate, ptyrun
from benchmarks.run import HERE, ROOT, child_env, first_agenda_key, launcher, percentile

PARTS = ("startup", "imports", "open", "queries", "columnar", "profile")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


# ---------------------------------------------------------------------- startup


def startup(size: int, reps: int, scratch: Path) -> None:
    section(f"start-up variants in a pty (median of {reps} interleaved launches; load {_load()})")
    env = child_env(scratch)
    key = first_agenda_key(ROOT / "data" / "sample.db")
    whatif = [sys.executable, str(HERE / "whatif.py")]
    frame = ptyrun.Step("frame", ("Opening the portfolio", " labreview"))
    variants = {
        "bare Textual app": ([sys.executable, str(HERE / "bare_app.py")], [ptyrun.Step("frame", ("Hello from",))]),
        "labreview --demo (console script)": ([*launcher()[0], "--demo"], [frame, ptyrun.Step("rows", (key,))]),
        "whatif as-is --demo": ([*whatif, "as-is", "--demo"], [frame, ptyrun.Step("rows", (key,))]),
        "whatif open-after-frame --demo": (
            [*whatif, "open-after-frame", "--demo"],
            [frame, ptyrun.Step("rows", (key,))],
        ),
        "whatif no-open --demo (no worker)": ([*whatif, "no-open", "--demo"], [frame]),
        "whatif lazy-engine --demo": ([*whatif, "lazy-engine", "--demo"], [frame, ptyrun.Step("rows", (key,))]),
        "whatif lazy-engine+open-after-frame --demo": (
            [*whatif, "lazy-engine+open-after-frame", "--demo"],
            [frame, ptyrun.Step("rows", (key,))],
        ),
    }
    times: dict[str, dict[str, list[float]]] = {name: {} for name in variants}
    for rep in range(reps + 1):
        for name, (argv, steps) in variants.items():
            launch = ptyrun.run(argv, steps, env=env, cwd=scratch)
            if rep:
                for step, value in launch.times.items():
                    times[name].setdefault(step, []).append(value)
    bare = statistics.median(times["bare Textual app"]["frame"])
    for name, steps in times.items():
        frame_s = statistics.median(steps["frame"])
        rows = f"   first rows {ms(statistics.median(steps['rows']))}" if "rows" in steps else ""
        print(f"  {name:38} first frame {ms(frame_s)} ({frame_s / bare:4.2f}× bare){rows}")

    source = generate.portfolio(size).path
    section(f"launch at {size:,} with changes applied from outside (median of {reps})")
    for mode in ("as-is", "no-quick-check", "lazy-engine+no-quick-check"):
        found: dict[str, list[float]] = {}
        for rep in range(reps + 1):
            db = generate.copy_to(source, scratch / "whatif", f"whatif-{size}.db")
            steps = [
                frame,
                ptyrun.Step("first screen rows", (first_agenda_key(db),), send=b"b"),
                ptyrun.Step("backlog rows", (f" {size:,} initiatives",)),
            ]
            launch = ptyrun.run([*whatif, mode, "--db", str(db)], steps, env=env, cwd=scratch, timeout=120)
            if rep:
                for step, value in launch.times.items():
                    found.setdefault(step, []).append(value)
        print(f"  {mode:28}" + "".join(f"  {k} {ms(statistics.median(v))}" for k, v in found.items()))


def _load() -> str:
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ---------------------------------------------------------------------- imports


def imports() -> None:
    section("imports (python -X importtime, cumulative µs → ms; one cold-ish process each)")
    for statement in (
        "import textual.app, textual.widgets",
        "import labreview.ui.app",
        "import labreview.portfolio.service",
    ):
        rows = _importtime(statement)
        total = sum(r[0] for r in rows)
        print(f"  {statement:42} {total / 1000:8.1f} ms of imports")
        if statement == "import labreview.ui.app":
            own = [r for r in rows if r[2].startswith("labreview")]
            print(f"    labreview modules themselves (self time): {sum(r[0] for r in own) / 1000:.1f} ms")
            heavy = sorted(
                (r for r in rows if not r[2].startswith(("textual", "rich", "labreview"))), key=lambda r: -r[0]
            )
            print(
                "    heaviest non-Textual modules (self time): "
                + ", ".join(f"{r[2]} {r[0] / 1000:.1f}" for r in heavy[:6])
            )
            widgets = sorted((r for r in rows if r[2].startswith("textual.widgets._")), key=lambda r: -r[1])
            print(
                "    Textual widgets pulled in (cumulative): "
                + ", ".join(f"{r[2][16:]} {r[1] / 1000:.1f}" for r in widgets[:8])
            )
        if statement == "import labreview.portfolio.service":
            tops = {}
            for self_us, _cum, name in rows:
                top = name.split(".")[0]
                tops[top] = tops.get(top, 0) + self_us
            print(
                "    by package (self time): "
                + ", ".join(f"{k} {v / 1000:.0f}" for k, v in sorted(tops.items(), key=lambda kv: -kv[1])[:6])
            )


def _importtime(statement: str) -> list[tuple[int, int, str]]:
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement], capture_output=True, text=True, cwd=ROOT
    )
    rows = []
    for line in completed.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s+)(\S+)", line)
        if match:
            rows.append((int(match[1]), int(match[2]), match[4]))
    return rows


# ---------------------------------------------------------------------- open


def open_steps(size: int, scratch: Path) -> None:
    section(f"opening a portfolio of {size:,} and showing the backlog, step by step (in one process)")
    db = generate.copy_to(generate.portfolio(size).path, scratch / "open", f"open-{size}.db")
    t = time.perf_counter()
    from labreview.store.database import probe

    print(f"  import labreview.store.database               {ms(time.perf_counter() - t)}")
    for n in (1, 2):
        t = time.perf_counter()
        probe(db)
        print(
            f"  probe() #{n} (PRAGMA quick_check; run by cli._prepare and again by Portfolio.open) "
            f"{ms(time.perf_counter() - t)}"
        )
    t = time.perf_counter()
    from labreview.portfolio.service import Portfolio

    print(f"  import labreview.portfolio.service (SQLAlchemy, SQLModel) {ms(time.perf_counter() - t)}")
    t = time.perf_counter()
    portfolio = Portfolio.open(db, actor="Benchmark")
    print(f"  Portfolio.open (prepare → probe again, engine)  {ms(time.perf_counter() - t)}")
    steps = (
        ("ensure_defaults", portfolio.ensure_defaults),
        ("active_session", portfolio.active_session),
        ("name (settings)", lambda: portfolio.name),
    )
    results = {}
    for name, call in steps:
        t = time.perf_counter()
        results[name] = call()
        print(f"  {name:46} {ms(time.perf_counter() - t)}")
    from labreview.domain.backlog_query import Filters, Order

    session = results["active_session"]
    filters = Filters(agenda_session=session.id if session else None)
    t = time.perf_counter()
    ids = portfolio.backlog_index(filters, Order("key"))
    print(f"  backlog_index (all {len(ids):,} ids, by key)         {ms(time.perf_counter() - t)}")
    t = time.perf_counter()
    portfolio.backlog_count(filters)
    print(f"  backlog_count                                  {ms(time.perf_counter() - t)}")
    for n in range(4):
        t = time.perf_counter()
        portfolio.backlog_rows_by_id(ids[n * 64 : (n + 1) * 64], filters.agenda_session)
        print(f"  backlog_rows_by_id(64) block {n}                  {ms(time.perf_counter() - t)}")
    portfolio.close()


# ---------------------------------------------------------------------- queries


def queries(size: int, scratch: Path) -> None:
    from benchmarks.interact import FILTERS
    from labreview.domain.backlog_query import Order
    from labreview.domain.errors import DomainError
    from labreview.portfolio.backlog_filter import parse_filter
    from labreview.portfolio.service import Portfolio
    from labreview.store import queries as q
    from labreview.ui.screens.backlog import SORT_COLUMN, SORTABLE

    db = generate.copy_to(generate.portfolio(size).path, scratch / "queries", f"queries-{size}.db")
    portfolio = Portfolio.open(db, actor="Benchmark")
    session = portfolio.active_session()
    sid = session.id if session else None
    from dataclasses import replace

    section(f"backlog work per filter keystroke at {size:,} (what BacklogScreen._load runs, per prefix typed)")
    parts: dict[str, list[float]] = {"parse_filter": [], "backlog_index": [], "backlog_count": [], "rows_by_id(64)": []}
    sizes = []
    for text in FILTERS:
        for end in range(1, len(text) + 1):
            typed = text[:end]
            t = time.perf_counter()
            try:
                filters = parse_filter(typed)
            except DomainError:
                continue
            parts["parse_filter"].append(time.perf_counter() - t)
            filters = replace(filters, agenda_session=sid)
            t = time.perf_counter()
            ids = portfolio.backlog_index(filters, Order("key"))
            parts["backlog_index"].append(time.perf_counter() - t)
            sizes.append(len(ids))
            t = time.perf_counter()
            portfolio.backlog_count(replace(filters.__class__(), agenda_session=sid))
            parts["backlog_count"].append(time.perf_counter() - t)
            t = time.perf_counter()
            portfolio.backlog_rows_by_id(ids[:64], sid)
            parts["rows_by_id(64)"].append(time.perf_counter() - t)
    for name, values in parts.items():
        print(f"  {name:16} p50 {ms(percentile(values, 50))}  p95 {ms(percentile(values, 95))}  max {ms(max(values))}")
    print(f"  matches per prefix: median {statistics.median(sizes):,.0f}, max {max(sizes):,}")

    # The index query alone: SQLite vs SQLAlchemy overhead, unfiltered.
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from labreview.domain.backlog_query import Filters

    filters = Filters(agenda_session=sid)
    order = Order("key")
    statement = (
        q.select(q.initiative.c.id)
        .select_from(q._from(filters))
        .where(*q._where(filters))
        .order_by(*q._ordering(order))
    )
    sql = str(statement.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
    raw = sqlite3.connect(db)
    t = time.perf_counter()
    n = len(raw.execute(sql).fetchall())
    print(f"  unfiltered index query in plain sqlite3: {ms(time.perf_counter() - t)} for {n:,} ids")
    print("  its plan: " + " | ".join(r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + sql)))
    word = Filters(words=("pixel",), agenda_session=sid)
    statement = (
        q.select(q.initiative.c.id).select_from(q._from(word)).where(*q._where(word)).order_by(*q._ordering(order))
    )
    sql = str(statement.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
    t = time.perf_counter()
    n = len(raw.execute(sql).fetchall())
    print(f"  'pixel' index query in plain sqlite3: {ms(time.perf_counter() - t)} for {n:,} ids")
    print("  its plan: " + " | ".join(r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + sql)))
    t = time.perf_counter()
    raw.execute("SELECT count(*) FROM initiative").fetchone()
    print(f"  SELECT count(*) FROM initiative: {ms(time.perf_counter() - t)}")

    section(f"sort at {size:,}: backlog_index per column (unfiltered, ascending), then the first block")
    for column in SORTABLE:
        name = SORT_COLUMN.get(column, column)
        t = time.perf_counter()
        ids = portfolio.backlog_index(filters, Order(name))
        index_s = time.perf_counter() - t
        t = time.perf_counter()
        portfolio.backlog_rows_by_id(ids[:64], sid)
        block_s = time.perf_counter() - t
        ordered = (
            q.select(q.initiative.c.id)
            .select_from(q._from(filters))
            .where(*q._where(filters))
            .order_by(*q._ordering(Order(name)))
        )
        text = str(ordered.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
        plan = " | ".join(r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + text))
        print(f"  {column:10} index {ms(index_s)}  first block {ms(block_s)}  plan: {plan}")
    t = time.perf_counter()
    portfolio.backlog_index(filters, Order("key", group_by_stage=True))
    print(f"  {'group':10} index {ms(time.perf_counter() - t)}")
    t = time.perf_counter()
    portfolio.backlog_stage_counts(filters)
    print(f"  {'':10} stage counts {ms(time.perf_counter() - t)}")
    portfolio.close()
    raw.close()


# ---------------------------------------------------------------------- columnar


def columnar(size: int, scratch: Path) -> None:
    """What filtering and sorting cost over columns held in memory (a prototype, not the app's code)."""
    from benchmarks.interact import FILTERS

    db = generate.copy_to(generate.portfolio(size).path, scratch / "columnar", f"columnar-{size}.db")
    section(f"prototype: backlog columns in memory at {size:,} (plain sqlite3, Python lists)")
    raw = sqlite3.connect(db)
    t = time.perf_counter()
    rows = raw.execute(
        "SELECT i.id, i.key, i.title, i.stage, i.quarterly_cost, i.search_text, lower(p.name), "
        "i.score_outcome_impact FROM initiative i JOIN person p ON p.id = i.owner_id"
    ).fetchall()
    ids, keys, titles, stages, costs, texts, owners, scores = (list(c) for c in zip(*rows, strict=True))
    del rows
    load_s = time.perf_counter() - t
    held = sum(sys.getsizeof(v) for column in (keys, titles, texts, owners) for v in column)
    held += 8 * 8 * len(ids) + sum(sys.getsizeof(c) for c in (ids, keys, titles, stages, costs, texts, owners, scores))
    print(f"  load 8 columns once: {ms(load_s)}, about {held / 2**20:.0f} MiB held (strings and lists)")
    t = time.perf_counter()
    by_key = sorted(range(len(ids)), key=keys.__getitem__)
    print(f"  key order permutation: {ms(time.perf_counter() - t)}")
    for name, column in (("title", titles), ("cost", costs), ("stage", stages)):
        t = time.perf_counter()
        sorted(range(len(ids)), key=column.__getitem__)
        print(f"  sort permutation by {name:6}: {ms(time.perf_counter() - t)} (once per data change; reverse is free)")
    t = time.perf_counter()
    sorted(range(len(ids)), key=lambda i: (scores[i] is None, scores[i] or 0.0))
    print(f"  sort permutation by score (nulls last): {ms(time.perf_counter() - t)}")
    text_in_order = [texts[i] for i in by_key]
    stage_in_order = [stages[i] for i in by_key]

    def run(order: list[int], words: list[str], stage: str) -> list[int]:
        positions = range(len(order))
        if stage:
            positions = [p for p in positions if stage_in_order[p].startswith(stage)]
        for word in words:
            positions = [p for p in positions if word in text_in_order[p]]
        return list(positions)

    times, narrowed = [], []
    for text in FILTERS:
        previous: list[int] | None = None
        for end in range(1, len(text) + 1):
            words = [w for w in text[:end].split() if ":" not in w]
            stage = next((w.split(":", 1)[1] for w in text[:end].split() if w.startswith("stage:")), "")
            t = time.perf_counter()
            found = run(by_key, words, stage)
            times.append(time.perf_counter() - t)
            if previous is not None:
                t = time.perf_counter()
                kept = previous
                for word in words:
                    kept = [p for p in kept if word in text_in_order[p]]
                if stage:
                    kept = [p for p in kept if stage_in_order[p].startswith(stage)]
                narrowed.append(time.perf_counter() - t)
            previous = found
    print(
        f"  filter all {len(ids):,} rows per keystroke: p50 {ms(percentile(times, 50))} "
        f"p95 {ms(percentile(times, 95))};"
        f" narrowing the previous result: p50 {ms(percentile(narrowed, 50))} p95 {ms(percentile(narrowed, 95))}"
    )
    raw.close()


# ---------------------------------------------------------------------- profile


def profile(size: int, scratch: Path) -> None:
    asyncio.run(_profile(size, scratch))


async def _profile(size: int, scratch: Path) -> None:
    from sqlalchemy import event

    from benchmarks.interact import Timer
    from labreview.config import Config
    from labreview.ui.app import make_app
    from labreview.ui.screens.agenda import AgendaScreen
    from labreview.ui.screens.scorecard import ScorecardScreen
    from labreview.ui.widgets.virtual_table import EmptySource, VirtualTable

    db = generate.copy_to(generate.portfolio(size).path, scratch / "profile", f"profile-{size}.db")
    app = make_app(db, config=Config(actor="Benchmark", path=scratch / "config.toml"))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.ready.wait()
        timer = Timer(app, pilot)
        statements: list[tuple[str, float]] = []
        began: dict[int, float] = {}

        @event.listens_for(app.portfolio.engine, "before_cursor_execute")
        def _before(conn, cursor, sql, params, context, executemany):
            began[id(cursor)] = time.perf_counter()

        @event.listens_for(app.portfolio.engine, "after_cursor_execute")
        def _after(conn, cursor, sql, params, context, executemany):
            statements.append((sql, time.perf_counter() - began.pop(id(cursor), time.perf_counter())))

        await timer.press(
            "b",
            lambda: (
                not isinstance(app.screen.query_one(VirtualTable).source, EmptySource)
                if app.screen.query(VirtualTable)
                else False
            ),
        )
        table = app.screen.query_one(VirtualTable)
        await timer.press("slash", lambda: app.focused is app.screen.query_one("#filter"))
        section(
            f"cProfile, UI thread, typing 'stage:lab owner:kim' then ctrl+u at {size:,} (worker threads not included)"
        )
        profiler = cProfile.Profile()
        statements.clear()
        profiler.enable()
        for char in [*"stage:lab owner:kim", "ctrl+u"]:
            previous = table.source
            screen = app.screen
            await timer.press(
                char,
                lambda previous=previous, screen=screen: (
                    table.source is not previous or screen.query_one("#filter-problem").has_class("-shown")
                ),
            )
        profiler.disable()
        _print_profile(profiler)
        print(
            f"  SQL statements (all threads): {len(statements)}, "
            f"{sum(s for _q, s in statements) * 1000:.0f} ms in SQLite+driver"
        )

        await timer.press("escape", lambda: app.focused is table)
        section(f"cProfile, UI thread, five sorts (>) at {size:,}")
        profiler = cProfile.Profile()
        statements.clear()
        profiler.enable()
        for _ in range(5):
            previous = table.source
            await timer.press(">", lambda previous=previous: table.source is not previous)
        profiler.disable()
        _print_profile(profiler)
        slow = sorted(statements, key=lambda s: -s[1])[:3]
        for sql, seconds in slow:
            print(f"  slowest SQL {seconds * 1000:7.1f} ms: {' '.join(sql.split())[:160]}")

        await timer.press("h", lambda: isinstance(app.screen, AgendaScreen))
        if app.session.status.value == "planned":
            await timer.press("S", lambda: app.session.status.value == "open")
        await timer.press("enter", lambda: isinstance(app.screen, ScorecardScreen) and app.screen.sheet is not None)
        screen = app.screen
        section(f"cProfile, UI thread, ten scorecard digits at {size:,}")
        per_digit = []
        profiler = cProfile.Profile()
        for digit in "3425334253":
            statements.clear()
            sheet = screen.sheet
            profiler.enable()
            seconds = await timer.press(digit, lambda sheet=sheet: screen.sheet is not sheet)
            profiler.disable()
            per_digit.append((seconds, list(statements)))
        _print_profile(profiler)
        counts = [len(s) for _t, s in per_digit]
        sql_ms = [sum(x for _q, x in s) * 1000 for _t, s in per_digit]
        print(
            f"  per digit: {statistics.median(counts):.0f} SQL statements, "
            f"{statistics.median(sql_ms):.1f} ms in SQLite+driver (median); "
            f"key→painted median {statistics.median(t for t, _s in per_digit) * 1000:.1f} ms"
        )
        kinds: dict[str, int] = {}
        for sql, _s in per_digit[-1][1]:
            word = " ".join(sql.split()[:4])
            kinds[word] = kinds.get(word, 0) + 1
        print(
            "  statements of one digit: "
            + "; ".join(f"{n}× {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:12])
        )


def _print_profile(profiler: cProfile.Profile, limit: int = 22) -> None:
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(
        r"labreview|sqlalchemy/(orm|engine)/(session|base|default|result)\.py|textual/(widgets/_data_table|_compositor|screen)\.py",
        limit,
    )
    text = stream.getvalue()
    keep = [line for line in text.splitlines() if re.match(r"\s+\d", line) or "ncalls" in line]
    for line in keep:
        print("  " + re.sub(r"/\S*/site-packages/|/\S*/src/", "", line)[:170])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.diagnose", description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", metavar="PART", help=f"any of {', '.join(PARTS)} (default: all)")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    scratch = Path(tempfile.mkdtemp(prefix="labreview-diagnose-"))
    print(f"load average {_load()}")
    for part in args.parts or PARTS:
        if part == "startup":
            startup(args.size, args.reps, scratch)
        elif part == "imports":
            imports()
        elif part == "open":
            open_steps(args.size, scratch)
        elif part == "queries":
            queries(args.size, scratch)
        elif part == "columnar":
            columnar(args.size, scratch)
        elif part == "profile":
            profile(args.size, scratch)
    import shutil

    shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nload average {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
