"""No bypass through the screens: the decision dialog refuses a promotion the gates do not allow, and a Level 3
request signed by one partner stays pending whatever the facilitator picks next."""

from textual.widgets import Label

from labreview.domain.vocabulary import AccessStatus
from labreview.ui.dialogs.decision import DecisionDialog
from labreview.ui.screens.access import AccessScreen
from labreview.ui.widgets.message_line import MessageLine
from tests.ui.conftest import ready

Q = "2026-Q4"


def audit_size(app) -> int:
    return app.portfolio.verify_audit().checked


def message(app) -> str:
    return str(app.screen.query_one(MessageLine).render())


async def start_session(pilot) -> None:
    await pilot.press("h", "S")
    await ready(pilot)
    assert pilot.app.session.status.value == "open"


async def test_promote_with_open_gates_is_refused_in_the_dialog_and_records_nothing(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await start_session(pilot)
        assert app.current_key == "EXP-102" and app.portfolio.checklist("EXP-102").promotion_refusals
        before = audit_size(app)
        await pilot.press("d")
        await ready(pilot)
        assert isinstance(app.screen, DecisionDialog)
        await pilot.press("p", *"Looks promising", "enter")
        await ready(pilot)
        assert isinstance(app.screen, DecisionDialog), "a refused decision keeps the dialog open"
        problem = str(app.screen.query_one("#problem", Label).render())
        assert "EXP-102 cannot be promoted yet. Evidence review has 2 open items" in problem
        await pilot.press("escape")
        await ready(pilot)
        assert app.portfolio.decision(Q, "EXP-102") is None
        assert app.portfolio.initiative("EXP-102").stage.value == "lab"
        assert audit_size(app) == before


async def test_level_three_with_one_partner_stays_pending_on_the_access_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await start_session(pilot)
        await pilot.press("down", "down", "down", "enter")  # EXP-112 on the agenda
        await ready(pilot)
        assert app.current_key == "EXP-112"
        await pilot.press("a")
        await ready(pilot)
        assert isinstance(app.screen, AccessScreen)
        request = app.portfolio.access_requests("EXP-112")[0]
        assert request.tier == 3 and request.status is AccessStatus.PENDING and not request.signatures

        await pilot.press("y")  # approve; the picker proposes Priya Raman, the privacy partner
        await ready(pilot)
        await pilot.press("enter")
        await ready(pilot)
        assert "The request is pending; still waiting for the security partner" in message(app)

        # The picker now proposes Sam Okafor (security, 7th of 8 attendees); pick others instead.
        await pilot.press("y", *["up"] * 5, "enter")  # Grace Liu, finance
        await ready(pilot)
        assert "Grace Liu is finance / procurement; this signature needs the security partner" in message(app)
        await pilot.press("y", "up", "up", "enter")  # Priya Raman again
        await ready(pilot)
        assert "The privacy partner has already signed this request" in message(app)

        request = app.portfolio.access_requests("EXP-112")[0]
        assert request.status is AccessStatus.PENDING
        assert [s.person.name for s in request.signatures] == ["Priya Raman"]
        assert app.portfolio.initiative("EXP-112").access_tier is None

        await pilot.press("y", "enter")  # Sam Okafor, the security partner
        await ready(pilot)
        assert app.portfolio.access_requests("EXP-112")[0].status is AccessStatus.APPROVED
        assert int(app.portfolio.initiative("EXP-112").access_tier) == 3
        await pilot.press("ctrl+z")  # undo from the screen takes the approval back
        await ready(pilot)
        assert "Undone: Sam Okafor (security partner) approved Level 3 access for EXP-112" in message(app)
        assert app.portfolio.access_requests("EXP-112")[0].status is AccessStatus.PENDING
        assert app.portfolio.initiative("EXP-112").access_tier is None
        assert app.portfolio.verify_audit().ok
