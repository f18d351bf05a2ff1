"""Errors the rules raise. Each carries a message written for a person."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules refuse; ``message`` is shown to the facilitator as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        """One or two sentences for a person: what is wrong and what to do."""


class InvalidInput(DomainError):
    """A value that cannot be accepted (out of range, malformed, missing)."""


class PolicyRefusal(DomainError):
    """The governance rules forbid this (gate order, access policy, stage)."""


class NotFound(DomainError):
    """The thing asked for does not exist."""


class StaleEdit(DomainError):
    """The edit was based on data someone else has changed since."""


class StorageError(DomainError):
    """The database cannot be used (missing, corrupt, newer, read-only, full)."""
