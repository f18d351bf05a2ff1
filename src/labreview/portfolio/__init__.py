"""The service layer: the use cases screens and the command line call (see ``service.Portfolio``).

Lazy on purpose: screens import ``labreview.portfolio.backlog_filter`` and
``labreview.portfolio.views`` (no SQLAlchemy) before the first frame, and only
the worker that opens the database imports ``service``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labreview.portfolio.backlog_filter import parse_filter
    from labreview.portfolio.service import Portfolio, clean_text, utc_now
    from labreview.portfolio.views import NewActionItem

_EXPORTS = {
    "Portfolio": "labreview.portfolio.service",
    "clean_text": "labreview.portfolio.service",
    "utc_now": "labreview.portfolio.service",
    "parse_filter": "labreview.portfolio.backlog_filter",
    "NewActionItem": "labreview.portfolio.views",
}

__all__ = ["NewActionItem", "Portfolio", "clean_text", "parse_filter", "utc_now"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'labreview.portfolio' has no attribute {name!r}")
