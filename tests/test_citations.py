"""Citation finding and resolution, against the real manifest and the real statute texts.

The index is built from ``corpus/manifest.toml`` and the eids of every statute parsed by
``kb.ingest.statute`` from the source files (read through the settings' source root).
"""

from __future__ import annotations

import doctest
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kb.annotate.citations as citations_module
import kb.annotate.citations.patterns
import kb.annotate.citations.resolve
import kb.dates
from kb.annotate.citations import (
    CitationIndex,
    citation_annotations,
    citation_links,
    find_citations,
    load_patterns,
)
from kb.annotate.citations.patterns import EN_AS_WRITTEN_TEMPLATE, CitationExample, words_regex
from kb.errors import ConfigError
from kb.ingest.manifest import load_manifest
from kb.ingest.sources import read_source
from kb.ingest.statute import parse_statute
from kb.model import DocumentMeta, SourceRef
from kb.settings import get_settings

LABELLED = Path(__file__).parent / "fixtures" / "citations" / "labelled.jsonl"

R, A, N, AMB = "resolved", "text_absent", "not_found", "ambiguous"
Found = list[tuple[str, tuple[str, ...]]]


def statute_eids(documents: tuple[DocumentMeta, ...]) -> dict[str, frozenset[str]]:
    """The eids that exist in each statute whose text we have."""
    root = get_settings().source_root
    eids: dict[str, frozenset[str]] = {}
    for doc in documents:
        if doc.is_commentary or not doc.text_available:
            continue
        sources = [read_source(root, s.path, expected_sha256=s.sha256) for s in doc.sources]
        eids[doc.id] = frozenset(p.eid for p in parse_statute(doc, sources).provisions)
    return eids


@pytest.fixture(scope="module")
def documents() -> tuple[DocumentMeta, ...]:
    return load_manifest()


@pytest.fixture(scope="module")
def eids(documents: tuple[DocumentMeta, ...]) -> dict[str, frozenset[str]]:
    return statute_eids(documents)


@pytest.fixture(scope="module")
def index(documents: tuple[DocumentMeta, ...], eids: dict[str, frozenset[str]]) -> CitationIndex:
    return CitationIndex.build(documents, eids)


def cites(text: str, index: CitationIndex, **ctx: Any) -> Found:
    return [(c.status, c.ids) for c in find_citations(text, index, **ctx)]


def ids(*xs: str) -> tuple[str, ...]:
    return tuple(xs)


PIPL = {"context_doc": "pipl-2021"}
PIPL_13_1 = {"context_doc": "pipl-2021", "context_eid": "art_13__para_1"}
PIPL_13_2 = {"context_doc": "pipl-2021", "context_eid": "art_13__para_2"}
SPC = {"context_doc": "spc-frt-2021"}
ARTS_34_TO_37 = tuple(f"pipl-2021/art_{n}" for n in range(34, 38))
ITEMS_2_TO_7 = tuple(f"pipl-2021/art_13__para_1__item_{i}" for i in range(2, 8))

