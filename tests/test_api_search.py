"""kb.search and kb.search.highlight: ranking, filters, cursors, escaping, snippets."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kb.errors import InvalidQuery, NotFound
from kb.read import query
from kb.search import SearchParams, plan_query, search
from kb.search.cursor import decode_cursor
from kb.search.highlight import find_ranges, snippet
from kb.search.plan import Unit
from kb.search.scoring import concepts
from kb.search.sql import search_sql
from kb.text.stem import porter_stem


def ids(result: dict[str, Any]) -> list[str]:
    return [r["id"] for r in result["results"]]


def found(result: dict[str, Any]) -> set[str]:
    """The ids of the results and of the other versions each lists in ``also_in``."""
    return {i for r in result["results"] for i in (r["id"], *r["also_in"])}


# ---------------------------------------------------------------- stemming and snippets


def test_porter_stems_agree_with_sqlite_fts5(source_root: Path) -> None:
    """What we mark is what the index matched: our stems equal FTS5's for every word."""
    words: set[str] = {"caresses", "ponies", "agreed", "hopping", "sky", "generalization", "oscillators"}
    for path in sorted((source_root / "corpus" / "commentary").glob("*.txt")):
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+", path.read_text(encoding="utf-8")))
    ordered = sorted(words)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2')")
    conn.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", list(enumerate(ordered, 1)))
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    stems = {doc: term for term, doc, _col, _off in conn.execute("SELECT term, doc, col, offset FROM v")}
    wrong = [(w, stems[i], porter_stem(w)) for i, w in enumerate(ordered, 1) if stems[i] != porter_stem(w)]
    assert len(ordered) > 1000
    assert wrong == []


SNIPPETS = [
    # text, terms, expected snippet
    (
        "个人信息处理者应当取得个人的单独同意。",
        ["单独同意", "个人"],
        "<mark>个人</mark>信息处理者应当取得<mark>个人</mark>的<mark>单独同意</mark>。",
    ),
    (
        "Consent was required; consenting adults consented; consensus.",
        ["consent"],
        "<mark>Consent</mark> was required; <mark>consenting</mark> adults <mark>consented</mark>; consensus.",
    ),
    (
        "Recognition <script>alert(1)</script> & co",
        ["recognition"],
        "<mark>Recognition</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; co",
    ),
    ("no match here", ["zebra"], "no match here"),
    ("人脸识别", ["人脸", "识别", "人脸识别"], "<mark>人脸识别</mark>"),
]


@pytest.mark.parametrize(("text", "terms", "expected"), SNIPPETS)
def test_snippets_mark_matches_in_escaped_text(text: str, terms: list[str], expected: str) -> None:
    assert snippet(text, terms) == expected


def test_long_snippets_are_cut_around_the_matches() -> None:
    text = "filler words " * 50 + "the consent clause " + "more filler " * 50
    out = snippet(text, ["consent"], width=80)
    assert "<mark>consent</mark>" in out
    assert out.startswith("…") and out.endswith("…")
    assert len(out) < 120


def test_ranges_merge_overlapping_terms() -> None:
    assert find_ranges("个人信息处理者", ["个人", "个人信息", "信息处理"]) == [(0, 6)]


# ---------------------------------------------------------------- search on the tiny database

