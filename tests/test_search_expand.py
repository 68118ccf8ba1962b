"""kb.search.expand (synonyms, stopwords) and the ranking in kb.search that uses them."""

from __future__ import annotations

import os
import re
import sys
from array import array
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.errors import ConfigError
from kb.read import query
from kb.search import plan_query, search
from kb.search import rank as rank_module
from kb.search import scoring as scoring_module
from kb.search.expand import (
    STOPWORDS_FILE,
    content_terms,
    expansion_terms,
    load_synonyms,
    names_place,
    phrase_in,
    stopwords,
    synonyms,
)
from kb.search.fts import maximal_terms, query_terms
from kb.search.groups import UnitGroups, place_names
from kb.search.plan import EXPANSION_WEIGHT, Unit
from kb.search.rank import Scores, combine_scores, rank_rows
from kb.settings import PROJECT_ROOT
from kb.text.stopwords import load_stopwords

sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
import retrieval_lib

ENTRIES = synonyms()


# ---------------------------------------------------------------- the data files


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.match[0])
def test_every_example_triggers_its_entry_and_no_counter_example_does(entry: Any) -> None:
    for example in entry.examples:
        added = expansion_terms(example, [entry])
        assert added == list(dict.fromkeys(entry.expand)), example
        assert set(entry.expand) <= set(expansion_terms(example)), example
    for counter in entry.counter_examples:
        assert expansion_terms(counter, [entry]) == [], counter


def test_every_expansion_term_is_searchable() -> None:
    for entry in ENTRIES:
        for term in entry.expand:
            assert maximal_terms(content_terms(query_terms(term))), term


def test_stopwords_are_index_tokens_and_leave_legal_words_alone() -> None:
    words = stopwords()
    assert words == load_stopwords(PROJECT_ROOT / "corpus" / STOPWORDS_FILE) and len(words) > 100
    for word in words:
        assert word in query_terms(word), word  # a line is a lower-case index token
    assert not words & {"不得", "应当", "可以", "no", "not", "consent", "人脸识别"}


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        ('version = 1\n[[entry]]\nmatch = ["a"]\nexamples = ["a"]\n', "entry.0.expand: Field required"),
        ('version = 1\n[[entry]]\nmatch = ["a"]\nexpand = ["b"]\n', "entry.0.examples: Field required"),
        ('version = 1\n[[entry]]\nmatch = []\nexpand = ["b"]\nexamples = ["a"]\n', "entry.0.match: "),
        ('version = 1\n[[entry]]\nmatch = ["a"]\nexpand = ["b"]\nexamples = ["a"]\nweight = 2\n', "entry.0.weight: "),
        ('version = 2\n[[entry]]\nmatch = ["a"]\nexpand = ["b"]\nexamples = ["a"]\n', "version: "),
        ("version = 1\n", "entry: Field required"),
        ('version = 1\n[[entry]]\nmatch = ["a", " "]\nexpand = ["b"]\nexamples = ["a"]\n', "entry.0.match.1: "),
        ('version = 1\n[[entry]]\nmatch = ["a"]\nexpand = ["b", 3]\nexamples = ["a"]\n', "entry.0.expand.1: "),
        ('version = 1\n[[entry]]\nmatch = "a"\nexpand = ["b"]\nexamples = ["a"]\n', "entry.0.match: "),
    ],
)
def test_malformed_synonym_files_are_refused_naming_file_entry_and_field(tmp_path: Any, bad: str, where: str) -> None:
    path = tmp_path / "synonyms.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{path}: {where}")):
        load_synonyms(path)


# ---------------------------------------------------------------- matching phrases and words

PHRASES = [
    # phrase, query, occurs
    ("kid", "Can my kids use it?", False),
    ("kids", "Can my kids use it?", True),
    ("kid", "kidney stones", False),
    ("i'm 13", "Do apps need consent if I’m 13?", True),  # ’ reads as '
    ("face scan", "a FACE   scan at the gate", True),  # case and runs of spaces
    ("刷脸", "小区能强制刷脸吗", True),
    ("刷脸", "小区能强制人脸识别吗", False),
    ("sell my", "who sold my data", False),
]


@pytest.mark.parametrize(("phrase", "q", "occurs"), PHRASES)
def test_phrase_in(phrase: str, q: str, occurs: bool) -> None:
    assert phrase_in(phrase, q) is occurs
    assert retrieval_lib.phrase_in(phrase, q) is occurs


