"""Commentary captures -> clean passages (kb.ingest.commentary, kb.ingest.furniture).

The five real captures are read from the source root (never copied here); the
hand-written fixtures under tests/fixtures/commentary/ cover what they do not.
"""

from __future__ import annotations

import doctest
import time
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

import kb.ingest.commentary as commentary
import kb.ingest.commentary_blocks as commentary_blocks
import kb.ingest.commentary_page as commentary_page
import kb.ingest.furniture as furniture
import kb.ingest.headers as headers
import kb.ingest.html as html
import kb.ingest.html_meta as html_meta
import kb.ingest.outlets as outlets
import kb.ingest.platforms as platforms
import kb.ingest.sentences as sentences
from kb.errors import ConfigError, EmptySource
from kb.ingest.commentary import layout_blocks, parse_commentary
from kb.ingest.commentary_blocks import normalise, segment_blocks
from kb.ingest.datelines import parse_date_line
from kb.ingest.furniture import all_examples, load_rules, parse_byline, rules_from_mapping
from kb.ingest.manifest import load_manifest
from kb.ingest.sentences import split_sentences
from kb.ingest.sources import read_source
from kb.model import DocumentMeta, ParsedCommentary, Passage
from kb.settings import PROJECT_ROOT, get_settings

FIXTURES = Path(__file__).parent / "fixtures" / "commentary"
REAL = (
    "chinai-163",
    "csis-coming-into-focus-2020",
    "diplomat-backlash-2020",
    "cpo-draft-rules-2023",
    "wsj-draft-rules-2023",
)


def _rel(doc_id: str) -> str:
    return f"corpus/commentary/{doc_id}.txt"


@cache
def _raw(doc_id: str) -> str:
    root = get_settings().source_root
    if not (root / _rel(doc_id)).is_file():
        pytest.skip(f"source root {root} lacks {_rel(doc_id)}")
    return read_source(root, _rel(doc_id)).text


@cache
def _manifest_meta(doc_id: str) -> DocumentMeta:
    return next(m for m in load_manifest() if m.id == doc_id)


@cache
def _parsed(doc_id: str, with_manifest: bool = False) -> ParsedCommentary:
    """Parsed with a bare meta (no title hint), unless asked for the manifest entry."""
    meta = _manifest_meta(doc_id) if with_manifest else DocumentMeta(id=doc_id, kind="commentary")
    return parse_commentary(meta, _raw(doc_id), _rel(doc_id))


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _parse_fixture(name: str) -> ParsedCommentary:
    return parse_commentary(DocumentMeta(id=name.removesuffix(".txt"), kind="commentary"), _fixture(name), name)


def _occurrences(passages: tuple[Passage, ...], needle: str) -> list[Passage]:
    return [p for p in passages if needle in p.text]


