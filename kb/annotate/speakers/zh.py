"""Quotations and reported speech in Chinese commentary, and whose voice each passage carries.

The Chinese counterpart of the English modules of :mod:`kb.annotate.speakers`, with the
same annotations (``quote`` and ``reported_speech``, ``data`` = ``{"speaker", "mention",
"role", "cue", "attribution"}``) and the same :class:`SpeakerInfo` per passage.
The words are data (``corpus/speakers/zh.toml``, with examples the tests run):

* quotations are 「…」, 『…』 and “…” pairs; one is a quotation when a reporting verb in
  its sentence attributes it (``王女士告诉记者：「…」``, ``“…”该负责人说。``) or when it
  is long enough to be speech (:data:`MIN_UNATTRIBUTED_CHARS`); short ones are terms
  (“刷脸”);
* an attribution is a reporting verb (表示, 称, 认为, 指出 …) or a verb frame (告诉+whom,
  问+whom：, 作了解答, 发布+document+，称 …: ``[[frames]]``) with its subject: the words back
  to the previous clause mark, less adverbs (刘明远还提到 → 刘明远) and whom or what on
  (分析人士[对价格战]表示), or ``据<subject>介绍/称，…``; a cue with no subject takes the
  clause before's (客服打电话过来，说… → 客服), and a colon clause opens a quotation
  (刘敏说得很实在：“…”). Who a subject is: :mod:`.zh_subjects`. A subject ending in a role noun is an unnamed speaker
  described by it (市网信办相关负责人); a name after a role noun is the name
  (合伙人刘明远 → 刘明远, role 合伙人); 王女士 is a name; 他/她 refer to the last person
  named and 该负责人 to the last speaker with that role; laws and texts (《办法》要求) and
  the reporter are never speakers.

>>> from kb.model import DocumentMeta, Passage
>>> meta = DocumentMeta(id="d", kind="commentary")
>>> text = "律师张明远分析称，新规把义务前置了。他提醒，物业不得误导业主。"
>>> ps = [Passage("d", 1, text, sentences=((0, 18), (18, 31)))]
>>> [(a.label, a.text) for a in find_reported_speech_zh(ps, meta)]
[('张明远', '律师张明远分析称，新规把义务前置了。'), ('张明远', '他提醒，物业不得误导业主。')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from kb.annotate.speakers.turns import all_turns, turn_annotation
from kb.annotate.speakers.voices import SpeakerInfo, SpeakerKind
from kb.annotate.speakers.zh_lexicon import (
    CLAUSE_ENDS,
    CLAUSE_MARKS,
    HAN,
    MASK,
    Compiled,
    ZhLexicon,
    alternation,
    compiled,
    default_path,
    inner_subject,
    load_zh_lexicon,
)
from kb.annotate.speakers.zh_subjects import (
    People,
    Speaker,
    asked,
    body_name,
    chained_speaker,
    someone,
    subject_speaker,
)
from kb.model import Annotation, DocumentMeta, Passage

__all__ = [
    "MIN_UNATTRIBUTED_CHARS",
    "ZhLexicon",
    "find_quotes_zh",
    "find_reported_speech_zh",
    "is_chinese_document",
    "load_zh_lexicon",
    "passage_speakers_zh",
]

# An unattributed quotation this long (CJK characters) is speech, not a term in quotes.
MIN_UNATTRIBUTED_CHARS = 12
# Share of a passage a speaker's sentences must cover for the passage to be theirs.
MIN_SHARE = 0.5

_QUOTE_PAIRS = {"「": "」", "『": "』", "“": "”"}


def is_chinese_document(passages: Sequence[Passage], meta: DocumentMeta) -> bool:
    """Declared Chinese, or most of the passages' characters are Han."""
    language = meta.extra.get("language") if meta.extra else None
    if isinstance(language, str) and language:
        return language == "zh"
    text = "".join(p.text for p in passages)
    letters = sum(1 for c in text if c.isalpha())
    return bool(letters) and len(HAN.findall(text)) * 2 >= letters