@pytest.mark.parametrize(
    ("terms", "kept"),
    [
        (["how", "long", "can", "a", "company", "keep"], ["long", "company", "keep"]),
        (["小区", "能", "强制", "刷脸", "吗"], ["小区", "强制", "刷脸"]),
        (["company", "s", "face"], ["company", "face"]),  # company's
        (["的", "吗"], ["的", "吗"]),  # nothing but stopwords: keep them all
    ],
)
def test_content_terms_drop_stopwords(terms: list[str], kept: list[str]) -> None:
    assert content_terms(terms) == kept


@pytest.mark.parametrize(
    ("title", "meta", "names"),
    [
        ("上海市不动产登记若干规定", {"province": "上海"}, {"上海"}),
        ("杭州市城市绿化管理条例", '{"province": "浙江省"}', {"杭州", "浙江"}),
        ("广西壮族自治区消防条例", None, {"广西"}),
        ("中华人民共和国个人信息保护法", {}, set()),
    ],
)
def test_place_names_of_local_regulations(title: str, meta: Any, names: set[str]) -> None:
    assert place_names(title, meta) == names


def test_a_query_names_a_place() -> None:
    places = frozenset({"上海", "杭州"})
    assert names_place("杭州市小区能强制刷脸吗", places)
    assert not names_place("小区能强制刷脸吗", places)


# ---------------------------------------------------------------- query plans


def test_a_plan_expands_lay_words_into_whole_legal_phrases() -> None:
    plan = plan_query("小区能强制刷脸吗")
    assert plan.content == ("小区", "强制", "刷脸")
    assert plan.expanded[:3] == ("人脸识别", "人脸信息", "生物识别信息")
    units = {u.terms: u for u in plan.expansion}
    assert ("人脸识别",) in units and ("人脸",) not in units  # the phrase, not its parts
    assert all(not u.main and u.weight == EXPANSION_WEIGHT for u in plan.expansion)
    assert all(len(w) > 1 for u in plan.expansion for w in u.terms)
    assert "刷脸" in plan.highlight() and "人脸识别" in plan.highlight() and "吗" not in plan.highlight()
    assert plan_query("小区能强制刷脸吗", expand=False).expansion == ()


# ---------------------------------------------------------------- combining scores


def groups(n: int, group: list[int], preference: list[int] | None = None, factor: list[float] | None = None) -> Any:
    """UnitGroups for rowids 0..n-1."""
    return UnitGroups(
        array("q", group), array("b", preference or [0] * n), array("d", factor or [1.0] * n), frozenset()
    )


RANKINGS = [
    # name, main scores, matched terms, n_main, expansion scores, groups, local penalty, expected order, also_in
    ("bm25 order", {0: 1.0, 1: 3.0, 2: 2.0}, {0: 1, 1: 1, 2: 1}, 1, {}, groups(3, [0, 1, 2]), True, [1, 2, 0], {}),
    # coordination: two of two terms beats one rare term with a higher sum
    ("coordination", {0: 5.0, 1: 3.0}, {0: 1, 1: 2}, 2, {}, groups(2, [0, 1]), True, [1, 0], {}),
    # expansion-only rows rank by their weighted score, after the query's own matches here
    ("expansion", {0: 1.0}, {0: 1}, 1, {1: 0.6, 0: 0.1}, groups(2, [0, 1]), True, [0, 1], {}),
    # a local regulation (factor 0.8) drops below a national law it beat by less than 25%
    ("local", {0: 2.2, 1: 2.0}, {0: 1, 1: 1}, 1, {}, groups(2, [0, 1], factor=[0.8, 1.0]), True, [1, 0], {}),
    ("local named", {0: 2.2, 1: 2.0}, {0: 1, 1: 1}, 1, {}, groups(2, [0, 1], factor=[0.8, 1.0]), False, [0, 1], {}),
    # versions: one result per group; equal scores -> the preferred version (0) is shown
    ("versions", {0: 2.0, 1: 2.0, 2: 1.0}, {}, 1, {}, groups(3, [7, 7, 8], [1, 0, 0]), True, [1, 2], {1: [0]}),
    # the version in force is shown even when an old one scores better; others preferred first
    ("old version", {0: 3.0, 1: 2.0, 2: 2.5}, {}, 1, {}, groups(3, [7, 7, 7], [2, 0, 1]), True, [1], {1: [2, 0]}),
    # ... and the article ranks by its best version: above a 2.8 article
    (
        "best version ranks",
        {0: 3.0, 1: 2.0, 2: 2.8},
        {},
        1,
        {},
        groups(3, [7, 7, 8], [1, 0, 0]),
        True,
        [1, 2],
        {1: [0]},
    ),
    # ties between groups: by rowid
    ("ties", {2: 1.0, 0: 1.0, 1: 1.0}, {}, 1, {}, groups(3, [0, 1, 2]), True, [0, 1, 2], {}),
]