# ------------------------------------------------------------ real captures
# Strings of page furniture that must not appear in any passage.
FURNITURE = [
    ("chinai-163", "ChinAI #163: Prospects for a Chinese Facial Recognition Law?"),  # the title
    ("chinai-163", "searchable archive of all past issues"),
    ("chinai-163", "Please please subscribe here"),
    ("chinai-163", "Thank you for reading and engaging"),
    ("chinai-163", "These are Jeff Ding's (sometimes) weekly translations"),
    ("chinai-163", "Jeff is a postdoctoral fellow"),
    ("chinai-163", "Check out the archive of all past issues"),
    ("chinai-163", "Any suggestions or feedback?"),
    ("chinai-163", "@jjding99"),
    ("csis-coming-into-focus-2020", "Skip to main content"),
    ("csis-coming-into-focus-2020", "Center for Strategic & International Studies"),
    ("csis-coming-into-focus-2020", "User menu"),
    ("csis-coming-into-focus-2020", "Climate Change"),
    ("csis-coming-into-focus-2020", "Weapons of Mass Destruction Proliferation"),
    ("csis-coming-into-focus-2020", "Sections menu"),
    ("csis-coming-into-focus-2020", "Securing Our Future"),
    ("csis-coming-into-focus-2020", "Photo: NICOLAS ASFOURI"),
    ("csis-coming-into-focus-2020", "Blog Post - Trustee China Hand"),
    ("csis-coming-into-focus-2020", "Printfriendly.com"),
    ("csis-coming-into-focus-2020", "Coming into Focus: China’s Facial Recognition Regulations"),
    ("csis-coming-into-focus-2020", "May 4, 2020"),
    ("csis-coming-into-focus-2020", "> Trustee China Hand"),
    ("csis-coming-into-focus-2020", "By Seungha Lee"),
    ("csis-coming-into-focus-2020", "can identify faces with masks."),
    ("csis-coming-into-focus-2020", "Source: Hanvon"),
    ("csis-coming-into-focus-2020", "Visitors being filmed by a security camera"),
    ("csis-coming-into-focus-2020", "Source: Photo by"),
    ("csis-coming-into-focus-2020", "Seungha Lee is a research intern"),
    ("csis-coming-into-focus-2020", "Media Queries"),
    ("csis-coming-into-focus-2020", "Contact H. Andrew Schwartz"),
    ("csis-coming-into-focus-2020", "Tel: 202"),
    ("csis-coming-into-focus-2020", "More from this blog"),
    ("csis-coming-into-focus-2020", "Passing But Incomplete"),
    ("csis-coming-into-focus-2020", "In Trustee China Hand"),
    ("csis-coming-into-focus-2020", "Related Content"),
    ("csis-coming-into-focus-2020", "Questions about Facial Recognition"),
    ("csis-coming-into-focus-2020", "Footer menu"),
    ("csis-coming-into-focus-2020", "1616 Rhode Island Avenue"),
    ("csis-coming-into-focus-2020", "Sign up to receive The Evening"),
    ("csis-coming-into-focus-2020", "Subscribe to CSIS Newsletters"),
    ("csis-coming-into-focus-2020", "Follow CSIS"),
    ("csis-coming-into-focus-2020", "All rights reserved"),
    ("csis-coming-into-focus-2020", "Reprint Permissions"),
    ("diplomat-backlash-2020", "China Power"),
    ("diplomat-backlash-2020", "Recent Features"),
    ("diplomat-backlash-2020", "Society | East Asia"),
    ("diplomat-backlash-2020", "China’s Ubiquitous Facial Recognition Tech Sparks Privacy Backlash"),
    ("diplomat-backlash-2020", "A Chinese flag flies near a Hikvision security camera"),
    ("diplomat-backlash-2020", "Credit: AP Photo"),
    ("diplomat-backlash-2020", "Lauren Dudley is a Research Associate"),
    ("cpo-draft-rules-2023", "China flag in a crowded street"),
    ("cpo-draft-rules-2023", "Would Force User Consent for Facial Recognition Technology, With Expected"),
]

# Sentences of the article (or its newsletter items) that must be in exactly one passage.
BODY = [
    ("chinai-163", "Weijun Liu is a Professor at the People’s Public Security University of China (PPSUC).", "body"),
    ("chinai-163", "Should it be stored separately through physical isolation?", "body"),
    ("chinai-163", "Liu’s rationale: the legislative environment and public discourse", "body"),
    ("chinai-163", "Delete collected or generated face data immediately after the face recognition", "body"),
    ("chinai-163", "There are boundaries between these two domains but they are still interconnected.", "body"),
    ("chinai-163", "Key Takeaways:", "body"),
    ("chinai-163", "Should-listen: Casey Johnston on Longform Podcast", "newsletter-items"),
    ("chinai-163", "beloved-local-restaurant level of success", "newsletter-items"),
    ("chinai-163", "Tom Nunlist, an analyst at Trivium", "newsletter-items"),
    ("chinai-163", "58 investment deals in China’s semiconductor industry", "newsletter-items"),
    ("chinai-163", "Tristan Brown, Alexander Statman, and Celine Sui published", "newsletter-items"),
    ("csis-coming-into-focus-2020", "This past February, China introduced new facial recognition technology", "body"),
    ("csis-coming-into-focus-2020", "Two major initiatives are led by Megvii and SenseTime respectively.", "body"),
    ("csis-coming-into-focus-2020", "人工智能应用准则", "body"),
    ("csis-coming-into-focus-2020", "Self-regulation Efforts", "body"),
    ("csis-coming-into-focus-2020", "In all, China has made tentative progress", "body"),
    ("diplomat-backlash-2020", "Privacy concerns remain largely unaddressed in proposed Chinese", "body"),
    ("diplomat-backlash-2020", "A widely-watched CCTV report last year exposed the Chinese black market", "body"),
    ("diplomat-backlash-2020", "A Double-Edged Sword", "body"),
    ("diplomat-backlash-2020", "National security and social stability will continue to trump", "body"),
    ("cpo-draft-rules-2023", "Parental consent must also be collected from those under the age of 14.", "body"),
    ("cpo-draft-rules-2023", "China restricts facial recognition technology while fielding criticism", "body"),
    ("cpo-draft-rules-2023", "about as far as an NFL football field", "body"),
    ("wsj-draft-rules-2023", "The draft from the web regulator, the Cybersecurity Administration of China", "body"),
    ("wsj-draft-rules-2023", "“That’s the sweet and sour approach of Chinese governance.”", "body"),
    ("wsj-draft-rules-2023", "The court ordered the zoo to pay damages to Guo and delete his data", "body"),
    ("wsj-draft-rules-2023", "Sacks mentioned.", "body"),
]

