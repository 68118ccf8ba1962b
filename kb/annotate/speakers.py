"""Direct quotations, who said them, and whose voice each commentary passage carries.

Three steps over one document's passages, all rule-based:

1. **Quote marks** — straight and curly double quotes are paired per passage; a quote left
   open at a paragraph end continues when the next paragraph opens with a quote mark (the
   English convention for quotations over several paragraphs).
2. **Attributions** — a reporting verb from ``corpus/speakers/reporting_verbs.toml``
   ("said", "writes", "according to", "warned" …) with a speaker beside it: a name
   ("Samm Sacks", "Liu"), a pronoun resolved to the last person named ("he said"), or an
   unnamed role ("a university professor"). Quote contents are masked first, so words
   inside a quotation never attribute anything.
3. **Names** — people are normalised within the document: a full name introduced once
   ("Weijun Liu", "Lao Dongyan") and later cut to one name ("Liu", "Lao"), written in the
   other order ("Dongyan Lao") or with a title ("Professor Weijun Liu") is one person.

A quoted span is a *quotation* when it is attributed, or when it is long enough to be
speech (:data:`MIN_UNATTRIBUTED_WORDS` words, not a title). Short unattributed spans are
scare quotes or titles (``so-called "Sharp Eyes"``) and are left alone.

>>> from kb.model import DocumentMeta, Passage
>>> meta = DocumentMeta(id="d", kind="commentary", outlet="The Example Post")
>>> ps = [Passage("d", 1, "“The rules are thin,” said Ada Novak, a fellow at the Harbour Institute."),
...       Passage("d", 2, "Novak noted that the draft repeats older rules.")]
>>> [(q.label, q.text, q.data["role"]) for q in find_quotes(ps, meta)]
[('Ada Novak', 'The rules are thin', 'a fellow at the Harbour Institute')]
>>> who = passage_speakers(ps, meta, find_quotes(ps, meta))
>>> who["d/p_2"]
SpeakerInfo(name='Ada Novak', role='a fellow at the Harbour Institute', kind='reported')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal

from kb.datafiles import read_toml
from kb.errors import ConfigError
from kb.model import Annotation, DocumentMeta, Passage
from kb.settings import get_settings

__all__ = [
    "MIN_UNATTRIBUTED_WORDS",
    "Lexicon",
    "SpeakerInfo",
    "SpeakerKind",
    "find_quotes",
    "find_reported_speech",
    "load_lexicon",
    "passage_speakers",
]

SpeakerKind = Literal["quoted", "reported", "author", "outlet"]

# An unattributed quoted span this long (in words) is speech, not a scare quote or a title.
MIN_UNATTRIBUTED_WORDS = 6
# A passage is the speaker's when their attributed sentences cover this share of it, or
# MIN_SOLE_SHARE when they are the only speaker and their attribution closes the passage
# ("… states Liu." after two sentences paraphrasing Liu).
MIN_SHARE = 0.5
MIN_SOLE_SHARE = 0.25

# ---------------------------------------------------------------------------- patterns

# Quote marks. A straight quote opens after a space, an opening bracket or a dash.
_OPEN_CURLY, _CLOSE_CURLY, _STRAIGHT = "“", "”", '"'
_OPENS_AFTER = " \t\n([{—–-/"
# Sentence end: terminal punctuation, maybe a closing quote or bracket, then a space.
_SENTENCE_END = re.compile(r"[.!?]+[”\"’)\]]*(?=\s|$)")
# Words whose trailing period does not end a sentence.
_ABBREVIATIONS = frozenset(
    re.split(
        r"\s+",
        "Dr Mr Mrs Ms Prof St Jr Sr No Nos Art Arts Fig vs etc al e.g i.e U.S U.K U.N Inc Ltd Co Corp "
        "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Gov Sen Rep Gen Col Lt Mt para paras",
    )
)
# A capitalised word of a name: Liu, O’Keeffe, SenseTime, Jean-Luc; or an initial "H."
# An apostrophe only inside a name (O’Keeffe), so "Liu’s" stays a possessive.
_NAME_TOKEN = r"(?:[A-Z](?:[\w\-]|[’'](?=[A-Z]))*\w|[A-Z]\.?)"
# "People’s Congress": a possessive inside a run is part of the name.
_INNER_POSSESSIVE = r"(?:[’']s(?=\s+[A-Z]))?"
# Lower-case words allowed inside a run of capitalised words: Council on Foreign Relations.
_CONNECTORS = ("of", "for", "on", "the")
# A quoted span preceded by one of these is a name or a term, never a quotation.
_TERM_INTRO = re.compile(
    r"(?:so-called|so called|dubbed|called|named|known as|termed|labell?ed|the words?|the term|the phrase)"
    r"\s*[“\"]$",
    re.IGNORECASE,
)
_PRONOUNS = {"he": "person", "she": "person", "i": "self", "we": "self"}
# How far (in characters) a speaker and a long appositive may stand from the cue.
_SUBJECT_REACH = 300
_RELATIVE = re.compile(r"(?:,\s*)?\bwho\s*$")
_POSSESSIVE = ("’s", "'s", "’", "'")
_IRREGULAR_PAST = frozenset({"said", "told", "wrote", "thought", "felt", "went", "put"})
# "writes about cooking" describes a topic, not speech.
_NOT_SPEECH_AFTER = re.compile(r"\s+about\b")
_ACRONYM_PAREN = re.compile(r"^\s*\([A-Z][A-Za-z]{1,9}\)")
_SOURCE_NOUN = re.compile(
    r"^(?:an?|the)\s+(?:\w+\s+){0,2}?(?:statement|report|survey|study|analysis|post|interview|letter|notice)"
    r"\s+(?:by|from|of|with)\s+(?:the\s+)?",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class _Verb:
    form: str
    kind: Literal["speech", "view"]
    subject: Literal["before", "either", "after"]
    finite: bool  # 3rd-person singular or past: agrees with one named subject


@dataclass(frozen=True)
class Lexicon:
    """The word lists of ``corpus/speakers/`` compiled into patterns."""

    verbs: Mapping[str, _Verb]
    titles: frozenset[str]
    role_nouns: frozenset[str]
    org_words: frozenset[str]
    stopwords: frozenset[str]
    particles: frozenset[str]
    cue_re: re.Pattern[str]
    filler_re: re.Pattern[str]
    run_re: re.Pattern[str]
    verb_examples: tuple[tuple[str, str], ...] = ()
    name_examples: tuple[tuple[str, str, str], ...] = ()


def _finite(form: str) -> bool:
    head = form.split()[0]
    return head in _IRREGULAR_PAST or head.endswith("ed") or (head.endswith("s") and not head.endswith("ss"))


def _alternation(words: Iterable[str]) -> str:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in ordered)


def _read_toml(path: Path) -> dict[str, Any]:
    return read_toml(path, "speaker word list")


def _str_list(raw: Mapping[str, Any], key: str, origin: Path) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{origin}: {key} must be a list of strings")
    return list(value)


def load_lexicon(directory: Path) -> Lexicon:
    """Read ``reporting_verbs.toml`` and ``names.toml`` from ``directory``."""
    verbs_path, names_path = directory / "reporting_verbs.toml", directory / "names.toml"
    verbs_raw, names_raw = _read_toml(verbs_path), _read_toml(names_path)
    verbs: dict[str, _Verb] = {}
    verb_examples: list[tuple[str, str]] = []
    for entry in verbs_raw.get("verb", []):
        kind, subject = entry.get("kind"), entry.get("subject")
        if kind not in ("speech", "view") or subject not in ("before", "either", "after"):
            raise ConfigError(f"{verbs_path}: bad kind/subject in {entry.get('forms')}")
        for form in _str_list(entry, "forms", verbs_path):
            verbs[form] = _Verb(form, kind, subject, _finite(form))
        verb_examples += [(ex["text"], ex["speaker"]) for ex in entry.get("examples", [])]
    titles = frozenset(t.lower() for t in _str_list(names_raw, "titles", names_path))
    role_nouns = frozenset(_str_list(names_raw, "role_nouns", names_path))
    stopwords = frozenset(_str_list(names_raw, "capital_stopwords", names_path))
    particles = frozenset(_str_list(names_raw, "particles", names_path))
    fillers = _str_list(names_raw, "fillers", names_path)
    # Cues are matched case-sensitively ("States" in "United States" is no verb); only
    # the speaker-after cues ("According to X, …") also open sentences.
    capitalised = [f[0].upper() + f[1:] for f, v in verbs.items() if v.subject == "after"]
    cue_re = re.compile(rf"(?<![\w’'\-])(?:{_alternation([*verbs, *capitalised])})(?![\w’'\-])")
    filler_re = re.compile(rf"(?:^|\s)(?:{_alternation(fillers)}|\w+ly),?\s*$")
    joiner = _alternation([*particles, *_CONNECTORS])
    token = _NAME_TOKEN + _INNER_POSSESSIVE
    run_re = re.compile(rf"{token}(?:\s+(?:(?:{joiner})\s+)?{token})*")
    name_examples = tuple((ex["text"], ex["speaker"], ex.get("role", "")) for ex in names_raw.get("examples", []))
    return Lexicon(
        verbs=verbs,
        titles=titles,
        role_nouns=role_nouns,
        org_words=frozenset(_str_list(names_raw, "org_words", names_path)),
        stopwords=stopwords,
        particles=particles,
        cue_re=cue_re,
        filler_re=filler_re,
        run_re=run_re,
        verb_examples=tuple(verb_examples),
        name_examples=name_examples,
    )


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return load_lexicon(get_settings().corpus_dir / "speakers")


# ---------------------------------------------------------------------------- quote marks


@dataclass(frozen=True)
class _Marks:
    """One quoted span in a passage: the marks and the quoted words between them."""

    open: int
    close: int | None  # None: still open at the end of the passage
    start: int
    end: int


def _pair_quotes(text: str) -> list[_Marks]:
    out: list[_Marks] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        opens = ch == _OPEN_CURLY or (ch == _STRAIGHT and (i == 0 or text[i - 1] in _OPENS_AFTER))
        if not opens:
            i += 1
            continue
        close: int | None
        if ch == _OPEN_CURLY:
            j = text.find(_CLOSE_CURLY, i + 1)
            if j < 0:  # mixed marks in captured text: “exceptions to soliciting consent"
                j = text.find(_STRAIGHT, i + 1)
        else:
            j = text.find(_STRAIGHT, i + 1)
        close = j if j >= 0 else None
        start, end = i + 1, (j if j >= 0 else n)
        while start < end and text[start].isspace():
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
            end -= 1
        out.append(_Marks(i, close, start, end))
        if close is None:
            break
        i = close + 1
    return out


def _opens_with_quote(text: str) -> bool:
    stripped = text.lstrip()
    return stripped[:1] in (_OPEN_CURLY, _STRAIGHT)


def _masked(text: str, marks: Sequence[_Marks]) -> str:
    """The text with quoted words blanked out, offsets kept."""
    chars = list(text)
    for m in marks:
        for k in range(m.open + 1, m.close if m.close is not None else len(text)):
            if not chars[k].isspace():
                chars[k] = "_"
    return "".join(chars)


def _sentences(text: str, marks: Sequence[_Marks]) -> list[tuple[int, int]]:
    """Sentence spans; a quotation of several sentences stays inside one."""
    spans: list[tuple[int, int]] = []
    begin = 0
    for m in _SENTENCE_END.finditer(text):
        p, e = m.start(), m.end()
        if any(q.open < p and (q.close is None or q.close >= e) for q in marks):
            continue
        word = re.search(r"([\w.]+)$", text[begin:p])
        if word and (word.group(1) in _ABBREVIATIONS or re.fullmatch(r"[A-Z]", word.group(1))):
            continue
        nxt = re.match(r"\s*(\S)", text[e:])
        if nxt and nxt.group(1).islower():
            continue
        if text[begin:e].strip():
            spans.append((begin, e))
        begin = e
    if text[begin:].strip():
        spans.append((begin, len(text.rstrip())))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans]


# ---------------------------------------------------------------------------- names


@dataclass(frozen=True)
class _Name:
    text: str  # without title: "Weijun Liu"
    tokens: tuple[str, ...]
    title: str | None  # "Professor", "Tsinghua Law professor"
    is_org: bool


def _parse_run(run: str, lex: Lexicon) -> _Name | None:
    tokens = run.split()
    while tokens and (tokens[0] in lex.stopwords or tokens[0] in _CONNECTORS):
        tokens.pop(0)
    cut = -1
    for k, tok in enumerate(tokens):
        bare = tok.rstrip(".").lower()
        if bare in lex.titles or bare in lex.role_nouns:
            cut = k
    title = " ".join(tokens[: cut + 1]) or None
    tokens = tokens[cut + 1 :]
    if "of" in tokens:  # "Zhang Wei of Peking University": a person and where they work
        k = tokens.index("of")
        person, place = tokens[:k], tokens[k + 1 :]
        if len(person) >= 2 and not set(person) & lex.org_words and set(place) & lex.org_words:
            title = " ".join([*([title] if title else []), *tokens[k:]])
            tokens = person
    while tokens and tokens[-1] in _CONNECTORS:
        tokens.pop()
    if not tokens or all(t in lex.stopwords for t in tokens):
        return None
    is_org = title is None and (
        any(t in lex.org_words for t in tokens)
        or (len(tokens) == 1 and (tokens[0].isupper() or re.search(r"[a-z][A-Z]", tokens[0]) is not None))
    )
    return _Name(" ".join(tokens), tuple(tokens), title, is_org)


def _same_person(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if set(a) == set(b):  # Lao Dongyan / Dongyan Lao
        return True
    if len(a) >= 2 and len(b) >= 2:
        for x, y in ((a, b), (a[::-1], b[::-1])):  # Jeff Ding / Jeffrey Ding, either order
            if (
                x[-1] == y[-1]
                and len(x[0]) >= 3
                and len(y[0]) >= 3
                and (x[0].startswith(y[0]) or y[0].startswith(x[0]))
            ):
                return True
    return False


class _People:
    """The people one document names, in order of introduction, with their roles."""

    _ROLE_RANK: ClassVar[Mapping[str, int]] = {"appositive": 3, "copula": 3, "premodifier": 2, "title": 1}

    def __init__(self) -> None:
        self.names: list[tuple[str, ...]] = []
        self.roles: dict[str, tuple[int, str]] = {}
        self.last_seen: dict[str, int] = {}
        self._clock = 0

    def add(self, tokens: tuple[str, ...], role: str | None = None, how: str = "title") -> str:
        found = self.match_full(tokens)
        if found is None:
            self.names.append(tokens)
            found = tokens
        key = " ".join(found)
        if role:
            rank = self._ROLE_RANK.get(how, 0)
            if key not in self.roles or self.roles[key][0] < rank:
                self.roles[key] = (rank, role)
        return key

    def match_full(self, tokens: tuple[str, ...]) -> tuple[str, ...] | None:
        return next((n for n in self.names if _same_person(n, tokens)), None)

    def canonical(self, tokens: tuple[str, ...]) -> str:
        """The document's name for a mention; the mention itself when unknown."""
        if len(tokens) > 1:
            found = self.match_full(tokens)
        else:
            hits = [n for n in self.names if len(n) > 1 and tokens[0] in n]
            # Two people share a surname: the one mentioned last is meant.
            found = max(hits, key=lambda n: self.last_seen.get(" ".join(n), -1)) if hits else None
        key = " ".join(found) if found else " ".join(tokens)
        self._clock += 1
        self.last_seen[key] = self._clock
        return key

    def role(self, key: str) -> str | None:
        return self.roles[key][1] if key in self.roles else None


