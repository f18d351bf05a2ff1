"""Decision rights in the app: the table (D), granting and revoking, and the sign-off in the decision dialog.

The sample's rights (adopted for 2026-Q3): pilots — innovation lead (Kim Novak) up to EUR 25,000, sponsor any;
production — MarTech lead (Ravi Menon) up to EUR 60,000, sponsor any; renewal — finance (Grace Liu) up to EUR
100,000, sponsor any; sunset — marketing operations (Lena Fischer), sponsor any.
"""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static

from labreview.domain.vocabulary import RightKind
from labreview.ui.dialogs.decision import DecisionDialog
from labreview.ui.dialogs.decision_right import DecisionRightDialog
from labreview.ui.screens.rights import RightsScreen
from tests.hostile import strings
from tests.ui.conftest import SIZE, Q, message, ready, settle, start
from tests.ui.test_hostile_screens import screen_text


def rows(app) -> list[str]:
    table = app.screen.query_one("#rights", DataTable)
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_the_table_shows_each_right_with_who_holds_it_today(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(app.screen, RightsScreen)
        assert rows(app)[:3] == [
            "pilot approval | Kim Novak (the marketing innovation lead) | ≤ EUR 25,000/quarter",
            "pilot approval | Dana Whitfield (the CMO / executive sponsor) | any cost",
            "production sign-off | Ravi Menon (the MarTech lead / architect) | ≤ EUR 60,000/quarter",
        ]
        assert len(rows(app)) == 8
        rules = str(app.screen.query_one("#rights-rules", Static).render())
        assert "Production sign-off: transition: promote." in rules and "nobody signs off their own" in rules


async def test_revoke_then_undo_then_grant_through_the_dialog(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("D")
        await settle(pilot)
        await pilot.press("down", "down", "x")  # the MarTech lead's production right
        await settle(pilot)
        assert "Revoked: the MarTech lead / architect no longer signs off production sign-off" in message(app)
        assert [r.holder for r in app.portfolio.decision_rights() if r.kind is RightKind.PRODUCTION] == [
            "the CMO / executive sponsor"
        ]
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert len(rows(app)) == 8
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DecisionRightDialog)
        assert dialog.query_one("#kind", Select).value == RightKind.PRODUCTION.value  # the kind under the cursor
        dialog.query_one("#kind", Select).value = RightKind.PILOT.value
        dialog.query_one("#limit", Input).focus()
        await pilot.press("enter")  # nobody chosen yet
        await settle(pilot)
        assert "Choose who holds the right" in str(dialog.query_one("#problem").render())
        dialog.query_one("#holder", Select).value = "role:privacy-partner"
        dialog.query_one("#limit", Input).value = "1,2,3"  # an ambiguous amount is refused in words
        await pilot.press("enter")
        await settle(pilot)
        assert "ambiguous as an amount" in str(dialog.query_one("#problem").render())
        dialog.query_one("#limit", Input).value = "15,000"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RightsScreen)
        assert "The privacy partner may sign off pilot approval (up to EUR 15,000 a quarter)" in message(app)
        assert "pilot approval | Joel Berg, Priya Raman (the privacy partner) | ≤ EUR 15,000/quarter" in rows(app)


async def test_the_decision_dialog_proposes_the_natural_signer_and_records_the_sign_off(app_factory):
    app = app_factory()
    async with app.run_test(size=(160, 40)) as pilot:
        await start(pilot)
        app.open_item("EXP-119")  # transition, ready; owned by Ravi Menon, who holds production sign-off
        await settle(pilot)
        await pilot.press("d", "p")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DecisionDialog)
        select = dialog.query_one("#signed-off-by", Select)
        assert select.value == app.portfolio.person("Dana Whitfield").id  # Ravi owns it: the sponsor signs
        assert str(dialog.query_one("#sign-off-rule", Static).render()) == "production sign-off, EUR 13,000"
        await pilot.press(*"stable for 8 weeks", "enter")
        await settle(pilot)
        assert app.portfolio.decision(Q, "EXP-119").signed_off_by == "Dana Whitfield"
        assert "signed off by Dana Whitfield" in message(app)
        await pilot.press("o")
        await settle(pilot)
        decisions = app.screen.query_one("#decisions", DataTable)
        assert "signed off by Dana Whitfield: stable for 8 weeks" in str(decisions.get_row_at(0)[4])


