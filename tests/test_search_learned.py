"""The learned ranking inside the search (kb.search.learned) on the tiny database and small files."""

from __future__ import annotations

import doctest
import json
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import kb.store.reader
from kb.errors import ConfigError
from kb.learn.associations import fit
from kb.learn.ranker import LearnedRanker
from kb.search import learned as learned_module
from kb.search import search
from kb.search.groups import UnitGroups, unit_groups
from kb.search.learned import LEARNED_FILE, load_learned, with_votes
from kb.search.plan import plan_query
from kb.search.rank import Scores
from kb.settings import PROJECT_ROOT

# Questions about the made-up 人脸测试法 of the tiny corpus: asking about 罚款 (a word no
# article of it has) was answered by its art_1, and so was one about 同意 (which its art_2
# has); asking about 试用期, by its art_3.
PAIRS = [
    (["罚款", "多少"], ["人脸测试法#art_1"]),
    (["罚款", "标准"], ["人脸测试法#art_1"]),
    (["试用期", "工资"], ["人脸测试法#art_3"]),
    (["同意", "撤回"], ["人脸测试法#art_1"]),
]
WEIGHTS = {"base": 1.0, "vote_article": 2.0, "bias": 0.0}


@pytest.fixture
def learned(monkeypatch: pytest.MonkeyPatch) -> Iterator[LearnedRanker]:
    ranker = LearnedRanker(fit(PAIRS, {}, min_count=1), WEIGHTS, votes=5, expansion_limit=0)
    monkeypatch.setattr(learned_module, "learned_ranker", lambda: ranker)
    yield ranker


@pytest.fixture
def unlearned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(learned_module, "learned_ranker", lambda: None)


def ids(page: dict[str, Any]) -> list[str]:
    return [r["id"] for r in page["results"]]


def test_related_questions_bring_their_answer(reader: Any, learned: LearnedRanker) -> None:
    page = search(reader, "罚款是多少呢？", type="provision")
    assert page["match"] == "any"
    assert ids(page)[0] == "tiny-law-2024/art_1"  # the version in force, the other in also_in
    assert page["results"][0]["also_in"] == ["tiny-law-2021/art_1"]


def test_without_learning_the_words_alone_find_nothing(reader: Any, unlearned: None) -> None:
    assert ids(search(reader, "罚款是多少呢？", type="provision")) == []


@pytest.mark.parametrize(
    ("q", "options"),
    [
        ("罚款是多少呢？", {"doc": "tiny-draft-2023"}),  # a doc filter the votes could not honour
        ("同意", {}),  # a keyword query that matches (match=all) ranks by its words, not by votes
        ("罚款是多少呢？", {"lang": "en"}),
        ("罚款是多少呢？", {"expand": False}),
    ],
)
def test_no_votes_outside_chinese_questions_without_filters(
    reader: Any, learned: LearnedRanker, q: str, options: dict[str, Any]
) -> None:
    assert "tiny-law-2024/art_1" not in ids(search(reader, q, **options))


def test_pages_follow_the_learned_order(reader: Any, learned: LearnedRanker) -> None:
    q = "人脸识别的罚款是多少？"
    whole = ids(search(reader, q, limit=50))
    first = search(reader, q, limit=1)
    assert len(whole) > 1 and first["next"]
    second = search(reader, q, limit=50, cursor=first["next"])
    assert ids(first) + ids(second) == whole


