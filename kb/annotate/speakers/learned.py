"""Reported speech the rules miss, decided by two small learned models over sentences and
(sentence, speaker) pairs.

The rules (reporting verbs beside a speaker) are precise but miss reported speech with a verb
they do not list ("The court reasoned …", "Hospitals argue …", 法院认为 without the subject in
the sentence) and speakers introduced a sentence or a paragraph earlier. Every sentence the
rules leave unannotated (no quote or reported-speech annotation overlaps it) is put to:

1. **is it reported speech?** — a logistic model (:func:`kb.learn.linear.fit_binary`) over the
   sentence's features (:data:`SENTENCE_FEATURES`): its reporting-word score (the largest
   log-odds, and the count of strong ones, of its words — English stems, Chinese character
   pairs — for being in labelled reported speech: a vocabulary fitted from the labels, not
   listed by hand), quote marks, a colon, a pronoun or a known speaker at its opening, whether
   the sentences beside it are speech by the rules, how much of the document is;
2. **whose?** — a softmax over its candidate speakers and "none"
   (:func:`kb.learn.linear.fit_choice`, :data:`CANDIDATE_FEATURES`): each speaker the rules
   found in the document (mentioned here by name, by a word of it or by its kind — "the
   court" for "Linhai Intermediate People's Court", 法院; at the opening; spoke last; how
   recently and how often), each person an English sentence names whom the rules never
   heard, and an unnamed speaker when the sentence's subject is a role noun phrase ("Two
   universities| told us …", "A spokesperson for X", 多位业主, 工作人员; the lexicons' role
   nouns) — never merely its opening words. The best-scored candidate is the speaker.

A sentence becomes a ``reported_speech`` annotation (``data["cue"] = "learned"``) when the first
model's probability reaches the stored ``threshold`` and its speaker's share of the second's
softmax reaches ``speaker_threshold``. The weights, the thresholds and the
vocabulary are data, ``corpus/speakers/learned.toml``, written by ``scripts/fit_speakers.py``
(which prints leave-one-set-out figures); nothing is fitted at run time.

>>> from kb.model import Passage
>>> ps = [Passage("d", 1, "Regulators argue that the rule is weak.", sentences=((0, 40),))]
>>> sorted(tokens(ps[0].text, zh=False))[:3]
['argu', 'is', 'regulator']
>>> [c.role for c in sentence_cases(ps, False, [], {"argu": 2.0})[0].candidates]
['Regulators']
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.annotate.speakers.lexicon import _lexicon
from kb.annotate.speakers.people import _parse_run
from kb.datafiles import RuleModel, load_rules
from kb.learn.linear import LinearModel
from kb.model import Annotation, Passage
from kb.settings import get_settings

MODEL_PATH = Path("speakers") / "learned.toml"  # relative to settings.corpus_dir

# What describes a sentence (for the first model: is it reported speech?), each a number.
SENTENCE_FEATURES: tuple[str, ...] = (
    "cue",  # its largest reporting-word log-odds (0 when none is positive)
    "cue_zh",  # the same, in a Chinese document
    "cue_count",  # how many of its words have a log-odds above 1, over 3 (at most 1)
    "cue_count_zh",  # the same, in a Chinese document (character pairs above 1.5)
    "lexicon_verb",  # it has a reporting verb of the rules' lexicon (whose speaker they did not find)
    "quoted",  # it has quote marks
    "colon",  # it has a colon (X表示：…, "… asked: …")
    "first_person",  # it opens with I / we / 我 / 我们 (the author's own doing, seldom labelled)
    "near_rule",  # the sentence before or after is reported speech or a quote by the rules
    "passage_rule",  # another sentence of its passage is
    "density",  # the share of the document's sentences the rules found speech in
    "short",  # it is under 8 words (English) or 15 characters (Chinese)
    "names_speaker",  # it mentions a speaker the rules found in the document
    "opens_with_speaker",  # ... at its opening (the subject)
    "body_word",  # it names a speaking organisation by its kind ("the court", 法院)
    "pronoun",  # it opens with a pronoun (he / she / they / 他 / 她)
    "plural",  # its opening noun looks plural (Regulators, Hospitals)
)
# What describes a candidate speaker (for the second model: whose is it?).
CANDIDATE_FEATURES: tuple[str, ...] = (
    "named",  # the candidate is a speaker the rules named
    "in_sentence",  # the sentence mentions them (name, a word of it)
    "subject",  # the mention opens the sentence
    "body_word",  # the sentence names their kind ("the court", 法院) without the name
    "last_speaker",  # they are the last speaker the rules attributed before this sentence
    "recency",  # 1 / (1 + sentences since they last spoke or were mentioned)
    "frequency",  # log(1 + their annotations in the document) / 3
    "pronoun",  # the sentence opens with a pronoun and they are the last speaker
    "heard",  # the rules found them speaking (not only named: a court, a company)
    "new",  # a person the sentence names whom the rules never heard speak
    "author",  # the document's author, for a sentence in the first person
    "unnamed",  # the sentence's opening words as a role
    "plural",  # the opening noun looks plural (Regulators, Hospitals)
    "capital",  # the opening word is capitalised and no person the rules know
)

_EN_WORD = re.compile(r"[A-Za-z][a-z’'\-]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_PRONOUN_EN = re.compile(r"^(?:He|She|They|It)\b")
_PRONOUN_ZH = re.compile(r"^(?:他|她|他们|她们|对方|该负责人|其)")
_FIRST_PERSON = re.compile(r"^(?:I|We|My|Our|我|我们)\b|^(?:我|我们)")
_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "some", "many", "several", "most"})


def _stem(word: str) -> str:
    """A crude English stem: lower case, a plural or tense ending cut, then a final e (argue,
    argues, argued, arguing -> argu)."""
    w = word.lower().replace("’", "'")
    for end in ("ing", "ed", "es", "s"):
        if w.endswith(end) and len(w) - len(end) >= 3:
            w = w[: -len(end)]
            break
    return w[:-1] if w.endswith("e") and len(w) >= 4 else w


def tokens(sentence: str, zh: bool) -> set[str]:
    """The tokens the reporting-word vocabulary is over: Chinese character pairs, English stems."""
    if zh:
        han = "".join(ch if _HAN.match(ch) else " " for ch in sentence)
        return {w[k : k + 2] for w in han.split() for k in range(len(w) - 1)}
    return {_stem(w) for w in _EN_WORD.findall(sentence)}


@dataclass(frozen=True)
class Candidate:
    """One possible speaker of a sentence: a name (the rules found it, or the sentence names a
    person), or an unnamed role."""

    speaker: str  # "" for the unnamed candidate
    role: str
    features: Mapping[str, float]


@dataclass(frozen=True)
class SentenceCase:
    """A sentence the rules left unannotated, with its candidate speakers."""

    passage: Passage
    start: int
    end: int
    zh: bool
    features: Mapping[str, float]
    candidates: tuple[Candidate, ...]

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]


@dataclass
class _Spoke:
    name: str
    role: str
    count: int
    last: int  # sentence index of the last annotation or mention


def _spans(p: Passage) -> list[tuple[int, int]]:
    spans = list(p.sentences) or [(0, len(p.text))]
    return [(s, e) for s, e in spans if p.text[s:e].strip()]


def _mentions(name: str, sentence: str, zh: bool) -> int | None:
    """Where the sentence mentions the name (whole, or a word of two letters or more; in
    Chinese the whole name or its surname with a title such as 女士 / 某), else None."""
    if not name:
        return None
    if (at := sentence.find(name)) >= 0:
        return at
    if zh:
        m = re.search(re.escape(name[0]) + r"(?:某|女士|先生|老师|律师|教授|法官|主任|经理)", sentence)
        return m.start() if m and len(name) <= 4 else None
    for word in name.split():
        if len(word) >= 3 and word[0].isupper() and (m := re.search(rf"\b{re.escape(word)}\b", sentence)):
            return m.start()
    return None


_BODY_EN = re.compile(
    r"\b[Tt]he\s+(court|company|council|office|regulator|chain|hotel|firm|operator|school|district)\b"
)
_BODY_ZH = ("法院", "公司", "网信办", "局", "委员会", "协会", "学校", "医院", "平台", "物业")


def _body_word(name: str, sentence: str, zh: bool) -> bool:
    """The sentence names the organisation by its kind alone ("the court", 法院)."""
    if zh:
        return any(name.endswith(w) and w in sentence and name not in sentence for w in _BODY_ZH)
    m = _BODY_EN.search(sentence)
    return m is not None and m.group(1) in name.lower()


_NP_WORD = re.compile(r"[A-Za-z][A-Za-z’'\-]*")
_ROLE_TAIL = re.compile(
    r"\s+(?:(?:for|at|of|from|with|in)\s+(?:the\s+)?(?:[A-Z][\w’'\-]*\s*){1,6}|(?:polled|surveyed|interviewed|asked))"
)


def _singular(word: str) -> str:
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


@lru_cache(maxsize=1)
def _role_heads() -> frozenset[str]:
    """The nouns an unnamed speaker's description ends in: the lexicon's people's and
    institutions' role nouns and its organisation words (court, university), lower case."""
    lex = _lexicon()
    return lex.role_nouns | frozenset(w.lower() for w in lex.org_words)


