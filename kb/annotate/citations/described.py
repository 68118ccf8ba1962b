"""Descriptions: a document named by what it is, not by its name.

"the SPC's 2021 interpretation", "the 2025 Measures", "the CAC/MPS measures", "the MPS
regulation on public-security video", 最高法2021年的司法解释, 2025年《办法》, 网信办2023年的征求意见稿:
(issuer) + (year) + (topic words) + a kind noun. The issuers and kind nouns are data
(``[[issuer]]`` and ``[[kind_noun]]`` in ``corpus/citations/patterns.toml``); what a
description must say and what it names is decided here, against the manifest:

* it gives its issuer or its year ("the court's interpretation", "these measures" are no
  descriptions); an English one starts with "the";
* a document fits it when each issuer named issued it (a joint issuer "A、B" counts as each),
  the year is one of its dates (adopted, promulgated, in force, dated), every topic word is a
  word of its names, and its kind or Chinese title suits the noun (:func:`fits_noun`); a
  draft fits only by its title or a draft noun, and a draft word ("the draft measures")
  admits drafts only;
* a document made after the citing text's date does not fit.

One work fitting: the description names it (the version is chosen as for a name). Several:
the one named last before the description if it is one of them, else it names a document
we cannot tell; none: a document we do not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from kb.annotate.citations.chains import Coverage
from kb.annotate.citations.patterns import (
    EN_DESCRIPTION_OPENING,
    EN_ISSUERS_BEFORE_TEMPLATE,
    EN_KIND_NOUN_TEMPLATE,
    EN_TOPIC_AFTER,
    EN_TOPIC_WORD,
    EN_WORD_AFTER,
    EN_WORD_BACK,
    EN_YEAR_AFTER,
    EN_YEAR_WORD,
    ZH_ABOUT_BACK,
    ZH_ISSUERS_BEFORE_TEMPLATE,
    ZH_KIND_NOUN_TEMPLATE,
    ZH_TOPIC_BACK,
    ZH_YEAR_BACK,
    CitationPatterns,
    KindNounRule,
    words_regex,
)
from kb.dates import date_key, first_date, version_years
from kb.model import DocumentMeta
from kb.text.stopwords import stopword_list

STOPWORDS = "search/stopwords.txt"  # English words that are no topic ("of", "the", "on")


@dataclass(frozen=True)
class Description:
    """A description found in a text: its span and what it says."""

    start: int
    end: int
    noun: KindNounRule
    issuers: tuple[frozenset[str], ...] = ()  # each issuer named: who it can be (as the manifest writes them)
    year: int | None = None
    topics: tuple[str, ...] = ()  # English: normalised words; Chinese: character runs
    draft: bool = False
    lang: str = "en"
    head: str | None = None  # English: the noun, lower case and singular ("measure"), for short forms


# ---------------------------------------------------------------------------- words


def topic_words(text: str) -> list[str]:
    """The words of an English name or topic, normalised: case, possessive, plural.

    >>> topic_words("the 2019 Children's public-security Provisions")
    ['the', '2019', 'children', 'public', 'security', 'provision']
    """
    words = re.findall(r"[a-z0-9]+", re.sub(r"['’]s\b", "", text.casefold()))
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


def _bare_title(title: str) -> str:
    """A Chinese title without its trailing brackets: …规定（试行）（征求意见稿） -> …规定."""
    while True:
        shorter = re.sub(r"\s*[（(][^（）()]*[）)]\s*$", "", title)
        if shorter == title or not shorter:
            return title
        title = shorter


def fits_noun(doc: DocumentMeta, noun: KindNounRule) -> bool:
    """Whether ``noun`` can name ``doc``: by its kind (a draft only by a draft noun) or by the
    end of its Chinese title (办法, 条例)."""
    if doc.kind in noun.kinds:
        return True
    title = _bare_title(doc.title_zh or "")
    return bool(noun.titles) and title.endswith(tuple(noun.titles))


@dataclass(frozen=True, eq=False)
class DescriptionIndex:
    """What descriptions are matched against: issuer names, kind nouns, each document's words."""

    documents: Mapping[str, DocumentMeta]
    issued_by: Mapping[str, frozenset[str]]  # doc -> its issuers (a joint one split)
    en_words: Mapping[str, frozenset[str]]  # doc -> the normalised words of its English names
    zh_names: Mapping[str, tuple[str, ...]]  # doc -> its Chinese names
    vocabulary: frozenset[str]  # every English topic word some document has
    issuer_names: Mapping[str, frozenset[str]]  # a name (casefolded) -> the issuers it names
    en_nouns: Mapping[str, KindNounRule]  # casefolded English noun -> its row
    zh_nouns: Mapping[str, KindNounRule]
    fillers: frozenset[str]
    zh_fillers: tuple[str, ...]  # longest first
    draft_words: frozenset[str]

    @classmethod
    def build(
        cls, documents: Iterable[DocumentMeta], names: Mapping[str, Sequence[str]], patterns: CitationPatterns
    ) -> DescriptionIndex:
        """``names``: every name of each document (the citation index's), for its words."""
        stop = stopword_list(STOPWORDS)
        docs = {d.id: d for d in documents if not d.is_commentary}
        en_words: dict[str, frozenset[str]] = {}
        zh_names: dict[str, tuple[str, ...]] = {}
        for doc_id in docs:
            doc_names = names.get(doc_id, ())
            words = {w for n in doc_names if n.isascii() for w in topic_words(n)}
            en_words[doc_id] = frozenset(w for w in words if len(w) > 2 and w not in stop and not w.isdigit())
            zh_names[doc_id] = tuple(n for n in doc_names if not n.isascii())
        vocabulary = frozenset().union(*en_words.values()) if en_words else frozenset()
        issuer_names: dict[str, set[str]] = {}
        for row in patterns.issuers:
            for n in (*row.en, *row.zh):
                issuer_names.setdefault(_issuer_key(n), set()).add(row.name)
        return cls(
            documents=docs,
            issued_by={
                d.id: frozenset(p.strip() for p in re.split(r"[、,，]", d.issuer or "") if p.strip())
                for d in docs.values()
            },
            en_words=en_words,
            zh_names=zh_names,
            vocabulary=vocabulary,
            issuer_names={k: frozenset(v) for k, v in issuer_names.items()},
            en_nouns={w.casefold(): row for row in patterns.kind_nouns for w in row.en},
            zh_nouns={w: row for row in patterns.kind_nouns for w in row.zh},
            fillers=patterns.description_fillers,
            zh_fillers=tuple(sorted(patterns.zh_description_fillers, key=len, reverse=True)),
            draft_words=patterns.draft_words,
        )

    # -- what fits ---------------------------------------------------------------

    def fits(self, d: Description, date: str | None) -> list[str]:
        """The documents that fit ``d`` and existed on ``date``."""
        when = date_key(date, end=True) if date else None
        out = []
        for doc_id, doc in self.documents.items():
            if d.draft and doc.kind != "draft":
                continue
            if not (d.draft or fits_noun(doc, d.noun)) or not all(i & self.issued_by[doc_id] for i in d.issuers):
                continue
            if d.year is not None and d.year not in version_years(doc):
                continue
            if d.lang == "en" and not set(d.topics) <= self.en_words[doc_id]:
                continue
            if d.lang == "zh" and not all(any(t in n for n in self.zh_names[doc_id]) for t in d.topics):
                continue
            made = first_date(doc)
            if when and made and date_key(made, end=False) > when:
                continue
            out.append(doc_id)
        return out

    def works(self, doc_ids: Iterable[str]) -> set[str]:
        return {self.documents[d].work or d for d in doc_ids}

    # -- finding -----------------------------------------------------------------

    def find(self, text: str, taken: Coverage) -> Iterator[Description]:
        """Every description in ``text`` whose kind noun is not taken (by a name, a title)."""
        if self.en_nouns:
            for m in words_regex(tuple(self.en_nouns), EN_KIND_NOUN_TEMPLATE).finditer(text):
                if not taken.hits(m.start(), m.end()):
                    found = self._english(text, m, taken)
                    if found is not None:
                        yield found
        if self.zh_nouns:
            for m in words_regex(tuple(self.zh_nouns), ZH_KIND_NOUN_TEMPLATE).finditer(text):
                titled = text[m.start() - 1 : m.start()] == "《" and text[m.end() : m.end() + 1] == "》"
                if titled or not taken.hits(m.start(), m.end()):
                    found = self._chinese(text, m, taken)
                    if found is not None:
                        yield found

    def _issuers_before(self, text: str, pos: int, lang: str) -> re.Match[str] | None:
        names = tuple(n for n in self.issuer_names if n.isascii() == (lang == "en"))
        if not names:
            return None
        template = EN_ISSUERS_BEFORE_TEMPLATE if lang == "en" else ZH_ISSUERS_BEFORE_TEMPLATE
        return words_regex(names, template, re.IGNORECASE).search(text.replace("’", "'"), max(0, pos - 80), pos)

    def _issuers_of(self, m: re.Match[str], lang: str) -> tuple[frozenset[str], ...]:
        names = tuple(n for n in self.issuer_names if n.isascii() == (lang == "en"))
        found = words_regex(names, r"(?:{words})", re.IGNORECASE).findall(m.group("issuers"))
        return tuple(self.issuer_names[_issuer_key(name)] for name in found)

    def _english(self, text: str, noun: re.Match[str], taken: Coverage) -> Description | None:
        pos, year, topics, draft = noun.start(), None, [], False
        issuers: tuple[frozenset[str], ...] = ()
        issuers_at, start = -1, -1
        while True:
            if not issuers and (im := self._issuers_before(text, pos, "en")) is not None:
                if taken.hits(im.start(), pos):
                    return None
                issuers, pos = self._issuers_of(im, "en"), im.start()
                issuers_at = pos
                continue
            wm = EN_WORD_BACK.search(text, max(0, pos - 40), pos)
            if wm is None or taken.hits(wm.start(), pos):
                break
            word = wm.group("word")
            key = word.casefold()
            if key == "the":
                start = wm.start()
                break
            if EN_YEAR_WORD.fullmatch(word) and year is None:
                year = int(word)
            elif key in self.draft_words:
                draft = True
            elif key not in self.fillers:
                # a topic word stands between the issuer or year and the noun: "the 2019 children's
                # provisions", not "the court's 2021 interpretation"
                words = topic_words(word)
                if year is not None or issuers or not words or not all(w in self.vocabulary for w in words):
                    break
                topics += words
            pos = wm.start()
        if start < 0 and pos == issuers_at and EN_DESCRIPTION_OPENING.search(text, max(0, pos - 20), pos):
            start = pos  # a note's "SPC Provisions (2021), art. 4": the issuer opens it
        if start < 0:
            return None
        row = self.en_nouns[re.sub(r"\s+", " ", noun.group(0).casefold())]
        if row.not_before and (nxt := EN_WORD_AFTER.match(text, noun.end())) and nxt.group("word") in row.not_before:
            return None
        end = noun.end()
        if year is None and (ym := EN_YEAR_AFTER.match(text, end)) is not None:  # "Provisions (2021)"
            year, end = int(ym.group("year")), ym.end()
        if year is None and not issuers:
            return None
        after = EN_TOPIC_AFTER.match(text, end)
        if after is not None:
            extra, last, at = [], end, after.end()
            while (wm := EN_TOPIC_WORD.match(text, at)) is not None:
                words = topic_words(wm.group("word"))
                if not words or not all(w in self.vocabulary for w in words) or taken.hits(wm.start(), wm.end()):
                    break
                extra += words
                last = wm.end()
                gap = re.match(r"[ \-]", text[last : last + 1])
                if gap is None:
                    break
                at = last + 1
            if extra:
                topics, end = topics + extra, last
        head = noun.group(0).split()[-1].casefold().removesuffix("s")
        return Description(start, end, row, issuers, year, tuple(topics), draft or "draft" in row.kinds, head=head)

    def _chinese(self, text: str, noun: re.Match[str], taken: Coverage) -> Description | None:
        start, end = noun.start(), noun.end()
        if text[start - 1 : start] == "《" and text[end : end + 1] == "》":  # 2025年《办法》
            start, end = start - 1, end + 1
        pos, topics, year = start, [], None
        issuers: tuple[frozenset[str], ...] = ()
        row = self.zh_nouns[noun.group(0)]
        verb = row.verb_too and start == noun.start()  # 公安部规定: "the MPS stipulates"
        while pos > 0 and not taken.hits(pos - 1, pos):
            if text[pos - 1] == "的":
                pos -= 1
            elif filler := next((f for f in self.zh_fillers if text.endswith(f, 0, pos)), None):
                pos -= len(filler)
            elif year is None and (ym := ZH_YEAR_BACK.search(text, max(0, pos - 24), pos)) is not None:
                if verb and pos == start and not ym.group(0).endswith("的"):
                    return None
                year, pos = int(ym.group("year")), ym.start()
            elif not issuers and (im := self._issuers_before(text, pos, "zh")) is not None:
                if taken.hits(im.start(), pos) or (verb and pos == start):
                    return None
                issuers, pos = self._issuers_of(im, "zh"), im.start()
            elif year is None and not issuers and (about := ZH_ABOUT_BACK.search(text, max(0, pos - 20), pos)):
                topics.append(about.group("topic"))  # 最高人民法院关于人脸识别的司法解释
                pos = about.start()
            elif year is None and not issuers and (run := ZH_TOPIC_BACK.search(text, max(0, pos - 16), pos)):
                topic = self._zh_topic(run.group("topic"))  # 公安部的视频图像条例
                if not topic:
                    break
                topics.append(topic)
                pos -= len(topic)
            else:
                break
        if year is None and not issuers:
            return None
        pos = next(i for i in range(pos, start + 1) if text[i] != "的")  # the span opens on a word
        return Description(pos, end, row, issuers, year, tuple(topics), "draft" in row.kinds, "zh")

    def _zh_topic(self, run: str) -> str:
        """The longest end of ``run`` that is part of some document's Chinese name ('' for none)."""
        for i in range(len(run) - 1):
            part = run[i:]
            if any(part in n for names in self.zh_names.values() for n in names):
                return part
        return ""


def _issuer_key(name: str) -> str:
    return name.replace("’", "'").casefold()
