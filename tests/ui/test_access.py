"""The access screen: the policy enforced and explained, signatures, rejections, new requests."""

from __future__ import annotations

from textual.widgets import OptionList

from labreview.domain.vocabulary import AccessStatus
from labreview.ui.dialogs.prompt import PickDialog, PromptDialog
from tests.ui.conftest import SIZE, message, ready, settle, start


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
