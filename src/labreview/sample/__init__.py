"""The sample portfolio shipped as ``data/sample.db``, generated deterministically.

A fictional retailer's marketing-technology portfolio: a board covering every
role, about forty initiatives across every stage and category, three past
quarterly reviews (2026-Q1 to Q3) with scores, decisions and action items, access
requests in every tier and state, six quarters of budget lines whose mix has
drifted from 70/20/10, and the 2026-Q4 review planned with its agenda.

``data`` holds the content as plain tables; ``build`` writes it through the service layer,
so the sample obeys the same rules and carries the same audit trail as real use. Regenerate
with ``python -m labreview.sample data/sample.db``; a test fails when the committed file
differs from what this package produces.
"""

from __future__ import annotations

from labreview.sample.build import dump, generate, main

__all__ = ["dump", "generate", "main"]
