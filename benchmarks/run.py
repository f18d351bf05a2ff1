"""The benchmark suite of issue 5: ``uv run python -m benchmarks`` (options: ``--help``).

Generates (or reuses) synthetic portfolios, measures start-up against a bare
Textual app, the backlog and the scorecard at each size, the minutes and the CSV
import, prints a table with every target marked ``ok`` or ``MISS``, and writes
everything measured to ``benchmarks/results/latest.json``. What each number
means and how it is taken: ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks import generate, postgres, ptyrun

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
SAMPLE = ROOT / "data" / "sample.db"
MIB = 1024  # KiB per MiB

TARGETS = {
    "first_frame_ratio": 1.3,
    "first_rows_s": 0.5,
    "filter_p95_ms": 100.0,
    "sort_ms": 150.0,
    "peak_rss_mib": 150.0,
    "scorecard_p95_ms": 16.0,
    "minutes_s": 0.5,
    "import_s": 5.0,
}


# ---------------------------------------------------------------------- small helpers


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0–100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "n/a"
    return "ok" if value <= limit else "MISS"


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def launcher() -> tuple[list[str], str]:
    """How the app is started: the installed console script beside this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("labreview")
    if script.exists():
        return [str(script)], f"console script {script} (not through uv run)"
    return [sys.executable, "-m", "labreview"], f"{sys.executable} -m labreview (not through uv run)"


WRITE_BYTECODE = True
"""Let launched processes write .pyc files (as a user's first run does); ``--no-pyc`` keeps the environment's choice."""


