"""Attributions: a reporting cue and the speaker written beside it (a name, a pronoun or a
role), read from one sentence with the quoted words masked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from kb.annotate.speakers.lexicon import Lexicon, _Verb
from kb.annotate.speakers.people import _Name, _parse_run

_PRONOUNS = {"he": "person", "she": "person", "i": "self", "we": "self"}
# A described speaker after "said" is at most this long: "said a spokesperson for the
# Zhejiang cyberspace office"; longer, it is what was said ("said the chain had no …").
# ("according to" has no such limit: what follows it is always the source.)
_RIGHT_ROLE_MAX_WORDS = 10
# How far (in characters) a speaker and a long appositive may stand from the cue.
_SUBJECT_REACH = 300
# A described speaker who gives only a name: ", who gave her name only as Fernanda,", ", identified only as Wu,".
_GIVEN_NAME = re.compile(
    r",\s+(?:who\s+(?:gave|gives|would give)\s+(?:only\s+)?(?:his|her|their)\s+(?:first\s+|given\s+|family\s+)?"
    r"name\s+(?:only\s+)?as|identified\s+only\s+as)\s+(?P<name>[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)?),\s*$"
)
_RELATIVE = re.compile(r"(?:,\s*)?\bwho\s*$")
# A relative clause between a speaker and the cue: ", who asked not to be named,".
_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which)\s+[^,;:“”\"]{2,80},\s*$")
# "writes about cooking" describes a topic, not speech ("says about 90,000 members …" is
# an amount: speech).
_NOT_SPEECH_AFTER = re.compile(r"\s+about\b(?!\s+[\d$€£¥])")
_TELL = re.compile(r"(?:tell|tells|told|telling)", re.IGNORECASE)
# A described person and a "who" clause with no commas, opening the sentence: "A friend who
# runs a language school in Chaoyang [told me]".
_RESTRICTED_ROLE = re.compile(
    r"^\s*(?P<np>(?:[Aa]n?|[Oo]ne|[Tt]he|[Mm]y|[Oo]ur)\s+(?:[\w’'\-]+\s+){0,3}?(?P<head>[\w\-]+))"
    r"\s+who\s+[^,;:“”\"]{2,80}?\s*$"
)
# A second verb of one subject: "… operates 37 gyms and [says]".
_COORDINATED = re.compile(r"\S\s+and\s*$")
# Told the writer or the outlet (a report, past tense): "told us", "told reporters", "told The Meridian Post".
_TOLD_WRITER = re.compile(r"told\s+(?:us|me|reporters|(?:the\s+|The\s+)?[A-Z][\w’'\-]*)\b")
_APART = re.compile(r"[^.;:!?“”\"]{0,80}?\bapart\b")
# A name after one of these ends a description of someone else: "a lawyer at [Zhong Lun]".
_PLACE_OF_ROLE = re.compile(
    r"\b(?:[Aa]n?|[Oo]ne|[Aa]nother)\s+(?:[\w’'\-]+\s+){0,4}?(?:in|at|from|with|for|of)\s+(?:the\s+)?$"
)
# A plural group of people as the whole subject: "Some Chinese lawyers", "Privacy advocates".
_PLURAL_ROLE = re.compile(
    r"^\s*(?P<phrase>(?:(?:[Ss]ome|[Mm]any|[Mm]ost|[Ss]everal|[Oo]ther|[Bb]oth|[Tt]wo|[Tt]hree|[Ff]ew)\s+)?"
    r"(?:[\w’\x27-]+\s+){0,3}?(?P<head>[A-Za-z][a-z-]*s)"
    # where they work: "Officials at the Cyberspace Administration", "Engineers from Vistamark"
    r"(?:\s+(?:at|from|in|of|with)\s+(?:the\s+)?(?:[A-Z][\w’\x27-]*\s+){0,4}[A-Z][\w’\x27-]*)?)\s*$"
)
# Whom the writer met, after the person: "a gate vendor [we interviewed]", "one parent [I spoke to]".
_MET_BY_WRITER = re.compile(
    r"\s+(?:that\s+|whom\s+|who\s+)?(?:we|I)\s+(?:interviewed|spoke\s+(?:to|with)|talked\s+(?:to|with)|met|visited"
    r"|contacted|asked|reached)\s*$"
)
# (a named owner too, opening the sentence or a clause after a comma: "[Example Corp's]
# account manager said"; not "what China's Supreme People's Court said")
_DETERMINER = re.compile(
    r"\b(?:[Aa]n?|[Tt]he|[Oo]ne|[Aa]nother|[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts)\s"
    r"|(?:^|(?<=,\s))(?P<owner>[A-Z][\w&.-]*(?:\s[A-Z][\w&.-]*){0,3}['’]s)\s"
)
_OBJECT_OF = re.compile(r"\b(?:for|of|at|from|with|in|on|by|to)\s+$")
_PREPOSITION = re.compile(r"\s(?:in|at|from|with|for|of|on)\s")
_ACRONYM_PAREN = re.compile(r"^\s*\([A-Z][A-Za-z]{1,9}\)")
# A source someone published, after "according to": "Harbourline's latest operating update",
# "the chain's figures".
_OWNED_SOURCE = re.compile(
    r"(?P<owner>(?:[Tt]he\s+)?[A-Z][\w&.\-]*(?:\s+[A-Z][\w&.\-]*){0,4}|[Tt]he\s+[a-z]+)[’']s\s+"
    r"(?:[\w\-]+\s+){0,2}?(?:figures|data|update|report|statement|survey|filing|results|numbers|estimates?|records)\b"
)
# A source no one is named for, after "according to": "industry estimates", "the pilot survey",
# "its latest operating update" (what it says, described by its kind).
_UNNAMED_SOURCE = re.compile(
    r"(?:(?:the|its|their)\s+)?(?:[a-z][\w\-]*\s+){0,3}?"
    r"(?:figures|data|update|report|survey|filing|results|numbers|estimates?|records|poll|study|statistics)"
    r"(?=[\s]*[,.;:)]|\s*$)"
)
_SOURCE_NOUN = re.compile(
    r"^(?:an?|the)\s+(?:\w+\s+){0,2}?(?:statement|report|survey|study|analysis|post|interview|letter|notice)"
    r"\s+(?:by|from|of|with)\s+(?:the\s+)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Subject:
    start: int
    end: int
    kind: Literal["name", "pronoun", "self", "role", "it"]  # "it": a body named before, for a decision's verb
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


def _is_role_noun(word: str, lex: Lexicon) -> bool:
    """A word for what a person is: a role noun, or an age ("a ten-year-old", "one 34-year-old")."""
    w = word.lower()
    return w in lex.role_nouns or w.endswith("-year-old")


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
    m = re.search(
        r"\b((?:an?|the|its|his|her|their|our|An?|The|Its|His|Her|Their|Our)\s+(?:[\w’'\-]+\s+){0,8}?([\w\-]+)),\s+$",
        text[max(0, end - 160) : end],
    )
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
        run = lex.trailing_run_re.search(text[max(0, cursor - 80) : cursor])
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
        aux = aux or re.search(r"\b(would|will|may|might|could|can|did|does|do|to|by)\b", m.group(0)) is not None
        end = m.start()
    left = text[lo:end]
    if verb.finite and (shared := _coordinated_subject(text, lo, end, lex)) is not None:
        return shared  # "FitZone operates 37 gyms and says …": FitZone
    told_writer = _TOLD_WRITER.match(text, cue_start) is not None
    if (crowd := _plural_role_subject(text, lo, end, lex, any_head=told_writer)) is not None:
        return crowd  # "Lawyers say …", "Some residents said …": people of one kind, unnamed
    it = re.search(r"(?<![\w’'])(?:^|(?<=[.;:]\s))(It|it)\s*$", left)
    if it and verb.subject_words and verb.finite:
        return _Subject(lo + it.start(1), lo + it.end(1), "it")  # "It also awarded …": a court, resolved later
    pron = re.search(r"(?<![\w’'])(he|she|they|I|we|He|She|They|We)\s*$", left)
    if pron:
        word = pron.group(1).lower()
        if word == "they" or word not in _PRONOUNS:
            return None
        if not verb.finite and word not in ("i", "we") and not aux:
            return None
        kind: Literal["pronoun", "self"] = "self" if _PRONOUNS[word] == "self" else "pronoun"
        return _Subject(lo + pron.start(1), lo + pron.end(1), kind)
    given = _GIVEN_NAME.search(left)
    if given and (described := _role_subject(text, lo, lo + given.start(), lex)) is not None:
        name = _parse_run(given.group("name"), lex)
        if name is not None and not name.is_org:  # "A manager, who gave her name only as Fernanda, said"
            return _Subject(described.start, lo + given.end("name"), "name", (name,), described.role, "appositive")
    clause = _RELATIVE_CLAUSE.search(left)
    if clause and clause.start() > 0:  # "A German guest, who asked not to be named, said": the guest
        return _left_subject(text, lo, lo + clause.start(), verb, lex)
    if (restricted := _RESTRICTED_ROLE.search(left)) is not None:
        # "A friend who runs a language school told me": that friend ("who": a person, whatever the noun)
        start = lo + restricted.start("np")
        return _Subject(start, end, "role", (), text[start:end].strip(), "appositive")
    rel = _RELATIVE.search(left)
    if rel:  # "a law professor who said"
        return _role_subject(text, lo, lo + rel.start(), lex)
    m = lex.left_subject_re.search(left)
    if m and _PLACE_OF_ROLE.search(left[: m.start("run")]):
        return _role_subject(text, lo, end, lex)  # "a shopkeeper in Chaoyang said": not Chaoyang
    if m and not m.group("poss"):
        appos = m.group("appos")
        if appos is not None and not _role_like(appos, lex):
            return None
        name = _parse_run(m.group("run"), lex)
        if name is None:
            return _role_subject(text, lo, end, lex) if appos is None else None
        if name.is_org and appos is None and (person := _person_of(text, lo, lo + m.start("run"), lex)):
            start, who, of = person  # "Wang Lixin of the Beijing Academy said": Wang, of the Academy
            return _Subject(start, lo + m.end("run"), "name", (who,), text[of : lo + m.end("run")], "appositive")
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
        if m.group("bare") and not m.group("age"):  # "The draft from the regulator, the CAC, proposes"
            return None
        pre = _premodifier(text, abs_run, lex)
        if pre:
            return _Subject(start, lo + m.end("run"), "name", tuple(names), pre, "premodifier")
        return _Subject(start, lo + m.end("run"), "name", tuple(names), name.title, "title")
    return _role_subject(text, lo, end, lex) if verb.finite or aux else None


def _coordinated_subject(text: str, lo: int, end: int, lex: Lexicon) -> _Subject | None:
    """The name opening a clause whose second verb is the cue: "[FitZone] operates 37 gyms in
    three provinces and says …" (a name, a verb in -s or -ed, no comma before "and")."""
    if _COORDINATED.search(text, lo, end) is None or (run := lex.run_re.match(text, lo)) is None:
        return None
    clause = text[run.end() : end]
    if not re.match(r"\s+[a-z]+(?:s|ed)\b", clause) or re.search(r"[,;:“”\"]", clause):
        return None
    name = _parse_run(run.group(0), lex)
    if name is None:
        return None
    return _Subject(run.start(), run.end(), "name", (name,), name.title, "title")


