"""Widgets of our own: the virtual backlog table, the meeting header, the budget bar."""
