"""The database goes away mid-meeting (a PostgreSQL server restarted, a network or removable drive gone): the
app says so on the message line and goes on; when the database is back, the next key works again.

The failure is the one a read then raises (``StorageError``), injected where the screens read."""

from __future__ import annotations

from labreview.domain.errors import StorageError
from labreview.portfolio.backlog import Backlog
from labreview.portfolio.scores import Scores
from tests.ui.conftest import message, ready

GONE = "The database server cannot be reached (Connection refused): nothing was saved. Try again when it is back."


async def test_a_filter_typed_while_the_database_is_gone_is_answered_in_words(app_factory, monkeypatch):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await ready(pilot)
        view = Backlog.view

        def gone(*_args, **_kwargs):
            raise StorageError(GONE)

        monkeypatch.setattr(Backlog, "view", gone)
        await pilot.press("/", "q")
        await ready(pilot)
        assert app.is_running and app.current_mode == "backlog"
        assert GONE in message(app)

        monkeypatch.setattr(Backlog, "view", view)  # the server is back
        await pilot.press("u", "i", "l", "l")
        await ready(pilot)
        from labreview.ui.widgets.virtual_table import VirtualTable

        table = app.screen.query_one(VirtualTable)
        keys = [table.row(i).key for i in range(len(table.source))]
        assert keys == ["EXP-101", "EXP-121", "FAC-010"], keys  # "quill": the filter typed after it came back


async def test_a_key_whose_action_reads_a_gone_database_is_answered_in_words(app_factory, monkeypatch):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("S")
        await ready(pilot)

        def gone(*_args, **_kwargs):
            raise StorageError(GONE)

        monkeypatch.setattr(Scores, "score_sheet", gone)
        await pilot.press("n")  # open the next item: the scorecard reads its score sheet
        await ready(pilot)
        assert app.is_running
        assert GONE in message(app)
        monkeypatch.undo()
        await pilot.press("a")  # another screen: the meeting goes on
        await ready(pilot)
        assert app.current_mode == "access"
