"""The shipped sample portfolio is what the generator makes, and it tells the story the meeting needs."""

from pathlib import Path

from labreview import sample
from labreview.domain.vocabulary import AccessStatus, Stage, Track
from labreview.portfolio import Portfolio

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "sample.db"


def test_committed_sample_is_not_stale(tmp_path):
    fresh = sample.generate(tmp_path / "fresh.db")
    assert sample.dump(fresh) == sample.dump(SHIPPED), (
        "data/sample.db is stale: run `uv run python -m labreview.sample data/sample.db` and commit it"
    )


def test_sample_covers_the_domain(sample_copy, clock):
    p = Portfolio.open(sample_copy, actor="test", clock=clock)
    stages = p.backlog_stage_counts(__import__("labreview.portfolio", fromlist=["parse_filter"]).parse_filter(""))
    assert all(stages[s] > 0 for s in Stage) and 35 <= sum(stages.values()) <= 45
    roles = {person.role for person in p.board()}
    assert len(roles) == 8 and 8 <= len(p.board()) <= 10
    past = [s for s in p.sessions() if s.status.value == "closed"]
    assert [s.quarter for s in past] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert all(p.decisions(s.quarter) for s in past)
    assert p.action_items()
    planned = p.active_session()
    assert planned.quarter == "2026-Q4" and planned.status.value == "planned" and len(planned.agenda) >= 10
    statuses = {(r.tier, r.status) for key in p.initiative_keys() for r in p.access_requests(key)}
    assert {tier for tier, _s in statuses} == {1, 2, 3}
    assert {status for _t, status in statuses} == set(AccessStatus)
    budget = p.budget("2026-Q4")
    drift = {d.track: abs(d.points) for d in budget.drift}
    assert max(drift.values()) >= 5, "the mix should drift visibly from 70/20/10"
    assert len(budget.history) >= 4 and budget.mix.amount(Track.ITERATE) > 0
    assert p.verify_audit().ok
    p.close()
