"""The screens of the meeting, written down once: mode, key, label, tooltip, module and class.

Read by the app (its ``MODES`` and the one-key bindings), by the command palette ("open: …") and by
the early-key replay (which key opens the backlog while the portfolio is still opening). A screen's
module is imported when the screen is first shown, not before the first frame.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class Place:
    """One screen of the meeting, reachable by one key from anywhere."""

    mode: str
    """The app's mode (``App.switch_mode``) and the last part of the binding id ``labreview.screen.<mode>``."""
    key: str
    """The default key (the user's keymap may change it)."""
    label: str
    tooltip: str
    module: str
    """The module under ``labreview.ui.screens`` that defines the screen."""
    cls: str
    """The screen's class in that module."""

    @property
    def binding_id(self) -> str:
        return f"labreview.screen.{self.mode}"

    def make(self) -> Screen:
        """A new screen of this place (imports its module on first use)."""
        return getattr(importlib.import_module(f"labreview.ui.screens.{self.module}"), self.cls)()


# fmt: off
PLACES: tuple[Place, ...] = (
    #     mode         key  label        tooltip
    #     module       class
    Place("agenda",    "h", "Agenda",    "The session's agenda: order, timeboxes, what was decided",
          "agenda",    "AgendaScreen"),
    Place("backlog",   "b", "Backlog",   "Every initiative: filter, sort, put on the agenda",
          "backlog",   "BacklogScreen"),
    Place("scorecard", "s", "Scorecard", "Intake fields and the board's scores of the current initiative",
          "scorecard", "ScorecardScreen"),
    Place("gates",     "g", "Gates",     "The gate checklists of the current initiative",
          "gates",     "GatesScreen"),
    Place("access",    "a", "Access",    "Customer-data access requests and approvals",
          "access",    "AccessScreen"),
    Place("budget",    "m", "Budget",    "The 70/20/10 mix: actual, target and after today's decisions",
          "budget",    "BudgetScreen"),
    Place("outcomes",  "o", "Outcomes",  "Decisions of the session and open action items",
          "outcomes",  "OutcomesScreen"),
    Place("kpis",      "k", "KPIs",      "The lab's and the factory's measures per quarter against the board's targets",
          "kpis",      "KpisScreen"),
    Place("seats",     "l", "Seats",     "Personal links for the attendees' own devices, and who has scored",
          "seats",     "SeatsScreen"),
    Place("stack",     "f", "Stack map", "Every tool by stage: owner, vendor, renewals due, overlapping tools",
          "stack",     "StackScreen"),
    Place("rights",    "D", "Decision rights", "Who signs off pilots, production, renewals, sunsets, up to what cost",
          "rights",    "RightsScreen"),
    Place("audit",     "L", "Audit history", "Who changed what, when: the whole portfolio or the current initiative",
          "audit",     "AuditScreen"),
)
# fmt: on
"""Every screen of the meeting, in the order the palette and the help list them."""

BY_MODE: Mapping[str, Place] = {place.mode: place for place in PLACES}


def modes() -> dict[str, Callable[[], Screen]]:
    """The app's ``MODES``: each screen built on first use."""
    return {place.mode: place.make for place in PLACES}


def keys_of(mode: str, keymap: Mapping[str, str] | None) -> set[str]:
    """The keys that open ``mode``'s screen, after the user's keymap."""
    place = BY_MODE[mode]
    keys = (keymap or {}).get(place.binding_id, place.key)
    return {key.strip() for key in keys.split(",")}
