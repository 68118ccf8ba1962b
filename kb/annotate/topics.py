"""Tag provisions and passages with topics from a bilingual taxonomy kept as data.

The taxonomy lives in ``<corpus_dir>/topics/``:

* ``taxonomy.toml`` — the topics (id, labels, one-line definition, positive and
  negative examples in both languages) and named **cue lists** (``[cues.<id>]`` with
  ``en`` and ``zh`` terms) that patterns can require as sentence context;
* ``patterns_en.jsonl`` / ``patterns_zh.jsonl`` — one spaCy-style pattern a line::

      {"label": "consent", "id": "consent-word", "pattern": [{"LOWER": {"REGEX": "^consent"}}]}
      {"label": "minors", "id": "children-data", "pattern": "children|kids",
       "requires_context": ["privacy-cue"]}
      {"label": "consent", "id": "consent-decree", "pattern": "consent decree*", "blocks": true}

  ``pattern`` is either a token pattern (a list, given to spaCy's ``Matcher`` as is) or
  a phrase (a string). English phrases are a compact token pattern: words match
  ``LOWER``; ``a|b`` is a choice; a trailing ``*`` matches any ending (``exempt*``); a
  trailing ``?`` makes the word optional; ``...`` skips up to four tokens; hyphens
  between words are optional (``national security`` also matches
  ``national-security``). Chinese phrases are literal strings (``a|b`` a choice) found
  in the text and widened to whole jieba tokens, so they do not depend on where jieba
  draws a boundary.

  ``requires_context``: every entry (a cue id, or a list of cue ids of which one is
  enough) must be found in the same sentence. ``unless_context``: the match is dropped
  when any of these cues is in the sentence. ``blocks``: the pattern tags nothing; it
  removes matches of the same label that overlap it (near misses such as *consent
  decree*).

A tag is an :class:`~kb.model.Annotation` of kind ``topic`` whose span is the text that
triggered it; ``data`` records the pattern id, the language, the sentence span and the
context cues that licensed it.

>>> tax = load_taxonomy()
>>> [(a.label, a.text) for a in tag_text("x", "取得个人的单独同意。", "zh", tax)]
[('consent', '单独同意')]
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, StrictBool, field_validator

from kb.annotate.nlp import chinese_nlp, english_nlp
from kb.annotate.trie import split_alternatives
from kb.datafiles import RuleModel, load_numbered_rule_lines, load_rules
from kb.errors import ConfigError
from kb.model import Annotation, Topic
from kb.settings import get_settings
from kb.text.sentences import split_sentences

if TYPE_CHECKING:  # pragma: no cover - typing only; spaCy is imported lazily
    from spacy.tokens import Doc, Span

__all__ = [
    "LANGS",
    "Lang",
    "Taxonomy",
    "TopicExamples",
    "TopicPattern",
    "compile_taxonomy",
    "detect_lang",
    "en_phrase_tokens",
    "load_taxonomy",
    "required_literals",
    "shift_tag",
    "tag_text",
    "text_lines",
    "topic_summary",
]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("en", "zh")

TAXONOMY_FILE = "topics/taxonomy.toml"
PATTERN_FILES: Mapping[Lang, str] = {"en": "topics/patterns_en.jsonl", "zh": "topics/patterns_zh.jsonl"}


# Hyphen-like tokens spaCy's English tokenizer splits out of "national-security".
_HYPHENS = ["-", "‐", "‑", "–", "—"]
# A gap (``...``) never runs over the end of a sentence.
_SENTENCE_ENDS = [".", "!", "?", ";", "。", "！", "？", "；"]
# A CJK ideograph (basic block and extension A) for language detection.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_LATIN_WORD_WEIGHT = 2
# Hyphen between two word characters inside an English phrase word ("carve-out").
_INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
# Share of CJK in the weighted content above which a text is Chinese.
_ZH_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class TopicPattern:
    """One line of a pattern file."""

    id: str
    label: str
    lang: Lang
    pattern: tuple[Mapping[str, Any], ...] | str
    requires_context: tuple[tuple[str, ...], ...] = ()  # AND of OR-groups of cue ids
    unless_context: tuple[str, ...] = ()
    blocks: bool = False
    source: str = ""  # "patterns_en.jsonl:12", for error messages


@dataclass(frozen=True, slots=True)
class TopicExamples:
    positive_en: tuple[str, ...] = ()
    negative_en: tuple[str, ...] = ()
    positive_zh: tuple[str, ...] = ()
    negative_zh: tuple[str, ...] = ()

    def positives(self, lang: Lang) -> tuple[str, ...]:
        return self.positive_en if lang == "en" else self.positive_zh

    def negatives(self, lang: Lang) -> tuple[str, ...]:
        return self.negative_en if lang == "en" else self.negative_zh


@dataclass(frozen=True, eq=False)
class Taxonomy:
    """Topics, their patterns, the context cue lists and the examples.

    Compared and hashed by identity: the compiled matchers are cached on the instance.
    """

    topics: tuple[Topic, ...]
    patterns: tuple[TopicPattern, ...]
    cues: Mapping[str, Mapping[Lang, tuple[str, ...]]]
    examples: Mapping[str, TopicExamples]
    _compiled: dict[Lang, _Compiled] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    def topic(self, topic_id: str) -> Topic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(topic_id)

    def patterns_for(self, lang: Lang) -> tuple[TopicPattern, ...]:
        return tuple(p for p in self.patterns if p.lang == lang)


# ------------------------------------------------------------------ loading


_Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
_Term = Annotated[str, Field(pattern=r"\S")]  # a string that is not blank


class _TopicRule(RuleModel):
    """One ``[[topic]]`` of ``taxonomy.toml``."""

    id: _Slug
    label_en: _Term
    label_zh: _Term
    definition: _Term
    positive_en: tuple[_Term, ...] = ()
    negative_en: tuple[_Term, ...] = ()
    positive_zh: tuple[_Term, ...] = ()
    negative_zh: tuple[_Term, ...] = ()


class _CueList(RuleModel):
    """One ``[cues.<id>]`` table: terms in each language."""

    en: tuple[_Term, ...] = ()
    zh: tuple[_Term, ...] = ()


class _TaxonomyFile(RuleModel):
    version: int = 1
    cues: dict[_Slug, _CueList] = Field(default_factory=dict)
    topic: tuple[_TopicRule, ...]

    @field_validator("topic")
    @classmethod
    def _some(cls, value: tuple[_TopicRule, ...]) -> tuple[_TopicRule, ...]:
        if not value:  # here, not by min_length, so that a bad entry is reported alone
            raise ValueError("needs at least one [[topic]]")
        return value


class _PatternRule(RuleModel):
    """One line of a pattern file (see the module docstring)."""

    label: str
    id: _Slug
    pattern: Any
    requires_context: tuple[str | tuple[str, ...], ...] = ()
    unless_context: tuple[str, ...] = ()
    blocks: StrictBool = False
    note: str = ""

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: Any) -> str | tuple[dict[str, Any], ...]:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list) and value and all(isinstance(t, dict) for t in value):
            return tuple(value)
        raise ValueError("must be a non-empty string or a list of token objects")


def load_taxonomy(corpus_dir: Path | None = None) -> Taxonomy:
    """Read and check the taxonomy and pattern files under ``corpus_dir/topics``.

    Raises :class:`ConfigError` naming the file, the entry (``topic.3``, ``line 12``) and
    the field for a malformed file, an unknown topic label or cue id, or a duplicate id.
    """
    root = corpus_dir if corpus_dir is not None else get_settings().corpus_dir
    tax_path = root / TAXONOMY_FILE
    raw = load_rules(tax_path, _TaxonomyFile, "topic taxonomy")
    topics: list[Topic] = []
    examples: dict[str, TopicExamples] = {}
    for i, rule in enumerate(raw.topic):
        if rule.id in examples:
            raise ConfigError(f"{tax_path}: topic.{i}.id: duplicate topic id {rule.id!r}")
        topics.append(Topic(rule.id, rule.label_en, rule.label_zh, rule.definition))
        examples[rule.id] = TopicExamples(rule.positive_en, rule.negative_en, rule.positive_zh, rule.negative_zh)
    cues: dict[str, Mapping[Lang, tuple[str, ...]]] = {cid: {"en": c.en, "zh": c.zh} for cid, c in raw.cues.items()}
    patterns: list[TopicPattern] = []
    for lang, rel in PATTERN_FILES.items():
        patterns.extend(_patterns(root / rel, lang, set(examples), cues))
    return Taxonomy(topics=tuple(topics), patterns=tuple(patterns), cues=cues, examples=examples)


def _patterns(path: Path, lang: Lang, topic_ids: set[str], cues: Mapping[str, object]) -> Iterator[TopicPattern]:
    seen: set[str] = set()
    for lineno, rule in load_numbered_rule_lines(path, _PatternRule, "topic pattern file"):
        where = f"{path}: line {lineno}"
        if rule.label not in topic_ids:
            raise ConfigError(f"{where}.label: unknown topic {rule.label!r}")
        if rule.id in seen:
            raise ConfigError(f"{where}.id: duplicate pattern id {rule.id!r}")
        seen.add(rule.id)
        groups = tuple((g,) if isinstance(g, str) else g for g in rule.requires_context)
        if any(not g for g in groups):
            raise ConfigError(f"{where}.requires_context: an empty group of cue lists")
        required = [c for g in groups for c in g]
        for key, ids in (("requires_context", required), ("unless_context", rule.unless_context)):
            unknown = next((c for c in ids if c not in cues), None)
            if unknown is not None:
                raise ConfigError(f"{where}.{key}: unknown cue list {unknown!r}")
        yield TopicPattern(
            id=rule.id,
            label=rule.label,
            lang=lang,
            pattern=rule.pattern,
            requires_context=groups,
            unless_context=rule.unless_context,
            blocks=rule.blocks,
            source=f"{path.name}:{lineno}",
        )


# ------------------------------------------------------------------ compiling


def _en_word_spec(word: str) -> dict[str, Any]:
    optional = len(word) > 1 and word.endswith("?")
    word = word[:-1] if optional else word
    alts = [a for a in word.lower().split("|") if a]
    spec: dict[str, Any]
    if any(a.endswith("*") for a in alts):
        body = "|".join(re.escape(a[:-1]) + ".*" if a.endswith("*") else re.escape(a) for a in alts)
        spec = {"LOWER": {"REGEX": f"^(?:{body})$"}}
    elif len(alts) > 1:
        spec = {"LOWER": {"IN": alts}}
    else:
        spec = {"LOWER": alts[0]}
    if optional:
        spec["OP"] = "?"
    return spec


def en_phrase_tokens(phrase: str) -> list[dict[str, Any]]:
    """Compile an English phrase (see the module docstring) to a Matcher token pattern.

    >>> en_phrase_tokens("carve-out*")
    [{'LOWER': 'carve'}, {'ORTH': {'IN': ['-', '‐', '‑', '–', '—']}, 'OP': '?'}, {'LOWER': {'REGEX': '^(?:out.*)$'}}]
    """
    tokens: list[dict[str, Any]] = []
    for word in _INNER_HYPHEN.sub(" ", phrase).split():
        if word == "...":
            tokens.append({"ORTH": {"NOT_IN": list(_SENTENCE_ENDS)}, "OP": "{,4}"})
            continue
        if tokens and "LOWER" in tokens[-1]:
            tokens.append({"ORTH": {"IN": list(_HYPHENS)}, "OP": "?"})
        tokens.append(_en_word_spec(word))
    return tokens


def _zh_phrase_regex(phrase: str) -> re.Pattern[str]:
    alts = sorted({a for a in phrase.split("|") if a}, key=len, reverse=True)
    return re.compile("|".join(re.escape(a) for a in alts))


@dataclass
class _Compiled:
    """Matchers for one language, built once per taxonomy."""

    lang: Lang
    matcher: Any  # spacy.matcher.Matcher over token patterns (and English phrases)
    phrase_regexes: list[tuple[TopicPattern, re.Pattern[str]]]  # Chinese phrases
    by_id: dict[str, TopicPattern]
    cue_matcher: Any  # English cue terms
    cue_regexes: dict[str, re.Pattern[str]]  # Chinese cue terms


def _compile(taxonomy: Taxonomy, lang: Lang) -> _Compiled:
    with taxonomy._lock:
        compiled = taxonomy._compiled.get(lang)
        if compiled is None:
            compiled = _build(taxonomy, lang)
            taxonomy._compiled[lang] = compiled
        return compiled


def compile_taxonomy(taxonomy: Taxonomy, langs: Iterable[Lang] = LANGS) -> None:
    """Build the matchers of ``langs`` now (they are otherwise built on first use):
    before forking workers, so that they inherit them instead of each building its own."""
    for lang in langs:
        _compile(taxonomy, lang)


def _build(taxonomy: Taxonomy, lang: Lang) -> _Compiled:
    from spacy.matcher import Matcher

    nlp = english_nlp() if lang == "en" else chinese_nlp()
    matcher = Matcher(nlp.vocab, validate=True)
    phrase_regexes: list[tuple[TopicPattern, re.Pattern[str]]] = []
    by_id: dict[str, TopicPattern] = {}
    for p in taxonomy.patterns_for(lang):
        by_id[p.id] = p
        if isinstance(p.pattern, str) and lang == "zh":
            phrase_regexes.append((p, _zh_phrase_regex(p.pattern)))
            continue
        tokens = en_phrase_tokens(p.pattern) if isinstance(p.pattern, str) else [dict(t) for t in p.pattern]
        try:
            matcher.add(p.id, [tokens])
        except Exception as exc:  # spaCy raises ValueError/KeyError/MatchPatternError
            raise ConfigError(f"{p.source}: invalid spaCy pattern {p.id!r}: {exc}") from exc
    cue_matcher = Matcher(nlp.vocab, validate=True)
    cue_regexes: dict[str, re.Pattern[str]] = {}
    for cid, by_lang in taxonomy.cues.items():
        terms = by_lang.get(lang, ())
        if not terms:
            continue
        if lang == "zh":
            cue_regexes[cid] = _zh_phrase_regex("|".join(terms))
        else:
            cue_matcher.add(cid, [en_phrase_tokens(t) for t in terms])
    return _Compiled(lang, matcher, phrase_regexes, by_id, cue_matcher, cue_regexes)


# ------------------------------------------------------------------ tagging


@dataclass(frozen=True, slots=True)
class _Hit:
    pattern: TopicPattern
    start: int  # char offsets into the line
    end: int
    sent_start: int
    sent_end: int
    context: tuple[tuple[str, str], ...]  # (cue id, cue text) that licensed the hit


def detect_lang(text: str) -> Lang:
    """``"zh"`` when CJK ideographs are more than half of the text's content, else ``"en"``.

    Content is counted in CJK characters and Latin words, a Latin word weighing as much
    as two characters (a Chinese word is about two characters long), so an English
    paragraph quoting a Chinese title stays English and a Chinese article naming the
    GDPR stays Chinese. Text with neither is ``"en"``.

    >>> detect_lang("第十四条 基于个人同意处理个人信息的"), detect_lang("PIPL Article 14 (个人信息)")
    ('zh', 'en')
    """
    cjk = len(_CJK.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if cjk + words == 0:
        return "en"
    return "zh" if cjk / (cjk + _LATIN_WORD_WEIGHT * words) > _ZH_SHARE else "en"


def text_lines(text: str) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their offsets: a sentence never spans a line break, so the
    tags of a text are the tags of its lines, each moved by :func:`shift_tag`.

    >>> list(text_lines("甲\\n\\n 乙"))
    [(0, '甲'), (3, ' 乙')]
    """
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            yield m.start(), m.group()


