"""The word lists of ``corpus/speakers/`` (reporting verbs, titles, role nouns, organisation
words …) compiled into the patterns that find cues and names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from kb.datafiles import RuleModel, load_rules
from kb.settings import get_settings

# A capitalised word of a name: Liu, O’Keeffe, SenseTime, Jean-Luc; or an initial "H."
# An apostrophe only inside a name (O’Keeffe), so "Liu’s" stays a possessive.
# An all-capitals word before an amount is a currency or a unit, never part of a name:
# "awarded Ms. Chen RMB 3,000" names Ms. Chen.
_NAME_TOKEN = r"(?![A-Z]{2,4}\s?\d)(?:[A-Z](?:[\w\-]|[’'](?=[A-Z]))*\w|[A-Z]\.?)"
# "People’s Congress": a possessive inside a run is part of the name.
_INNER_POSSESSIVE = r"(?:[’']s(?=\s+[A-Z]))?"
# Lower-case words allowed inside a run of capitalised words: Council on Foreign Relations.
_CONNECTORS = ("of", "for", "on", "the")
_IRREGULAR_PAST = frozenset(
    {"said", "told", "wrote", "thought", "felt", "went", "put", "held", "found", "made", "spoke"}
)


@dataclass(frozen=True)
class _Verb:
    form: str
    kind: Literal["speech", "view"]
    subject: Literal["before", "either", "after"]
    finite: bool  # 3rd-person singular or past: agrees with one named subject
    # when set, the subject must hold one of these words ("the court ordered", not "the company ordered")
    subject_words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Lexicon:
    """The word lists of ``corpus/speakers/`` compiled into patterns."""

    verbs: Mapping[str, _Verb]
    titles: frozenset[str]
    role_nouns: frozenset[str]  # people's and institutions' (institution_nouns) alike
    org_words: frozenset[str]
    stopwords: frozenset[str]
    particles: frozenset[str]
    cue_re: re.Pattern[str]
    filler_re: re.Pattern[str]
    run_re: re.Pattern[str]
    # Built from run_re once, here, rather than on every call:
    title_re: re.Pattern[str]  # "Professor Weijun Liu": a title, then a name (group 1)
    intro_re: re.Pattern[str]  # "Liu, a professor at …," / "Liu is a professor …": a name and its role
    trailing_run_re: re.Pattern[str]  # a name closing the text (group 1)
    left_subject_re: re.Pattern[str]  # the speaker closing the text before a cue, maybe with an appositive
    copula_re: re.Pattern[str]  # "Johnston is a journalist who …": the name (group 1)
    verb_examples: tuple[tuple[str, str], ...] = ()
    name_examples: tuple[tuple[str, str, str], ...] = ()
    institution_nouns: frozenset[str] = frozenset()  # role nouns of bodies, not people: no "he"/"she"
    documents: frozenset[str] = frozenset()  # a name ending in one is a law or a document: no speaker
    label_re: re.Pattern[str] | None = None  # "Speaker notes:" opening a line: a label, no one speaking


def _finite(form: str) -> bool:
    head = form.split()[0]
    return head in _IRREGULAR_PAST or head.endswith("ed") or (head.endswith("s") and not head.endswith("ss"))


def _alternation(words: Iterable[str]) -> str:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in ordered)


class _VerbExample(RuleModel):
    text: str
    speaker: str


class _VerbRule(RuleModel):
    """One ``[[verb]]`` of ``reporting_verbs.toml``."""

    forms: tuple[str, ...]
    kind: Literal["speech", "view"]
    subject: Literal["before", "either", "after"]
    subject_words: tuple[str, ...] = ()
    examples: tuple[_VerbExample, ...] = ()


class _VerbFile(RuleModel):
    verb: tuple[_VerbRule, ...] = ()


class _NameExample(RuleModel):
    text: str
    speaker: str
    role: str = ""


class _NameFile(RuleModel):
    """``names.toml``: the words that help read names, roles and organisations."""

    titles: tuple[str, ...] = ()
    role_nouns: tuple[str, ...] = ()
    institution_nouns: tuple[str, ...] = ()
    org_words: tuple[str, ...] = ()
    capital_stopwords: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()
    particles: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    not_speaker_examples: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    label_examples: tuple[str, ...] = ()
    examples: tuple[_NameExample, ...] = ()


def load_lexicon(directory: Path) -> Lexicon:
    """Read ``reporting_verbs.toml`` and ``names.toml`` from ``directory``."""
    verb_file = load_rules(directory / "reporting_verbs.toml", _VerbFile, "speaker word list")
    names = load_rules(directory / "names.toml", _NameFile, "speaker word list")
    verbs: dict[str, _Verb] = {}
    for entry in verb_file.verb:
        for form in entry.forms:
            verbs[form] = _Verb(form, entry.kind, entry.subject, _finite(form), frozenset(entry.subject_words))
    verb_examples = [(ex.text, ex.speaker) for entry in verb_file.verb for ex in entry.examples]
    titles = frozenset(t.lower() for t in names.titles)
    role_nouns = frozenset(names.role_nouns) | frozenset(names.institution_nouns)
    stopwords = frozenset(names.capital_stopwords)
    particles = frozenset(names.particles)
    fillers = names.fillers
    # Cues are matched case-sensitively ("States" in "United States" is no verb); only
    # the speaker-after cues ("According to X, …") also open sentences.
    capitalised = [f[0].upper() + f[1:] for f, v in verbs.items() if v.subject == "after"]
    cue_re = re.compile(rf"(?<![\w’'\-])(?:{_alternation([*verbs, *capitalised])})(?![\w’'\-])")
    filler_re = re.compile(rf"(?:^|\s)(?:{_alternation(fillers)}|\w+ly),?\s*$")
    joiner = _alternation([*particles, *_CONNECTORS])
    token = _NAME_TOKEN + _INNER_POSSESSIVE
    run_re = re.compile(rf"{token}(?:\s+(?:(?:{joiner})\s+)?{token})*")
    run = run_re.pattern
    title_re = re.compile(rf"(?<![\w’'])(?:{_alternation(t.capitalize() for t in titles)})\.?\s+({run})")
    intro_re = re.compile(
        rf"({run})(?:,\s+(?P<appos>(?:(?:an?|the)\s+)?[^,;“”\"]+?)(?:,|[.;]|$)"
        # a copular bio: "X is a partner at Y", "X is Data Protection Officer (APAC) at Y" (a title
        # with no article, then where they work)
        rf"|\s+(?:is|was)\s+(?P<cop>(?:an?|the)\s+[^.;“”\"]+?"
        rf"|[A-Z][\w\-]*(?:\s+(?:[A-Z][\w\-]*|\([A-Z]+\)|of|and|for))*\s+(?:at|of|for|with)\s+[^.;“”\"]+?)(?:[.;]|,\s|$))"
    )
    left_subject_re = re.compile(
        rf"(?P<run>{run})(?P<poss>’s|'s|’)?"
        rf"(?:\s*\([A-Z][A-Za-z]{{1,9}}\))?(?P<age>,\s+\d{{1,3}}(?=,))?"  # an age: "Wang Shulan, 67, said"
        rf"(?:,\s+(?P<appos>[^,;“”\"]+?),|(?P<bare>,))?\s*$"
    )
    name_examples = tuple((ex.text, ex.speaker, ex.role) for ex in names.examples)
    return Lexicon(
        verbs=verbs,
        titles=titles,
        role_nouns=role_nouns,
        org_words=frozenset(names.org_words),
        stopwords=stopwords,
        particles=particles,
        cue_re=cue_re,
        filler_re=filler_re,
        run_re=run_re,
        title_re=title_re,
        intro_re=intro_re,
        trailing_run_re=re.compile(rf"({run})\s*$"),
        left_subject_re=left_subject_re,
        copula_re=re.compile(rf"({run})\s+(?:is|was)\s+(?:an?|the)\s+[^,.;]*$"),
        verb_examples=tuple(verb_examples),
        name_examples=name_examples,
        institution_nouns=frozenset(names.institution_nouns),
        documents=frozenset(names.documents),
        label_re=re.compile(rf"\W*(?:{_alternation(names.labels)})\s*[:：]\s*", re.I) if names.labels else None,
    )


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return load_lexicon(get_settings().corpus_dir / "speakers")
