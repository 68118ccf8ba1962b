"""Quotations and reported speech in Chinese commentary, and whose voice each passage carries.

The Chinese counterpart of the English modules of :mod:`kb.annotate.speakers`, with the
same annotations (``quote`` and ``reported_speech``, ``data`` = ``{"speaker", "mention",
"role", "cue", "attribution"}``) and the same :class:`SpeakerInfo` per passage.
The words are data (``corpus/speakers/zh.toml``, with examples the tests run):

* quotations are 「…」, 『…』 and “…” pairs; one is a quotation when a reporting verb in
  its sentence attributes it (``王女士告诉记者：「…」``, ``“…”该负责人说。``) or when it
  is long enough to be speech (:data:`MIN_UNATTRIBUTED_CHARS`); short ones are terms
  (“刷脸”);
* an attribution is a reporting verb (表示, 称, 认为, 指出, 告诉记者 …) with its subject:
  the words back to the previous clause mark, less adverbs (刘明远还提到 → 刘明远), or
  ``据<subject>介绍/称，…``. A subject ending in a role noun is an unnamed speaker
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
from pathlib import Path
from typing import Literal

from kb.annotate.speakers.turns import all_turns, turn_annotation
from kb.annotate.speakers.voices import SpeakerInfo, SpeakerKind
from kb.datafiles import RuleModel, load_rules
from kb.model import Annotation, DocumentMeta, Passage
from kb.settings import get_settings
from kb.text.numerals import NUMERAL_CHARS

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
_CLAUSE_MARKS = "，。；：！？、,;:!?（）()《》「」『』“”\n"
_CLAUSE_ENDS = "，。；：！？,;:!?\n"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_PERSON_NAME_MAX = 3  # Chinese personal names are two or three characters, a few four
_SURNAME = re.compile(r"^[\u4e00-\u9fff]{1,2}$")  # before 女士, 先生: 赵女士, 欧阳先生
_MASK = "\u3000"


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
class _Compiled:
    lex: ZhLexicon
    verb: re.Pattern[str]
    according: re.Pattern[str]
    unsourced: re.Pattern[str] | None
    not_cue: re.Pattern[str]
    kinds: dict[str, str]
    someone: re.Pattern[str]
    asked: re.Pattern[str]


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=4)
def _compiled(path: Path) -> _Compiled:
    lex = load_rules(path, ZhLexicon, "Chinese speaker lexicon")
    verb = re.compile(f"(?:{_alternation([v.form for v in lex.verbs])})")
    according = re.compile(
        f"(?:据|(?<=[记者者])从)(?P<subject>[^{_CLAUSE_MARKS}]{{1,30}}?)"
        f"(?:{_alternation([*lex.according_to, *lex.learned_from])})[，,：:]"
    )
    not_cue = re.compile(_alternation(lex.not_cues))
    unsourced = re.compile(rf"\s*(?:{_alternation(lex.unsourced)})[，,：:]") if lex.unsourced else None
    someone = re.compile(
        rf"(?:^|[，。；])(?P<who>(?:一位|一名|有位|有一位)[^，。；：、“”]{{0,8}}?(?:{_alternation(lex.role_nouns)}))"
    )
    asked = re.compile(
        rf"(?:^|[，。；])(?:我们|我)[^，。；：、“”]{{0,6}}?(?:{_alternation(lex.asking_verbs) or '(?!)'})"
        rf"(?P<who>[^，。；：、“”]{{0,10}}?(?:{_alternation(lex.role_nouns)}))(?=[，。；]|$)"
    )
    kinds: dict[str, str] = {v.form: v.kind for v in lex.verbs}
    return _Compiled(lex, verb, according, unsourced, not_cue, kinds, someone, asked)


def load_zh_lexicon(path: Path | None = None) -> ZhLexicon:
    return _compiled(path or _default_path()).lex


def _default_path() -> Path:
    return get_settings().corpus_dir / "speakers" / "zh.toml"


def is_chinese_document(passages: Sequence[Passage], meta: DocumentMeta) -> bool:
    """Declared Chinese, or most of the passages' characters are Han."""
    language = meta.extra.get("language") if meta.extra else None
    if isinstance(language, str) and language:
        return language == "zh"
    text = "".join(p.text for p in passages)
    letters = sum(1 for c in text if c.isalpha())
    return bool(letters) and len(_HAN.findall(text)) * 2 >= letters