# (text, context, expected [(status, ids), ...] for every citation found, in order)
TABLE: list[tuple[str, Mapping[str, str], Found]] = [
    # ---- Chinese: named documents and pinpoints
    ("《中华人民共和国个人信息保护法》第十三条第一款第（四）项", {}, [(R, ids("pipl-2021/art_13__para_1__item_4"))]),
    ("个人信息保护法第十三条第一款第四项", {}, [(R, ids("pipl-2021/art_13__para_1__item_4"))]),
    ("个人信息保护法第十三条第（四）项", {}, [(R, ids("pipl-2021/art_13__para_1__item_4"))]),
    ("民法典第一千零三十四条", {}, [(R, ids("civil-code-2020/art_1034"))]),
    (
        "《民法典》第一千零三十四条、第一千零三十五条",
        {},
        [(R, ids("civil-code-2020/art_1034")), (R, ids("civil-code-2020/art_1035"))],
    ),
    (
        "民法典第一千一百六十九条第一款和第一千一百七十条",
        {},
        [(R, ids("civil-code-2020/art_1169__para_1")), (R, ids("civil-code-2020/art_1170"))],
    ),
    ("个保法第二十八条", {}, [(R, ids("pipl-2021/art_28"))]),
    ("《个人信息保护法》第13条第1款第4项", {}, [(R, ids("pipl-2021/art_13__para_1__item_4"))]),
    (
        "个人信息保护法第十三条第一款第（四）项、第（五）项",
        {},
        [(R, ids("pipl-2021/art_13__para_1__item_4")), (R, ids("pipl-2021/art_13__para_1__item_5"))],
    ),
    (
        "网络安全法第四十一条至四十三条",
        {"date": "2020"},
        [(R, ids("csl-2016/art_41", "csl-2016/art_42", "csl-2016/art_43"))],
    ),
    # ---- Chinese: self and relative references
    ("依照本法第十三条", PIPL, [(R, ids("pipl-2021/art_13"))]),
    ("本法第三十四条至第三十七条", PIPL, [(R, ARTS_34_TO_37)]),
    ("本条第二款", PIPL_13_1, [(R, ids("pipl-2021/art_13__para_2"))]),
    ("前款规定", PIPL_13_2, [(R, ids("pipl-2021/art_13__para_1"))]),
    ("有前款第二项至第七项规定情形的", PIPL_13_2, [(R, ITEMS_2_TO_7)]),
    (
        "前两款规定的部门",
        {"context_doc": "pipl-2021", "context_eid": "art_60__para_3"},
        [(R, ids("pipl-2021/art_60__para_1", "pipl-2021/art_60__para_2"))],
    ),
    ("依照第一款规定", PIPL_13_2, [(R, ids("pipl-2021/art_13__para_1"))]),
    ("适用本规定。", SPC, [(R, ids("spc-frt-2021"))]),
    ("本规定第五条", SPC, [(R, ids("spc-frt-2021/art_5"))]),
    ("前款规定", {}, [(N, ())]),
    ("第十七条之一", PIPL, [(N, ())]),
    # ---- Chinese: lists of documents, versions
    (
        "根据《中华人民共和国民法典》《中华人民共和国网络安全法》《中华人民共和国电子商务法》等法律",
        SPC,
        [(R, ids("civil-code-2020")), (R, ids("csl-2016")), (N, ())],
    ),
    ("网络安全法（2025年修正）第十三条", {"date": "2020-01-01"}, [(R, ids("csl-2025/art_13"))]),
    ("2016年网络安全法", {}, [(R, ids("csl-2016"))]),
    ("网络安全法第四十一条", {"date": "2021-01-01"}, [(R, ids("csl-2016/art_41"))]),
    ("网络安全法", {}, [(R, ids("csl-2025"))]),
    ("未成年人保护法", {"date": "2022-03-01"}, [(R, ids("minors-protection-2020"))]),
    ("未成年人保护法", {"date": "2024-05-01"}, [(R, ids("minors-protection-2024"))]),
    ("反间谍法", {"date": "2020"}, [(R, ids("counter-espionage-2014"))]),
    ("《人脸识别技术应用安全管理办法》第十五条", {}, [(R, ids("cac-mps-frt-2025/art_15"))]),
    ("《儿童个人信息网络保护规定》第九条", {}, [(R, ids("children-pi-2019/art_9"))]),
    ("人脸识别技术应用安全管理规定", {}, [(A, ids("cac-frt-2023-draft"))]),
    # ---- Chinese: what is not there, and what is not a citation
    ("个人信息保护法第九十九条", {}, [(N, ())]),
    ("个人信息保护法第十三条第九款", {}, [(N, ())]),
    ("《中华人民共和国消费者权益保护法》第四十七条", {}, [(N, ())]),
    ("依据民事诉讼法第六十四条", SPC, [(N, ())]),
    ("完善个人信息保护法律制度", {}, []),
    ("宪法是国家的根本法", PIPL, []),
    ("《人民日报》报道", {}, []),
    ("第十三条 符合下列情形之一的", PIPL, []),
    # ---- English: pinpoints
    ("Article 13(1)(4) of the PIPL", {}, [(R, ids("pipl-2021/art_13__para_1__item_4"))]),
    ("art. 13(1)(iv) of the PIPL", {}, [(R, ids("pipl-2021/art_13__para_1__item_4"))]),
    ("Art. 28 PIPL", {}, [(R, ids("pipl-2021/art_28"))]),
    ("PIPL arts. 34–37", {}, [(R, ARTS_34_TO_37)]),
    (
        "Articles 28 and 29 of the Personal Information Protection Law",
        {},
        [(R, ids("pipl-2021/art_28")), (R, ids("pipl-2021/art_29"))],
    ),
    (
        "Articles 13, 14 and 17 of the DSL",
        {},
        [(R, ids("dsl-2021/art_13")), (R, ids("dsl-2021/art_14")), (R, ids("dsl-2021/art_17"))],
    ),
    ("the PIPL's Article 13", {}, [(R, ids("pipl-2021/art_13"))]),
    ("Art. 13 (PIPL)", {}, [(R, ids("pipl-2021/art_13"))]),
    (
        "Articles 13-15 and 17 of the PIPL",
        {},
        [(R, ids("pipl-2021/art_13", "pipl-2021/art_14", "pipl-2021/art_15")), (R, ids("pipl-2021/art_17"))],
    ),
    ("Article 13, paragraph 2 of the PIPL", {}, [(R, ids("pipl-2021/art_13__para_2"))]),
    # (n) is a paragraph when the article has it (kb.read.citeformat prints paragraphs so), else an item
    ("Article 13(1) of the PIPL", {}, [(R, ids("pipl-2021/art_13__para_1"))]),
    ("Article 62(2) of the PIPL", {}, [(R, ids("pipl-2021/art_62__para_1__item_2"))]),
    ("Article 62(9) of the PIPL", {}, [(N, ())]),
    ("Article 1034 of the Civil Code", {}, [(R, ids("civil-code-2020/art_1034"))]),
    ("Article 41 of the Cybersecurity Law", {"date": "2020-05-04"}, [(R, ids("csl-2016/art_41"))]),
    ("Article 41 of the Cybersecurity Law", {}, [(R, ids("csl-2025/art_41"))]),
    ("Article 13", PIPL, [(R, ids("pipl-2021/art_13"))]),
    ("Article 41", {}, [(N, ())]),
    ("Article 99 of the PIPL", {}, [(N, ())]),
    ("Article 17-1 of the PIPL", {}, [(N, ())]),
    ("Article 5 of the Copyright Law", {}, [(N, ())]),
    # ---- English: documents by name, alias, short name, description
    ("the national privacy law passed in 2021", {}, [(R, ids("pipl-2021"))]),
    ("the anti-espionage law", {"date": "2023-08-08"}, [(R, ids("counter-espionage-2023"))]),
    ("the anti-espionage law", {"date": "2019"}, [(R, ids("counter-espionage-2014"))]),
    ("the Personal Information Security Specification", {}, [(A, ids("pi-spec-2020"))]),
    ("China's Cybersecurity Law", {"date": "2020-05-04"}, [(R, ids("csl-2016"))]),
    ("the 2016 Cybersecurity Law", {}, [(R, ids("csl-2016"))]),
    ("the Cybersecurity Law (2025 Amendment)", {"date": "2020"}, [(R, ids("csl-2025"))]),
    ("the draft rules", {"date": "2023-08-08"}, [(A, ids("cac-frt-2023-draft"))]),
    ("the draft rules", {"date": "2020"}, []),
    ("the Data Security Law (DSL)", {}, [(R, ids("dsl-2021"))]),
    ("Vietnam's Cybersecurity Law", {}, []),
    ("the Cybersecurity Administration of China", {}, []),
]


