"""The facilitator's settings: a TOML file in the platform's config directory.

```toml
actor = "Kim Novak"          # who you are in the portfolio (default: the session's facilitator)
theme = "textual-dark"
timebox_minutes = 8

[keymap]                     # binding id = keys (see `?` in the app for the ids)
"labreview.screen.budget" = "f5,m"
```
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from labreview.domain.errors import DomainError, InvalidInput
from labreview.domain.vocabulary import Criterion

DEFAULT_THEME = "textual-dark"


@dataclass(frozen=True)
class Config:
    actor: str = ""
    theme: str = DEFAULT_THEME
    timebox_minutes: int = 8
    weights: Mapping[Criterion, float] = field(default_factory=dict)
    """A ``[weights]`` table found in the file: read only to warn that it is ignored."""
    keymap: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def who(self) -> str | None:
        """The person named in ``actor`` (None: the audit log names the session's facilitator, never the login)."""
        return self.actor or None

    @property
    def ignored_weights(self) -> str | None:
        """The one-line warning when the file has ``[weights]``, which no longer change anything."""
        if not self.weights:
            return None
        where = f" in {self.path}" if self.path else ""
        return (
            f"[weights]{where} is ignored: scoring weights belong to the portfolio now "
            "(set them with `labreview weights set`, audited)."
        )


def load(path: Path) -> Config:
    """Read the config file; a missing file gives the defaults. Raises ``InvalidInput`` saying what is wrong."""
    if not path.exists():
        return Config(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Cannot read the config file {path}: {exc}.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"The config file {path} is not valid TOML: {exc}.") from exc
    return parse(data, path)


def parse(data: Mapping[str, Any], path: Path | None = None) -> Config:
    where = f" in {path}" if path else ""
    known = {"actor", "theme", "timebox_minutes", "weights", "keymap"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInput(f"Unknown setting{'s' * (len(unknown) > 1)} {', '.join(unknown)}{where}.")
    config = Config(path=path)
    if "actor" in data:
        if not isinstance(data["actor"], str):
            raise InvalidInput(f"'actor' must be a name in quotes{where}.")
        config = replace(config, actor=data["actor"].strip())
    if "theme" in data:
        if not isinstance(data["theme"], str) or not data["theme"].strip():
            raise InvalidInput(f"'theme' must be a theme name in quotes{where}.")
        config = replace(config, theme=data["theme"].strip())
    if "timebox_minutes" in data:
        minutes = data["timebox_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 120:
            raise InvalidInput(f"'timebox_minutes' must be a whole number from 1 to 120{where}.")
        config = replace(config, timebox_minutes=minutes)
    if "weights" in data:
        raw = data["weights"]
        if not isinstance(raw, Mapping):
            raise InvalidInput(f"[weights] must be a table of criterion = number{where}.")
        weights: dict[Criterion, float] = {}
        for name, value in raw.items():
            criterion = Criterion.parse(name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise InvalidInput(f"The weight of {criterion.label} must be a number of 0 or more{where}.")
            weights[criterion] = float(value)
        config = replace(config, weights=weights)
    if "keymap" in data:
        raw = data["keymap"]
        if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
            raise InvalidInput(f'[keymap] must map binding ids to keys, like "labreview.screen.budget" = "m"{where}.')
        config = replace(config, keymap=dict(raw))
    return config


def save_theme(config: Config, theme: str) -> None:
    """Remember the theme chosen in the app. The rest of the file stays as it was, comments and layout included
    (tomlkit), and a config file that is a symbolic link stays one: the file it points to is written."""
    if config.path is None:
        return
    import tomlkit  # deferred: only needed when the theme changes
    from tomlkit.exceptions import TOMLKitError

    from labreview.exchange.files import write_atomic

    target = Path(os.path.realpath(config.path))
    try:
        document = tomlkit.parse(target.read_text(encoding="utf-8")) if target.exists() else tomlkit.document()
    except (OSError, UnicodeDecodeError, TOMLKitError):
        return  # never overwrite a file we cannot read back
    document["theme"] = theme
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, tomlkit.dumps(document), force=True)
    except (OSError, DomainError):
        return
