"""The backlog's filters, order and pages, served in SQL."""

import pytest

from labreview.domain.backlog_query import Order
from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import Stage
from labreview.portfolio import parse_filter


def test_backlog_filters_sorts_and_pages_in_sql(portfolio):
    all_rows = portfolio.backlog(parse_filter(""), Order("cost", descending=True))
    assert [r.key for r in all_rows.rows] == ["FAC-1", "LAB-1", "LAB-2"] and all_rows.total == 3
    assert [r.key for r in portfolio.backlog(parse_filter("stage:lab owner:oscar")).rows] == ["LAB-1"]
    assert portfolio.backlog(parse_filter("stage:fac")).total == 1
    ids = portfolio.backlog_index(parse_filter("category:capability"), Order("key"))
    assert [r.key for r in portfolio.backlog_rows_by_id(ids)] == ["FAC-1", "LAB-1"]
    counts = portfolio.backlog_stage_counts(parse_filter(""))
    assert counts[Stage.LAB] == 2 and counts[Stage.FACTORY] == 1
    with pytest.raises(InvalidInput, match="Unknown filter 'colour:'"):
        parse_filter("colour:red")
    with pytest.raises(InvalidInput, match="tier:1"):
        parse_filter("tier:9")
