"""The link evaluation's world: the corpus, the commentary passages, the labelled claims,
and the hit-rate figures (``scripts/train_links.py``, ``scripts/bench_links.py``).

Kept out of ``kb`` on purpose: the knowledge base does not grow evaluation code.

* :func:`build_world` does what ``kb ingest --commentary DIR`` does, through the same
  functions: parses the manifest's statutes and seed captures, reads every file of the
  fixture folders with :func:`kb.ingest.userdocs.load_user_commentary`, annotates the
  statutes (:class:`kb.pipeline.tagging.ProvisionTagger`) and the commentary
  (:func:`kb.pipeline.enrich.annotate_commentary`), and builds the linker with
  :func:`kb.pipeline.enrich.commentary_linker`; so the figures measure what users get;
* :func:`load_claims` reads claim files (default ``corpus/eval/claims/{seed,fixtures}.jsonl``);
* :func:`locate` finds a claim's passage and sentence spans;
* :func:`hit_rates` scores ranked links against the claims.
"""

from __future__ import annotations

import argparse
import html
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.ingest.markup import MASK, mask_markup
from kb.model import Annotation, DocumentMeta, Passage, Provision, Translation

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = ROOT / "corpus" / "eval" / "claims"
FIXTURES = ROOT / "tests" / "fixtures" / "open_commentary"
DEFAULT_CLAIMS = (CLAIMS / "seed.jsonl", CLAIMS / "fixtures.jsonl")
DEFAULT_DOCS = (CLAIMS / "fixture_docs.jsonl",)
DEFAULT_FIXTURES = (FIXTURES,)


@dataclass(frozen=True)
class Sources:
    """Where the labelled set is: claim files, fixture-document files, fixture folders."""

    claims: tuple[Path, ...] = DEFAULT_CLAIMS
    docs: tuple[Path, ...] = DEFAULT_DOCS
    fixtures: tuple[Path, ...] = DEFAULT_FIXTURES


def add_source_arguments(ap: argparse.ArgumentParser) -> None:
    """``--claims FILE``, ``--docs FILE``, ``--fixtures DIR`` (each repeatable; defaults: today's set)."""
    ap.add_argument("--claims", type=Path, action="append", help="claim records (.jsonl); default: seed + fixtures")
    ap.add_argument("--docs", type=Path, action="append", help="fixture document records (.jsonl)")
    ap.add_argument("--fixtures", type=Path, action="append", help="folder of fixture articles (as --commentary)")


def sources_of(args: argparse.Namespace) -> Sources:
    return Sources(
        tuple(args.claims or DEFAULT_CLAIMS), tuple(args.docs or DEFAULT_DOCS), tuple(args.fixtures or DEFAULT_FIXTURES)
    )


@dataclass(frozen=True)
class Commentary:
    meta: DocumentMeta
    passages: tuple[Passage, ...]
    split: str | None  # fixtures: their file's split; seed: None (per claim)
    source: str  # "seed" or "fixture"


@dataclass(frozen=True)
class World:
    documents: tuple[DocumentMeta, ...]
    translations: tuple[Translation, ...]
    annotations: tuple[Annotation, ...]
    commentaries: tuple[Commentary, ...]
    linker: Any  # kb.link.passages.PassageLinker, as the build makes it


# --------------------------------------------------------------------------- the world


