"""Commentary -> provision links: hand-built cases for each signal (sentence-level links
and their union, the learned softmax score, Chinese text, the glossary, draft -> final),
the concept, weights and glossary data, and the labelled claims of issue 14
(``corpus/eval/claims/``) on the real corpus.

The claims replace the older passage-level labelled set (tests/fixtures/links/labelled.jsonl,
removed): that set was written while the 2025 FRT Measures had no text and labelled a
passage about the 2023 draft with the in-force law then (PIPL 26 for public-place cameras),
which contradicts the draft -> final rule of the new labels (the Measures' article that
carries the draft's rule). The claims are labelled blind, per sentence, with dev and
held-out splits; the tests assert floors on the held-out figures (never fitted on) and
print them (``pytest -s``); ``scripts/bench_links.py`` prints the full table with the
leave-one-document-out figures.
"""

from __future__ import annotations

import doctest
import json
import math
import re
import sys
import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pytest

import kb.link.passages.concepts
import kb.link.passages.linker
import kb.link.passages.similarity
import kb.link.versions
from kb.errors import ConfigError
from kb.link.passages import (
    Concept,
    LinkConfig,
    PassageLinker,
    ProvisionIndex,
    concepts_in,
    in_force_at,
    link_passages,
    load_concepts,
    parse_concepts,
)
from kb.link.passages.learned import (
    FEATURES,
    ArticleWords,
    RuleWords,
    TermFinder,
    load_article_words,
    load_elsewhere,
    load_elsewhere_rules,
    load_glossary,
    load_normative,
    load_normative_rules,
    load_rule_words,
    load_weights,
)
from kb.link.passages.similarity import is_chinese, stems, zh_words
from kb.model import Annotation, DocumentMeta, Link, Passage, Provision, SourceRef, Translation

# ------------------------------------------------------------------ a small world

TEXT = (SourceRef("demo.txt"),)
LAW = DocumentMeta(
    id="demo-law-2021", kind="law", work="demo-law", effective="2021-01-01", adopted="2020-12-01", sources=TEXT
)
OTHER = DocumentMeta(id="other-law-2021", kind="law", work="other-law", effective="2021-01-01", sources=TEXT)
DRAFT = DocumentMeta(id="demo-draft-2023", kind="draft", work="demo-rules", date="2023-05-01")
SPEC = DocumentMeta(id="demo-spec-2020", kind="standard", work="demo-spec", effective="2020-10-01")
NEWS = DocumentMeta(id="news", kind="commentary", date="2023-06", discusses=("demo-draft-2023",))
ESSAY = DocumentMeta(id="essay", kind="commentary", date="2023-06", discusses=("demo-draft-2023", "demo-spec-2020"))
DOCS = [LAW, OTHER, DRAFT, SPEC, NEWS, ESSAY]

ARTICLES = {
    "art_1": (
        "处理人脸信息，应当取得个人的单独同意。",
        "Where facial information is handled, the individual's separate consent shall be obtained.",
    ),
    "art_2": (
        "在公共场所安装图像采集、个人身份识别设备，应当为维护公共安全所必需，并设置显著的提示标识。",
        "The installation of image capture or personal identity recognition equipment in public places "
        "shall be necessary for safeguarding public security and accompanied by conspicuous signs.",
    ),
    "art_3": (
        "处理不满十四周岁未成年人个人信息的，应当取得未成年人的父母或者其他监护人的同意。",
        "Where the personal information of minors under the age of fourteen is handled, the consent of "
        "the minor's parents or other guardians shall be obtained.",
    ),
    "art_4": (
        "物业服务企业不得以人脸识别作为出入物业服务区域的唯一验证方式，应当提供其他合理验证方式。",
        "A property services enterprise shall not use facial recognition as the sole means of "
        "verification for entering and leaving the property service area, and shall provide another "
        "reasonable means of verification.",
    ),
    "art_5": ("本法自2021年1月1日起施行。", "This Law comes into force on 1 January 2021."),
}
PROVISIONS = [
    p
    for n, (eid, (zh, _)) in enumerate(ARTICLES.items())
    for p in (
        Provision(LAW.id, eid, "article", 2 * n, zh, number=n + 1),
        Provision(LAW.id, f"{eid}__para_1", "paragraph", 2 * n + 1, zh, number=1, parent_eid=eid),
    )
] + [Provision(OTHER.id, "art_1", "article", 0, "国家保护个人信息。", number=1)]
TRANSLATIONS = [Translation(LAW.id, eid, en) for eid, (_, en) in ARTICLES.items()]


def _passage(doc: str, n: int, text: str, **kw: Any) -> Passage:
    return Passage(doc, n, text, **kw)


def _cite(
    passage: Passage, phrase: str, ids: Sequence[str], status: str = "resolved", pinpoint: str | None = None
) -> Annotation:
    start = passage.text.index(phrase)
    return Annotation(
        passage.id,
        "citation",
        ids[0] if ids else "",
        start,
        start + len(phrase),
        phrase,
        {"status": status, "ids": list(ids), "pinpoint": pinpoint},
    )


def _link(
    passages: Sequence[Passage],
    annotations: Sequence[Annotation] = (),
    *,
    date: str | None = "2023-06",
    config: LinkConfig | None = None,
) -> list[Link]:
    return link_passages(passages, PROVISIONS, annotations, DOCS, TRANSLATIONS, commentary_date=date, config=config)


def _discusses(links: Sequence[Link], src: str | None = None) -> dict[str, Link]:
    return {lk.dst: lk for lk in links if lk.kind == "discusses" and (src is None or lk.src == src)}


SIGNS = (
    "Face scanners may not be installed in hotel rooms, and cameras in public places must be necessary "
    "for public security and have prominent warning signs posted next to them."
)


# ------------------------------------------------------------------- explicit citations


@pytest.mark.parametrize(
    ("kind", "part"),
    [("paragraph", "body"), ("heading", "body"), ("paragraph", "newsletter-items")],
)
def test_a_pinpoint_citation_links_exactly_the_cited_provision(kind: str, part: str) -> None:
    p = _passage("news", 1, "Article 2(1) of the Demo Law requires signs.", kind=kind, part=part)
    links = _discusses(_link([p], [_cite(p, "Article 2(1) of the Demo Law", ["demo-law-2021/art_2__para_1"])]))
    assert set(links) == {"demo-law-2021/art_2__para_1"}
    link = links["demo-law-2021/art_2__para_1"]
    assert link.score == 1.0
    assert link.evidence == {"citation": "Article 2(1) of the Demo Law", "status": "resolved", "sentence": [0, 44]}


