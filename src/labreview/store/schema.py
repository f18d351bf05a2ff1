"""Which schema revisions this labreview knows, without importing Alembic.

Kept equal to the Alembic scripts in ``migrations/versions`` by a test.
"""

REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
"""Every revision in order, oldest first."""

HEAD = REVISIONS[-1]

_TABLES_0001: frozenset[str] = frozenset(
    {
        "access_request",
        "access_signature",
        "action_item",
        "agenda_item",
        "attendee",
        "audit_event",
        "budget_line",
        "criteria_change",
        "decision",
        "gate_check",
        "gate_template_item",
        "initiative",
        "intake",
        "person",
        "review_session",
        "score",
        "setting",
    }
)
_SEATS = frozenset({"seat_link", "ballot", "ballot_score", "presence", "service_state"})
TABLES: dict[str, frozenset[str]] = {
    "0001": _TABLES_0001,
    "0002": _TABLES_0001 | {"audit_head"},
    "0003": _TABLES_0001 | {"audit_head", "budget_envelope"},
    "0004": _TABLES_0001 | {"audit_head", "budget_envelope"},
    "0005": _TABLES_0001 | {"audit_head", "budget_envelope"} | _SEATS,
    "0006": _TABLES_0001 | {"audit_head", "budget_envelope"} | _SEATS,
    "0007": _TABLES_0001 | {"audit_head", "budget_envelope", "kpi_reading"} | _SEATS,
    "0008": _TABLES_0001 | {"audit_head", "budget_envelope", "kpi_reading", "decision_right"} | _SEATS,
}
"""The tables each revision has (besides ``alembic_version``), so that a file can be checked before it is
opened: another application's database that happens to be at revision "0002" is not a portfolio, and a
portfolio with a table gone is damaged. Kept equal to the models and the migrations by a test."""
