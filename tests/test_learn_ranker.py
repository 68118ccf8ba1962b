"""The learned ranker's features and scores on a hand-made table of rows (kb.learn.ranker)."""

from __future__ import annotations

import numpy as np
import pytest

from kb.learn.associations import fit
from kb.learn.neighbours import Neighbours
from kb.learn.ranker import FEATURES, LearnedRanker, row_keys

PAIRS = [
    (["个体", "工商户", "债务"], ["民法典#art_56"]),
    (["工商户", "诉讼"], ["民法典#art_54"]),
    (["试用期", "工资"], ["劳动合同法#art_20"]),
]
# rowid, law key, eid ('' for a row that is not an article); row 4 is a second version of art_56
ROWS = [
    (0, "民法典", "art_54"),
    (1, "民法典", "art_56"),
    (2, "劳动合同法", "art_20"),
    (3, "上海市劳动合同条例", "art_3"),
    (4, "民法典", "art_56"),
    (5, "某评论", ""),
]


@pytest.fixture(scope="module")
def keys():  # type: ignore[no-untyped-def]
    return row_keys(ROWS, size=7)


@pytest.fixture(scope="module")
def ranker():  # type: ignore[no-untyped-def]
    return LearnedRanker(fit(PAIRS, {}, min_count=1), {"base": 1.0, "vote_article": 2.0, "bias": -1.0}, votes=2)


def test_row_keys(keys) -> None:  # type: ignore[no-untyped-def]
    law, article = keys.at(np.array([1, 4, 5, 6], dtype=np.int64))
    assert keys.laws[law[0]] == keys.laws[law[1]] == "民法典"
    assert article[0] == article[1] and keys.articles[article[0]] == "民法典#art_56"
    assert article[2] == -1  # a passage: no article
    assert law[3] == -1 and article[3] == -1  # a row the table does not know
    assert keys.rows_of["民法典#art_56"] == (1, 4)


def test_vote_rows_are_every_version_of_the_voted_articles(ranker, keys) -> None:  # type: ignore[no-untyped-def]
    assert ranker.vote_rows(keys, ["债务"]) == [1, 4]
    assert ranker.vote_rows(keys, ["人脸识别"]) == []


def column(x: np.ndarray, name: str) -> list[float]:  # type: ignore[type-arg]
    return [round(float(v), 4) for v in x[:, FEATURES.index(name)]]


def test_features(ranker, keys) -> None:  # type: ignore[no-untyped-def]
    rowid = np.array([0, 1, 2, 3, 5], dtype=np.int64)
    base = np.array([2.0, 4.0, 0.0, 1.0, 4.0])
    coord = np.array([0.5, 1.0, 0.0, 0.5, 1.0])
    local = np.array([False, False, False, True, False])
    in_force = np.ones(5, dtype=bool)
    x = ranker.features(keys, ["工商户", "债务"], "按照民法典，工商户的债务谁承担", rowid, base, coord, local, in_force)
    assert x.shape == (5, len(FEATURES))
    assert column(x, "base") == [0.5, 1.0, 0.0, 0.25, 1.0]
    assert column(x, "rank") == [round(1 / 2, 4), 1.0, 0.0, round(1 / 3, 4), 1.0]
    assert column(x, "matched") == [1.0, 1.0, 0.0, 1.0, 1.0]
    assert column(x, "named") == [1.0, 1.0, 0.0, 0.0, 0.0]  # the question names 民法典
    assert column(x, "local") == [0.0, 0.0, 0.0, 1.0, 0.0]
    votes = column(x, "vote_article")
    assert votes[1] == 1.0 and 0 < votes[0] < 1 and votes[2] == votes[3] == votes[4] == 0.0
    prior = column(x, "law_prior")
    assert prior[0] == prior[1] > prior[2] > prior[3]  # asked twice, once, never
    assert column(x, "article_prior") == [round(np.log1p(1), 4)] * 3 + [0.0, 0.0]


def test_score_is_linear_in_the_weights(ranker, keys) -> None:  # type: ignore[no-untyped-def]
    rowid = np.array([0, 1], dtype=np.int64)
    ones = np.ones(2)
    x = ranker.features(keys, ["债务"], "债务", rowid, np.array([1.0, 0.5]), ones, ~ones.astype(bool), ones > 0)
    expected = x[:, FEATURES.index("base")] + 2.0 * x[:, FEATURES.index("vote_article")] - 1.0
    assert np.allclose(ranker.score(x), expected)