def _english_role(s: str, cues: Mapping[str, float]) -> tuple[str, str] | None:
    """The role noun phrase opening ``s`` (determiners, a number or up to three modifiers, then
    a role noun: "a spokesperson for Kestrel Retail", "one distributor", "residents polled",
    "Two universities"), and its head noun; None when the opening is no such phrase."""
    words = [m for m in _NP_WORD.finditer(s[:120])][:6]
    heads = _role_heads()

    def is_head(w: str) -> bool:
        return _singular(w) in heads or w.lower() in heads

    for k, m in enumerate(words):
        if s[words[0].start() : m.start()].count(",") or (k and words[k - 1].end() != m.start() - 1):
            return None  # the phrase is unbroken words
        if k >= 4 or cues.get(_stem(m.group()), 0.0) > 1:
            return None  # a reporting word before any role noun: the subject is no role
        if is_head(m.group()):
            lead = [w.group().lower() for w in words[:k]]
            if any(w in _DETERMINERS for w in lead[1:]):
                return None
            while k + 1 < len(words) and words[k + 1].start() == m.end() + 1 and is_head(words[k + 1].group()):
                k, m = k + 1, words[k + 1]  # "cyberspace office": the last noun heads the phrase
            end = m.end()
            if tail := _ROLE_TAIL.match(s, end):
                end = tail.end()
            phrase = s[words[0].start() : end].strip()
            return phrase, m.group()
    return None