# ---------------------------------------------------------------------------- attributions


@dataclass(frozen=True)
class _Subject:
    start: int
    end: int
    kind: Literal["name", "pronoun", "self", "role"]
    names: tuple[_Name, ...] = ()  # several for "A, B and C report"
    role: str | None = None
    role_how: str = "title"


@dataclass(frozen=True)
class _Attr:
    """A reporting cue and its speaker as written, before names are resolved."""

    passage: int
    cue: str
    cue_start: int
    cue_end: int
    verb: _Verb
    subject: _Subject


@dataclass(frozen=True)
class _Speaker:
    name: str | None  # None: unnamed ("a university professor") or unresolved
    mention: str
    role: str | None
    cue: str
    is_self: bool = False  # "I", "we": the author's own voice


def _role_like(phrase: str, lex: Lexicon) -> bool:
    """An appositive that describes a person: a role noun in it, or "a …"/"who …"."""
    words = re.findall(r"[\w\-]+", phrase.lower())
    return bool(words) and (any(w in lex.role_nouns for w in words) or words[0] in ("a", "an", "who"))


def _premodifier(text: str, end: int, lex: Lexicon) -> str | None:
    """A role written just before a name: "Tsinghua Law professor [Lao Dongyan]"."""
    lo = max(0, end - 120)
    m = re.search(r"((?:[\w’'\-]+\s+){0,5}?)([\w\-]+)\s+$", text[lo:end])
    if not m or m.group(2).lower() not in lex.role_nouns:
        return None
    words = text[lo + m.start() : lo + m.end()].split()
    keep: list[str] = []
    for w in reversed(words):
        if w.lower() in ("a", "an", "the", "and", "of", "at", "in", "by", "with", "as", "to", "for"):
            break
        keep.insert(0, w)
    return " ".join(keep) or None


