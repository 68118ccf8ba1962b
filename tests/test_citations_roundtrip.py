"""Citations as commentary writes them, and the resolver's own citation strings read back.

The round trip: every provision of the default corpus, printed by ``kb.read.citeformat``
as its English short cite ("CSL art. 41(1)") and its Chinese cite
(《中华人民共和国网络安全法》第四十一条第一款), must resolve to exactly that provision,
read on a date its version was in force.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_citations import NO_EXTRA_NAMES, _law, statute_eids

from kb.annotate.citations import CitationIndex, find_citations
from kb.annotate.citations.chains import parse_pinpoint
from kb.ingest.manifest import load_manifest
from kb.model import DocumentMeta
from kb.read.citeformat import cite_en, cite_zh

R, N = "resolved", "not_found"


@pytest.fixture(scope="module")
def documents() -> tuple[DocumentMeta, ...]:
    return load_manifest()


@pytest.fixture(scope="module")
def eids(documents: tuple[DocumentMeta, ...]) -> dict[str, frozenset[str]]:
    return statute_eids(documents)


@pytest.fixture(scope="module")
def index(documents: tuple[DocumentMeta, ...], eids: dict[str, frozenset[str]]) -> CitationIndex:
    return CitationIndex.build(documents, eids)


def _en(meta: DocumentMeta, eid: str) -> str:
    return cite_en(meta, eid)


def _zh(meta: DocumentMeta, eid: str) -> str:
    return cite_zh(meta, eid) or ""


@pytest.mark.parametrize("fmt", [_en, _zh], ids=["en", "zh"])
def test_every_provision_round_trips(
    documents: tuple[DocumentMeta, ...],
    eids: dict[str, frozenset[str]],
    index: CitationIndex,
    fmt: Callable[[DocumentMeta, str], str],
) -> None:
    checked = 0
    failures: list[tuple[str, str, list[tuple[str, tuple[str, ...]]]]] = []
    for doc in documents:
        for eid in sorted(eids.get(doc.id, ())):
            if parse_pinpoint(eid) is None:  # chapters, sections, the preamble: no pinpoint form
                continue
            text = fmt(doc, eid)
            found = [(c.status, c.ids) for c in find_citations(text, index, date=doc.in_force_from)]
            checked += 1
            if found != [(R, (f"{doc.id}/{eid}",))]:
                failures.append((f"{doc.id}/{eid}", text, found))
    assert checked > 5000  # every text-available statute of the default corpus
    assert not failures, failures[:10]


def test_the_short_form_of_the_issue(index: CitationIndex) -> None:
    (c,) = find_citations("CSL art. 41(1)", index, date="2021")
    assert (c.status, c.ids, c.text) == (R, ("csl-2016/art_41__para_1",), "CSL art. 41(1)")
    (c,) = find_citations("CSL art. 41(1)(iii)", index, date="2026-02")
    assert (c.status, c.ids) == (R, ("csl-2025/art_41__para_1__item_3",))


# (text, context, expected) for the attachment rules of kb.annotate.citations.attach
COMMENTARY = [
    # which side wins: words beat space, space beats a comma, a name with its own article keeps it
    ("PIPL art. 13, DSL art. 21", {}, [(R, ("pipl-2021/art_13",)), (R, ("dsl-2021/art_21",))]),
    ("Art. 28 PIPL, art. 21 DSL", {}, [(R, ("pipl-2021/art_28",)), (R, ("dsl-2021/art_21",))]),
    ("Art. 28, PIPL", {}, [(R, ("pipl-2021/art_28",))]),
    ("The PIPL (Art. 13) and the DSL (Art. 21)", {}, [(R, ("pipl-2021/art_13",)), (R, ("dsl-2021/art_21",))]),
    # a name we do not know right before the article
    ("Under the PIPL, GDPR Article 9 differs.", {}, [(R, ("pipl-2021",)), (N, ())]),
    ("Unlike the PIPL, the GDPR's Article 9 bans it.", {}, [(R, ("pipl-2021",)), (N, ())]),
    # sentences: "Art." and "No." do not end one; several laws named make a bare article ambiguous
    (
        "The PIPL applies. See Art. 28 and Art. 29.",
        {},
        [(R, ("pipl-2021",)), (R, ("pipl-2021/art_28",)), (R, ("pipl-2021/art_29",))],
    ),
    (
        "The DSL and the PIPL differ; the PIPL governs. Article 13 lists bases.",
        {},
        [(R, ("dsl-2021",)), (R, ("pipl-2021",)), (R, ("pipl-2021",)), (N, ())],
    ),
    (
        "The DSL differs. Under the PIPL, consent is needed, and Article 14 says how.",
        {},
        [(R, ("dsl-2021",)), (R, ("pipl-2021",)), (R, ("pipl-2021/art_14",))],
    ),
    # back references: not inside other words
    ("自该法定代理终止之日起计算", {}, []),
    ("不同法律之间", {}, []),
    ("个人信息保护法第十三条和合同法第五十二条", {}, [(R, ("pipl-2021/art_13",)), (N, ())]),
    ("个人信息保护法第十三条，劳动合同条例第五条", {}, [(R, ("pipl-2021/art_13",)), (N, ())]),
    # English back references count only with an article
    (
        "The PIPL and the DSL apply. Article 42 of the same law covers transfers.",
        {},
        [(R, ("pipl-2021",)), (R, ("dsl-2021",)), (R, ("dsl-2021/art_42",))],
    ),
    ("The PIPL was passed. That law is strict.", {}, [(R, ("pipl-2021",))]),
    ("Article 5 of the same law", {}, [(N, ())]),
    # a defined term: later uses in 《》, quotes or before an article; not inside other words
    (
        "《网络数据安全管理条例》（以下简称《条例》）。其他条例。“条例”要求。",
        {"date": "2025"},
        [(R, ("network-data-2024",)), (R, ("network-data-2024",))],
    ),
    ("the Data Security Law (the “DSL”), Art. 21", {}, [(R, ("dsl-2021/art_21",))]),
    # shared lists need the unit right after the last number
    ("第三、四季度", {"context_doc": "pipl-2021"}, []),
    # "amended" before a name: the latest version made by the citing date
    ("the amended Cybersecurity Law", {"date": "2024-06"}, [(R, ("csl-2016",))]),
    ("the amended Cybersecurity Law", {"date": "2025-11"}, [(R, ("csl-2025",))]),
    ("该法第五条", {"context_doc": "pipl-2021", "context_eid": "art_3__para_1"}, [(N, ())]),
    ("个人信息保护法第十三条。该法规定了同意。", {}, [(R, ("pipl-2021/art_13",)), (R, ("pipl-2021",))]),
    ("该法规的适用范围", {}, []),
    # 本法 in a statute is the statute, whatever was named before
    (
        "依照民法典的规定和本法第十三条",
        {"context_doc": "pipl-2021"},
        [(R, ("civil-code-2020",)), (R, ("pipl-2021/art_13",))],
    ),
    # English in a statute's context: a law named before wins, else the statute
    (
        "The Civil Code protects privacy. Article 1034 defines it.",
        {"context_doc": "pipl-2021"},
        [(R, ("civil-code-2020",)), (R, ("civil-code-2020/art_1034",))],
    ),
    ("Article 13 lists the bases.", {"context_doc": "pipl-2021"}, [(R, ("pipl-2021/art_13",))]),
    # a statute's bare 第X条 is its own, even after another law in the sentence
    (
        "民法典第一千零三十四条规定的信息，依照第十三条处理",
        {"context_doc": "pipl-2021"},
        [(R, ("civil-code-2020/art_1034",)), (R, ("pipl-2021/art_13",))],
    ),
]


@pytest.mark.parametrize(("text", "ctx", "expected"), COMMENTARY, ids=[row[0][:30] for row in COMMENTARY])
def test_commentary_forms(
    index: CitationIndex, text: str, ctx: dict[str, str], expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    assert [(c.status, c.ids) for c in find_citations(text, index, **ctx)] == expected


def test_an_implied_law_is_not_part_of_the_span(index: CitationIndex) -> None:
    text = "The PIPL treats it as sensitive. Article 28 sets the conditions."
    law, article = find_citations(text, index, context_doc="chinai-163")
    assert (law.text, article.text) == ("PIPL", "Article 28")
    assert article.ids == ("pipl-2021/art_28",)


def test_sub_article_with_a_paragraph() -> None:
    eids = {"x": frozenset({"art_17", "art_17__para_1", "art_17-1", "art_17-1__para_1", "art_17-1__para_2"})}
    ix = CitationIndex.build([_law("x", "x", short_names=("TSTL",))], eids, patterns=NO_EXTRA_NAMES)
    (c,) = find_citations("TSTL art. 17-1(2)", ix)
    assert (c.status, c.ids) == (R, ("x/art_17-1__para_2",))


def test_a_back_reference_opening_a_passage_takes_the_prior_document(index: CitationIndex) -> None:
    ctx = {"context_doc": "chinai-163"}
    (c,) = find_citations("本法第二十八条规定了敏感个人信息。", index, prior_doc="pipl-2021", **ctx)
    assert (c.status, c.ids) == (R, ("pipl-2021/art_28",))
    (c,) = find_citations("本法第二十八条规定了敏感个人信息。", index, **ctx)
    assert c.status == N
    # a bare article needs a law named in its own text, not in an earlier passage
    (c,) = find_citations("Article 28 lists sensitive information.", index, prior_doc="pipl-2021", **ctx)
    assert c.status == N
    # a law named in the text wins over the prior one
    found = find_citations("民法典也有规定，同法第一千零三十四条。", index, prior_doc="pipl-2021", **ctx)
    assert [x.ids for x in found] == [("civil-code-2020",), ("civil-code-2020/art_1034",)]
