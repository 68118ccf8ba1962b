"""Settings, read from the environment (prefix ``KB_``) through :func:`get_settings`.

Nothing is read at import time: call :func:`get_settings` (cached) or build a
:class:`Settings` yourself, e.g. ``Settings(database_url="sqlite:///x.db")`` in tests.

Defaults depend on where the code runs:

- **in a checkout** (``pyproject.toml`` and ``corpus/manifest.toml`` beside ``kb/``): the
  project's data is ``<project>/corpus``, the database ``<project>/var/kb.sqlite`` and the
  third-party texts ``../shared``, beside the project;
- **installed** (``pip install .``): the project's data comes with the package
  (``kb/corpus`` in the wheel, built from the top-level ``corpus/``), and the database and
  the default source root live in the per-user data directory (:func:`user_data_dir`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "PROJECT_ROOT",
    "Settings",
    "bundled_corpus_dir",
    "database_url_from",
    "get_settings",
    "in_checkout",
    "user_data_dir",
]

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
APP_NAME = "facelaw-kb"


def in_checkout() -> bool:
    """True when this code runs from a source tree (editable install or PYTHONPATH), not a wheel."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "corpus" / "manifest.toml").is_file()


def bundled_corpus_dir() -> Path:
    """The project's own data: ``<project>/corpus`` in a checkout, ``kb/corpus`` in an installed wheel."""
    bundled = PACKAGE_DIR / "corpus"
    return bundled if (bundled / "manifest.toml").is_file() else PROJECT_ROOT / "corpus"


def user_data_dir() -> Path:
    """Where an installed ``kb`` keeps its database: the per-user data directory (platformdirs),
    e.g. ``~/.local/share/facelaw-kb`` on Linux."""
    return user_data_path(APP_NAME, appauthor=False)


def _default_source_root() -> Path:
    if in_checkout():
        return (PROJECT_ROOT.parent / "shared").resolve()
    return user_data_dir() / "shared"


def _default_database_url() -> str:
    folder = PROJECT_ROOT / "var" if in_checkout() else user_data_dir()
    return f"sqlite:///{folder / 'kb.sqlite'}"


class Settings(BaseSettings):
    """Where the third-party texts are, where the database is, how the API behaves."""

    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    source_root: Path = Field(default_factory=_default_source_root)
    database_url: str = Field(default_factory=_default_database_url)
    corpus_dir: Path = Field(default_factory=bundled_corpus_dir)
    cors_origins: list[str] = Field(default_factory=list)
    # Folders of the user's own commentary files (``kb ingest --commentary`` overrides).
    commentary_dirs: list[Path] = Field(default_factory=list)
    max_query_length: int = 1000
    query_timeout_seconds: float = 5.0
    # Rank questions with what the STARD training questions taught (kb.search.learned).
    learned_search: bool = True
    # Long (over 200 characters) and raw searches one server process runs in worker threads at
    # once; shorter ones run on the event loop (api/routes/search.py). A search is CPU-bound
    # Python: two threads overlap one's database reads with the other's arithmetic; more only
    # contend for the GIL (scripts/bench_api.py, 4 clients: 15 ms of CPU a search unbounded,
    # 12 ms at 2, 9-11 ms on the event loop).
    search_threads: int = Field(default=2, ge=1, le=64)
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