@pytest.mark.parametrize(("text", "ctx", "expected"), TABLE, ids=[f"{i}:{row[0][:30]}" for i, row in enumerate(TABLE)])
def test_table(index: CitationIndex, text: str, ctx: Mapping[str, str], expected: Found) -> None:
    assert cites(text, index, **ctx) == expected


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


@pytest.mark.parametrize("example", load_patterns().examples, ids=lambda e: e.text[:30])
def test_patterns_examples(index: CitationIndex, example: CitationExample) -> None:
    found = find_citations(example.text, index, **example.context())
    assert found, "the example must produce a citation"
    assert {c.status for c in found} == {example.status}
    assert [i for c in found for i in c.ids] == list(example.ids)


def test_spans_point_into_the_text(index: CitationIndex) -> None:
    text = "见《民法典》第一千零三十四条、第一千零三十五条。See Art. 28 PIPL."
    found = find_citations(text, index)
    assert [c.text for c in found] == ["《民法典》第一千零三十四条", "第一千零三十五条", "Art. 28 PIPL"]
    assert all(text[c.start : c.end] == c.text for c in found)
    assert found[0].pinpoint == "art_1034" and found[0].doc_id == "civil-code-2020"


# Characters the finder reacts to, so that random text often comes close to a citation.
_NEAR_CITATIONS = st.lists(
    st.sampled_from(
        list("第一二十百千零条款项目之至、和本法前两《》〈〉（）() 民典个人信息保护同该以下简称“”")
        + list("Art.ile1347-ofthePIPL’s,(iv)")
        + ["paragraph ", "item ", "the same law", "DSL", "Civil Code", "amended ", ". ", '(the "X")']
    ),
    max_size=40,
).map("".join)