@pytest.mark.parametrize(
    ("name", "main", "matched", "n_main", "extra", "units", "penalty", "order", "also_in"),
    RANKINGS,
    ids=[r[0] for r in RANKINGS],
)
def test_rank_rows(
    name: str,
    main: dict[int, float],
    matched: dict[int, int],
    n_main: int,
    extra: dict[int, float],
    units: UnitGroups,
    penalty: bool,
    order: list[int],
    also_in: dict[int, list[int]],
) -> None:
    ranked = rank_rows(Scores.of(main, matched, extra), n_main, units, local_penalty=penalty)
    assert [rowid for _, rowid in ranked.order] == order
    assert ranked.also_in == also_in
    scores = [s for s, _ in ranked.order]
    assert scores == sorted(scores, reverse=True)
    assert ranked.order == reference_rank(main, matched, n_main, extra, units, local_penalty=penalty)[0]


def reference_rank(
    main: dict[int, float],
    matched: dict[int, int],
    n_main: int,
    extra: dict[int, float],
    groups: UnitGroups,
    *,
    local_penalty: bool,
) -> tuple[list[tuple[float, int]], dict[int, list[int]]]:
    """What rank_rows computes, as a plain loop over the rows (its specification)."""
    shown: dict[int, tuple[int, float, int]] = {}
    best: dict[int, float] = {}
    members: dict[int, list[tuple[int, float, int]]] = {}
    for rowid in sorted(main.keys() | extra.keys()):
        score = main.get(rowid, 0.0)
        if n_main > 1:
            score *= (matched.get(rowid, 0) / n_main) ** rank_module.COORD_EXPONENT
        score += extra.get(rowid, 0.0)
        if rowid < len(groups.group):
            group, preference = groups.group[rowid], groups.preference[rowid]
            if local_penalty:
                score *= groups.factor[rowid]
        else:
            group, preference = -rowid - 1, 0
        key = (preference, -score, rowid)
        members.setdefault(group, []).append(key)
        if group not in shown or key < shown[group]:
            shown[group] = key
        best[group] = max(best.get(group, score), score)
    order = sorted(((best[g], k[2]) for g, k in shown.items()), key=lambda sr: (-sr[0], sr[1]))
    also_in = {shown[g][2]: [k[2] for k in sorted(ms)][1:] for g, ms in members.items() if len(ms) > 1}
    return order, also_in


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 3),  # unit
            st.integers(0, 11),  # rowid (0..9 known, 10 and 11 not in the cache)
            st.sampled_from([0.5, 1.0, 1.25, 2.0, 3.5, 7.0]),
        ),
        max_size=30,
    ),
    group=st.lists(st.integers(0, 4), min_size=10, max_size=10),
    preference=st.lists(st.integers(0, 2), min_size=10, max_size=10),
    factor=st.lists(st.sampled_from([0.8, 1.0]), min_size=10, max_size=10),
    penalty=st.booleans(),
)
def test_rank_rows_is_the_plain_loop_on_any_rows(
    rows: list[tuple[int, int, float]],
    group: list[int],
    preference: list[int],
    factor: list[float],
    penalty: bool,
) -> None:
    """Scores and ranking, vectorised, give exactly (not approximately) what a loop over the rows gives."""
    units = [Unit(("a",)), Unit(("b",), within_any=(("a",),)), Unit(("c",), 0.3, main=False), Unit(("d",))]
    main: dict[int, float] = {}
    matched: dict[int, int] = {}
    extra: dict[int, float] = {}
    for u, rowid, score in rows:
        if units[u].main:
            main[rowid] = main.get(rowid, 0.0) + score
            matched[rowid] = matched.get(rowid, 0) + 1
        else:
            extra[rowid] = extra.get(rowid, 0.0) + units[u].weight * score
    scores = combine_scores(rows, units)
    assert scores.rowid.tolist() == sorted(main.keys() | extra.keys())
    assert dict(zip(scores.rowid.tolist(), scores.main.tolist(), strict=True)) == {
        r: main.get(r, 0.0) for r in scores.rowid.tolist()
    }
    n_main = 3
    cache = groups(10, group, preference, factor)
    ranked = rank_rows(scores, n_main, cache, local_penalty=penalty)
    order, also_in = reference_rank(main, matched, n_main, extra, cache, local_penalty=penalty)
    assert ranked.order == order
    assert ranked.also_in == also_in
    for i, (score, rowid) in enumerate(order):
        assert ranked.after(score, rowid) == i + 1