def _person_of(text: str, lo: int, run_start: int, lex: Lexicon) -> tuple[int, _Name, int] | None:
    """The person before "of (the)" when an organisation is the subject's last words:
    "[Wang Lixin] of the Beijing Academy of Data Law" (where the name starts, the name, and
    where "of …" starts)."""
    m = re.search(rf"(?P<who>{lex.run_re.pattern})\s+(?P<of>of\s+(?:the\s+)?)$", text[lo:run_start])
    if m is None:
        return None
    who = _parse_run(m.group("who"), lex)
    if who is None or who.is_org or len(who.tokens) < 2:
        return None
    return lo + m.start("who"), who, lo + m.start("of")


def _plural_role_subject(text: str, lo: int, end: int, lex: Lexicon, *, any_head: bool = False) -> _Subject | None:
    """Unnamed people as a group opening the sentence: "[Lawyers] say …", "[Some privacy
    advocates] argue …" (the verb's plain form, so a plural subject). The head is a role
    noun, or any plural when they told the writer ("[Two universities] told us …"): only
    someone can tell)."""
    left = _MET_BY_WRITER.sub("", text[lo:end])  # "Several principals [we spoke to] said": the principals
    m = _PLURAL_ROLE.match(left)
    if m is None:
        return None
    head = m.group("head").lower()
    if head.endswith("ss"):
        return None  # "business", "Fitness": no plural
    # the singular of lawyers, witnesses, universities
    singulars = (head[:-1], head[:-2], head[:-3] + "y" if head.endswith("ies") else "")
    if not any_head and not any(s in lex.role_nouns for s in singulars):
        return None
    start = lo + m.start("phrase")
    return _Subject(start, lo + m.end("phrase"), "role", (), text[start : lo + m.end("phrase")], "appositive")