@settings(max_examples=60, deadline=None)
@given(text=_NEAR_CITATIONS)
def test_any_text_gives_consistent_spans(index: CitationIndex, text: str) -> None:
    for c in find_citations(text, index, context_doc="pipl-2021", context_eid="art_13__para_2"):
        assert 0 <= c.start < c.end <= len(text) and text[c.start : c.end] == c.text
        assert (c.status == N) == (not c.ids)


def test_text_absent_keeps_the_pinpoint(index: CitationIndex) -> None:
    (c,) = find_citations("《人脸识别技术应用安全管理规定》第十五条", index)
    assert (c.status, c.ids, c.pinpoint) == (A, ("cac-frt-2023-draft",), "art_15")


@pytest.mark.parametrize(
    ("text", "pinpoint"),
    [
        ("As defined in Article 19, face information excludes anonymised data.", "art_19"),
        ("见第十九条第一款。", "art_19__para_1"),
        # a foreign law's article names its document: no pinpoint of ours to weigh
        ("Face data falls under Article 9 of the GDPR.", None),
    ],
)
def test_a_bare_article_naming_no_document_keeps_its_pinpoint(
    index: CitationIndex, text: str, pinpoint: str | None
) -> None:
    (c,) = find_citations(text, index)
    assert (c.status, c.ids, c.pinpoint) == ("not_found", (), pinpoint)


def test_not_found_says_why(index: CitationIndex) -> None:
    (c,) = find_citations("Article 99 of the PIPL", index)
    assert c.note and "art_99" in c.note and c.doc_id == "pipl-2021"


# ---------------------------------------------------------------- synthetic indexes


NO_EXTRA_NAMES = replace(load_patterns(), aliases={})  # the extra names name real documents only


def _law(doc_id: str, work: str, **fields: Any) -> DocumentMeta:
    return DocumentMeta(id=doc_id, kind="law", work=work, sources=(SourceRef(f"{doc_id}.txt"),), **fields)


def test_a_name_of_two_works_is_ambiguous() -> None:
    docs = [_law("a-2020", "a", aliases_en=("Data Law",)), _law("b-2021", "b", aliases_en=("Data Law",))]
    eids = {d.id: frozenset({"art_3", "art_3__para_1"}) for d in docs}
    ix = CitationIndex.build(docs, eids, patterns=NO_EXTRA_NAMES)
    assert cites("the Data Law", ix) == [(AMB, ("a-2020", "b-2021"))]
    assert cites("Article 3 of the Data Law", ix) == [(AMB, ("a-2020/art_3", "b-2021/art_3"))]


def test_sub_articles() -> None:
    eids = {"x": frozenset({"art_17", "art_17__para_1", "art_17-1", "art_17-1__para_1", "art_18", "art_18__para_1"})}
    ix = CitationIndex.build([_law("x", "x", title_zh="测试法", short_names=("TSTL",))], eids, patterns=NO_EXTRA_NAMES)
    assert cites("本法第十七条之一", ix, context_doc="x") == [(R, ("x/art_17-1",))]
    assert cites("测试法第十七条至第十八条", ix) == [(R, ("x/art_17", "x/art_17-1", "x/art_18"))]
    assert cites("Article 17-1 of the TSTL", ix) == [(R, ("x/art_17-1",))]
    assert cites("前条", ix, context_doc="x", context_eid="art_18__para_1") == [(R, ("x/art_17-1",))]


