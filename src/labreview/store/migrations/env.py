"""Alembic environment: runs on the connection labreview hands it (see ``store.database``)."""

from __future__ import annotations

from alembic import context

from labreview.store.models import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - labreview always passes a connection
    raise RuntimeError("labreview runs its migrations through labreview.store.database.upgrade().")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
