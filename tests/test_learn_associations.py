"""The learned question -> article tables on small hand-made data (kb.learn.associations)."""

from __future__ import annotations

import math

import pytest

from kb.learn.associations import fit, law_of

# Four questions as their index words, with the articles that answer them.
PAIRS = [
    (["个体", "工商户", "债务", "承担"], ["民法典#art_56"]),
    (["个体", "工商户", "诉讼", "主体"], ["民法典#art_54", "民法典#art_56"]),
    (["劳动", "合同", "试用期", "工资"], ["劳动合同法#art_20"]),
    (["试用期", "解除", "劳动", "合同"], ["劳动合同法#art_21"]),
]
ARTICLE_WORDS = {
    "民法典#art_54": ["自然人", "从事", "工商业", "经营", "个体工商户"],
    "民法典#art_56": ["个体工商户", "债务", "个人财产", "家庭财产", "承担"],
    "劳动合同法#art_20": ["劳动者", "试用期", "工资", "百分之八十"],
    "劳动合同法#art_21": ["劳动者", "试用期", "解除", "劳动合同"],
}


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return fit(PAIRS, ARTICLE_WORDS, min_count=1, min_pmi=0.1)


def test_priors_count_questions(model) -> None:  # type: ignore[no-untyped-def]
    assert model.questions == 4
    assert model.law_prior == {"民法典": 2, "劳动合同法": 2}
    assert model.article_prior["民法典#art_56"] == 2
    assert model.article_prior["民法典#art_54"] == 1


@pytest.mark.parametrize(
    ("words", "best_article", "best_law"),
    [
        (["工商户", "债务"], "民法典#art_56", "民法典"),
        (["试用期", "工资"], "劳动合同法#art_20", "劳动合同法"),
        (["试用期", "解除"], "劳动合同法#art_21", "劳动合同法"),
    ],
)
def test_related_questions_vote_for_their_answers(model, words, best_article, best_law) -> None:  # type: ignore[no-untyped-def]
    articles = model.vote_articles(words)
    laws = model.vote_laws(words)
    assert max(articles, key=articles.__getitem__) == best_article
    assert max(laws, key=laws.__getitem__) == best_law


def test_unseen_words_vote_for_nothing(model) -> None:  # type: ignore[no-untyped-def]
    assert model.vote_articles(["人脸识别"]) == {}
    assert model.expansion(["人脸识别"]) == []


def test_expansion_adds_the_answers_legal_words(model) -> None:  # type: ignore[no-untyped-def]
    words = [w for w, _ in model.expansion(["工资"])]
    assert "百分之八十" in words
    assert "工资" not in words  # the question has it already
    weights = [s for _, s in model.expansion(["工资"])]
    assert weights[0] == 1.0 and all(0 < s <= 1 for s in weights)


def test_min_count_drops_words_seen_once() -> None:
    model = fit(PAIRS, ARTICLE_WORDS, min_count=2)
    assert "工资" not in model.term_article
    assert "试用期" in model.term_article


def test_law_of() -> None:
    assert (
        law_of("最高人民法院关于适用《民法典》有关担保制度的解释#art_3")
        == "最高人民法院关于适用《民法典》有关担保制度的解释"
    )


@pytest.mark.parametrize(
    ("words", "share"),
    [
        (["试用期", "工资"], 1.0),  # every word seen
        (["人脸识别"], 0.0),  # none
        ([], 0.0),
    ],
)
def test_known_share(model, words, share) -> None:  # type: ignore[no-untyped-def]
    assert model.known_share(words) == pytest.approx(share)


def test_known_share_weighs_words_by_rarity(model) -> None:  # type: ignore[no-untyped-def]
    # 劳动 (2 of 4 questions) is known but common; an unseen word weighs as much as a rare one, and more
    assert 0 < model.known_share(["劳动", "人脸识别"]) < model.known_share(["工资", "人脸识别"]) < 0.5


def test_numbers_and_numbered_parts_are_never_associations() -> None:
    words = {k: [*v, "第五十六", "二十条", "第三款", "30"] for k, v in ARTICLE_WORDS.items()}
    model = fit(PAIRS, words, min_count=1, min_pmi=0.1)
    learned = {w for v in model.term_terms.values() for w, _ in v}
    assert "百分之八十" in learned  # a word, kept: numerals inside a word are not a number
    assert not learned & {"第五十六", "二十条", "第三款", "30"}


@pytest.mark.parametrize(
    ("words", "best_law"),
    [
        (["工商户", "债务"], "民法典"),
        (["试用期", "工资"], "劳动合同法"),
        (["解除"], "劳动合同法"),
    ],
)
def test_law_posterior_is_a_distribution_over_the_asked_laws(model, words, best_law) -> None:  # type: ignore[no-untyped-def]
    posterior = model.law_posterior(words)
    assert set(posterior) == {"民法典", "劳动合同法"}
    assert max(posterior, key=posterior.__getitem__) == best_law
    assert sum(math.exp(v) for v in posterior.values()) == pytest.approx(1.0)


def test_law_posterior_of_unseen_words_is_the_prior(model) -> None:  # type: ignore[no-untyped-def]
    assert model.law_posterior(["人脸识别"]) == pytest.approx({"民法典": math.log(0.5), "劳动合同法": math.log(0.5)})
