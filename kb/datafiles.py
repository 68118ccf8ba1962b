"""Reading the project's rule files (TOML under ``corpus/``), shared by every stage.

A bottom-level module: it imports nothing from the pipeline stages, so ingest,
annotate, link and store may all use it without breaking the one-way layering.

>>> read_toml(Path("/no/such/rules.toml"), "cue file")
Traceback (most recent call last):
    ...
kb.errors.ConfigError: /no/such/rules.toml: cue file not found
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from kb.errors import ConfigError

__all__ = ["read_toml"]


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """The parsed TOML at ``path``; a missing or malformed file is a :class:`ConfigError`.

    The message names the file: ``"<path>: <what> not found"`` when it is missing,
    ``"<path>: <parser message>"`` when it is not valid TOML.
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
