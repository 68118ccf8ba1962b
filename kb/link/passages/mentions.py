"""What a passage names: its citations (:func:`passage_citations`: certain links, the documents
and articles it names, sentence by sentence) and its ``mentions`` of documents whose text we
lack (:func:`absent_mentions`: by citation or by "the draft" / "the new rules" carried over
from the document last named)."""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field

from kb.ids import article_eid, doc_of, node_type
from kb.link.passages.index import article_id
from kb.model import Annotation, DocumentMeta, Link, Passage

# Definite references to a document whose text we lack: "the draft", "the new rules",
# "these regulations", "the proposal". Resolved to the absent document the commentary
# last named, or the one it is about.
ANAPHOR_RE = re.compile(
    r"\b(?:the|these|this|its)\s+(?:(?:new|proposed|draft|latest|government[’']s|chinese|cac[’']s)\s+){0,3}"
    r"(?:draft|rules|regulations?|proposal|measures|guidelines|stipulations|specifications?)\b",
    re.IGNORECASE,
)


def _subject(doc_id: str, documents: Mapping[str, DocumentMeta], with_text: Container[str]) -> str | None:
    """The text-absent document a commentary is about: the only one it discusses."""
    meta = documents.get(doc_id)
    if meta is None or len(meta.discusses) != 1 or meta.discusses[0] in with_text:
        return None
    return meta.discusses[0]


@dataclass(frozen=True)
class Named:
    """The text-absent documents a commentary has named so far: the last one (with the
    section it was named in) and every one, in order."""

    section: str | None = None
    last: str | None = None
    every: tuple[str, ...] = ()

    def after(self, section: str | None, doc: str) -> Named:
        return Named(section, doc, self.every if doc in self.every else (*self.every, doc))


def absent_mentions(
    passage: Passage,
    anns: Sequence[Annotation],
    named: Named,
    *,
    documents: Mapping[str, DocumentMeta],
    with_text: Container[str],
    scores: Mapping[str, float],
) -> tuple[list[Link], Named]:
    """``mentions`` links to text-absent documents: named, or "the draft" carried over.

    ``named`` says which absent documents the commentary named before this passage. "The
    proposal" refers to the last one named within the same section; else to the
    commentary's subject when it discusses just one absent document; else to the only
    absent document the commentary has named, when it declares no other (a blog that names
    the draft in its opening and says "the draft" under each of its headings). ``with_text`` holds the ids of the
    documents whose text we have; ``scores`` the score of a mention by how it was found
    (``"citation"``, ``"anaphora"``).

    >>> Named().after("intro", "draft-a").after("s2", "draft-a").every
    ('draft-a',)
    """
    out: dict[str, Link] = {}
    for ann in sorted(anns, key=lambda a: a.start):
        if ann.kind != "citation":
            continue
        for target in ann.data.get("ids", ()):
            if node_type(target) != "document" or target not in documents or target in with_text:
                continue
            if target not in out:
                evidence = {"via": "citation", "text": ann.text, "status": ann.data.get("status")}
                out[target] = Link(passage.id, target, "mentions", scores["citation"], evidence)
            named = named.after(passage.section, target)
    if not out and passage.part == "body":
        antecedent = _subject(passage.doc_id, documents, with_text)
        if named.last is not None and named.section == passage.section:
            antecedent = named.last
        elif antecedent is None:
            meta = documents.get(passage.doc_id)
            declared = [d for d in (meta.discusses if meta else ()) if d not in with_text]
            known = set(named.every) | set(declared)
            antecedent = named.every[0] if len(known) == 1 and named.every else None
        m = ANAPHOR_RE.search(passage.text)
        if m and antecedent:
            evidence = {"via": "anaphora", "text": m.group(0)}
            out[antecedent] = Link(passage.id, antecedent, "mentions", scores["anaphora"], evidence)
    return list(out.values()), named


Span = tuple[int, int]


@dataclass(frozen=True)
class Cited:
    """What a passage's citations give the linker."""

    links: list[Link] = field(default_factory=list)  # ``discusses`` links, evidence naming the sentence
    named: dict[str, str] = field(default_factory=dict)  # documents named -> the citation's text
    by_sentence: dict[Span, set[str]] = field(default_factory=dict)  # the documents each sentence names
    articles: set[str] = field(default_factory=set)  # the articles cited
    bare: dict[Span, set[str]] = field(default_factory=dict)  # "Article 19" naming no document: eids


def passage_citations(
    passage: Passage,
    anns: Sequence[Annotation],
    spans: Sequence[Span],
    *,
    scores: Mapping[str, float],
    names: Callable[[str], bool],
) -> Cited:
    """The citations of ``passage`` (its ``citation`` annotations ``anns``), sentence by sentence
    (``spans``): a ``discusses`` link per provision cited, scored by the citation's status
    (``scores``; a status without a score links nothing), and the documents named, counting only
    those ``names`` accepts (a text we hold, adopted by the commentary's date: a law still being
    drafted then has no articles to discuss).

    >>> p = Passage("note", 1, "PIPL 第13条 says so.")
    >>> data = {"status": "resolved", "ids": ["pipl/art_13"]}
    >>> ann = Annotation(p.id, "citation", "pipl/art_13", 0, 9, "PIPL 第13条", data)
    >>> c = passage_citations(p, [ann], [(0, 18)], scores={"resolved": 0.95}, names=lambda d: True)
    >>> [(lk.dst, lk.score) for lk in c.links], c.named, c.articles
    ([('pipl/art_13', 0.95)], {'pipl': 'PIPL 第13条'}, {'pipl/art_13'})
    """
    links: dict[str, Link] = {}
    out = Cited()
    for ann in anns:
        if ann.kind != "citation":
            continue
        status = str(ann.data.get("status", ""))
        span = next((s for s in spans if s[0] <= ann.start < s[1]), spans[0])
        pinpoint = ann.data.get("pinpoint")
        if status == "not_found" and pinpoint and not ann.data.get("ids"):
            out.bare.setdefault(span, set()).add(article_eid(str(pinpoint)))
        for target in ann.data.get("ids", ()):
            doc = doc_of(target) if node_type(target) != "document" else target
            if node_type(target) != "document":
                score = scores.get(status)
                if score is not None and (target not in links or links[target].score < score):
                    evidence = {"citation": ann.text, "status": status, "sentence": list(span)}
                    links[target] = Link(passage.id, target, "discusses", score, evidence)
                    out.articles.add(article_id(target))
            if status == "resolved" and names(doc):
                out.named.setdefault(doc, ann.text)
                out.by_sentence.setdefault(span, set()).add(doc)
    out.links.extend(links.values())
    return out