def test_an_ambiguous_citation_scores_lower() -> None:
    p = _passage("news", 1, "Article 2 requires signs.")
    links = _discusses(_link([p], [_cite(p, "Article 2", ["demo-law-2021/art_2"], "ambiguous")]))
    assert links["demo-law-2021/art_2"].score == LinkConfig().citation_score["ambiguous"]


def test_not_found_citations_link_nothing() -> None:
    """A pinpoint that does not exist is no citation link, and does not make its law "named":
    at most a weak inferred link from the words ("signs") remains."""
    p = _passage("news", 1, "Article 99 of the Demo Law requires signs.")
    links = _link([p], [_cite(p, "Article 99", [], "not_found")])
    assert all("citation" not in lk.evidence and lk.evidence["context"] == "open" for lk in links)
    assert all(lk.score < 0.2 for lk in links)


# ------------------------------------------------------------------- inferred links

# Three points, one sentence each: separate consent (art_1), public-place cameras with
# signs (art_2), parental consent under 14 (art_3).
THREE_POINTS = (
    "The Demo Law asks a lot of companies. "
    "Separate consent is needed before facial information is handled. "
    "Cameras in public places must serve public security and carry conspicuous signs. "
    "And parental consent is needed before the personal information of children under 14 is handled."
)


def _three_points() -> tuple[Passage, list[Link]]:
    p = _passage("news", 1, THREE_POINTS)
    return p, _link([p], [_cite(p, "Demo Law", ["demo-law-2021"])])


def test_each_sentence_is_linked_and_the_passage_gets_the_union() -> None:
    p, links = _three_points()
    found = _discusses(links)
    assert {"demo-law-2021/art_1", "demo-law-2021/art_2", "demo-law-2021/art_3"} <= set(found)
    for art, phrase in (("art_1", "Separate consent"), ("art_2", "Cameras"), ("art_3", "parental consent")):
        start, end = found[f"demo-law-2021/{art}"].evidence["sentence"]
        assert phrase in p.text[start:end], art  # the evidence names the sentence that makes the point
        assert p.text[start:end].count(".") == 1


def test_every_inferred_score_is_the_softmax_share_of_its_signals() -> None:
    _, links = _three_points()
    inferred = [lk for lk in links if lk.kind == "discusses" and "signals" in lk.evidence]
    assert len(inferred) >= 3
    weights = load_weights()
    for lk in inferred:
        ev = lk.evidence
        assert sum(ev["signals"].values()) == pytest.approx(ev["logit"], abs=0.01)
        assert ev["signals"]["bias"] == pytest.approx(weights.bias, abs=0.001)
        assert set(ev["signals"]) - {"bias"} <= set(FEATURES)
        assert lk.score == pytest.approx(math.exp(ev["logit"]) / ev["normaliser"], abs=0.001)
        assert weights.min_score <= lk.score <= 1.0
        assert ev["context"] == "named_sentence" or ev["context"] == "named_passage"
        json.dumps(ev)


def test_the_named_law_outranks_the_same_words_far_away() -> None:
    # the same point, once with the law named in the passage, once with no document named at all
    text = "Parental consent is needed before the personal information of children under 14 is handled."
    named = _passage("news", 1, f"Under the Demo Law, this is settled. {text}")
    bare = _passage("plain", 1, text)  # a commentary discussing nothing
    config = LinkConfig(min_score=0.0)
    near = _discusses(_link([named], [_cite(named, "Demo Law", ["demo-law-2021"])], config=config))
    far = _discusses(_link([bare], config=config))
    assert near["demo-law-2021/art_3"].evidence["context"] == "named_passage"
    assert far["demo-law-2021/art_3"].evidence["context"] == "unanchored"
    # compared by logit: both scores can round to the same 0.9996
    assert near["demo-law-2021/art_3"].evidence["logit"] > far["demo-law-2021/art_3"].evidence["logit"]
    # the shown score may trail by a rounding step: a named short law brings its other articles
    # in as candidates, and they share the sentence's softmax
    assert near["demo-law-2021/art_3"].score >= far["demo-law-2021/art_3"].score - 0.001


def _candidates(
    passages: Sequence[Passage], annotations: Sequence[Annotation] = (), config: LinkConfig | None = None
) -> list[Any]:
    linker = PassageLinker(ProvisionIndex.build(PROVISIONS, TRANSLATIONS), DOCS, config)
    return linker.candidates(passages, annotations, commentary_date="2023-06")[1]


def test_the_sentence_after_keeps_its_neighbours_provision_as_a_candidate() -> None:
    # the second sentence shares no word with art_4; the one before is about it
    p = _passage(
        "news",
        1,
        "A property services enterprise may not make facial recognition the sole means of verification. "
        "Residents had complained for years, the spokesman told reporters on Monday.",
    )
    second = p.text.index("Residents")
    after = {c.article: c.features for c in _candidates([p]) if c.sentence[0] == second}
    assert after["demo-law-2021/art_4"]["neighbour"] > 0.3
    assert max(after, key=lambda a: after[a]["neighbour"]) == "demo-law-2021/art_4"


def test_a_bare_article_naming_no_document_makes_that_article_of_each_document_a_candidate() -> None:
    # "Article 3" names no document (find_citations: not_found, pinpoint art_3); the sentence
    # shares no word with the demo law's art_3, yet it is a candidate, marked as the number
    p = _passage("essay", 1, "Article 3 was rewritten twice before the vote in the committee.")
    bare = _cite(p, "Article 3", [], status="not_found", pinpoint="art_3")
    found = {c.article: c for c in _candidates([p], [bare])}
    assert found["demo-law-2021/art_3"].features["number"] == 1.0
    assert found["demo-law-2021/art_3"].evidence["bare_article"] == "art_3"
    assert all(c.features["number"] == 0.0 for a, c in found.items() if not a.endswith("/art_3"))
    # without the citation, the number alone is no candidate
    assert "demo-law-2021/art_3" not in {c.article for c in _candidates([p])}