def _role_before_comma(text: str, end: int, lex: Lexicon) -> str | None:
    """ "a Chinese law professor, [Guo Bing]": a role phrase, then a comma, then the name."""
    m = re.search(r"\b((?:an?|the|An?|The)\s+(?:[\w’'\-]+\s+){0,8}?([\w\-]+)),\s+$", text[max(0, end - 160) : end])
    if m and m.group(2).lower() in lex.role_nouns:
        return m.group(1)
    return None


def _group_before(text: str, start: int, lex: Lexicon) -> list[tuple[int, str]]:
    """Names listed before a subject: "[Kate O’Keeffe, Heather Somerville, and] Yang Jie"."""
    out: list[tuple[int, str]] = []
    m = re.search(r",?\s+and\s+$", text[:start])
    if not m:
        return out
    cursor = m.start()
    while True:
        run = re.search(rf"({lex.run_re.pattern})\s*$", text[max(0, cursor - 80) : cursor])
        if not run:
            break
        name = _parse_run(run.group(1), lex)
        if name is None or name.is_org:  # "For The Wall Street Journal, Kate …": not one of them
            break
        begin = max(0, cursor - 80) + run.start(1)
        out.insert(0, (begin, run.group(1)))
        sep = re.search(r",\s*$", text[:begin])
        if not sep:
            break
        cursor = sep.start()
    return out