@dataclass(frozen=True)
class _Attribution:
    start: int  # of the subject
    cue_start: int
    cue_end: int
    speaker: Speaker
    kind: str


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """``(open, close)`` mark offsets of balanced quotation pairs, outermost only."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if stack and ch == _QUOTE_PAIRS[stack[-1][0]]:
            _, start = stack.pop()
            if not stack:
                spans.append((start, i))
        elif ch in _QUOTE_PAIRS:
            stack.append((ch, i))
    return spans


def _masked(text: str, quotes: Sequence[tuple[int, int]]) -> str:
    chars = list(text)
    for o, c in quotes:
        for i in range(o + 1, c):
            chars[i] = MASK
    return "".join(chars)


def _attributions(masked: str, s: int, e: int, c: Compiled, people: People) -> list[_Attribution]:
    out: list[_Attribution] = []
    if c.unsourced is not None and (m := c.unsourced.match(masked, s, e)):
        # 据了解，…: what unnamed sources said, nobody named
        out.append(_Attribution(s, s, m.end(), Speaker(None, "", None, m.group(0).strip(" ，,：:")), "speech"))
    for m in c.according.finditer(masked, s, e):
        sp = subject_speaker(m.group("subject"), "据", c.lex, people)
        if sp is not None:
            out.append(_Attribution(m.start(), m.start(), m.end(), sp, "speech"))
    blocked = [m.span() for m in c.not_cue.finditer(masked, s, e)]
    previous_end = -1
    for m in c.verb.finditer(masked, s, e):
        if any(a.cue_start <= m.start() < a.cue_end for a in out):
            continue
        if any(bs <= m.start() < be or bs < m.end() <= be for bs, be in blocked):
            continue  # 简称, 司法解释: the characters of a verb inside another word
        lo = m.start()
        while lo > s and masked[lo - 1] not in CLAUSE_MARKS and masked[lo - 1] != MASK:
            lo -= 1
        subject = masked[lo : m.start()]
        if (inside := inner_subject(m)) is not None:
            lo, subject = m.start(), inside  # 在她看来，…: the frame holds its speaker
        if m.start() == previous_end:
            continue  # 回应说: the second verb of one attribution, not one with 回应 in its speaker
        previous_end = m.end()
        if (subject in c.lex.shared_subject or not subject.strip()) and lo - 1 > s and masked[lo - 1] in "，,":
            # no subject of its own: the clause before's (商场已将提示牌更换，并表示…; 客服打电话过来，说…)
            sp = chained_speaker(_clause_before(masked, s, lo - 1), m.group(0), c.lex, people)
        else:
            sp = subject_speaker(subject, m.group(0), c.lex, people)
        if sp is not None:
            out.append(_Attribution(lo, m.start(), m.end(), sp, c.kind(m)))
    out += _colon_intros(masked, s, e, c, people, out)
    out.sort(key=lambda a: a.cue_start)
    return out


# A colon right before a quotation mark: the clause before introduces the quotation.
_QUOTE_INTRO = re.compile(r"[：:]\s*[「『“]")


def _colon_intros(
    masked: str, s: int, e: int, c: Compiled, people: People, cued: Sequence[_Attribution]
) -> list[_Attribution]:
    """A clause with no reporting verb that opens a quotation with a colon: its subject speaks
    the quotation (刘敏说得很实在：“…”; 她的第一反应是：“…”). Kind ``intro``: it attributes the
    quotation, and reports no sentence of its own."""
    out: list[_Attribution] = []
    for m in _QUOTE_INTRO.finditer(masked, s, e):
        lo = m.start()
        while lo > s and masked[lo - 1] not in CLAUSE_ENDS:
            lo -= 1
        if any(lo <= a.cue_start < m.start() for a in cued):
            continue  # 王女士告诉记者：「…」: the clause has its verb
        sp = chained_speaker(masked[lo : m.start()], "：", c.lex, people)
        if sp is not None:
            out.append(_Attribution(lo, m.start(), m.start() + 1, sp, "intro"))
    return out


def _clause_before(masked: str, s: int, end: int) -> str:
    """The clause ending at ``end`` (a comma), from the clause end before it."""
    lo = end
    while lo > s and masked[lo - 1] not in CLAUSE_ENDS:
        lo -= 1  # over quotations: 更换为“人脸识别区域”字样
    return masked[lo:end]


@dataclass
class _Sentence:
    start: int
    end: int
    quotes: list[tuple[int, int]]
    attrs: list[_Attribution]
    opener: _Attribution | None = None  # no cue, but opens with a speaker named before (高原对此并不回避。)


def _analyse(passages: Sequence[Passage]) -> dict[str, list[_Sentence]]:
    c = compiled(default_path())
    people = People()
    out: dict[str, list[_Sentence]] = {}
    for p in passages:
        quotes = _quote_spans(p.text)
        masked = _masked(p.text, quotes)
        spans = p.sentences or ((0, len(p.text)),)
        sentences: list[_Sentence] = []
        for s, e in _merge_quoted(p.text, spans, quotes, c.verb):
            if (addressee := asked(masked[s:e], c)) is not None:
                people.see(addressee, c.lex)  # 我问过园区的法务，她说…: 她 is that officer
            attrs = _attributions(masked, s, e, c, people)
            for a in attrs:
                if a.speaker.name or a.speaker.role:
                    people.see(a.speaker, c.lex)
            if not attrs and (unnamed := someone(masked[s:e], c)) is not None:
                people.see(unnamed, c.lex)  # 一位家长给我们看了协议。她说，…: 她 is that parent
            opener = None
            if not attrs and (known := people.named_at(masked, s)) is not None:
                opener = _Attribution(s, s, s, known, "speech")
            sentences.append(_Sentence(s, e, [q for q in quotes if s <= q[0] < e], attrs, opener))
        out[p.id] = sentences
    return out


# A short sentence after a quotation that only says who spoke: “…。”该负责人说。
_TRAILING_ATTRIBUTION_CHARS = 16
_CLOSING_ATTRIBUTION_CHARS = 40


def _closing_attribution(sentence: str, verb: re.Pattern[str]) -> bool:
    """A sentence that is only a speaker and a closing verb: 江州大学法学院教授贺知行在接受采访时说。"""
    body = sentence.strip().rstrip("。！？!?")
    m = verb.search(body)
    return len(body) <= _CLOSING_ATTRIBUTION_CHARS and m is not None and m.end() == len(body) and "，" not in body


def _merge_quoted(
    text: str, spans: Sequence[tuple[int, int]], quotes: Sequence[tuple[int, int]], verb: re.Pattern[str]
) -> list[tuple[int, int]]:
    """Sentence spans, joined where a quotation runs across a sentence end, and where a
    sentence ending in a quotation is followed by its short attribution."""
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        prev = merged[-1] if merged else None
        inside = prev is not None and any(o < prev[1] <= c for o, c in quotes)
        attribution = (
            prev is not None
            and any(c + 1 == prev[1] for _, c in quotes)
            and (
                (e - s <= _TRAILING_ATTRIBUTION_CHARS and verb.search(text, s, e) is not None)
                or _closing_attribution(text[s:e], verb)
            )
        )
        if prev is not None and (inside or attribution):
            merged[-1] = (prev[0], e)
        else:
            merged.append((s, e))
    return merged


def _annotation(p: Passage, kind: str, start: int, end: int, a: _Attribution | None, how: str) -> Annotation:
    sp = a.speaker if a else None
    return Annotation(
        target_id=p.id,
        kind=kind,
        label=sp.label if sp else "",
        start=start,
        end=end,
        text=p.text[start:end],
        data={
            "speaker": sp.name if sp else None,
            "mention": sp.mention if sp else None,
            "role": sp.role if sp else None,
            "cue": sp.cue if sp else None,
            "attribution": how,
        },
    )


def _quote_attribution(sentence: _Sentence, quote: tuple[int, int]) -> _Attribution | None:
    """The speech verb of the quote's sentence: before it (X说：「…」) or after it (“…”X说)."""
    speech = [a for a in sentence.attrs if a.kind in ("speech", "intro")]
    before = [a for a in speech if a.cue_end <= quote[0]]
    after = [a for a in speech if a.start > quote[1]]
    return before[-1] if before else after[0] if after else None