def test_pinpoints_are_trusted_when_eids_are_unknown() -> None:
    ix = CitationIndex.build([_law("x", "x", title_zh="测试法")], {}, patterns=NO_EXTRA_NAMES)
    (c,) = find_citations("测试法第五条", ix)
    assert (c.status, c.ids, c.note) == (R, ("x/art_5",), "pinpoint not verified")


# ---------------------------------------------------------------- real texts


def test_spc_interpretation_cites_the_civil_code(index: CitationIndex) -> None:
    root = get_settings().source_root
    text = (root / "corpus/primary/spc-frt-2021.zh.txt").read_text(encoding="utf-8")
    found = find_citations(text, index, context_doc="spc-frt-2021")
    art_1034 = [c for c in found if c.ids == ("civil-code-2020/art_1034",)]
    assert art_1034 and art_1034[0].text == "民法典第一千零三十四条" and art_1034[0].status == R
    assert ("spc-frt-2021/art_5",) in {c.ids for c in found}  # 本规定第五条
    assert ("csl-2016",) in {c.ids for c in found}  # 《中华人民共和国网络安全法》 in 2021
    # article headings ("第一条 因信息处理者…") are labels, not citations
    assert not [c for c in found if c.ids and c.ids[0].startswith("spc-frt-2021/") and c.start == 0]


def test_pipl_self_references_resolve_inside_pipl(index: CitationIndex) -> None:
    root = get_settings().source_root
    pipl = next(d for d in load_manifest() if d.id == "pipl-2021")
    parsed = parse_statute(pipl, [read_source(root, s.path) for s in pipl.sources])
    self_refs = []
    for p in parsed.provisions:
        if p.level != "paragraph":
            continue
        for c in find_citations(p.text, index, context_doc="pipl-2021", context_eid=p.eid):
            assert c.status == R, (p.eid, c)
            if c.text.startswith(("本法第", "前款", "前两款")):
                self_refs.append(c)
    assert len(self_refs) >= 10
    assert all(i.startswith("pipl-2021/art_") for c in self_refs for i in c.ids)


def _labelled() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_labelled_rows_come_from_the_sources() -> None:
    """Rows quoting a source quote it exactly; rows with ``source: null`` are our own sentences."""
    rows = _labelled()
    root = get_settings().source_root
    assert len(rows) >= 80
    assert sum(1 for row in rows if row["source"]) >= 40
    for row in rows:
        if row["source"] is not None:
            assert row["text"] in (root / row["source"]).read_text(encoding="utf-8"), row["text"]


def test_labelled_ids_exist(documents: tuple[DocumentMeta, ...], eids: dict[str, frozenset[str]]) -> None:
    """Every id a row expects is a document of the manifest or a provision its parse produced."""
    known = {d.id for d in documents}
    for row in _labelled():
        assert row["doc"] is None or row["doc"] in known, row["text"]
        for cited in (i for e in row["expected"] for i in e["ids"]):
            doc, _, eid = cited.partition("/")
            assert doc in known and (not eid or eid in eids[doc]), (row["text"], cited)


