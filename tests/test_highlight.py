"""Highlighting: which words of a text a query's terms mark.

``find_ranges`` finds candidate words with one regex before stemming them; the
reference below stems every word. They must agree on any text.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.search.highlight import find_ranges, snippet
from kb.text.stem import porter_stem

WORD = re.compile(r"[^\W_]+")


def reference(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Every whole word whose stem is a term's stem (or that starts with a ``term*`` prefix)."""
    lowered = text.lower()
    stems = {porter_stem(t.lower()) for t in terms if not t.endswith("*")}
    prefixes = [t.lower()[:-1] for t in terms if t.endswith("*") and len(t) > 1]
    return [
        (m.start(), m.end())
        for m in WORD.finditer(lowered)
        if porter_stem(m.group()) in stems or any(m.group().startswith(p) for p in prefixes)
    ]


ENGLISH = [
    "recognition recognise recognized recognizing",
    "consent consents consented consenting consensual consensus",
    "relational relate relativity hopping hoping hoped happy happiness",
    "agreed agreement agreeing conflated conflating generalization generalizes",
    "ponies pony caresses cares caring formality formalize electrical electricity",
]
WORDS = sorted({w for line in ENGLISH for w in line.split()})


@pytest.mark.parametrize("term", WORDS)
def test_each_word_of_a_vocabulary_marks_what_stemming_every_word_would(term: str) -> None:
    text = " ".join(ENGLISH) + ". Facial Recognition, CONSENT; consent—recognized!"
    assert find_ranges(text, [term]) == reference(text, [term])


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from([*WORDS, "a", "as", "is", "face", "faces", "data", "x1", "ação"]), max_size=40),
    seps=st.lists(st.sampled_from([" ", ", ", "-", "_", "'", "\n", "人脸", "。"]), min_size=40, max_size=40),
    terms=st.lists(st.sampled_from([*WORDS, "face", "dat*", "con*", "a", "x1"]), min_size=1, max_size=4),
)
def test_any_text_marks_what_stemming_every_word_would(words: list[str], seps: list[str], terms: list[str]) -> None:
    text = "".join(w + s for w, s in zip(words, seps, strict=False))
    assert find_ranges(text, terms) == reference(text, terms)


def test_chinese_terms_mark_substrings_and_snippets_escape_html() -> None:
    text = "处理<人脸信息>应当取得个人的单独同意"
    assert find_ranges(text, ["人脸信息", "同意"]) == [(3, 7), (17, 19)]
    assert snippet(text, ["人脸信息"]) == "处理&lt;<mark>人脸信息</mark>&gt;应当取得个人的单独同意"
