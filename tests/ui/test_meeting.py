"""Pilot tests of every key flow of the meeting, including the refusals, on the sample portfolio."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, OptionList, Static

from labreview.domain.vocabulary import AccessStatus, ActionStatus, CheckState, Criterion, DecisionOutcome, Gate, Stage
from labreview.ui.dialogs.decision import DecisionDialog
from labreview.ui.dialogs.field_edit import FieldDialog
from labreview.ui.dialogs.help import HelpScreen
from labreview.ui.dialogs.prompt import PickDialog, PromptDialog
from labreview.ui.widgets.meeting_header import MeetingHeader
from labreview.ui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import message, ready, settle

Q = "2026-Q4"
SIZE = (100, 32)


async def start(pilot):
    await ready(pilot)
    await pilot.press("S")
    await settle(pilot)
    assert pilot.app.session.status.value == "open"


# ----------------------------------------------------------------------------- agenda


async def test_agenda_start_remove_undo_reorder_and_timebox(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        assert app.screen.query_one(MeetingHeader).state.status == "open"
        await pilot.press("down", "space")
        await settle(pilot)
        assert [e.key for e in app.session.agenda][:2] == ["EXP-102", "EXP-105"]
        assert "Took EXP-104 off the agenda" in message(app)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert [e.key for e in app.session.agenda][:2] == ["EXP-102", "EXP-104"]  # back in its place
        assert "Undone" in message(app)
        assert app.screen.query_one(DataTable).cursor_row == 1  # the cursor stays on the row brought back
        await pilot.press("ctrl+home", "shift+down")
        await settle(pilot)
        assert [e.key for e in app.session.agenda][:2] == ["EXP-104", "EXP-102"]
        assert app.screen.query_one(DataTable).cursor_row == 1  # the cursor follows the moved item
        for wrong in ("0", "500"):  # refused in the dialog, which stays open with the number typed
            await pilot.press("t")
            await settle(pilot)
            assert isinstance(app.screen, PromptDialog)
            await pilot.press(*wrong, "enter")
            await settle(pilot)
            assert isinstance(app.screen, PromptDialog)
            assert "1 to 120 minutes" in str(app.screen.query_one("#problem").render())
            assert app.screen.query_one("#answer", Input).value == wrong
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("1", "2", "enter")  # the old value is selected on focus
        await settle(pilot)
        assert app.portfolio.session(Q).agenda[1].timebox_seconds == 12 * 60
        assert app.screen.query_one(DataTable).cursor_row == 1  # not sent back to the current item (▶, row 2)
        assert "Timebox of EXP-102 is now 12 minutes" in message(app)


async def test_end_session_asks_first(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert app.session.status.value == "open"
        await pilot.press("E", "enter")
        await settle(pilot)
        assert app.portfolio.session(Q).status.value == "closed"


# ----------------------------------------------------------------------------- backlog


async def test_backlog_filter_count_facets_and_refusal(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        assert len(table.source) == 40
        await pilot.press("slash")
        await pilot.press(*"stage:lab owner:kim")
        await settle(pilot)
        assert [table.row(i).key for i in range(len(table.source))] == ["EXP-102", "EXP-108"]
        assert "2 of 40" in str(app.screen.query_one("#count", Static).render())
        app.screen.query_one("#filter", Input).value = "stage:lab owner:kim colour:red"  # as if pasted
        await settle(pilot)
        problem = str(app.screen.query_one("#filter-problem", Static).render())
        assert "Unknown filter 'colour:'" in problem
        assert len(table.source) == 2  # the last good filter stays
        await pilot.press("escape")
        assert app.screen.focused is table


async def test_backlog_sort_group_agenda_and_open(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        for _ in range(5):  # key → title → stage → category → owner → cost
            await pilot.press("greater_than_sign")
        await settle(pilot)
        assert table.sort_column == "cost"
        costs = [table.row(i).cells["cost"] for i in range(3)]
        await pilot.press("r")
        await settle(pilot)
        assert table.row(0).key == "FAC-001"  # the CRM is the most expensive
        assert costs != [table.row(i).cells["cost"] for i in range(3)]
        await pilot.press("G")
        await settle(pilot)
        assert table.row(0).is_heading and "Lab" in table.row(0).heading
        assert table.cursor_key == "EXP-102"  # the cursor stays on the row it was on
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor == 1  # headings are skipped
        key = table.cursor_key
        on_agenda = app.session.position_of(key) is not None
        await pilot.press("space")
        await settle(pilot)
        assert (app.session.position_of(key) is not None) is not on_agenda
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "scorecard" and app.current_key == key


# ----------------------------------------------------------------------------- scorecard


async def test_scores_need_a_started_session(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert "has not started; start it first" in message(app)


async def test_digits_score_and_move_reviewer_key_and_contested(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("enter")
        await settle(pilot)
        grid = app.screen.query_one("#grid", DataTable)
        first = app.reviewer_id
        await pilot.press("5", "4", "3", "2", "1")
        await settle(pilot)
        sheet = app.portfolio.score_sheet(Q, "EXP-102")
        assert [sheet.score(first, c) for c in Criterion] == [5, 4, 3, 2, 1]
        assert "scored all five" in message(app)
        await pilot.press("r")
        second = app.reviewer_id
        assert second != first and grid.cursor_coordinate.row == 0
        await pilot.press("2")
        await settle(pilot)
        sheet = app.portfolio.score_sheet(Q, "EXP-102")
        assert sheet.summary.contested == (Criterion.OUTCOME_IMPACT,)
        assert "contested" in str(app.screen.query_one("#totals", Static).render())
        await pilot.press("up", "backspace")
        await settle(pilot)
        assert app.portfolio.score_sheet(Q, "EXP-102").score(second, Criterion.OUTCOME_IMPACT) is None


async def test_intake_fields_and_criteria_change_needs_a_reason(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("enter")  # EXP-102: pilot approved, criteria locked
        await settle(pilot)
        await pilot.press("i")  # the Intake tab: a table of fields, nothing typed into it
        await settle(pilot)
        table = app.screen.query_one("#intake-table", DataTable)
        assert app.screen.focused is table
        await pilot.press("e")  # edit the business objective (the first row) in a dialog of its own
        await settle(pilot)
        assert isinstance(app.screen, FieldDialog)
        value = app.screen.query_one("#value", Input)
        value.value = ""
        await pilot.press(*"Win back lapsing subscribers", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, FieldDialog)
        assert app.portfolio.initiative("EXP-102").intake.business_objective == "Win back lapsing subscribers"
        assert "Business objective saved" in message(app)
        table.move_cursor(row=7)  # Target lift (locked)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FieldDialog)
        app.screen.query_one("#value", Input).value = ""
        await pilot.press(*"+15 %", "enter")  # enter in the value moves to the reason it needs
        await settle(pilot)
        assert app.screen.focused.id == "reason"
        await pilot.press("enter")  # an empty reason is refused in place, nothing typed is lost
        await settle(pilot)
        assert isinstance(app.screen, FieldDialog)
        assert "needs a reason" in str(app.screen.query_one("#problem").render())
        assert app.screen.query_one("#value", Input).value == "+15 %"
        await pilot.press(*"Seasonal baseline shifted", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, FieldDialog)  # one dialog, one save: no second reason prompt
        assert app.portfolio.initiative("EXP-102").target_lift == "+15 %"
        change = app.portfolio.criteria_changes(key="EXP-102")[-1]
        assert (change.reason, change.quarter) == ("Seasonal baseline shifted", Q)
        assert "reason is recorded" in message(app)


# ----------------------------------------------------------------------------- gates


async def test_gate_cycle_waive_with_reason_and_promotion_refusal(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await settle(pilot)
        readiness = str(app.screen.query_one("#readiness", Static).render())
        assert "Promotion to transition: refused" in readiness and "Evidence review has 2 open" in readiness
        table = app.screen.query_one("#checklist", DataTable)
        row_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        assert row_key.startswith("i")  # the cursor starts on the first open item of the current gate
        await pilot.press("space")
        await settle(pilot)
        view = app.portfolio.checklist("EXP-102")
        evidence = view.reports[1]
        assert evidence.count(CheckState.MET) == 4
        await pilot.press("down", "w")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)  # no reason, no waiver
        await pilot.press(*"Learning note goes out with the Q1 newsletter", "enter")
        await settle(pilot)
        view = app.portfolio.checklist("EXP-102")
        assert view.reports[1].status.label == "met with waivers" and view.promotion_refusals == ()
        assert "the gates allow it" in str(app.screen.query_one("#readiness", Static).render())


async def test_gate_template_add_edit_remove(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await settle(pilot)
        before = len(app.portfolio.templates())
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press(*"Accessibility review", "enter")
        await settle(pilot)
        added = [t for t in app.portfolio.templates() if t.text == "Accessibility review"]
        assert len(app.portfolio.templates()) == before + 1 and added[0].gate is Gate.EVIDENCE_REVIEW
        assert "every initiative" in message(app)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Accessibility and inclusion review", "enter")
        await settle(pilot)
        assert [t.text for t in app.portfolio.templates() if t.id == added[0].id] == [
            "Accessibility and inclusion review"
        ]
        await pilot.press("x", "enter")
        await settle(pilot)
        assert len(app.portfolio.templates()) == before
        assert all(t.id != added[0].id for t in app.portfolio.templates())


# ----------------------------------------------------------------------------- access


async def pick(pilot, name: str):
    dialog = pilot.app.screen
    assert isinstance(dialog, PickDialog)
    ids = [c[0] for c in dialog.choices]
    names = [c[1] for c in dialog.choices]
    options = dialog.query_one(OptionList)
    options.highlighted = ids.index(ids[names.index(name)])
    await pilot.press("enter")
    await settle(pilot)


async def test_access_policy_is_enforced_and_explained_on_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.open_item("EXP-112", "access")  # Level 3 request waiting; owner Hana Sato
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "start the session first" in message(app)
        await pilot.press("h", "S")
        await settle(pilot)
        await pilot.press("a", "y")
        await settle(pilot)
        await pick(pilot, "Grace Liu")
        assert "this signature needs the privacy partner" in message(app)
        await pilot.press("c")
        await settle(pilot)
        await pick(pilot, "Priya Raman")
        await pilot.press(*"Order-status numbers only; purge after 60 days", "enter")
        await settle(pilot)
        request = app.portfolio.access_requests("EXP-112")[0]
        assert request.status is AccessStatus.PENDING and "still waiting for the security partner" in message(app)
        await pilot.press("y")
        await settle(pilot)
        await pick(pilot, "Sam Okafor")
        request = app.portfolio.access_requests("EXP-112")[0]
        assert request.status is AccessStatus.APPROVED
        assert int(app.portfolio.initiative("EXP-112").access_tier) == 3


async def test_owner_cannot_approve_and_reject_needs_a_reason(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.open_item("EXP-104", "access")  # Level 2; owner Marco Rossi (not on the board)
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pick(pilot, "Kim Novak")
        assert "this signature needs the privacy partner" in message(app)
        await pilot.press("x")
        await settle(pilot)
        await pick(pilot, "Priya Raman")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        await pilot.press(*"Impressions joined to orders re-identify shoppers", "enter")
        await settle(pilot)
        assert app.portfolio.access_requests("EXP-104")[0].status is AccessStatus.REJECTED


async def test_new_access_request_dialog(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.open_item("EXP-105", "access")
        await settle(pilot)
        before = len(app.portfolio.access_requests("EXP-105"))
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Say what data" in str(app.screen.query_one("#problem").render())
        await pilot.press(*"Household match keys from the panel vendor", "enter")
        await settle(pilot)
        requests = app.portfolio.access_requests("EXP-105")
        assert len(requests) == before + 1 and int(requests[0].tier) == 2


# ----------------------------------------------------------------------------- decisions


async def test_decision_dialog_iterate_with_rationale(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DecisionDialog)
        await pilot.press("enter")  # no outcome chosen yet → asked for one, in place
        await settle(pilot)
        assert "Choose the outcome first: p promote, i iterate" in str(app.screen.query_one("#problem").render())
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen.focused, Input) and app.screen.focused.id == "rationale"
        await pilot.press("enter")
        await settle(pilot)
        assert "needs a rationale" in str(app.screen.query_one("#problem").render())
        await pilot.press(*"more data", "enter")
        await settle(pilot)
        decision = app.portfolio.decision(Q, "EXP-102")
        assert decision.outcome is DecisionOutcome.ITERATE and decision.rationale == "more data"
        assert [a.owner.name for a in decision.action_items] == []
        assert "Recorded: iterate for EXP-102" in message(app)


async def test_promotion_refused_in_the_dialog_and_nothing_recorded(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.open_item("EXP-118")  # transition, production readiness open
        await settle(pilot)
        await pilot.press("d", "p")
        await pilot.press(*"ready", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DecisionDialog)
        assert "cannot be promoted yet" in str(app.screen.query_one("#problem").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.portfolio.decision(Q, "EXP-118") is None
        assert app.portfolio.initiative("EXP-118").stage is Stage.TRANSITION


async def test_promotion_with_action_item_moves_the_stage_and_the_budget(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.open_item("EXP-119")  # transition, gates ready
        await settle(pilot)
        await pilot.press("d", "p", *"Latency and loss within threshold for 8 weeks")
        dialog = app.screen
        dialog.query_one("#action-0", Input).value = "Hand over to marketing operations"
        await pilot.press("enter")
        await settle(pilot)
        decision = app.portfolio.decision(Q, "EXP-119")
        assert decision.stage_after is Stage.FACTORY
        assert [a.text for a in decision.action_items] == ["Hand over to marketing operations"]
        await pilot.press("m")
        await settle(pilot)
        assert "moves from iterate to factory" in str(app.screen.query_one("#changes", Static).render())


# ----------------------------------------------------------------------------- navigation, undo, help


async def test_next_and_previous_from_any_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.current_mode == "scorecard" and app.current_key == "EXP-104"
        await pilot.press("g", "n")
        await settle(pilot)
        assert app.current_mode == "gates" and app.current_key == "EXP-105"
        assert app.screen.query_one(MeetingHeader).state.position == 3
        await pilot.press("p", "p", "p")
        await settle(pilot)
        assert app.current_key == "EXP-102" and "first agenda item" in message(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "scorecard"


async def test_every_screen_is_one_key_away(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        for key, mode in (
            ("b", "backlog"),
            ("s", "scorecard"),
            ("g", "gates"),
            ("a", "access"),
            ("m", "budget"),
            ("o", "outcomes"),
            ("h", "agenda"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode


async def test_question_mark_lists_the_keys_of_the_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        from rich.console import Console

        console = Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        console.print(app.screen.table)
        text = console.export_text()
        assert "Waive" in text and "labreview.gates.waive" in text and "Everywhere" in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "gates" and not isinstance(app.screen, HelpScreen)


async def test_keymap_from_config_remaps_by_binding_id(app_factory, tmp_path):
    from labreview.config import Config

    config = Config(actor="Kim Novak", keymap={"labreview.screen.budget": "f5"}, path=tmp_path / "c.toml")
    app = app_factory(config=config)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert app.current_mode == "budget"


async def test_theme_change_is_remembered(app_factory, tmp_path):
    import tomllib

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.theme = "nord"
        await settle(pilot)
    assert tomllib.loads((tmp_path / "config.toml").read_text())["theme"] == "nord"


async def test_palette_jumps_to_an_initiative(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"whatsapp")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_key == "EXP-112" and app.current_mode == "scorecard"


async def test_timebox_runs_turns_red_and_is_stored(app_factory, stopwatch):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        stopwatch.now += 9 * 60
        app._tick()  # the one-second interval, without waiting a second for it
        await settle(pilot)
        state = app.screen.query_one(MeetingHeader).state
        assert state.running and state.over and state.elapsed >= 9 * 60
        # the agenda's row of the running item keeps time with the header, in red once over
        cell = app.screen.query_one("#agenda", DataTable).get_cell("EXP-102", "time")
        assert cell.plain == f"{state.elapsed // 60:02d}:{state.elapsed % 60:02d}/08:00" and "red" in str(cell.style)
        # a draft of the minutes carries the time spent so far, not the last 15-second flush
        stopwatch.now += 5
        await pilot.press("o", "e")
        await settle(pilot)
        assert app.portfolio.session(Q).agenda[0].spent_seconds == state.elapsed + 5
        await pilot.press("escape", "h")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
    entry = app.portfolio.session(Q).agenda[0]
    assert entry.key == "EXP-102" and entry.spent_seconds >= 9 * 60


async def test_quit_and_reopen_resumes_the_session(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("n", "n", "3")
        await settle(pilot)
    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert again.session.status.value == "open"
        assert again.current_key == "EXP-105"
        assert again.screen.query_one(MeetingHeader).state.position == 3


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_screens_render_at_small_and_large_sizes(app_factory, size):
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        for key in ("b", "s", "g", "a", "m", "o", "h"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen.query_one(MeetingHeader).region.width == size[0]


# ----------------------------------------------------------------------------- the whole meeting


async def test_end_to_end_meeting(app_factory, sample_copy, clock):
    """Start 2026-Q4, score and decide three items from the keyboard, undo one, and check the database."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        plan = [
            ("EXP-102", "i", "more data"),
            ("EXP-104", "k", "supplier demand too thin"),
            ("EXP-105", "h", "wait for the panel vendor"),
        ]
        await pilot.press("enter")  # open the first item's scorecard
        for index, (key, letter, rationale) in enumerate(plan):
            if index:
                await pilot.press("n")
            await settle(pilot)
            assert app.current_key == key
            await pilot.press("4", "3", "5", "2", "4", "r", "3", "3", "4", "2", "5")
            await pilot.press("d", letter, *rationale, "enter")
            await settle(pilot)
        await pilot.press("ctrl+z")  # the hold for EXP-105 was a mistake
        await settle(pilot)
        assert "Undone: Decided hold for EXP-105" in message(app)
    from labreview.portfolio import Portfolio

    p = Portfolio.open(sample_copy, actor="check", clock=clock)
    decisions = {d.key: d for d in p.decisions(Q)}
    assert set(decisions) == {"EXP-102", "EXP-104"}
    assert decisions["EXP-102"].outcome is DecisionOutcome.ITERATE and decisions["EXP-102"].rationale == "more data"
    assert decisions["EXP-104"].stage_after is Stage.RETIRED
    assert p.initiative("EXP-104").stage is Stage.RETIRED and p.initiative("EXP-105").stage is Stage.LAB
    for key in ("EXP-102", "EXP-104", "EXP-105"):
        sheet = p.score_sheet(Q, key)
        assert len(sheet.scores) == 10 and sheet.summary.reviewers == 2
    assert p.session(Q).status.value == "open" and p.verify_audit().ok
    undone = [e for e in p.audit_log(200) if e.undone]
    assert [e.summary for e in undone] == ["Decided hold for EXP-105: wait for the panel vendor"]
    p.close()