def test_a_sentence_about_one_paragraph_of_a_long_article_is_compared_with_that_paragraph() -> None:
    long = (
        "A processor shall publish its rules on the handling of facial information.\n"
        "A processor shall delete facial information once the purpose of handling is achieved.\n"
        "A processor shall report incidents to the department in charge within three days."
    )
    provisions = [
        Provision(
            LAW.id,
            "art_1",
            "article",
            0,
            "处理者应当公开处理规则。\n处理者应当删除人脸信息。\n处理者应当报告。",
            number=1,
        ),
        Provision(LAW.id, "art_2", "article", 1, "国家保护个人信息。", number=2),
    ]
    translations = [
        Translation(LAW.id, "art_1", long),
        Translation(LAW.id, "art_2", "The State protects personal information and facial information."),
    ]
    linker = PassageLinker(ProvisionIndex.build(provisions, translations), DOCS)
    p = _passage("essay", 1, "Facial information must be deleted once the purpose is achieved.")
    found = {c.article: c.features for c in linker.candidates([p], [], commentary_date="2023-06")[1]}
    whole, part = found["demo-law-2021/art_1"]["sim_en"], found["demo-law-2021/art_1"]["sim_part"]
    assert part > whole > 0  # its second paragraph is closer than the article as a whole
    assert found["demo-law-2021/art_2"]["sim_part"] == found["demo-law-2021/art_2"]["sim_en"]  # one line


@pytest.mark.parametrize(
    ("draft_date", "adopted", "kinship"),
    [
        ("2023-08-08", "2024-09-30", 0.5),
        ("2016-12", "2024-12-16", 1 / 9),
        ("2024-01", "2024-11", 1.0),
        (None, "2024", 1.0),
    ],
)
def test_a_final_version_long_after_its_draft_is_a_weaker_successor(
    draft_date: str | None, adopted: str, kinship: float
) -> None:
    draft = DocumentMeta(id="d-draft", kind="draft", work="d", date=draft_date)
    final = DocumentMeta(id="d-final", kind="law", work="d", adopted=adopted, supersedes="d-draft", sources=TEXT)
    linker = PassageLinker(ProvisionIndex.build(PROVISIONS, TRANSLATIONS), [*DOCS, draft, final])
    assert linker._kinship("d-draft", "d-final") == pytest.approx(kinship)


def test_a_law_named_without_an_article_proposes_the_articles_the_commentary_is_about() -> None:
    # no word of the second passage is in art_4 (and it is under another heading); the
    # commentary is about property gates
    gates = _passage("news", 1, "Property services enterprises installed facial recognition gates in every estate.")
    named = _passage("news", 2, "All of this is regulated by the Demo Law, lawyers say.", section="The law")
    cite = [_cite(named, "Demo Law", ["demo-law-2021"])]
    rows = [c for c in _candidates([gates, named], cite) if c.passage_id == named.id]
    assert {c.evidence["context"] for c in rows if c.article == "demo-law-2021/art_4"} == {"named_sentence"}
    without = _candidates([gates, named], cite, LinkConfig(whole_law=0, short_document=0))
    assert "demo-law-2021/art_4" not in {c.article for c in without if c.passage_id == named.id}


@pytest.mark.parametrize(
    "text",
    [
        "The regulator said the rules would be published after the consultation ends in September.",
        "Surveillance has spread quickly in many cities over the past seven years.",
        "The zoo opened a new panda enclosure, and visitors queued for hours in the sun.",
    ],
)
def test_a_sentence_about_nothing_legal_gets_no_link_at_one_half(text: str) -> None:
    links = _discusses(_link([_passage("news", 1, text)], config=LinkConfig(min_score=0.0)))
    assert all(lk.score < 0.5 for lk in links.values())


def test_a_chinese_sentence_is_compared_with_the_chinese_text() -> None:
    p = _passage("news", 1, "物业服务企业不得以人脸识别作为出入小区的唯一验证方式，必须提供其他合理验证方式。")
    found = _discusses(_link([p], [_cite(p, "物业服务企业", ["demo-law-2021"])], config=LinkConfig(min_score=0.0)))
    best = max(found.values(), key=lambda lk: lk.score)
    assert best.dst == "demo-law-2021/art_4"
    assert best.evidence["similarity"]["zh"] > 0.2 and "en" not in best.evidence["similarity"]


def test_an_english_sentence_reaches_an_untranslated_article_through_the_glossary() -> None:
    # OTHER has no translation: only the glossary (statute words) carries English to it
    p = _passage("news", 1, "The State protects the personal information of every individual, the Other Law says.")
    found = _discusses(_link([p], [_cite(p, "Other Law", ["other-law-2021"])], config=LinkConfig(min_score=0.0)))
    link = found["other-law-2021/art_1"]
    assert not link.evidence["translated"] and link.evidence["similarity"]["gloss"] > 0
    assert link.evidence["signals"].get("sim_gloss") is not None or load_weights().weights.get("sim_gloss", 0) == 0


@pytest.mark.parametrize(("heading", "linked"), [("Guardians' consent", True), ("Consent", False)])
def test_a_heading_of_two_content_words_is_linked_one_word_is_too_little(heading: str, linked: bool) -> None:
    rows = _candidates([_passage("news", 1, heading, kind="heading")])
    assert ("demo-law-2021/art_3" in {c.article for c in rows}) is linked


def test_a_translated_article_is_compared_in_english_never_through_the_glossary() -> None:
    # the glossary would carry these words to the Chinese of every article; a translated
    # one is compared with its English only (sentence, passage and commentary alike)
    p = _passage("news", 1, "The State protects the personal information of every individual, the Demo Law says.")
    rows = _candidates([p], [_cite(p, "Demo Law", ["demo-law-2021"])])
    translated = [c for c in rows if c.evidence["translated"]]
    assert translated and all("gloss" not in c.evidence["similarity"] for c in translated)
    assert all(c.features["sim_gloss"] == 0.0 for c in translated)
    linker = PassageLinker(ProvisionIndex.build(PROVISIONS, TRANSLATIONS), DOCS)
    query = linker._query(kb.link.passages.similarity._analyse(p.text, linker.index.concepts), {}, {})
    assert query.gloss and linker._similarities(query).get("demo-law-2021/art_1", 0.0) == pytest.approx(
        kb.link.passages.linker._cosine_full(query, linker.index.articles["demo-law-2021/art_1"])["en"]
    )