# --------------------------------------------------------------------------- speakers


@dataclass(frozen=True)
class _Speaker:
    name: str | None  # a person's or organisation's name; None for "市网信办相关负责人"
    mention: str  # the words of the text
    role: str | None
    cue: str

    @property
    def label(self) -> str:
        """The name, else the role it is described by (技术人员), else the words."""
        return self.name or self.role or self.mention


class _People:
    """Who has been named so far in a document, for 他 and 该负责人."""

    def __init__(self) -> None:
        self.last_person: _Speaker | None = None
        self.by_role: dict[str, _Speaker] = {}
        self.bodies: list[str] = []  # named organisations that spoke, in order
        self.speakers: dict[str, _Speaker] = {}  # people who spoke under their name, by name

    def see(self, sp: _Speaker, lex: ZhLexicon) -> None:
        self.last_person = sp
        for noun in lex.role_nouns:
            if (sp.role or sp.mention).endswith(noun):
                self.by_role[noun] = sp
        if sp.name and not sp.role and _body_name(sp.name, lex):
            self.bodies.append(sp.name)
        if sp.name and _NAME.match(sp.name):
            self.speakers[sp.name] = sp

    def named_at(self, text: str, pos: int) -> _Speaker | None:
        """The person who spoke before under the name ``text`` has at ``pos``."""
        return next((sp for name, sp in self.speakers.items() if text.startswith(name, pos)), None)

    def body(self, kind: str, lex: ZhLexicon) -> str | None:
        """The organisation of this kind that spoke last under its name: 法院 is the last
        named court (临溪区人民法院); 公司 the last body named without a kind of its own
        (识界科技)."""
        kinds = (*lex.org_suffixes, *lex.generic_orgs)
        for name in reversed(self.bodies):
            if name.endswith(kind) or (kind in lex.company_words and not name.endswith(kinds)):
                return name
        return None


def _body_name(name: str, lex: ZhLexicon) -> bool:
    """An organisation's name: it ends in an organisation's word (…人民法院, …网信办), or is a
    name of more than three characters with no honorific (识界科技, not 欧阳女士)."""
    kinds = (*lex.org_suffixes, *lex.generic_orgs)
    return name.endswith(kinds) or (len(name) > _PERSON_NAME_MAX and not name.endswith(tuple(lex.honorifics)))


def _strip_adverbs(subject: str, lex: ZhLexicon) -> str:
    changed = True
    while changed:
        changed = False
        for adv in sorted(lex.adverbs, key=len, reverse=True):
            if subject.endswith(adv) and len(subject) > len(adv):
                subject, changed = subject[: -len(adv)], True
    return subject


# A subject that is a text: an article, a paragraph, a law (第十条, 同一条, 该款, 本法).
_TEXT_SUBJECT = re.compile(rf"(?:第[{NUMERAL_CHARS}]+|同一|该|本|此)(?:条|款|项)$|(?:法|办法|规定|条例|细则)$")
# Where or when someone spoke, or on what, between the speaker and the verb: 班主任[在家长群里]说,
# 某某[就备案中的问题]回答了记者提问.
# 有业主[向记者]反映: whom they told; 工作人员[在旁边]说: where.
_SETTING = re.compile(
    r"(?:在[^，。；：、]{0,10}?(?:里|上|中|内|时|前|后|期间|旁边|一旁|身边|边上)|就[^，。；：、就]{2,24}"
    r"|向(?:本报)?(?:记者|笔者|我们|我))$"
)