def _left_subject(text: str, lo: int, cue_start: int, verb: _Verb, lex: Lexicon) -> _Subject | None:
    lo = max(lo, cue_start - _SUBJECT_REACH)
    end = cue_start
    aux = False
    while True:  # "Liu also writes", "Lao even went as far as to pose"
        m = lex.filler_re.search(text, lo, end)
        if not m or m.end() != end:
            break
        aux = aux or re.search(r"\b(would|will|may|might|could|can|did|does|do|to)\b", m.group(0)) is not None
        end = m.start()
    left = text[lo:end]
    pron = re.search(r"(?<![\w’'])(he|she|they|I|we|He|She|They|We)\s*$", left)
    if pron:
        word = pron.group(1).lower()
        if word == "they" or word not in _PRONOUNS:
            return None
        if not verb.finite and word not in ("i", "we") and not aux:
            return None
        kind: Literal["pronoun", "self"] = "self" if _PRONOUNS[word] == "self" else "pronoun"
        return _Subject(lo + pron.start(1), lo + pron.end(1), kind)
    rel = _RELATIVE.search(left)
    if rel:  # "a law professor who said"
        return _role_subject(text, lo, lo + rel.start(), lex)
    m = re.search(
        rf"(?P<run>{lex.run_re.pattern})(?P<poss>’s|'s|’)?"
        rf"(?:\s*\([A-Z][A-Za-z]{{1,9}}\))?(?:,\s+(?P<appos>[^,;“”\"]+?),|(?P<bare>,))?\s*$",
        left,
    )
    if m and not m.group("poss"):
        appos = m.group("appos")
        if appos is not None and not _role_like(appos, lex):
            return None
        name = _parse_run(m.group("run"), lex)
        if name is None:
            return _role_subject(text, lo, end, lex) if appos is None else None
        group = _group_before(text, lo + m.start("run"), lex)
        names = [n for _, raw in group if (n := _parse_run(raw, lex))] + [name]
        if len(names) == 1 and not verb.finite and not aux:
            return None  # "a CCTV report": a noun, not a verb
        start = group[0][0] if group else lo + m.start("run")
        if appos:
            return _Subject(start, lo + m.end("run"), "name", tuple(names), appos.strip(), "appositive")
        abs_run = lo + m.start("run")
        role = _role_before_comma(text, abs_run, lex)
        if role:
            return _Subject(start, lo + m.end("run"), "name", tuple(names), role, "appositive")
        if m.group("bare"):  # "The draft from the regulator, the CAC, proposes": not the subject
            return None
        pre = _premodifier(text, abs_run, lex)
        if pre:
            return _Subject(start, lo + m.end("run"), "name", tuple(names), pre, "premodifier")
        return _Subject(start, lo + m.end("run"), "name", tuple(names), name.title, "title")
    return _role_subject(text, lo, end, lex) if verb.finite or aux else None


def _role_subject(text: str, lo: int, end: int, lex: Lexicon) -> _Subject | None:
    """An unnamed speaker: "a Zhejiang University … law professor [said]"."""
    left = text[lo:end].rstrip(", ")
    cop = re.search(rf"({lex.run_re.pattern})\s+(?:is|was)\s+(?:an?|the)\s+[^,.;]*$", left)
    if cop:  # "Johnston is a journalist who writes": the name, not the role
        name = _parse_run(cop.group(1), lex)
        if name is not None:
            return _Subject(lo + cop.start(1), lo + cop.end(1), "name", (name,), None)
    m = re.search(r"\b((?:[Aa]n?|[Tt]he|[Oo]ne|[Aa]nother)\s+(?:[\w’'\-]+\s+){0,8}?([\w\-]+))\s*$", left)
    if m and m.group(2).lower() in lex.role_nouns:
        return _Subject(lo + m.start(1), lo + m.end(1), "role", (), m.group(1), "appositive")
    return None


def _right_subject(text: str, cue_end: int, hi: int, verb: _Verb, lex: Lexicon) -> _Subject | None:
    right = text[cue_end : min(hi, cue_end + _SUBJECT_REACH)]
    if verb.subject == "either":
        if not verb.finite:
            return None
        pron = re.match(r"\s+(he|she)\b", right)
        if pron:
            return _Subject(cue_end + pron.start(1), cue_end + pron.end(1), "pronoun")
    skip = 0
    lead = re.match(r"\s+", right)
    if lead:
        skip = lead.end()
    src = _SOURCE_NOUN.match(right[skip:])
    if src:  # "according to a statement by the National People’s Congress"
        skip += src.end()
    elif verb.subject == "after":
        article = re.match(r"the\s+", right[skip:])
        if article:
            skip += article.end()
    m = lex.run_re.match(right, skip)
    if (not m or m.start() == 0) and verb.subject == "either":  # "…,” said a hospital spokesperson.
        role = re.match(r"\s+((?:an?|the)\s+(?:[\w’'\-]+\s+){0,4}?([\w\-]+))\b", right)
        if role and role.group(2).lower() in lex.role_nouns:
            tail = re.match(r"[^,.;:!?“”\"]*", right[role.end() :])
            end = cue_end + role.end() + (len(tail.group(0).rstrip()) if tail else 0)
            return _Subject(cue_end + role.start(1), end, "role", (), text[cue_end + role.start(1) : end])
    if not m or skip == 0:
        return None
    name = _parse_run(m.group(0), lex)
    if name is None or right[m.end() : m.end() + 2] in ("’s", "'s"):
        return None
    rest = right[m.end() :]
    acro = _ACRONYM_PAREN.match(rest)
    end = cue_end + m.end() + (acro.end() if acro else 0)
    rest = rest[acro.end() if acro else 0 :]
    if verb.subject == "after":  # "according to Liu, a professor at X, the law …"
        appos = re.match(r",\s+((?:an?|the)\s+[^,]+?),", rest)
    else:  # "…,” said Samm Sacks, a senior fellow at Yale Law School."
        appos = re.match(r",\s+(.+?)[\s.,;:!?]*$", rest)
    if appos and _role_like(appos.group(1), lex):
        return _Subject(cue_end + m.start(), end, "name", (name,), appos.group(1).strip(), "appositive")
    return _Subject(cue_end + m.start(), end, "name", (name,), name.title, "title")