def _chinese_role(before: str) -> str | None:
    """The role noun phrase that ends the words before a reporting verb (多位业主, 小区物业,
    与会者), from the lexicon's role nouns and generic organisations; None when it ends in none."""
    from kb.annotate.speakers.zh import load_zh_lexicon  # zh.py uses this module

    lex = load_zh_lexicon()
    nouns = sorted({*lex.role_nouns, *lex.generic_orgs}, key=len, reverse=True)
    head = next((n for n in nouns if before.endswith(n)), "者" if len(before) >= 3 and before.endswith("者") else None)
    if head is None:
        return None
    lead = before[: len(before) - len(head)]
    lead = re.split(r"[了到在是把被对从向给将已也还都就]", lead)[-1][-4:]
    return lead + head


def _opening_role(sentence: str, zh: bool, known: set[str], cues: Mapping[str, float]) -> tuple[str, dict[str, float]]:
    """The sentence's subject as an unnamed role, when it is a role noun phrase: in English
    the phrase opening it ("Two universities told us …", "A spokesperson for X said …"), after
    an opening phrase ("On damages, |the court …"), or the source of "According to X, …"; in
    Chinese the phrase ending in a role noun right before its first reporting word
    (与会者|表示); and what describes it. ``("", {})`` when the subject is no such phrase."""
    s = sentence.strip().lstrip("“\"'‘(（")
    if zh:  # the words before the first reporting pair, back to the clause's start
        at = next((k for k in range(len(s) - 1) if cues.get(s[k : k + 2], 0.0) > 1.5), None)
        if at is None:
            return "", {}
        start = max([0, *(m.end() for m in re.finditer(r"[，,：:。；“”]", s[:at]))])
        return (_chinese_role(s[start:at]) or ""), {}
    source = re.match(r"[Aa]ccording to (?P<who>[^,;:.]{2,60})", s)
    if source:  # "According to a spokesperson for X, …": the source is the speaker
        s = source.group("who")
    else:
        lead = re.match(r"(?:[\w’'\-]+\s){0,2}[\w’'\-]+,\s+(?=[a-z]|the\b)", s)
        if lead:  # "On damages, the court awarded …": the subject follows the opening phrase
            s = s[lead.end() :]
    found = _english_role(s, cues)
    if found is None:
        return "", {}
    phrase, head = found
    words = phrase.split()
    while words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    return " ".join(words), {
        "plural": float(head.lower().endswith("s") and not head.lower().endswith("ss")),
        "capital": float(words[0][:1].isupper() and words[0] not in known) if words else 0.0,
    }


