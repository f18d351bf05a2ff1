"""``labreview serve`` with many members connected: how long a cast score takes to reach every other member's page
and the facilitator's screen, and the server's memory per connected member.

    uv run python -m benchmarks.serve [--members 20] [--rounds 5] [--ballots 5]

A real ``labreview serve`` process on a scratch copy of the sample (the 2026-Q4 session started, members added to
the board until there are ``--members``, a ballot open on the current item). Every member holds the live stream
open, as a page does; one member at a time casts a score, and each other member's page is timed from the cast's
request to the event (``event``) and to its live parts fetched again (``redraw``, what the page's script does).
Then the facilitator's side, as the issue asks: the facilitator's app runs in a pseudo-terminal (a real process,
its screen read as the terminal receives it) on the scorecard; it opens secret scoring of an item (``V``) and all
members score at once, each from their own thread, the five criteria in one form post as the page sends them.
The k-th member to be answered is on the facilitator's screen when it first shows "k of N have scored":
``score → facilitator's screen`` is that moment less the member's answer. ``--ballots`` items in a row (``n``).
Prints a table; nothing here is a test.
"""

from __future__ import annotations

import argparse
import codecs
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

import httpx

from benchmarks.ptyrun import ANSI
from labreview.domain.vocabulary import BoardRole, Criterion

ROOT = Path(__file__).resolve().parents[1]
QUARTER = "2026-Q4"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def prepare(target: Path, members: int) -> tuple[str, dict[str, str]]:
    from labreview.portfolio import Portfolio

    portfolio = Portfolio.open(target)
    try:
        board = [p.name for p in portfolio.session(QUARTER).attendees if p.role is not None]
        roles = list(BoardRole)
        for n in range(len(board), members):
            name = f"Member {n + 1:02d}"
            portfolio.add_person(name, roles[n % len(roles)])
            portfolio.set_attendance(QUARTER, name, True)
            board.append(name)
        view = portfolio.start_session(QUARTER)
        portfolio.open_ballot(QUARTER, view.current_key)
        links = {name: portfolio.issue_seat_link(QUARTER, name).token for name in board[:members]}
        return view.current_key, links
    finally:
        portfolio.close()


class Page(threading.Thread):
    """One member's page: the live stream open; on each event, the live parts fetched again."""

    def __init__(self, base: str, token: str) -> None:
        super().__init__(daemon=True)
        self.base, self.token = base, token
        self.events: list[float] = []
        self.redraws: list[float] = []
        self.ready = threading.Event()
        self.stop = False

    def run(self) -> None:
        try:
            with (
                httpx.Client(base_url=self.base, timeout=None) as client,
                client.stream("GET", f"/s/{self.token}/events") as stream,
            ):
                for line in stream.iter_lines():
                    if self.stop:
                        return
                    if line.startswith(": connected"):
                        self.ready.set()
                    if line.startswith("event: change"):
                        self.events.append(time.perf_counter())
                        client.get(f"/s/{self.token}/live", headers={"X-Labreview": "fetch"})
                        self.redraws.append(time.perf_counter())
        except httpx.HTTPError:  # the server stopped
            return


PROGRESS = re.compile(r"(\d+) of (\d+) have scored")


