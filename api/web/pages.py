"""Read-side queries shaped for the web pages (``api.web``).

Each public function answers one page in one call and returns plain JSON-able
dicts, like :mod:`kb.read.query` (whose functions it reuses); it adds what only a
page needs: a statute's whole body with per-article commentary counts, a commentary
text with every annotation and link of every passage, search facets, and a topic's
side-by-side. Unknown ids raise :class:`kb.errors.NotFound`, bad parameters
:class:`kb.errors.InvalidQuery`.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import kb.search as fts_search
from kb.errors import InvalidQuery
from kb.ids import doc_of, node_type, passage_number
from kb.read import citeformat, query
from kb.read.lookups import topic_rows
from kb.read.pagedata import (
    article_lines,
    commentary_passages,
    document_dates,
    document_info,
    passage_texts,
    provision_info,
    referenced_by,
    search_unit_facets,
    short_name,
    statute_body,
)
from kb.search.fts import QueryMode

__all__ = [
    "DOC_GROUPS",
    "FACETS",
    "article_lines",
    "compare_page",
    "document_page",
    "graph_page",
    "home_page",
    "provision_page",
    "search_facets",
    "search_form_options",
    "search_page",
    "short_name",
    "topic_page",
]

# How the home page groups documents: (heading, kinds). A kind not listed goes under "Other".
DOC_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Laws", ("law",)),
    (
        "Regulations, rules and interpretations",
        ("administrative-regulation", "departmental-rule", "judicial-interpretation", "local-regulation"),
    ),
    ("Standards", ("standard",)),
    ("Drafts", ("draft",)),
    ("Commentary", ("commentary",)),
)
# The facets of a search page, in display order.
FACETS = ("type", "doc", "topic", "lang")
# A search page counts facets over at most this many hits (enough for any real query here;
# beyond it the counts say they are partial rather than slow the page down).
FACET_SCAN_LIMIT = 20_000


# ---------------------------------------------------------------- home


def home_page(reader: query.Reader) -> dict[str, Any]:
    """Documents grouped by kind (with status, dates and text availability), topics with
    counts, the works that have versions to compare, and corpus totals."""
    docs = query.list_documents(reader)
    groups: list[dict[str, Any]] = []
    placed: set[str] = set()
    for heading, kinds in DOC_GROUPS:
        members = [d for d in docs if d["kind"] in kinds]
        placed.update(d["id"] for d in members)
        if members:
            groups.append({"heading": heading, "kinds": list(kinds), "documents": members})
    rest = [d for d in docs if d["id"] not in placed]
    if rest:
        groups.append({"heading": "Other", "kinds": sorted({d["kind"] for d in rest}), "documents": rest})
    totals: Counter[str] = Counter()
    for d in docs:
        totals.update(d.get("counts") or {})
    return {
        "groups": groups,
        "topics": query.list_topics(reader),
        "version_pairs": _version_pairs(docs),
        "totals": {
            "documents": len(docs),
            "documents_with_text": sum(1 for d in docs if d["text_available"]),
            "articles": totals.get("articles", 0),
            "passages": totals.get("passages", 0),
        },
    }


def _version_pairs(docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive versions (with text) of each work: the comparisons worth offering."""
    by_work: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for d in docs:
        if d.get("work") and d["text_available"] and d["kind"] != "commentary":
            by_work[d["work"]].append(d)
    pairs = []
    for versions in by_work.values():
        ordered = sorted(versions, key=lambda d: d.get("promulgated") or d.get("adopted") or d.get("date") or "")
        for old, new in itertools.pairwise(ordered):
            pairs.append({"from": old["id"], "to": new["id"], "title": new.get("title_zh") or new.get("title_en")})
    return pairs


# ---------------------------------------------------------------- search


def search_page(
    reader: query.Reader,
    q: str,
    *,
    mode: QueryMode = "all",
    type: str | None = None,
    doc: str | None = None,
    topic: str | None = None,
    lang: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
    max_query_length: int = 1000,
) -> dict[str, Any]:
    """One page of :func:`kb.search.search` results plus facet counts, and a wider search
    to offer when this one finds little (``broader``, see :func:`_broader`).

    Each facet is counted over the hits of ``q`` with every *other* selected filter
    applied, so a reader can switch between the values of one facet.
    """
    if type not in (None, "provision", "passage"):
        raise InvalidQuery("must be provision or passage", parameter="type")
    filters: dict[str, Any] = {"type": type, "doc": doc, "topic": topic, "lang": lang, "status": status}
    result = fts_search.search(
        reader, q, mode=mode, cursor=cursor, limit=limit, max_query_length=max_query_length, **filters
    )
    selected = {"type": type, "doc": doc, "topic": topic, "lang": lang}
    facets = search_facets(reader, q, result["match"], selected)
    broader = _broader(reader, q, mode, result, filters, max_query_length)
    return {**result, "facets": facets, "selected": selected, "broader": broader}