def child_env(scratch: Path, extra_path: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABREVIEW_", "TEXTUAL"))}
    if WRITE_BYTECODE:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["TERM"] = "xterm-256color"
    env["LABREVIEW_CONFIG"] = str(scratch / "config.toml")  # absent: the defaults
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    if extra_path:
        env["PYTHONPATH"] = extra_path + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def first_agenda_key(db: Path) -> str:
    """The first item of the planned (else latest) session's agenda: the first row the app shows."""
    connection = sqlite3.connect(f"file:{db.as_posix()}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT i.key FROM agenda_item a JOIN initiative i ON i.id = a.initiative_id "
            "JOIN review_session r ON r.id = a.session_id "
            "ORDER BY r.status = 'planned' DESC, r.quarter DESC, a.position LIMIT 1"
        ).fetchone()
        return row[0]
    finally:
        connection.close()


# ---------------------------------------------------------------------- start-up


def startup(reps: int, scratch: Path) -> dict:
    """``labreview --demo`` against the bare Textual app, interleaved, in a pseudo-terminal."""
    command, how = launcher()
    env = child_env(scratch)
    key = first_agenda_key(SAMPLE)
    bare = [sys.executable, str(HERE / "bare_app.py")]
    bare_steps = [ptyrun.Step("frame", ("Hello from a bare Textual app",))]
    app = [*command, "--demo"]
    app_steps = [
        ptyrun.Step("frame", ("Opening the portfolio", " labreview")),
        ptyrun.Step("rows", (key,)),
    ]
    runs: dict[str, list[dict]] = {"bare": [], "labreview": []}
    say(f"start-up: {reps} interleaved launches of each (+1 warm-up)")
    for rep in range(reps + 1):
        order = [("bare", bare, bare_steps), ("labreview", app, app_steps)]
        if rep % 2:
            order.reverse()
        for name, argv, steps in order:
            launch = ptyrun.run(argv, steps, env=env, cwd=scratch)
            if rep == 0:
                continue  # warm-up: byte-code and page cache
            if "frame" not in launch.times:
                raise RuntimeError(f"{name} never showed its first frame; screen: {launch.tail[-400:]!r}")
            runs[name].append({**launch.times, "peak_rss_kib": launch.peak_rss_kib})
    bare_frame = median([r["frame"] for r in runs["bare"]])
    app_frame = median([r["frame"] for r in runs["labreview"]])
    app_rows = median([r["rows"] for r in runs["labreview"] if "rows" in r])
    return {
        "launcher": how,
        "bare_command": " ".join(bare),
        "app_command": " ".join(app),
        "first_rows_key": key,
        "runs": runs,
        "bare_frame_s": bare_frame,
        "app_frame_s": app_frame,
        "app_rows_s": app_rows,
        "ratio": app_frame / bare_frame,
    }


# ---------------------------------------------------------------------- per size


def launch_sizes(
    paths: dict[int, Path], reps: int, scratch: Path, server: postgres.Server | None = None
) -> tuple[dict[int, dict], dict[int, dict]]:
    """Whole process in a pty: first frame, first screen's rows, then ``b`` and the backlog's rows. With
    ``server``, each launch on SQLite is followed by the same launch on a PostgreSQL clone of the portfolio
    (copied there as ``size-N`` beforehand); returns SQLite's summary and PostgreSQL's."""
    command, _how = launcher()
    env = child_env(scratch)
    results: dict[int, list[dict]] = {size: [] for size in paths}
    results_pg: dict[int, list[dict]] = {size: [] for size in paths} if server else {}
    for rep in range(reps + 1):
        for size, source in paths.items():
            db = generate.copy_to(source, scratch / "launch", f"launch-{size}.db")
            steps = [
                ptyrun.Step("frame", ("Opening the portfolio", " labreview")),
                ptyrun.Step("first_screen_rows", (first_agenda_key(db),), send=b"b"),
                # the count: in the preview read with sqlite3 while opening, then beside the filter
                ptyrun.Step("backlog_rows", (f" {size:,} initiatives",)),
                ptyrun.Step("backlog_ready", ("filter: words",)),  # the real screen: its filter box is drawn
            ]
            targets = [("", str(db), results)]
            if server is not None:
                targets.append(("pg ", server.create(f"launch-{size}", template=f"size-{size}"), results_pg))
            for label, target, into in targets:
                launch = ptyrun.run([*command, "--db", target], steps, env=env, cwd=scratch, timeout=120)
                if rep == 0:
                    continue  # warm-up
                if "backlog_rows" not in launch.times:
                    say(f"  {label}{size:,}: the backlog never showed; screen: {launch.tail[-300:]!r}")
                into[size].append({**launch.times, "peak_rss_kib": launch.peak_rss_kib})
                say(
                    f"  {label}launch {size:>7,} rep {rep}: "
                    + ", ".join(f"{k} {v:.3f} s" for k, v in launch.times.items())
                )
    return _launch_summary(results), _launch_summary(results_pg)


def _launch_summary(results: dict[int, list[dict]]) -> dict[int, dict]:
    summary = {}
    for size, runs in results.items():
        summary[size] = {
            "runs": runs,
            **{
                name: median([r[name] for r in runs if name in r])
                for name in ("frame", "first_screen_rows", "backlog_rows", "backlog_ready")
            },
            "peak_rss_kib": max((r["peak_rss_kib"] or 0) for r in runs) if runs else None,
        }
    return summary


def interact(size: int, source: Path, scratch: Path, quick: bool, url: str | None = None) -> dict:
    """The headless run on a scratch copy of ``source``, or on the database at ``url`` (PostgreSQL)."""
    db = url or generate.copy_to(source, scratch / "interact", f"interact-{size}.db")
    out = scratch / f"interact-{size}{'-pg' if url else ''}.json"
    argv = [sys.executable, "-m", "benchmarks.interact", "--db", str(db), "--out", str(out)]
    if quick:
        argv.append("--quick")
    started = time.perf_counter()
    completed = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=child_env(scratch))
    if completed.returncode != 0:
        raise RuntimeError(f"interaction benchmark at {size:,} failed:\n{completed.stderr[-3000:]}")
    result = json.loads(out.read_text())
    result["wall_s"] = time.perf_counter() - started
    return result


