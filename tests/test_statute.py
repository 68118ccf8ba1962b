"""Statute segmentation: levels, eids, numbering, both formats, the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from expected import ARTICLE_COUNTS

from kb.errors import ParseError
from kb.ingest.sources import SourceText, read_source
from kb.ingest.statute import eid_for, parse_statute
from kb.ingest.statute_blocks import detect_format
from kb.model import DocumentMeta, ParsedStatute

FIXTURES = Path(__file__).parent / "fixtures" / "statutes"
META = DocumentMeta(id="demo", kind="law", title_zh="示例保护法")


def _source(text: str, path: str = "demo.txt") -> SourceText:
    return SourceText(path, text, "0" * 64, len(text), "utf-8")


def _fixture(name: str) -> SourceText:
    return read_source(FIXTURES, name)


def _by_eid(parsed: ParsedStatute) -> dict[str, object]:
    return {p.eid: p for p in parsed.provisions}


@pytest.mark.parametrize(
    ("level", "number", "parent", "eid"),
    [
        ("article", 13, None, "art_13"),
        ("paragraph", 1, "art_13", "art_13__para_1"),
        ("item", 4, "art_13__para_1", "art_13__para_1__item_4"),
        ("subitem", 2, "art_13__para_1__item_4", "art_13__para_1__item_4__subitem_2"),
        ("article", "17-1", None, "art_17-1"),
        ("book", 1, None, "book_1"),
        ("chapter", 2, None, "chp_2"),
        ("section", 1, "chp_2", "chp_2__sec_1"),
    ],
)
def test_eid_for(level: str, number: int | str, parent: str | None, eid: str) -> None:
    assert eid_for(level, number, parent) == eid


def test_line_format_every_level() -> None:
    parsed = parse_statute(META, [_fixture("lines.zh.txt")])
    nodes = _by_eid(parsed)
    expected = {
        "chp_1": ("chapter", "总则"),
        "chp_2": ("chapter", "分则"),
        "chp_2__sec_1": ("section", "一般规定"),
        "chp_2__sec_2": ("section", "特别规定"),
    }
    for eid, (level, heading) in expected.items():
        assert nodes[eid].level == level and nodes[eid].heading == heading  # type: ignore[attr-defined]
    assert [p.eid for p in parsed.provisions if p.level == "article"] == ["art_1", "art_2", "art_3", "art_3-1", "art_4"]
    # items and sub-items hang under the paragraph that introduces them
    assert nodes["art_2__para_1__item_2"].parent_eid == "art_2__para_1"  # type: ignore[attr-defined]
    assert nodes["art_2__para_1__item_2__subitem_2"].text == "2.乙类；"  # type: ignore[attr-defined]
    assert nodes["art_2__para_2"].text == "前款第二项规定的情形，适用本法第一条。"  # type: ignore[attr-defined]
    # every article has a first paragraph, so a pinpoint always exists
    assert all(f"{p.eid}__para_1" in nodes for p in parsed.provisions if p.level == "article")
    # articles sit in their container
    assert nodes["art_3"].parent_eid == "chp_2__sec_1"  # type: ignore[attr-defined]
    assert nodes["art_3-1"].label == "第三条之一"  # type: ignore[attr-defined]
    # whitespace between CJK characters is an artefact and goes; words stay
    assert nodes["art_3"].text == "符合条件的，可以处理。"  # type: ignore[attr-defined]
    assert parsed.header_notes == ("（2030年1月1日示例会议通过）",)


def test_offsets_point_into_the_source() -> None:
    src = _fixture("lines.zh.txt")
    parsed = parse_statute(META, [src])
    for p in parsed.provisions:
        assert p.source is not None
        raw = src.text[p.source.start : p.source.end]
        if p.level in ("paragraph", "item", "subitem"):
            first_line = p.text.split("\n")[0]
            assert first_line.replace(" ", "") in raw.replace(" ", "").replace("\u3000", "")


def test_markdown_multi_file_toc_and_books() -> None:
    sources = [_fixture("code/1.md"), _fixture("code/2.md")]
    assert detect_format(sources[0].text) == "markdown"
    parsed = parse_statute(DocumentMeta(id="code", kind="law", title_zh="示例法典"), sources)
    nodes = _by_eid(parsed)
    assert [p.eid for p in parsed.provisions if p.level == "book"] == ["book_1", "book_2"]
    # the table of contents headings before the body do not survive as empty containers
    chapters = [p.eid for p in parsed.provisions if p.level == "chapter"]
    assert chapters == ["book_1__chp_1", "book_1__chp_2", "book_2__subbook_1__chp_1"]
    assert nodes["art_4"].parent_eid == "book_2__subbook_1__chp_1"  # type: ignore[attr-defined]
    assert nodes["art_3__para_2"].text == "跨行的第二款。"  # type: ignore[attr-defined]
    assert nodes["art_4__para_1__item_2"].text == "（二）项二。"  # type: ignore[attr-defined]
    assert nodes["art_4"].source.path == sources[1].path  # type: ignore[attr-defined]
    assert parsed.header_notes == ("2030年1月1日示例会议通过",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("示例法\n第一条 一。\n第三条 三。\n", "gap: expected 第2条, found 第3条"),
        ("示例法\n第一条 一。\n第二条 二。\n第二条 又二。\n", "appears twice"),
        ("示例法\n没有条文的文字。\n", "no articles"),
    ],
)
def test_bad_numbering_is_an_error_naming_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        parse_statute(META, [_source(text, "bad.txt")])
    assert "bad.txt" in str(info.value)


def test_lenient_mode_reports_gaps_as_warnings() -> None:
    parsed = parse_statute(META, [_source("示例法\n第一条 一。\n第三条 三。\n")], strict=False)
    assert any("gap" in w for w in parsed.warnings)


def test_cross_reference_at_line_start_is_not_an_article() -> None:
    parsed = parse_statute(META, [_source("示例法\n第一条 一。\n第二十条规定的情形除外。\n")])
    assert [p.eid for p in parsed.provisions if p.level == "article"] == ["art_1"]
    assert _by_eid(parsed)["art_1__para_2"].text == "第二十条规定的情形除外。"  # type: ignore[attr-defined]


EXPECTED_ARTICLES = ARTICLE_COUNTS


def _parse_real(doc: DocumentMeta, root: Path) -> ParsedStatute:
    return parse_statute(doc, [read_source(root, s.path, expected_sha256=s.sha256) for s in doc.sources])


@pytest.mark.parametrize(("doc_id", "count"), sorted(EXPECTED_ARTICLES.items()))
def test_real_article_counts(doc_id: str, count: int, manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    parsed = _parse_real(manifest[doc_id], source_root)
    articles = [p for p in parsed.provisions if p.level == "article"]
    assert len(articles) == count
    assert [a.number for a in articles] == list(range(1, count + 1))
    ids = [p.id for p in parsed.provisions]
    assert len(ids) == len(set(ids))
    assert not parsed.warnings


@pytest.mark.parametrize(
    ("doc_id", "eid", "startswith"),
    [
        ("pipl-2021", "art_13__para_1__item_4", "（四）为应对突发公共卫生事件"),
        ("pipl-2021", "art_13__para_2", "依照本法其他有关规定"),
        ("pipl-2021", "art_28__para_1", "敏感个人信息是一旦泄露"),
        ("civil-code-2020", "art_1034__para_2", "个人信息是以电子或者其他方式记录的"),
        ("civil-code-2020", "art_1260__para_1", "本法自2021年1月1日起施行"),
        ("spc-frt-2021", "preamble", "为正确审理使用人脸识别技术"),
        ("csl-2016", "art_41__para_1", "网络运营者收集、使用个人信息"),
        ("cac-mps-frt-2025", "art_13__para_2", "任何组织和个人不得在宾馆客房"),
        ("cac-mps-frt-2025", "art_19__para_1__item_2", "（二）人脸信息，是指"),
        ("children-pi-2019", "art_10__para_1__item_4", "（四）拒绝的后果"),
        ("children-pi-2019", "art_10__para_2", "前款规定的告知事项"),
    ],
)
def test_real_pinpoints(
    doc_id: str, eid: str, startswith: str, manifest: dict[str, DocumentMeta], source_root: Path
) -> None:
    nodes = {p.eid: p for p in _parse_real(manifest[doc_id], source_root).provisions}
    assert nodes[eid].text.startswith(startswith)


def test_civil_code_books_in_order(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    parsed = _parse_real(manifest["civil-code-2020"], source_root)
    books = [(p.eid, p.heading) for p in parsed.provisions if p.level == "book"]
    assert [h for _, h in books] == [
        "总则",
        "物权编",
        "合同编",
        "人格权编",
        "婚姻家庭编",
        "继承编",
        "侵权责任编",
        "附则",
    ]
    nodes = {p.eid: p for p in parsed.provisions}
    assert nodes["art_1034"].parent_eid.startswith("book_4__")  # type: ignore[union-attr]


def test_header_notes_are_metadata_not_articles(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    parsed = _parse_real(manifest["spc-frt-2021"], source_root)
    assert "法释〔2021〕15号" in parsed.header_notes
    assert all("法释" not in p.text for p in parsed.provisions if p.level == "article")
