"""The link evaluation's world: the corpus, the commentary passages, the labelled claims,
and the hit-rate figures (``scripts/train_links.py``, ``scripts/bench_links.py``).

Kept out of ``kb`` on purpose: the knowledge base does not grow evaluation code.

* :func:`build_world` parses the manifest's statutes and the five seed captures, reads
  the fixture articles of ``tests/fixtures/open_commentary/`` into passages (a stopgap
  reader until ``kb ingest --commentary`` lands: front matter, crude HTML tag stripping,
  paragraphs), and annotates all of them (citations, topics) as the build does;
* :func:`load_claims` reads ``corpus/eval/claims/{seed,fixtures}.jsonl``;
* :func:`locate` finds a claim's passage and sentence spans;
* :func:`hit_rates` scores ranked links against the claims.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.model import Annotation, DocumentMeta, Passage, Provision, Translation

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "corpus" / "eval" / "claims"
FIXTURES = ROOT / "tests" / "fixtures" / "open_commentary"


@dataclass(frozen=True)
class Commentary:
    meta: DocumentMeta
    passages: tuple[Passage, ...]
    split: str | None  # fixtures: dev / heldout; seed: None (per claim)
    source: str  # "seed" or "fixture"


@dataclass(frozen=True)
class World:
    documents: tuple[DocumentMeta, ...]
    provisions: tuple[Provision, ...]
    translations: tuple[Translation, ...]
    annotations: tuple[Annotation, ...]
    commentaries: tuple[Commentary, ...]


# --------------------------------------------------------------------------- fixtures

_BLOCK = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|section|article|header|footer|nav|aside|br|tr|table|blockquote)\b[^>]*>", re.I
)
_DROP = re.compile(r"<(script|style|iframe|noscript|nav|footer|aside|form|button)\b.*?</\1\s*>", re.I | re.S)


def _html_text(raw: str) -> str:
    """Crude main text of an HTML page: scripts, styles and obvious furniture elements
    dropped, block tags to blank lines, other tags removed, entities decoded."""
    body = re.sub(r"(?is).*?<body[^>]*>", "", raw, count=1)
    body = re.sub(r"(?s)<!--.*?-->", "", body)
    body = _DROP.sub("\n\n", body)
    body = _BLOCK.sub("\n\n", body)
    body = re.sub(r"<[^>]+>", "", body)
    return html.unescape(body)


def _front_matter(raw: str) -> tuple[dict[str, Any], str]:
    """The simple YAML front matter of the fixtures (``key: value`` and ``key: [a, b]``)."""
    m = re.match(r"---\n(.*?)\n---\n", raw, re.S)
    if not m:
        return {}, raw
    out: dict[str, Any] = {}
    for line in m.group(1).splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            out[key.strip()] = [v.strip().strip("'\"") for v in value[1:-1].split(",") if v.strip()]
        else:
            out[key.strip()] = value.strip("'\"")
    return out, raw[m.end() :]


def _html_meta(raw: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    m = re.search(r'article:published_time"\s+content="(\d{4}-\d\d-\d\d)', raw) or re.search(
        r'"datePublished"\s*:\s*"(\d{4}-\d\d-\d\d)', raw
    )
    if m:
        out["date"] = m.group(1)
    lang = re.search(r'<html[^>]*lang="(\w+)', raw)
    if lang:
        out["language"] = lang.group(1)[:2]
    return out


def fixture_passages(path: Path, doc_id: str) -> tuple[dict[str, Any], list[Passage]]:
    """Front matter (or page metadata) and paragraph passages of one fixture file."""
    from kb.text.sentences import split_sentences

    raw = path.read_text(encoding="utf-8")
    if path.suffix in (".html", ".htm"):
        meta, text = _html_meta(raw), _html_text(raw)
    else:
        meta, text = _front_matter(raw)
    passages: list[Passage] = []
    section: str | None = None
    for block in re.split(r"\n\s*\n", text):
        para = " ".join(line.strip() for line in block.strip().splitlines() if line.strip())
        if not para:
            continue
        heading = para.startswith("#")
        para = para.lstrip("#").strip()
        kind = "heading" if heading else "paragraph"
        p = Passage(doc_id, len(passages) + 1, para, kind=kind, section=section, sentences=split_sentences(para))
        passages.append(p)
        if heading:
            section = para
    return meta, passages


# --------------------------------------------------------------------------- the world


def build_world() -> World:
    from kb.annotate.citations import CitationIndex, citation_annotations
    from kb.annotate.topics import load_taxonomy, tag_text
    from kb.annotate.translations import load_translations
    from kb.ingest.commentary import parse_commentary
    from kb.ingest.manifest import load_manifest
    from kb.ingest.sources import read_source
    from kb.ingest.statute import parse_statute
    from kb.settings import get_settings

    settings = get_settings()
    docs = list(load_manifest())
    provisions: list[Provision] = []
    commentaries: list[Commentary] = []
    for doc in docs:
        if not doc.text_available:
            continue
        texts = [read_source(settings.source_root, s.path) for s in doc.sources]
        if doc.is_commentary:
            parsed = parse_commentary(doc, texts[0].text, texts[0].path)
            commentaries.append(Commentary(doc, tuple(parsed.passages), None, "seed"))
        else:
            provisions.extend(parse_statute(doc, texts).provisions)
    for line in (CLAIMS / "fixture_docs.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        fm, passages = fixture_passages(FIXTURES / row["file"], row["id"])
        discusses = tuple(str(d) for d in fm.get("discusses") or ())
        date = str(fm["date"]) if fm.get("date") else None
        meta = DocumentMeta(id=row["id"], kind="commentary", date=date, discusses=discusses)
        commentaries.append(Commentary(meta, tuple(passages), row["split"], "fixture"))
    all_docs = docs + [c.meta for c in commentaries if c.source == "fixture"]
    eids: dict[str, set[str]] = defaultdict(set)
    for prov in provisions:
        eids[prov.doc_id].add(prov.eid)
    index = CitationIndex.build(all_docs, {k: frozenset(v) for k, v in eids.items()})
    taxonomy = load_taxonomy()
    annotations: list[Annotation] = []
    for c in commentaries:
        for p in c.passages:
            lang = "zh" if _is_zh(p.text) else "en"
            annotations += citation_annotations(p.id, p.text, index, date=c.meta.date)
            annotations += tag_text(p.id, p.text, lang, taxonomy)
    for prov in provisions:
        if prov.level == "article" and prov.text:
            annotations += tag_text(prov.id, prov.text, "zh", taxonomy)
    translations = load_translations(settings.corpus_dir)
    return World(tuple(all_docs), tuple(provisions), tuple(translations), tuple(annotations), tuple(commentaries))


def _is_zh(text: str) -> bool:
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return han > len(text) * 0.2


# --------------------------------------------------------------------------- claims


def load_claims() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, source in (("seed.jsonl", "seed"), ("fixtures.jsonl", "fixture")):
        for line in (CLAIMS / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append({**json.loads(line), "source": source})
    return rows


def _squash(text: str) -> tuple[str, list[int]]:
    """``text`` with whitespace runs removed, and each kept character's offset."""
    chars, offsets = [], []
    for i, ch in enumerate(text):
        if not ch.isspace():
            chars.append(ch)
            offsets.append(i)
    return "".join(chars), offsets


