"""Settings, read from the environment (prefix ``KB_``) through :func:`get_settings`.

Nothing is read at import time: call :func:`get_settings` (cached) or build a
:class:`Settings` yourself, e.g. ``Settings(database_url="sqlite:///x.db")`` in tests.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PROJECT_ROOT", "Settings", "database_url_from", "get_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_source_root() -> Path:
    return (PROJECT_ROOT.parent / "shared").resolve()


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'kb.sqlite'}"


class Settings(BaseSettings):
    """Where the third-party texts are, where the database is, how the API behaves."""

    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    source_root: Path = Field(default_factory=_default_source_root)
    database_url: str = Field(default_factory=_default_database_url)
    corpus_dir: Path = Field(default=PROJECT_ROOT / "corpus")
    cors_origins: list[str] = Field(default_factory=list)
    max_query_length: int = 1000
    query_timeout_seconds: float = 5.0
    # Where people reach `kb serve`: the MCP server (stdio has no request to read it from)
    # builds the page and API URLs of its answers on it.
    public_url: str = "http://127.0.0.1:8000"

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, when the database is SQLite; else None."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            return Path(self.database_url[len(prefix) :])
        return None


def database_url_from(value: str) -> str:
    """Turn a ``--db`` argument (a path or a URL) into a SQLAlchemy URL.

    >>> database_url_from("var/x.sqlite").startswith("sqlite:///")
    True
    >>> database_url_from("postgresql+psycopg://u@h/db")
    'postgresql+psycopg://u@h/db'
    """
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