# A search in "all words" mode with fewer results than this offers "any of these words".
FEW_RESULTS = 10


def _broader(
    reader: query.Reader,
    q: str,
    mode: QueryMode,
    result: Mapping[str, Any],
    filters: Mapping[str, Any],
    max_query_length: int,
) -> dict[str, Any] | None:
    """``{"mode": "any", "count": n}`` when a query of several words found fewer than
    :data:`FEW_RESULTS` results with all of them and more with any of them; else None."""
    if mode != "all" or result["match"] != "all" or result["count"] >= FEW_RESULTS:
        return None
    if len(result.get("terms") or ()) < 2:
        return None
    wider = fts_search.search(reader, q, mode="any", limit=1, max_query_length=max_query_length, **filters)
    if wider["count"] <= result["count"]:
        return None
    return {"mode": "any", "count": wider["count"]}


def search_form_options(reader: query.Reader) -> dict[str, list[dict[str, str]]]:
    """The choices of the search form's filters: documents, topics and statuses in the database."""
    docs = query.list_documents(reader)
    topics = topic_rows(reader)
    return {
        "doc": [{"value": d["id"], "label": f"{short_name(d)} ({d['id']})"} for d in docs],
        "topic": [
            {"value": t, "label": str(row.get("label_en") or t)}
            for t, row in sorted(topics.items(), key=lambda kv: str(kv[1].get("label_en") or kv[0]).casefold())
        ],
        "status": [{"value": v, "label": v.replace("_", " ")} for v in sorted({str(d["status"]) for d in docs})],
    }