# A Chinese body's whole name: it starts after a clause boundary or a preposition
# (记者从|岚江市网信办了解到), holds no verb or particle (原告遂诉至法院 is no name), names a
# place or a kind of business (青澜市中级人民法院, 识界科技有限公司) and ends in a body's suffix.
_ORG_ZH = re.compile(
    r"(?:^|(?<=[，。；：、“”（）《》\s从向据由对与和被经在]))"
    r"(?=(?P<name>[\u4e00-\u9fff]{2,12}?(?:人民法院|法院|检察院|人民检察院|委员会|网信办|办公室|管理局|公安局|局|办"
    r"|有限责任公司|有限公司|公司|集团|协会|研究院)))"
)
_ORG_ZH_NOT = re.compile(r"[诉至遂向到了的在是把被对从给将已也还都就称说表示认为指出这那其该此我你他她]")
_ORG_ZH_PLACE = re.compile(r"[省市区县镇州]|中国|国家|最高|科技|网络|信息|技术|智能|数据|有限")


def _organisations(text: str, zh: bool) -> list[str]:
    """The organisations a sentence names (a court, a company, an office), in order."""
    if zh:
        names = [m.group("name") for m in _ORG_ZH.finditer(text)]
        names = [n for n in names if not _ORG_ZH_NOT.search(n) and _ORG_ZH_PLACE.search(n)]
        return [n for n in dict.fromkeys(names) if not any(n != o and n in o for o in names)]
    lex = _lexicon()
    out = []
    for m in lex.run_re.finditer(text):
        words = m.group(0).split()
        while words and (words[0] in lex.stopwords or words[0] in ("The", "the")):  # "Since", "The"
            words = words[1:]
        if len(words) >= 2 and words[-1] in lex.org_words and words[-1] not in lex.documents:
            out.append(" ".join(words))  # "Linhai Intermediate People's Court", not "… Privacy Act"
    return out


def _reporting_verb(zh: bool) -> re.Pattern[str]:
    """The rules' reporting verbs (``reporting_verbs.toml``, ``zh.toml``) as one pattern."""
    if zh:
        from kb.annotate.speakers.zh import reporting_verb_re  # zh.py uses this module

        return reporting_verb_re()
    return _lexicon().cue_re


def _names_here(text: str) -> list[str]:
    """The people an English sentence names (two or three capitalised words, no organisation)."""
    lex = _lexicon()
    out = []
    for m in lex.run_re.finditer(text):
        name = _parse_run(m.group(0), lex)
        if name is not None and not name.is_org and 2 <= len(name.tokens) <= 3:
            out.append(" ".join(name.tokens))
    return out


