"""Engine settings, database checks on open, migrations and backups."""

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from labreview.domain.errors import StorageError
from labreview.store import schema
from labreview.store.database import State, backup, prepare, probe
from labreview.store.engine import make_engine
from labreview.store.models import metadata

MIGRATIONS = Path(__file__).resolve().parents[2] / "src" / "labreview" / "store" / "migrations"


def test_every_connection_gets_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    prepare(tmp_path / "p.db", create=True)
    engine = make_engine(tmp_path / "p.db")
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_transactions_are_real(tmp_path):
    prepare(tmp_path / "p.db", create=True)
    engine = make_engine(tmp_path / "p.db")
    with engine.connect() as c:
        c.exec_driver_sql("INSERT INTO setting (key, value) VALUES ('name', 'x')")
        assert c.in_transaction()
        c.rollback()
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM setting").scalar() == 0


def test_migrations_build_exactly_the_models(tmp_path):
    prepare(tmp_path / "p.db", create=True)
    engine = make_engine(tmp_path / "p.db")
    with engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), metadata)
    assert diff == []


def test_schema_revisions_match_the_alembic_scripts():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    chain = [rev.revision for rev in reversed(list(scripts.walk_revisions()))]
    assert tuple(chain) == schema.REVISIONS
    assert scripts.get_current_head() == schema.HEAD


def test_probe_tells_what_is_there(tmp_path):
    assert probe(tmp_path / "none.db").state is State.MISSING
    (tmp_path / "empty.db").write_bytes(b"")
    assert probe(tmp_path / "empty.db").state is State.EMPTY
    (tmp_path / "text.db").write_text("name,stage\n")
    assert probe(tmp_path / "text.db").state is State.CORRUPT
    foreign = sqlite3.connect(tmp_path / "foreign.db")
    foreign.execute("CREATE TABLE t (x)")
    foreign.close()
    assert probe(tmp_path / "foreign.db").state is State.FOREIGN
    prepare(tmp_path / "ok.db", create=True)
    assert probe(tmp_path / "ok.db").state is State.CURRENT
    assert probe(tmp_path).state is State.UNREADABLE


def test_truncated_database_is_corrupt(tmp_path):
    prepare(tmp_path / "ok.db", create=True)
    data = (tmp_path / "ok.db").read_bytes()
    (tmp_path / "cut.db").write_bytes(data[: len(data) // 3])
    assert probe(tmp_path / "cut.db").state in (State.CORRUPT, State.FOREIGN)
    with pytest.raises(StorageError):
        prepare(tmp_path / "cut.db")


def test_newer_schema_is_refused_with_a_clear_message(tmp_path):
    prepare(tmp_path / "p.db", create=True)
    connection = sqlite3.connect(tmp_path / "p.db")
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    with pytest.raises(StorageError, match="written by a newer labreview"):
        prepare(tmp_path / "p.db")


def test_missing_database_is_refused_unless_creating(tmp_path):
    with pytest.raises(StorageError, match="labreview init"):
        prepare(tmp_path / "none.db")
    with pytest.raises(StorageError, match=r"Cannot create the folder|Cannot write"):
        blocker = tmp_path / "file"
        blocker.write_text("x")
        prepare(blocker / "sub" / "p.db", create=True)


def test_backup_is_a_consistent_copy_beside_the_file(tmp_path):
    prepare(tmp_path / "p.db", create=True)
    copy = backup(tmp_path / "p.db", "0001")
    assert copy.parent == tmp_path and copy.name.startswith("p.db.0001-") and copy.suffix == ".bak"
    assert probe(copy).state is State.CURRENT