def _view_attribution(sentence: _Sentence, quote: tuple[int, int]) -> _Attribution | None:
    """A view verb before the quote in its sentence: 钱沐阳认为，……，“……”。"""
    views = [a for a in sentence.attrs if a.kind != "speech" and a.cue_end <= quote[0]]
    return views[-1] if views else None


def _only_quote(text: str, sentence: _Sentence, quote: tuple[int, int]) -> bool:
    """Whether the sentence is the quotation alone (with its closing punctuation)."""
    return not text[sentence.start : quote[0]].strip() and not text[quote[1] + 1 : sentence.end].strip(" 。！？!?，,")


def _neighbour_attribution(sentences: Sequence[_Sentence], k: int) -> _Attribution | None:
    """Who speaks a sentence that is only a quotation: the speaker the next sentence opens
    with (“……。”林某对记者说，……), else the last one of the sentence before (林某解释，……。“……”)."""
    if k + 1 < len(sentences):
        nxt = sentences[k + 1]
        opening = [a for a in nxt.attrs if a.kind == "speech" and a.start == nxt.start]
        if opening:
            return opening[0]
    if k > 0 and sentences[k - 1].attrs:
        return sentences[k - 1].attrs[-1]
    if k > 0 and sentences[k - 1].opener is not None:
        return sentences[k - 1].opener  # 高原对此并不回避。“……”: the person the sentence before is about
    return None


