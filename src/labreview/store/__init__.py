"""Storage: tables, engine factory, queries and migrations.

Nothing is imported here on purpose: ``labreview.store.database.probe`` must stay
cheap (standard library only), while ``models`` pulls in SQLModel.
"""
