"""The live change feed: a portfolio learns from the audit log what another process committed since a mark."""

from __future__ import annotations

from labreview.portfolio import Portfolio

Q = "2026-Q4"


def test_another_process_s_score_is_news_and_its_own_is_not(portfolio, db_target):
    portfolio.start_session(Q)
    other = Portfolio.open(db_target, actor="Second laptop")
    try:
        seen = portfolio.newest_event_id()
        assert seen > 0
        assert portfolio.changes_since(seen).newest == seen
        assert not portfolio.changes_since(seen).any

        other.record_score(Q, "LAB-2", "Dana Sponsor", "outcome-impact", 4)

        news = portfolio.changes_since(seen)
        assert news.newest > seen
        assert news.any
        assert len(news.foreign) == 1
        assert news.touched.initiatives == {portfolio.initiative("LAB-2").id}
        assert not news.touched.everything
        # The other portfolio made that change itself: to it, it is no news.
        assert not other.changes_since(seen).any
        assert other.changes_since(seen).newest == news.newest

        # This portfolio's own score is not news to it, but is to the other one.
        seen = news.newest
        portfolio.record_score(Q, "LAB-1", "Dana Sponsor", "outcome-impact", 3)
        mine = portfolio.changes_since(seen)
        assert mine.newest > seen
        assert not mine.any
        assert other.changes_since(seen).touched.initiatives == {portfolio.initiative("LAB-1").id}
        assert not portfolio.changes_since(mine.newest).any
    finally:
        other.close()


def test_a_person_added_elsewhere_touches_everything(portfolio, db_target):
    seen = portfolio.newest_event_id()
    other = Portfolio.open(db_target, actor="Second laptop")
    try:
        other.add_person("Nina New")
    finally:
        other.close()
    news = portfolio.changes_since(seen)
    assert news.any
    assert news.touched.everything
