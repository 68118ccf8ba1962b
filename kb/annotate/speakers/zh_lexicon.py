"""The Chinese speaker lexicon (``corpus/speakers/zh.toml``) and the patterns compiled from it.

Read by :mod:`kb.annotate.speakers.zh` (attributions, quotations) and
:mod:`kb.annotate.speakers.zh_subjects` (who the words before a cue are).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

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
    "frame_pattern",
    "inner_subject",
    "load_zh_lexicon",
    "setting_pattern",
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


class _Frame(RuleModel):
    name: str
    pattern: str  # a regular expression over <<slots>> (ZhLexicon.frame_slots)
    kind: Literal["speech", "view"]
    examples: tuple[_Example, ...] = ()


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
    frame_slots: Mapping[str, str] = Field(default_factory=dict)
    frames: tuple[_Frame, ...] = ()
    modals: tuple[str, ...] = ()
    generic_modifiers: tuple[str, ...] = ()
    reader_words: tuple[str, ...] = ()
    addressee_marks: tuple[str, ...] = ()
    topic_marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compiled:
    lex: ZhLexicon
    verb: re.Pattern[str]
    according: re.Pattern[str]
    unsourced: re.Pattern[str] | None
    not_cue: re.Pattern[str]
    kinds: dict[str, str]  # a verb form's or a frame's group name -> "speech" | "view"
    someone: re.Pattern[str]
    asked: re.Pattern[str]

    def kind(self, m: re.Match[str]) -> str:
        """The kind of a :attr:`verb` match: its frame's, else its verb form's."""
        return self.kinds[m.lastgroup] if m.lastgroup in self.kinds else self.kinds[m.group(0)]


_SLOT = re.compile(r"<<(\w+)>>")


def frame_pattern(pattern: str, slots: Mapping[str, str]) -> str:
    """A frame's regular expression with its ``<<slots>>`` filled in.

    >>> frame_pattern("告诉(?:<<listener>>)", {"listener": "记者|我"})
    '告诉(?:记者|我)'
    """
    return _SLOT.sub(lambda m: slots[m.group(1)], pattern)


def _cue_pattern(lex: ZhLexicon) -> re.Pattern[str]:
    """Frames first (each a named group ``f<k>``, so a match tells its frame), then verb forms,
    longest first."""
    frames = [
        f"(?P<f{k}>{frame_pattern(f.pattern, lex.frame_slots).replace('(?P<subject>', f'(?P<s{k}>')})"
        for k, f in enumerate(lex.frames)
    ]
    return re.compile("|".join([*frames, f"(?:{alternation([v.form for v in lex.verbs])})"]))


def inner_subject(m: re.Match[str]) -> str | None:
    """The speaker a frame holds inside it (在<subject>看来), if the match is such a frame's."""
    return m.group(f"s{m.lastgroup[1:]}") if m.lastgroup and f"s{m.lastgroup[1:]}" in m.re.groupindex else None


@lru_cache(maxsize=4)
def setting_pattern(addressee_marks: tuple[str, ...], topic_marks: tuple[str, ...]) -> re.Pattern[str]:
    """Words between a speaker and the verb that are not the speaker: where or when (班主任[在家长群里]说),
    whom they address (有业主[向记者]反映, an addressee mark), what on (某某[就…问题]作了解答, a topic mark)."""
    addressed = alternation(addressee_marks) or "(?!)"
    topic = alternation(topic_marks) or "(?!)"
    return re.compile(
        r"(?:在[^，。；：、]{0,10}?(?:里|上|中|内|时|前|后|期间|旁边|一旁|身边|边上)"
        rf"|(?:{topic})[^，。；：、]{{2,24}}|(?:{addressed})[^，。；：、]{{1,10}})$"
    )


def alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=4)
def compiled(path: Path) -> Compiled:
    lex = load_rules(path, ZhLexicon, "Chinese speaker lexicon")
    verb = _cue_pattern(lex)
    according = re.compile(
        # 据 of 数据, 依据, 证据 … is no "according to": 数据法治研究院教授林某对记者说
        f"(?:(?<![数依证占票收单论])据|(?<=[记者者])从)(?P<subject>[^{CLAUSE_MARKS}]{{1,30}}?)"
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
    kinds |= {f"f{k}": f.kind for k, f in enumerate(lex.frames)}
    return Compiled(lex, verb, according, unsourced, not_cue, kinds, someone, asked)


def load_zh_lexicon(path: Path | None = None) -> ZhLexicon:
    return compiled(path or default_path()).lex


def default_path() -> Path:
    return get_settings().corpus_dir / "speakers" / "zh.toml"
