"""Who the words before a Chinese reporting cue are: a name, a role, a body, a pronoun, or nobody.

:func:`subject_speaker` reads a subject (刘明远还, 市网信办相关负责人, 该负责人, 我妈, 如果酒店)
against the lexicon (``corpus/speakers/zh.toml``) and the people a document has named so far
(:class:`People`, for 他 and 该负责人).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.annotate.nlp import person_names_zh, words_zh
from kb.annotate.speakers.zh_lexicon import HAN, Compiled, ZhLexicon, setting_pattern
from kb.text.numerals import NUMERAL_CHARS

__all__ = ["NAME", "People", "Speaker", "asked", "body_name", "chained_speaker", "someone", "subject_speaker"]

NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
PERSON_NAME_MAX = 3  # Chinese personal names are two or three characters, a few four
SURNAME = re.compile(r"^[\u4e00-\u9fff]{1,2}$")  # before 女士, 先生: 赵女士, 欧阳先生


@dataclass(frozen=True)
class Speaker:
    name: str | None  # a person's or organisation's name; None for "市网信办相关负责人"
    mention: str  # the words of the text
    role: str | None
    cue: str

    @property
    def label(self) -> str:
        """The name, else the role it is described by (技术人员), else the words."""
        return self.name or self.role or self.mention


class People:
    """Who has been named so far in a document, for 他 and 该负责人."""

    def __init__(self) -> None:
        self.last_person: Speaker | None = None
        self.by_role: dict[str, Speaker] = {}
        self.bodies: list[str] = []  # named organisations that spoke, in order
        self.speakers: dict[str, Speaker] = {}  # people who spoke under their name, by name

    def see(self, sp: Speaker, lex: ZhLexicon) -> None:
        self.last_person = sp
        for noun in lex.role_nouns:
            if (sp.role or sp.mention).endswith(noun):
                self.by_role[noun] = sp
        if sp.name and not sp.role and body_name(sp.name, lex):
            self.bodies.append(sp.name)
        if sp.name and NAME.match(sp.name):
            self.speakers[sp.name] = sp

    def named_at(self, text: str, pos: int) -> Speaker | None:
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


def body_name(name: str, lex: ZhLexicon) -> bool:
    """An organisation's name: it ends in an organisation's word (…人民法院, …网信办), or is a
    name of more than three characters with no honorific (识界科技, not 欧阳女士)."""
    kinds = (*lex.org_suffixes, *lex.generic_orgs)
    return name.endswith(kinds) or (len(name) > PERSON_NAME_MAX and not name.endswith(tuple(lex.honorifics)))


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


def subject_speaker(subject: str, cue: str, lex: ZhLexicon, people: People) -> Speaker | None:
    """Who ``subject`` (the words before a reporting verb) is, or None when nobody speaks."""
    subject = _strip_adverbs(_strip_openers(subject.strip(), lex), lex)
    if (setting := setting_pattern(lex.addressee_marks, lex.topic_marks).search(subject)) and setting.start() > 0:
        subject = _strip_adverbs(subject[: setting.start()], lex)
    if subject in lex.adverbs or subject in lex.openers:
        return None  # 最后提醒一句, 于是追问: no subject at all
    if subject.endswith(tuple(lex.modals)) or subject.startswith(tuple(lex.reader_words)):
        return None  # 主要是想告诉…, 你可以去问: an intention, advice to the reader, not a speech act
    if subject.startswith(tuple(lex.conditionals)):
        return None  # 如果酒店说…: a supposition
    close = next((w + k for w in ("我的", "我") for k in lex.writer_kin if subject.startswith(w + k)), None)
    if close is not None:
        return Speaker(None, subject, close, cue)  # 我妈说, 我邻居看了门板后说: someone close to the writer
    if subject.startswith(tuple(lex.writer_words)) and not _met_by_writer(subject, lex):
        return None  # the writer's own view (我很难认为…): the author's voice, not a quoted speaker
    if _TEXT_SUBJECT.search(subject):
        return None  # 同一条还说, 第十条规定: a text, not a speaker
    if not subject or not HAN.search(subject) or any(m in subject for m in "《》【") or len(subject) > 30:
        return None
    if subject in lex.not_speakers or any(subject.endswith(w) for w in lex.not_speakers if len(w) > 1):
        return None
    if subject in lex.pronouns:
        return people.last_person and Speaker(people.last_person.name, subject, people.last_person.role, cue)
    for dem in lex.demonstratives:
        if subject.startswith(dem) and subject[len(dem) :] in lex.role_nouns:
            earlier = people.by_role.get(subject[len(dem) :])
            if earlier is not None:
                return Speaker(earlier.name, earlier.mention, earlier.role, cue)
            return Speaker(None, subject, subject[len(dem) :], cue)
    core = subject.rsplit("的", 1)[-1] if "的" in subject else subject
    kind = next((subject[len(d) :] for d in ("", *lex.demonstratives) if subject[len(d) :] in lex.generic_orgs), None)
    if kind is not None:  # 法院, 该公司: a kind of body
        if (named := people.body(kind, lex)) is not None:
            return Speaker(named, subject, None, cue)  # 临溪区人民法院认为…。法院判令…: that court
        return Speaker(None, subject, subject, cue)  # 法院认为, 主办方表示: a kind of body, unnamed
    if (titled := _titled_name(core, lex)) is not None:
        name, length = titled  # 合伙人许清禾律师, 店长赵女士: a role, then a name with its title
        return Speaker(name, subject, subject[: len(subject) - length], cue)
    if any(core.endswith(h) for h in lex.honorifics) and len(core) <= 5:
        return Speaker(core, subject, None, cue)
    rest = _after_last_role(core, lex)
    if rest is not None:
        if rest and NAME.match(rest) and rest not in lex.not_nicknames:
            return Speaker(rest, subject, subject[: len(subject) - len(rest)], cue)
        if not rest or rest in lex.not_nicknames:
            return Speaker(None, subject, core, cue)  # 前台小姐姐: the receptionist, unnamed
    if subject.startswith(tuple(lex.indefinites)):
        return Speaker(None, subject, subject, cue)  # 另一家景区表示, 一家研究机构估算: unnamed, described
    if any(core.endswith(s) for s in lex.org_suffixes):
        if core.startswith(tuple(lex.generic_modifiers)):
            return Speaker(None, subject, core, cue)  # 行业机构, 第三方公司: a kind of body, unnamed
        return Speaker(core, subject, None, cue)
    if NAME.match(core):
        return Speaker(core, subject, None, cue)
    return _described_name(subject, cue)


def _described_name(subject: str, cue: str, names: frozenset[str] | None = None) -> Speaker | None:
    """A description the role nouns do not cover, then a name jieba's tagger takes for a
    person's (机械学院大二学生[周恬], 民一庭庭长[卢晴]): the name, described by the rest.
    ``names``: the tagger's names in a longer text the subject opens (tags depend on context)."""
    names = person_names_zh(subject) if names is None else names
    name = max((n for n in names if subject.endswith(n) and 2 <= len(n) <= 3), key=len, default="")
    if not name or len(subject) == len(name):
        return None
    return Speaker(name, subject, subject[: -len(name)].removesuffix("的"), cue)