def test_labelled_accuracy(index: CitationIndex, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _labelled()
    misses = []
    for row in rows:
        ctx = {"context_doc": row["doc"], "context_eid": row.get("context_eid"), "date": row.get("date")}
        got = cites(row["text"], index, **ctx)
        want = [(e["status"], tuple(e["ids"])) for e in row["expected"]]
        if got != want:
            misses.append((row["text"][:40], want, got))
    accuracy = 1 - len(misses) / len(rows)
    with capsys.disabled():
        print(f"\ncitation accuracy on {len(rows)} labelled rows: {accuracy:.3f}")
        for miss in misses:
            print("  miss:", miss)
    assert accuracy >= 0.9


# ---------------------------------------------------------------- annotations and links


def test_citation_annotations_take_context_from_the_target(index: CitationIndex) -> None:
    (a,) = citation_annotations("pipl-2021/art_13__para_2", "有前款第二项至第七项规定情形的", index)
    assert a.kind == "citation" and a.label == ITEMS_2_TO_7[0] and a.text == "前款第二项至第七项"
    assert a.data["status"] == R and a.data["ids"] == list(ITEMS_2_TO_7) and a.data["pinpoint"] is None
    (b,) = citation_annotations("wsj-draft-rules-2023/p_3", "Article 99 of the PIPL", index)
    assert (b.label, b.data["status"]) == ("", N)


def test_citation_links(index: CitationIndex) -> None:
    text = "依照本法第十三条和本法规定，参照民法典第一千零三十四条、个人信息保护法第九十九条"
    found = find_citations(text, index, context_doc="pipl-2021", context_eid="art_14__para_1")
    links = citation_links("pipl-2021/art_14__para_1", found)
    assert [(link.dst, link.score) for link in links] == [
        ("pipl-2021/art_13", 1.0),
        ("civil-code-2020/art_1034", 1.0),
    ]  # 本法 alone links to its own document: left out; 第九十九条 is not_found: left out
    assert links[1].kind == "cites" and links[1].evidence["text"] == "民法典第一千零三十四条"
    start, end = links[1].evidence["span"]
    assert text[start:end] == "民法典第一千零三十四条"
    docs = [_law("a-2020", "a", aliases_en=("Data Law",)), _law("b-2021", "b", aliases_en=("Data Law",))]
    two_works = CitationIndex.build(docs, {d.id: frozenset({"art_3"}) for d in docs}, patterns=NO_EXTRA_NAMES)
    ambiguous = citation_links("p/p_1", find_citations("Article 3 of the Data Law", two_works))
    assert {link.score for link in ambiguous} == {0.5} and len(ambiguous) == 2


def test_an_article_links_to_a_target_once_and_never_to_its_own_parts(index: CitationIndex) -> None:
    text = "依照本条第二款和本法第十三条的规定；本法第十三条第一款另有规定的除外"
    found = find_citations(text, index, context_doc="pipl-2021", context_eid="art_14__para_1")
    dsts = [link.dst for link in citation_links("pipl-2021/art_14", found)]
    assert len(dsts) == len(set(dsts)) and "pipl-2021/art_13" in dsts
    assert not [d for d in dsts if d.startswith("pipl-2021/art_14")]  # 本条第二款: a part of the source


def test_public_surface() -> None:
    assert set(citations_module.__all__) == {
        "PATTERNS_PATH",
        "CitationIndex",
        "CitationPatterns",
        "citation_annotations",
        "citation_links",
        "citation_annotations_from",
        "find_citations",
        "load_patterns",
        "parse_patterns",
    }


@pytest.mark.parametrize(
    "module", [citations_module, kb.annotate.citations.patterns, kb.annotate.citations.resolve, kb.dates]
)
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


MALFORMED_PATTERNS = [
    ('[[alias]]\ndoc = "pipl-2021"\n\n[[alias]]\ndoc = "csl-2016"\nen = ["CSL", 7]\n', "alias.1.en.1"),
    ('[[alias]]\nen = ["CSL"]\n', "alias.0.doc"),
    ('[english]\ntitle_heads = "Law"\n', "english.title_heads"),
    ('[chinese]\nself_refs = ["本法"]\n', "chinese.self_refs"),
    ('[[example]]\ntext = "民法典第一条"\nids = []\nstatus = "found"\n', "example.0.status"),
]


@pytest.mark.parametrize(("toml", "where"), MALFORMED_PATTERNS)
def test_a_malformed_patterns_file_names_file_entry_and_field(tmp_path: Path, toml: str, where: str) -> None:
    path = tmp_path / "patterns.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_patterns(path)
    assert str(err.value).startswith(f"{path}: {where}: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an article after a foreign law is that law's, not the Chinese law named before it;
        # the foreign law alone is no citation
        (
            "The PIPL says so. Europe's GDPR, by comparison, treats face data as special under Article 9.",
            [("PIPL", "resolved"), ("Article 9", "not_found")],
        ),
        ("The PIPL applies. Under BIPA, Article 15 is stricter.", [("PIPL", "resolved"), ("Article 15", "not_found")]),
        # a word that only contains a foreign law's name is not one
        (
            "The PIPL applies. The GDPRs of tomorrow may differ under Article 9.",
            [("PIPL", "resolved"), ("Article 9", "resolved")],
        ),
        # the foreign law named after the article ("of the GDPR", "of the EU's GDPR", "GDPR")
        ("Face data falls under Article 9 of the GDPR in Europe.", [("Article 9", "not_found")]),
        ("Compare Article 9 of the EU's GDPR with the Measures.", [("Article 9", "not_found")]),
        ("Article 9 GDPR is stricter.", [("Article 9", "not_found")]),
    ],
)
def test_an_article_after_a_foreign_law_is_not_a_chinese_one(
    index: CitationIndex, text: str, expected: list[tuple[str, str]]
) -> None:
    assert [(c.text, c.status) for c in find_citations(text, index)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an article of a document described by a kind the law named before is not
        (
            "The Civil Code protects faces. Article 4 of the court's 2021 interpretation bars forced consent.",
            [("civil-code-2020", "resolved"), ("", "not_found")],
        ),
        # described well enough to name it: that document's
        (
            "The Civil Code protects faces. Article 4 of the SPC's 2021 interpretation bars forced consent.",
            [("civil-code-2020", "resolved"), ("spc-frt-2021/art_4", "resolved")],
        ),
        ("The PIPL applies. Article 13 of the new measures differs.", [("pipl-2021", "resolved"), ("", "not_found")]),
        # of the kind it is: the document named before
        (
            "The SPC FRT Provisions apply. Article 4 of the interpretation bars forced consent.",
            [("spc-frt-2021", "resolved"), ("spc-frt-2021/art_4", "resolved")],
        ),
        # "the law" is the law just named
        (
            "The PIPL applies. Article 13 of the law lists bases.",
            [("pipl-2021", "resolved"), ("pipl-2021/art_13", "resolved")],
        ),
    ],
)
def test_an_article_of_a_described_document_takes_a_law_of_that_kind(
    index: CitationIndex, text: str, expected: list[tuple[str, str]]
) -> None:
    assert [(",".join(c.ids), c.status) for c in find_citations(text, index)] == expected