def _role_subject(text: str, lo: int, end: int, lex: Lexicon) -> _Subject | None:
    """An unnamed speaker: "a Zhejiang University … law professor [said]"."""
    left = text[lo:end].rstrip(", ")
    cop = lex.copula_re.search(left)
    if cop:  # "Johnston is a journalist who writes": the name, not the role
        name = _parse_run(cop.group(1), lex)
        if name is not None:
            return _Subject(lo + cop.start(1), lo + cop.end(1), "name", (name,), None)
    # The described speaker closest to the cue: "a Zhejiang University law professor", or one
    # with a place after it, "a shopkeeper in Chaoyang" (the head noun comes before the place).
    for m in reversed(list(_DETERMINER.finditer(left))):
        if _OBJECT_OF.search(left, 0, m.start()):
            continue  # "a spokesperson for [the operator]": the speaker is the phrase before
        phrase = left[m.start() :]
        if re.search(r"[,.;:!?“”\"]", phrase) or len(phrase.split()) > 10:
            return None
        core = _MET_BY_WRITER.sub("", phrase)  # "a gate vendor we interviewed": the vendor
        heads = (core.split(), _PREPOSITION.split(core, maxsplit=1)[0].split())
        # a named owner's person speaks ("Example Corp's manager said"); its thing does not
        # ("Example Corp's platform held face templates")
        bodies = lex.institution_nouns if m.group("owner") else frozenset()
        if any(len(h) >= 2 and _is_role_noun(h[-1], lex) and h[-1].lower() not in bodies for h in heads):
            return _Subject(lo + m.start(), lo + len(left), "role", (), phrase, "appositive")
    return None


