"""What the use-case tests of every area share: the quarter of the small portfolio and two helpers.

The fixtures themselves (``portfolio``, ``empty_portfolio``, ``clock``) come from ``tests/conftest.py``.
"""

from sqlalchemy import func, select

from labreview.domain.vocabulary import CheckState
from labreview.store.models import AuditEvent

Q = "2026-Q4"


def audit_count(p):
    with p.engine.connect() as c:
        return c.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def pass_gates(p, key, *gates):
    for item in p.templates():
        if item.gate in gates and (not item.ai_only or p.initiative(key).ai_heavy):
            p.set_check(key, item.id, CheckState.MET)