@pytest.mark.parametrize(
    ("words", "text", "found"),
    [
        # every word of the list is whole: "id." inside "said." is no note reference
        (("Ibid.", "Id.", "id."), "He said. Id. art. 6", ["Id."]),
        (("GDPR", "BIPA"), "GDPRs and BIPAs, not the GDPR or BIPA", ["GDPR", "BIPA"]),
    ],
)
def test_words_are_matched_whole(words: tuple[str, ...], text: str, found: list[str]) -> None:
    assert [m.group(0) for m in words_regex(words, EN_AS_WRITTEN_TEMPLATE).finditer(text)] == found


# ---------------------------------------------------------------- descriptions

DESCRIBED: list[tuple[str, Mapping[str, str], Found]] = [
    # ---- English: a document mention
    ("the SPC's 2021 interpretation", {}, [(R, ids("spc-frt-2021"))]),
    (
        "the Supreme People's Court's 2021 judicial interpretation on facial recognition",
        {},
        [(R, ids("spc-frt-2021"))],
    ),
    ("the 2025 Measures", {}, [(R, ids("cac-mps-frt-2025"))]),
    ("the CAC/MPS measures", {}, [(R, ids("cac-mps-frt-2025"))]),
    ("the CAC's 2023 draft", {"date": "2023-09"}, [(A, ids("cac-frt-2023-draft"))]),
    ("the MPS regulation on public-security video", {"date": "2021"}, [(A, ids("mps-video-2016-draft"))]),
    ("the 2019 children's provisions", {}, [(R, ids("children-pi-2019"))]),
    ("the State Council's 2024 regulation on network data", {}, [(R, ids("network-data-2024"))]),
    # ---- English: a pinpoint
    ("Article 4 of the SPC's 2021 interpretation", {}, [(R, ids("spc-frt-2021/art_4"))]),
    ("the 2025 Measures' Article 15", {}, [(R, ids("cac-mps-frt-2025/art_15"))]),
    ("Article 9 of the 2023 draft", {"date": "2023-09"}, [(A, ids("cac-frt-2023-draft"))]),
    # a short form after it: the same document
    (
        "The 2025 Measures apply, as does the PIPL. Article 10 of the Measures bars face-only entry.",
        {},
        [(R, ids("cac-mps-frt-2025")), (R, ids("pipl-2021")), (R, ids("cac-mps-frt-2025/art_10"))],
    ),
    # a note: the issuer opens it, the year follows in brackets
    ("[^2]: SPC Provisions (2021), art. 10(1).", {}, [(R, ids("spc-frt-2021/art_10__para_1"))]),
    ("(CAC measures (2025), art. 8)", {}, [(R, ids("cac-mps-frt-2025/art_8"))]),
    # ---- Chinese
    ("最高法2021年的司法解释", {}, [(R, ids("spc-frt-2021"))]),
    ("最高人民法院关于人脸识别的司法解释", {}, [(R, ids("spc-frt-2021"))]),
    ("2025年《办法》第五条", {}, [(R, ids("cac-mps-frt-2025/art_5"))]),
    ("网信办2023年的征求意见稿", {"date": "2024"}, [(A, ids("cac-frt-2023-draft"))]),
    ("公安部的视频图像条例", {"date": "2021"}, [(A, ids("mps-video-2016-draft"))]),
    ("最高法2021年的司法解释第四条", {}, [(R, ids("spc-frt-2021/art_4"))]),
    ("最高法2021年那个人脸识别的司法解释", {}, [(R, ids("spc-frt-2021"))]),
    ("最高人民法院司法解释第十条第一款", {}, [(R, ids("spc-frt-2021/art_10__para_1"))]),
    ("2025年施行的人脸识别安全管理办法", {}, [(R, ids("cac-mps-frt-2025"))]),
    ("2023年8月公布的征求意见稿", {"date": "2024"}, [(A, ids("cac-frt-2023-draft"))]),
    # ---- draft vs final; the citing date
    ("the CAC's 2023 draft", {"date": "2022"}, []),  # not yet published
    ("the 2023 draft measures", {"date": "2024"}, [(A, ids("cac-frt-2023-draft"))]),
    # ---- ambiguous: nothing (an article after it is not found, not the law named before)
    ("the 2025 regulations", {}, []),
    ("2021年的法律", {}, []),
    ("The PIPL applies. Article 9 of the 2025 regulations differs.", {}, [(R, ids("pipl-2021")), (N, ())]),
    # ... unless the document named just before is one of those that fit
    (
        "The PIPL took effect. The 2021 law's Article 13 lists bases.",
        {},
        [(R, ids("pipl-2021")), (R, ids("pipl-2021/art_13"))],
    ),
    # ---- no description: no issuer and no year, or not "the"
    ("an interpretation of the law", {}, []),
    ("the court's interpretation was narrow", {}, []),
    ("these measures", {}, []),
    ("the new measures", {}, []),
    ("Officials said SPC provisions matter.", {}, []),  # an issuer opens one only after a bracket, a colon, a line
    ("the Hangzhou court's 2021 interpretation of the contract", {}, []),
    ("the SPC's interpretation of the consent rule", {}, []),  # the act of interpreting
    ("网信办2023年的做法", {}, []),
    ("我们认为视频图像条例很好", {}, []),
    ("网信办2019年规定，网络运营者应当", {}, []),  # 规定 as a verb
    ("网信办规定，网络运营者应当", {}, []),
    ("网信办2019年的规定", {}, [(R, ids("children-pi-2019"))]),
]