def _attributions(index: int, masked: str, lo: int, hi: int, lex: Lexicon) -> list[_Attr]:
    """Every reporting cue with a speaker in ``masked[lo:hi]`` (one sentence)."""
    out: list[_Attr] = []
    for m in lex.cue_re.finditer(masked, lo, hi):
        form = m.group(0)
        verb = lex.verbs.get(re.sub(r"\s+", " ", form[0].lower() + form[1:]))
        if verb is None or _NOT_SPEECH_AFTER.match(masked, m.end()):
            continue
        subject = None
        if verb.subject in ("before", "either"):
            subject = _left_subject(masked, lo, m.start(), verb, lex)
        if subject is None and verb.subject in ("either", "after"):
            subject = _right_subject(masked, m.end(), hi, verb, lex)
        if subject is not None:
            out.append(_Attr(index, re.sub(r"\s+", " ", form), m.start(), m.end(), verb, subject))
    return out


# ---------------------------------------------------------------------------- the document


@dataclass
class _PassageInfo:
    passage: Passage
    marks: list[_Marks]
    masked: str
    sentences: list[tuple[int, int]]
    attrs: list[_Attr] = field(default_factory=list)
    speakers: dict[int, _Speaker] = field(default_factory=dict)  # id(attr) -> speaker


@dataclass(frozen=True)
class _Quotation:
    """Quoted spans that make one quotation (several when it runs over paragraphs)."""

    parts: tuple[tuple[int, _Marks], ...]  # (passage index, marks)
    speaker: _Speaker | None
    how: str


@dataclass
class _Document:
    meta: DocumentMeta
    infos: list[_PassageInfo]
    people: _People
    intro: list[_Attr | None] = field(default_factory=list)  # inherited from "Liu writes:"
    quotations: list[_Quotation] = field(default_factory=list)


def _analyse(passages: Sequence[Passage], meta: DocumentMeta) -> _Document:
    lex = _lexicon()
    infos: list[_PassageInfo] = []
    for i, p in enumerate(passages):
        marks = _pair_quotes(p.text)
        masked = _masked(p.text, marks)
        sentences = _sentences(p.text, marks)
        info = _PassageInfo(p, marks, masked, sentences)
        for s, e in sentences:
            info.attrs += _attributions(i, masked, s, e, lex)
        infos.append(info)
    people = _collect_people(infos, meta, lex)
    _drop_common_words(infos, people, lex)
    doc = _Document(meta, infos, people)
    _resolve(doc)
    doc.intro = _intros(doc)
    doc.quotations = _quotations(doc)
    return doc


def _collect_people(infos: Sequence[_PassageInfo], meta: DocumentMeta, lex: Lexicon) -> _People:
    """Pass 1: every person the document introduces, with the richest role it gives them."""
    people = _People()
    for author in meta.authors:
        name = _parse_run(author, lex)
        if name is not None:
            people.add(name.tokens)
    title_re = re.compile(
        rf"(?<![\w’'])(?:{_alternation(t.capitalize() for t in lex.titles)})\.?\s+({lex.run_re.pattern})"
    )
    intro_re = re.compile(
        rf"({lex.run_re.pattern})(?:,\s+(?P<appos>(?:an?|the)\s+[^,;“”\"]+?)(?:,|[.;]|$)"
        rf"|\s+(?:is|was)\s+(?P<cop>(?:an?|the)\s+[^.;“”\"]+?)(?:[.;]|,\s|$))"
    )
    for info in infos:
        text = info.masked
        for a in info.attrs:
            for name in a.subject.names:
                if not name.is_org and (len(name.tokens) > 1 or name.title):
                    people.add(name.tokens, a.subject.role, a.subject.role_how)
        for m in title_re.finditer(text):
            name = _parse_run(m.group(0), lex)
            if name is not None and not name.is_org:
                people.add(name.tokens, name.title, "title")
        for m in intro_re.finditer(text):
            name = _parse_run(m.group(1), lex)
            role = m.group("appos") or m.group("cop")
            if name is None or name.is_org or not role or not _role_like(role, lex):
                continue
            if len(name.tokens) > 1 or people.match_full(name.tokens) or any(name.tokens[0] in n for n in people.names):
                key = people.canonical(name.tokens) if len(name.tokens) == 1 else None
                tokens = tuple(key.split()) if key else name.tokens
                people.add(tokens, role.strip(), "appositive" if m.group("appos") else "copula")
        for m in lex.run_re.finditer(text):
            name = _parse_run(m.group(0), lex)
            pre = _premodifier(text, m.start(), lex) if name else None
            if name is not None and pre and not name.is_org and len(name.tokens) > 1:
                people.add(name.tokens, pre, "premodifier")
    _introduce_by_surname(infos, people, lex)
    people.last_seen.clear()
    return people