SEARCHES = [
    # query, options, expected ids (in rank order where it matters: see the test)
    ("单独同意", {}, {"tiny-law-2021/art_2", "tiny-law-2024/art_2"}),
    ("书面同意", {}, {"tiny-law-2024/art_2"}),
    ("separate consent", {}, {"tiny-comment-2023/p_2", "tiny-law-2021/art_2"}),
    ("separate consent", {"type": "passage"}, {"tiny-comment-2023/p_2"}),
    ("separate consent", {"type": "provision"}, {"tiny-law-2021/art_2"}),
    ("facial recognition", {"lang": "en", "type": "provision"}, {"tiny-law-2021/art_1"}),
    ("人脸识别", {"lang": "en"}, set()),
    ("consent", {"lang": "zh", "expand": False}, set()),
    # ... but its expansion (同意, 单独同意) is Chinese: both versions of article 2, as one result
    ("consent", {"lang": "zh"}, {"tiny-law-2021/art_2", "tiny-law-2024/art_2"}),
    ("同意", {"doc": "tiny-law-2024"}, {"tiny-law-2024/art_2"}),
    ("同意", {"status": "amended"}, {"tiny-law-2021/art_2"}),
    ("同意", {"status": "amended", "type": "passage"}, set()),
    ("同意", {"status": "no-such-status"}, set()),
    ("consent", {"topic": "consent"}, {"tiny-comment-2023/p_2", "tiny-law-2021/art_2"}),
    ("consent", {"topic": "minors"}, set()),
    ('"separate consent"', {"mode": "raw"}, {"tiny-comment-2023/p_2", "tiny-law-2021/art_2"}),
    ("consen*", {"mode": "raw", "type": "passage"}, {"tiny-comment-2023/p_1", "tiny-comment-2023/p_2"}),
    ("loophole OR 书面同意", {"mode": "raw"}, {"tiny-comment-2023/p_2", "tiny-law-2024/art_2"}),
]


@pytest.mark.parametrize(("q", "options", "expected"), SEARCHES)
def test_search_finds(reader: query.Reader, q: str, options: dict[str, Any], expected: set[str]) -> None:
    result = search(reader, q, **options)
    assert found(result) == expected
    assert result["count"] == len(result["results"])
    for hit in result["results"]:
        assert "<mark>" in hit["snippet"], hit


def test_an_english_query_finds_a_chinese_provision_through_its_translation(reader: query.Reader) -> None:
    hit = next(h for h in search(reader, "public health emergency")["results"] if h["id"] == "tiny-law-2021/art_2")
    assert hit["type"] == "provision" and hit["snippet_lang"] == "en"
    assert "<mark>public</mark> <mark>health</mark> <mark>emergency</mark>" in hit["snippet"]


def test_results_are_ranked_best_first(reader: query.Reader) -> None:
    scores = [h["score"] for h in search(reader, "consent")["results"]]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 2


def test_all_terms_falls_back_to_any_term(reader: query.Reader) -> None:
    result = search(reader, "loophole zebra")
    assert result["match"] == "any"
    assert ids(result) == ["tiny-comment-2023/p_2"]
    assert search(reader, "loophole Ada")["match"] == "all"


def test_pages_follow_the_cursor_without_gaps_or_repeats(reader: query.Reader) -> None:
    everything = ids(search(reader, "同意 OR consent OR face", mode="raw", limit=100))
    seen: list[str] = []
    cursor = None
    while True:
        page = search(reader, "同意 OR consent OR face", mode="raw", limit=2, cursor=cursor)
        seen.extend(ids(page))
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == everything and len(seen) > 2


# Hostile input, escaped: nothing searchable in it is a clean 422 (None here); otherwise its
# words are searched as words (the FTS5 operators in it do nothing), never a crash.
HOSTILE: list[tuple[str, set[str] | None]] = [
    ('"', None),
    ("(((", None),
    ("NEAR(", set()),
    ('face "NEAR(', {"tiny-comment-2023/p_2"}),
    ("-face", {"tiny-comment-2023/p_2"}),
    ("AND OR NOT", {"tiny-law-2021/art_2"}),
    ("a*b*", set()),
    ("^start", set()),
    ("{zh_tokens}:x", set()),
    ("'; DROP TABLE x", set()),
]


@pytest.mark.parametrize(("hostile", "found"), HOSTILE)
def test_user_input_is_escaped_by_default(reader: query.Reader, hostile: str, found: set[str] | None) -> None:
    if found is None:
        with pytest.raises(InvalidQuery) as exc:
            search(reader, hostile)
        assert exc.value.parameter == "q"
    else:
        assert {r["id"] for r in search(reader, hostile)["results"]} == found