# ---------------------------------------------------------------- search on the tiny database


def ids(result: dict[str, Any]) -> list[str]:
    return [r["id"] for r in result["results"]]


def test_a_lay_word_finds_articles_through_its_expansion(reader: query.Reader) -> None:
    result = search(reader, "刷脸")
    assert result["expanded_terms"][:2] == ["人脸识别", "人脸信息"]
    assert result["match"] == "any"  # nothing has 刷脸 itself
    assert ids(result) == ["tiny-law-2024/art_1", "tiny-law-2024/art_2"]
    assert "<mark>人脸识别</mark>" in result["results"][0]["snippet"]
    plain = search(reader, "刷脸", expand=False)
    assert plain["results"] == [] and plain["expanded_terms"] == []


def test_expansion_never_adds_results_in_all_mode(reader: query.Reader) -> None:
    """Expansion terms are optional: with every query word required they only re-rank."""
    with_expansion = search(reader, "facial recognition", type="provision")
    without = search(reader, "facial recognition", type="provision", expand=False)
    assert with_expansion["match"] == "all" and with_expansion["expanded_terms"]
    assert ids(with_expansion) == ids(without) == ["tiny-law-2021/art_1"]


def test_versions_of_an_article_are_one_result(reader: query.Reader) -> None:
    hits = search(reader, "单独同意")["results"]
    assert [(h["id"], h["also_in"]) for h in hits] == [("tiny-law-2024/art_2", ["tiny-law-2021/art_2"])]
    # Filtering to one version shows that version, alone.
    only = search(reader, "单独同意", doc="tiny-law-2021")["results"]
    assert [(h["id"], h["also_in"]) for h in only] == [("tiny-law-2021/art_2", [])]


@pytest.mark.parametrize(
    ("q", "sentence"),
    [
        ("个人信息 单独同意", False),
        ("separate consent", False),
        ("facial recognition consent public places", True),  # more than three words
        ("what is separate consent?", True),  # stopwords
        ("法定结婚年龄是多少", True),
        ("的", False),  # nothing but a stopword: a keyword after all
    ],
)
def test_questions_and_sentences_are_told_from_keywords(q: str, sentence: bool) -> None:
    assert plan_query(q).is_sentence() is sentence


def test_keywords_need_every_word_questions_rank_by_any(reader: query.Reader) -> None:
    keywords = search(reader, "separate consent")
    assert keywords["match"] == "all"
    assert set(ids(keywords)) == {"tiny-comment-2023/p_2", "tiny-law-2021/art_2"}
    question = search(reader, "what is separate consent?", type="passage")
    assert question["match"] == "any" and "what" not in question["terms"]
    assert ids(question)[0] == "tiny-comment-2023/p_2"  # has every word: first
    assert "tiny-comment-2023/p_1" in ids(question)  # Consent Rules: one of the words


def test_pages_of_ranked_and_collapsed_results_have_no_gaps(reader: query.Reader) -> None:
    q = "individual consent face recognition law personal information"
    everything = search(reader, q, limit=100)
    assert everything["match"] == "any" and everything["count"] == len(everything["results"]) > 3
    seen: list[str] = []
    cursor = None
    while True:
        page = search(reader, q, limit=2, cursor=cursor)
        assert page["count"] == everything["count"]
        seen.extend(ids(page))
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == ids(everything)


def test_scores_take_the_anchor_words_off_conditional_units() -> None:
    """SQLite's bm25 of ``common AND (rare)`` is common's score plus rare's: combine_scores keeps common's."""
    anchors = (("rare",), ("法",))  # every unconditional unit
    units = [Unit(("rare",)), Unit(("common",), within_any=anchors), Unit(("法",), 0.5, main=False)]
    # row 1 has all three (common's own share: 0.5); row 2 only 法
    rows = [(0, 1, 2.0), (1, 1, 2.0 + 0.5 + 1.0), (2, 1, 1.0), (2, 2, 4.0)]
    scores = combine_scores(rows, units, subtract_within=True)
    assert scores.rowid.tolist() == [1, 2]
    assert scores.main.tolist() == [pytest.approx(2.5), 0.0] and scores.matched.tolist() == [2, 0]
    assert scores.extra.tolist() == [0.5, 2.0]  # unconditional units are not reduced
    scores = combine_scores(rows, units)  # PostgreSQL ranks each unit alone: nothing to take off
    assert scores.main.tolist() == [5.5, 0.0]


