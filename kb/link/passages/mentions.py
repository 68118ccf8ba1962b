"""``mentions`` links: a passage naming a document whose text we lack, by citation or by
"the draft" / "the new rules" carried over from the document last named."""

from __future__ import annotations

import re
from collections.abc import Container, Mapping, Sequence

from kb.ids import node_type
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


def absent_mentions(
    passage: Passage,
    anns: Sequence[Annotation],
    last_absent: tuple[str | None, str] | None,
    *,
    documents: Mapping[str, DocumentMeta],
    with_text: Container[str],
    scores: Mapping[str, float],
) -> tuple[list[Link], tuple[str | None, str] | None]:
    """``mentions`` links to text-absent documents: named, or "the draft" carried over.

    ``last_absent`` is (section, document) of the last absent document named; "the
    proposal" refers to it within the same section, or else to the commentary's
    subject when it discusses just one absent document. ``with_text`` holds the ids of
    the documents whose text we have; ``scores`` the score of a mention by how it was
    found (``"citation"``, ``"anaphora"``).
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
            last_absent = (passage.section, target)
    if not out and passage.part == "body":
        antecedent = _subject(passage.doc_id, documents, with_text)
        if last_absent is not None and last_absent[0] == passage.section:
            antecedent = last_absent[1]
        m = ANAPHOR_RE.search(passage.text)
        if m and antecedent:
            evidence = {"via": "anaphora", "text": m.group(0)}
            out[antecedent] = Link(passage.id, antecedent, "mentions", scores["anaphora"], evidence)
    return list(out.values()), last_absent