# A draft whose text is absent and the final version that carries its rule.
FINAL = DocumentMeta(
    id="demo-rules-2025",
    kind="departmental-rule",
    work="demo-rules",
    supersedes=DRAFT.id,
    effective="2025-06-01",
    promulgated="2025-03-01",
    sources=TEXT,
)
FINAL_ARTICLES = {
    "art_1": ("本办法自2025年6月1日起施行。", "These Measures take effect on 1 June 2025."),
    "art_2": (
        "宾馆客房、公共浴室、更衣室、卫生间等私密空间内部不得安装人脸识别设备。",
        "Facial recognition equipment shall not be installed inside private spaces such as hotel rooms, "
        "public bathrooms, changing rooms and toilets.",
    ),
}


def test_a_passage_about_the_draft_reaches_the_final_version_that_says_the_same() -> None:
    p = _passage(
        "news", 1, "The draft bans facial recognition devices inside hotel rooms, bathrooms and changing rooms."
    )
    provisions = PROVISIONS + [
        Provision(FINAL.id, eid, "article", n, zh, number=n + 1)
        for n, (eid, (zh, _)) in enumerate(FINAL_ARTICLES.items())
    ]
    translations = TRANSLATIONS + [Translation(FINAL.id, eid, en) for eid, (_, en) in FINAL_ARTICLES.items()]
    links = link_passages(
        [p], provisions, [], [*DOCS, FINAL], translations, commentary_date="2023-09", config=LinkConfig(min_score=0.0)
    )
    assert [(lk.dst, lk.evidence["via"]) for lk in links if lk.kind == "mentions"] == [(DRAFT.id, "anaphora")]
    best = max(_discusses(links).values(), key=lambda lk: lk.score)
    assert best.dst == "demo-rules-2025/art_2"  # not yet in force at the commentary's date, yet its successor
    assert best.evidence["context"] == "successor"
    assert best.evidence["successor_of"] == DRAFT.id and "successor" in best.evidence["why"]
    assert best.score >= 0.5


@pytest.mark.parametrize(
    ("short_document", "candidate"),
    [(0, False), (1, False), (2, True), (30, True)],
)
def test_every_article_of_a_short_successor_is_a_candidate(short_document: int, candidate: bool) -> None:
    """The final version of the draft a passage is about: its commencement article shares no
    word with the sentence, yet is a candidate when the document has at most ``short_document``
    articles (the learned weights rank it)."""
    p = _passage("news", 1, "The draft bans facial recognition devices inside hotel rooms and changing rooms.")
    provisions = PROVISIONS + [
        Provision(FINAL.id, eid, "article", n, zh, number=n + 1)
        for n, (eid, (zh, _)) in enumerate(FINAL_ARTICLES.items())
    ]
    translations = TRANSLATIONS + [Translation(FINAL.id, eid, en) for eid, (_, en) in FINAL_ARTICLES.items()]
    linker = PassageLinker(
        ProvisionIndex.build(provisions, translations),
        [*DOCS, FINAL],
        LinkConfig(short_document=short_document),
    )
    rows = {c.article: c for c in linker.candidates([p], [], commentary_date="2023-09")[1]}
    assert ("demo-rules-2025/art_1" in rows) is candidate
    assert rows["demo-rules-2025/art_2"].evidence["context"] == "successor"
    if candidate:
        assert rows["demo-rules-2025/art_1"].evidence["context"] == "successor"


@pytest.mark.parametrize(
    ("short_document", "expected"),
    [(0, set()), (4, set()), (5, {"art_1", "art_2", "art_3", "art_4", "art_5"})],
)
def test_every_article_of_a_short_law_named_in_the_sentence_is_a_candidate(
    short_document: int, expected: set[str]
) -> None:
    """Not an article named in the passage but not in the sentence, nor one of a document
    only discussed: those stay as far as their words are."""
    p = _passage("news", 1, "The zoo keepers read the Demo Law aloud to the pandas every morning.")
    other = _passage("news", 2, "The pandas slept through the reading of it, the keepers said.")
    cite = [_cite(p, "Demo Law", ["demo-law-2021"])]
    rows = _candidates([p, other], cite, LinkConfig(whole_law=0, short_document=short_document))
    assert {c.article.split("/")[1] for c in rows if c.passage_id == p.id} == expected
    assert not [c for c in rows if c.passage_id == other.id and c.evidence["context"] == "named_sentence"]


def test_rules_published_but_not_yet_in_force_are_open_to_commentary_of_that_time() -> None:
    """A commentary written between the final rules' promulgation and their effective date,
    naming nothing, reaches the rule it paraphrases; before promulgation it does not."""
    text = "From June, no facial recognition equipment may be installed inside hotel rooms or changing rooms."
    provisions = PROVISIONS + [
        Provision(FINAL.id, eid, "article", n, zh, number=n + 1)
        for n, (eid, (zh, _)) in enumerate(FINAL_ARTICLES.items())
    ]
    translations = TRANSLATIONS + [Translation(FINAL.id, eid, en) for eid, (_, en) in FINAL_ARTICLES.items()]
    blog = DocumentMeta(id="blog", kind="commentary", date="2025-04")
    early = DocumentMeta(id="early", kind="commentary", date="2025-01")
    for meta, expected in ((blog, True), (early, False)):
        p = _passage(meta.id, 1, text)
        links = link_passages(
            [p],
            provisions,
            [],
            [*DOCS, FINAL, meta],
            translations,
            commentary_date=meta.date,
            config=LinkConfig(min_score=0.0),
        )
        assert ("demo-rules-2025/art_2" in _discusses(links)) is expected, meta.date


@pytest.mark.parametrize(("kind", "part"), [("paragraph", "newsletter-items"), ("list_item", "newsletter-items")])
def test_newsletter_items_get_no_inferred_links(kind: str, part: str) -> None:
    p = _passage("news", 1, THREE_POINTS, kind=kind, part=part)
    assert set(_discusses(_link([p], [_cite(p, "Demo Law", ["demo-law-2021"])]))) == set()


