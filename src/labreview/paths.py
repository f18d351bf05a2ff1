"""Where labreview keeps things. Computed on call, never at import."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

APP_NAME = "labreview"
DB_ENV = "LABREVIEW_DB"
CONFIG_ENV = "LABREVIEW_CONFIG"


def default_database() -> Path:
    """``$LABREVIEW_DB`` if set, else ``portfolio.db`` in the platform's user data directory."""
    from platformdirs import user_data_path  # deferred: only needed when no --db is given

    return user_data_path(APP_NAME, appauthor=False) / "portfolio.db"


def database_from_environment() -> str | None:
    value = os.environ.get(DB_ENV, "").strip()
    return value or None


def config_file() -> Path:
    override = os.environ.get(CONFIG_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / "config.toml"


def log_folder() -> Path:
    """Where ``--debug`` writes its log: the platform's user log folder (``~/.local/state/labreview/log`` on Linux)."""
    from platformdirs import user_log_path

    return user_log_path(APP_NAME, appauthor=False)


def sample_database() -> Path:
    """The shipped sample portfolio: inside an installed wheel, or ``data/`` of a source checkout."""
    packaged = resources.files("labreview") / "data" / "sample.db"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "data" / "sample.db"