def test_no_rows() -> None:
    empty = np.empty(0)
    ranker = LearnedRanker(fit(PAIRS, {}, min_count=1), {})
    none = np.empty(0, dtype=np.int64)
    x = ranker.features(row_keys([], 0), ["债务"], "债务", none, empty, empty, empty > 0, empty > 0)
    assert x.shape == (0, len(FEATURES))


def test_question_features(keys) -> None:  # type: ignore[no-untyped-def]
    ranker = LearnedRanker(fit(PAIRS, {}, min_count=1), {}, neighbours=Neighbours.fit(PAIRS, k=1))
    rowid = np.array([0, 1, 2, 3, 5], dtype=np.int64)
    zeros, on = np.zeros(5), np.ones(5, dtype=bool)
    row = {"length": np.arange(5.0), "translation": np.full(5, 0.5)}
    x = ranker.features(keys, ["工商户", "债务", "劳动合同"], "工商户的债务", rowid, zeros, zeros, ~on, on, row)
    # the nearest question (工商户 债务) answered art_56, in 民法典
    assert column(x, "neighbour_article") == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert column(x, "neighbour_law") == [1.0, 1.0, 0.0, 0.0, 0.0]
    posterior = column(x, "law_posterior")
    assert posterior[0] == posterior[1] > posterior[2] > posterior[3] == posterior[4]  # never asked: the floor
    # 劳动合同 is one of the three words and in both titles that contain it
    assert column(x, "title_match") == [0.0, 0.0, round(1 / 3, 4), round(1 / 3, 4), 0.0]
    assert column(x, "position") == [round(float(np.log1p(n)), 4) for n in (54, 56, 20, 3)] + [0.0]
    assert column(x, "length") == [0.0, 1.0, 2.0, 3.0, 4.0] and column(x, "translation") == [0.5] * 5
    assert column(ranker.features(keys, ["债务"], "债务", rowid, zeros, zeros, ~on, on), "translation") == [0.0] * 5


def test_the_fallback_for_unknown_questions_has_its_own_weights_and_no_votes(keys) -> None:  # type: ignore[no-untyped-def]
    tables = fit(PAIRS, {}, min_count=1)
    assert LearnedRanker(tables, {"base": 1.0}).for_unknown() is None  # no fallback: rank by words
    ranker = LearnedRanker(tables, {"vote_article": 2.0}, votes=2, fallback={"base": 3.0, "bias": 1.0})
    unknown = ranker.for_unknown()
    assert unknown is not None and unknown.weights == {"base": 3.0, "bias": 1.0}
    assert ranker.vote_rows(keys, ["债务"]) == [1, 4] and unknown.vote_rows(keys, ["债务"]) == []
    x = unknown.features(
        keys, ["债务"], "债务", np.array([0, 1]), np.array([2.0, 1.0]), np.ones(2), np.zeros(2) > 0, np.ones(2) > 0
    )
    assert unknown.score(x).tolist() == [4.0, 2.5]


@pytest.mark.parametrize(
    ("weights", "feature", "used"),
    [
        ({}, "neighbour_article", True),  # no weights yet: every feature, for training
        ({"base": 1.0}, "neighbour_article", False),
        ({"base": 1.0, "neighbour_article": 0.0}, "neighbour_article", False),
        ({"base_x_neighbour": -2.0}, "neighbour_article", True),  # through a product
        ({"base_x_neighbour": -2.0}, "vote_article", False),
    ],
)
def test_a_feature_without_weight_is_not_computed(keys, weights, feature, used) -> None:  # type: ignore[no-untyped-def]
    ranker = LearnedRanker(fit(PAIRS, {}, min_count=1), weights, neighbours=Neighbours.fit(PAIRS, k=1))
    assert ranker.uses(feature) is used
    x = ranker.features(
        keys, ["工商户", "债务"], "q", np.array([1]), np.ones(1), np.ones(1), np.ones(1) < 0, np.ones(1) > 0
    )
    assert (column(x, feature) == [1.0]) is used
