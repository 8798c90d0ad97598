"""User settings, kept in the user's config directory and validated by pydantic."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

APP_NAME = "audit-tui"


def config_dir() -> Path:
    return Path(os.environ.get("AUDIT_TUI_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return Path(os.environ.get("AUDIT_TUI_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def default_db_path() -> Path:
    """The default database: `audits.db` in the user's data directory."""
    return data_dir() / "audits.db"


class Settings(BaseModel):
    """What audit-tui remembers between sessions."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    auditor_name: str = Field("", max_length=80)
    """Your name as it appears on audits and in the history log."""

    organisation: str = Field("", max_length=120)
    """Organisation name printed on the report's title page."""

    theme: str = Field("textual-dark", max_length=60)
    """The colour theme (any Textual theme, e.g. textual-light, or high-contrast)."""

    template_dir: str = Field("", max_length=500)
    """A folder of your own templates (*.yaml), offered beside the built-in ones."""

    keymap: dict[str, str] = {}
    """Your own keys: binding id → key, e.g. {"audit.next": "f8"} (ids are listed in the README)."""

    last_round: str = Field("", max_length=120)
    """The round used for the last new audit, offered again."""

    last_team: str = Field("", max_length=120)
    """The team used for the last new audit, offered again."""

    @field_validator("auditor_name", "organisation", "last_round", "last_team")
    @classmethod
    def _plain(cls, value: str) -> str:
        return re.sub(r"[\x00-\x1f\x7f]", "", value).strip()

    @field_validator("template_dir")
    @classmethod
    def _folder(cls, value: str) -> str:
        if value.strip() and not Path(value).expanduser().is_dir():
            raise ValueError(f"no folder at {value}")
        return value.strip()


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings() -> Settings:
    """Read settings; a missing or unreadable file gives the defaults (never a crash)."""
    path = settings_path()
    try:
        return Settings.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            valid = {k: v for k, v in data.items() if k in Settings.model_fields and _valid_field(k, v)}
            return Settings.model_validate(valid)
        except (OSError, ValueError, AttributeError):
            return Settings()


def _valid_field(name: str, value: object) -> bool:
    try:
        Settings.model_validate({name: value})
        return True
    except ValidationError:
        return False


def save_settings(settings: Settings) -> None:
    """Write settings atomically, readable by the owner only."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(settings.model_dump_json(indent=2))
    os.replace(tmp, path)