def summarize_interact(result: dict) -> dict:
    filters = [k["ms"] for k in result["filter"]]
    sorts = [s["ms"] for s in result["sort"]]
    return {
        "ready_ms": result["ready_ms"],
        "backlog_open_ms": result["backlog_open_ms"],
        "index_loaded_after_ready_ms": result.get("index_loaded_after_ready_ms"),
        "filter_keys": len(filters),
        "filter_p50_ms": percentile(filters, 50),
        "filter_p95_ms": percentile(filters, 95),
        "filter_max_ms": max(filters, default=None),
        "sort_median_ms": median(sorts),
        "sort_max_ms": max(sorts),
        "group_ms": result["group_ms"],
        "escape_ms": result.get("escape_ms"),
        "pagedown_p50_ms": percentile(result["pagedown_ms"], 50),
        "pagedown_p95_ms": percentile(result["pagedown_ms"], 95),
        "pagedown_row": result["pagedown_row"],
        "end_ms": result["end_ms"],
        "scorecard_p50_ms": percentile(result.get("scorecard_ms", []), 50),
        "scorecard_p95_ms": percentile(result.get("scorecard_ms", []), 95),
        "score_handler_p95_ms": percentile(result.get("score_handler_ms", []), 95),
        "record_score_p50_ms": percentile(result.get("record_score_ms", []), 50),
        "record_score_p95_ms": percentile(result.get("record_score_ms", []), 95),
        "peak_rss_mib": result["peak_rss_kib"] / MIB,
    }


# ---------------------------------------------------------------------- minutes and import


def exchange_available(env: dict[str, str]) -> bool:
    probe = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('labreview.exchange') else 1)"
    return subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT).returncode == 0