def search_facets(reader: query.Reader, q: str, match: QueryMode, selected: Mapping[str, str | None]) -> dict[str, Any]:
    """Counts of the hits of ``q`` per type, document, topic and language.

    The hits are the rows the search itself matched (``match`` is the mode it ran in:
    ``all``, or ``any`` after its fallback), by :func:`kb.search.matching_rows`,
    so lay words count through their expansion as they are found. A facet's counts
    apply the other facets' selected values, not its own.
    """
    rows = fts_search.matching_rows(reader, q, match=match)
    hits = search_unit_facets(reader, rows.tolist()[:FACET_SCAN_LIMIT])
    in_lang = {lang: set(fts_search.matching_rows(reader, q, match=match, lang=lang).tolist()) for lang in ("zh", "en")}

    def keep(hit: tuple[int, str, str, str], skip: str) -> bool:
        rowid, kind, doc_id, topics = hit
        if skip != "type" and selected.get("type") and kind != selected["type"]:
            return False
        if skip != "doc" and selected.get("doc") and doc_id != selected["doc"]:
            return False
        if skip != "topic" and selected.get("topic") and selected["topic"] not in topics.split():
            return False
        lang = selected.get("lang")
        return skip == "lang" or not lang or rowid in in_lang.get(lang, set())

    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for hit in hits:
        if keep(hit, "type"):
            counts["type"][hit[1]] += 1
        if keep(hit, "doc"):
            counts["doc"][hit[2]] += 1
        if keep(hit, "topic"):
            counts["topic"].update(set(hit[3].split()))
        if keep(hit, "lang"):
            for lang, rowids in in_lang.items():
                if hit[0] in rowids:
                    counts["lang"][lang] += 1
    docs = query.document_metas(reader)
    topics = topic_rows(reader)
    type_labels = {"provision": "Provisions", "passage": "Commentary passages"}
    lang_labels = {"zh": "Chinese text", "en": "English text"}

    def entries(name: str, label: Any) -> list[dict[str, Any]]:
        return [
            {"value": value, "label": label(value), "count": n, "selected": selected.get(name) == value}
            for value, n in sorted(counts[name].items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    def doc_label(doc_id: str) -> str:
        meta = docs.get(doc_id)
        if meta is None:
            return doc_id
        return short_name(
            {
                "id": doc_id,
                "short_names": meta.short_names,
                "title_zh": meta.title_zh,
                "title_en": meta.title_en,
                "outlet": meta.outlet,
            }
        )

    doc_entries = entries("doc", doc_label)
    # Versions of one law share a short name: tell them apart by year, else by id.
    for clash in _duplicates(e["label"] for e in doc_entries):
        for e in doc_entries:
            meta = docs.get(e["value"])
            if e["label"] == clash and meta is not None:
                year = (meta.promulgated or meta.adopted or meta.date or "")[:4]
                e["label"] = f"{clash} {year}".strip()
    for clash in _duplicates(e["label"] for e in doc_entries):
        for e in doc_entries:
            if e["label"] == clash:
                e["label"] = f"{clash} ({e['value']})"
    return {
        "type": entries("type", lambda v: type_labels.get(v, v)),
        "doc": doc_entries,
        "topic": entries("topic", lambda v: topics.get(v, {}).get("label_en") or v),
        "lang": entries("lang", lambda v: lang_labels.get(v, v)),
        "partial": len(rows) > FACET_SCAN_LIMIT,
    }


def _duplicates(values: Iterable[str]) -> set[str]:
    counts = Counter(values)
    return {v for v, n in counts.items() if n > 1}


# ---------------------------------------------------------------- documents


def document_page(reader: query.Reader, doc_id: str) -> dict[str, Any]:
    """A document with everything its page shows.

    Statutes get ``body``: containers and articles in order, each article with its
    lines (paragraphs and items, with their eids), the English translation line by line
    when it lines up, its topics, and how many commentary passages discuss it and how
    many provisions cite it. Commentary gets ``passages``: every passage with its
    annotations and its links. Every document gets ``referenced_by``: the commentary
    passages that mention or cite the document as a whole.
    """
    doc = query.get_document(reader, doc_id)
    if doc["kind"] == "commentary":
        doc["passages"] = commentary_passages(reader, doc_id)
        doc["body"] = []
    else:
        doc["body"] = statute_body(reader, doc_id)
        doc["passages"] = []
    doc["referenced_by"] = referenced_by(reader, doc_id)
    doc["short_name"] = short_name(doc)
    own = doc.get("promulgated") or doc.get("adopted") or doc.get("date") or ""
    for v in doc.get("versions") or ():
        earlier = (v.get("date") or "") < own
        v["compare"] = (
            {"from": v["id"] if earlier else doc["id"], "to": doc["id"] if earlier else v["id"]}
            if v["text_available"] and doc["text_available"]
            else None
        )
    return doc


# ---------------------------------------------------------------- provisions


def provision_page(reader: query.Reader, provision_id: str, *, base_url: str = "") -> dict[str, Any]:
    """:func:`kb.read.query.get_provision` plus what its page shows besides: the full
    citation record, commentary grouped by source and speaker (with the passages'
    whole text), labels of its other versions, a short name per linked provision, and
    the article's history (``kb.read.history``)."""
    data = query.get_provision(reader, provision_id, base_url=base_url)
    # get_provision has found the provision: the record needs no second lookup.
    meta = query.document_metas(reader)[data["doc_id"]]
    data["cite"] = citeformat.citation_record(meta, data["eid"], base_url=base_url)
    texts = passage_texts(reader, sorted({c["passage_id"] for c in data["commentary"]}))
    linked = {v["provision_id"] for v in data["versions"] if v.get("provision_id")}
    linked |= {c["dst"] for c in data["cites"]} | {c["src"] for c in data["cited_by"]}
    info = provision_info(reader, sorted(i for i in linked if node_type(i) == "provision"))
    linked_docs = {v["doc_id"] for v in data["versions"]} | {i for i in linked if node_type(i) == "document"}
    docs = document_info(reader, sorted(linked_docs))
    dates = document_dates(reader)
    for v in data["versions"]:
        v.update({"other": info.get(v["provision_id"] or "", {}), "other_doc": docs.get(v["doc_id"], {})})
    for c in data["cites"]:
        c["name"] = info.get(c["dst"], {}).get("short_name") or docs.get(c["dst"], {}).get("short_name")
    for c in data["cited_by"]:
        c["name"] = info.get(c["src"], {}).get("short_name")
    data["commentary_groups"] = _group_commentary(data["commentary"], texts, dates)
    data["history"] = None if data["level"] in query.CONTAINERS else query.provision_history(reader, provision_id)
    return data


def _group_commentary(
    commentary: Iterable[Mapping[str, Any]],
    texts: Mapping[str, Mapping[str, Any]],
    dates: Mapping[str, str | None],
) -> list[dict[str, Any]]:
    """Commentary links grouped by source document, then by speaker (best link first)."""
    sources: dict[str, dict[str, Any]] = {}
    for c in commentary:
        doc_id = c.get("doc_id") or doc_of(c["passage_id"])
        source = sources.setdefault(
            doc_id,
            {"doc_id": doc_id, "title": c.get("document_title") or doc_id, "date": dates.get(doc_id), "speakers": {}},
        )
        speaker = c.get("speaker") or {}
        group = source["speakers"].setdefault(
            speaker.get("name") or "", {"speaker": speaker, "stances": Counter(), "passages": []}
        )
        row = texts.get(c["passage_id"])
        if any(p["passage_id"] == c["passage_id"] for p in group["passages"]):
            continue  # one passage linked to the article and to its paragraph: show it once
        group["stances"][c.get("stance") or "none"] += 1
        group["passages"].append(
            {
                "passage_id": c["passage_id"],
                "n": row["n"] if row is not None else None,
                "text": row["text"] if row is not None else c.get("excerpt", ""),
                "stance": c.get("stance"),
                "kind": c["kind"],
                "score": c["score"],
                "evidence": c["evidence"],
                "target_id": c["target_id"],
            }
        )
    out = []
    for source in sources.values():
        speakers = []
        for group in source["speakers"].values():
            stances: Counter[str] = group["stances"]
            top = max(stances, key=lambda k: (stances[k], k != "none")) if stances else None
            speakers.append({**group, "stance": None if top == "none" else top, "stances": dict(stances)})
        out.append({**source, "speakers": speakers})
    return sorted(out, key=lambda src: (src["date"] or "", src["doc_id"]))


# ---------------------------------------------------------------- topics


def topic_page(reader: query.Reader, topic_id: str, *, limit: int = 200) -> dict[str, Any]:
    """The analyst's side-by-side for a topic: one column per commentary source (with its
    speakers, their stance and key passages), and the provisions at stake: those the
    commentary discusses first, then the articles tagged with the topic."""
    views = query.topic_viewpoints(reader, topic_id)
    tagged = query.get_topic(reader, topic_id, limit=limit)
    discussed: dict[str, dict[str, Any]] = {}
    for column in views["documents"]:
        for speaker in column["speakers"]:
            for prov in speaker["provisions"]:
                entry = discussed.setdefault(prov["id"], {**prov, "sources": []})
                entry["score"] = max(entry["score"], prov["score"])
                if column["document"]["id"] not in entry["sources"]:
                    entry["sources"].append(column["document"]["id"])
    info = provision_info(reader, sorted(discussed))
    at_stake = sorted(discussed.values(), key=lambda p: (-len(p["sources"]), -p["score"], p["id"]))
    for p in at_stake:
        p["short_name"] = info.get(p["id"], {}).get("short_name", p["id"])
    return {
        "topic": views["topic"],
        "counts": tagged["counts"],
        "columns": views["documents"],
        "passage_count": views["count"],
        "discussed": at_stake,
        "tagged": [p for p in tagged["provisions"] if p["id"] not in discussed],
        "tagged_total": tagged["counts"].get("provisions", len(tagged["provisions"])),
    }


# ---------------------------------------------------------------- versions


def compare_page(reader: query.Reader, from_id: str | None, to_id: str | None) -> dict[str, Any]:
    """The versions one can compare, and the comparison of ``from_id`` with ``to_id``
    when both are given (:func:`kb.read.query.compare_versions`)."""
    docs = query.list_documents(reader)
    out: dict[str, Any] = {"pairs": _version_pairs(docs), "comparison": None}
    if from_id or to_id:
        if not (from_id and to_id):
            raise InvalidQuery(
                "give both an earlier (from) and a later (to) version", parameter="to" if from_id else "from"
            )
        comparison = query.compare_versions(reader, from_id, to_id)
        changed = ("modified", "renumbered-modified", "added", "removed")
        comparison["changed"] = sum(1 for r in comparison["results"] if r["status"] in changed)
        out["comparison"] = comparison
    return out


# ---------------------------------------------------------------- graph


def graph_page(
    reader: query.Reader, node: str, *, depth: int = 1, kinds: Sequence[str] | None = None, max_nodes: int = 60
) -> dict[str, Any]:
    """:func:`kb.read.query.graph` with a short display name per node
    (``PIPL 第二十八条``, ``chinai-163 ¶7``) for drawing."""
    data = query.graph(reader, node, depth=depth, kinds=kinds, max_nodes=max_nodes)
    ids = [n["id"] for n in data["nodes"]]
    provs = provision_info(reader, [i for i in ids if node_type(i) == "provision"])
    docs = document_info(reader, sorted({doc_of(i) for i in ids}))
    for n in data["nodes"]:
        doc_id = doc_of(n["id"])
        if n["type"] == "provision":
            n["short"] = provs.get(n["id"], {}).get("short_name", n["id"])
        elif n["type"] == "passage":  # commentary titles are long: its id is the readable name
            n["short"] = f"{doc_id} ¶{passage_number(n['id'])}"
        else:
            n["short"] = docs.get(doc_id, {}).get("short_name", doc_id)
    # Versions of one law share a short name (CSL, CSL 第四十一条): there, the id tells them apart.
    clashes = _duplicates(n["short"] for n in data["nodes"])
    for n in data["nodes"]:
        if n["short"] in clashes:
            label = provs.get(n["id"], {}).get("label", "")
            n["short"] = f"{doc_of(n['id'])} {label}".strip() if n["type"] == "provision" else n["id"]
    return data