def _speaker(subject: str, cue: str, lex: ZhLexicon, people: _People) -> _Speaker | None:
    """Who ``subject`` (the words before a reporting verb) is, or None when nobody speaks."""
    subject = _strip_adverbs(_strip_openers(subject.strip(), lex), lex)
    if (setting := _SETTING.search(subject)) and setting.start() > 0:
        subject = _strip_adverbs(subject[: setting.start()], lex)
    if subject in lex.adverbs:
        return None  # 最后提醒一句: no subject at all
    if subject.startswith(tuple(lex.conditionals)):
        return None  # 如果酒店说…: a supposition
    close = next((w + k for w in ("我的", "我") for k in lex.writer_kin if subject.startswith(w + k)), None)
    if close is not None:
        return _Speaker(None, subject, close, cue)  # 我妈说, 我邻居看了门板后说: someone close to the writer
    if subject.startswith(tuple(lex.writer_words)) and not _met_by_writer(subject, lex):
        return None  # the writer's own view (我很难认为…): the author's voice, not a quoted speaker
    if _TEXT_SUBJECT.search(subject):
        return None  # 同一条还说, 第十条规定: a text, not a speaker
    if not subject or not _HAN.search(subject) or any(m in subject for m in "《》【") or len(subject) > 30:
        return None
    if subject in lex.not_speakers or any(subject.endswith(w) for w in lex.not_speakers if len(w) > 1):
        return None
    if subject in lex.pronouns:
        return people.last_person and _Speaker(people.last_person.name, subject, people.last_person.role, cue)
    for dem in lex.demonstratives:
        if subject.startswith(dem) and subject[len(dem) :] in lex.role_nouns:
            earlier = people.by_role.get(subject[len(dem) :])
            if earlier is not None:
                return _Speaker(earlier.name, earlier.mention, earlier.role, cue)
            return _Speaker(None, subject, subject[len(dem) :], cue)
    core = subject.rsplit("的", 1)[-1] if "的" in subject else subject
    kind = next((subject[len(d) :] for d in ("", *lex.demonstratives) if subject[len(d) :] in lex.generic_orgs), None)
    if kind is not None:  # 法院, 该公司: a kind of body
        if (named := people.body(kind, lex)) is not None:
            return _Speaker(named, subject, None, cue)  # 临溪区人民法院认为…。法院判令…: that court
        return _Speaker(None, subject, subject, cue)  # 法院认为, 主办方表示: a kind of body, unnamed
    if (titled := _titled_name(core, lex)) is not None:
        name, length = titled  # 合伙人许清禾律师, 店长赵女士: a role, then a name with its title
        return _Speaker(name, subject, subject[: len(subject) - length], cue)
    if any(core.endswith(h) for h in lex.honorifics) and len(core) <= 5:
        return _Speaker(core, subject, None, cue)
    rest = _after_last_role(core, lex)
    if rest is not None:
        if rest and _NAME.match(rest) and rest not in lex.not_nicknames:
            return _Speaker(rest, subject, subject[: len(subject) - len(rest)], cue)
        if not rest or rest in lex.not_nicknames:
            return _Speaker(None, subject, core, cue)  # 前台小姐姐: the receptionist, unnamed
    if subject.startswith(tuple(lex.indefinites)):
        return _Speaker(None, subject, subject, cue)  # 另一家景区表示, 一家研究机构估算: unnamed, described
    if any(core.endswith(s) for s in lex.org_suffixes):
        return _Speaker(core, subject, None, cue)
    if _NAME.match(core):
        return _Speaker(core, subject, None, cue)
    return None


def _strip_openers(subject: str, lex: ZhLexicon) -> str:
    """The subject without a conjunction opening its clause (但物业 → 物业)."""
    opener = next((w for w in sorted(lex.openers, key=len, reverse=True) if subject.startswith(w)), "")
    return subject[len(opener) :] if len(subject) > len(opener) else subject


def _someone(sentence: str, c: _Compiled) -> _Speaker | None:
    """An unnamed person a sentence opens a clause with, though they say nothing in it
    (上个月，一位家长在咨询时给我们看了协议): whom a 他/她 in the next sentence means."""
    m = c.someone.search(sentence)
    return _Speaker(None, m.group("who"), m.group("who"), "") if m else None