def test_common_words_change_which_rows_are_results_never_their_scores(
    reader: query.Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = "does the law require separate consent before a face is scanned?"
    exact = {h["id"]: h["score"] for h in search(reader, q)["results"]}
    monkeypatch.setattr(scoring_module, "COMMON_MIN_ROWS", 0)
    monkeypatch.setattr(scoring_module, "COMMON_SHARE", 0.3)  # "law", "consent": in more than 2 of 8 units
    pruned = {h["id"]: h["score"] for h in search(reader, q)["results"]}
    assert pruned and set(pruned) < set(exact)
    for rowid, score in pruned.items():
        assert score == pytest.approx(exact[rowid], rel=1e-4), rowid


def test_expansion_in_all_mode_scores_as_a_separate_query(reader: query.Reader) -> None:
    """In mode=all an expansion phrase is matched together with the query's words and its
    share computed by subtraction: the same as adding its own weighted score."""
    q = "facial recognition"
    plain = {h["id"]: h["score"] for h in search(reader, q, expand=False)["results"]}
    expanded = {h["id"]: h["score"] for h in search(reader, q)["results"]}
    alone = {h["id"]: h["score"] for h in search(reader, "人脸识别", mode="raw", expand=False)["results"]}
    assert set(plain) == set(expanded)
    for rid in plain:
        assert expanded[rid] >= plain[rid]
    shared = set(plain) & set(alone)
    for rid in shared:  # 人脸识别 is one of the expansion phrases; others add to it, never less
        assert expanded[rid] >= plain[rid] + EXPANSION_WEIGHT * alone[rid] - 1e-4


# ---------------------------------------------------------------- the same on PostgreSQL

PG_URL = os.environ.get("KB_TEST_PG_URL", "")


@pytest.fixture(scope="module")
def pg_reader() -> Iterator[query.Reader]:
    """The tiny corpus in a PostgreSQL schema of its own (dropped afterwards)."""
    if not PG_URL:
        pytest.skip('no PostgreSQL: KB_TEST_PG_URL is unset (eval "$(bash scripts/ci_postgres.sh)")')
    from conftest import TINY_BUILD_INFO, tiny_corpus
    from sqlalchemy import create_engine, text

    from kb.store.pg import build_postgres, live_stamp, read_engine

    schema = "kb_expand_test"
    build_postgres(PG_URL, tiny_corpus(), TINY_BUILD_INFO, schema=schema)
    engine = read_engine(PG_URL, schema=schema)
    try:
        yield query.Reader(engine, stamp=live_stamp(engine))
    finally:
        engine.dispose()
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.mark.parametrize(
    ("q", "options"),
    [
        ("刷脸", {}),  # expansion only
        ("facial recognition", {}),  # expansion re-ranks an all-words match (``within``)
        ("does the law require separate consent before a face is scanned?", {}),
        ("单独同意", {}),  # versions collapse the same way
        ("consent", {"lang": "zh"}),
    ],
)
def test_postgresql_finds_what_sqlite_finds(
    reader: query.Reader, pg_reader: query.Reader, q: str, options: dict[str, Any]
) -> None:
    lite, pg = search(reader, q, **options), search(pg_reader, q, **options)
    assert lite["results"], "a test query should find something"
    for key in ("match", "count", "terms", "expanded_terms"):
        assert pg[key] == lite[key], key
    assert {(h["id"], tuple(h["also_in"])) for h in pg["results"]} == {
        (h["id"], tuple(h["also_in"])) for h in lite["results"]
    }


def test_postgresql_common_words_score_only_rows_with_rarer_ones(
    reader: query.Reader, pg_reader: query.Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    q = "does the law require separate consent before a face is scanned?"
    monkeypatch.setattr(scoring_module, "COMMON_MIN_ROWS", 0)
    monkeypatch.setattr(scoring_module, "COMMON_SHARE", 0.3)
    pruned = search(pg_reader, q)["results"]
    assert {h["id"] for h in pruned} == {h["id"] for h in search(reader, q)["results"]}