@pytest.mark.parametrize(
    ("text", "ctx", "expected"), DESCRIBED, ids=[f"{i}:{row[0][:30]}" for i, row in enumerate(DESCRIBED)]
)
def test_descriptions(index: CitationIndex, text: str, ctx: Mapping[str, str], expected: Found) -> None:
    assert cites(text, index, **ctx) == expected


def test_a_description_two_documents_fit_names_neither() -> None:
    rules = [
        DocumentMeta(
            id=d,
            kind="departmental-rule",
            issuer="国家互联网信息办公室",
            work=d,
            sources=(SourceRef(d),),
            title_zh=t,
            title_en=e,
            promulgated="2021-05-01",
        )
        for d, t, e in (
            ("a-2021", "甲规定", "Provisions on the Care of Apples"),
            ("b-2021", "乙规定", "Provisions on the Care of Bananas"),
        )
    ]
    ix = CitationIndex.build(rules, {d.id: frozenset({"art_3"}) for d in rules}, patterns=NO_EXTRA_NAMES)
    assert cites("the 2021 rules", ix) == []
    assert cites("Article 3 of the CAC's 2021 rules", ix) == [(N, ())]
    assert cites("the 2021 rules on apples", ix) == [(R, ("a-2021",))]
    assert cites("Article 3 of the CAC's 2021 provisions on bananas", ix) == [(R, ("b-2021/art_3",))]
    assert cites("网信办2021年的规定", ix) == []