def sentence_cases(
    passages: Sequence[Passage],
    zh: bool,
    rules: Sequence[Annotation],
    cues: Mapping[str, float],
    authors: Sequence[str] = (),
) -> list[SentenceCase]:
    """The sentences no rule annotation overlaps, each with its candidates and their features.

    ``rules`` are the document's quote and reported-speech annotations by the rules, ``cues``
    the reporting-word vocabulary (token -> log-odds), ``authors`` the document's (the
    speaker of "I asked …").
    """
    by_passage: dict[str, list[Annotation]] = {}
    for a in rules:
        by_passage.setdefault(a.target_id, []).append(a)
    flat: list[tuple[Passage, int, int, bool]] = []  # passage, start, end, annotated by the rules
    for p in passages:
        if p.kind == "heading":
            continue
        mine = by_passage.get(p.id, [])
        for s, e in _spans(p):
            hit = any(a.start < e and a.end > s for a in mine)
            flat.append((p, s, e, hit))
    density = sum(h for *_, h in flat) / max(1, len(flat))
    spoke: dict[str, _Spoke] = {}
    for p in passages:  # a body named in a heading speaks later as "the court" too
        if p.kind == "heading":
            for name in _organisations(p.text, zh):
                spoke.setdefault(name, _Spoke(name, "", 0, 0))
    last_speaker = ""
    out: list[SentenceCase] = []
    for k, (p, s, e, hit) in enumerate(flat):
        text = p.text[s:e]
        here = [a for a in by_passage.get(p.id, []) if a.start < e and a.end > s]
        for name in _organisations(text, zh):  # named bodies speak later as "the court", 法院
            if name not in spoke and not any(name in n or n in name for n in spoke):
                spoke[name] = _Spoke(name, "", 0, k)
        for name, sp in spoke.items():
            if _mentions(name, text, zh) is not None:
                sp.last = k
        if hit:
            for a in here:
                name = str(a.data.get("speaker") or "")
                if name:
                    sp = spoke.setdefault(name, _Spoke(name, str(a.data.get("role") or ""), 0, k))
                    sp.count, sp.last, last_speaker = sp.count + 1, k, name
            continue
        out.append(_case(p, s, e, zh, k, flat, density, spoke, last_speaker, cues, authors))
    return out


def _case(
    p: Passage,
    s: int,
    e: int,
    zh: bool,
    k: int,
    flat: Sequence[tuple[Passage, int, int, bool]],
    density: float,
    spoke: Mapping[str, _Spoke],
    last_speaker: str,
    cues: Mapping[str, float],
    authors: Sequence[str],
) -> SentenceCase:
    text = p.text[s:e]
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    weights = [cues.get(t, 0.0) for t in tokens(text, zh)]
    size = len(_HAN.findall(text)) if zh else len(text.split())
    pronoun = bool((_PRONOUN_ZH if zh else _PRONOUN_EN).match(stripped))
    candidates: list[Candidate] = []
    for name, sp in spoke.items():
        at = _mentions(name, text, zh)
        candidates.append(
            Candidate(
                name,
                sp.role,
                {
                    "named": 1.0,
                    "in_sentence": float(at is not None),
                    "subject": float(at is not None and at <= (2 if zh else 4) + lead),
                    "body_word": float(_body_word(name, text, zh)),
                    "last_speaker": float(name == last_speaker),
                    "recency": 1.0 / (1.0 + k - sp.last),
                    "frequency": math.log1p(sp.count) / 3,
                    "pronoun": float(pronoun and name == last_speaker),
                    "heard": float(sp.count > 0),
                },
            )
        )
    if not zh:  # people named here whom the rules never heard speak ("Gym owner Wu Haifeng … said")
        heard = {w for n in spoke for w in n.split()}
        for name in dict.fromkeys(_names_here(text)):
            if not set(name.split()) & heard:
                at = text.find(name)
                subject = float(at <= 4 + lead + 20)
                candidates.append(
                    Candidate(name, "", {"named": 1.0, "in_sentence": 1.0, "new": 1.0, "subject": subject})
                )
    if authors and _FIRST_PERSON.match(stripped):  # "I asked …": the author's own speech act
        candidates.append(Candidate(", ".join(authors), "", {"named": 1.0, "author": 1.0}))
    role, described = _opening_role(text, zh, {w for n in spoke for w in n.split()}, cues)
    if role and not any(c.features.get("body_word") for c in candidates):  # "the court": the one named before
        candidates.append(Candidate("", role, {"unnamed": 1.0, **described}))
    named = [c.features for c in candidates if c.speaker]
    features = {
        "cue_zh" if zh else "cue": max([0.0, *weights]),
        "cue_count_zh" if zh else "cue_count": min(1.0, sum(w > (1.5 if zh else 1) for w in weights) / 3),
        "lexicon_verb": float(_reporting_verb(zh).search(text) is not None),
        "quoted": float(bool(re.search(r"[“”\"「」]", text))),
        "colon": float(bool(re.search(r"[:：]", text))),
        "first_person": float(bool(_FIRST_PERSON.match(stripped))),
        "near_rule": float(any(0 <= j < len(flat) and flat[j][3] for j in (k - 1, k + 1))),
        "passage_rule": float(any(q is p and hit for q, _, _, hit in flat)),
        "density": density,
        "short": float(size < (15 if zh else 8)),
        "names_speaker": float(any(f.get("in_sentence", 0.0) for f in named)),
        "opens_with_speaker": float(any(f.get("subject", 0.0) for f in named)),
        "body_word": float(any(f.get("body_word", 0.0) for f in named)),
        "pronoun": float(pronoun),
        "plural": described.get("plural", 0.0),
    }
    return SentenceCase(p, s, e, zh, features, tuple(candidates))


