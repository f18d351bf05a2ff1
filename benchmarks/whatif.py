"""Run ``labreview`` with one change applied from outside, to measure what a fix would gain.

``python benchmarks/whatif.py MODE [labreview arguments]``; MODE is ``as-is``,
``profile-first-frame``, or changes joined with ``+`` (``lazy-engine+no-quick-check``):

- ``as-is``: nothing changed (the same code path as the console script);
- ``open-after-frame``: the worker that imports the store and opens the portfolio
  starts after the first frame is painted (``call_after_refresh``) instead of in ``on_mount``;
- ``no-open``: the worker never starts (the floor: Python, imports, CSS and the first compose);
- ``no-quick-check``: ``PRAGMA quick_check`` is skipped when the database is probed;
- ``lazy-engine``: the command line checks the database without importing ``labreview.store.engine``
  (which imports SQLAlchemy) before the first frame: ``is_url`` is a string test;
- ``profile-first-frame``: like ``no-open``, under cProfile, quitting once the first frame is
  painted; the statistics go to the file named by ``$WHATIF_PROFILE`` (with ``$WHATIF_LAZY_ENGINE``
  set, ``lazy-engine`` applies too).

Used by ``python -m benchmarks.diagnose startup``; nothing here is part of the app.
"""

from __future__ import annotations

import sys


def main() -> int:
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "profile-first-frame":
        import cProfile
        import os

        profiler = cProfile.Profile()
        profiler.enable()
        from labreview.ui import app as app_module

        original = app_module.LabReviewApp.on_mount

        def on_mount(self) -> None:
            self._open = lambda: None
            original(self)
            self.call_after_refresh(self.exit)

        app_module.LabReviewApp.on_mount = on_mount
        from labreview import cli as cli_module
        from labreview.cli import main as cli

        if os.environ.get("WHATIF_LAZY_ENGINE"):

            def _prepare(target: str, *, create: bool) -> None:
                from labreview.store.database import State, prepare, probe

                if "://" not in str(target) and probe(target).state is State.CURRENT:
                    return
                prepare(target, create=create)

            cli_module._prepare = _prepare
        try:
            return cli(args)
        finally:
            profiler.disable()
            profiler.dump_stats(os.environ["WHATIF_PROFILE"])
    changes = set(mode.split("+")) - {"as-is"}
    unknown = changes - {"lazy-engine", "open-after-frame", "no-open", "no-quick-check"}
    if unknown:
        raise SystemExit(f"unknown change(s): {', '.join(sorted(unknown))}")
    if "lazy-engine" in changes:
        from labreview import cli as cli_module

        def _prepare(target: str, *, create: bool) -> None:
            from labreview.store.database import State, prepare, probe

            if "://" not in str(target) and probe(target).state is State.CURRENT:
                return
            prepare(target, create=create)

        cli_module._prepare = _prepare
    if changes & {"open-after-frame", "no-open"}:
        from labreview.ui import app as app_module

        original = app_module.LabReviewApp.on_mount

        def on_mount(self) -> None:
            opener = self._open
            self._open = lambda: None
            original(self)
            del self._open
            if "open-after-frame" in changes:
                self.call_after_refresh(opener)

        app_module.LabReviewApp.on_mount = on_mount
    if "no-quick-check" in changes:
        import sqlite3

        from labreview.store import database

        class Connection:
            def __init__(self, inner) -> None:
                self._inner = inner

            def execute(self, sql, *params):
                if "quick_check" in sql:
                    return self._inner.execute("SELECT 'ok'")
                return self._inner.execute(sql, *params)

            def __getattr__(self, name):
                return getattr(self._inner, name)

        class Sqlite3:
            def __getattr__(self, name):
                return getattr(sqlite3, name)

            @staticmethod
            def connect(*a, **k):
                return Connection(sqlite3.connect(*a, **k))

        database.sqlite3 = Sqlite3()
    from labreview.cli import main as cli

    return cli(args)


if __name__ == "__main__":
    raise SystemExit(main())
