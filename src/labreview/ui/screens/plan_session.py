"""Moved to ``labreview.ui.dialogs.plan_session`` and ``labreview.ui.dialogs.attendance``; kept only because
tests import ``PlanSessionDialog`` from here (tests/ui/test_quarters_ui.py, tests/e2e/test_year_of_reviews.py).
Delete it once they import it from ``labreview.ui.dialogs.plan_session``."""

from labreview.ui.dialogs.attendance import AttendanceDialog
from labreview.ui.dialogs.plan_session import PersonChoice, PlanSessionDialog, SessionPlan

__all__ = ["AttendanceDialog", "PersonChoice", "PlanSessionDialog", "SessionPlan"]
