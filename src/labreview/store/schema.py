"""Which schema revisions this labreview knows, without importing Alembic.

Kept equal to the Alembic scripts in ``migrations/versions`` by a test.
"""

REVISIONS: tuple[str, ...] = ("0001", "0002", "0003")
"""Every revision in order, oldest first."""

HEAD = REVISIONS[-1]
