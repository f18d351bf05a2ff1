"""The board's scores: who may score, when, and what a score sheet summarises."""

import pytest

from labreview.domain.backlog_query import Order
from labreview.domain.errors import InvalidInput, PolicyRefusal
from labreview.domain.vocabulary import Criterion
from labreview.portfolio import parse_filter
from tests.portfolio.conftest import Q


def test_scores_need_an_open_session_and_an_attending_board_member(portfolio):
    with pytest.raises(PolicyRefusal, match="has not started"):
        portfolio.record_score(Q, "LAB-1", "Dana Sponsor", "outcome-impact", 4)
    portfolio.start_session(Q)
    with pytest.raises(PolicyRefusal, match="not on the review board"):
        portfolio.record_score(Q, "LAB-1", "Oscar Owner", "outcome-impact", 4)
    with pytest.raises(PolicyRefusal, match="not attending"):
        portfolio.record_score(Q, "LAB-1", "Fay Finance", "outcome-impact", 4)
    with pytest.raises(InvalidInput, match="1 to 5"):
        portfolio.record_score(Q, "LAB-1", "Dana Sponsor", "outcome-impact", 9)
    portfolio.record_score(Q, "LAB-1", "Dana Sponsor", Criterion.OUTCOME_IMPACT, 5)
    sheet = portfolio.record_score(Q, "LAB-1", "Mo Martech", Criterion.OUTCOME_IMPACT, 2)
    assert sheet.summary.contested == (Criterion.OUTCOME_IMPACT,)
    assert sheet.summary.total == pytest.approx(3.5)
    changed = portfolio.record_score(Q, "LAB-1", "Mo Martech", Criterion.OUTCOME_IMPACT, 4)
    assert changed.summary.stats[Criterion.OUTCOME_IMPACT].mean == pytest.approx(4.5)
    row = portfolio.backlog(parse_filter("churn"), Order("score")).rows[0]
    assert row.score == pytest.approx(4.5) and row.spread == 1