def _mark_sentences(doc: Doc, text: str) -> None:
    """Set the doc's sentence starts to those of :func:`kb.text.sentences.split_sentences`,
    where a Chinese ；does not end the sentence: a statute's clauses share their context
    (PIPL art. 26: 只能用于维护公共安全的目的…；取得个人单独同意的除外).

    A token starts a sentence when a sentence starts at or before it and after the token
    before it (a sentence end inside a token moves to the next token).
    """
    import numpy
    from spacy.attrs import SENT_START

    starts = [s for s, _ in split_sentences(text, semicolons=False)]
    flags = numpy.full((len(doc), 1), -1, dtype="int64")  # -1: not a start; 1: a start
    k = 0
    for token in doc:
        starts_here = token.i == 0
        while k < len(starts) and starts[k] <= token.idx:
            starts_here, k = True, k + 1
        if starts_here:
            flags[token.i, 0] = 1
    # All at once: setting token.is_sent_start one token at a time is linear per call.
    values: Any = flags.astype("uint64")  # spaCy reads -1 wrapped, as Doc.to_array writes it
    doc.from_array([SENT_START], values)


@dataclass(frozen=True, slots=True)
class _Sentences:
    """A doc's sentences, found once, looked up by bisection.

    spaCy's ``token.sent`` walks to both ends of the sentence on every call: asked once
    per match, that is quadratic on a long line with few sentence ends.
    """

    spans: list[Span]
    token_starts: list[int]
    char_starts: list[int]

    @classmethod
    def of(cls, doc: Doc) -> _Sentences:
        spans = list(doc.sents)
        return cls(spans, [s.start for s in spans], [s.start_char for s in spans])

    def at_token(self, i: int) -> Span:
        """The sentence holding token ``i`` (what ``doc[i].sent`` is)."""
        return self.spans[bisect_right(self.token_starts, i) - 1]

    def at_char(self, pos: int) -> Span:
        """The sentence holding character ``pos`` of the doc's text."""
        return self.spans[bisect_right(self.char_starts, pos) - 1]


