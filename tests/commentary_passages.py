"""Real commentary passages for the tests of speakers and stance (kb.annotate.*)."""

from __future__ import annotations

from pathlib import Path

from kb.ingest.commentary import parse_commentary
from kb.model import DocumentMeta, Passage


def real_doc(doc_id: str, manifest: dict[str, DocumentMeta], source_root: Path) -> tuple[DocumentMeta, list[Passage]]:
    """A manifest commentary and its passages, as the build's ingest cleans them."""
    meta = manifest[doc_id]
    path = meta.sources[0].path
    text = (source_root / path).read_text(encoding="utf-8")
    return meta, list(parse_commentary(meta, text, path).passages)


def passage_with(passages: list[Passage], phrase: str) -> Passage:
    """The one passage that holds ``phrase`` (fails when none or several do)."""
    hits = [p for p in passages if phrase in p.text]
    assert len(hits) == 1, f"{phrase!r} is in {len(hits)} passages"
    return hits[0]
