"""Reading the project's rule files (TOML and JSON Lines under ``corpus/``), shared by every stage.

Every rule file has one pydantic model (a subclass of :class:`RuleModel`) and is read by
:func:`load_rules` (TOML) or :func:`load_rule_lines` (JSON Lines). A malformed file fails with
one :class:`ConfigError` naming the file, the entry and the field, e.g.
``corpus/stance/cues.toml: supportive.0.weight: Input should be a valid number``.

A bottom-level module: it imports nothing from the pipeline stages, so ingest,
annotate, link and store may all use it without breaking the one-way layering.

>>> read_toml(Path("/no/such/rules.toml"), "cue file")
Traceback (most recent call last):
    ...
kb.errors.ConfigError: /no/such/rules.toml: cue file not found
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from kb.errors import ConfigError

__all__ = ["RuleModel", "load_numbered_rule_lines", "load_rule_lines", "load_rules", "read_toml", "rule_error"]

M = TypeVar("M", bound="RuleModel")


class RuleModel(BaseModel):
    """Base of every rule-file model: frozen, and unknown keys are errors (a typo is caught)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


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


def rule_error(path: Path | str, exc: ValidationError, *, entry: str | None = None) -> ConfigError:
    """One ConfigError for a pydantic failure: file, then ``entry.field.path: message``."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    if entry:
        where = f"{entry}.{where}" if where else entry
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return ConfigError(f"{path}: {where or 'file'}: {first['msg']}{more}")


def load_rules(path: Path, model: type[M], what: str) -> M:
    """The TOML rule file at ``path`` checked against ``model``.

    A missing file, bad TOML or a value of the wrong shape is one :class:`ConfigError`
    naming the file and, for a bad value, the entry and field.
    """
    raw = read_toml(path, what)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise rule_error(path, exc) from None


def load_rule_lines(path: Path, model: type[M], what: str) -> list[M]:
    """Each line of the JSON Lines rule file at ``path`` checked against ``model``.

    Blank lines and lines starting with ``//`` are skipped. Errors name the file and the line
    (``line 12.pattern: Field required``).
    """
    return [rule for _, rule in load_numbered_rule_lines(path, model, what)]


def load_numbered_rule_lines(path: Path, model: type[M], what: str) -> list[tuple[int, M]]:
    """As :func:`load_rule_lines`, each rule with its line number (1-based), for callers whose
    own checks name the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    out: list[tuple[int, M]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: line {number}: {exc.msg}") from None
        try:
            out.append((number, model.model_validate(raw)))
        except ValidationError as exc:
            raise rule_error(path, exc, entry=f"line {number}") from None
    return out