def build_world(sources: Sources = Sources()) -> World:
    """The corpus and the commentary (seed captures and fixture folders), annotated and
    ready to link, as ``kb ingest --commentary DIR`` builds them."""
    from kb.annotate.citations import CitationIndex
    from kb.annotate.topics import load_taxonomy
    from kb.annotate.translations import load_translations
    from kb.ingest.commentary import parse_commentary
    from kb.ingest.manifest import load_manifest
    from kb.ingest.sources import read_source
    from kb.ingest.statute import parse_statute
    from kb.ingest.userdocs import load_user_commentary
    from kb.model import ParsedCommentary
    from kb.pipeline.enrich import TopicsByArticle, annotate_commentary, commentary_linker
    from kb.pipeline.tagging import ProvisionTagger
    from kb.settings import get_settings
    from kb.store.rows import SEARCH_LEVELS

    settings = get_settings()
    manifest = list(load_manifest(settings.corpus_dir))
    taxonomy = load_taxonomy()
    tagger = ProvisionTagger(taxonomy)
    provisions: list[Provision] = []
    eids: dict[str, set[str]] = {}
    topics = TopicsByArticle()
    parsed: list[ParsedCommentary] = []
    commentaries: list[Commentary] = []
    for doc in manifest:
        if not doc.text_available:
            continue
        texts = [read_source(settings.source_root, s.path) for s in doc.sources]
        if doc.is_commentary:
            pc = parse_commentary(doc, texts[0].text, texts[0].path)
            parsed.append(pc)
            commentaries.append(Commentary(doc, tuple(pc.passages), None, "seed"))
        else:
            provs = parse_statute(doc, texts).provisions
            topics.add(tagger.tag_provisions(provs))
            eids[doc.id] = {p.eid for p in provs}
            provisions.extend(p for p in provs if p.level in SEARCH_LEVELS)
    splits: dict[str, str] = {}
    for path in sources.docs:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                splits[row["id"]] = row["split"]
    user = load_user_commentary(list(sources.fixtures), manifest)
    for u in user:
        parsed.append(u.parsed)
        commentaries.append(Commentary(u.meta, tuple(u.parsed.passages), splits.get(u.meta.id), "fixture"))
    documents = manifest + [u.meta for u in user]
    known = {k: frozenset(v) for k, v in eids.items() if v}
    index = CitationIndex.build(documents, known)
    notes = annotate_commentary(parsed, index, taxonomy)
    translations = tuple(t for t in load_translations(settings.corpus_dir) if t.eid in known.get(t.doc_id, ()))
    core = [d.id for d in manifest]
    linker = commentary_linker(parsed, provisions, topics, notes.annotations, documents, translations, core=core)
    return World(tuple(documents), translations, tuple(notes.annotations), tuple(commentaries), linker)


# --------------------------------------------------------------------------- claims


def load_claims(paths: Sequence[Path] = DEFAULT_CLAIMS) -> list[dict[str, Any]]:
    """The claim records of ``paths`` (JSON lines; see ``corpus/eval/claims/README.md``)."""
    rows: list[dict[str, Any]] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _squash(text: str) -> tuple[str, list[int]]:
    """``text`` with whitespace runs removed, and each kept character's offset."""
    chars, offsets = [], []
    for i, ch in enumerate(text):
        if not ch.isspace():
            chars.append(ch)
            offsets.append(i)
    return "".join(chars), offsets


def unmarked(sentence: str) -> str:
    """A labelled sentence as copied from a Markdown file, its markup (``**``, ``[^1]``,
    link syntax) gone, as the cleaner leaves the passage's text."""
    return mask_markup(sentence, "md").replace(MASK, "")


def locate(claim: Mapping[str, Any], passages: Sequence[Passage]) -> tuple[Passage, tuple[int, int]] | None:
    """The passage holding the claim's sentence and the sentence's span in it (whitespace,
    entity and Markdown-markup differences ignored), or None."""
    sentence = html.unescape(str(claim["sentence"]))
    for form in dict.fromkeys((sentence, unmarked(sentence))):
        want, _ = _squash(form)
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


def claim_rows(world: World, claims: Sequence[Mapping[str, Any]]) -> tuple[list[ClaimRows], list[str]]:
    """Every claim's candidates; and the ids of claims whose sentence was not found (or
    whose document is not in the world). Each claim gets ``source``: ``seed`` for the
    manifest's captures, ``fixture`` for a fixture-folder file."""
    by_doc: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for c in claims:
        by_doc[c["doc"]].append(c)
    out: list[ClaimRows] = []
    missing: list[str] = [str(c["id"]) for c in claims if c["doc"] not in {m.meta.id for m in world.commentaries}]
    for com in world.commentaries:
        located = by_doc.get(com.meta.id, [])
        if not located:
            continue
        fixed, cands = world.linker.candidates(com.passages, world.annotations, commentary_date=com.meta.date)
        for raw in located:
            claim = {**raw, "source": com.source}
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