# Exact sentences the splitter must find in the real texts.
REAL_SENTENCES = [
    ("chinai-163", "Should it be encrypted?"),
    (
        "chinai-163",
        "“Obviously, the current, overly crude legislation can hardly answer these questions clearly,” states Liu.",
    ),
    ("chinai-163", "No need to come every week, but do come back and try the new dishes every now and then."),
    (  # after "the U.S."
        "wsj-draft-rules-2023",
        "It additionally leaves exceptions for national-security-related makes use of of the expertise, "
        "a typical characteristic amongst China’s information and safety laws.",
    ),
    ("diplomat-backlash-2020", "Of course the usual limits to the protections apply."),
]

# What each capture says of itself (None: the text does not state it).
EXTRACTED = [
    ("chinai-163", "title", "ChinAI #163: Prospects for a Chinese Facial Recognition Law?"),
    ("chinai-163", "authors", "Jeff Ding"),
    ("chinai-163", "date", None),
    ("csis-coming-into-focus-2020", "title", "Coming into Focus: China’s Facial Recognition Regulations"),
    ("csis-coming-into-focus-2020", "authors", "Seungha Lee"),
    ("csis-coming-into-focus-2020", "date", "2020-05-04"),
    ("csis-coming-into-focus-2020", "outlet", "Center for Strategic & International Studies"),
    ("diplomat-backlash-2020", "title", "China’s Ubiquitous Facial Recognition Tech Sparks Privacy Backlash"),
    ("diplomat-backlash-2020", "authors", "Lauren Dudley"),
    ("diplomat-backlash-2020", "affiliation", "Council on Foreign Relations"),
    ("diplomat-backlash-2020", "date", None),
    (
        "cpo-draft-rules-2023",
        "title",
        "China’s Draft Rules Would Force User Consent for Facial Recognition Technology, "
        "With Expected Government Exceptions",
    ),
    ("cpo-draft-rules-2023", "authors", None),
    ("wsj-draft-rules-2023", "title", None),
    ("wsj-draft-rules-2023", "authors", None),
]


@pytest.mark.parametrize(("doc_id", "furniture_text"), FURNITURE)
def test_no_furniture_passage(doc_id: str, furniture_text: str) -> None:
    for with_manifest in (False, True):
        found = _occurrences(_parsed(doc_id, with_manifest).passages, furniture_text)
        assert not found, f"furniture in {[p.id for p in found]}"


@pytest.mark.parametrize(("doc_id", "sentence", "part"), BODY)
def test_body_sentence_once(doc_id: str, sentence: str, part: str) -> None:
    found = _occurrences(_parsed(doc_id).passages, sentence)
    assert len(found) == 1, f"{sentence!r} in {[p.id for p in found]}"
    assert found[0].part == part


@pytest.mark.parametrize(("doc_id", "sentence"), REAL_SENTENCES)
def test_real_sentence_split(doc_id: str, sentence: str) -> None:
    spans = [p.text[s:e] for p in _parsed(doc_id).passages for s, e in p.sentences]
    assert sentence in spans


@pytest.mark.parametrize(("doc_id", "key", "expected"), EXTRACTED)
def test_extracted_metadata(doc_id: str, key: str, expected: str | None) -> None:
    assert _parsed(doc_id).extracted.get(key) == expected


def test_bare_article_keeps_every_line() -> None:
    """The WSJ capture is article text only, one paragraph a line: nothing is dropped."""
    layout = layout_blocks(_raw("wsj-draft-rules-2023"))
    assert all(d.keep and d.kind == "paragraph" for d in layout.decisions)