# How far into a clause its subject may reach when no predicate word marks its end.
_CHAIN_SUBJECT_CHARS = 16


def chained_speaker(clause: str, cue: str, lex: ZhLexicon, people: People) -> Speaker | None:
    """The speaker of a cue with no subject of its own, which Chinese leaves to the clause before
    (a topic chain): that clause's subject, when it is one (商场已将提示牌更换，并表示… → 商场;
    客服打电话过来，说… → 客服; 她愣了一下，说… → 她).

    The subject ends where a predicate word starts (已, 将, 给 …, a word of its own in jieba's
    segmentation); else it is the longest
    opening of the clause that reads as a speaker by a role, a pronoun, an organisation or an
    honorific; a name guessed from its characters only when jieba's tagger takes it for a
    person's name too (周强 in 物业经理周强看了看…, not 打电 in 客服打电话过来).
    """
    ends = _word_ends(clause)
    # the first word that starts a predicate, a word of its own (已 in 商场已将…, not 在 of 实在)
    cut = next(
        (lo for lo, hi in zip([0, *ends], ends, strict=False) if lo > 0 and clause[lo:hi] in lex.predicate_starts), -1
    )
    if cut > 0:  # a name guessed from characters only as a person's (管家小周[让我…]: 小周), not 心里一直[在…]
        sp = subject_speaker(clause[:cut], cue, lex, people)
        if sp is None or sp.role is not None or not _guessed_name(sp, lex, people):
            return sp
        tagged = person_names_zh(clause)
        return sp if sp.name in tagged else _described_name(clause[:cut], cue, tagged)
    names: frozenset[str] | None = None
    for k in sorted((k for k in ends if k <= _CHAIN_SUBJECT_CHARS), reverse=True):
        sp = subject_speaker(clause[:k], cue, lex, people)
        if sp is None:
            continue
        if not _guessed_name(sp, lex, people):
            return sp
        names = person_names_zh(clause) if names is None else names
        if sp.name in names:
            return sp  # 物业经理周强看了看门禁: a name the tagger takes for a person's
    return None


