"""Decision rights on a portfolio built from `labreview init` (not the sample), over two quarters.

A new portfolio has no rights: its decisions stand alone. In 2027-Q1 the board grants rights in the app (the
rights screen's dialog), then decides in the decision dialog with the proposed signer; in 2027-Q2 the delegate
is away, so a pilot above nobody's reach is refused until the sponsor is given the right. The minutes of both
quarters and the decisions export say who signed off.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from textual.widgets import DataTable, Input, Label, Select

from labreview.cli import main
from labreview.config import Config
from labreview.domain.errors import PolicyRefusal
from labreview.portfolio import Portfolio
from labreview.ui.app import make_app
from labreview.ui.dialogs.decision import DecisionDialog
from labreview.ui.dialogs.decision_right import DecisionRightDialog
from tests.backends import BACKEND
from tests.e2e.test_year_of_reviews import BACKLOG, BOARD, Calendar, cli
from tests.ui.conftest import message, ready, settle

SIZE = (120, 36)


async def grant(pilot, app, kind: str, holder: str, limit: str) -> str:
    await pilot.press("a")
    await settle(pilot)
    dialog = app.screen
    assert isinstance(dialog, DecisionRightDialog)
    dialog.query_one("#kind", Select).value = kind
    dialog.query_one("#holder", Select).value = holder
    dialog.query_one("#limit", Input).value = limit
    dialog.query_one("#limit", Input).focus()
    await pilot.press("enter")
    await settle(pilot)
    return message(app)


async def decide(pilot, app, key: str, outcome_key: str, rationale: str) -> DecisionDialog | None:
    """Open ``key``, choose the outcome, type the rationale and record; the dialog if it is still open."""
    app.open_item(key)
    await settle(pilot)
    await pilot.press("d", outcome_key, *rationale, "enter")
    await settle(pilot)
    return app.screen if isinstance(app.screen, DecisionDialog) else None


def exported(db: str, capsys) -> list[dict[str, str]]:
    capsys.readouterr()
    assert main(["export", "decisions", "-", "--db", db]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))


async def test_rights_granted_in_the_app_govern_two_quarters_of_decisions(tmp_path, monkeypatch, capsys, request):
    db = str(tmp_path / "portfolio.db") if BACKEND == "sqlite" else request.getfixturevalue("pg_empty_url")
    monkeypatch.setenv("LABREVIEW_CONFIG", str(tmp_path / "config.toml"))
    calendar = Calendar()
    monkeypatch.setitem(Portfolio.__init__.__kwdefaults__, "clock", calendar)
    cli("init", "--db", db)
    for name, role in BOARD:
        cli("board", "add", name, "--role", role, "--db", db)
    (tmp_path / "backlog.csv").write_text(BACKLOG, encoding="utf-8")
    cli("import", str(tmp_path / "backlog.csv"), "--db", db)
    attendees = ["Kim Novak", "Lee Park", "Mia Chen", "Ola Berg", "Fay Dunn"]
    cli("session", "plan", "2027-Q1", "--date", "2027-02-17", "--facilitator", "Kim Novak",
        *[arg for name in attendees for arg in ("--attendee", name)], "--db", db)  # fmt: skip
    p = Portfolio.open(db, actor=None, clock=calendar)
    for key in ("LAB-101", "LAB-102", "LAB-104", "FAC-301"):
        p.toggle_agenda("2027-Q1", key)

    # ------------------------------------------------------------ 2027-Q1: rights granted, then decisions
    calendar.set(dt.date(2027, 2, 17), hour=13)
    app = make_app(db, config=Config(path=tmp_path / "config.toml"), clock=calendar)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("D")
        await settle(pilot)
        title = str(app.screen.query_one("#rights-title", Label).render())
        assert title.startswith("Decision rights: 0 · none set: every board decision stands without a sign-off")
        said = await grant(pilot, app, "pilot", "role:innovation-lead", "9,000")
        assert said.startswith("The marketing innovation lead may sign off pilot approval (up to EUR 9,000")
        await grant(pilot, app, "renewal", "role:finance", "")
        assert app.screen.query_one("#rights", DataTable).row_count == 2
        assert "no right set for production sign-off, sunset or retirement" in str(
            app.screen.query_one("#rights-title", Label).render()
        )
        await pilot.press("h", "S")  # the agenda starts the session
        await settle(pilot)
        assert app.session.status.value == "open"
        # LAB-104 (EUR 5,000, Ola Berg's): Kim Novak, the delegate, is proposed and signs.
        assert await decide(pilot, app, "LAB-104", "i", "One more cycle") is None
        assert "signed off by Kim Novak" in message(app)
        # LAB-101 (EUR 10,000) is above Kim's limit and nobody else holds pilot approval: refused in words.
        dialog = await decide(pilot, app, "LAB-101", "i", "Promising")
        assert dialog is not None and dialog.query_one("#signed-off-by", Select).value is Select.NULL
        assert "needs a sign-off by the marketing innovation lead (up to EUR 9,000 a quarter)" in str(
            dialog.query_one("#problem").render()
        )
        await pilot.press("escape")
        await settle(pilot)
        # Kill needs nobody; FAC-301's renewal is Fay Dunn's (finance, any cost).
        assert await decide(pilot, app, "LAB-101", "k", "No lift") is None
        assert await decide(pilot, app, "FAC-301", "n", "") is None
        assert "signed off by Fay Dunn" in message(app)
    cli("session", "end", "2027-Q1", "--db", db)
    signed = {row["key"]: row["signed_off_by"] for row in exported(db, capsys)}
    assert signed == {"LAB-104": "Kim Novak", "LAB-101": "", "FAC-301": "Fay Dunn"}

    # ------------------------------------------------------------ 2027-Q2: the delegate is away
    calendar.set(dt.date(2027, 4, 20))
    cli("session", "plan", "2027-Q2", "--date", "2027-05-19", "--facilitator", "Lee Park",
        *[arg for name in ("Lee Park", "Mia Chen", "Ola Berg") for arg in ("--attendee", name)],
        "--db", db)  # fmt: skip
    p.toggle_agenda("2027-Q2", "LAB-103")  # not on 2027-Q1's agenda, so not carried over
    calendar.set(dt.date(2027, 5, 19), hour=13)
    p.start_session("2027-Q2")
    need = p.sign_off("2027-Q2", "LAB-103", "iterate")
    assert need.needed and need.eligible == ()  # Kim Novak is not in the room
    try:
        p.record_decision("2027-Q2", "LAB-103", "iterate", rationale="Retail partner signed", signed_off_by="Kim Novak")
    except PolicyRefusal as refused:
        assert refused.message == "Kim Novak is not attending this session; only an attendee signs off."
    else:
        raise AssertionError("an absent delegate signed off")
    p.grant_decision_right("pilot", role="sponsor")  # the board escalates: the sponsor approves pilots too
    # LAB-103 is Lee Park's own: the sponsor cannot sign it off either; Mia and Ola hold nothing.
    assert p.sign_off("2027-Q2", "LAB-103", "iterate").eligible == ()
    p.grant_decision_right("pilot", person="Mia Chen", cost_limit=1_000_000)
    assert [x.name for x in p.sign_off("2027-Q2", "LAB-103", "iterate").eligible] == ["Mia Chen"]
    p.record_decision("2027-Q2", "LAB-103", "iterate", rationale="Retail partner signed", signed_off_by="Mia Chen")
    p.end_session("2027-Q2")

    for quarter, line in (
        ("2027-Q1", "**Signed off by:** Kim Novak, under the pilot approval right."),
        ("2027-Q1", "**Signed off by:** Fay Dunn, under the renewal right."),
        ("2027-Q2", "**Signed off by:** Mia Chen, under the pilot approval right."),
    ):
        out = tmp_path / f"minutes-{quarter}.md"
        assert main(["minutes", quarter, "--db", db, "-o", str(out), "--force"]) == 0
        assert line in out.read_text(encoding="utf-8")
    summaries = [e.summary for e in p.audit_log(limit=200)]
    assert any(
        s.startswith("Decision right: the marketing innovation lead may sign off pilot approval") for s in summaries
    )
    assert "Decision right: Mia Chen may sign off pilot approval (up to EUR 10,000 a quarter)" in summaries
    assert p.verify_audit().ok
    p.close()