def test_tables_about_other_laws_stay_unused(reader: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Learned mostly about laws the database lacks: its priors and votes would mislead, so no learning."""
    elsewhere = [*PAIRS, *[(["罚款", f"词{i}"], ["劳动合同法#art_20"]) for i in range(10)]]
    ranker = LearnedRanker(fit(elsewhere, {}, min_count=1), WEIGHTS, votes=5, expansion_limit=0)
    monkeypatch.setattr(learned_module, "learned_ranker", lambda: ranker)
    assert learned_module.coverage(reader, ranker) == pytest.approx(4 / 14)
    assert ids(search(reader, "罚款是多少呢？", type="provision")) == []


def test_questions_the_tables_barely_know_rank_by_their_words(reader: Any, learned: LearnedRanker) -> None:
    """罚款 is known, 人脸识别 and 应用 are not: below min_known the question is not learned."""
    q = "人脸识别应用的罚款是多少？"
    assert search(reader, q, type="provision")["results"][0]["id"] == "tiny-law-2024/art_1"
    strict = LearnedRanker(learned.tables, WEIGHTS, votes=5, expansion_limit=0, min_known=0.9)
    assert not strict.knows(["人脸识别", "应用", "罚款"])
    learned_module.learned_ranker = lambda: strict  # type: ignore[assignment]  # undone by the fixture
    plain = search(reader, q, type="provision")
    learned_module.learned_ranker = lambda: None  # type: ignore[assignment]
    assert plain == search(reader, q, type="provision")


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("人脸识别应用的罚款是多少？", {"fallback": 2, "learned": 2}),
        ("罚款是多少呢？", {"fallback": 0, "learned": 1}),  # its words find nothing, its related questions art_1
    ],
)
def test_questions_below_the_gate_fuse_both_rankings(
    reader: Any, learned: LearnedRanker, q: str, found: dict[str, int]
) -> None:
    """Below min_known, with fusion: every result of the fallback's ranking and of the learned one, in one list;
    a keyword query that matches in full (match=all) is ranked as before; without fusion, the fallback alone."""
    gate = {"votes": 5, "expansion_limit": 0, "min_known": 1.1, "fallback": {"base": 1.0, "bias": 0.0}}
    fusing = LearnedRanker(learned.tables, WEIGHTS, fusion_k=20, fusion_weight=1.5, **gate)  # type: ignore[arg-type]
    alone = LearnedRanker(learned.tables, WEIGHTS, **gate)  # type: ignore[arg-type]
    everywhere = LearnedRanker(learned.tables, WEIGHTS, votes=5, expansion_limit=0)
    words = plan_query(q).content
    assert fusing.fuses(words) and not alone.fuses(words) and not fusing.knows(words)
    pages = {}
    for name, ranker in [("fused", fusing), ("fallback", alone), ("learned", everywhere)]:
        learned_module.learned_ranker = lambda ranker=ranker: ranker  # type: ignore[misc]  # undone by the fixture
        pages[name] = ids(search(reader, q, type="provision", limit=50))
        if name != "learned":
            keyword = search(reader, "同意", type="provision")
            assert keyword["match"] == "all" and "tiny-law-2024/art_1" not in ids(keyword)
    assert {name: len(pages[name]) for name in found} == found
    learned_module.learned_ranker = lambda: fusing  # type: ignore[assignment]
    first = search(reader, q, type="provision", limit=1)
    rest = search(reader, q, type="provision", limit=50, cursor=first["next"]) if first["next"] else {"results": []}
    assert ids(first) + ids(rest) == pages["fused"]  # later pages follow the fused order
    assert set(pages["fused"]) == set(pages["fallback"]) | set(pages["learned"])
    assert pages["fused"][0] in (pages["fallback"][:1] + pages["learned"][:1])


@pytest.mark.parametrize(
    ("words", "confidence", "expected"),
    [
        (["罚款"], 0.7, True),  # every question with 罚款 was about 人脸测试法
        (["解除"], 0.7, True),  # and the one with 解除 about 劳动合同法
        (["离婚"], 0.7, False),  # an unknown word: the two laws' priors, 4 to 2
        (["离婚"], 0.0, True),  # no floor
    ],
)
def test_fusion_waits_for_a_law_the_classifier_is_sure_of(words: list[str], confidence: float, expected: bool) -> None:
    pairs = [*PAIRS, (["试用期", "合同"], ["劳动合同法#art_20"]), (["试用期", "解除"], ["劳动合同法#art_21"])]
    ranker = LearnedRanker(
        fit(pairs, {}, min_count=1), WEIGHTS, fallback={"base": 1.0}, fusion_weight=1.5, fusion_confidence=confidence
    )
    assert ranker.fuses(words) is expected


def _groups(*group: int) -> UnitGroups:
    return UnitGroups(array("q", group), array("b"), array("d"))


@pytest.mark.parametrize(
    ("first", "second", "weight", "expected"),
    [
        # rows 0-3 (rows 0 and 1: two versions of one article); the second ranking lacks row 3
        ([0.1, 0.9, 0.5, 0.7], [3.0, 0.0, 2.0, None], 1.0, [1 / 21 + 1 / 21] * 2 + [1 / 23 + 1 / 22, 1 / 22]),
        # the second's first counts 1.5 times: its article beats the first's first
        (
            [0.9, 0.9, 0.5, 0.1],
            [0.0, 0.0, 2.0, 1.0],
            1.5,
            [1 / 21 + 1.5 / 23] * 2 + [1 / 22 + 1.5 / 21, 1 / 23 + 1.5 / 22],
        ),
    ],
)
def test_fusion_adds_reciprocal_places_of_articles(
    first: list[float], second: list[float | None], weight: float, expected: list[float]
) -> None:
    groups = _groups(0, 0, 1, 2)
    rows = np.arange(4)
    have = [i for i, s in enumerate(second) if s is not None]
    a = (Scores.of(dict.fromkeys(rows.tolist(), 1.0), {}, {}), np.array(first), np.ones(4, dtype=bool))
    other = Scores.of(dict.fromkeys(have, 1.0), {}, {})
    b = (other, np.array([second[i] for i in have]), np.ones(len(have), dtype=bool))
    assert learned_module.fuse(a, b, groups, 20, weight).tolist() == pytest.approx(expected)


def test_with_votes_adds_missing_rows_in_order() -> None:
    scores = Scores.of({2: 1.5, 7: 0.5}, {2: 1, 7: 1}, {})
    added = with_votes(scores, [9, 7, 1])
    assert added.rowid.tolist() == [1, 2, 7, 9]
    assert added.main.tolist() == [0.0, 1.5, 0.5, 0.0]
    assert added.matched.tolist() == [0, 1, 1, 0]
    assert with_votes(scores, [2]) is scores


def test_the_project_file_loads() -> None:
    ranker = load_learned(PROJECT_ROOT / "corpus" / LEARNED_FILE)
    assert ranker.tables.questions > 500 and ranker.votes > 0
    assert set(ranker.weights) >= {"base", "vote_article", "neighbour_article", "translation", "bias"}
    assert ranker.neighbours is not None and ranker.translation is not None
    assert ranker.fusion_weight > 0 and ranker.fusion_k > 0 and 0 < ranker.fusion_confidence < 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": {"no_such_feature": 1.0}}, "unknown features"),
        ({"votes": "many"}, "votes"),
        ({"law_prior": None}, "law_prior"),
        ({"law_prior": [1]}, "differ in length"),
        ({"term_law": {"x": [[10**6, 1]]}}, "past the list"),
        ({"neighbours": [[["x"], [10**6]]]}, "past the list"),
        ({"fallback": {"no_such_feature": 1.0}}, "unknown features"),
        ({"fusion_weight": -1.0}, "fusion_weight"),
        ({"translation": {"no-background": [["x", 0.5]]}}, "without its background"),
    ],
)
def test_a_bad_file_is_one_error_naming_it(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    raw = json.loads((PROJECT_ROOT / "corpus" / LEARNED_FILE).read_text(encoding="utf-8"))
    raw.update(change)
    path = tmp_path / "learned.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        load_learned(path)
    assert str(path) in str(err.value)


def test_scores_are_finite(reader: Any, learned: LearnedRanker) -> None:
    scores = [r["score"] for r in search(reader, "人脸识别的罚款是多少？", limit=50)["results"]]
    assert scores and np.isfinite(scores).all() and scores == sorted(scores, reverse=True)


def test_row_keys_read_in_pages_are_the_same(reader: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The warm-up reads every unit's law and article a page at a time: the pages add up to one read."""
    whole = learned_module.reader_row_keys(reader)
    monkeypatch.setattr(kb.store.reader, "PAGE_ROWS", 3)
    connects = []
    real = reader.engine.connect
    monkeypatch.setattr(reader.engine, "connect", lambda: connects.append(1) or real())
    reader.cache.pop("search.learned_row_keys")
    paged = learned_module.reader_row_keys(reader)
    assert paged.articles == whole.articles and paged.rows_of == whole.rows_of
    assert np.array_equal(paged.law, whole.law) and np.array_equal(paged.article, whole.article)
    units = int(np.count_nonzero(whole.law >= 0))
    assert units > 3 and len(connects) == 1 + units // 3 + 1  # documents, then one query a page


def test_a_shortlist_scores_its_rows_alike_and_ranks_the_rest_below_by_words(
    reader: Any, learned: LearnedRanker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ranker scores the best rows by words and the vouched-for ones exactly as without a
    shortlist; the rows it skips come after all of them, in word-score order."""
    groups = unit_groups(reader)
    rowids = sorted(learned_module.reader_row_keys(reader).rows_of["人脸测试法#art_3"])[:1] + list(range(1, 13))
    scores = Scores.of({r: 10.0 - i for i, r in enumerate(dict.fromkeys(rowids))}, {r: 1 for r in rowids}, {})
    q = "罚款是多少呢？"
    plan = plan_query(q, expand=True, learned=learned)

    def rank(size: int) -> tuple[Scores, npt.NDArray[np.float64]]:
        monkeypatch.setattr(learned_module, "SHORTLIST", size)
        return learned_module.learned_ranking(
            reader, learned, "罚款是多少呢？", plan, scores, 1, groups, local_penalty=False
        )

    full_rows, full = rank(1000)
    rows, short = rank(3)
    assert rows.rowid.tolist() == full_rows.rowid.tolist()
    base = rows.main
    voted = np.isin(rows.rowid, learned.vote_rows(learned_module.reader_row_keys(reader), plan.content))
    kept = (base >= np.sort(base)[-3]) | voted
    assert 3 < kept.sum() < len(base)
    assert np.array_equal(short[kept], full[kept])
    assert short[~kept].max() < short[kept].min()
    skipped = short[~kept][np.argsort(-base[~kept])]
    assert skipped.tolist() == sorted(skipped.tolist(), reverse=True)


def test_the_shortlist_keeps_ties_and_vouched_rows() -> None:
    base = np.array([3.0, 1.0, 1.0, 0.5, 0.0, 2.0])
    vouched = np.array([False, False, False, False, True, False])
    assert learned_module.shortlist(base, 3, vouched).tolist() == [True, True, True, False, True, True]
    assert learned_module.shortlist(base, 6, vouched) is None


def test_doctests() -> None:
    result = doctest.testmod(learned_module)
    assert result.failed == 0 and result.attempted > 0