def _asked(sentence: str, c: _Compiled) -> _Speaker | None:
    """Whom the writer asked, described by a role, when the clause ends there (我去年问过园区的
    法务，她说…): whom a 他/她 after it means."""
    m = c.asked.search(sentence)
    return _Speaker(None, m.group("who"), m.group("who"), "") if m else None


def _met_by_writer(subject: str, lex: ZhLexicon) -> bool:
    """我们走访的一家乐园负责人: someone the writer describes (after 的, a role), not the writer."""
    core = subject.rsplit("的", 1)[-1] if "的" in subject else ""
    return bool(core) and any(core.endswith(n) for n in lex.role_nouns)


def _titled_name(core: str, lex: ZhLexicon) -> tuple[str, int] | None:
    """A role, then a name with a title after it (合伙人许清禾律师), or a surname with an
    honorific (店长赵女士): the titled name and its length."""
    title = max(
        (t for t in (*lex.honorifics, *lex.role_nouns) if core.endswith(t) and len(core) > len(t)), key=len, default=""
    )
    if not title:
        return None
    name = _after_last_role(core[: -len(title)], lex)
    if not name:
        return None
    shaped = (_SURNAME if title in lex.honorifics else _NAME).match(name)
    return (name + title, len(name) + len(title)) if shaped else None


def _after_last_role(text: str, lex: ZhLexicon) -> str | None:
    """What follows the last role noun in ``text`` (合伙人刘明远 -> 刘明远; "" when it ends the
    text), or None when it has none."""
    found = [(m.start(), n) for n in lex.role_nouns if n in text for m in re.finditer(re.escape(n), text)]
    # 委员 inside 委员会 is the body's name, not a role: 市卫生健康委员会相关负责人
    found = [(at, n) for at, n in found if not any(text.startswith(o, at) for o in lex.org_suffixes if len(o) > len(n))]
    at, role = max(found, default=(-1, ""))
    return text[at + len(role) :] if at >= 0 else None


@dataclass(frozen=True)
class _Attribution:
    start: int  # of the subject
    cue_start: int
    cue_end: int
    speaker: _Speaker
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
            chars[i] = _MASK
    return "".join(chars)


def _attributions(masked: str, s: int, e: int, c: _Compiled, people: _People) -> list[_Attribution]:
    out: list[_Attribution] = []
    if c.unsourced is not None and (m := c.unsourced.match(masked, s, e)):
        # 据了解，…: what unnamed sources said, nobody named
        out.append(_Attribution(s, s, m.end(), _Speaker(None, "", None, m.group(0).strip(" ，,：:")), "speech"))
    for m in c.according.finditer(masked, s, e):
        sp = _speaker(m.group("subject"), "据", c.lex, people)
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
        while lo > s and masked[lo - 1] not in _CLAUSE_MARKS and masked[lo - 1] != _MASK:
            lo -= 1
        subject = masked[lo : m.start()]
        if m.start() == previous_end:
            continue  # 回应说: the second verb of one attribution, not one with 回应 in its speaker
        previous_end = m.end()
        if subject in c.lex.shared_subject and lo - 1 > s:
            subject = _clause_subject(masked, s, lo - 1, c.lex)  # 商场已将提示牌更换，并表示…: the mall
        sp = _speaker(subject, m.group(0), c.lex, people)
        if sp is not None:
            out.append(_Attribution(lo, m.start(), m.end(), sp, c.kinds[m.group(0)]))
    out.sort(key=lambda a: a.cue_start)
    return out


def _clause_subject(masked: str, s: int, end: int, lex: ZhLexicon) -> str:
    """The subject the clause ending at ``end`` opens with: its words before the first word
    that starts a predicate (商场[已将提示牌更换为…] → 商场)."""
    lo = end
    while lo > s and masked[lo - 1] not in _CLAUSE_ENDS:
        lo -= 1  # over quotations: 更换为“人脸识别区域”字样
    clause = masked[lo:end]
    cut = min((k for w in lex.predicate_starts if (k := clause.find(w)) > 0), default=-1)
    return clause[:cut] if cut > 0 else ""