def test_at_most_max_links_per_passage() -> None:
    p, many = _three_points()
    few = _discusses(_link([p], [_cite(p, "Demo Law", ["demo-law-2021"])], config=LinkConfig(max_links=2)))
    assert len(few) == 2 and set(few) <= set(_discusses(many))


def test_the_weights_file_names_only_known_signals(tmp_path: Path) -> None:
    shipped = load_weights()
    assert set(shipped.weights) <= set(FEATURES) and shipped.weights
    bad = tmp_path / "weights.toml"
    bad.write_text("bias = 0.0\n[weights]\nterms = 1.0\nvibes = 2.0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown feature"):
        load_weights(bad)


def test_the_glossary_is_built_from_statute_words_with_examples() -> None:
    glossary = load_glossary()
    assert len(glossary.by_stem) >= 300
    assert "单独同意" in {zh for zh, _ in glossary.by_stem[stems("separate")[0]]}
    assert "监护人" in {zh for zh, _ in glossary.by_stem[stems("guardians")[0]]}


# ------------------------------------------------------------------- mentions


def test_mentions_by_citation_and_by_carried_over_reference() -> None:
    p1 = _passage("essay", 1, "The Demo Specification sets the rules.", section="Standards")
    p2 = _passage("essay", 2, "The Specification is not binding, but firms follow it anyway.", section="Standards")
    p3 = _passage("essay", 3, "The specification was welcomed by industry groups in Beijing.", section="Industry")
    links = _link([p1, p2, p3], [_cite(p1, "Demo Specification", ["demo-spec-2020"], "text_absent")])
    mentions = [(lk.src, lk.dst, lk.evidence["via"]) for lk in links if lk.kind == "mentions"]
    # p3 is in another section, and the essay discusses two absent documents: no guess
    assert mentions == [("essay/p_1", "demo-spec-2020", "citation"), ("essay/p_2", "demo-spec-2020", "anaphora")]
    assert {lk.score for lk in links if lk.kind == "mentions"} == {1.0, 0.6}


def test_the_only_absent_document_named_is_carried_into_later_sections() -> None:
    # a blog (no declared documents) names the draft once, then says "the draft" under its headings
    blog = DocumentMeta(id="blog", kind="commentary", date="2023-06")
    p1 = _passage("blog", 1, "The regulator floated the Demo Rules draft last month.")
    p2 = _passage("blog", 2, "The draft would require separate consent for facial information.", section="Consent")
    p3 = _passage("blog", 3, "The draft was welcomed by industry groups in Beijing.", section="Reception")
    anns = [_cite(p1, "Demo Rules draft", [DRAFT.id], "text_absent")]
    links = link_passages([p1, p2, p3], PROVISIONS, anns, [*DOCS, blog], TRANSLATIONS, commentary_date="2023-06")
    mentions = [(lk.src, lk.evidence["via"]) for lk in links if lk.kind == "mentions" and lk.dst == DRAFT.id]
    assert mentions == [("blog/p_1", "citation"), ("blog/p_2", "anaphora"), ("blog/p_3", "anaphora")]


def test_a_text_present_document_gets_no_mentions_link() -> None:
    p = _passage("news", 1, "The Demo Law is short.")
    assert [lk for lk in _link([p], [_cite(p, "Demo Law", ["demo-law-2021"])]) if lk.kind == "mentions"] == []


# ------------------------------------------------------------------- dates and data


@pytest.mark.parametrize(
    ("doc", "successors", "date", "expected"),
    [
        (LAW, [], "2021-06-01", True),
        (LAW, [], "2020-12-31", False),  # adopted, not yet in force
        (LAW, [], "2021", True),  # partial dates cover the whole period
        (LAW, [replace(LAW, id="demo-law-2025", supersedes=LAW.id, effective="2026-01-01")], "2025-12", True),
        (LAW, [replace(LAW, id="demo-law-2025", supersedes=LAW.id, effective="2026-01-01")], "2026-02", False),
        (LAW, [replace(DRAFT, supersedes=LAW.id)], "2024", True),  # a draft replaces nothing
        (LAW, [replace(LAW, id="demo-law-2025", supersedes=LAW.id)], None, False),  # no date: the latest
        (DRAFT, [], "2024", False),
    ],
)
def test_in_force_at(doc: DocumentMeta, successors: list[DocumentMeta], date: str | None, expected: bool) -> None:
    assert in_force_at(doc, successors, date) is expected


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _lang(text: str) -> Literal["en", "zh"]:
    return "zh" if _CJK.search(text) else "en"


CONCEPTS = load_concepts()


@pytest.mark.parametrize("concept", CONCEPTS.concepts, ids=lambda c: c.id)
def test_every_concept_matches_its_examples(concept: Concept) -> None:
    assert concept.examples, "every concept has examples"
    for example in concept.examples:
        assert concept.id in concepts_in(example, _lang(example)), example
    for example in concept.counter_examples:
        assert concept.id not in concepts_in(example, _lang(example)), example
    assert any(_CJK.search(e) for e in concept.examples), "a Chinese example too"
    assert any(not _CJK.search(e) for e in concept.examples), "an English example too"


def test_the_concept_file_has_every_tier_and_only_known_broader_concepts() -> None:
    tiers = {c.tier for c in CONCEPTS.concepts}
    assert tiers == {"background", "generic", "specific"}
    assert len(CONCEPTS.concepts) >= 40
    for c in CONCEPTS.concepts:
        assert all(b in CONCEPTS.by_id and b != c.id for b in c.broader)
    # the generic terms the issue names never anchor a link on their own
    assert CONCEPTS.tier("consent") == "generic" and CONCEPTS.tier("personal information") == "background"