class _ModelFile(RuleModel):
    version: int
    trained_on: str
    threshold: float
    speaker_threshold: float
    detect: dict[str, float]
    speaker: dict[str, float]
    cues: dict[str, float]


@dataclass(frozen=True)
class SpeechModel:
    """The two fitted models (is it reported speech? whose?), their thresholds (the
    detector's probability, the chosen speaker's share of the softmax) and the reporting-word
    vocabulary."""

    detect: LinearModel
    speaker: LinearModel
    threshold: float
    speaker_threshold: float
    cues: Mapping[str, float]


@lru_cache(maxsize=2)
def load_speech_model(path: Path | None = None) -> SpeechModel:
    data = load_rules(path or get_settings().corpus_dir / MODEL_PATH, _ModelFile, "speaker model")
    return SpeechModel(
        LinearModel.from_table(data.detect),
        LinearModel.from_table(data.speaker),
        data.threshold,
        data.speaker_threshold,
        data.cues,
    )


@dataclass(frozen=True)
class Scored:
    """A sentence with the detector's probability, its best candidate and that one's share."""

    case: SentenceCase
    probability: float
    pick: Candidate | None
    share: float


def score_cases(cases: Sequence[SentenceCase], model: SpeechModel) -> list[Scored]:
    """Every sentence scored by both models (the thresholds not yet applied)."""
    out = []
    for case in cases:
        shares = model.speaker.choice([c.features for c in case.candidates])
        best = max(range(len(shares)), key=shares.__getitem__, default=None)
        pick, share = (case.candidates[best], shares[best]) if best is not None else (None, 0.0)
        out.append(Scored(case, model.detect.probability(case.features), pick, share))
    return out


def decide(cases: Sequence[SentenceCase], model: SpeechModel) -> list[tuple[SentenceCase, Candidate]]:
    """The sentences the first model judges reported speech (its probability reaches
    ``threshold``) whose best candidate's share reaches ``speaker_threshold``, with that
    candidate: a sentence whose speaker is unsure gets no annotation at all."""
    return [
        (s.case, s.pick)
        for s in score_cases(cases, model)
        if s.pick is not None and s.probability >= model.threshold and s.share >= model.speaker_threshold
    ]


def annotation(case: SentenceCase, c: Candidate) -> Annotation:
    """The ``reported_speech`` annotation of a sentence the model decided, ``cue = "learned"``."""
    return Annotation(
        target_id=case.passage.id,
        kind="reported_speech",
        label=c.speaker,
        start=case.start,
        end=case.end,
        text=case.text,
        data={"speaker": c.speaker or None, "mention": None, "role": c.role or None, "cue": "learned"},
    )


def learned_speech(
    passages: Sequence[Passage],
    zh: bool,
    rules: Sequence[Annotation],
    model: SpeechModel | None = None,
    authors: Sequence[str] = (),
) -> list[Annotation]:
    """Reported-speech annotations for the sentences the model adds to the rules' ``rules``."""
    m = model or load_speech_model()
    return [annotation(case, c) for case, c in decide(sentence_cases(passages, zh, rules, m.cues, authors), m)]