@dataclass
class _Sentence:
    start: int
    end: int
    quotes: list[tuple[int, int]]
    attrs: list[_Attribution]
    opener: _Attribution | None = None  # no cue, but opens with a speaker named before (高原对此并不回避。)


def _analyse(passages: Sequence[Passage]) -> dict[str, list[_Sentence]]:
    c = _compiled(_default_path())
    people = _People()
    out: dict[str, list[_Sentence]] = {}
    for p in passages:
        quotes = _quote_spans(p.text)
        masked = _masked(p.text, quotes)
        spans = p.sentences or ((0, len(p.text)),)
        sentences: list[_Sentence] = []
        for s, e in _merge_quoted(p.text, spans, quotes, c.verb):
            if (addressee := _asked(masked[s:e], c)) is not None:
                people.see(addressee, c.lex)  # 我问过园区的法务，她说…: 她 is that officer
            attrs = _attributions(masked, s, e, c, people)
            for a in attrs:
                if a.speaker.name or a.speaker.role:
                    people.see(a.speaker, c.lex)
            if not attrs and (someone := _someone(masked[s:e], c)) is not None:
                people.see(someone, c.lex)  # 一位家长给我们看了协议。她说，…: 她 is that parent
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
    speech = [a for a in sentence.attrs if a.kind == "speech"]
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
                long_enough = len(_HAN.findall(p.text[q[0] + 1 : q[1]])) >= MIN_UNATTRIBUTED_CHARS
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
    lex = _compiled(_default_path()).lex

    def is_name(label: str) -> bool:
        sp = _speaker(label, "：", lex, _People())
        return sp is not None and sp.name is not None and not sp.role

    asker = meta.extra.get("interviewer") if meta.extra else None
    return [turn_annotation(passages[t.passage], t) for t in all_turns(passages, is_name, asker)]


def find_reported_speech_zh(passages: Sequence[Passage], meta: DocumentMeta) -> list[Annotation]:
    """Sentences that report someone's words or views without a quotation they introduce."""
    analysed = _analyse(passages)
    c = _compiled(_default_path())
    out: list[Annotation] = []
    for p in passages:
        if p.kind == "heading":
            continue  # 四、家长说“不”: a section's title, nobody reported
        sentences = analysed[p.id]
        reasoning = _reasoning(p.text, sentences)
        for sentence in sentences:
            if not sentence.attrs:
                text = p.text[sentence.start : sentence.end]
                if reasoning is not None and c.verb.search(text) is None and not text.lstrip().startswith("《"):
                    out.append(_annotation(p, "reported_speech", sentence.start, sentence.end, reasoning, "continued"))
                continue
            # A sentence mostly quoted is the quotation's; terms in quotes (「事后救济」) are not.
            quoted = sum(c - o - 1 for o, c in sentence.quotes)
            if quoted * 2 < sentence.end - sentence.start:
                out.append(_annotation(p, "reported_speech", sentence.start, sentence.end, sentence.attrs[0], "direct"))
    return _resolve_references(out, passages, meta)


def _reasoning(text: str, sentences: Sequence[_Sentence]) -> _Attribution | None:
    """A paragraph a body's view opens (本院认为，…; 法院认为，…): its reasoning, which the
    paragraph's later sentences go on with, unless they have a reporting verb of their own
    or open with a text's name (《办法》亦规定…: the text's voice)."""
    a = sentences[0].attrs[0] if sentences and sentences[0].attrs else None
    if a is None or a.kind != "view" or text[sentences[0].start : a.start].strip():
        return None
    lex = _compiled(_default_path()).lex
    words = (*lex.self_references, *lex.issuer_words, *lex.generic_orgs)
    return a if a.speaker.mention in words or _body_name(a.speaker.name or "", lex) else None


@lru_cache(maxsize=4)
def _defined_party_line(parties: tuple[str, ...]) -> re.Pattern[str] | None:
    """A line defining a party of an official decision: ``当事人：甲公司``."""
    return (
        re.compile(rf"^\s*({_alternation(parties)})\s*[：:]\s*([^，,。；;\s]{{2,40}})\s*(?:$|[，,])")
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
    lex = _compiled(_default_path()).lex
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
