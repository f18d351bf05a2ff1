"""Saved views of the backlog: a filter and a sort under a name, kept in the portfolio so the team shares them.

They are one JSON value in the ``setting`` table (``saved_views``): a list of objects with ``name``,
``filter`` (the filter bar's text, in the language of ``backlog_filter``), ``column``, ``descending`` and
``group``. Saving and deleting are audited like any setting. The value is read defensively: somebody may have
edited it by hand, so a value that is not such a list, or an entry that is not such an object, is left out
and said in ``SavedViewList.problem`` (the screens say it once); nothing else breaks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from labreview.domain.backlog_query import Order
from labreview.domain.errors import InvalidInput, NotFound
from labreview.domain.fields import clean_text
from labreview.portfolio.derived import Derived
from labreview.store.models import Setting

SETTING = "saved_views"
"""The ``setting`` row that holds the saved views."""
NAME_LIMIT = 60
FILTER_LIMIT = 500
MOST = 200
"""How many views a portfolio keeps (the palette lists them all)."""
COLUMNS = ("key", "title", "stage", "category", "owner", "cost", "track", "gate", "tier", "score", "decision")
"""The columns the backlog sorts by."""


@dataclass(frozen=True)
class SavedView:
    """A named filter and sort of the backlog."""

    name: str
    filter: str
    """The filter bar's text (``stage:lab owner:kim``); parsed again when the view is applied."""
    column: str = "key"
    descending: bool = False
    group: bool = False
    """Grouped by stage."""

    @property
    def order(self) -> Order:
        return Order(self.column, self.descending, self.group)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "filter": self.filter,
            "column": self.column,
            "descending": self.descending,
            "group": self.group,
        }


@dataclass(frozen=True)
class SavedViewList:
    views: tuple[SavedView, ...] = ()
    """By name, case-insensitively."""
    problem: str = ""
    """What was wrong with the stored value ("" when nothing): the entries it concerns are left out."""

    def find(self, name: str) -> SavedView | None:
        folded = name.strip().casefold()
        return next((v for v in self.views if v.name.casefold() == folded), None)


def parse_views(raw: str | None) -> SavedViewList:
    """The stored value read defensively (see the module's docstring)."""
    if raw is None or not raw.strip():
        return SavedViewList()
    try:
        data = json.loads(raw)
    except ValueError:
        return SavedViewList(problem="The saved views setting is not valid JSON; it is ignored until a view is saved.")
    if not isinstance(data, list):
        return SavedViewList(problem="The saved views setting is not a list of views; it is ignored.")
    views: list[SavedView] = []
    seen: set[str] = set()
    skipped = 0
    for item in data:
        view = _view(item)
        if view is None or view.name.casefold() in seen:
            skipped += 1
            continue
        seen.add(view.name.casefold())
        views.append(view)
    views.sort(key=lambda v: v.name.casefold())
    problem = ""
    if skipped:
        many = skipped != 1
        problem = f"{skipped} saved view{'s' if many else ''} could not be read and {'are' if many else 'is'} ignored."
    return SavedViewList(tuple(views), problem)


def _view(item: Any) -> SavedView | None:
    if not isinstance(item, dict):
        return None
    name, text = item.get("name"), item.get("filter", "")
    column, descending, group = item.get("column", "key"), item.get("descending", False), item.get("group", False)
    if not isinstance(name, str) or not isinstance(text, str) or column not in COLUMNS:
        return None
    if not isinstance(descending, bool) or not isinstance(group, bool):
        return None
    try:
        name = check_name(name)
    except InvalidInput:
        return None
    if len(text) > FILTER_LIMIT:
        return None
    return SavedView(name, text, column, descending, group)


def check_name(name: str) -> str:
    """A view's name: trimmed, 1–60 characters, no control characters."""
    return clean_text(name, what="view name", limit=NAME_LIMIT, required=True)


class SavedViews(Derived):
    """Saved views of the backlog: save, list, delete (audited, in the ``setting`` table)."""

    def saved_views(self) -> SavedViewList:
        """The portfolio's saved views, by name; a malformed stored value is ignored and said in ``problem``."""
        with self.read() as session:
            row = session.get(Setting, SETTING)
            return parse_views(row.value if row is not None else None)

    def save_view(self, name: str, filter_text: str, order: Order) -> SavedView:
        """Save the backlog's filter and sort as ``name`` (a new name: an existing one is refused in words)."""
        name = check_name(name)
        filter_text = (filter_text or "").strip()
        if len(filter_text) > FILTER_LIMIT:
            raise InvalidInput(f"A saved view's filter is at most {FILTER_LIMIT} characters.")
        if order.column not in COLUMNS:
            raise InvalidInput(f"The backlog cannot be sorted by '{order.column}'.")
        view = SavedView(name, filter_text, order.column, order.descending, order.group_by_stage)
        with self.audited("save view") as rec:
            row = rec.session.get(Setting, SETTING)
            current = parse_views(row.value if row is not None else None)
            if current.find(name) is not None:
                raise InvalidInput(f"There is already a view called “{current.find(name).name}”; choose another name.")
            if len(current.views) >= MOST:
                raise InvalidInput(f"The portfolio keeps at most {MOST} views; delete one first.")
            _store(rec, row, (*current.views, view))
            rec.summary = f"Saved the backlog view “{name}”" + (f": {filter_text}" if filter_text else "")
        return view

    def delete_view(self, name: str) -> SavedView:
        """Delete the saved view ``name`` (case-insensitively)."""
        with self.audited("delete view") as rec:
            row = rec.session.get(Setting, SETTING)
            current = parse_views(row.value if row is not None else None)
            view = current.find(name)
            if view is None:
                raise NotFound(f"There is no saved view called “{name.strip()}”.")
            _store(rec, row, tuple(v for v in current.views if v is not view))
            rec.summary = f"Deleted the backlog view “{view.name}”"
        return view


def _store(rec: Any, row: Setting | None, views: tuple[SavedView, ...]) -> None:
    """Write ``views`` as the setting's value (entries that could not be read are dropped; the audit record
    keeps the value as it was)."""
    value = json.dumps([v.as_json() for v in sorted(views, key=lambda v: v.name.casefold())], ensure_ascii=False)
    if row is None:
        rec.add(Setting(key=SETTING, value=value))
    else:
        rec.update(row, value=value)