def _word_ends(text: str) -> list[int]:
    """Where jieba's words end in ``text``: a subject ends at a word's end (该办法 is no 该办)."""
    ends, at = [], 0
    for w in words_zh(text):
        at += len(w)
        ends.append(at)
    return ends


def _guessed_name(sp: Speaker, lex: ZhLexicon, people: People) -> bool:
    """A name read only because its characters could be one (two to four of them, after a role
    or alone), not by an honorific or an organisation's word, and not a name that spoke before:
    within a clause's opening, any run of characters would pass (客服[打电话过], 她愣了一)."""
    name = sp.name or ""
    return (
        bool(NAME.match(name))
        and name not in people.speakers
        and not name.endswith((*lex.org_suffixes, *lex.generic_orgs, *lex.honorifics))
    )


def _strip_openers(subject: str, lex: ZhLexicon) -> str:
    """The subject without a conjunction opening its clause (但物业 → 物业)."""
    opener = next((w for w in sorted(lex.openers, key=len, reverse=True) if subject.startswith(w)), "")
    return subject[len(opener) :] if len(subject) > len(opener) else subject


def someone(sentence: str, c: Compiled) -> Speaker | None:
    """An unnamed person a sentence opens a clause with, though they say nothing in it
    (上个月，一位家长在咨询时给我们看了协议): whom a 他/她 in the next sentence means."""
    m = c.someone.search(sentence)
    return Speaker(None, m.group("who"), m.group("who"), "") if m else None


def asked(sentence: str, c: Compiled) -> Speaker | None:
    """Whom the writer asked, described by a role, when the clause ends there (我去年问过园区的
    法务，她说…): whom a 他/她 after it means."""
    m = c.asked.search(sentence)
    return Speaker(None, m.group("who"), m.group("who"), "") if m else None


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
    shaped = (SURNAME if title in lex.honorifics else NAME).match(name)
    return (name + title, len(name) + len(title)) if shaped else None


def _after_last_role(text: str, lex: ZhLexicon) -> str | None:
    """What follows the last role noun in ``text`` (合伙人刘明远 -> 刘明远; "" when it ends the
    text), or None when it has none."""
    found = [(m.start(), n) for n in lex.role_nouns if n in text for m in re.finditer(re.escape(n), text)]
    # 委员 inside 委员会 is the body's name, not a role: 市卫生健康委员会相关负责人
    found = [(at, n) for at, n in found if not any(text.startswith(o, at) for o in lex.org_suffixes if len(o) > len(n))]
    at, role = max(found, default=(-1, ""))
    return text[at + len(role) :] if at >= 0 else None