@pytest.mark.parametrize(
    ("text", "kept"),
    [  # single menu words: widgets always go, section-like words may head a section
        ("Share", False),
        ("Print", False),
        ("Analysis", True),
        ("Background", True),
        # a row of share or page-tool widgets goes too; prose made of such words stays
        ("分享到：微信 微博 QQ空间", False),
        ("分享到：", False),
        ("复制链接", False),
        ("Share | Tweet | Copy link", False),
        ("Share the news with your friends", True),
    ],
)
def test_single_word_lines_in_the_body(text: str, kept: bool) -> None:
    page = f"First paragraph of the article, long enough to be prose.\n\n{text}\n\nThe next paragraph follows here.\n"
    parsed = parse_commentary(DocumentMeta(id="w", kind="commentary"), page, "w.txt")
    assert (text in [p.text for p in parsed.passages]) == kept


def test_a_chat_exports_header_is_no_text() -> None:
    page = (
        "微信聊天记录导出\n群聊：某小区业主群（88人）\n导出范围：2026/01/02 08:00 — 2026/01/02 09:00\n"
        "（以下内容由群友整理转发，已隐去头像）\n\n[08:01] 物业-王芳：周一起南门只能刷脸。\n"
        "[08:03] 赵叔：那我不录脸怎么进？\n\n—— 以上为聊天记录节选 ——\n"
    )
    parsed = parse_commentary(DocumentMeta(id="c", kind="commentary"), page, "c.txt")
    texts = [p.text for p in parsed.passages]
    assert texts[0] == "[08:01] 物业-王芳：周一起南门只能刷脸。"
    assert not any("群聊" in t or "导出" in t or "以下" in t or "以上" in t for t in texts)


def test_title_repeated_with_site_name_is_dropped() -> None:
    page = (
        "Faces and the Law in China\n\nBy Jane Doe\n\nFaces and the Law in China – Example Review\n\n"
        "The article starts here and says something.\n"
    )
    parsed = parse_commentary(DocumentMeta(id="t", kind="commentary"), page, "t.txt")
    assert [p.text for p in parsed.passages] == ["The article starts here and says something."]


def test_chinai_newsletter_items_follow_the_article() -> None:
    passages = _parsed("chinai-163").passages
    parts = [p.part for p in passages]
    first_item = parts.index("newsletter-items")
    assert set(parts[first_item:]) == {"newsletter-items"}
    assert passages[first_item].kind == "heading" and "Links" in passages[first_item].text
    # Weijun Liu's translated argument (the bullets and numbered points) is body.
    liu = [p for p in passages if "Liu" in p.text and p.kind == "list_item"]
    assert len(liu) >= 3 and all(p.part == "body" for p in liu)
    # The round-up covers the podcast, data localization, chips and the MIT case study.
    items = " ".join(p.text for p in passages if p.part == "newsletter-items")
    for topic in ("Podcast", "data localization", "semiconductor", "MIT Case Studies"):
        assert topic in items


def test_kinds_on_real_text() -> None:
    chinai = _parsed("chinai-163").passages
    by_text = {p.text: p for p in chinai}
    assert by_text["Key Takeaways:"].kind == "heading"
    assert sum(p.kind == "list_item" for p in chinai) == 13  # 1 + 2 + 4 bullets/points + 6 "things"
    quote = next(p for p in chinai if p.text.startswith("I feel more comfortable lately"))
    assert quote.kind == "quote" and quote.section == "Should-listen: Casey Johnston on Longform Podcast"
    csis = _parsed("csis-coming-into-focus-2020").passages
    megvii = next(p for p in csis if p.text.startswith("Megvii"))
    assert megvii.section == "Self-regulation Efforts"
    assert csis[0].section is None


@pytest.mark.parametrize("doc_id", REAL)
def test_ids_stable_and_dense(doc_id: str) -> None:
    first = parse_commentary(DocumentMeta(id=doc_id, kind="commentary"), _raw(doc_id), _rel(doc_id))
    second = parse_commentary(DocumentMeta(id=doc_id, kind="commentary"), _raw(doc_id), _rel(doc_id))
    assert first.passages == second.passages
    assert [p.n for p in first.passages] == list(range(1, len(first.passages) + 1))
    assert [p.id for p in first.passages] == [f"{doc_id}/p_{n}" for n in range(1, len(first.passages) + 1)]