def locate(claim: Mapping[str, Any], passages: Sequence[Passage]) -> tuple[Passage, tuple[int, int]] | None:
    """The passage holding the claim's sentence and the sentence's span in it (whitespace
    and entity differences ignored), or None."""
    want, _ = _squash(html.unescape(str(claim["sentence"])))
    for p in passages:
        flat, offsets = _squash(p.text)
        i = flat.find(want)
        if i >= 0 and want:
            return p, (offsets[i], offsets[i + len(want) - 1] + 1)
    return None


def article_of(pid: str) -> str:
    return pid.split("__", 1)[0]


def hit_rates(
    claims: Sequence[Mapping[str, Any]], ranked: Mapping[str, Sequence[tuple[str, float]]], *, primary: bool = False
) -> dict[str, float]:
    """Top-1 / top-3 hit rate over claims with gold provisions, and the rate of negative
    sentences with a link scored >= 0.5. ``ranked`` maps claim id -> (article id, score)
    best first (the links of the claim's sentences)."""
    n = top1 = top3 = neg = neg_hit = 0
    for c in claims:
        links = ranked.get(c["id"], ())
        if c["kind"] in ("negative", "out_of_corpus"):
            neg += 1
            neg_hit += any(s >= 0.5 for _, s in links)
            continue
        gold = {article_of(g["id"]) for g in c["gold"] if not primary or g["grade"] == "primary"}
        if c["kind"] != "claim" or not gold:
            continue
        n += 1
        arts = [a for a, _ in links]
        top1 += bool(set(arts[:1]) & gold)
        top3 += bool(set(arts[:3]) & gold)
    return {
        "claims": n,
        "top1": top1 / n if n else 0.0,
        "top3": top3 / n if n else 0.0,
        "negatives": neg,
        "neg_linked": neg_hit / neg if neg else 0.0,
    }