async def test_the_delegate_signs_within_the_limit_and_kill_needs_nobody(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.open_item("EXP-104")  # lab pilot owned by somebody else than Kim Novak, within EUR 25,000
        await settle(pilot)
        await pilot.press("d", "i")
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#signed-off-by", Select).value == app.portfolio.person("Kim Novak").id
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d", "k")
        await settle(pilot)
        dialog = app.screen
        select = dialog.query_one("#signed-off-by", Select)
        assert select.disabled and select.value is Select.NULL
        assert str(dialog.query_one("#sign-off-rule", Static).render()) == "kill: the board's decision stands"
        await pilot.press(*"no lift", "enter")
        await settle(pilot)
        assert app.portfolio.decision(Q, "EXP-104").signed_off_by is None


async def test_nobody_attending_may_sign_off_is_said_before_and_refused_on_record(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        for right in app.portfolio.decision_rights():
            if right.kind is RightKind.PRODUCTION and right.role and right.role.value == "sponsor":
                app.portfolio.revoke_decision_right(right.id)
        app.open_item("EXP-119")  # only Ravi Menon may sign production off now, and he owns it
        await settle(pilot)
        await pilot.press("d", "p")
        await settle(pilot)
        dialog = app.screen
        select = dialog.query_one("#signed-off-by", Select)
        assert select.disabled and select.value is Select.NULL
        assert "nobody attending may sign off" in str(dialog.query_one("#sign-off-rule", Static).render())
        problem = str(dialog.query_one("#problem").render())
        assert "Production sign-off (EUR 13,000 a quarter): the MarTech lead / architect" in problem
        await pilot.press(*"ready", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DecisionDialog)  # refused in words, everything typed kept
        assert "needs a sign-off by the MarTech lead / architect" in str(dialog.query_one("#problem").render())
        assert dialog.query_one("#rationale", Input).value == "ready"
        assert app.portfolio.decision(Q, "EXP-119") is None


async def test_hostile_holder_names_stay_text_on_the_rights_screen_and_in_the_dialog(app_factory):
    nasty = [s for s in strings() if ("[" in s and "]" in s) or "\x1b" in s][:6]
    app = app_factory()
    async with app.run_test(size=(160, 40)) as pilot:
        await start(pilot)
        granted = []
        for index, name in enumerate(nasty):
            try:
                person = app.portfolio.add_person(f"{name} {index}", "sponsor")
            except Exception:  # a name the people rules refuse (empty after cleaning): not this test's concern
                continue
            app.portfolio.set_attendance(Q, person.id, True)
            granted.append(person.name)
        assert len(granted) >= 4
        await pilot.press("D")
        await settle(pilot)
        text = screen_text(app)
        assert "\x1b" not in text
        assert any("[" in name and name.split("[")[1][:3] in text for name in granted)
        app.open_item("EXP-119")
        await settle(pilot)
        await pilot.press("d", "p")
        await settle(pilot)
        assert "\x1b" not in screen_text(app)
        assert app.is_running


async def test_a_refused_record_reads_the_rights_again(app_factory):
    """The rights change in another app while the dialog is open: the refusal says why, the dialog follows the
    table as it is now, and the next enter records."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.open_item("EXP-104")
        await settle(pilot)
        await pilot.press("d", "i", *"Another cycle")
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#signed-off-by", Select).value == app.portfolio.person("Kim Novak").id
        for right in app.portfolio.decision_rights():  # the board drops pilot approval rights meanwhile
            if right.kind is RightKind.PILOT:
                app.portfolio.revoke_decision_right(right.id)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "No decision right is set for pilot approval: record it without a sign-off" in str(
            dialog.query_one("#problem").render()
        )
        select = dialog.query_one("#signed-off-by", Select)
        assert select.disabled and select.value is Select.NULL
        assert str(dialog.query_one("#sign-off-rule", Static).render()) == "no pilot approval right set"
        await pilot.press("enter")
        await settle(pilot)
        assert app.portfolio.decision(Q, "EXP-104").signed_off_by is None