@pytest.mark.parametrize("doc_id", REAL)
def test_manifest_title_hint_changes_nothing(doc_id: str) -> None:
    assert _parsed(doc_id).passages == _parsed(doc_id, True).passages


@pytest.mark.parametrize("doc_id", REAL)
def test_source_offsets_point_at_raw_passage(doc_id: str) -> None:
    raw = _raw(doc_id)
    for p in _parsed(doc_id).passages:
        assert p.source is not None and p.source.path == _rel(doc_id)
        assert normalise(raw[p.source.start : p.source.end]) == p.text


@pytest.mark.parametrize("doc_id", REAL)
def test_sentences_tile_the_passage(doc_id: str) -> None:
    for p in _parsed(doc_id).passages:
        assert p.sentences, p.id
        assert p.sentences[0][0] == 0 and p.sentences[-1][1] == len(p.text)
        for (_, end), (start, _) in zip(p.sentences, p.sentences[1:], strict=False):
            assert end < start and p.text[end:start].isspace()


@pytest.mark.parametrize(
    ("doc_id", "expected"),
    [  # passages per file: a change here is a change in what the cleaner keeps
        ("chinai-163", 37),
        ("csis-coming-into-focus-2020", 11),
        ("diplomat-backlash-2020", 14),
        ("cpo-draft-rules-2023", 12),
        ("wsj-draft-rules-2023", 19),
    ],
)
def test_passage_counts(doc_id: str, expected: int) -> None:
    assert len(_parsed(doc_id).passages) == expected


# ---------------------------------------------------------------- fixtures
def test_nbsp_and_odd_spaces_become_plain_spaces_curly_quotes_stay() -> None:
    parsed = _parse_fixture("nbsp_curly.txt")
    texts = [p.text for p in parsed.passages]
    assert texts == [
        "The draft says that “separate consent” is needed. Critics call it ‘thin’.",
        "Operators must keep a log of every scan. The log is kept for three years.",
    ]
    assert dict(parsed.extracted) == {
        "title": "Faces in the Crowd: China’s “Consent” Problem",
        "authors": "Jane Doe; Wang Li",
        "date": "2023-08-09",
    }
    assert [len(p.sentences) for p in parsed.passages] == [2, 2]


def test_zero_width_characters_are_stripped() -> None:
    raw = _fixture("zero_width.txt")
    parsed = _parse_fixture("zero_width.txt")
    assert [p.text for p in parsed.passages] == [
        "Facial recognition rules apply to hotels. Guests may refuse.",
        "A second paragraph ends here.",
    ]
    assert parsed.extracted["title"] == "Facial Recognition in Hotels"
    for p in parsed.passages:
        assert p.source is not None
        assert normalise(raw[p.source.start : p.source.end]) == p.text


def test_numbered_and_bulleted_list_items() -> None:
    passages = _parse_fixture("lists.txt").passages
    assert [(p.kind, p.text) for p in passages] == [
        ("paragraph", "The draft sets out three duties for operators of facial recognition systems:"),
        ("list_item", "Obtain separate consent before collecting faces."),
        ("list_item", "Offer an alternative way to verify identity."),
        ("list_item", "Delete face images once verification is done."),
        ("paragraph", "Banned places include:"),
        ("list_item", "hotel rooms;"),
        ("list_item", "public bathrooms;"),
        ("list_item", "changing rooms."),
    ]


def test_generic_news_page() -> None:
    parsed = _parse_fixture("generic_news.txt")
    assert [(p.kind, p.text[:30]) for p in parsed.passages] == [
        ("paragraph", "Riders can opt out, officials "),
        ("paragraph", "Shanghai’s metro operator bega"),
        ("paragraph", "The trial covers five stations"),
        ("heading", "What Riders Say"),
        ("paragraph", "“I don’t want my face stored,”"),
    ]
    assert dict(parsed.extracted) == {
        "title": "Shanghai Tests Face Scans on the Metro",
        "subtitle": "Riders can opt out, officials said",
        "authors": "Zhang Wei",
        "date": "2021-03-03",
    }
    assert parsed.passages[-1].section == "What Riders Say"


