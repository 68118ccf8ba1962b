"""Transcript turns: a paragraph that opens with its speaker's name and a colon.

Podcast and interview transcripts, court hearing notes and panel write-ups give each
paragraph to a speaker by a label, not by a reporting verb::

    许安然：大家好，欢迎收听。
    袁清：需要。《个人信息保护法》第三十一条规定……
    FELD: The contract route is the default now.

A US congressional hearing printed by the GPO ends the label with a period instead:
``Chairwoman Park. The subcommittee will come to order.``, ``Mr. SMITH. Thank you.``
The label is a title of ``turns.toml``'s ``titled_labels`` and a name; the name is the
speaker, the title the role (``The Chairman.`` names nobody).

An interview (答记者问) marks turns by role instead: ``记者：…`` asks and ``答：…`` answers,
and the answerer is whoever the introduction says is answering (:func:`interview_turns`).

A label makes a *turn* only in a dialogue: the labels that open paragraphs must include at
least :data:`MIN_SPEAKERS` different names, each opening at least :data:`MIN_TURNS`
paragraphs, so a lone "导读：" or "Update:" line is never a speaker. A label must read as a
person's name (two to four Han characters; or one to three capitalised words, or one word
in capitals, that the English name parser takes for a person), never a role word of the
form (问, 答, Q, A, Note).

The whole text after the label is the speaker's quotation (``attribution="turn"``); the
Chinese and English quote finders add these to the quotations they find by marks and cues.

>>> from kb.model import Passage
>>> ps = [Passage("d", 1, "王一：今天聊人脸识别。"), Passage("d", 2, "李二：好的。"),
...       Passage("d", 3, "王一：先说同意。"), Passage("d", 4, "李二：要单独同意。")]
>>> [(t.passage, t.name, ps[t.passage].text[t.start:t.end]) for t in speaker_turns(ps)][:2]
[(0, '王一', '今天聊人脸识别。'), (1, '李二', '好的。')]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.datafiles import RuleModel, load_rules
from kb.model import Annotation, Passage
from kb.settings import get_settings

__all__ = [
    "MIN_SPEAKERS",
    "MIN_TURNS",
    "Turn",
    "all_turns",
    "chat_turns",
    "interview_turns",
    "reply_turns",
    "speaker_turns",
    "turn_annotation",
]

MIN_SPEAKERS = 2
MIN_TURNS = 2

_ZH_LABEL = re.compile(r"^\s*(?P<name>[\u4e00-\u9fff·]{2,4})\s*[：:]\s*(?=\S)")
_EN_LABEL = re.compile(r"^\s*(?P<name>[A-Z][A-Za-z’'.\-]+(?:\s+[A-Z][A-Za-z’'.\-]+){0,2})\s*:\s+(?=\S)")


@dataclass(frozen=True)
class Turn:
    """Passage ``passage`` (an index) is ``name`` speaking; ``start``/``end`` the words."""

    passage: int
    name: str
    start: int
    end: int
    named: bool = True  # ``name`` is a person's name (else a role: 记者, 答, an official's title)
    role: str | None = None  # a named speaker's tag in a chat export (物业-小陈: 物业; 刘工（2栋）: 2栋)


class _TurnExample(RuleModel):
    lines: tuple[str, ...]
    turns: tuple[tuple[str, str], ...]


class TurnRules(RuleModel):
    """``corpus/speakers/turns.toml``: the labels of hearing lines and reply threads."""

    procedural_roles: tuple[str, ...]
    not_names: tuple[str, ...] = ()
    reply_words: tuple[str, ...]
    reply_words_en: tuple[str, ...] = ()
    titled_labels: tuple[str, ...] = ()
    field_labels: tuple[str, ...] = ()
    examples: tuple[_TurnExample, ...] = ()
    counter_examples: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class _Patterns:
    role_label: re.Pattern[str]  # 审判长王明： / 原告代理人李华： / 被告：
    not_name: re.Pattern[str]
    reply: re.Pattern[str]  # 人力资源部 回复： / HR replied:
    comment: re.Pattern[str]  # 周宇（研发二部）： / Maya (Sales):
    titled: re.Pattern[str]  # Chairwoman Park. / Mr. SMITH. / The Chairman.
    fields: frozenset[str]  # 答案： / 解析： / Note: : a form's or a quiz's field, no speaker


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def rules_path() -> Path:
    return get_settings().corpus_dir / "speakers" / "turns.toml"


@lru_cache(maxsize=4)
def _patterns(path: Path) -> _Patterns:
    rules = load_rules(path, TurnRules, "transcript label rules")
    roles = _alternation(rules.procedural_roles)
    zh_reply = _alternation(rules.reply_words)
    en_reply = _alternation(rules.reply_words_en) if rules.reply_words_en else "(?!)"
    titles = _alternation(rules.titled_labels) if rules.titled_labels else "(?!)"
    return _Patterns(
        role_label=re.compile(rf"^\s*(?P<role>(?:{roles})+)(?P<name>[\u4e00-\u9fff·]{{1,4}})?\s*[：:]\s*(?=\S)"),
        not_name=re.compile(rf"(?:{_alternation(rules.not_names)})$" if rules.not_names else "(?!)"),
        reply=re.compile(
            rf"^\s*(?:(?P<zname>[\u4e00-\u9fff·A-Za-z0-9]{{2,12}}?)\s*(?:{zh_reply})\s*[：:]"
            rf"|(?P<ename>[A-Z][\w’'.\-]*(?:\s+[A-Z][\w’'.\-]*){{0,3}})\s+(?:{en_reply})\s*:)\s*(?=\S)"
        ),
        comment=re.compile(
            r"^\s*(?:(?P<zname>[\u4e00-\u9fff·]{2,5})(?:\s*[（(](?P<ztag>[^）)\n]{1,12})[）)])?\s*[：:]"
            r"|(?P<ename>[A-Z][\w’'.\-]*(?:\s+[A-Z][\w’'.\-]*){0,2})(?:\s*\((?P<etag>[^)\n]{1,20})\))?\s*:)\s*(?=\S)"
        ),
        titled=re.compile(
            rf"^\s*(?:(?P<the>The)\s+(?P<office>(?i:{titles}))|(?P<title>(?:{titles})\.?)\s+"
            r"(?P<name>[A-Z][A-Za-z’'\-]+(?:\s+[A-Z][A-Za-z’'\-]+)?))\.\s+(?=\S)"
        ),
        fields=frozenset(w.casefold() for w in rules.field_labels),
    )


@dataclass(frozen=True)
class _Label:
    passage: int
    label: str  # the whole label, the unit a dialogue repeats
    start: int
    name: str  # the speaker's name, or the role when no name follows it
    named: bool = True
    role: str | None = None
    titled: bool = False  # the GPO form "Mr. Ortiz." (a title, a name and a period)


def _labels(passages: Sequence[Passage]) -> list[_Label]:
    pats = _patterns(rules_path())
    out: list[_Label] = []
    for i, p in enumerate(passages):
        r = pats.role_label.match(p.text)
        if r and r.group("name") and pats.not_name.search(r.group("name")):
            continue  # 原告认为：… is the party's position, reported speech
        if r:
            role, name = r.group("role"), r.group("name")
            label = role + (name or "")
            out.append(_Label(i, label, r.end(), name or role, named=bool(name), role=role if name else None))
            continue
        t = pats.titled.match(p.text)
        if t and t.group("the"):  # "The Chairman." names nobody: the office speaks
            office = t.group("office").title()
            out.append(_Label(i, office, t.end(), office, named=False, titled=True))
            continue
        if t:
            name = t.group("name").title() if t.group("name").isupper() else t.group("name")
            out.append(_Label(i, f"{t.group('title')} {name}", t.end(), name, role=t.group("title"), titled=True))
            continue
        m = _ZH_LABEL.match(p.text) or _EN_LABEL.match(p.text)
        if m and m.group("name").casefold() not in pats.fields:
            out.append(_Label(i, m.group("name"), m.end(), m.group("name")))
    return out


def speaker_turns(passages: Sequence[Passage], is_name: Callable[[str], bool] | None = None) -> list[Turn]:
    """The turns of a transcript, in order; none when the passages are not a dialogue.

    ``is_name`` says whether a label is a person's name (the English finder passes its name
    parser); by default any label of the right shape is.
    """
    labels = _labels(passages)
    counts = Counter(lb.label for lb in labels)
    speakers = {
        lb.label
        for lb in labels
        if counts[lb.label] >= MIN_TURNS and (is_name is None or not lb.named or lb.role or is_name(lb.name))
    }
    if len(speakers) < MIN_SPEAKERS:
        return []
    # In a dialogue of titled labels a witness who speaks once still speaks: the form, a title,
    # a name and a period opening the paragraph, is the label's evidence.
    if any(lb.titled for lb in labels if lb.label in speakers):
        speakers |= {lb.label for lb in labels if lb.titled}
    out: list[Turn] = []
    for lb in labels:
        if lb.label in speakers:
            end = len(passages[lb.passage].text.rstrip())
            if end > lb.start:
                out.append(Turn(lb.passage, lb.name, lb.start, end, named=lb.named, role=lb.role))
    return out


def reply_turns(passages: Sequence[Passage]) -> list[Turn]:
    """A reply thread under a notice or on a Q&A board: each ``X 回复：…`` (``X replied: …``)
    line is X answering, and a labelled line just before it (``周宇（研发二部）：…``) the
    question, its bracketed tag the asker's role. At least :data:`MIN_TURNS` replies.

    >>> ps = [Passage("d", i, t) for i, t in enumerate(["李雷（二部）：能刷卡吗？", "行政部 回复：可以。",
    ...       "韩梅：要多久？", "行政部回复：一周。"])]
    >>> [(t.name, t.role) for t in reply_turns(ps)]
    [('李雷', '二部'), ('行政部', None), ('韩梅', None), ('行政部', None)]
    """
    pats = _patterns(rules_path())
    replies = [(i, m) for i, p in enumerate(passages) if (m := pats.reply.match(p.text))]
    if len(replies) < MIN_TURNS:
        return []
    out: list[Turn] = []
    replied = {i for i, _ in replies}
    for i, m in replies:
        q = pats.comment.match(passages[i - 1].text) if i > 0 and i - 1 not in replied else None
        if q:
            end = len(passages[i - 1].text.rstrip())
            tag = q.group("ztag") or q.group("etag")
            out.append(Turn(i - 1, q.group("zname") or q.group("ename"), q.end(), end, role=tag))
        out.append(Turn(i, m.group("zname") or m.group("ename"), m.end(), len(passages[i].text.rstrip())))
    return out


# An interview's question and answer marks: 记者：/问：/Q: ask, 答：/A: answers.
_ASK = re.compile(r"^\s*(?P<label>记者|问|Q|Question)\s*[：:]\s*(?=\S)")
_ASKER = {"问": "记者"}
_ANSWER = re.compile(r"^\s*(?P<label>答|A|Answer)\s*[：:]\s*(?=\S)")
# Who answers, as the introduction names them: "省委网信办有关负责人就…答记者问", "…负责同志回答了记者提问".
_ANSWERER = re.compile(
    r"(?P<who>[\u4e00-\u9fff]{2,24}?(?:有关负责人|负责同志|负责人|发言人|专家))"
    r"(?:就|回答|答|接受|介绍)"
)


def interview_turns(passages: Sequence[Passage], interviewer: str | None = None) -> list[Turn]:
    """The turns of a question-and-answer interview (答记者问): ``记者：…`` and ``答：…`` lines,
    each at least :data:`MIN_TURNS` times. The asker is "记者" (or "Q"), or ``interviewer``
    when the by-line names one ("Interview by Jane Roe"); the answerer is
    the person the text introduces as answering (``省委网信办有关负责人``), else "答".

    A profile interview answers under the interviewee's own name (``记者：…`` / ``石岩：…``,
    ``Q: …`` / ``Wen: …``): one label that answers at least :data:`MIN_TURNS` questions,
    each right after one, is that person speaking.

    >>> ps = [Passage("d", 1, "Q: Why?"), Passage("d", 2, "Wen: Because."), Passage("d", 3, "Q: And?"),
    ...       Passage("d", 4, "Wen: That is all.")]
    >>> [(t.name, t.named) for t in interview_turns(ps)]
    [('Q', False), ('Wen', True), ('Q', False), ('Wen', True)]
    """
    asks = [(i, m) for i, p in enumerate(passages) if (m := _ASK.match(p.text))]
    answers = [(i, m) for i, p in enumerate(passages) if (m := _ANSWER.match(p.text))]
    if len(asks) < MIN_TURNS:
        return []
    # 问： is the reporter asking, as 记者： says outright
    out = [
        Turn(i, interviewer, m.end(), len(passages[i].text.rstrip()), role="interviewer")
        if interviewer
        else Turn(
            i, _ASKER.get(m.group("label"), m.group("label")), m.end(), len(passages[i].text.rstrip()), named=False
        )
        for i, m in asks
    ]
    if len(answers) < MIN_TURNS:
        named = _named_answers(passages, {i for i, _ in asks})
        return sorted([*out, *named], key=lambda t: t.passage) if named else []
    first = min(i for i, _ in [*asks, *answers])
    intro = " ".join(p.text for p in passages[: first + 1])
    who = _ANSWERER.search(intro)
    answerer = who.group("who") if who else None
    out += [
        Turn(i, answerer or m.group("label"), m.end(), len(passages[i].text.rstrip()), named=False) for i, m in answers
    ]
    return sorted(out, key=lambda t: t.passage)


def _named_answers(passages: Sequence[Passage], asked: set[int]) -> list[Turn]:
    """The paragraphs of the one label that answers the questions at ``asked`` (see above)."""
    replies = [lb for lb in _labels(passages) if lb.passage not in asked]
    after = Counter(lb.label for lb in replies if lb.passage - 1 in asked)
    names = [n for n, c in after.items() if c >= MIN_TURNS]
    if len(names) != 1:
        return []
    return [
        Turn(lb.passage, lb.name, lb.start, len(passages[lb.passage].text.rstrip()), named=lb.named, role=lb.role)
        for lb in replies
        if lb.label == names[0]
    ]


# A chat export's message line: a time stamp, the sender's display name and a colon
# ("[19:02] 物业-小陈：…", "2026-05-18 19:05 刘工（2栋）：…", "[09:14] Dana Ruiz (HR): …").
_STAMP = r"[\[【(（]?(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*)?\d{1,2}:\d{2}(?::\d{2})?[\]】)）]?\s*"
_TAG = r"(?:\s*[（(](?P<tag>[^）)\n]{1,12})[）)])?"
_CHAT_LINE = re.compile(
    rf"^\s*{_STAMP}(?:(?P<zrole>[\u4e00-\u9fff]{{1,6}})[-－—·]\s*)?(?P<zname>[\u4e00-\u9fff]{{1,5}}){_TAG}\s*[：:]\s*(?=\S)"
)
_CHAT_LINE_EN = re.compile(
    rf"^\s*{_STAMP}(?P<ename>[A-Z][\w’'.\-]*(?:\s+[A-Z][\w’'.\-]*){{0,2}})"
    r"(?:\s*\((?P<tag>[^)\n]{1,20})\))?\s*:\s+(?=\S)"
)
# A chat is at least this many stamped message lines (and :data:`MIN_SPEAKERS` senders).
MIN_CHAT_LINES = 4


def chat_turns(passages: Sequence[Passage]) -> list[Turn]:
    """The messages of a group-chat export, each a turn of its sender (every sender, even one
    who writes once: the time stamp, not repetition, says the line is a message). A sender's
    display name may carry a role before a dash (``物业-小陈``) or a tag in brackets
    (``刘工（2栋）``): the name is the rest, the role or tag is kept as the role.

    >>> ps = [Passage("d", i, t) for i, t in enumerate(["[19:02] 物业-小陈：明天启用刷脸。",
    ...       "[19:05] 刘工（2栋）：不想刷脸怎么办？", "[19:06] 物业-小陈：可以刷卡。", "[19:30] 群主-阿杰：散了。"])]
    >>> [(t.name, t.role) for t in chat_turns(ps)]
    [('小陈', '物业'), ('刘工', '2栋'), ('小陈', '物业'), ('阿杰', '群主')]
    """
    lines: list[Turn] = []
    for i, p in enumerate(passages):
        m = _CHAT_LINE.match(p.text) or _CHAT_LINE_EN.match(p.text)
        if m is None:
            continue
        name = m.groupdict().get("zname") or m.group("ename")
        role = m.groupdict().get("zrole") or m.group("tag")
        end = len(p.text.rstrip())
        if end > m.end():
            lines.append(Turn(i, name, m.end(), end, role=role))
    if len(lines) < MIN_CHAT_LINES or len({t.name for t in lines}) < MIN_SPEAKERS:
        return []
    return lines


def all_turns(
    passages: Sequence[Passage], is_name: Callable[[str], bool] | None = None, interviewer: str | None = None
) -> list[Turn]:
    """A transcript's named turns, then its interview turns (``interviewer`` asking, when
    known); a chat export's messages instead of either on the lines they take, and a reply
    thread's questions and replies."""
    chat = chat_turns(passages)
    taken = {t.passage for t in chat}
    chat += [t for t in reply_turns(passages) if t.passage not in taken]
    taken.update(t.passage for t in chat)
    rest = [*speaker_turns(passages, is_name), *interview_turns(passages, interviewer)]
    return [*chat, *(t for t in rest if t.passage not in taken)]


def turn_annotation(passage: Passage, turn: Turn) -> Annotation:
    """The quotation a turn is, as the quote finders write them: a named turn carries the
    speaker's name; the others who speaks as a role (记者, 省委网信办有关负责人)."""
    speaker, role = (turn.name, turn.role) if turn.named else (None, turn.name)
    return Annotation(
        target_id=passage.id,
        kind="quote",
        label=turn.name,
        start=turn.start,
        end=turn.end,
        text=passage.text[turn.start : turn.end],
        data={"speaker": speaker, "mention": turn.name, "role": role, "cue": "：", "attribution": "turn"},
    )
