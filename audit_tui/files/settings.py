"""User settings, kept in the user's config directory and validated by pydantic.

pydantic is slow to import, so the `Settings` model is defined when first used, and
the app's first screen needs only `read_look` (theme and keymap, read without pydantic).
"""

from __future__ import annotations

import functools
import getpass
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import platformdirs

from audit_tui.files.safefiles import remove_with_journal, temp_beside

if TYPE_CHECKING:
    Settings = Any  # the model is defined at run time (_model); a type checker cannot see its fields

APP_NAME = "audit-tui"
THEME_MAX = 60
NAME_MAX = 80  # characters of an auditor name
DEFAULT_THEME = "textual-dark"
SETTINGS_MAX_BYTES = 1024 * 1024


def config_dir() -> Path:
    return Path(os.environ.get("AUDIT_TUI_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return Path(os.environ.get("AUDIT_TUI_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def default_db_path() -> Path:
    """The default database: `audits.db` in the user's data directory."""
    return data_dir() / "audits.db"


@functools.cache
def _model() -> type[Settings]:
    """The pydantic model of the settings, defined when first needed."""
    from pydantic import BaseModel, ConfigDict, Field, field_validator

    class Settings(BaseModel):
        """What audit-tui remembers between sessions."""

        model_config = ConfigDict(use_attribute_docstrings=True)

        auditor_name: str = Field("", max_length=NAME_MAX)
        """Your name as it appears on audits and in the history log."""

        organisation: str = Field("", max_length=120)
        """Organisation name printed on the report's title page."""

        logo: str = Field("", max_length=500)
        """Your logo for the documents: a PNG or JPEG file, at most 2 MB."""

        version_label: str = Field("", max_length=80)
        """Before the date on each cover (default: Version 1.0 — draft)."""

        theme: str = Field(DEFAULT_THEME, max_length=THEME_MAX)
        """The colour theme (any Textual theme, e.g. textual-light, or high-contrast)."""

        template_dir: str = Field("", max_length=500)
        """A folder of your own templates (*.yaml), offered beside the built-in ones."""

        keymap: dict[str, str] = {}
        """Your own keys: binding id → key, e.g. {"audit.next": "f8"} (ids are listed in the README)."""

        protective_marking: str = Field("OFFICIAL-SENSITIVE", max_length=60)
        """The marking printed at the top and bottom of every page of every document (e.g. OFFICIAL-SENSITIVE)."""

        retention_years: int | None = Field(None, ge=1, le=100)
        """How long audits are kept: `audit-tui retention` deletes those audited more years ago than this."""

        last_round: str = Field("", max_length=120)
        """The round used for the last new audit, offered again."""

        last_team: str = Field("", max_length=120)
        """The team used for the last new audit, offered again."""

        @field_validator("auditor_name", "organisation", "protective_marking", "version_label", "logo", "last_round",
                         "last_team")
        @classmethod
        def _plain(cls, value: str) -> str:
            return _plain_text(value)

        @field_validator("template_dir")
        @classmethod
        def _folder(cls, value: str) -> str:
            if value.strip() and not Path(value).expanduser().is_dir():
                raise ValueError(f"no folder at {value}")
            return value.strip()

    Settings.__qualname__ = "Settings"  # as if defined at module level (repr, pickle)
    return Settings


def __getattr__(name: str):
    """`Settings`, the pydantic model, defined at first use."""
    if name != "Settings":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _model()


def settings_path() -> Path:
    return config_dir() / "settings.json"


def _settings_text() -> str:
    """The settings file's text; OSError if it cannot be read, or is no regular file, or is over 1 MB."""
    from audit_tui.files.userfiles import FileRefused, read_text_capped

    try:
        return read_text_capped(settings_path(), SETTINGS_MAX_BYTES)
    except FileRefused as exc:
        raise OSError(str(exc)) from None


def _read_json() -> Any:
    """The settings file's JSON; ValueError if it is not JSON, OSError if it cannot be read."""
    return json.loads(_settings_text())


def load_settings() -> Settings:
    """Read settings; a missing or unreadable file gives the defaults (never a crash)."""
    from pydantic import ValidationError

    model = _model()
    try:
        return model.model_validate_json(_settings_text())
    except (OSError, ValidationError, ValueError):
        try:
            data = _read_json()
            valid = {k: v for k, v in data.items() if k in model.model_fields and _valid_field(model, k, v)}
            return model.model_validate(valid)
        except (OSError, ValueError, AttributeError):
            return model()


def _valid_field(model: type[Settings], name: str, value: object) -> bool:
    from pydantic import ValidationError

    try:
        model.model_validate({name: value})
        return True
    except ValidationError:
        return False


class Look(NamedTuple):
    """The settings the first screen needs."""

    theme: str
    keymap: dict[str, str]


def read_look() -> Look:
    """Theme and keymap as `load_settings` gives them (an invalid one is left out), without pydantic."""
    try:
        data = _read_json()
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}
    theme, keymap = data.get("theme"), data.get("keymap")
    if not isinstance(theme, str) or len(theme) > THEME_MAX:
        theme = DEFAULT_THEME
    if not isinstance(keymap, dict) or not all(isinstance(value, str) for value in keymap.values()):
        keymap = {}
    return Look(theme, keymap)


def _plain_text(value: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f]", "", value).strip()


def read_auditor_name() -> str:
    """The auditor name as `load_settings` gives it (an invalid one is left out), without pydantic:
    every command needs it, most without the settings' model."""
    try:
        data = _read_json()
    except (OSError, ValueError):
        return ""
    name = data.get("auditor_name") if isinstance(data, dict) else None
    return _plain_text(name) if isinstance(name, str) and len(name) <= NAME_MAX else ""


def current_actor() -> str:
    """Who is making changes: the auditor name from settings, else the login name."""
    name = read_auditor_name()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def save_settings(settings: Settings) -> None:
    """Write settings atomically, readable by the owner only."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = temp_beside(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(settings.model_dump_json(indent=2))
        os.replace(tmp, path)
    except BaseException:
        remove_with_journal(tmp)
        raise