def test_wrapped_lines_crlf_and_block_quote() -> None:
    raw = _fixture("wrapped.txt")
    parsed = _parse_fixture("wrapped.txt")
    assert [(p.kind, p.text) for p in parsed.passages] == [
        (
            "paragraph",
            "The zoo case was the first lawsuit over facial recognition in China, and it was decided in 2020. "
            "The court ordered the zoo to delete the plaintiff's face data.",
        ),
        ("quote", "Consent must be free and informed, the court said."),
    ]
    assert all(p.source and normalise(raw[p.source.start : p.source.end]) == p.text for p in parsed.passages)


def test_very_long_line() -> None:
    sentence = "Sentence {} cites Art. 13 of the PIPL and the U.S. approach, said Dr. Li. "
    body = "".join(sentence.format(i) for i in range(1400))
    assert len(body) > 100_000
    text = "A Title Of A Long Page\n\nBy Jane Doe\n\n" + body + "\n\nShare\n"
    started = time.perf_counter()
    parsed = parse_commentary(DocumentMeta(id="long", kind="commentary"), text, "long.txt")
    assert time.perf_counter() - started < 10
    (passage,) = parsed.passages
    assert passage.text == body.strip()
    assert len(passage.sentences) == 1400


def test_capture_without_body_raises_empty_source() -> None:
    with pytest.raises(EmptySource) as info:
        _parse_fixture("no_body.txt")
    assert info.value.path == "no_body.txt"


@pytest.mark.parametrize("text", ["", "\n\n\u00a0\n", "Share\n  • Facebook\n  • Twitter\n"])
def test_empty_or_furniture_only_raises(text: str) -> None:
    with pytest.raises(EmptySource):
        parse_commentary(DocumentMeta(id="e", kind="commentary"), text, "e.txt")