def _sentence_cues(doc: Doc, text: str, comp: _Compiled, sents: _Sentences) -> dict[int, dict[str, str]]:
    """For each sentence (keyed by its first token), the cue ids found there and a sample.

    ``text`` is ``doc.text``, passed in because spaCy rebuilds that string on every access.
    """
    found: dict[int, dict[str, str]] = {}
    if comp.lang == "en":
        strings = doc.vocab.strings
        for match_id, start, end in comp.cue_matcher(doc):
            sent = sents.at_token(start)
            found.setdefault(sent.start, {}).setdefault(strings[match_id], doc[start:end].text)
        return found
    for cid, rx in comp.cue_regexes.items():
        for m in rx.finditer(text):
            sent = sents.at_char(m.start())
            if m.end() <= sent.end_char:
                found.setdefault(sent.start, {}).setdefault(cid, m.group())
    return found


def _raw_matches(doc: Doc, text: str, comp: _Compiled) -> Iterator[tuple[TopicPattern, Span]]:
    strings = doc.vocab.strings
    for match_id, start, end in comp.matcher(doc):
        yield comp.by_id[strings[match_id]], doc[start:end]
    for p, rx in comp.phrase_regexes:
        for m in rx.finditer(text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None:
                yield p, span


def _licensed(p: TopicPattern, cues: Mapping[str, str]) -> tuple[tuple[str, str], ...] | None:
    """The cues that satisfy ``p``'s context rules, or None when they are not satisfied."""
    if any(c in cues for c in p.unless_context):
        return None
    used: list[tuple[str, str]] = []
    for group in p.requires_context:
        hit = next((c for c in group if c in cues), None)
        if hit is None:
            return None
        used.append((hit, cues[hit]))
    return tuple(used)


def _hits(doc: Doc, text: str, comp: _Compiled) -> list[_Hit]:
    _mark_sentences(doc, text)
    sents = _Sentences.of(doc)
    cues_by_sent = _sentence_cues(doc, text, comp, sents)
    hits: list[_Hit] = []
    blockers: dict[str, list[tuple[int, int]]] = {}
    for p, span in _raw_matches(doc, text, comp):
        sent = sents.at_token(span.start)
        if span.end > sent.end:  # a trigger stays inside one sentence
            continue
        licensed = _licensed(p, cues_by_sent.get(sent.start, {}))
        if licensed is None:
            continue
        if p.blocks:
            blockers.setdefault(p.label, []).append((span.start_char, span.end_char))
            continue
        hits.append(_Hit(p, span.start_char, span.end_char, sent.start_char, sent.end_char, licensed))
    blocked = {label: _SpanIndex(spans) for label, spans in blockers.items()}
    kept = [h for h in hits if h.pattern.label not in blocked or not blocked[h.pattern.label].overlaps(h.start, h.end)]
    return _longest_per_label(kept)


class _SpanIndex:
    """Whether a span ``[start, end)`` overlaps any of a fixed set of spans, in log time.

    The spans sorted by start, with the running maximum of their ends: those that start
    before ``end`` are a prefix, and one of them reaches past ``start`` exactly when the
    largest end of that prefix does.
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _ in ordered]
        self._max_ends = list(accumulate((e for _, e in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self._starts, end)
        return i > 0 and self._max_ends[i - 1] > start


def _longest_per_label(hits: Iterable[_Hit]) -> list[_Hit]:
    """Within one label keep the longest of overlapping hits (ties: earliest, then id).

    Greedy, longest first. The spans kept for a label never overlap, so sorted by
    (start, end) their ends rise too: the kept spans starting before a hit's end are a
    prefix, and the hit overlaps one of them exactly when it overlaps the last of them.
    """
    chosen: list[_Hit] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start, h.pattern.id)):
        spans = taken.setdefault(h.pattern.label, [])
        i = bisect_left(spans, (h.end,))
        if i > 0 and spans[i - 1][1] > h.start:
            continue
        insort(spans, (h.start, h.end))
        chosen.append(h)
    return sorted(chosen, key=lambda h: (h.start, h.end, h.pattern.label))


def tag_text(target_id: str, text: str, lang: Lang, taxonomy: Taxonomy) -> list[Annotation]:
    """Topic annotations for ``text`` (a provision's or passage's text), in text order.

    One annotation per triggering span: ``start``/``end`` index ``text``; ``data`` holds
    ``pattern`` (the pattern id), ``lang``, ``sentence`` ([start, end] in ``text``) and
    ``context`` ([[cue id, cue text], ...] that the pattern required).
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    comp = _compile(taxonomy, lang)
    nlp = english_nlp() if lang == "en" else chinese_nlp()
    lines = list(text_lines(text))
    out: list[Annotation] = []
    for (offset, line), doc in zip(lines, nlp.pipe(line for _, line in lines), strict=True):
        for h in _hits(doc, line, comp):
            start, end = offset + h.start, offset + h.end
            out.append(
                Annotation(
                    target_id=target_id,
                    kind="topic",
                    label=h.pattern.label,
                    start=start,
                    end=end,
                    text=text[start:end],
                    data={
                        "pattern": h.pattern.id,
                        "lang": lang,
                        "sentence": [offset + h.sent_start, offset + h.sent_end],
                        "context": [list(c) for c in h.context],
                    },
                )
            )
    return out


# What a token spec must match literally (see required_literals).
_TEXT_KEYS = ("TEXT", "ORTH")
_REQUIRED_OPS = (None, "1", "+")
_ANCHORS = re.compile(r"^\^|\$$")


def _regex_literals(regex: str) -> list[str] | None:
    """Literals one of which any match of ``regex`` contains: ``^(侵害|侵犯)`` -> both."""
    body = _ANCHORS.sub("", _ANCHORS.sub("", regex))
    for prefix in ("(?:", "("):
        if body.startswith(prefix) and body.endswith(")"):
            body = body[len(prefix) : -1]
            break
    alternatives = split_alternatives(body)
    # \s*, \d, \w … are classes, not characters: nothing literal to require.
    if alternatives is None or any(a.startswith("\\") and a[1:2].isalnum() for alt in alternatives for a in alt):
        return None
    return ["".join(a[1:] if a.startswith("\\") else a for a in alt) for alt in alternatives]


def _token_literals(spec: Mapping[str, Any]) -> list[str] | None:
    for key in _TEXT_KEYS:
        value = spec.get(key)
        if isinstance(value, str):
            return [value]
        if isinstance(value, Mapping):
            if isinstance(value.get("IN"), list):
                return [str(v) for v in value["IN"]]
            if isinstance(value.get("REGEX"), str):
                return _regex_literals(value["REGEX"])
    return None


def required_literals(
    pattern: TopicPattern, cues: Mapping[str, Mapping[Any, Sequence[str]]] | None = None
) -> list[list[str]] | None:
    """What a line must contain for ``pattern`` to match it: each inner list is a set
    of alternatives, all lists must be satisfied. None when nothing can be said.
    With the taxonomy's ``cues``, the context cues the pattern requires count too.

    >>> p = TopicPattern("x", "t", "zh", ({"TEXT": {"REGEX": "^(侵害|侵犯)"}}, {"OP": "{,4}"}))
    >>> required_literals(p)
    [['侵害', '侵犯']]
    """
    needles: list[list[str]] = []
    if isinstance(pattern.pattern, str):
        needles.append([a for a in pattern.pattern.split("|") if a])
    else:
        for spec in pattern.pattern:
            if spec.get("OP") not in _REQUIRED_OPS:
                continue
            literals = _token_literals(spec)
            if literals and all(literals):
                needles.append(literals)
        if not needles:
            return None
    # A required context cue must be in the same sentence, so in the same line.
    for group in pattern.requires_context:
        terms = [
            t for cue in group for term in (cues or {}).get(cue, {}).get(pattern.lang, ()) for t in term.split("|")
        ]
        if cues is not None and terms and all(terms):
            needles.append(terms)
    return needles


def shift_tag(ann: Annotation, target_id: str, offset: int) -> Annotation:
    """A topic annotation of a line moved into the text that holds the line at ``offset``."""
    data = dict(ann.data)
    sentence = data.get("sentence")
    if isinstance(sentence, list):
        data["sentence"] = [offset + sentence[0], offset + sentence[1]]
    return Annotation(
        target_id=target_id,
        kind=ann.kind,
        label=ann.label,
        start=offset + ann.start,
        end=offset + ann.end,
        text=ann.text,
        data=data,
    )


def topic_summary(annotations: Sequence[Annotation] | Iterable[Annotation]) -> dict[str, int]:
    """Number of topic annotations per topic id, sorted by id."""
    counts = Counter(a.label for a in annotations if a.kind == "topic")
    return dict(sorted(counts.items()))