# --------------------------------------------------------------------------- candidates per claim


@dataclass(frozen=True)
class ClaimRows:
    """A located claim: its candidates (article, features) and its certain links (citations)."""

    claim: Mapping[str, Any]
    doc: str
    candidates: tuple[tuple[str, Mapping[str, float], Mapping[str, Any]], ...]
    cited: tuple[str, ...]  # articles cited in the claim's sentences (score 1.0)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def claim_rows(world: World, linker: Any) -> tuple[list[ClaimRows], list[str]]:
    """Every claim's candidates; and the ids of claims whose sentence was not found."""
    by_doc: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for c in load_claims():
        by_doc[c["doc"]].append(c)
    out: list[ClaimRows] = []
    missing: list[str] = []
    for com in world.commentaries:
        claims = by_doc.get(com.meta.id, [])
        if not claims:
            continue
        fixed, cands = linker.candidates(com.passages, world.annotations, commentary_date=com.meta.date)
        for claim in claims:
            found = locate(claim, com.passages)
            if found is None:
                missing.append(claim["id"])
                continue
            passage, span = found
            rows = tuple(
                (c.article, c.features, c.evidence)
                for c in cands
                if c.passage_id == passage.id and _overlaps(c.sentence, span)
            )
            cited = tuple(
                dict.fromkeys(
                    article_of(lk.dst)
                    for lk in fixed
                    if lk.kind == "discusses"
                    and lk.src == passage.id
                    and _overlaps(tuple(lk.evidence.get("sentence", (0, 0))), span)
                )
            )
            out.append(ClaimRows(claim, com.meta.id, rows, cited))
    return out, missing


def gold_articles(claim: Mapping[str, Any]) -> set[str]:
    return {article_of(g["id"]) for g in claim["gold"]}


def ranked_links(rows: ClaimRows, score: Any, min_score: float) -> list[tuple[str, float]]:
    """The claim's links best first: citations (1.0), then candidates scoring >= min_score
    (an article's best sentence). ``score`` maps one sentence's candidate features to
    their scores."""
    best: dict[str, float] = dict.fromkeys(rows.cited, 1.0)
    by_sentence: dict[tuple[int, ...], list[tuple[str, Mapping[str, float]]]] = defaultdict(list)
    for art, feats, ev in rows.candidates:
        by_sentence[tuple(ev["sentence"])].append((art, feats))
    for group in by_sentence.values():
        for (art, _), s in zip(group, score([f for _, f in group]), strict=True):
            if s >= min_score and s > best.get(art, -1.0):
                best[art] = float(s)
    return sorted(best.items(), key=lambda r: (-r[1], r[0]))