@pytest.mark.parametrize("broken", ['"unterminated', "NEAR(", "consent AND", "nosuchcolumn: face", "((a)"])
def test_raw_syntax_errors_are_invalid_queries(reader: query.Reader, broken: str) -> None:
    with pytest.raises(InvalidQuery) as exc:
        search(reader, broken, mode="raw")
    assert exc.value.parameter == "q"


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        ({"q": "x" * 1001}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "😀"}, "q"),
        ({"q": "x", "limit": 0}, "limit"),
        ({"q": "x", "limit": 101}, "limit"),
        ({"q": "x", "lang": "fr"}, "lang"),
        ({"q": "x", "cursor": "not-a-cursor"}, "cursor"),
        ({"q": "x", "cursor": "eyJ2IjoxfQ"}, "cursor"),
    ],
)
def test_bad_parameters_are_invalid_queries(reader: query.Reader, options: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InvalidQuery) as exc:
        search(reader, **options)
    assert exc.value.parameter == parameter


@pytest.mark.parametrize("options", [{"topic": "no-such-topic"}, {"doc": "no-such-doc"}])
def test_unknown_filters_are_not_found(reader: query.Reader, options: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        search(reader, "consent", **options)


def test_a_cursor_only_works_for_the_query_that_issued_it(reader: query.Reader) -> None:
    token = search(reader, "consent", limit=1)["next"]
    assert token
    decode_cursor(SearchParams(q="consent", limit=5), token)  # another page size is fine
    with pytest.raises(InvalidQuery):
        decode_cursor(SearchParams(q="同意"), token)
    with pytest.raises(InvalidQuery):
        decode_cursor(SearchParams(q="consent", type="passage"), token)
    with pytest.raises(InvalidQuery):
        decode_cursor(SearchParams(q="consent", expand=False), token)


def test_search_sql_is_built_apart_from_running_it() -> None:
    params = SearchParams(q="x", type="passage", topic="consent", lang="en", limit=5)
    sql, args = search_sql(params, [Unit(("x",)), Unit(("y", 'z"')), Unit((), raw="x OR y")])
    assert sql.count("bm25(search_fts") == 3 and sql.count(" UNION ALL ") == 2
    # topic is a join; type and status are tested on the matched rows (UnitGroups.keeper), not in SQL
    assert "CROSS JOIN search_units su" in sql and "su.topics" in sql and "su.type" not in sql
    assert args == {
        "m0": '{en_text} : ("x")',
        "m1": '{en_text} : ("y" AND "z""")',
        "m2": "{en_text} : (x OR y)",
        "topic": "consent",
    }
    assert "CROSS JOIN" not in search_sql(SearchParams(q="x", type="passage", status="draft"), [Unit(("x",))])[0]
    pg_sql, pg_args = search_sql(params, [Unit(("x",)), Unit(("y", "z"))], dialect="postgresql")
    # one count per word (x, then y and z) for pg_bm25, and each row's length
    assert pg_sql.count("ts_rank_cd") == 3 and "bm25" not in pg_sql and pg_sql.count("su.n_words") == 2
    assert {k: v for k, v in pg_args.items() if k.startswith("u")} == {"u0_0": "x", "u1_0": "y", "u1_1": "z"}


def test_a_compound_is_one_word_and_falls_back_to_its_parts_when_the_index_lacks_it(reader: query.Reader) -> None:
    # jieba's search mode gives 人脸信息 with its parts; the compound alone is the word
    assert plan_query("人脸信息").content == ("人脸", "信息", "人脸信息")
    assert concepts(reader, plan_query("人脸信息"), None) == [("人脸信息",)]
    # the tiny laws never say 信息技术 (nor 识别系统): the parts stand in, and articles are found
    assert concepts(reader, plan_query("信息技术"), None) == [("信息",), ("技术",)]
    assert concepts(reader, plan_query("人脸识别系统"), None) == [("人脸识别",), ("识别",), ("系统",)]
    assert "tiny-law-2021/art_1" in found(search(reader, "信息技术", mode="any", expand=False))