# ----------------------------------------------------------------- units
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\u00a0b", "a b"),  # NBSP
        ("a\u2009\u202f\u3000b", "a b"),  # thin, narrow no-break, ideographic space
        ("fa\u200bce\u200c \u200drec\u2060og\ufeff", "face recog"),  # zero-width and BOM
        ("soft\u00adhyphen", "softhyphen"),
        ("“curly” ‘quotes’ — dash", "“curly” ‘quotes’ — dash"),  # NFC, not NFKC
        ("e\u0301", "é"),  # composed
        ("ﬁ ＡＢ", "ﬁ ＡＢ"),  # compatibility characters stay
        ("  line\n\tbreaks \r\n here ", "line breaks here"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


SENTENCE_CASES = [
    ("Dr. Smith met Mr. Li. They talked.", ["Dr. Smith met Mr. Li.", "They talked."]),
    ("Rules in the U.S. It is different.", ["Rules in the U.S.", "It is different."]),
    ("The U.S. Congress acted.", ["The U.S. Congress acted."]),
    (
        "Under Art. 13 of the PIPL, consent is needed. No. 4 applies.",
        ["Under Art. 13 of the PIPL, consent is needed.", "No. 4 applies."],
    ),
    ("He said “stop.” Then he left.", ["He said “stop.”", "Then he left."]),
    ("“Is it legal?” she asked. Yes.", ["“Is it legal?” she asked.", "Yes."]),
    ("Oct. 8, 2019 was a Tuesday. Next.", ["Oct. 8, 2019 was a Tuesday.", "Next."]),
    ("Prices rose 2.5 percent. Then fell.", ["Prices rose 2.5 percent.", "Then fell."]),
    ("Readers matter.1 No need to come.", ["Readers matter.1", "No need to come."]),
    ("Apple Inc. The company grew. Apple Inc. reported.", ["Apple Inc.", "The company grew.", "Apple Inc. reported."]),
    ("J. K. Rowling wrote it.", ["J. K. Rowling wrote it."]),
    ("See e.g. the PIPL. Done.", ["See e.g. the PIPL.", "Done."]),
    ("Wait… what? Yes!", ["Wait… what?", "Yes!"]),
    ("人脸识别很重要。我们同意！你呢？", ["人脸识别很重要。", "我们同意！", "你呢？"]),
    ("他说：“可以。”然后走了。", ["他说：“可以。”", "然后走了。"]),
    ("No final stop", ["No final stop"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), SENTENCE_CASES)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("May 4, 2020", "2020-05-04"),
        ("4 May 2020", "2020-05-04"),
        ("Published Aug. 8, 2023 at 10:30 am ET", "2023-08-08"),
        ("Updated 10:32 AM EDT, Tue August 8, 2023", "2023-08-08"),
        ("2023-08-08", "2023-08-08"),
        ("2023年8月8日", "2023-08-08"),
        ("August 2023", "2023-08"),
        ("Posted 04.11.2026 10:32", "2026-11-04"),  # dotted, year last: the day first
        ("04/11/2026", None),  # slashes: month or day first, unknown
        ("· Updated March 5, 2026", "2026-03-05"),
        ("Last updated: June 30, 2026 · Effective August 1, 2026", "2026-06-30"),
        ("2026-10-12 第07版 星期一", "2026-10-12"),
        ("2026年5月18日 09:12 上海", "2026-05-18"),
        ("The draft was published on August 8, 2023.", None),
        ("May 45, 2020", None),
    ],
)
def test_parse_date_line(line: str, expected: str | None) -> None:
    assert parse_date_line(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Seungha Lee", ("Seungha Lee",)),
        ("By Daniel F. Runde, Sundar R. Ramanujam", ("Daniel F. Runde", "Sundar R. Ramanujam")),
        ("Written by Jane Doe | May 4, 2020", ("Jane Doe",)),
        ("作者：张三、李四", ("张三", "李四")),
        ("Posted 04.11.2026 10:32 | Recap written by Jane Roe", ("Jane Roe",)),
        ("原创 张三 李四 某某律师事务所", ("张三", "李四")),
        ("文 / 王五 | 某某数码 | 2026.03.04 10:32", ("王五",)),
        ("By Jane Roe, Senior Reviewer", ("Jane Roe",)),
        ("By Jane Roe, Contributing Tech Writer, and John Doe", ("Jane Roe", "John Doe")),
        ("撰文：张三　编辑：李四", ("张三",)),
        ("2026.03.02 · 41 min · Hosted by Jane Roe", ("Jane Roe",)),
        ("文｜张三　2026-04-22　周末手记", ("张三",)),
        ("Authors: Jane Roe, Partner, Shanghai | John Doe, Associate, Beijing", ("Jane Roe", "John Doe")),
        ("楼主 晚饭吃什么 发表于 2026-7-3 21:15", ("晚饭吃什么",)),
        ("Thread started by sunny_day42 · 3 replies · 210 views", ("sunny_day42",)),
        ("Posted by u/late_night_noodles · 2 mo. ago", ("late_night_noodles",)),
        ("Interview by Jane Roe", ("Jane Roe",)),
        ("Reporting by Jane Roe and John Doe; Editing by Mary Major", ("Jane Roe", "John Doe")),
        ("@某某在路上 · 2026-04-12 发布于陕西", ("某某在路上",)),
        (
            "Answers prepared by Jane Roe and John Doe (law students); reviewed by Mary Major, lawyer",
            ("Jane Roe", "John Doe"),
        ),
        ("By Jane Roe (Example News)", ("Jane Roe",)),
        ("By contrast, the SPC rules are binding.", None),
        ("By 2020 the number of cameras had grown.", None),
    ],
)
def test_parse_byline(line: str, expected: tuple[str, ...] | None) -> None:
    assert parse_byline(line, load_rules()) == expected


def test_segment_blocks_markers_and_offsets() -> None:
    text = "Intro line\n  • first item\n  12) second item\n> quoted\n\ncontinued? no\n"
    blocks = segment_blocks(text)
    assert [(b.text, b.marker, b.quote_marked) for b in blocks] == [
        ("Intro line", None, False),
        ("first item", "•", False),
        ("second item", "12)", False),
        ("quoted", None, True),
        ("continued? no", None, False),
    ]
    assert all(normalise(text[b.start : b.end]) == b.text for b in blocks)


# ------------------------------------------------------------- rules file
@pytest.mark.parametrize(
    ("rule", "example", "should_match"),
    [pytest.param(r, e, m, id=f"{r.name}:{e[:30]}") for r, e, m in all_examples(load_rules())],
)
def test_rules_file_examples(rule: furniture.CueRule, example: str, should_match: bool) -> None:
    assert (rule.match(example) is not None) == should_match


def test_every_rule_has_examples() -> None:
    rules = load_rules()
    for rule in (*rules.sentence_cues, *rules.lines.values(), rules.bio):
        assert rule.examples, rule.name


