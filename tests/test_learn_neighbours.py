"""Nearest training questions and the translation model on small hand-made data.

(kb.learn.neighbours, kb.learn.translation)
"""

from __future__ import annotations

import numpy as np
import pytest

from kb.learn.neighbours import Neighbours
from kb.learn.translation import SOURCES
from kb.learn.translation import fit as fit_translation

PAIRS = [
    (["个体", "工商户", "债务", "承担"], ["民法典#art_56"]),
    (["个体", "工商户", "诉讼", "主体"], ["民法典#art_54", "民法典#art_56"]),
    (["试用期", "工资", "多少"], ["劳动合同法#art_20"]),
    (["试用期", "解除", "劳动", "合同"], ["劳动合同法#art_21"]),
    (["欠钱", "不还", "起诉"], ["民法典#art_675"]),
]


@pytest.fixture(scope="module")
def near() -> Neighbours:
    return Neighbours.fit(PAIRS, k=2)


@pytest.mark.parametrize(
    ("words", "first"),
    [
        (["工商户", "债务"], 0),
        (["试用期", "工资"], 2),
        (["试用期", "解除"], 3),
        (["朋友", "欠钱"], 4),
    ],
)
def test_the_nearest_question_shares_the_rarest_words(near, words, first) -> None:  # type: ignore[no-untyped-def]
    assert near.nearest(words)[0][0] == first


def test_only_k_questions_vote_and_the_nearest_gives_one(near) -> None:  # type: ignore[no-untyped-def]
    assert len(near.nearest(["工商户", "试用期", "欠钱"])) == 2
    votes = near.vote_articles(["工商户", "债务"])
    assert votes["民法典#art_56"] > votes["民法典#art_54"] > 0
    assert max(votes.values()) > 1  # art_56 answered both neighbours
    assert near.vote_laws(["工商户", "债务"]) == {"民法典": pytest.approx(votes["民法典#art_56"])}


def test_unknown_words_have_no_neighbours(near) -> None:  # type: ignore[no-untyped-def]
    assert near.nearest(["人脸识别"]) == [] and near.vote_articles(["人脸识别"]) == {}


ARTICLE_WORDS = [
    ["个体工商户", "债务", "个人财产", "承担"],
    ["个体工商户", "诉讼", "当事人"],
    ["劳动者", "试用期", "工资", "百分之八十"],
    ["劳动者", "试用期", "解除", "劳动合同"],
    ["借款人", "返还", "借款"],
]


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return fit_translation([(q, a) for (q, _), a in zip(PAIRS, ARTICLE_WORDS, strict=True)])


@pytest.mark.parametrize(
    ("lay", "legal"),
    [
        ("欠钱", "借款人"),  # a lay word the articles never use: learned from its answer
        ("工资", "工资"),  # a word both sides use: itself
    ],
)
def test_a_question_word_comes_from_its_answers_words(model, lay, legal) -> None:  # type: ignore[no-untyped-def]
    sources = dict(model.sources[lay])
    assert legal in sources and len(sources) <= SOURCES
    assert all(0 < p <= 1 for p in sources.values())


def test_rows_with_the_source_words_score_higher(model) -> None:  # type: ignore[no-untyped-def]
    per_word = {"借款人": np.array([1.0, 0.0, 0.0]), "返还": np.array([1.0, 1.0, 0.0])}

    def counts(words: list[str]) -> np.ndarray:
        return np.array([per_word.get(w, np.zeros(3)) for w in words])

    score = model.score(["欠钱", "不还"], counts, np.array([10.0, 10.0, 10.0]))
    assert score[0] > score[1] > score[2] == 0.0
    # a longer row with the same counts explains the question less
    short, long = (model.score(["欠钱"], counts, np.array([n, 10.0, 10.0]))[0] for n in (10.0, 40.0))
    assert 0 < long < short
    assert (model.score(["人脸识别"], counts, np.ones(3)) == 0).all()