def timed_cli(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    """Wall time of the command; ``completed.peak_rss_kib`` is its peak RSS (``ru_maxrss`` from ``wait4``)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=err, text=True, stdin=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        completed = subprocess.CompletedProcess(argv, process.returncode, out.read(), err.read())
    completed.peak_rss_kib = usage.ru_maxrss  # type: ignore[attr-defined]
    return seconds, completed


def exchange(
    scratch: Path, reps: int, exchange_src: str | None, quick: bool, server: postgres.Server | None = None
) -> dict:
    env = child_env(scratch, exchange_src)
    result: dict = {"source": exchange_src or "this build"}
    floor, _ = timed_cli([sys.executable, "-m", "labreview", "--version"], env, scratch)
    result["cli_floor_s"] = floor
    if not exchange_available(env):
        result["available"] = False
        return result
    result["available"] = True
    rows = 10_000 if quick else 100_000
    minutes_db = generate.portfolio(10_000, decided=1000)
    csv_path = generate.csv_file(rows)
    result["minutes_db"] = minutes_db.path.name
    result["csv"] = {"file": csv_path.name, "rows": rows, "mib": csv_path.stat().st_size / 2**20}
    times = []
    for _ in range(reps):
        db = generate.copy_to(minutes_db.path, scratch / "minutes", "minutes.db")
        out = scratch / "minutes" / "minutes.md"
        argv = [sys.executable, "-m", "labreview", "minutes", "2026-Q4", "--db", str(db), "-o", str(out), "--force"]
        seconds, completed = timed_cli(argv, env, scratch)
        if completed.returncode != 0:
            result["minutes_error"] = completed.stderr.strip()[-500:]
            break
        times.append(seconds)
        result["minutes_bytes"] = out.stat().st_size
        result["minutes_peak_rss_kib"] = max(result.get("minutes_peak_rss_kib", 0), completed.peak_rss_kib)
    result["minutes_s"] = times
    folder = scratch / "import"
    folder.mkdir(parents=True, exist_ok=True)
    target = generate.empty_portfolio(folder)
    argv = [sys.executable, "-m", "labreview", "import", str(csv_path), "--db", str(target)]
    seconds, completed = timed_cli(argv, env, scratch)
    if completed.returncode != 0:
        result["import_error"] = (completed.stderr or completed.stdout).strip()[-500:]
    else:
        result["import_s"] = seconds
        result["import_peak_rss_kib"] = completed.peak_rss_kib
        result["imported"] = generate.table_counts(target).get("initiative")
    if server is not None:
        result["pg"] = exchange_pg(server, scratch, env, reps, minutes_db.path, csv_path)
    return result


def exchange_pg(
    server: postgres.Server, scratch: Path, env: dict[str, str], reps: int, minutes_source: Path, csv_path: Path
):
    """The minutes and the import on PostgreSQL, right after SQLite's: the same commands with ``--db URL``."""
    result: dict = {}
    url, result["minutes_copy_s"] = postgres.copy_in(server, minutes_source, "minutes", env, scratch)
    times = []
    for _ in range(reps):
        db = server.create("minutes-run", template="minutes")
        out = scratch / "minutes" / "minutes-pg.md"
        argv = [sys.executable, "-m", "labreview", "minutes", "2026-Q4", "--db", db, "-o", str(out), "--force"]
        seconds, completed = timed_cli(argv, env, scratch)
        if completed.returncode != 0:
            result["minutes_error"] = completed.stderr.strip()[-500:]
            break
        times.append(seconds)
        result["minutes_peak_rss_kib"] = max(result.get("minutes_peak_rss_kib", 0), completed.peak_rss_kib)
    result["minutes_s"] = times
    del url
    target = server.create("import")
    init = subprocess.run(
        [sys.executable, "-m", "labreview", "init", "--db", target],
        env=env,
        cwd=scratch,
        capture_output=True,
        text=True,
    )
    if init.returncode != 0:
        result["import_error"] = init.stderr.strip()[-500:]
        return result
    argv = [sys.executable, "-m", "labreview", "import", str(csv_path), "--db", target]
    seconds, completed = timed_cli(argv, env, scratch)
    if completed.returncode != 0:
        result["import_error"] = (completed.stderr or completed.stdout).strip()[-500:]
    else:
        result["import_s"] = seconds
        result["import_peak_rss_kib"] = completed.peak_rss_kib
    return result


# ---------------------------------------------------------------------- report


def fmt(value: float | None, unit: str = "", digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}"


def render(report: dict) -> str:
    lines: list[str] = []
    env = report["environment"]
    lines.append(f"labreview benchmarks · {env['when']} · commit {env['commit']} · {env['machine']}")
    lines.append(
        f"load average before {env['load_before']} after {env['load_after']} ({env['cpus']} CPUs); "
        f"Python {env['python']}, Textual {env['textual']}, SQLAlchemy {env['sqlalchemy']}"
    )
    lines.append(f"bytecode: {env['bytecode']}")
    s = report.get("startup")
    if s:
        lines.append("")
        lines.append(f"Start-up in a pseudo-terminal, 120×40, median of {len(s['runs']['bare'])} interleaved launches")
        lines.append(f"  app: {s['launcher']} --demo; bare: {s['bare_command']}")
        lines.append(f"  {'':34}{'median':>10}  target")
        lines.append(f"  {'bare Textual app: first frame':34}{fmt(s['bare_frame_s'] * 1000, ' ms'):>10}")
        lines.append(f"  {'labreview --demo: first frame':34}{fmt(s['app_frame_s'] * 1000, ' ms'):>10}")
        ratio = s["ratio"]
        limit = TARGETS["first_frame_ratio"]
        lines.append(f"  {'  ratio to bare':34}{fmt(ratio, '×', 2):>10}  ≤ {limit}× {verdict(ratio, limit)}")
        rows = s["app_rows_s"]
        lines.append(f"  {'labreview --demo: first rows':34}{fmt(rows * 1000 if rows else None, ' ms'):>10}")
    sizes = report.get("sizes", {})
    if sizes:
        keys = list(sizes)
        lines.append("")
        header = f"  {'per size':44}" + "".join(f"{int(k):>12,}" for k in keys) + "  target (at 100k)"
        lines.append("Per portfolio size (initiatives)")
        lines.append(header)

        def row(label: str, getter: Callable[[dict], float | None], unit: str, limit: float | None = None, digits=0):
            values = [getter(sizes[k]) for k in keys]
            text = f"  {label:44}" + "".join(f"{fmt(v, unit, digits):>12}" for v in values)
            if limit is not None:
                last = values[-1]
                text += f"  ≤ {limit:g}{unit.strip()} {verdict(last, limit)}"
                misses = [f"{int(k):,}" for k, v in zip(keys, values, strict=True) if verdict(v, limit) == "MISS"]
                if misses:
                    text += f" (over at {', '.join(misses)})"
            lines.append(text)

        def launch(name):
            return lambda d: d["launch"][name] * 1000 if d.get("launch") and d["launch"].get(name) else None

        def inter(name):
            return lambda d: d["interact"].get(name) if d.get("interact") else None

        lines.append("  pty, whole process (median of launches):")
        row("  launch → first frame", launch("frame"), " ms")
        row("  launch → first screen's rows (agenda)", launch("first_screen_rows"), " ms", 500)
        row("  launch → backlog rows (b at first screen)", launch("backlog_rows"), " ms", 500)
        row("  launch → backlog interactive (its filter box)", launch("backlog_ready"), " ms")
        row(
            "  peak RSS of the app process (VmHWM)",
            lambda d: d["launch"]["peak_rss_kib"] / MIB if d.get("launch") and d["launch"]["peak_rss_kib"] else None,
            " MiB",
            150,
        )
        lines.append("  headless (make_app + run_test), key → painted:")
        row("  import app + make_app → ready (first screen)", inter("ready_ms"), " ms")
        row("  b → backlog rows", inter("backlog_open_ms"), " ms")
        row("  first screen → backlog's memory index loaded", inter("index_loaded_after_ready_ms"), " ms")
        n = next((d["interact"]["filter_keys"] for d in sizes.values() if d.get("interact")), 0)
        row(f"  filter keystroke p50 ({n} keys)", inter("filter_p50_ms"), " ms", digits=1)
        row(f"  filter keystroke p95 ({n} keys)", inter("filter_p95_ms"), " ms", 100, digits=1)
        row("  filter keystroke max", inter("filter_max_ms"), " ms", digits=1)
        row("  sort (> and r) median", inter("sort_median_ms"), " ms", digits=1)
        row("  sort (> and r) worst of 15", inter("sort_max_ms"), " ms", 150, digits=1)
        row("  group by stage (G)", inter("group_ms"), " ms", digits=1)
        row("  escape from the filter (footer rebuilt)", inter("escape_ms"), " ms", digits=1)
        row("  page down p50", inter("pagedown_p50_ms"), " ms", digits=1)
        row("  page down p95", inter("pagedown_p95_ms"), " ms", digits=1)
        row("  end (jump to the last row)", inter("end_ms"), " ms", digits=1)
        row("  scorecard digit → painted p50", inter("scorecard_p50_ms"), " ms", digits=1)
        row("  scorecard digit → painted p95", inter("scorecard_p95_ms"), " ms", 16, digits=1)
        row("  scorecard action_score handler p95", inter("score_handler_p95_ms"), " ms", 16, digits=1)
        row("  Portfolio.record_score p50", inter("record_score_p50_ms"), " ms", digits=1)
        row("  Portfolio.record_score p95", inter("record_score_p95_ms"), " ms", 16, digits=1)
        row("  peak RSS of the headless run", inter("peak_rss_mib"), " MiB", 150)
        if len(keys) > 1:
            lines.append("")
            lines.append("Scaling (ratio between consecutive sizes; linear = the size ratio, flat = 1)")
            pairs = list(itertools.pairwise(keys))
            lines.append(f"  {'':44}" + "".join(f"{f'{int(b) // 1000}k/{int(a) // 1000}k':>12}" for a, b in pairs))
            lines.append(f"  {'size':44}" + "".join(f"{int(b) / int(a):>11.0f}×" for a, b in pairs))
            for label, getter in (
                ("launch → backlog rows", launch("backlog_rows")),
                ("launch → backlog interactive", launch("backlog_ready")),
                ("b → backlog rows", inter("backlog_open_ms")),
                ("filter keystroke p50", inter("filter_p50_ms")),
                ("filter keystroke p95", inter("filter_p95_ms")),
                ("sort median", inter("sort_median_ms")),
                ("page down p50 (navigation)", inter("pagedown_p50_ms")),
                ("scorecard digit p50 (navigation)", inter("scorecard_p50_ms")),
                ("peak RSS (app process)", lambda d: d["launch"]["peak_rss_kib"] if d.get("launch") else None),
            ):
                cells = []
                for a, b in pairs:
                    va, vb = getter(sizes[a]), getter(sizes[b])
                    cells.append(f"{vb / va:>11.2f}×" if va and vb else f"{'–':>12}")
                lines.append(f"  {label:44}" + "".join(cells))
    x = report.get("exchange")
    if x:
        lines.append("")
        lines.append(
            f"Minutes and import (CLI as a subprocess, {x['source']}; `labreview --version` takes "
            f"{x['cli_floor_s'] * 1000:.0f} ms)"
        )
        if not x["available"]:
            lines.append("  minutes export, 1,000 decisions: not available on this build")
            lines.append("  CSV import, 100,000 rows:        not available on this build")
        else:
            m = median(x.get("minutes_s", []))
            err = f"  error: {x['minutes_error']}" if x.get("minutes_error") else ""
            lines.append(
                f"  {'minutes export, 1,000 decisions':44}{fmt(m * 1000 if m else None, ' ms'):>12}"
                f"  ≤ 500 ms {verdict(m, TARGETS['minutes_s'])}{err}"
            )
            i = x.get("import_s")
            err = f"  error: {x['import_error']}" if x.get("import_error") else ""
            lines.append(
                f"  {'CSV import, ' + format(x['csv']['rows'], ',') + ' rows':44}{fmt(i, ' s', 2):>12}"
                f"  ≤ 5 s {verdict(i, TARGETS['import_s'])}{err}"
            )
            for label, key in (("minutes", "minutes_peak_rss_kib"), ("import", "import_peak_rss_kib")):
                if x.get(key):
                    lines.append(f"  {'  peak RSS of the ' + label + ' process':44}{fmt(x[key] / MIB, ' MiB'):>12}")
    if report.get("postgres"):
        lines.extend(render_postgres(report))
    for error in report.get("errors", []):
        lines.append(f"FAILED {error}")
    return "\n".join(lines)


def render_postgres(report: dict) -> list[str]:
    """SQLite against PostgreSQL, number by number, from the same run."""
    pg = report["postgres"]
    lines = ["", f"SQLite against PostgreSQL, same run ({pg['server']}; ratio = PostgreSQL / SQLite)"]
    lines.append(f"  {'':44}{'SQLite':>12}{'PostgreSQL':>12}{'ratio':>9}")

    def pair(label: str, a: float | None, b: float | None, unit: str, digits: int = 0, error: str = "") -> None:
        ratio = f"{b / a:>8.2f}×" if a and b else f"{'–':>9}"
        text = f"  {label:44}{fmt(a, unit, digits):>12}{fmt(b, unit, digits):>12}{ratio}"
        lines.append(text + (f"  error: {' '.join(error.split())[-160:]}" if error else ""))

    sizes = report.get("sizes", {})
    for key, data in pg.get("sizes", {}).items():
        sqlite_data = sizes.get(key, {})
        lines.append(f"  {int(key):,} initiatives")
        pair("  labreview db copy SQLite → PostgreSQL", None, data.get("copy_s"), " s", 2)
        for label, name in (
            ("  launch → first frame", "frame"),
            ("  launch → first screen's rows", "first_screen_rows"),
            ("  launch → backlog rows", "backlog_rows"),
            ("  launch → backlog interactive", "backlog_ready"),
        ):
            a = (sqlite_data.get("launch") or {}).get(name)
            b = (data.get("launch") or {}).get(name)
            pair(label, a * 1000 if a else None, b * 1000 if b else None, " ms")
        for label, name in (
            ("  headless ready (first screen)", "ready_ms"),
            ("  b → backlog rows", "backlog_open_ms"),
            ("  filter keystroke p95", "filter_p95_ms"),
            ("  sort median", "sort_median_ms"),
            ("  sort worst", "sort_max_ms"),
            ("  scorecard digit → painted p95", "scorecard_p95_ms"),
            ("  Portfolio.record_score p50", "record_score_p50_ms"),
        ):
            a = (sqlite_data.get("interact") or {}).get(name)
            b = (data.get("interact") or {}).get(name)
            pair(label, a, b, " ms", 1)
    x = report.get("exchange") or {}
    xp = x.get("pg")
    if xp:
        lines.append("  minutes and import (CLI as a subprocess)")
        m, mp = median(x.get("minutes_s", [])), median(xp.get("minutes_s", []))
        pair(
            "  minutes export, 1,000 decisions", m and m * 1000, mp and mp * 1000, " ms", 0, xp.get("minutes_error", "")
        )
        rows = format(x["csv"]["rows"], ",")
        pair(f"  CSV import, {rows} rows", x.get("import_s"), xp.get("import_s"), " s", 2, xp.get("import_error", ""))
        pair("  db copy of the 10k minutes portfolio", None, xp.get("minutes_copy_s"), " s", 2)
    return lines


# ---------------------------------------------------------------------- main


def _compile_all() -> None:
    """Byte-compile the environment and the app once, as the first run after ``uv sync`` would leave it."""
    import compileall
    import sysconfig

    say("byte-compiling site-packages and src/ (once; later runs find the caches)")
    for folder in {sysconfig.get_paths()["purelib"], str(ROOT / "src")}:
        compileall.compile_dir(folder, quiet=2, workers=0)


def environment() -> dict:
    import sqlalchemy
    import textual

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True)
        if dirty.stdout.strip():
            commit += "+dirty src"
    except OSError:
        commit = "?"
    return {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "commit": commit,
        "machine": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "textual": getattr(textual, "__version__", "?"),
        "sqlalchemy": sqlalchemy.__version__,
        "load_before": load(),
        "bytecode": "launched processes write and use .pyc caches (warm-up launch first)"
        if WRITE_BYTECODE
        else "launched processes keep PYTHONDONTWRITEBYTECODE=" + os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="portfolio sizes (default: 1000,10000,100000)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and keystrokes (a smoke run)")
    parser.add_argument("--reps", type=int, help="launches per measurement (default 7 for start-up, 3 per size)")
    parser.add_argument(
        "--only",
        default="startup,sizes,exchange",
        help="comma-separated parts: startup, launch, interact, sizes (= launch+interact), exchange",
    )
    parser.add_argument(
        "--exchange-src",
        metavar="DIR",
        help="put DIR (a src/ folder holding labreview) first on PYTHONPATH for the minutes and import commands",
    )
    parser.add_argument(
        "--pg",
        metavar="URL",
        help="also run on PostgreSQL: a server's maintenance database URL (postgresql+psycopg://…/postgres); "
        "the benchmark makes databases named copy_bench_* there and drops them at the end",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json", help="where to write the JSON")
    parser.add_argument("--refresh", action="store_true", help="regenerate the cached portfolios")
    parser.add_argument(
        "--no-pyc",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE for the launched processes (every launch then compiles from source)",
    )
    args = parser.parse_args(argv)
    global WRITE_BYTECODE
    WRITE_BYTECODE = not args.no_pyc
    parts = set(args.only.split(","))
    if "sizes" in parts:
        parts |= {"launch", "interact"}
    sizes = [int(s) for s in args.sizes.split(",") if s]
    report: dict = {"environment": environment(), "targets": TARGETS, "quick": args.quick}
    if WRITE_BYTECODE:
        _compile_all()
    scratch = Path(tempfile.mkdtemp(prefix="labreview-bench-"))
    server = postgres.Server(args.pg) if args.pg else None
    pg: dict = {"server": server.shown(), "sizes": {}} if server else {}
    if server:
        report["postgres"] = pg
    try:
        paths = {}
        if parts & {"launch", "interact"}:
            for size in sizes:
                made = generate.portfolio(size, refresh=args.refresh)
                how = "cached" if made.cached else f"generated in {made.seconds:.1f} s"
                say(f"portfolio {size:,}: {made.path.name} ({made.path.stat().st_size / 2**20:.0f} MiB, {how})")
                paths[size] = made.path
            report["portfolios"] = {str(s): generate.table_counts(p) for s, p in paths.items()}
        errors = report.setdefault("errors", [])
        if server:
            for size, path in paths.items():
                say(f"portfolio {size:,} to PostgreSQL (labreview db copy)")
                _url, seconds = postgres.copy_in(server, path, f"size-{size}", child_env(scratch), scratch)
                pg["sizes"][str(size)] = {"copy_s": seconds}

        def attempt(what: str, call: Callable[[], object]) -> object:
            try:
                return call()
            except Exception as exc:  # a failed part is reported; the others still run
                say(f"{what} failed: {exc}")
                errors.append(f"{what}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else exc!r}")
                return None

        if "startup" in parts:
            report["startup"] = attempt("start-up", lambda: startup(args.reps or (3 if args.quick else 7), scratch))
        report["sizes"] = {str(s): {} for s in paths}
        if "launch" in parts:
            say("launch per size (pty)")
            launched = attempt(
                "launch", lambda: launch_sizes(paths, args.reps or (1 if args.quick else 3), scratch, server)
            )
            for size, data in (launched or ({}, {}))[0].items():
                report["sizes"][str(size)]["launch"] = data
            for size, data in (launched or ({}, {}))[1].items():
                pg["sizes"][str(size)]["launch"] = data
        if "interact" in parts:
            for size, path in paths.items():
                say(f"interaction at {size:,} (headless, own process)")
                raw = attempt(
                    f"interaction at {size:,}", lambda size=size, path=path: interact(size, path, scratch, args.quick)
                )
                if raw:
                    report["sizes"][str(size)]["interact"] = summarize_interact(raw)
                    report["sizes"][str(size)]["interact_raw"] = raw
                if server:
                    say(f"interaction at {size:,} on PostgreSQL")
                    raw = attempt(
                        f"interaction at {size:,} on PostgreSQL",
                        lambda size=size, path=path: interact(
                            size, path, scratch, args.quick, server.create(f"interact-{size}", template=f"size-{size}")
                        ),
                    )
                    if raw:
                        pg["sizes"][str(size)]["interact"] = summarize_interact(raw)
        if not report["sizes"]:
            del report["sizes"]
        if "exchange" in parts:
            say("minutes and import")
            report["exchange"] = attempt(
                "minutes and import",
                lambda: exchange(scratch, 1 if args.quick else 3, args.exchange_src, args.quick, server),
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if server:
            server.close()
    report["environment"]["load_after"] = load()
    text = render(report)
    print(text)
    report["table"] = text
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, default=str))
    say(f"wrote {args.out}")
    return 0
