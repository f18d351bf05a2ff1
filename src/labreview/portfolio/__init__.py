"""The service layer: the use cases screens and the command line call (see ``service.Portfolio``)."""

from labreview.portfolio.backlog import parse_filter
from labreview.portfolio.service import Portfolio, clean_text, utc_now
from labreview.portfolio.views import NewActionItem

__all__ = ["NewActionItem", "Portfolio", "clean_text", "parse_filter", "utc_now"]
