"""Sessions: the agenda's order and the item clock."""

from tests.portfolio.conftest import Q


def test_agenda_order_and_timebox(portfolio):
    session = portfolio.move_agenda_item(Q, "FAC-1", -2)
    assert [e.key for e in session.agenda] == ["FAC-1", "LAB-1", "LAB-2"]
    assert [e.position for e in session.agenda] == [1, 2, 3]
    portfolio.add_time(Q, "LAB-1", 95)
    portfolio.set_current_item(Q, "LAB-1")
    session = portfolio.set_timebox(Q, "LAB-1", 10)
    entry = next(e for e in session.agenda if e.key == "LAB-1")
    assert (entry.spent_seconds, entry.timebox_seconds, session.current_key) == (95, 600, "LAB-1")
    session = portfolio.toggle_agenda(Q, "LAB-2")
    assert [e.key for e in session.agenda] == ["FAC-1", "LAB-1"]
