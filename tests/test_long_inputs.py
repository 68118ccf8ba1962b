"""Long inputs: the near-linear paths of the topic tagger and the statute parser give
exactly what the plain ones (a scan per match, a join per line) gave."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.annotate.nlp import chinese_nlp, english_nlp
from kb.annotate.topics import TopicPattern, _Hit, _longest_per_label, _Sentences, _SpanIndex
from kb.ingest.sources import SourceText
from kb.ingest.statute import parse_statute
from kb.model import DocumentMeta

PATTERNS = [TopicPattern(f"p{i}", label, "en", "x") for i, label in enumerate(["consent", "consent", "minors"])]

spans = st.tuples(st.integers(0, 60), st.integers(1, 12)).map(lambda t: (t[0], t[0] + t[1]))
hits = st.lists(
    st.tuples(st.sampled_from(PATTERNS), spans).map(lambda t: _Hit(t[0], *t[1], 0, 80, ())),
    max_size=40,
)


def plain_longest_per_label(found: list[_Hit]) -> list[_Hit]:
    """The specification: longest first, a hit overlapping a kept one of its label is dropped."""
    chosen: list[_Hit] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for h in sorted(found, key=lambda h: (-(h.end - h.start), h.start, h.pattern.id)):
        kept = taken.setdefault(h.pattern.label, [])
        if any(s < h.end and h.start < e for s, e in kept):
            continue
        kept.append((h.start, h.end))
        chosen.append(h)
    return sorted(chosen, key=lambda h: (h.start, h.end, h.pattern.label))


@settings(max_examples=300, deadline=None)
@given(hits)
def test_longest_per_label_is_the_plain_greedy_choice(found: list[_Hit]) -> None:
    assert _longest_per_label(found) == plain_longest_per_label(found)


@settings(max_examples=300, deadline=None)
@given(st.lists(spans, max_size=20), spans)
def test_span_index_overlaps_like_a_scan(blockers: list[tuple[int, int]], span: tuple[int, int]) -> None:
    start, end = span
    assert _SpanIndex(blockers).overlaps(start, end) == any(s < end and start < e for s, e in blockers)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Consent first. Then children, and more children! Why? Because. " * 20),
        ("en", "one long sentence with no end at all, " * 300),  # the case token.sent made quadratic
        ("en", "A."),
        ("zh", "处理人脸信息应当取得个人的单独同意。不满十四周岁的，应当取得监护人的同意；否则不得处理。" * 10),
    ],
)
def test_sentences_are_what_token_sent_says(lang: str, text: str) -> None:
    doc = (english_nlp() if lang == "en" else chinese_nlp())(text)
    sents = _Sentences.of(doc)
    for token in doc:
        want = token.sent
        got = sents.at_token(token.i)
        assert (got.start, got.end) == (want.start, want.end)
        by_char = sents.at_char(token.idx)
        assert (by_char.start, by_char.end) == (want.start, want.end)


@pytest.mark.parametrize(("fmt", "paragraphs"), [("lines", 3000), ("markdown", 3000), ("lines", 1)])
def test_an_article_of_many_paragraphs_keeps_every_line(fmt: str, paragraphs: int) -> None:
    lines = [f"个人信息处理者应当采取必要措施，第{i}段。" for i in range(paragraphs)]
    head = ["示例保护法"] if fmt == "lines" else ["# 示例保护法", ""]
    body = [lines[0], "（一）取得个人的单独同意；", *lines[1:]]  # the first paragraph has an item
    sep = "\n" if fmt == "lines" else "\n\n"
    text = sep.join([*head, "第一条 总则。", *body, "第二条 本法自公布之日起施行。"]) + "\n"
    source = SourceText("demo.txt", text, "0" * 64, len(text), "utf-8")
    parsed = parse_statute(DocumentMeta(id="demo", kind="law"), [source])
    nodes = {p.eid: p for p in parsed.provisions}
    article = nodes["art_1"]
    assert article.text == "\n".join(["总则。", *body])
    assert article.source is not None and text[article.source.start : article.source.end].endswith(body[-1])
    assert nodes["art_1__para_2"].text == "\n".join(body[:2])  # the paragraph and its item
    assert sum(1 for p in parsed.provisions if p.level == "paragraph" and p.parent_eid == "art_1") == paragraphs + 1
    assert nodes["art_2"].text == "本法自公布之日起施行。"