async def test_keystroke_economy(app_factory):
    """From the agenda: next item, five scores, iterate with a rationale, back on the agenda — at most 12 keys."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        keys = ["n", "4", "3", "5", "2", "4", "d", "i"]
        rationale = list("more data")
        finish = ["enter", "h"]
        for key in keys:
            await pilot.press(key)
        await pilot.press(*rationale)
        await pilot.press(*finish)
        await settle(pilot)
        assert app.current_mode == "agenda"
        decision = app.portfolio.decision(Q, "EXP-104")
        assert decision.outcome is DecisionOutcome.ITERATE and decision.rationale == "more data"
        assert len(app.portfolio.score_sheet(Q, "EXP-104").scores) == 5
        assert len(keys) + len(finish) <= 12


async def test_outcomes_add_and_complete_action_items(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("o")
        await settle(pilot)
        before = len(app.portfolio.action_items(status=None))
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Say what is to be done" in str(app.screen.query_one("#problem").render())
        await pilot.press(*"Ask analytics for the churn holdout numbers", "enter")
        await settle(pilot)
        items = app.portfolio.action_items()
        assert len(items) == before + 1
        added = next(a for a in items if a.text == "Ask analytics for the churn holdout numbers")
        assert (added.key, added.owner.name, added.quarter) == ("EXP-102", "Kim Novak", Q)
        table = app.screen.query_one("#actions", DataTable)
        table.focus()
        open_before = len(app.portfolio.action_items(status=ActionStatus.OPEN))
        await pilot.press("space")
        await settle(pilot)
        assert len(app.portfolio.action_items(status=ActionStatus.OPEN)) == open_before - 1
        assert "Done:" in message(app)


async def test_minutes_preview_then_write_with_confirmation(app_factory, tmp_path, monkeypatch):
    from textual.widgets import Markdown

    from labreview.ui.screens.minutes import MinutesScreen

    monkeypatch.chdir(tmp_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("o", "e")
        await settle(pilot)
        assert isinstance(app.screen, MinutesScreen)
        assert app.screen.text.startswith("# Minutes of the 2026-Q4 portfolio review")
        assert app.screen.query_one(Markdown).source == app.screen.text
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        written = tmp_path / "minutes-2026-Q4.md"
        assert written.read_text() == app.screen.text
        written.write_text("old notes")
        await pilot.press("w", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog) and app.screen.confirm_only  # asks before overwriting
        await pilot.press("escape")
        await settle(pilot)
        assert written.read_text() == "old notes"
        await pilot.press("w", "enter", "enter")
        await settle(pilot)
        assert written.read_text().startswith("# Minutes")
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "outcomes" and not isinstance(app.screen, MinutesScreen)


async def test_palette_exports_minutes(app_factory):
    from labreview.ui.screens.minutes import MinutesScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p", *"export: minutes")
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MinutesScreen)


async def test_a_digit_outside_the_scorecard_says_where_scoring_happens(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("b", "3")
        await settle(pilot)
        assert "Digits score on the scorecard" in message(app)


async def test_backlog_works_from_sql_until_the_memory_index_has_loaded(app_factory, monkeypatch):
    from labreview.ui.app import LabReviewApp

    monkeypatch.setattr(LabReviewApp, "_load_backlog_index", lambda self: None)  # as if still loading
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert app.backlog_index is None
        table = app.screen.query_one(VirtualTable)
        assert len(table.source) == 40 and table.row(39).key == "FAC-019"
        app.screen.query_one("#filter", Input).value = "stage:lab owner:kim"
        await settle(pilot)
        assert [table.row(i).key for i in range(len(table.source))] == ["EXP-102", "EXP-108"]
        assert "2 of 40" in str(app.screen.query_one("#count", Static).render())
        app.screen.query_one("#filter", Input).value = ""
        await settle(pilot)
        await pilot.press("G")
        await settle(pilot)
        headings = [table.row(i).heading for i in range(len(table.source)) if table.row(i).is_heading]
        assert [h.split(" (")[0] for h in headings] == ["── Lab", "── Transition", "── Factory", "── Retired"]
        assert len(table.source) == 44