def _role_phrase(right: str, lex: Lexicon) -> tuple[int, int] | None:
    """A described speaker right after a cue: "[a hospital spokesperson]", "[one resident]".

    The head is the first role noun within five words of the determiner (not merely the first
    word: "a *hospital* spokesperson"), so the span is (start, end of the head).
    """
    det = re.match(r"\s+((?:an?|the|one|another)\s+)", right, re.IGNORECASE)
    if det is None:
        return None
    pos = det.end()
    for word in list(re.finditer(r"[\w’'\-]+", right[pos:]))[:5]:
        if _is_role_noun(word.group(0), lex):
            return det.start(1), pos + word.end()
        if not word.group(0).isalpha() and "-" not in word.group(0):
            return None
    return None


def _right_subject(text: str, cue_end: int, hi: int, verb: _Verb, lex: Lexicon) -> _Subject | None:
    right = text[cue_end : min(hi, cue_end + _SUBJECT_REACH)]
    if verb.subject == "either":
        if not verb.finite:
            return None
        pron = re.match(r"\s+(he|she)\b", right)
        # “…,” said he: after a quotation only; "…, said she had come" is what she said
        if pron and re.search(r"[”\"]\s*\S+$", text[:cue_end]):
            return _Subject(cue_end + pron.start(1), cue_end + pron.end(1), "pronoun")
        if pron:
            return None
    skip = 0
    lead = re.match(r"\s+", right)
    if lead:
        skip = lead.end()
    if verb.subject == "after" and (own := _OWNED_SOURCE.match(right, skip)) is not None:
        return _owner_subject(own, cue_end, lex)  # "according to the chain's figures"
    if verb.subject == "after" and (src := _UNNAMED_SOURCE.match(right, skip)) is not None:
        start, end = cue_end + src.start(), cue_end + src.end()  # "according to industry estimates"
        return _Subject(start, end, "role", (), text[start:end], "appositive")
    src = _SOURCE_NOUN.match(right[skip:])
    if src:  # "according to a statement by the National People’s Congress"
        skip += src.end()
    elif verb.subject == "after":
        article = re.match(r"the\s+", right[skip:])
        if article:
            skip += article.end()
    m = lex.run_re.match(right, skip)
    if (not m or m.start() == 0) and verb.subject in ("either", "after"):  # "…,” said a hospital spokesperson.
        role = _role_phrase(right, lex)
        if role is not None:
            start, stop = role
            tail = re.match(r"[^,.;:!?“”\"]*", right[stop:])
            end = cue_end + stop + (len(tail.group(0).rstrip()) if tail else 0)
            if verb.subject == "after" or len(text[cue_end + start : end].split()) <= _RIGHT_ROLE_MAX_WORDS:
                return _Subject(cue_end + start, end, "role", (), text[cue_end + start : end])
            return None  # "said the chain had no answer to …": what was said, not who said it
    if not m or skip == 0:
        return None
    name = _parse_run(m.group(0), lex)
    if name is not None and right[m.end() : m.end() + 2] in ("’s", "'s"):
        owner = _owner_role_subject(right, cue_end, m.start(), m.end() + 2, lex)  # "said Hangyu's director, Lu Qian"
        if owner is not None or name.is_org or " of " not in m.group(0):
            return owner
        # "said Professor Gu Yan of Example University's law school": the person, of the University
    if name is None:
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


