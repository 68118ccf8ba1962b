"""One document analysed: its passages' marks, sentences and attributions, its people, the
speakers resolved in reading order, and which quoted spans are quotations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from kb.annotate.speakers.attribution import _Attr, _attributions, _premodifier, _role_like, _Speaker
from kb.annotate.speakers.lexicon import Lexicon, _lexicon
from kb.annotate.speakers.marks import _Marks, _masked, _opens_with_quote, _pair_quotes, _sentences
from kb.annotate.speakers.people import _Name, _parse_run, _People
from kb.model import DocumentMeta, Passage

# An unattributed quoted span this long (in words) is speech, not a scare quote or a title.
MIN_UNATTRIBUTED_WORDS = 6
# A quoted span preceded by one of these is a name or a term, never a quotation.
_TERM_INTRO = re.compile(
    r"(?:so-called|so called|dubbed|called|named|known as|termed|labell?ed|the words?|the term|the phrase)"
    r"\s*[“\"]$",
    re.IGNORECASE,
)


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
        sentences = _sentences(p, marks)
        info = _PassageInfo(p, marks, masked, sentences)
        for s, e in sentences:
            info.attrs += _attributions(i, masked, s, e, lex)
        infos.append(info)
    people = _collect_people(infos, meta, lex)
    _drop_common_words(infos, people, lex)
    _drop_documents(infos, lex)
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
    for info in infos:
        text = info.masked
        for a in info.attrs:
            for name in a.subject.names:
                if not name.is_org and (len(name.tokens) > 1 or name.title):
                    people.add(name.tokens, a.subject.role, a.subject.role_how)
        for m in lex.title_re.finditer(text):
            name = _parse_run(m.group(0), lex)
            if name is not None and not name.is_org:
                people.add(name.tokens, name.title, "title")
        for m in lex.intro_re.finditer(text):
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


def _drop_documents(infos: Sequence[_PassageInfo], lex: Lexicon) -> None:
    """Forget speakers that are laws or documents ("Article 8 of the Measures says …", "The
    PIPL says …"): a statute is not a speaker; what it says is the law, not a view. A person
    whose surname is such a word ("Nathan Law said") is named without "the" or "Article"."""

    def document(info: _PassageInfo, a: _Attr) -> bool:
        names = a.subject.names
        if not names or not all(n.tokens and n.tokens[-1] in lex.documents for n in names):
            return False
        mention = info.masked[a.subject.start : a.subject.end]
        before = info.masked[max(0, a.subject.start - 40) : a.subject.start]
        the = mention.lower().startswith("the ") or _DOCUMENT_BEFORE.search(before) is not None
        return len(names[0].tokens) == 1 or the

    for info in infos:
        info.attrs = [a for a in info.attrs if not document(info, a)]


# How a law is named as a subject: "the Data Security Law", "Article 8 of the 2025 Measures".
_DOCUMENT_BEFORE = re.compile(r"\b[Tt]he\s+(?:\d{4}\s+)?$")


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
        # "It rejected the offer" with no body of the verb's kind named before: no attribution
        info.attrs = [a for a in info.attrs if a.subject.kind != "it" or info.speakers[id(a)].name is not None]


def _speaker_of(doc: _Document, i: int, a: _Attr) -> _Speaker:
    people, subj = doc.people, a.subject
    mention = doc.infos[i].passage.text[subj.start : subj.end]
    if subj.kind == "self":
        return _Speaker(None, mention, None, a.cue, is_self=True)
    if subj.kind == "role":
        if (body := _body_named_before(doc, i, subj.start, subj.role)) is not None:
            return _Speaker(body, mention, None, a.cue)  # "Seabright said …. The chain said …": Seabright
        before = doc.infos[i].passage.text[: subj.start].rstrip()
        opens = not before or before.endswith((".", "!", "?", ":", ";"))
        if opens and (titled := _CAPITALISED_BODY.match(subj.role or "")) is not None:
            return _Speaker(titled.group(1), mention, None, a.cue)  # "The Shenzhen Municipal … Administration"
        return _Speaker(None, mention, subj.role, a.cue)
    if subj.kind == "it":  # "It also awarded …": the body of the verb's kind named last (None: no one)
        return _Speaker(_body_mentioned_before(doc, i, subj.start, a.verb.subject_words), mention, None, a.cue)
    if subj.kind == "pronoun":
        if (asked := _writer_addressee(doc, i, subj.start)) is not None:
            return _Speaker(None, mention, asked, a.cue)  # "I asked the class teacher …, she said"
        key = _last_person(doc, i, subj.start)
        if key is None and (described := _last_described(doc, i, subj.start)) is not None:
            return _Speaker(None, mention, described, a.cue)  # "the clerk told me …. She said …"
        return _Speaker(key, mention, people.role(key) if key else None, a.cue)
    keys = [n.text if n.is_org else people.canonical(n.tokens) for n in subj.names]
    name = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " and " + keys[-1]
    # The role written here wins; else the richest one the document gives this person.
    local = subj.role if subj.role_how != "title" else None
    known = people.role(keys[0]) if len(keys) == 1 else None
    return _Speaker(name, mention, local or known or subj.role, a.cue)


# A described speaker all in capitals after "The", opening its sentence, is a body's name:
# "The Shenzhen Municipal Cyberspace Administration said" (not "The city's cyberspace office";
# not an appositive: "The draft from the regulator, the Cyberspace Administration, proposes").
_CAPITALISED_BODY = re.compile(r"^[Tt]he\s+((?:[A-Z][\w’'\-]*\s+){1,6}[A-Z][\w’'\-]*)$")


def _last_person(doc: _Document, i: int, pos: int) -> str | None:
    """The person named last before ``pos``, this passage first, then up to three before:
    in each passage, the last person the document knows, else the last name of two or three
    words that is no organisation ("the Data Security Law" after "Dr. Wang Lixin … said" in
    one paragraph: "She" is Wang)."""
    lex = _lexicon()
    known = {t for n in doc.people.names for t in n}
    for k in range(i, max(-1, i - 4), -1):
        text = doc.infos[k].masked
        end = pos if k == i else len(text)
        fallback: _Name | None = None
        for m in reversed(list(lex.run_re.finditer(text, 0, end))):
            name = _parse_run(m.group(0), lex)
            if name is None or name.is_org:
                continue
            if set(name.tokens) & known:
                return doc.people.canonical(name.tokens)
            if fallback is None and 2 <= len(name.tokens) <= 3 and name.tokens[-1] not in lex.documents:
                fallback = name
        if fallback is not None:
            return doc.people.canonical(fallback.tokens)
    return None


# The writer turning to someone described, not named: "I asked the class teacher what …",
# "I emailed the head of primary and", "My neighbour complained …, and": a "she" after it in
# the sentence is that person.
_WRITER_ADDRESSEE = re.compile(
    r"(?:\b(?:I|we)\s+(?:\w+ly\s+)?(?:asked|emailed|e-mailed|called|phoned|rang|messaged|texted|contacted|"
    r"wrote\s+to|spoke\s+(?:to|with)|talked\s+to|checked\s+with)\s+|(?:^|(?<=[.!?]\s)))"
    r"(?P<who>(?:[Tt]he|[Mm]y|[Oo]ur)\s+(?:[\w’'\-]+\s+){0,3}?(?P<head>[a-z][\w\-]+)(?:\s+of\s+[a-z]+)?)"
    r"(?=\s+(?:what|whether|if|how|why|when|about|and|who|to|[a-z]+ed)\b|\s*[,;:])"
)


def _writer_addressee(doc: _Document, i: int, pos: int) -> str | None:
    """The person the writer asked (or the writer's own acquaintance), described by a role,
    last before ``pos`` in the same sentence, when no name comes between."""
    lex = _lexicon()
    text = doc.infos[i].masked
    start = max(text.rfind(". ", 0, pos), text.rfind("? ", 0, pos), text.rfind("! ", 0, pos), -1) + 1
    found = [m for m in _WRITER_ADDRESSEE.finditer(text, start, pos) if m.group("head").lower() in lex.role_nouns]
    if not found or _a_body(found[-1].group("who"), lex):
        return None
    known = {t for n in doc.people.names for t in n}
    for r in lex.run_re.finditer(text, found[-1].end(), pos):
        name = _parse_run(r.group(0), lex)
        if name is not None and not name.is_org and (set(name.tokens) & known or len(name.tokens) > 1):
            return None  # a person named between: "she" may be that person
    return found[-1].group("who")


def _last_described(doc: _Document, i: int, pos: int) -> str | None:
    """When no person is named nearby: the unnamed speaker described last before ``pos``
    ("the clerk told me …"), in this passage or up to three before, as :func:`_last_person`
    looks."""
    lex = _lexicon()
    for k in range(i, max(-1, i - 4), -1):
        info = doc.infos[k]
        before = [a for a in info.attrs if a.subject.kind == "role" and (k < i or a.subject.end <= pos)]
        people = [a.subject.role for a in before if a.subject.role and not _a_body(a.subject.role, lex)]
        if people:
            return people[-1]
    return None


_THE_BODY = re.compile(r"^(?:[Tt]he|[Tt]his|[Tt]hat)\s+(?P<noun>[a-z]+)$")


def _body_named_before(doc: _Document, i: int, pos: int, role: str | None) -> str | None:
    """ "The chain", "the company" (the whole subject: a definite body word) is the
    organisation that spoke last before ``pos`` under its name (an organisation's name, or
    one word that is no person's the document knows: "Seabright said"), in this passage or
    an earlier one."""
    m = _THE_BODY.match(role or "")
    if m is None or m.group("noun") not in _lexicon().institution_nouns:
        return None
    lex = _lexicon()
    # a name ending in the body's own word ("… People's Court" for "the court") wins over a
    # one-word name that only may be an organisation
    mentioned = _body_mentioned_before(doc, i, pos, (m.group("noun"),))
    for k in range(i, -1, -1):
        info = doc.infos[k]
        for a in reversed([a for a in info.attrs if k < i or a.subject.end <= pos]):
            names, said = a.subject.names, info.speakers.get(id(a))
            if a.subject.kind != "name" or len(names) != 1 or said is None or said.name is None:
                continue
            if names[0].is_org or any(w in lex.org_words for w in said.name.split()):
                # an organisation that spoke, unless it is of another kind than a body named
                # with the word ("FitZone says …. The court held": the … Court)
                own_kind = said.name.lower().endswith(m.group("noun"))
                return said.name if own_kind or mentioned is None else mentioned
            if not any(set(said.name.split()) & set(n) for n in doc.people.names):
                return mentioned or said.name  # a one-word name no person of the document has
    return mentioned


@lru_cache(maxsize=64)
def _capitalised_body(noun: str) -> re.Pattern[str]:
    """A capitalised name ending in ``noun``'s capitalised form: "the Lanjiang Internet Court"."""
    return re.compile(rf"\b((?:[A-Z][\w’'\-]*\s+){{1,5}}){noun.capitalize()}\b")


def _body_mentioned_before(doc: _Document, i: int, pos: int, kinds: Iterable[str]) -> str | None:
    """The last name before ``pos`` that ends in one of the body words ``kinds``, capitalised,
    in this passage or an earlier one, whether or not it spoke: "the Lanjiang Internet Court
    heard …. The court found that …" (or "It also awarded …"): the Lanjiang Internet Court.
    Not the owner of a text ("the Supreme People's Court's 2021 provisions"): it decided
    nothing here."""
    for k in range(i, -1, -1):
        text = doc.infos[k].masked
        end = pos if k == i else len(text)
        found = [
            m
            for noun in kinds
            for m in _capitalised_body(noun).finditer(text, 0, end)
            if not text.startswith(("’s", "'s"), m.end())
        ]
        if not found:
            continue
        last = max(found, key=lambda m: m.end())
        words = [w for w in last.group(1).split() if w not in ("The", "A", "An")]
        if words:
            return " ".join([*words, last.group(0).split()[-1]])
    return None


def _a_body(role: str, lex: Lexicon) -> bool:
    """A described speaker that is an institution ("The Supreme People's Court", "the chain"):
    its head noun, before any "for …"/"of …"."""
    head = re.split(r"\s(?:in|at|from|with|for|of|on)\s", role, maxsplit=1)[0].split()
    return bool(head) and head[-1].lower() in lex.institution_nouns


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


# Words the attribution between two quotations of one speaker may have: “…,” she said. “…”
_CONTINUATION_MAX_WORDS = 5


def _continued_from(doc: _Document, i: int, q: _Marks, earlier: Sequence[_Quotation]) -> _Attr | None:
    """The attribution of the quotation just before ``q`` in its passage, when only that
    attribution stands between them (“The law is clear enough,” she said. “The training is
    not.”): the second quotation, however short, is the same speaker's."""
    info = doc.infos[i]
    prev = next((m for m in reversed(info.marks) if m.close is not None and m.close < q.open), None)
    if prev is None or prev.close is None or not any(p is prev for qq in earlier for _, p in qq.parts):
        return None
    between = [a for a in info.attrs if prev.close < a.cue_start < q.open]
    gap = info.passage.text[prev.close + 1 : q.open]
    if len(between) != 1 or len(_words(gap)) > _CONTINUATION_MAX_WORDS:
        return None
    return between[0]


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
        if attr is None and (carried := _continued_from(doc, first_i, first, out)) is not None:
            attr, how = carried, "context"  # “…,” she said. “The training is not.”: hers too
        elif attr is None:
            if len(words) < MIN_UNATTRIBUTED_WORDS or _title_like(words):
                continue  # scare quotes, titles
            attr, how = _context_attr(doc, first_i, first), "context"
        speaker = _speaker(doc, attr) if attr else None
        if speaker is None or speaker.is_self:
            speaker, how = None, "none"
        out.append(_Quotation(tuple(chain), speaker, how))
    return out