def find_quotes_zh(passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """Direct quotations (``kind="quote"``), marks excluded, with their speakers.

    The speaker is the speech verb's in the quote's sentence (``direct``); else a view
    verb's before it, for a quotation long enough not to be a term; else, for a sentence
    that is only the quotation, the speaker of the sentence after or before (``context``).
    """
    analysed = _analyse(passages)
    out: list[Annotation] = []
    for p in passages:
        sentences = analysed[p.id]
        for k, sentence in enumerate(sentences):
            for q in sentence.quotes:
                a, how = _quote_attribution(sentence, q), "direct"
                long_enough = len(HAN.findall(p.text[q[0] + 1 : q[1]])) >= MIN_UNATTRIBUTED_CHARS
                if a is None and long_enough:
                    a = _view_attribution(sentence, q)
                    if a is None and _only_quote(p.text, sentence, q):
                        a, how = _neighbour_attribution(sentences, k), "context"
                if a is None and not long_enough:
                    continue  # a term in quotes: “刷脸”
                out.append(_annotation(p, "quote", q[0] + 1, q[1], a, how if a else "none"))
    out += _turns(passages, meta)
    return _resolve_references(out, passages, meta)


def _turns(passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """Transcript turns (``许安然：……``) whose label is a person's name."""
    lex = compiled(default_path()).lex

    def is_name(label: str) -> bool:
        sp = subject_speaker(label, "：", lex, People())
        return sp is not None and sp.name is not None and not sp.role

    asker = meta.extra.get("interviewer") if meta.extra else None
    return [turn_annotation(passages[t.passage], t) for t in all_turns(passages, is_name, asker)]


def find_reported_speech_zh(passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """Sentences that report someone's words or views without a quotation they introduce."""
    analysed = _analyse(passages)
    c = compiled(default_path())
    out: list[Annotation] = []
    for p in passages:
        if p.kind == "heading":
            continue  # 四、家长说“不”: a section's title, nobody reported
        sentences = analysed[p.id]
        reasoning = _reasoning(p.text, sentences)
        for sentence in sentences:
            attrs = [a for a in sentence.attrs if a.kind != "intro"]  # a colon's clause reports nothing itself
            if not attrs:
                text = p.text[sentence.start : sentence.end]
                if reasoning is not None and c.verb.search(text) is None and not text.lstrip().startswith("《"):
                    out.append(_annotation(p, "reported_speech", sentence.start, sentence.end, reasoning, "continued"))
                continue
            # A sentence mostly quoted is the quotation's; terms in quotes (「事后救济」) are not.
            quoted = sum(c - o - 1 for o, c in sentence.quotes)
            if quoted * 2 < sentence.end - sentence.start:
                out.append(_annotation(p, "reported_speech", sentence.start, sentence.end, attrs[0], "direct"))
    return _resolve_references(out, passages, meta)


def _reasoning(text: str, sentences: Sequence[_Sentence]) -> _Attribution | None:
    """A paragraph a body's view opens (本院认为，…; 法院认为，…): its reasoning, which the
    paragraph's later sentences go on with, unless they have a reporting verb of their own
    or open with a text's name (《办法》亦规定…: the text's voice)."""
    a = sentences[0].attrs[0] if sentences and sentences[0].attrs else None
    if a is None or a.kind != "view" or text[sentences[0].start : a.start].strip():
        return None
    lex = compiled(default_path()).lex
    words = (*lex.self_references, *lex.issuer_words, *lex.generic_orgs)
    return a if a.speaker.mention in words or body_name(a.speaker.name or "", lex) else None


@lru_cache(maxsize=4)
def _defined_party_line(parties: tuple[str, ...]) -> re.Pattern[str] | None:
    """A line defining a party of an official decision: ``当事人：甲公司``."""
    return (
        re.compile(rf"^\s*({alternation(parties)})\s*[：:]\s*([^，,。；;\s]{{2,40}})\s*(?:$|[，,])")
        if parties
        else None
    )


def _resolve_references(anns: list[Annotation], passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """An unnamed speaker that is the document's own issuer (本机关: its outlet) or a party it
    defines (当事人：某某公司 in a line of its own) gets that name; the word stays the role.

    >>> ps = [Passage("d", 1, "当事人：甲公司"), Passage("d", 2, "据当事人介绍，会员约3万人。"),
    ...       Passage("d", 3, "本机关认为，当事人违反了规定。")]
    >>> meta = DocumentMeta(id="d", kind="commentary", sources=(), outlet="某市网信办")
    >>> [(a.data["speaker"], a.data["role"]) for a in find_reported_speech_zh(ps, meta)]
    [('甲公司', '当事人'), ('某市网信办', '本机关')]
    """
    lex = compiled(default_path()).lex
    names = {w: meta.outlet for w in lex.self_references if meta.outlet}
    party = _defined_party_line(lex.defined_parties)
    for p in passages:
        m = party.match(p.text) if party else None
        if m and m.group(1) not in names:
            names[m.group(1)] = m.group(2)
    out = []
    for a in anns:
        word = next((w for w in (a.data.get("speaker"), a.data.get("role"), a.label) if isinstance(w, str) and w), "")
        name = names.get(word)
        out.append(replace(a, label=name, data={**a.data, "speaker": name, "role": word}) if name else a)
    return out


def passage_speakers_zh(
    passages: Sequence[Passage], meta: DocumentMeta, quotes: Sequence[Annotation]
) -> dict[str, SpeakerInfo]:
    """For each passage id, whose voice it carries, decided as the English version does.

    A speaker whose quotations and reported sentences cover :data:`MIN_SHARE` of the
    passage carries it (``quoted`` or ``reported``); else the authors (``author``) or the
    outlet (``outlet``).
    """
    reported = find_reported_speech_zh(passages, meta)
    default = (
        SpeakerInfo(", ".join(meta.authors), None, "author")
        if meta.authors
        else SpeakerInfo(meta.outlet or "", None, "outlet")
    )
    out: dict[str, SpeakerInfo] = {}
    for p in passages:
        chars: dict[str, int] = {}
        quoted: dict[str, int] = {}
        roles: dict[str, str | None] = {}
        for a in [*quotes, *reported]:
            if a.target_id != p.id or not a.label:
                continue
            size = a.end - a.start
            chars[a.label] = chars.get(a.label, 0) + size
            if a.kind == "quote":
                quoted[a.label] = quoted.get(a.label, 0) + size
            roles.setdefault(a.label, a.data.get("role"))
        total = len(p.text.strip())
        best = max(chars, key=lambda n: chars[n]) if chars else None
        if best is not None and total and chars[best] / total >= MIN_SHARE:
            kind: SpeakerKind = "quoted" if quoted.get(best, 0) * 2 >= chars[best] else "reported"
            role = roles.get(best)
            out[p.id] = SpeakerInfo(best, role if isinstance(role, str) else None, kind)
        else:
            out[p.id] = default
    return out