_LINES = {name: {"patterns": ["x"]} for name in furniture.LINE_RULES}
_BIO = {"patterns": ["x"]}


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ({"line": {}, "bio": _BIO}, "line"),  # the [line.*] rules the code needs are missing
        ({"line": _LINES | {"credit": {"patterns": ["("]}}, "bio": _BIO}, "line.credit.patterns"),
        ({"line": _LINES, "bio": {"patterns": []}}, "bio.patterns"),  # no patterns
        ({"line": _LINES, "bio": _BIO | {"max_units": "many"}}, "bio.max_units"),
        ({"line": _LINES, "bio": _BIO, "vocab": {"nav_items": ["Home", 7]}}, "vocab.nav_items.1"),
        (
            {"line": _LINES, "bio": _BIO, "sentence_cue": {"x": {"patterns": ["x"], "paterns": ["y"]}}},
            "sentence_cue.x.paterns",
        ),
    ],
)
def test_bad_rules_file_names_the_entry_and_field(raw: dict[str, object], where: str) -> None:
    with pytest.raises(ConfigError) as err:
        rules_from_mapping(raw, origin="rules.toml")
    assert str(err.value).startswith(f"rules.toml: {where}: ")


def test_a_malformed_rules_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "commentary_rules.toml"
    text = (PROJECT_ROOT / "corpus" / furniture.RULES_NAME).read_text(encoding="utf-8")
    path.write_text(text.replace("max_units = 15", 'max_units = "fifteen"', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    assert str(err.value).startswith(f"{path}: line.credit.max_units: ")


@pytest.mark.parametrize(
    "module", [commentary, commentary_page, furniture, headers, html, html_meta, outlets, platforms, sentences]
)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_public_surface() -> None:
    assert set(commentary_blocks.__all__) == {"ENDS_SENTENCE", "Block", "normalise", "segment_blocks"}
    assert set(commentary.__all__) == {
        "BlockDecision",
        "Layout",
        "PassageKind",
        "finish_decisions",
        "layout_blocks",
        "parse_commentary",
        "passages_from_layout",
        "trim_lead_and_end",
    }
    assert set(commentary_page.__all__) == {
        "AFFILIATION",
        "BARE_NAME",
        "COLUMN_TAG",
        "RULE_LINE",
        "TITLE_TAG",
        "Page",
        "answer_headers",
        "author_box",
        "box_authors",
        "cjk_site_owner",
        "block_furniture",
        "fold",
        "full_name",
        "fully_quoted",
        "masthead_like",
        "name_above_votes",
        "named_publisher",
        "repeats_title",
        "names_by_outlet",
        "trim_news_marks",
        "wire_service",
        "word_units",
    }
    assert all(hasattr(commentary, name) for name in commentary.__all__)
    assert all(hasattr(commentary_page, name) for name in commentary_page.__all__)
    assert all(hasattr(furniture, name) for name in furniture.__all__)


def test_a_forum_thread_gives_its_question_as_title_and_its_site_from_the_breadcrumb() -> None:
    page = (
        "Harbour Expat Forums › Work › Legal questions\n"
        "Can my landlord make me register my face for the door - is that legal?\n"
        "Thread started by blue_kite · 4 replies · 310 views\n\n"
        "blue_kite\nPosted 2 Feb 2026\n"
        "Our landlord installed a face lock and says every tenant must enrol by Friday, or lose access.\n\n"
        "Quote · Reply · Report\n"
    )
    parsed = parse_commentary(DocumentMeta(id="f", kind="commentary"), page, "f.txt")
    assert parsed.extracted.get("title") == "Can my landlord make me register my face for the door - is that legal?"
    assert parsed.extracted.get("outlet") == "Harbour Expat Forums"
    assert all("Quote · Reply" not in p.text and "›" not in p.text for p in parsed.passages)


def test_a_question_in_the_body_is_not_a_title() -> None:
    page = (
        "Face Locks in Rented Flats\n\nBy Jane Doe\n\n"
        "Landlords in three cities have fitted face locks to rented flats this year, tenants say.\n\n"
        "Can a landlord make a tenant enrol a face before handing over the keys?\n\n"
        "Not without separate consent, and not as the only way in, lawyers say.\n"
    )
    parsed = parse_commentary(DocumentMeta(id="q", kind="commentary"), page, "q.txt")
    assert parsed.extracted.get("title") == "Face Locks in Rented Flats"
    question = "Can a landlord make a tenant enrol a face before handing over the keys?"
    assert question in [p.text for p in parsed.passages]
