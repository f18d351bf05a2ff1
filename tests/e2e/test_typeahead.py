"""The meeting's key flows, typed slowly and in one burst right after launch: the portfolio ends the same.

Each flow also checks that the slow run did what the keys mean (so that two equally wrong runs do not
pass), through the database the run left.
"""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLE
from tests.e2e.typeahead import differences, query, run_in_a_burst, run_slowly, state

FLOWS = {
    # Start the session, open the next item, five scores, the next reviewer, five more, back to the agenda.
    "score": ["S", "n", "4", "3", "5", "2", "4", "r", "3", "3", "3", "3", "3", "h"],
    # Decide two items with rationales, as the README shows it.
    "decide": [
        "S",
        "n",
        "d",
        "i",
        "Keep piloting, more work",
        "enter",
        "n",
        "d",
        "h",
        "Wait for Q1 data",
        "enter",
        "h",
    ],
    # Decide a pilot with the sponsor's sign-off instead of the proposed delegate's: the rationale, then three
    # tabs to "Signed off by", open it, one down, choose, tab to the next field and record with its enter.
    "sign off": [
        "S",
        "n",
        "d",
        "i",
        "Another cycle",
        "tab",
        "tab",
        "tab",
        "enter",
        "down",
        "enter",
        "tab",
        "enter",
        "h",
    ],
    # Consolidate a tool from the backlog: the survivor is the first overlap (found in a worker the keys wait
    # for), the sunset signed off by the proposed marketing operations lead.
    "consolidate": ["S", "b", "/", "FAC-019", "enter", "d", "c", "One Segmentry contract", "enter"],
    # The palette right after launch: open the budget by name.
    "palette": ["ctrl+p", "budget", "enter", "o"],
    # Waive the first gate item of the next agenda item, with its reason.
    "waive": ["S", "n", "g", "w", "Vendor DPA covers it", "enter", "h"],
    # Sign EXP-104's pending Level 2 request: an approval with conditions by the proposed signer.
    "sign": ["S", "n", "a", "c", "enter", "Aggregates only", "enter", "h"],
    # Change a locked success criterion of the first item, with the reason, in one dialog.
    "criterion": [
        "S",
        "enter",
        "i",
        "down",
        "down",
        "down",
        "down",
        "down",
        "down",
        "down",
        "e",
        " (revised)",
        "enter",
        "Seasonal baseline shifted",
        "enter",
        "c",
        "5",
    ],
    # End the session, then plan the next one from the palette with the proposed date.
    "plan next": ["S", "E", "enter", "ctrl+p", "plan next", "enter", "enter"],
    # Score the first item in secret: open the ballot, five scores typed for the first reviewer, reveal.
    "secret": ["S", "enter", "V", "4", "3", "5", "2", "4", "U", "h"],
    # Find an initiative in the backlog by its key, open it and score it.
    "open from backlog": ["S", "b", "/", "EXP-112", "enter", "enter", "5", "4", "3", "2", "1"],
}


def _query(target, sql):
    return query(target, sql)


EXPECT = {
    "score": (
        "SELECT count(*) FROM score s JOIN initiative i ON i.id = s.initiative_id "
        "JOIN review_session r ON r.id = s.session_id WHERE r.quarter = '2026-Q4' AND i.key = 'EXP-104'",
        [(10,)],
    ),
    "decide": (
        "SELECT i.key, d.outcome, d.rationale, p.name FROM decision d JOIN initiative i ON i.id = d.initiative_id "
        "JOIN review_session r ON r.id = d.session_id LEFT JOIN person p ON p.id = d.signed_off_by_id "
        "WHERE r.quarter = '2026-Q4' ORDER BY i.key",
        [
            ("EXP-104", "iterate", "Keep piloting, more work", "Kim Novak"),  # the delegate, within EUR 25,000
            ("EXP-105", "hold", "Wait for Q1 data", None),  # hold needs no sign-off
        ],
    ),
    "sign off": (
        "SELECT i.key, d.outcome, d.rationale, p.name FROM decision d JOIN initiative i ON i.id = d.initiative_id "
        "JOIN review_session r ON r.id = d.session_id LEFT JOIN person p ON p.id = d.signed_off_by_id "
        "WHERE r.quarter = '2026-Q4'",
        [("EXP-104", "iterate", "Another cycle", "Dana Whitfield")],
    ),
    "consolidate": (
        "SELECT i.key, d.outcome, a.key, p.name, d.rationale FROM decision d "
        "JOIN initiative i ON i.id = d.initiative_id JOIN review_session r ON r.id = d.session_id "
        "LEFT JOIN initiative a ON a.id = d.absorbed_by_id LEFT JOIN person p ON p.id = d.signed_off_by_id "
        "WHERE r.quarter = '2026-Q4'",
        [("FAC-019", "consolidate", "FAC-002", "Lena Fischer", "One Segmentry contract")],
    ),
    "palette": ("SELECT status FROM review_session WHERE quarter = '2026-Q4'", [("planned",)]),
    "waive": ("SELECT count(*) FROM gate_check WHERE state = 'waived' AND reason = 'Vendor DPA covers it'", [(1,)]),
    "sign": (
        "SELECT s.approve, s.conditions FROM access_signature s JOIN review_session r ON r.id = s.session_id "
        "WHERE r.quarter = '2026-Q4' ORDER BY s.id",
        [(1, "Aggregates only")],
    ),
    "criterion": (
        "SELECT c.field, c.reason FROM criteria_change c JOIN initiative i ON i.id = c.initiative_id "
        "WHERE i.key = 'EXP-102' AND c.reason = 'Seasonal baseline shifted'",
        [("target_lift", "Seasonal baseline shifted")],
    ),
    "plan next": (
        "SELECT quarter, status FROM review_session WHERE quarter >= '2026-Q4' ORDER BY quarter",
        [("2026-Q4", "closed"), ("2027-Q1", "planned")],
    ),
    "secret": (
        "SELECT s.criterion, s.value, (SELECT count(*) FROM ballot b WHERE b.revealed_at IS NOT NULL), "
        "(SELECT count(*) FROM ballot_score) FROM score s JOIN initiative i ON i.id = s.initiative_id "
        "JOIN review_session r ON r.id = s.session_id WHERE r.quarter = '2026-Q4' AND i.key = 'EXP-102' "
        "ORDER BY s.criterion",
        [
            ("data-risk", 2, 1, 0),
            ("economic-value", 4, 1, 0),
            ("integration-burden", 5, 1, 0),
            ("operational-fit", 3, 1, 0),
            ("outcome-impact", 4, 1, 0),
        ],
    ),
    "open from backlog": (
        "SELECT count(*) FROM score s JOIN initiative i ON i.id = s.initiative_id WHERE i.key = 'EXP-112'",
        [(5,)],
    ),
}


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_typed_slowly_and_in_a_burst_the_portfolio_ends_the_same(flow, tmp_path):
    keys = FLOWS[flow]
    slow, slow_screen = run_slowly(SAMPLE, tmp_path / "slow", keys)
    burst, burst_screen = run_in_a_burst(SAMPLE, tmp_path / "burst", keys)
    sql, wanted = EXPECT[flow]
    assert _query(slow, sql) == wanted, slow_screen
    assert differences(state(slow), state(burst)) == [], burst_screen
