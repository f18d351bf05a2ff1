"""The decision dialog: outcome (one key), rationale, conditions, next review and action items."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from labreview.domain import decisions as rules
from labreview.domain import fields
from labreview.domain.errors import DomainError
from labreview.domain.vocabulary import DecisionOutcome
from labreview.portfolio.views import NewActionItem
from labreview.ui.dialogs.form import FormDialog
from labreview.ui.host import Host, host
from labreview.ui.widgets.text import plain

if TYPE_CHECKING:
    from labreview.portfolio.views import InitiativeView, SessionView

HOTKEY = {
    DecisionOutcome.PROMOTE: "p",
    DecisionOutcome.ITERATE: "i",
    DecisionOutcome.KILL: "k",
    DecisionOutcome.HOLD: "h",
    DecisionOutcome.RENEW: "n",
    DecisionOutcome.RETIRE: "r",
    DecisionOutcome.CONSOLIDATE: "c",
}
MEANING = {
    DecisionOutcome.PROMOTE: "to the next stage",
    DecisionOutcome.ITERATE: "another cycle in this stage",
    DecisionOutcome.KILL: "retire it; publish what was learned",
    DecisionOutcome.HOLD: "pause until the next review",
    DecisionOutcome.RENEW: "keep it in production",
    DecisionOutcome.RETIRE: "sunset the tool",
    DecisionOutcome.CONSOLIDATE: "fold it into another tool",
}
ACTION_ROWS = 2


class DecisionDialog(FormDialog["DecisionView | None"]):
    """Choose the outcome with its letter; the rationale gets the focus; enter records the decision."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="labreview.dialog.cancel", tooltip="Close without deciding"),
        Binding("ctrl+s", "record", "Record", id="labreview.decision.record", tooltip="Record the decision"),
    ]
    FRAME_CLASSES = "dialog wide"
    FRAME_ID = "decision"
    OK = "Record (enter)"
    CANCEL = "Cancel (esc)"

    def __init__(self, initiative: InitiativeView, session: SessionView) -> None:
        super().__init__()
        self.initiative = initiative
        self.session = session
        self.outcomes = rules.allowed(initiative.stage)
        self.outcome: DecisionOutcome | None = None
        self.sign_off_needed = False
        """Whether a decision right governs the chosen outcome (``Portfolio.sign_off``)."""
        self.candidates: tuple[str, ...] = ()
        """The initiatives this one overlaps: offered as the survivor of a consolidation, the first one first."""

    @property
    def lab(self) -> Host:
        return host(self.app)

    def heading(self) -> Text:
        item = self.initiative
        title = Text(f"Decision for {item.key} ", style="bold")
        title.append_text(plain(item.title, "bold"))
        title.append(f" · {item.stage.label} · {self.session.quarter}")
        return title

    def fields(self) -> ComposeResult:
        item = self.initiative
        members = self.lab.portfolio.board()
        board = [(plain(p.name), p.id) for p in members]  # names are text, never markup or escapes
        if item.owner.id not in {p.id for p in members}:
            board.insert(0, (plain(item.owner.name), item.owner.id))  # the owner takes most follow-ups
        if not self.outcomes:
            yield Label(f"A {item.stage.label} initiative takes no further decisions.", classes="problem")
        yield OptionList(
            *(
                Option(
                    Text.assemble(
                        (f"{HOTKEY[o]}  ", "bold"), (o.label.capitalize(), "bold"), (f" — {MEANING[o]}", "dim")
                    ),
                    id=o.value,
                )
                for o in self.outcomes
            ),
            id="outcomes",
        )
        with VerticalScroll(id="decision-form"), Grid(classes="form"):
            yield Label("Rationale")
            yield Input(
                placeholder="why (required except for renew)",
                id="rationale",
                max_length=fields.LIMITS["rationale"],
                compact=True,
            )
            yield Label("Conditions")
            yield Input(
                placeholder="optional", id="conditions", max_length=fields.LIMITS["decision conditions"], compact=True
            )
            yield Label("Next review")
            yield Input(placeholder="YYYY-MM-DD", id="next-review", max_length=10, compact=True)
            yield Label("Signed off by")
            with Horizontal(classes="sign-off-row"):
                yield Select([], prompt="none needed", id="signed-off-by", compact=True, disabled=True)
                yield Static("", id="sign-off-rule")
            if DecisionOutcome.CONSOLIDATE in self.outcomes:
                yield Label("Absorbed by")
                yield Input(
                    placeholder="consolidate: key of the surviving tool",
                    id="absorbed-by",
                    max_length=24,  # a key: fields.KEY_PATTERN
                    compact=True,
                )
                yield Label("Overlaps")
                yield Static("looking for overlapping tools…", id="overlap-candidates")
            for index in range(ACTION_ROWS):
                yield Label(f"Action {index + 1}")
                with Horizontal(classes="action-row"):
                    yield Input(
                        placeholder="action item (optional)",
                        id=f"action-{index}",
                        max_length=fields.LIMITS["action item"],
                        compact=True,
                    )
                    yield Select(
                        board,
                        prompt="owner",
                        id=f"owner-{index}",
                        value=item.owner.id if index == 0 else Select.NULL,
                        compact=True,
                    )
                    yield Input(
                        (self.lab.portfolio.today() + dt.timedelta(days=30)).isoformat(),
                        id=f"due-{index}",
                        max_length=10,
                        classes="due",
                        compact=True,
                    )

    def on_mount(self) -> None:
        if DecisionOutcome.CONSOLIDATE in self.outcomes:
            self._find_overlaps()
        options = self.query_one("#outcomes", OptionList)
        options.focus()
        options.highlighted = None  # nothing is chosen until the facilitator chooses
        refusals = self.lab.portfolio.checklist(self.initiative.key).promotion_refusals
        if DecisionOutcome.PROMOTE in self.outcomes and refusals:
            self.problem("Promotion is not possible yet: " + " ".join(refusals), error=False)

    @work(thread=True, exclusive=True, group="overlaps")
    def _find_overlaps(self) -> None:
        """The consolidation candidates, off the UI thread (about a second at 100,000 initiatives); keys typed
        meanwhile wait for it (the type-ahead waits for the screen's workers), so "c" offers the first one."""
        overlaps = self.lab.portfolio.overlaps_of(self.initiative.key)
        self.app.call_from_thread(self._show_overlaps, overlaps)

    def _show_overlaps(self, overlaps) -> None:
        self.candidates = tuple(dict.fromkeys(o.other for o in overlaps))
        self.query_one("#absorbed-by", Input).suggester = SuggestFromList(self.candidates, case_sensitive=False)
        self.query_one("#overlap-candidates", Static).update(
            plain("; ".join(o.line for o in overlaps) or "none found (same vendor, or same purpose)")
        )
        if self.outcome is DecisionOutcome.CONSOLIDATE and self.candidates:
            absorbed = self.query_one("#absorbed-by", Input)
            absorbed.value = absorbed.value or self.candidates[0]

    def on_key(self, event) -> None:
        if isinstance(self.focused, Input):
            return
        options = self.query_one("#outcomes", OptionList)
        if event.key == "enter" and self.focused is options and options.highlighted is None:
            event.stop()
            event.prevent_default()
            self.action_record()
            return
        for outcome in self.outcomes:
            if event.character == HOTKEY[outcome]:
                event.stop()
                event.prevent_default()
                self._choose(outcome)
                return

    @on(OptionList.OptionSelected, "#outcomes")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(DecisionOutcome(event.option.id))

    def _choose(self, outcome: DecisionOutcome) -> None:
        self.outcome = outcome
        options = self.query_one("#outcomes", OptionList)
        options.highlighted = self.outcomes.index(outcome)
        review = rules.default_next_review(outcome, self.lab.portfolio.today())
        self.query_one("#next-review", Input).value = review.isoformat() if review else ""
        self._show_sign_off(outcome)
        if outcome is DecisionOutcome.CONSOLIDATE and self.candidates:
            absorbed = self.query_one("#absorbed-by", Input)
            absorbed.value = absorbed.value or self.candidates[0]  # the first overlap, to confirm or change
        self.query_one("#rationale", Input).focus()

    def _show_sign_off(self, outcome: DecisionOutcome) -> None:
        """The decision rights for this outcome: who may sign it off (the natural signer chosen), or why nobody
        needs to; refused in words by the service when nobody attending may."""
        try:
            need = self.lab.portfolio.sign_off(self.session.quarter, self.initiative.key, outcome)
        except DomainError as exc:  # the session ended or the initiative moved on meanwhile: recording says so too
            self.sign_off_needed = False
            self.query_one("#signed-off-by", Select).disabled = True
            self.problem(exc.message)
            return
        self.sign_off_needed = need.needed
        select = self.query_one("#signed-off-by", Select)
        select.set_options((plain(p.name), p.id) for p in need.eligible)
        select.prompt = ("who signs off?" if need.eligible else "nobody may") if need.needed else "none needed"
        select.disabled = not need.eligible
        if need.eligible:
            select.value = need.eligible[0].id
        rule = self.query_one("#sign-off-rule", Static)
        rule.update(plain(need.short if need.eligible or not need.needed else "nobody attending may sign off"))
        rule.tooltip = need.rule
        if need.needed and not need.eligible:
            self.problem(need.rule, error=False)

    def _signer(self) -> int | None:
        if not self.sign_off_needed:
            return None
        value = self.query_one("#signed-off-by", Select).value
        return None if value is Select.NULL else int(value)

    def _date(self, widget_id: str, what: str) -> dt.date | None:
        text = self.query_one(widget_id, Input).value.strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise DomainError(f"Write the {what} as YYYY-MM-DD; got '{text}'.") from None

    def _survivor(self) -> str | None:
        """For "consolidate": the key typed under "Absorbed by" (required); else None."""
        if self.outcome is not DecisionOutcome.CONSOLIDATE:
            return None
        key = self.query_one("#absorbed-by", Input).value.strip()
        if not key:
            offer = f", e.g. {', '.join(self.candidates)}" if self.candidates else ""
            raise DomainError(f"Name the tool that absorbs {self.initiative.key} under “Absorbed by”{offer}.")
        return key

    def action_record(self) -> None:
        if self.outcome is None:
            options = self.query_one("#outcomes", OptionList)
            if options.highlighted is None or not self.outcomes:
                self.problem(
                    "Choose the outcome first: " + ", ".join(f"{HOTKEY[o]} {o.label}" for o in self.outcomes) + "."
                )
                return
            self.outcome = self.outcomes[options.highlighted]
            self._show_sign_off(self.outcome)
        try:
            actions = []
            for index in range(ACTION_ROWS):
                text = self.query_one(f"#action-{index}", Input).value.strip()
                if not text:
                    continue
                owner = self.query_one(f"#owner-{index}", Select).value
                if owner is Select.NULL:
                    raise DomainError(f"Action {index + 1} needs an owner.")
                due = self._date(f"#due-{index}", f"due date of action {index + 1}")
                if due is None:
                    raise DomainError(f"Action {index + 1} needs a due date.")
                actions.append(NewActionItem(text, int(owner), due))
            decision = self.lab.portfolio.record_decision(
                self.session.quarter,
                self.initiative.key,
                self.outcome,
                rationale=self.query_one("#rationale", Input).value,
                conditions=self.query_one("#conditions", Input).value,
                next_review=self._date("#next-review", "next review date"),
                action_items=actions,
                absorbed_by=self._survivor(),
                signed_off_by=self._signer(),
            )
        except DomainError as exc:
            self._show_sign_off(self.outcome)  # the rights or the cost may have changed since: read them again
            self.problem(exc.message)
            return
        self.dismiss(decision)

    def submit(self) -> None:
        self.action_record()