def _introduce_by_surname(infos: Sequence[_PassageInfo], people: _People, lex: Lexicon) -> None:
    """A speaker named by one word ("Lambert writes") is the full name used earlier or later
    in the document ("Hugo Lambert has followed …"), when there is exactly one such name."""
    known = {t for n in people.names for t in n}
    single = {
        n.tokens[0]
        for info in infos
        for a in info.attrs
        for n in a.subject.names
        if len(n.tokens) == 1 and not n.is_org and n.tokens[0] not in known
    }
    if not single:
        return
    full: dict[str, set[tuple[str, ...]]] = {}
    for info in infos:
        for m in lex.run_re.finditer(info.masked):
            name = _parse_run(m.group(0), lex)
            if name is None or name.is_org or not 2 <= len(name.tokens) <= 3:
                continue
            for token in set(name.tokens) & single:
                full.setdefault(token, set()).add(name.tokens)
    for token in sorted(full):
        candidates = {" ".join(c): c for c in full[token]}
        if len(candidates) == 1:
            people.add(next(iter(candidates.values())))


# A capitalised word after a lower-case word or a comma: a proper noun, not a sentence opening.
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-z0-9,;:)”\"]\s)[A-Z][\w\-]+")
# After the cue, what makes a one-word subject a speaker even at a sentence start:
# "Lambert writes:", "Smith says that", "Smith said, “…".
_SPEECH_FOLLOWS = re.compile(r"\s*(?::|,?\s*[“\"]|\s+that\b)")


def _drop_common_words(infos: Sequence[_PassageInfo], people: _People, lex: Lexicon) -> None:
    """Forget one-word speakers that are only ever capitalised at a sentence start.

    "Long criticized from the outside, China …" has no speaker "Long"; "Sacks said" is kept
    because Sacks is a known person, "China said" because China is capitalised mid-sentence,
    "Lambert writes: …" because a colon, a quote or "that" follows a present-tense cue.
    """
    proper = {m.group(0) for info in infos for m in _MID_SENTENCE_CAPITAL.finditer(info.masked)}
    known = {t for n in people.names for t in n}

    def keep(a: _Attr) -> bool:
        names = a.subject.names
        if len(names) != 1 or len(names[0].tokens) != 1 or names[0].is_org or names[0].title:
            return True
        token = names[0].tokens[0]
        if token in known or token in proper:
            return True
        text = infos[a.passage].masked
        return a.cue.endswith("s") and _SPEECH_FOLLOWS.match(text, a.cue_end) is not None

    for info in infos:
        info.attrs = [a for a in info.attrs if keep(a)]


def _resolve(doc: _Document) -> None:
    """Pass 2, in reading order: names to the document's people, pronouns to the last person."""
    for i, info in enumerate(doc.infos):
        for a in info.attrs:
            info.speakers[id(a)] = _speaker_of(doc, i, a)


def _speaker_of(doc: _Document, i: int, a: _Attr) -> _Speaker:
    people, subj = doc.people, a.subject
    mention = doc.infos[i].passage.text[subj.start : subj.end]
    if subj.kind == "self":
        return _Speaker(None, mention, None, a.cue, is_self=True)
    if subj.kind == "role":
        return _Speaker(None, mention, subj.role, a.cue)
    if subj.kind == "pronoun":
        key = _last_person(doc, i, subj.start)
        return _Speaker(key, mention, people.role(key) if key else None, a.cue)
    keys = [n.text if n.is_org else people.canonical(n.tokens) for n in subj.names]
    name = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]
    # The role written here wins; else the richest one the document gives this person.
    local = subj.role if subj.role_how != "title" else None
    known = people.role(keys[0]) if len(keys) == 1 else None
    return _Speaker(name, mention, local or known or subj.role, a.cue)


def _last_person(doc: _Document, i: int, pos: int) -> str | None:
    """The person named last before ``pos``, this passage first, then up to three before:
    a person the document knows, or a name of two or three words that is no organisation."""
    lex = _lexicon()
    known = {t for n in doc.people.names for t in n}
    for k in range(i, max(-1, i - 4), -1):
        text = doc.infos[k].masked
        end = pos if k == i else len(text)
        for m in reversed(list(lex.run_re.finditer(text, 0, end))):
            name = _parse_run(m.group(0), lex)
            if name is None or name.is_org:
                continue
            if set(name.tokens) & known or 2 <= len(name.tokens) <= 3:
                return doc.people.canonical(name.tokens)
    return None


def _intros(doc: _Document) -> list[_Attr | None]:
    """The speaker a passage inherits from an introduction ending in a colon.

    "Liu outlines a few planks:" gives its voice to the list items that follow;
    "Kate O’Keeffe and Yang Jie report:" (cue right before the colon) to the next passage.
    """
    out: list[_Attr | None] = [None] * len(doc.infos)
    for i in range(1, len(doc.infos)):
        prev, cur = doc.infos[i - 1], doc.infos[i].passage
        inherited: _Attr | None = None
        text = prev.passage.text.rstrip()
        if text.endswith(":") and prev.sentences:
            s, e = prev.sentences[-1]
            last = [a for a in prev.attrs if s <= a.cue_start < e]
            if last:
                a = last[-1]
                direct = re.fullmatch(r"\s*:", text[max(a.cue_end, a.subject.end) :]) is not None
                if cur.kind in ("list_item", "quote") or direct:
                    inherited = a
        elif cur.kind == "list_item" and prev.passage.kind == "list_item":
            inherited = out[i - 1]
        out[i] = inherited
    return out


def _speaker(doc: _Document, a: _Attr) -> _Speaker:
    return doc.infos[a.passage].speakers[id(a)]


# ---------------------------------------------------------------------------- quotations


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'\-]+", text)


def _title_like(words: Sequence[str]) -> bool:
    caps = sum(1 for w in words if w[:1].isupper())
    return caps >= max(1, 0.6 * len(words))