def _owner_subject(own: re.Match[str], cue_end: int, lex: Lexicon) -> _Subject | None:
    """The owner of a published source: a name ("Harbourline's figures"), else the body a
    definite word names ("the chain's figures")."""
    start, end = cue_end + own.start("owner"), cue_end + own.end("owner")
    if own.group("owner")[0].isupper() and (name := _parse_run(own.group("owner"), lex)) is not None:
        return _Subject(start, end, "name", (name,), None)
    words = own.group("owner").split()
    if len(words) == 2 and words[1] in lex.institution_nouns:
        return _Subject(start, end, "role", (), own.group("owner"), "appositive")
    return None


def _owner_role_subject(right: str, cue_end: int, start: int, pos: int, lex: Lexicon) -> _Subject | None:
    """After a cue, an owner's role and the person holding it: "Hangyu's product director,
    Lu Qian" (the name, with "Hangyu's product director" as role)."""
    m = re.match(rf"\s+(?:[\w’'\-]+\s+){{0,3}}?([\w\-]+),\s+({lex.run_re.pattern})", right[pos:])
    if m is None or not _is_role_noun(m.group(1), lex):
        return None
    name = _parse_run(m.group(2), lex)
    if name is None or name.is_org:
        return None
    role = right[start : pos + m.start(2)].rstrip(", ")
    return _Subject(cue_end + pos + m.start(2), cue_end + pos + m.end(2), "name", (name,), role, "appositive")


def _attributions(index: int, masked: str, lo: int, hi: int, lex: Lexicon) -> list[_Attr]:
    """Every reporting cue with a speaker in ``masked[lo:hi]`` (one sentence)."""
    out: list[_Attr] = []
    label = lex.label_re.match(masked, lo) if lex.label_re else None
    lo = label.end() if label is not None else lo  # "Speaker notes: …": the sentence starts after its label
    for m in lex.cue_re.finditer(masked, lo, hi):
        form = m.group(0)
        verb = lex.verbs.get(re.sub(r"\s+", " ", form[0].lower() + form[1:]))
        if verb is None or _NOT_SPEECH_AFTER.match(masked, m.end()):
            continue
        if _TELL.fullmatch(form) and _APART.match(masked, m.end()):
            continue  # "told my partner and the courier apart": distinguished, not spoke
        subject = None
        if verb.subject in ("before", "either"):
            subject = _left_subject(masked, lo, m.start(), verb, lex)
        if subject is None and verb.subject in ("either", "after"):
            subject = _right_subject(masked, m.end(), hi, verb, lex)
        if (
            subject is not None
            and subject.kind != "it"
            and verb.subject_words
            and not _holds_word(subject, verb.subject_words)
        ):
            continue  # "The company ordered 500 cameras": a purchase, not a ruling
        if subject is not None:
            out.append(_Attr(index, re.sub(r"\s+", " ", form), m.start(), m.end(), verb, subject))
    return out


def _holds_word(subject: _Subject, words: frozenset[str]) -> bool:
    """Whether the subject's words (its role and its names) hold one of ``words``."""
    text = " ".join([subject.role or "", *(" ".join(n.tokens) for n in subject.names)])
    return bool(set(re.findall(r"[a-z]+", text.lower())) & words)
