"""Legal concepts (``corpus/link/concepts.toml``): the "terms" evidence that a passage
and a provision speak of the same thing, each with a tier (specific, generic, background)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator

from kb.datafiles import RuleModel, load_rules, rule_error
from kb.errors import ConfigError
from kb.settings import get_settings

Tier = Literal["background", "generic", "specific"]
_TIERS: tuple[Tier, ...] = ("background", "generic", "specific")

CONCEPTS_PATH = Path("link") / "concepts.toml"  # relative to settings.corpus_dir


@dataclass(frozen=True)
class Concept:
    """One legal concept: English and Chinese patterns, and examples the tests check.

    ``en`` are case-insensitive regexes in which a space also matches a hyphen or a line
    break; ``zh`` regexes over the statute's Chinese text. ``broader`` are concepts a
    passage naming this one also speaks of (biometric data is sensitive personal
    information). ``examples`` must match (in the language they are written in) and
    ``counter_examples`` must not.
    """

    id: str
    tier: Tier
    en: tuple[str, ...]
    zh: tuple[str, ...]
    broader: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConceptSet:
    """Concepts with their patterns compiled; build with :meth:`of` or :func:`load_concepts`."""

    concepts: tuple[Concept, ...]
    by_id: Mapping[str, Concept]
    en_patterns: tuple[tuple[str, re.Pattern[str]], ...]
    zh_patterns: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def of(cls, concepts: Sequence[Concept]) -> ConceptSet:
        """Check and compile ``concepts`` (raises :class:`ConfigError` on bad data)."""
        by_id: dict[str, Concept] = {}
        en: list[tuple[str, re.Pattern[str]]] = []
        zh: list[tuple[str, re.Pattern[str]]] = []
        for c in concepts:
            if c.id in by_id:
                raise ConfigError(f"concept {c.id!r} is defined twice")
            if c.tier not in _TIERS:
                raise ConfigError(f"concept {c.id!r}: tier must be one of {', '.join(_TIERS)}")
            by_id[c.id] = c
            try:
                # a space in an English pattern also matches hyphens and line breaks
                if c.en:
                    en.append((c.id, re.compile("|".join(p.replace(" ", r"[\s\-]+") for p in c.en), re.IGNORECASE)))
                if c.zh:
                    zh.append((c.id, re.compile("|".join(c.zh))))
            except re.error as exc:
                raise ConfigError(f"concept {c.id!r}: bad pattern: {exc}") from None
        for c in concepts:
            unknown = [b for b in c.broader if b not in by_id or b == c.id]
            if unknown:
                raise ConfigError(f"concept {c.id!r}: unknown broader concept(s) {unknown}")
        return cls(tuple(concepts), by_id, tuple(en), tuple(zh))

    def find(self, text: str, lang: Literal["en", "zh"]) -> dict[str, list[str]]:
        """Concept id -> the phrases of ``text`` that matched it, in text order."""
        found: dict[str, list[str]] = {}
        for cid, pattern in self.en_patterns if lang == "en" else self.zh_patterns:
            hits = [m.group(0) for m in pattern.finditer(text)]
            if hits:
                found[cid] = hits
        return found

    def tier(self, cid: str) -> Tier:
        return self.by_id[cid].tier


_Text = Annotated[str, Field(min_length=1)]


class _ConceptRule(RuleModel):
    """One ``[[concept]]`` of the concept file."""

    id: _Text
    tier: Tier = "specific"
    en: tuple[_Text, ...] = Field(min_length=1)
    zh: tuple[_Text, ...] = Field(min_length=1)
    broader: tuple[_Text, ...] = ()
    examples: tuple[_Text, ...] = ()
    counter_examples: tuple[_Text, ...] = ()


class _ConceptFile(RuleModel):
    version: int = 1
    concept: tuple[_ConceptRule, ...]

    @field_validator("concept")
    @classmethod
    def _some(cls, value: tuple[_ConceptRule, ...]) -> tuple[_ConceptRule, ...]:
        if not value:  # checked here, not by min_length, so a bad entry is reported alone
            raise ValueError("needs at least one [[concept]]")
        return value


def _concept_set(rules: _ConceptFile, origin: str) -> ConceptSet:
    concepts = [Concept(**rule.model_dump()) for rule in rules.concept]
    try:
        return ConceptSet.of(concepts)
    except ConfigError as exc:
        raise ConfigError(f"{origin}: {exc}") from None


def parse_concepts(raw: Mapping[str, Any], origin: str = "<concepts>") -> ConceptSet:
    """Concepts from the parsed TOML of a concept file (see ``corpus/link/concepts.toml``)."""
    try:
        rules = _ConceptFile.model_validate(raw)
    except ValidationError as exc:
        raise rule_error(origin, exc) from None
    return _concept_set(rules, origin)


@lru_cache(maxsize=4)
def load_concepts(path: Path | None = None) -> ConceptSet:
    """The concept file, ``<corpus_dir>/link/concepts.toml`` by default (cached)."""
    path = path or get_settings().corpus_dir / CONCEPTS_PATH
    return _concept_set(load_rules(path, _ConceptFile, "concept file"), str(path))


def concepts_in(text: str, lang: Literal["en", "zh"], concepts: ConceptSet | None = None) -> dict[str, list[str]]:
    """The concepts found in ``text``, each with its matched phrases (default: the concept file).

    >>> sorted(concepts_in("Parental consent is needed for children under the age of 14.", "en"))
    ['consent', 'guardian', 'minors', 'under 14']
    >>> sorted(concepts_in("处理不满十四周岁未成年人个人信息的，应当取得未成年人的父母或者其他监护人的同意。", "zh"))
    ['consent', 'guardian', 'minors', 'personal information', 'under 14']
    """
    return (concepts or load_concepts()).find(text, lang)
