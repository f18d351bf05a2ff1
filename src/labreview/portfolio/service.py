"""The use cases of the review meeting. One transaction each, audited in the same transaction.

Screens and the command line call these methods and render what they return.
Every refusal is a ``DomainError`` whose ``message`` is meant for a person;
when one is raised, nothing of the action has been written.

``Portfolio`` is composed of one class per area of the meeting, each in its own module:

==============  =====================================================================
``settings``    the portfolio's settings and the criterion weights
``people``      people of the portfolio and the board
``initiatives`` create, edit, intake, pre-registered criteria, import
``backlog``     the backlog's filters and order (SQL, or the memory index)
``sessions``    planning, start and end, attendance, the agenda and its clock
``scores``      the board's scores
``gates``       gate checklists and their templates
``access``      customer-data access requests and signatures
``budget``      budget lines, envelope and the 70/20/10 mix
``decisions``   decisions and action items
``kpis``        the lab's and the factory's KPIs, readings and targets
``seats``       personal links, what a board member's own device shows, where the meeting is
``audit``       last action, undo, verification
``stack``       the stack map: tools by stage, renewals due, overlapping tools
``audit``       last action, undo, verification, the log's history by page and by initiative
``rights``      decision rights: who may sign off which kind of decision, up to what cost
``saved_views`` named filters and sorts of the backlog, shared through the portfolio
==============  =====================================================================

They share ``unit.Unit`` (engine, actor, clock, weights, transactions), ``present`` (row → view),
``derived`` (the columns other rows determine) and ``store.rows`` (look-ups); an area never calls
another area.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labreview.domain.fields import clean_text
from labreview.portfolio.access import Access
from labreview.portfolio.audit import Audit
from labreview.portfolio.backlog import BacklogQueries
from labreview.portfolio.budget import Budget
from labreview.portfolio.decisions import Decisions
from labreview.portfolio.gates import Gates
from labreview.portfolio.initiatives import Initiatives
from labreview.portfolio.kpis import Kpis
from labreview.portfolio.people import People
from labreview.portfolio.rights import Rights
from labreview.portfolio.saved_views import SavedViews
from labreview.portfolio.scores import Scores
from labreview.portfolio.seats import Seats
from labreview.portfolio.sessions import Sessions
from labreview.portfolio.settings import Settings
from labreview.portfolio.stack import Stack
from labreview.portfolio.unit import UNATTRIBUTED, WEIGHTS_SETTING, explain_failure, utc_now
from labreview.store.engine import make_engine


class Portfolio(
    Settings,
    People,
    Initiatives,
    BacklogQueries,
    SavedViews,
    Sessions,
    Scores,
    Gates,
    Access,
    Budget,
    Decisions,
    Rights,
    Kpis,
    Seats,
    Audit,
    Stack,
):
    """A portfolio database and the person acting on it: every use case of the meeting, by area."""

    @classmethod
    def open(cls, target: str | Path, *, create: bool = False, checked: bool = False, **options: Any) -> Portfolio:
        """Check, create or upgrade the database at ``target`` and open it.

        ``checked``: the caller has just done that (the command line, before the app starts); skip it.
        """
        from labreview.store.database import prepare

        read_only = bool(options.get("read_only", False))
        if not checked:
            prepare(target, create=create and not read_only, read_only=read_only)
        portfolio = cls(make_engine(target, read_only=read_only), **options)
        if create and not read_only:
            portfolio.ensure_defaults()
        return portfolio

    def close(self) -> None:
        self.engine.dispose()


__all__ = ["UNATTRIBUTED", "WEIGHTS_SETTING", "Portfolio", "clean_text", "explain_failure", "utc_now"]