class Facilitator(threading.Thread):
    """The facilitator's app in a pseudo-terminal: every change of the "k of N have scored" it draws, timed."""

    def __init__(self, target: Path, env: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 150, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "labreview", "--db", str(target)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"},
            start_new_session=True,
        )
        os.close(slave)
        self.text = ""
        self.shown: list[tuple[int, float]] = []
        """Each count of members who have scored, as first drawn, with when."""
        self.stop = False

    def run(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        tail = ""
        while not self.stop:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            now = time.perf_counter()
            tail = (tail + decoder.decode(chunk))[-20000:]
            plain = ANSI.sub("", tail)
            self.text = plain
            found = PROGRESS.findall(plain)
            if found:
                count = int(found[-1][0])
                if not self.shown or self.shown[-1][0] != count:
                    self.shown.append((count, now))

    def wait_for(self, needle: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{needle!r} never showed on the facilitator's screen")
            time.sleep(0.01)

    def keys(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def quit(self) -> None:
        self.keys("\x11")
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.stop = True


def facilitator_rounds(
    target: Path, base: str, links: dict[str, str], ballots: int, env: dict[str, str]
) -> list[float]:
    """Latencies (ms) from each member's answer to the facilitator's screen counting them, over ``ballots`` items."""
    app = Facilitator(target, env)
    app.start()
    latencies: list[float] = []
    members = len(links)
    try:
        app.wait_for("Attending (")
        app.keys("s")
        for ballot in range(ballots):
            if ballot:
                app.keys("n")
                time.sleep(0.5)
            app.keys("V")
            app.wait_for(f"0 of {members} have scored")
            time.sleep(0.5)
            shown_before = len(app.shown)
            answered: list[float] = []
            lock = threading.Lock()
            go = threading.Event()

            def member(token: str, go=go, lock=lock, answered=answered) -> None:
                with httpx.Client(base_url=base, timeout=30) as client:
                    page = client.get(f"/s/{token}").text
                    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
                    key = page.split('name="key" value="', 1)[1].split('"', 1)[0]
                    go.wait()
                    client.post(
                        f"/s/{token}/score",
                        data={"key": key, "csrf": csrf, **{c.value: "3" for c in Criterion}},
                        headers={"X-Labreview": "fetch"},
                    )
                    with lock:
                        answered.append(time.perf_counter())

            threads = [threading.Thread(target=member, args=(token,)) for token in links.values()]
            for thread in threads:
                thread.start()
            time.sleep(1.0)  # every member has read their page
            go.set()
            for thread in threads:
                thread.join()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and (not app.shown or app.shown[-1][0] < members):
                time.sleep(0.01)
            shown = app.shown[shown_before:]
            for k, moment in enumerate(sorted(answered), start=1):
                drawn = next((at for count, at in shown if count >= k), None)
                if drawn is not None:
                    latencies.append(max(0.0, (drawn - moment) * 1000))
    finally:
        app.quit()
    return latencies


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5, help="scores each member casts (at most 5)")
    parser.add_argument("--ballots", type=int, default=5, help="items the facilitator's app opens in secret")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="labreview-bench-serve-"))
    target = folder / "sample.db"
    shutil.copyfile(ROOT / "data" / "sample.db", target)
    key, links = prepare(target, args.members)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml"}
    server = subprocess.Popen(
        [sys.executable, "-m", "labreview", "serve", "--db", str(target), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        server.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        time.sleep(0.5)
        idle = rss_kib(server.pid)
        pages = {name: Page(base, token) for name, token in links.items()}
        for page in pages.values():
            page.start()
        for page in pages.values():
            page.ready.wait(10)
        time.sleep(0.5)
        connected = rss_kib(server.pid)
        event_ms: list[float] = []
        redraw_ms: list[float] = []
        criteria = list(Criterion)[: max(1, min(5, args.rounds))]
        with httpx.Client(base_url=base) as client:
            for criterion in criteria:
                for name, token in links.items():
                    page = client.get(f"/s/{token}")
                    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
                    others = [p for n, p in pages.items() if n != name]
                    seen = {id(p): len(p.redraws) for p in others}
                    started = time.perf_counter()
                    client.post(
                        f"/s/{token}/score",
                        data={"key": key, "csrf": csrf, "criterion": criterion.value, "value": "3"},
                        headers={"X-Labreview": "fetch"},
                    )
                    deadline = time.monotonic() + 5
                    while time.monotonic() < deadline and any(len(p.redraws) <= seen[id(p)] for p in others):
                        time.sleep(0.002)
                    for p in others:
                        if len(p.redraws) > seen[id(p)]:
                            event_ms.append((p.events[seen[id(p)]] - started) * 1000)
                            redraw_ms.append((p.redraws[seen[id(p)]] - started) * 1000)
                    time.sleep(0.05)
        per_member = (connected - idle) / max(1, len(pages))
        print(f"labreview serve, {len(pages)} members connected, {len(event_ms)} page updates measured")
        print(f"{'':<28}{'p50':>10}{'p95':>10}{'max':>10}")
        for label, values in (("score → event (ms)", event_ms), ("score → page redrawn (ms)", redraw_ms)):
            if values:
                print(
                    f"{label:<28}{statistics.median(values):>10.0f}{percentile(values, 95):>10.0f}{max(values):>10.0f}"
                )
        print(
            f"server memory: {idle / 1024:.1f} MiB idle, {connected / 1024:.1f} MiB connected, "
            f"{per_member:.0f} KiB per connected member"
        )
        for page in pages.values():
            page.stop = True
        screen_ms = facilitator_rounds(target, base, links, args.ballots, env) if args.ballots else []
        if screen_ms:
            print(
                f"{len(links)} members scoring at once, {args.ballots} items: score → facilitator's screen (ms) "
                f"p50 {statistics.median(screen_ms):.0f}, p95 {percentile(screen_ms, 95):.0f}, "
                f"max {max(screen_ms):.0f} ({len(screen_ms)} members counted)"
            )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