def _frame_attr(doc: _Document, i: int, q: _Marks) -> _Attr | None:
    """The attribution in the same sentence as the quote, outside other quotes."""
    info = doc.infos[i]
    sent = next(((s, e) for s, e in info.sentences if s <= q.open < e), (0, len(info.passage.text)))
    before = [m for m in info.marks if m.close is not None and m.close < q.open]
    after = [m for m in info.marks if m.open > q.open]
    pre_lo = max([sent[0], *[m.close + 1 for m in before if m.close is not None]])
    if q.close is not None:
        post_hi = min([sent[1], *[m.open for m in after]])
        post = [a for a in info.attrs if q.close < a.cue_start < post_hi and a.subject.start > q.close]
        if post:
            return post[0]
    pre = [a for a in info.attrs if pre_lo <= a.subject.start and a.cue_end <= q.open]
    return pre[-1] if pre else None


def _context_attr(doc: _Document, i: int, q: _Marks) -> _Attr | None:
    """Who speaks a quote with no attribution of its own: the speaker attributed last before
    it in the passage, the passage's only speaker, or the one its introduction names."""
    info = doc.infos[i]
    earlier = [a for a in info.attrs if a.cue_end <= q.open]
    if earlier:
        return earlier[-1]
    names = {_speaker(doc, a).name for a in info.attrs}
    if len(names) == 1 and info.attrs:
        return info.attrs[0]
    return doc.intro[i]


def _chains(doc: _Document) -> list[list[tuple[int, _Marks]]]:
    """Quoted spans grouped into quotations: one span, or one continued over paragraphs."""
    chains: list[list[tuple[int, _Marks]]] = []
    carry: list[tuple[int, _Marks]] | None = None
    for i, info in enumerate(doc.infos):
        for k, m in enumerate(info.marks):
            if carry is not None and k == 0 and m.open == len(info.passage.text) - len(info.passage.text.lstrip()):
                carry.append((i, m))
            else:
                if carry is not None:
                    chains.append(carry)
                carry = [(i, m)]
            if m.close is not None:
                chains.append(carry)
                carry = None
        # An open quote continues only when the next paragraph opens with a quote mark.
        nxt = doc.infos[i + 1].passage.text if i + 1 < len(doc.infos) else ""
        if carry is not None and not _opens_with_quote(nxt):
            chains.append(carry)
            carry = None
    if carry is not None:
        chains.append(carry)
    return chains


def _quote_annotation(doc: _Document, i: int, start: int, end: int, speaker: _Speaker | None, how: str) -> Annotation:
    p = doc.infos[i].passage
    return Annotation(
        target_id=p.id,
        kind="quote",
        label=(speaker.name or "") if speaker else "",
        start=start,
        end=end,
        text=p.text[start:end],
        data={
            "speaker": speaker.name if speaker else None,
            "mention": speaker.mention if speaker else None,
            "role": speaker.role if speaker else None,
            "cue": speaker.cue if speaker else None,
            "attribution": how,
        },
    )


