"""The Chinese speaker lexicon (``corpus/speakers/zh.toml``) and the patterns compiled from it.

Read by :mod:`kb.annotate.speakers.zh` (attributions, quotations) and
:mod:`kb.annotate.speakers.zh_subjects` (who the words before a cue are).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from kb.datafiles import RuleModel, load_rules
from kb.settings import get_settings

__all__ = [
    "CLAUSE_ENDS",
    "CLAUSE_MARKS",
    "HAN",
    "MASK",
    "Compiled",
    "ZhLexicon",
    "alternation",
    "compiled",
    "default_path",
    "load_zh_lexicon",
]

CLAUSE_MARKS = "，。；：！？、,;:!?（）()《》「」『』“”\n"
CLAUSE_ENDS = "，。；：！？,;:!?\n"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MASK = "\u3000"  # what a quotation's characters are replaced by before cues are looked for


class _Verb(RuleModel):
    form: str
    kind: Literal["speech", "view"]


class _Example(RuleModel):
    text: str
    speaker: str


class ZhLexicon(RuleModel):
    """``corpus/speakers/zh.toml``."""

    verbs: tuple[_Verb, ...]
    according_to: tuple[str, ...]
    role_nouns: tuple[str, ...]
    honorifics: tuple[str, ...]
    org_suffixes: tuple[str, ...]
    pronouns: tuple[str, ...]
    demonstratives: tuple[str, ...]
    adverbs: tuple[str, ...]
    not_speakers: tuple[str, ...]
    not_cues: tuple[str, ...]
    learned_from: tuple[str, ...] = ()
    unsourced: tuple[str, ...] = ()
    writer_words: tuple[str, ...] = ()
    writer_kin: tuple[str, ...] = ()
    conditionals: tuple[str, ...] = ()
    indefinites: tuple[str, ...] = ()
    generic_orgs: tuple[str, ...] = ()
    openers: tuple[str, ...] = ()
    company_words: tuple[str, ...] = ()
    shared_subject: tuple[str, ...] = ()
    predicate_starts: tuple[str, ...] = ()
    self_references: tuple[str, ...] = ()
    defined_parties: tuple[str, ...] = ()
    asking_verbs: tuple[str, ...] = ()
    issuer_words: tuple[str, ...] = ()
    not_nicknames: tuple[str, ...] = ()
    examples: tuple[_Example, ...] = ()


@dataclass(frozen=True)
class Compiled:
    lex: ZhLexicon
    verb: re.Pattern[str]
    according: re.Pattern[str]
    unsourced: re.Pattern[str] | None
    not_cue: re.Pattern[str]
    kinds: dict[str, str]
    someone: re.Pattern[str]
    asked: re.Pattern[str]


def alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=4)
def compiled(path: Path) -> Compiled:
    lex = load_rules(path, ZhLexicon, "Chinese speaker lexicon")
    verb = re.compile(f"(?:{alternation([v.form for v in lex.verbs])})")
    according = re.compile(
        f"(?:据|(?<=[记者者])从)(?P<subject>[^{CLAUSE_MARKS}]{{1,30}}?)"
        f"(?:{alternation([*lex.according_to, *lex.learned_from])})[，,：:]"
    )
    not_cue = re.compile(alternation(lex.not_cues))
    unsourced = re.compile(rf"\s*(?:{alternation(lex.unsourced)})[，,：:]") if lex.unsourced else None
    someone = re.compile(
        rf"(?:^|[，。；])(?P<who>(?:一位|一名|有位|有一位)[^，。；：、“”]{{0,8}}?(?:{alternation(lex.role_nouns)}))"
    )
    asked = re.compile(
        rf"(?:^|[，。；])(?:我们|我)[^，。；：、“”]{{0,6}}?(?:{alternation(lex.asking_verbs) or '(?!)'})"
        rf"(?P<who>[^，。；：、“”]{{0,10}}?(?:{alternation(lex.role_nouns)}))(?=[，。；]|$)"
    )
    kinds: dict[str, str] = {v.form: v.kind for v in lex.verbs}
    return Compiled(lex, verb, according, unsourced, not_cue, kinds, someone, asked)


def load_zh_lexicon(path: Path | None = None) -> ZhLexicon:
    return compiled(path or default_path()).lex


def default_path() -> Path:
    return get_settings().corpus_dir / "speakers" / "zh.toml"