_GOOD = {"id": "x", "tier": "specific", "en": ["\\bx\\b"], "zh": ["某"], "examples": ["x", "某"]}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "<concepts>: concept: Field required"),
        ({"concept": []}, "<concepts>: concept: Value error, needs at least one [[concept]]"),
        ({"concept": [{**_GOOD, "id": ""}]}, "<concepts>: concept.0.id: String should have at least 1 character"),
        ({"concept": [_GOOD, _GOOD]}, "defined twice"),
        ({"concept": [_GOOD, {**_GOOD, "tier": "vague"}]}, "<concepts>: concept.1.tier: Input should be"),
        ({"concept": [{**_GOOD, "en": ["(unclosed"]}]}, "bad pattern"),
        ({"concept": [{**_GOOD, "zh": []}]}, "<concepts>: concept.0.zh: Tuple should have at least 1 item"),
        ({"concept": [{**_GOOD, "broader": ["nowhere"]}]}, "unknown broader"),
        ({"concept": [{**_GOOD, "examples": "x"}]}, "<concepts>: concept.0.examples: Input should be a valid tuple"),
        ({"concept": [{**_GOOD, "exampels": ["x"]}]}, "<concepts>: concept.0.exampels: Extra inputs are not permitted"),
    ],
)
def test_bad_concept_data_is_a_config_error(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_concepts(raw)


def test_a_malformed_concept_in_the_file_is_one_error_naming_file_entry_and_field(tmp_path: Path) -> None:
    path = tmp_path / "concepts.toml"
    good = '[[concept]]\nid = "x"\nen = ["x"]\nzh = ["某"]\n\n'
    path.write_text(good + '[[concept]]\nid = "y"\ntier = "vague"\nen = ["y"]\nzh = ["某"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_concepts(path)
    assert str(info.value).startswith(f"{path}: concept.1.tier: Input should be"), str(info.value)


def test_load_concepts_reports_a_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_concepts(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[concept]\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_concepts(broken)
    assert tomllib.loads((Path(__file__).parents[1] / "corpus" / "link" / "concepts.toml").read_text())["version"] == 1


@pytest.mark.parametrize(
    ("text", "lang", "present", "absent"),
    [
        (
            "Parental consent must be collected from those under the age of 14.",
            "en",
            {"consent", "guardian", "under 14"},
            set(),
        ),
        ("The government retains a free hand in picking how it is used.", "en", set(), {"retention"}),
        ("Barring any surprises, the rules take effect in September.", "en", set(), {"refusing service"}),
        ("A campaign of forced ethnic assimilation.", "en", {"ethnicity"}, {"coercion"}),
        ("Ethnic minorities were tracked.", "en", {"ethnicity", "tracking"}, {"minors"}),
        (
            "处理敏感个人信息应当取得个人的单独同意。",
            "zh",
            {"sensitive personal information", "separate consent", "consent"},
            set(),
        ),
    ],
)
def test_concepts_in_text(text: str, lang: Literal["en", "zh"], present: set[str], absent: set[str]) -> None:
    found = set(concepts_in(text, lang))
    assert present <= found and not absent & found


@pytest.mark.parametrize("module", [kb.link.passages.concepts, kb.link.passages.similarity, kb.link.versions])
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


# ------------------------------------------------------------------- the real corpus


@pytest.fixture(scope="module")
def real(source_root: Path, manifest: dict[str, DocumentMeta]) -> tuple[list[Passage], list[Link]]:
    from kb.annotate.citations import CitationIndex, citation_annotations
    from kb.annotate.topics import load_taxonomy, tag_text
    from kb.annotate.translations import load_translations
    from kb.ingest.commentary import parse_commentary
    from kb.ingest.sources import read_source
    from kb.ingest.statute import parse_statute
    from kb.settings import get_settings

    docs = list(manifest.values())
    provisions: list[Provision] = []
    commentary = []
    for doc in docs:
        if not doc.text_available:
            continue
        texts = [read_source(source_root, s.path) for s in doc.sources]
        if doc.is_commentary:
            commentary.append(parse_commentary(doc, texts[0].text, texts[0].path))
        else:
            provisions.extend(parse_statute(doc, texts).provisions)
    eids: dict[str, set[str]] = defaultdict(set)
    for prov in provisions:
        eids[prov.doc_id].add(prov.eid)
    index = CitationIndex.build(docs, {k: frozenset(v) for k, v in eids.items()})
    taxonomy = load_taxonomy()
    annotations: list[Annotation] = []
    for c in commentary:
        for p in c.passages:
            annotations += citation_annotations(p.id, p.text, index, date=c.meta.date)
            annotations += tag_text(p.id, p.text, "en", taxonomy)
    for prov in provisions:
        if prov.level == "article" and prov.text:
            annotations += tag_text(prov.id, prov.text, "zh", taxonomy)
    translations = load_translations(get_settings().corpus_dir)
    linker = PassageLinker(ProvisionIndex.build(provisions, translations, annotations), docs)
    links = [lk for c in commentary for lk in linker.link(c.passages, annotations, commentary_date=c.meta.date)]
    return [p for c in commentary for p in c.passages], links


# ------------------------------------------------------------------- the labelled claims


@pytest.fixture(scope="module")
def claims() -> list[Any]:
    """Every labelled claim of corpus/eval/claims with its candidates (scripts/links_lib.py)."""
    scripts = str(Path(__file__).parents[1] / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    import train_links

    rows, missing = train_links.prepare()
    # Sentences the ingestion does not yield whole: three seed sentences the capture cleaner
    # splits differently, and one fixture sentence in a <blockquote> the HTML extractor drops
    # (the known miss of scripts/measure_commentary_ingest.py).
    assert len(missing) <= 4, missing
    return list(rows)


def _shipped_figures(rows: Sequence[Any]) -> dict[str, dict[str, float]]:
    import bench_links
    import train_links

    score, min_score = bench_links.shipped_scorer()
    return dict(train_links.evaluate(rows, score, min_score))


def test_heldout_claims_find_their_provision(claims: list[Any]) -> None:
    """Held-out claims (never fitted on): top-1 / top-3 hit rates and no link >= 0.5 on
    nothing-legal sentences. Floors against regressions; the figures are printed."""
    held = [r for r in claims if r.claim["split"] == "heldout"]
    fixtures = _shipped_figures([r for r in held if r.claim["source"] == "fixture"])["any"]
    seed = _shipped_figures([r for r in held if r.claim["source"] == "seed"])["any"]
    print(f"\n  held-out fixtures: {fixtures}\n  held-out seed: {seed}")
    assert fixtures["claims"] >= 50 and seed["claims"] >= 10
    assert fixtures["top1"] >= 0.5 and fixtures["top3"] >= 0.6
    assert seed["top3"] >= 0.4
    # one of the ten: an anecdote about hotel cameras that echoes Measures art. 13 (weights fitted
    # on 603 claims; the 112-claim weights linked none of these ten and ranked .06 worse at top 1)
    assert fixtures["neg_linked"] <= 0.1 and seed["neg_linked"] <= 0.1


def test_dev_claims_are_fitted_and_nothing_legal_stays_below_one_half(claims: list[Any]) -> None:
    dev = _shipped_figures([r for r in claims if r.claim["split"] == "dev"])["any"]
    print(f"\n  dev (in-sample): {dev}")
    assert dev["top1"] >= 0.65 and dev["top3"] >= 0.7 and dev["neg_linked"] <= 0.1


def test_a_claim_about_the_draft_reaches_the_measures_with_the_lineage_as_evidence(claims: list[Any]) -> None:
    via = [r for r in claims if r.claim["via"] == "draft->final" and r.claim["gold"]]
    assert len(via) >= 10
    hits = 0
    for r in via:
        gold = {g["id"].split("__")[0] for g in r.claim["gold"]}
        for art, _, ev in r.candidates:
            if art in gold and ev.get("successor_of") == "cac-frt-2023-draft":
                assert "successor" in ev["why"]
                hits += 1
                break
    assert hits >= len(via) // 2


def test_real_evidence_explains_every_inferred_link(real: tuple[list[Passage], list[Link]]) -> None:
    passages, links = real
    texts = {p.id: p.text for p in passages}
    inferred = [lk for lk in links if lk.kind == "discusses" and "signals" in lk.evidence]
    assert inferred
    min_score = load_weights().min_score
    for lk in inferred:
        ev = lk.evidence
        assert set(ev["anchors"]) <= set(ev["terms"])
        assert sum(ev["signals"].values()) == pytest.approx(ev["logit"], abs=0.01)
        assert lk.score == pytest.approx(math.exp(ev["logit"]) / ev["normaliser"], abs=0.001)
        assert lk.score >= min_score
        start, end = ev["sentence"]
        assert 0 <= start < end <= len(texts[lk.src])  # the sentence making the claim
        json.dumps(ev)
    per_passage: dict[str, int] = defaultdict(int)
    for lk in inferred:
        per_passage[lk.src] += 1
    assert max(per_passage.values()) <= LinkConfig().max_links


def test_real_newsletter_items_link_no_provisions(real: tuple[list[Passage], list[Link]]) -> None:
    passages, links = real
    quiet = {p.id for p in passages if p.part == "newsletter-items"}
    assert [lk for lk in links if lk.kind == "discusses" and lk.src in quiet and "citation" not in lk.evidence] == []


def test_real_mentions_of_the_2023_draft(real: tuple[list[Passage], list[Link]]) -> None:
    _, links = real
    about_draft = {lk.src for lk in links if lk.kind == "mentions" and lk.dst == "cac-frt-2023-draft"}
    by_doc: dict[str, set[str]] = defaultdict(set)
    for pid in about_draft:
        by_doc[pid.partition("/")[0]].add(pid)
    assert len(by_doc["wsj-draft-rules-2023"]) >= 5 and len(by_doc["cpo-draft-rules-2023"]) >= 4
    assert set(by_doc) == {"wsj-draft-rules-2023", "cpo-draft-rules-2023"}
    # the draft's own provisions are unknown: its successor, the 2025 Measures, carries them
    successor = [
        lk
        for lk in links
        if lk.kind == "discusses" and lk.src in about_draft and lk.evidence.get("context") == "successor"
    ]
    assert successor and all(lk.dst.startswith("cac-mps-frt-2025/") for lk in successor)
    assert all(lk.evidence["successor_of"] == "cac-frt-2023-draft" for lk in successor)
    assert all(lk.dst.partition("/")[0] != "cac-frt-2023-draft" for lk in links if lk.kind == "discusses")


def test_real_links_respect_the_commentary_date(
    real: tuple[list[Passage], list[Link]], manifest: dict[str, DocumentMeta]
) -> None:
    _, links = real
    discusses = [lk for lk in links if lk.kind == "discusses"]
    assert len(discusses) >= 10  # the check below runs on real links (27 today), not on none
    for lk in discusses:
        commentary = manifest[lk.src.partition("/")[0]]
        law = manifest[lk.dst.partition("/")[0]]
        first = min(d for d in (law.adopted, law.promulgated, law.effective) if d)
        if "successor_of" in lk.evidence:
            # the final version of a draft the passage is about postdates it, on purpose
            draft = manifest[lk.evidence["successor_of"]]
            assert (draft.date or "")[:4] <= (commentary.date or "9999")[:4], (lk.src, lk.dst)
            continue
        assert first[:4] <= (commentary.date or "9999")[:4], (lk.src, lk.dst)


def test_the_public_surface_of_kb_link() -> None:
    import kb.link

    assert sorted(kb.link.__all__) == sorted(
        [
            "Alignment",
            "LinkConfig",
            "PassageLinker",
            "ProvisionIndex",
            "align_versions",
            "alignment_links",
            "link_passages",
            "link_versions",
            "version_links",
            "version_pairs",
        ]
    )
    assert all(hasattr(kb.link, name) for name in kb.link.__all__)


def test_a_new_labelled_set_is_named_on_the_command_line(tmp_path: Path) -> None:
    """scripts/bench_links.py --claims/--docs/--fixtures (repeatable) name a new set; the defaults are today's."""
    import argparse

    scripts = str(Path(__file__).parents[1] / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    import links_lib

    ap = argparse.ArgumentParser()
    links_lib.add_source_arguments(ap)
    fresh = links_lib.sources_of(
        ap.parse_args(["--claims", "f.jsonl", "--claims", "g.jsonl", "--docs", "d.jsonl", "--fixtures", str(tmp_path)])
    )
    assert fresh == links_lib.Sources((Path("f.jsonl"), Path("g.jsonl")), (Path("d.jsonl"),), (tmp_path,))
    today = links_lib.sources_of(ap.parse_args([]))
    assert [p.name for p in today.claims] == ["seed.jsonl", "fixtures.jsonl"]
    assert all(p.exists() for p in (*today.claims, *today.docs, *today.fixtures))


# ------------------------------------------------------------------- other jurisdictions


@pytest.mark.parametrize(
    ("rules_of", "matcher_of", "names"),
    [
        (load_elsewhere_rules, load_elsewhere, {"European Union", "United States"}),  # other jurisdictions
        (load_normative_rules, load_normative, {"English", "Chinese"}),  # words of law
    ],
)
def test_every_word_list_finds_its_examples_and_not_its_counter_examples(
    rules_of: Any, matcher_of: Any, names: set[str]
) -> None:
    rules = rules_of()
    assert {r.name for r in rules} >= names
    for rule in rules:
        own = TermFinder.of(rule.match)
        for example in rule.examples:
            assert own.found(example), (rule.name, example)
        for text in rule.not_examples:
            assert not matcher_of().found(text), (rule.name, text)


def _law_then_product() -> tuple[Passage, list[Any], int]:
    """A passage stating a rule, then a product's fact; its candidates; where the second sentence starts."""
    p = _passage(
        "news",
        1,
        "Separate consent is needed before facial information is handled. "
        "The facial information terminal reads a face in 0.3 seconds.",
    )
    return p, _candidates([p], []), p.text.index("The facial")


def test_a_sentence_with_a_word_of_law_is_normative_and_one_without_is_not() -> None:
    _, rows, cut = _law_then_product()
    values = {c.sentence[1] <= cut: c.features["normative"] for c in rows}
    assert values == {True: 1.0, False: 0.0}


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # a word of law in the passage's other sentence: every sentence of it is in a passage with law
        (
            [
                "Separate consent is needed before facial information is handled. "
                "The facial information terminal reads a face in 0.3 seconds."
            ],
            {1: 1.0},
        ),
        # a passage without one (a product's facts) beside one with one
        (
            [
                "The facial information terminal reads a face in 0.3 seconds and stores facial information locally.",
                "Separate consent is needed before facial information is handled.",
            ],
            {1: 0.0, 2: 1.0},
        ),
    ],
)
def test_a_passage_with_a_word_of_law_anywhere_marks_each_of_its_sentences(
    texts: list[str], expected: dict[int, float]
) -> None:
    passages = [_passage("news", n, t) for n, t in enumerate(texts, start=1)]
    rows = _candidates(passages, [])
    by_passage = {c.passage_id: c.features["normative_passage"] for c in rows}
    assert by_passage == {passages[n - 1].id: v for n, v in expected.items()}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Unlike the GDPR, the Demo Law has no legitimate-interest basis.", ["GDPR"]),
        ("Tell us what the U.S. does.", ["U.S."]),
        ("Let us focus on the US approach.", ["US"]),
        ("美国伊利诺伊州的法律", ["美国", "伊利诺伊"]),
        ("The National People's Congress passed the law.", []),
    ],
)
def test_other_jurisdictions_are_found_by_whole_word_and_case(text: str, found: list[str]) -> None:
    assert load_elsewhere().found(text) == found


def test_a_sentence_about_another_jurisdiction_says_so_in_its_evidence() -> None:
    p = _passage(
        "news",
        1,
        "Separate consent is needed before facial information is handled. In Europe, the GDPR needs explicit consent.",
    )
    rows = _candidates([p], [])
    first = [c for c in rows if c.sentence[1] < p.text.index("In Europe")]
    second = [c for c in rows if c.sentence[0] >= p.text.index("In Europe")]
    assert first and second
    assert {c.features["elsewhere"] for c in first} == {0.0} and "elsewhere" not in first[0].evidence
    assert {c.features["elsewhere"] for c in second} == {1.0}
    assert second[0].evidence["elsewhere"] == ["Europe", "GDPR"]


@pytest.mark.parametrize(
    ("text", "states_a_rule"),
    [
        # rules, as commentary states them, in both languages
        ("Operators must obtain the individual's separate consent before processing facial information.", True),
        ("The court held that the property manager may not make face scans the only way into the estate.", True),
        ("处理人脸信息应当取得个人的单独同意，不得强制刷脸。", True),
        # a product's facts, an anecdote
        ("The camera board carries a wide-angle sensor and two infrared lights behind a plastic bezel.", False),
        ("We queued for twenty minutes in the rain before the doors opened.", False),
        ("门店位于商场三楼，周末营业到晚上十点。", False),
    ],
)
def test_the_learned_sentence_model_tells_a_rule_from_a_product_or_an_anecdote(text: str, states_a_rule: bool) -> None:
    model = load_rule_words()
    words = zh_words(text) if is_chinese(text) else stems(text)
    assert (model.score(words) >= 0.5) is states_a_rule, round(model.score(words), 3)


def test_the_rule_signal_is_the_sentence_models_score_for_every_candidate_of_the_sentence() -> None:
    p, rows, cut = _law_then_product()
    model = load_rule_words()
    for before in (True, False):
        span = (0, cut) if before else (cut, len(p.text))
        values = {c.features["rule"] for c in rows if (c.sentence[1] <= cut) is before}
        assert values == {model.score(stems(p.text[span[0] : span[1]]))}
    assert RuleWords(0.0, {"consent": 3.0}).score(stems("Separate consent")) > 0.9


def test_the_assoc_signal_is_the_article_profiles_cosine_for_the_candidate() -> None:
    # a sentence with words labelled commentary used for an article scores that article, and
    # only articles some label names get a profile
    profiles = {"demo-law-2021/art_4": {"card": 0.8, "gate": 0.6}, "demo-law-2021/art_1": {"consent": 1.0}}
    model = ArticleWords.build({"card": 2.0, "gate": 1.0, "consent": 1.5}, profiles)
    scores = model.scores(stems("A meal card or the old gate should still work"))
    assert scores["demo-law-2021/art_4"] > 0.5 and "demo-law-2021/art_1" not in scores
    assert model.scores(stems("nothing here at all")) == {}
    p = _passage("essay", 1, "Facial recognition may not be the only way through the gate; a card must work too.")
    shipped = load_article_words()
    expected = shipped.scores(stems(p.text))
    for c in _candidates([p]):
        assert c.features["assoc"] == expected.get(c.article, 0.0)


def test_the_stored_article_profiles_are_normalised_and_name_real_articles() -> None:
    model = load_article_words()
    assert model.idf and model.postings
    norms: dict[str, float] = {}
    for postings in model.postings.values():
        for art, v in postings:
            norms[art] = norms.get(art, 0.0) + v * v
    assert all(abs(n - 1.0) < 1e-3 for n in norms.values())  # rounded to five digits
    assert all("/art_" in a for a in norms)