def find_quotes(passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """Direct quotations in one document's passages (in order), with their speakers.

    Each :class:`~kb.model.Annotation` has ``kind="quote"``, ``target_id`` the passage id,
    ``start``/``end`` the quoted words (marks excluded), ``label`` the normalised speaker
    (``""`` when unknown) and ``data`` = ``{"speaker", "mention", "role", "cue",
    "attribution"}``; ``attribution`` says how the speaker was found: ``"direct"`` (a cue
    in the quote's sentence), ``"context"`` (the speaker of the passage or of its
    introduction), ``"block"`` (a block quotation after "X writes:") or ``"none"``.
    """
    doc = _analyse(passages, meta)
    out = [_quote_annotation(doc, i, m.start, m.end, q.speaker, q.how) for q in doc.quotations for i, m in q.parts]
    out += _block_quotes(doc)
    order = {info.passage.id: i for i, info in enumerate(doc.infos)}
    out.sort(key=lambda a: (order[a.target_id], a.start))
    return out


def _quotations(doc: _Document) -> list[_Quotation]:
    """The quoted spans that are quotations, with their speakers; scare quotes and titles
    are left out."""
    out: list[_Quotation] = []
    for chain in _chains(doc):
        words = [w for i, m in chain for w in _words(doc.infos[i].passage.text[m.start : m.end])]
        first_i, first = chain[0]
        attr = next((a for i, m in chain if (a := _frame_attr(doc, i, m))), None)
        how = "direct"
        before = doc.infos[first_i].passage.text[: first.open + 1]
        if _TERM_INTRO.search(before):
            continue  # a name or a term: so-called “Sharp Eyes”
        if len(words) <= 3 and _title_like(words) and (attr is None or attr.cue_start < first.open):
            continue  # a title in quotes, unless spoken: “No,” said Liu.
        if attr is None:
            if len(words) < MIN_UNATTRIBUTED_WORDS or _title_like(words):
                continue  # scare quotes, titles
            attr, how = _context_attr(doc, first_i, first), "context"
        speaker = _speaker(doc, attr) if attr else None
        if speaker is None or speaker.is_self:
            speaker, how = None, "none"
        out.append(_Quotation(tuple(chain), speaker, how))
    return out


def _block_quotes(doc: _Document) -> list[Annotation]:
    """Whole passages quoted without marks: block quotes, or a paragraph after "X report:"."""
    out: list[Annotation] = []
    for i, info in enumerate(doc.infos):
        p = info.passage
        if info.marks or p.kind == "list_item":
            continue
        intro = doc.intro[i]
        if p.kind != "quote" and intro is None:
            continue
        speaker = _speaker(doc, intro) if intro else None
        if speaker is not None and speaker.is_self:
            speaker = None
        start = len(p.text) - len(p.text.lstrip())
        out.append(_quote_annotation(doc, i, start, len(p.text.rstrip()), speaker, "block" if speaker else "none"))
    return out


# ---------------------------------------------------------------------------- reported speech


def find_reported_speech(passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """Sentences that report someone's words or views without quoting them.

    ``kind="reported_speech"``, ``start``/``end`` the sentence, ``label`` the speaker,
    ``data`` as for quotes. Sentences spoken by the author ("I would wager") and sentences
    whose attribution introduces a direct quote are left out.

    >>> from kb.model import DocumentMeta, Passage
    >>> meta = DocumentMeta(id="d", kind="commentary")
    >>> [a.label for a in find_reported_speech([Passage("d", 1, "Ravi Shah argues that the law is weak.")], meta)]
    ['Ravi Shah']
    """
    doc = _analyse(passages, meta)
    out: list[Annotation] = []
    for info in doc.infos:
        for s, e, a in _reported(doc, info):
            sp = _speaker(doc, a)
            out.append(
                Annotation(
                    target_id=info.passage.id,
                    kind="reported_speech",
                    label=sp.name or "",
                    start=s,
                    end=e,
                    text=info.passage.text[s:e],
                    data={"speaker": sp.name, "mention": sp.mention, "role": sp.role, "cue": sp.cue},
                )
            )
    return out


def _reported(doc: _Document, info: _PassageInfo) -> list[tuple[int, int, _Attr]]:
    """(sentence start, end, attribution) for each sentence of reported speech."""
    out: list[tuple[int, int, _Attr]] = []
    quoted = [m.open for q in doc.quotations for i, m in q.parts if doc.infos[i] is info]
    for s, e in info.sentences:
        if any(s <= o < e for o in quoted):  # the quotation carries this sentence
            continue
        attrs = [a for a in info.attrs if s <= a.cue_start < e and not _speaker(doc, a).is_self]
        if attrs:
            # ", Webster said." at the end governs the sentence; else the first cue does.
            tail = [a for a in attrs if not info.passage.text[a.subject.end : e].strip(' .,;:!?”"')]
            out.append((s, e, tail[-1] if tail else attrs[0]))
    return out


# ---------------------------------------------------------------------------- voices


@dataclass(frozen=True)
class SpeakerInfo:
    """Who speaks in a passage: a quoted or reported speaker, else the author or outlet."""

    name: str
    role: str | None
    kind: SpeakerKind


def _default_voice(doc: _Document) -> SpeakerInfo:
    meta = doc.meta
    if meta.authors:
        role = doc.people.role(doc.people.canonical(tuple(meta.authors[0].split())))
        return SpeakerInfo(", ".join(meta.authors), role if len(meta.authors) == 1 else None, "author")
    return SpeakerInfo(meta.outlet or "", None, "outlet")


def passage_speakers(
    passages: Sequence[Passage], meta: DocumentMeta, quotes: Sequence[Annotation]
) -> dict[str, SpeakerInfo]:
    """For each passage id, whose voice the passage carries.

    A passage is a speaker's when sentences with their quotations or reported speech
    ("Liu argues that …", "…, Webster said.") cover :data:`MIN_SHARE` of it
    (:data:`MIN_SOLE_SHARE` when nobody else is attributed there), or when it follows an
    introduction such as "Liu outlines a few planks:". ``kind`` is ``"quoted"`` when most
    of those sentences hold a direct quotation, else ``"reported"``. Everything else is the
    voice of ``meta.authors`` (``"author"``) or, when there are none, ``meta.outlet``.
    ``quotes`` are the annotations :func:`find_quotes` returned (filtered as you wish).
    """
    doc = _analyse(passages, meta)
    default = _default_voice(doc)
    by_passage: dict[str, list[Annotation]] = {}
    for q in quotes:
        if q.kind == "quote":
            by_passage.setdefault(q.target_id, []).append(q)
    out: dict[str, SpeakerInfo] = {}
    for i, info in enumerate(doc.infos):
        p = info.passage
        voice = _voice(doc, info, by_passage.get(p.id, []))
        if voice is None and doc.intro[i] is not None:
            sp = _speaker(doc, doc.intro[i])  # type: ignore[arg-type]
            if sp.name and not sp.is_self:
                covered = sum(q.end - q.start for q in by_passage.get(p.id, []))
                kind: SpeakerKind = "quoted" if covered * 2 >= len(p.text.strip()) else "reported"
                voice = SpeakerInfo(sp.name, sp.role, kind)
        out[p.id] = voice or default
    return out


def _quote_speaker(q: Annotation) -> str:
    """The speaker of a quote annotation: its name, or how the text describes them."""
    if q.data.get("attribution") == "none":
        return ""
    return str(q.data.get("speaker") or q.label or q.data.get("mention") or "")


def _voice(doc: _Document, info: _PassageInfo, quotes: Sequence[Annotation]) -> SpeakerInfo | None:
    text = info.passage.text
    total = len(text.strip())
    if not total:
        return None
    chars: dict[str, int] = {}
    quoted: dict[str, int] = {}
    roles: dict[str, str | None] = {}
    reported = {(s, e): a for s, e, a in _reported(doc, info)}
    last_name: str | None = None
    for s, e in info.sentences:
        last_name = None
        inside = [q for q in quotes if q.start < e and q.end > s and _quote_speaker(q)]
        if inside:
            q = max(inside, key=lambda q: min(q.end, e) - max(q.start, s))
            name = _quote_speaker(q)
            chars[name] = chars.get(name, 0) + (e - s)
            quoted[name] = quoted.get(name, 0) + (e - s)
            roles.setdefault(name, q.data.get("role"))
            last_name = name if q.data.get("speaker") else None  # unnamed speakers need MIN_SHARE
        elif (s, e) in reported:
            sp = _speaker(doc, reported[(s, e)])
            name = sp.name or sp.mention
            chars[name] = chars.get(name, 0) + (e - s)
            roles.setdefault(name, sp.role)
            last_name = name if sp.name else None  # unnamed speakers need MIN_SHARE
    if not chars:
        return None
    best = max(chars, key=lambda n: chars[n])
    share = chars[best] / total
    # "… paraphrase … “quote,” states Liu.": an attribution closing the passage covers it.
    closes = last_name == best and len(chars) == 1 and share >= MIN_SOLE_SHARE
    if share < MIN_SHARE and not closes:
        return None
    kind: SpeakerKind = "quoted" if quoted.get(best, 0) * 2 >= chars[best] else "reported"
    return SpeakerInfo(best, roles.get(best), kind)
