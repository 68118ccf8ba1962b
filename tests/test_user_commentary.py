"""Commentary a user adds with ``kb ingest --commentary DIR`` (kb.ingest.userdocs and friends).

Real fixtures: ``fixtures/open_commentary`` (nine articles of our own, en + zh, txt/md/html),
with expected metadata and furniture in ``corpus/eval/claims/fixture_docs.jsonl``. The
exact-match tests run on the ``dev`` files; the ``heldout`` files are measured by
``scripts/measure_commentary_ingest.py`` and checked here only for what must hold on any
input (no code, no handlers, offsets and hashes back to the file). Hostile inputs are made
here, in ``tmp_path``.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kb.annotate.speakers import SpeakerInfo, find_quotes
from kb.errors import ConfigError, EmptySource, EncodingError, KBError, ManifestError, ParseError, SourceError
from kb.ingest.commentary_blocks import normalise
from kb.ingest.frontmatter import split_front_matter
from kb.ingest.html import MAX_DEPTH, extract_page
from kb.ingest.manifest import load_manifest
from kb.ingest.markup import mask_markup
from kb.ingest.userdocs import MAX_COMMENTARY_BYTES, UserCommentary, discover, load_user_commentary, slug_id
from kb.pipeline import build
from kb.settings import PROJECT_ROOT, Settings, get_settings

FIXTURES = Path(__file__).parent / "fixtures" / "open_commentary"
CLAIMS = PROJECT_ROOT / "corpus" / "eval" / "claims"
EXPECTED = {d["id"]: d for d in map(json.loads, (CLAIMS / "fixture_docs.jsonl").read_text().splitlines()) if d}
DEV = sorted(k for k, v in EXPECTED.items() if v["split"] == "dev")
ALL = sorted(EXPECTED)
SENTENCES: dict[str, list[str]] = {}
for _line in (CLAIMS / "fixtures.jsonl").read_text(encoding="utf-8").splitlines():
    if _line.strip():
        _rec = json.loads(_line)
        SENTENCES.setdefault(_rec["doc"], []).append(_rec["sentence"])

BODY = "The draft bans face scans in hotel rooms. Dr. Li agrees with that, she said on Monday.\n"
ZH_BODY = "《办法》第八条规定，人脸信息应当存储于人脸识别设备内。某律师表示，这一条影响很大。\n"


@pytest.fixture(scope="module")
def fixtures() -> dict[str, UserCommentary]:
    return {d.meta.id: d for d in load_user_commentary([FIXTURES], load_manifest())}


def squash(text: str) -> str:
    return "".join(text.split())


# ------------------------------------------------------------------------ ids


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("frt-measures-explainer", "frt-measures-explainer"),
        ("FRT Measures — Explainer (2025)", "frt-measures-explainer-2025"),
        ("Café_Rules", "cafe-rules"),
        ("  --Already__Slugged--  ", "already-slugged"),
        ("人脸识别新规解读", "ren-lian-shi-bie-xin-gui-jie-du"),
        ("2025年人脸识别", "2025-nian-ren-lian-shi-bie"),  # digits but no ASCII letter: transliterated
        ("PIPL 第28条 解读", "pipl-28"),  # ASCII letters present: the ASCII runs are the id
        ("2025", "2025"),
    ],
)
def test_slug_ids(stem: str, expected: str) -> None:
    assert slug_id(stem) == expected
    assert slug_id(stem) == slug_id(stem)  # deterministic


def test_fixture_ids_are_the_expected_stems(fixtures: dict[str, UserCommentary]) -> None:
    assert sorted(fixtures) == ALL
    assert {d.file.rel for d in fixtures.values()} == {EXPECTED[k]["file"] for k in ALL}


def test_two_files_with_one_id_is_an_error_naming_both(tmp_path: Path) -> None:
    (tmp_path / "Face Rules.md").write_text(BODY)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "face_rules.txt").write_text(BODY)
    with pytest.raises(ManifestError, match=r"face_rules\.txt: document id 'face-rules' is taken by .*Face Rules\.md"):
        discover([tmp_path])


def test_a_file_with_a_manifest_id_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pipl-2021.md").write_text(BODY)
    with pytest.raises(ManifestError, match=r"pipl-2021\.md: document id 'pipl-2021' is taken by the manifest"):
        load_user_commentary([tmp_path], load_manifest())


def test_discovery_takes_the_three_formats_and_skips_the_rest(tmp_path: Path) -> None:
    for name in ("a.txt", "b.md", "c.html", "d.HTM", "e.pdf", "f.json", ".hidden.md"):
        (tmp_path / name).write_text(BODY)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "g.md").write_text(BODY)
    assert [(f.rel, f.fmt) for f in discover([tmp_path])] == [
        ("a.txt", "txt"),
        ("b.md", "md"),
        ("c.html", "html"),
        ("d.HTM", "html"),
    ]
    assert len(discover([tmp_path, tmp_path])) == 4  # a folder given twice counts once


def test_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        discover([tmp_path / "nope"])


# ---------------------------------------------------------------- front matter

GOOD_FRONT = """---
title: "Faces: a primer"
outlet: Example Review
authors: [Jane Doe, 王五]
date: 2025-03-24
url: https://example.org/faces
language: en-GB
discusses: [pipl-2021]
---
"""


def test_front_matter_fields() -> None:
    fm = split_front_matter(GOOD_FRONT + BODY, "a.md")
    f = fm.fields
    assert (f.title, f.outlet, f.authors, f.date, f.url, f.language, f.discusses) == (
        "Faces: a primer",
        "Example Review",
        ("Jane Doe", "王五"),
        "2025-03-24",
        "https://example.org/faces",
        "en",
        ("pipl-2021",),
    )
    assert (GOOD_FRONT + BODY)[fm.body_start :] == BODY


@pytest.mark.parametrize(
    ("front", "pattern"),
    [
        ("---\ntitle: [unclosed\n---\n", r"a\.md:\d+: front matter is not valid YAML"),
        ("---\ntitle: x\n", r"a\.md:1: front matter opened with '---' is not closed"),
        ("---\n- a list\n---\n", r"a\.md:1: front matter must be a mapping"),
        ("---\ndate: 2025-13\n---\n", r"a\.md:1: front matter field date: 2025-13 is not a date"),
        ("---\ndate: next Tuesday\n---\n", r"front matter field date: next Tuesday is not a date"),
        ("---\ndate: 04.11.2026\n---\n", r"front matter field date: 04.11.2026 is not a date"),
        ("---\ndate: 2025年2月30日\n---\n", r"front matter field date: 2025年2月30日 is not a date"),
        ("---\ndate: 2025.02.30\n---\n", r"front matter field date: 2025.02.30 is not a date"),
        ("---\ndate: 2025-02-30\n---\n", r"front matter has an impossible value: day is out of range"),
        ("---\ndate: '2025-02-30'\n---\n", r"2025-02-30 is not a date"),
        ("---\nauthors: {a: 1}\n---\n", r"front matter field authors: must be a list of names"),
        ("---\ndiscusses: [Not An Id]\n---\n", r"front matter field discusses: 'Not An Id' is not a document id"),
        ("---\nlanguage: 'english!'\n---\n", r"front matter field language"),
        ("---\nurl: javascript:alert(1)\n---\n", r"front matter field url: must be an http:// or https:// address"),
        ("---\na: &x [1, 2]\nb: *x\n---\n", r"a\.md:2: front matter uses YAML anchors or aliases"),
        ("---\ntitle: !!python/object:os.system x\n---\n", r"front matter is not valid YAML"),
    ],
)
def test_unreadable_front_matter_is_an_error_naming_the_file(front: str, pattern: str) -> None:
    with pytest.raises(ParseError, match=pattern):
        split_front_matter(front + BODY, "a.md")


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2026年7月21日", "2026-07-21"),
        ("March 4, 2025", "2025-03-04"),
        ("4 March 2025", "2025-03-04"),
        ("March 2025", "2025-03"),
        ("2026.03.04", "2026-03-04"),
        ("2026/3/4", "2026-03-04"),
        ("'2026.03'", "2026-03"),  # unquoted, YAML reads a number (2026.1 would be October)
        ("2026-07-03 09:15:00 +1200", "2026-07-03"),  # Jekyll's time stamp (YAML reads it as text)
        ("2026-07-03T09:15:00+08:00", "2026-07-03"),  # Hugo's (YAML reads a datetime)
        ("'2026-07-03T09:15Z'", "2026-07-03"),
    ],
)
def test_a_written_out_date_in_front_matter_is_read(written: str, iso: str) -> None:
    fm = split_front_matter(f"---\npubdate: {written}\n---\n" + BODY, "a.md")
    assert fm.fields.date == iso


def test_a_journal_and_its_contributors_are_the_outlet_and_authors() -> None:
    front = (
        "---\njournal: Example Law Review\ncontributors:\n  - name: Ann Lee\n    affiliation: Some University\n"
        "  - name: Bo Wu\n---\n"
    )
    fm = split_front_matter(front + BODY, "a.md")
    assert (fm.fields.outlet, fm.fields.authors) == ("Example Law Review", ("Ann Lee", "Bo Wu"))


def test_partial_dates_and_unknown_keys() -> None:
    fm = split_front_matter("---\ndate: 2025\nlayout: post\n---\n" + BODY, "a.md")
    assert fm.fields.date == "2025"
    assert fm.warnings == (
        "a.md:1: front matter key 'layout' is not used (known: title, outlet, authors, date, url, language, discusses)",
    )
    assert split_front_matter("---\ndate: 2025-03\n---\n", "a.md").fields.date == "2025-03"


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "error", "pattern"),
    [
        ("empty.md", "", EmptySource, r"empty\.md: file is empty"),
        ("blank.txt", "\n \n", EmptySource, r"blank\.txt: file is empty"),
        ("only-front.md", "---\ntitle: x\n---\n", EmptySource, r"only-front\.md: no article text found"),
        ("only-furniture.txt", "Share\nSubscribe\nPrivacy Policy\n", EmptySource, r"only-furniture\.txt: no article"),
        ("bad-yaml.md", "---\ntitle: [x\n---\n" + BODY, ParseError, r"bad-yaml\.md:\d+: front matter is not valid"),
        (
            "unknown-doc.md",
            "---\ndiscusses: [no-such-law-2099]\n---\n" + BODY,
            SourceError,
            r"unknown-doc\.md: discusses unknown document id 'no-such-law-2099'",
        ),
        ("empty.html", "<html><body></body></html>", EmptySource, r"empty\.html: no article text found"),
        (
            "scripts-only.html",
            "<html><body><script>" + "var a=1;" * 500 + "</script></body></html>",
            EmptySource,
            r"scripts-only\.html: no article text",
        ),
    ],
)
def test_bad_files_are_errors_naming_the_file(
    tmp_path: Path, name: str, text: str, error: type[KBError], pattern: str
) -> None:
    write(tmp_path, name, text)
    with pytest.raises(error, match=pattern) as caught:
        load_user_commentary([tmp_path], load_manifest())
    assert str(tmp_path) in str(caught.value)  # the path as the user gave the folder


# ------------------------------------------------------------------ the fixtures


@pytest.mark.parametrize("doc_id", DEV)
def test_dev_fixture_metadata(fixtures: dict[str, UserCommentary], doc_id: str) -> None:
    meta, want = fixtures[doc_id].meta, EXPECTED[doc_id]["metadata"]
    assert (meta.title_en or meta.title_zh) == want["title"]
    assert list(meta.authors) == want["authors"]
    assert meta.date == want["date"]
    assert meta.extra["language"] == want["language"]
    assert meta.outlet == want["outlet"] or want["outlet"] is None


@pytest.mark.parametrize("doc_id", DEV)
def test_dev_fixture_has_no_furniture(fixtures: dict[str, UserCommentary], doc_id: str) -> None:
    texts = [squash(p.text) for p in fixtures[doc_id].parsed.passages]
    leaks = [s for s in EXPECTED[doc_id]["furniture"] if any(squash(s) in t for t in texts)]
    assert leaks == []


@pytest.mark.parametrize("doc_id", DEV)
def test_dev_fixture_labelled_sentences_each_in_one_passage(fixtures: dict[str, UserCommentary], doc_id: str) -> None:
    texts = [squash(p.text) for p in fixtures[doc_id].parsed.passages]
    assert [s for s in SENTENCES[doc_id] if sum(squash(s) in t for t in texts) != 1] == []


@pytest.mark.parametrize("doc_id", ALL)
def test_no_code_reaches_a_passage(fixtures: dict[str, UserCommentary], doc_id: str) -> None:
    """Scripts, styles, handlers and iframes never reach a passage, whatever the split."""
    text = " ".join(p.text for p in fixtures[doc_id].parsed.passages)
    for needle in ("<script", "</", "function(", "onclick", "onload", "addEventListener", "iframe", "{display", "=>"):
        assert needle not in text


@pytest.mark.parametrize("doc_id", ALL)
def test_offsets_and_hash_lead_back_to_the_file(fixtures: dict[str, UserCommentary], doc_id: str) -> None:
    doc = fixtures[doc_id]
    raw = (FIXTURES / doc.file.rel).read_bytes()
    assert doc.source.sha256 == hashlib.sha256(raw).hexdigest()
    text = raw.decode("utf-8")
    if doc.file.fmt == "html":
        # Offsets point into the extracted text, which the file alone rebuilds.
        base = extract_page(text, doc.file.rel).text
        assert base == doc.extracted_text
    else:
        fm = split_front_matter(text, doc.file.rel)
        base = mask_markup(text, doc.file.fmt, front_matter=(fm.start, fm.body_start) if fm.present else None)  # type: ignore[arg-type]
        assert len(base) == len(text)
    for p in doc.parsed.passages:
        assert p.source is not None and p.source.path == doc.file.rel
        assert normalise(base[p.source.start : p.source.end]) == p.text
        if doc.file.fmt != "html":  # in the file itself, only markup differs
            assert squash(p.text) in squash(text[p.source.start : p.source.end]) or p.kind == "heading" or "*" in text


@pytest.mark.parametrize("doc_id", ALL)
def test_sentences_tile_every_passage(fixtures: dict[str, UserCommentary], doc_id: str) -> None:
    for p in fixtures[doc_id].parsed.passages:
        covered = "".join(p.text[s:e] for s, e in p.sentences)
        assert squash(covered) == squash(p.text)


def test_both_languages_and_all_formats_are_read(fixtures: dict[str, UserCommentary]) -> None:
    seen = {(d.meta.extra["language"], d.file.fmt) for d in fixtures.values()}
    assert {("en", "txt"), ("en", "md"), ("en", "html"), ("zh", "txt"), ("zh", "md"), ("zh", "html")} <= seen


def test_chinese_sentences_split_on_chinese_punctuation(fixtures: dict[str, UserCommentary]) -> None:
    p = next(p for p in fixtures["frt-measures-jiedu"].parsed.passages if p.text.startswith("这是实务中讨论最多的一条"))
    assert [p.text[s:e] for s, e in p.sentences][:2] == [
        "这是实务中讨论最多的一条。",
        "《办法》第八条规定，除法律、行政法规另有规定或者取得个人单独同意外，人脸信息应当存储于人脸识别设备内，不得通过互联网对外传输。",
    ]


def test_markdown_markup_is_not_text(tmp_path: Path) -> None:
    write(
        tmp_path,
        "md-doc.md",
        "# Faces and the **law**\n\n## What the [draft](https://x.org/d) says\n\n"
        + "The *draft* bans `scans` in hotel rooms, see [Art. 13](https://x.org/13). "
        + "![a photo](p.png) It also asks for consent.\n\n---\n\n"
        + '<div onclick="x()">More text here, said Dr. Li.</div>\n',
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    texts = [p.text for p in doc.parsed.passages]
    assert "The draft bans scans in hotel rooms, see Art. 13. It also asks for consent." in texts
    assert "More text here, said Dr. Li." in texts
    assert not any(c in " ".join(texts) for c in "*`[]()#<>")


def test_markdown_footnotes_are_article_text_even_after_the_author_box(tmp_path: Path) -> None:
    """A note carries citations: its text is kept wherever it sits; the ``[^n]`` labels are not text."""
    write(
        tmp_path,
        "notes.md",
        "# The sole-method rule\n\n"
        + "Article 10 of the Measures forbids face-only verification.[^1] Courts rarely reach it.[^long-note]\n\n"
        + "## About the authors\n\nJane Roe teaches privacy law at Example University.\n\n"
        + "[^1]: Measures, art. 10(1). See also PIPL art. 16, which bars refusing a service.\n"
        + "[^long-note]: SPC Provisions (2021), art. 4.\n\n"
        + "Cite as: Roe, 1 Ex. L. Rev. 1 (2026)\n",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    text = "\n".join(p.text for p in doc.parsed.passages)
    assert "Article 10 of the Measures forbids face-only verification. Courts rarely reach it." in text
    assert "See also PIPL art. 16, which bars refusing a service." in text
    assert "SPC Provisions (2021), art. 4." in text
    assert "[^" not in text and "long-note" not in text
    assert "Jane Roe teaches" not in text  # the author box still ends the body
    assert "Cite as" not in text


def test_html_footnotes_are_article_text_and_their_marks_are_not(tmp_path: Path) -> None:
    """An endnotes section (which the extractor drops as boilerplate) follows the main text;
    the marks pointing to a note and the links back are not text."""
    body = "Article 10 of the Measures forbids face-only verification where another method works. " * 3
    write(
        tmp_path,
        "notes.html",
        "<html lang='en'><head><title>The sole-method rule</title></head><body><nav><a href='/'>Home</a></nav>"
        + f"<article><h1>The sole-method rule</h1><p>{body.strip()}<sup id='r1'><a href='#fn1'>1</a></sup>"
        + " Courts rarely reach it.<sup><a href='#fn2' role='doc-noteref'>[2]</a></sup>"
        + " So do agencies.<a class='footnote-ref' href='#fn3'><sup>3</sup></a></p>"
        + "<section class='footnotes' role='doc-endnotes'><hr><ol>"
        + "<li id='fn1'><p>Measures, art. 10(1). See also PIPL art. 16.<a href='#r1' role='doc-backlink'>↩︎</a></p></li>"
        + "<li id='fn2'><p>SPC Provisions (2021), art. 4(1). <a href='#r2'>↩</a></p></li>"
        + "<li id='fn3' class='footnote-item'><p>PIPL art. 34.</p></li>"
        + "</ol></section></article><footer>© 2026 Example Review</footer></body></html>",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    texts = [p.text for p in doc.parsed.passages]
    assert texts[0].endswith("another method works. Courts rarely reach it. So do agencies.")
    assert texts[1:] == [
        "Measures, art. 10(1). See also PIPL art. 16.",
        "SPC Provisions (2021), art. 4(1).",
        "PIPL art. 34.",
    ]


def test_markdown_headings_follow_their_marks_not_their_length(tmp_path: Path) -> None:
    """A long ``##`` line is a heading, whatever its length; an unmarked line is judged by its shape."""
    long_heading = (
        "What the new rules mean for property managers who run face-scanning gates in "
        "residential compounds across the country"
    )
    write(
        tmp_path,
        "headings.md",
        "# Faces at the gate\n\n"
        + f"## {long_heading}\n\n"
        + "Property managers must now offer residents another way in, such as a card or a code. "
        + "Those who refuse can be ordered to remove the devices.\n\n"
        + "### Deadlines\n\n"
        + "The rules take effect in June, and the first filings are due within thirty working days.\n",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    kinds = {p.text: p.kind for p in doc.parsed.passages}
    assert kinds[long_heading] == "heading", kinds
    assert kinds["Deadlines"] == "heading", kinds
    assert kinds[next(t for t in kinds if t.startswith("Property managers"))] == "paragraph"


def test_html_override_comment_wins_over_page_metadata(tmp_path: Path) -> None:
    write(
        tmp_path,
        "page.html",
        "<!--\n---\ntitle: The Real Title\ndate: 2024-05\nauthors: Jane Doe\n---\n-->\n"
        "<html lang='zh-CN'><head><title>Wrong | Site</title><meta name='author' content='Somebody Else'></head>"
        "<body><article><p>" + ZH_BODY * 3 + "</p></article></body></html>",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.title_zh, doc.meta.date, doc.meta.authors, doc.meta.extra["language"]) == (
        "The Real Title",
        "2024-05",
        ("Jane Doe",),
        "zh",
    )


def test_chinese_plain_text_header_gives_its_metadata(tmp_path: Path) -> None:
    """A copied WeChat article: headline, then 原创 author account date time place, then a
    follow prompt; a podcast transcript: 主播 and 发布日期 lines and sound cues. The header
    lines become metadata and none of them, nor the prompts, reaches a passage."""
    write(
        tmp_path,
        "wechat.txt",
        "刷脸进小区，业主能说不吗？\n\n原创 王小明 数据法前沿 2024年6月3日 08:30 上海\n\n"
        "点击上方蓝字关注我们\n\n" + ZH_BODY * 3 + "\n",
    )
    write(
        tmp_path,
        "podcast.txt",
        "《法律下午茶》第8期：人脸数据谁来管\n\n主播：李雷、韩梅\n发布日期：2024年7月1日\n\n"
        "【片头音乐】\n\n" + ZH_BODY * 3 + "\n\n【片尾音乐】\n",
    )
    docs = {d.meta.id: d for d in load_user_commentary([tmp_path], load_manifest())}
    wechat, podcast = docs["wechat"], docs["podcast"]
    assert (wechat.meta.title_zh, wechat.meta.authors, wechat.meta.outlet, wechat.meta.date) == (
        "刷脸进小区，业主能说不吗？",
        ("王小明",),
        "数据法前沿",
        "2024-06-03",
    )
    assert (podcast.meta.title_zh, podcast.meta.authors, podcast.meta.date) == (
        "《法律下午茶》第8期：人脸数据谁来管",
        ("李雷", "韩梅"),
        "2024-07-01",
    )
    for doc in (wechat, podcast):
        text = " ".join(p.text for p in doc.parsed.passages)
        for furniture in ("原创", "关注我们", "主播", "发布日期", "音乐"):
            assert furniture not in text, (doc.meta.id, furniture)


def test_front_matter_keys_other_tools_use(tmp_path: Path) -> None:
    write(
        tmp_path,
        "aliases.md",
        "---\nauthor: Jane Roe\npublished: 2025-07-01\nsite: The Privacy Desk\nlayout: post\n---\n\n" + BODY * 3,
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.authors, doc.meta.date, doc.meta.outlet) == (("Jane Roe",), "2025-07-01", "The Privacy Desk")
    assert any("layout" in w for w in doc.parsed.warnings)


@pytest.mark.parametrize(
    ("source", "outlet", "url"),
    [
        ("The Privacy Desk", "The Privacy Desk", None),
        # a web clipper's "source:" is the address the page was saved from
        ("https://desk.example/2025/faces", None, "https://desk.example/2025/faces"),
    ],
)
def test_a_front_matter_source_is_an_outlet_or_the_page_address(
    tmp_path: Path, source: str, outlet: str | None, url: str | None
) -> None:
    fm = split_front_matter(f"---\ntitle: Faces\nsource: {source}\n---\n\n" + BODY, "a.md")
    assert (fm.fields.outlet, fm.fields.url) == (outlet, url)


def test_a_pasted_newsletter_header_and_footer(tmp_path: Path) -> None:
    """Masthead in capitals, tagline, issue and date line, by-line, then the headline; the
    delivery footer and the masthead never reach a passage."""
    write(
        tmp_path,
        "letter.txt",
        "THE CAMERA BRIEF\nA weekly letter on surveillance law in Asia\n\n"
        "Issue No. 7 — Monday, 3 March 2025\nWritten by Jane Roe\n\n"
        "Having trouble reading this email? View it in your browser.\n\n"
        "WHAT THE FILING RULE COUNTS\n\n" + BODY * 3 + "\n"
        "You received this email because you signed up at our site.\n"
        "Update your preferences or unsubscribe from this list.\n",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.title_en, doc.meta.outlet, doc.meta.authors, doc.meta.date) == (
        "WHAT THE FILING RULE COUNTS",
        "The Camera Brief",
        ("Jane Roe",),
        "2025-03-03",
    )
    text = " ".join(p.text for p in doc.parsed.passages)
    for furniture in ("CAMERA BRIEF", "weekly letter", "browser", "received this email", "unsubscribe"):
        assert furniture not in text, furniture


def test_a_pasted_wire_story(tmp_path: Path) -> None:
    write(
        tmp_path,
        "wire.txt",
        "UPDATE 1-Regulator fines two hotel chains over face check-in\n\nBy Jane Roe\n\n"
        "March 4, 2025 9:15 AM GMT+8 · Updated 3 hours ago\n\n"
        "BEIJING, March 4 (Example Wire) - " + BODY * 3 + "\n"
        "(Reporting by Jane Roe in Beijing; Additional reporting by John Doe in Shanghai; Editing by Ann Lee)\n",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.title_en, doc.meta.outlet, doc.meta.date) == (
        "Regulator fines two hotel chains over face check-in",
        "Example Wire",
        "2025-03-04",
    )
    assert not any("Reporting by" in p.text or "Updated" in p.text for p in doc.parsed.passages)


def test_a_pasted_chinese_news_page_meta_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "zh-news.txt",
        "某市查处一起违规人脸采集案\n\n2025-05-06 10:12:06\u3000来源：某某晚报\u3000作者：记者 张三 通讯员 李四\n\n"
        + ZH_BODY * 3,
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.title_zh, doc.meta.outlet, doc.meta.authors, doc.meta.date) == (
        "某市查处一起违规人脸采集案",
        "某某晚报",
        ("张三", "李四"),
        "2025-05-06",
    )


def test_a_theme_s_site_name_and_meta_line_when_no_meta_tags(tmp_path: Path) -> None:
    write(
        tmp_path,
        "theme.html",
        "<html lang='en'><head><title>Faces at the gate</title></head><body>"
        "<header><span class='site-title'>Gatekeepers Blog</span></header>"
        "<article><h1>Faces at the gate</h1>"
        "<div class='entry-meta'>Filed under biometrics | by Jane Roe | 2025-06-01</div>"
        "<p>" + BODY * 3 + "</p></article>"
        "<section class='comments'><div class='author'>Spam Bot</div></section></body></html>",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.outlet, doc.meta.authors) == ("Gatekeepers Blog", ("Jane Roe",))


@pytest.mark.parametrize(
    ("name", "head", "top", "outlet"),
    [
        # a WeChat article's account, in the element its template gives it beside 原创
        (
            "wechat.html",
            "<title>小区门禁只认脸</title>",
            "<div class='rich_media_meta_list'><span>原创</span><a id='js_name'>某某社区观察</a>"
            "<em id='publish_time'>2026年4月18日</em></div>",
            "某某社区观察",
        ),
        # a course site's <title>, the extractor taking its leading parts for the site: the last part
        (
            "course.html",
            "<title>Case brief 7: A v. B (2026) | LAW 101 Privacy Law | Example Learn</title>",
            "<h1>Case brief 7: A v. B Fitness Co., Ltd.</h1>",
            "Example Learn",
        ),
        # the meta line's 来源 names another body than the site it is published on: the body
        (
            "court.html",
            "<title>通报</title><meta property='og:site_name' content='某某检察网'>",
            "<div class='info'>来源：某某市某某区人民检察院　时间：2026-09-17</div>",
            "某某市某某区人民检察院",
        ),
        # ... but a site's name holding the source's is the site
        (
            "paper.html",
            "<title>通报</title><meta property='og:site_name' content='某某日报网'>",
            "<div class='info'>来源：某某日报　时间：2026-09-17</div>",
            "某某日报网",
        ),
        # a site named only by its social handle (squashed) and spelled out in its footer's © line
        (
            "handle.html",
            "<title>Live: the briefing</title><meta name='twitter:site' content='@exampleledger'>",
            "<h1>Live: the briefing</h1><footer><p>© 2026 The Example Ledger. All rights reserved.</p></footer>",
            "The Example Ledger",
        ),
        # a government CMS's ContentSource tag, when no meta line names the source
        (
            "cms.html",
            "<title>解读</title><meta name='SiteName' content='某某网信网'>"
            "<meta name='ContentSource' content='某某市网信办'>",
            "<h1>解读</h1>",
            "某某市网信办",
        ),
    ],
)
def test_an_html_page_s_outlet(tmp_path: Path, name: str, head: str, top: str, outlet: str) -> None:
    write(tmp_path, name, f"<html><head>{head}</head><body><main>{top}<p>{BODY * 3}</p></main></body></html>")
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.outlet == outlet


def test_an_author_box_of_the_declared_authors_is_not_text(tmp_path: Path) -> None:
    write(
        tmp_path,
        "boxed.md",
        "---\nauthors: [Jane Roe]\n---\n\n" + BODY * 3 + "\n*Jane Roe is a privacy lawyer in Hong Kong. "
        "This post is not legal advice.*\n",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert not any("privacy lawyer" in p.text for p in doc.parsed.passages)


@pytest.mark.parametrize(
    ("byline", "authors", "date"),
    [
        ("*Posted by Jane Roe on July 29, 2026 · Hardware*", ("Jane Roe",), "2026-07-29"),
        ("By John Doe on 23.10.2026", ("John Doe",), "2026-10-23"),
        ("Written by Jane Roe, on Monday, March 2, 2026 | Reviews", ("Jane Roe",), "2026-03-02"),
        # a day-first dotted date with a time, after a comma or a dot
        ("By Jane Roe, 23.10.2026 10:32", ("Jane Roe",), "2026-10-23"),
        ("By Jane Roe, March 2, 2026", ("Jane Roe",), "2026-03-02"),
        ("Jane Roe · 23.10.2026 10:32", ("Jane Roe",), "2026-10-23"),
    ],
)
def test_a_by_line_with_its_date_after_on_and_an_author_box_of_its_names(
    tmp_path: Path, byline: str, authors: tuple[str, ...], date: str
) -> None:
    """ "Posted by X on <date>": X and the date; a paragraph at the end about X ("X writes about
    …. He used to …"), next to other furniture, is X's author box, not text."""
    name = authors[0]
    write(
        tmp_path,
        "teardown.md",
        f"# Inside the gate\n\n{byline}\n\n" + BODY * 3 + f"\n---\n\n**{name}** writes about access control. "
        "He used to repair cash machines.\n\nTags: hardware, gates\n",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.authors, doc.meta.date) == (authors, date)
    assert not any("repair cash machines" in p.text for p in doc.parsed.passages)


def test_a_chinese_turn_by_a_host_the_by_line_names_stays_text(tmp_path: Path) -> None:
    """The by-line's names open the hosts' turns ("许安然：…"): no author box."""
    turns = "张三：今天聊刷脸。\n李四：刷脸要单独同意。\n张三：那学校呢？\n李四：学校也要同意。\n"
    write(tmp_path, "show.txt", "播客第3期：刷脸\n\n主播：张三、李四\n\n" + ZH_BODY * 2 + "\n" + turns)
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert [p.text for p in doc.parsed.passages if p.text.startswith(("张三", "李四"))] == turns.split()


@pytest.mark.parametrize(
    ("name", "text", "date"),
    [
        (
            "saved.txt",
            "Saved from: https://forum.example/t/2026/07/02/gym-faces-123\n\nCan my gym scan me?\n\n",
            "2026-07-02",
        ),
        ("linked.txt", "刷脸进小区合法吗\n\n原文链接：https://www.example.cn/news/20261023/a1.html\n\n", "2026-10-23"),
        ("declared.md", "---\ntitle: Faces\nurl: https://blog.example/posts/2026-10-23-faces\n---\n\n", "2026-10-23"),
        (
            "canonical.html",
            "<html><head><title>Faces</title><link rel='canonical' href='https://x.example/news/20261023/a.html'>"
            "</head><body><article><h1>Faces</h1><p>",
            "2026-10-23",
        ),
        # a stated date wins over the address's
        ("stated.txt", "Saved from: https://x.example/2026/07/02/a\n\nFaces\n\nMarch 3, 2026\n\n", "2026-03-03"),
        # no date in the address: none
        ("undated.txt", "Saved from: https://forum.example/t/gym-faces-48213\n\nFaces\n\n", None),
    ],
)
def test_a_date_only_in_the_page_address_is_the_date(tmp_path: Path, name: str, text: str, date: str | None) -> None:
    body = (ZH_BODY if "原文" in text else BODY) * 3
    end = "</p></article></body></html>" if name.endswith(".html") else ""
    write(tmp_path, name, text + body + end)
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.date == date


def test_a_live_show_transcript_header_column_tag_host_with_firm_time_span_and_counts(tmp_path: Path) -> None:
    """A column's tag in brackets above the headline is not the title; "主播：某律师（某所）" gives
    the name; "直播时间：date time—time 平台：…" the date; a compiler-and-counts line is no text."""
    write(
        tmp_path,
        "show.txt",
        "【直播回放】\n刷脸进小区合法吗？某律师答网友问\n主播：王五律师（某某律师事务所）\n"
        "直播时间：2026年3月2日 20:00—21:00　　平台：某某直播\n整理：某某部　　累计观看1万　　点赞2千\n\n"
        + ZH_BODY
        * 3,
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.title_zh, doc.meta.authors, doc.meta.date) == (
        "刷脸进小区合法吗？某律师答网友问",
        ("王五",),
        "2026-03-02",
    )
    assert not any("累计观看" in p.text for p in doc.parsed.passages)


@pytest.mark.parametrize(
    ("first_line", "title"),
    [
        ("[求助] 酒店说不刷脸不能入住，合法吗？", "酒店说不刷脸不能入住，合法吗？"),
        ("【提问】小区只能刷脸进门吗？", "小区只能刷脸进门吗？"),
        (
            "【商场卫生间门口装了刷脸取纸机，我去问了问合不合法】",
            "【商场卫生间门口装了刷脸取纸机，我去问了问合不合法】",
        ),
    ],
)
def test_a_post_kind_tag_before_a_headline_is_cut(tmp_path: Path, first_line: str, title: str) -> None:
    write(tmp_path, "post.txt", first_line + "\n\n" + ZH_BODY * 3)
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.title_zh == title


@pytest.mark.parametrize(
    "box",
    [
        "<div class='author-box'><p><strong>Jane Roe</strong> Partner, Paris</p>"
        "<p><strong>John Doe</strong> Partner, Rome</p></div>",
        "<aside class='insight-authors'><h2>Authors</h2><ul><li><a href='/people/jane-roe'>Jane Roe</a>"
        "<span>Partner, Paris</span></li><li><a href='/people/john-doe'>John Doe</a><span>Counsel, Rome</span></li>"
        "</ul></aside>",
    ],
)
def test_the_names_an_end_author_box_sets_apart_are_the_authors(tmp_path: Path, box: str) -> None:
    """Only an author box at the end names the authors, each in bold or linked to the person's
    page, beside a role and an office: the names, not the offices."""
    write(
        tmp_path,
        "alert.html",
        "<html><head><title>Faces</title></head><body><article><h1>Faces</h1><p>"
        + BODY * 3
        + "</p>"
        + box
        + "</article></body></html>",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.authors == ("Jane Roe", "John Doe")


@pytest.mark.parametrize(
    ("box", "authors"),
    [
        ("About the author: Jane Roe is a partner at Example LLP in Shanghai.", ("Jane Roe",)),
        (
            "About the authors\n\nJane Roe is a partner at Example LLP.\n\nJohn Doe is an associate at Example LLP.",
            ("Jane Roe", "John Doe"),
        ),
        ("Jane Roe is a partner at Example LLP. John Doe is an associate at Example LLP.", ("Jane Roe", "John Doe")),
        ("作者简介：张三，某某律师事务所合伙人。", ("张三",)),
        ("作者简介\n\n张三，某某大学法学院副教授。", ("张三",)),
    ],
)
def test_authors_named_only_in_an_author_box_after_the_text(tmp_path: Path, box: str, authors: tuple[str, ...]) -> None:
    """No by-line: the author box at the end names the authors, and is no text."""
    zh = "作者" in box
    write(
        tmp_path,
        "piece.txt",
        ("刷脸进小区合法吗\n\n" + ZH_BODY * 3 if zh else "Faces at the gate\n\n" + BODY * 3) + "\n" + box + "\n",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.authors == authors
    assert not any(word in p.text for p in doc.parsed.passages for word in ("Example LLP", "合伙人", "副教授"))


QA = "Q: Can a gym make me scan my face?\n\nJohn Doe: Not as the only way in.\n\nQ: And a hotel?\n\nJohn Doe: Same.\n"


@pytest.mark.parametrize(
    ("name", "text", "asker"),
    [
        ("qa.md", "# Faces\n\nInterview by Jane Roe\n\n" + BODY + "\n" + QA, "Jane Roe"),
        (
            "qa.html",
            "<html><body><article><h1>Faces</h1><p class='byline'>Interview by Jane Roe</p><p>"
            + BODY
            + "</p>"
            + "".join(f"<p>{line}</p>" for line in QA.split("\n\n"))
            + "</article></body></html>",
            "Jane Roe",
        ),
        # an author who is not said to have asked: the asker stays "Q"
        ("plain.md", "# Faces\n\nBy Jane Roe\n\n" + BODY + "\n" + QA, None),
    ],
)
def test_the_interviewer_a_by_line_names_asks_the_q_turns(
    tmp_path: Path, name: str, text: str, asker: str | None
) -> None:
    write(tmp_path, name, text)
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    turns = [a for a in find_quotes(doc.parsed.passages, doc.meta) if a.data["attribution"] == "turn"]
    assert [(a.data["speaker"], a.data["role"]) for a in turns][:2] == [
        (asker, "interviewer") if asker else (None, "Q"),
        ("John Doe", None),
    ]


@pytest.mark.parametrize(
    ("header", "outlet"),
    [
        # a government page: the publisher in a line of labelled fields; the trail's "当前位置：首页" is no site
        (
            "当前位置：首页 > 执法公示 > 行政处罚\n某某决定书\n"
            "发布机构：某某市网信办　　公开方式：主动公开　　浏览次数：2,316",
            "某某市网信办",
        ),
        ("某某决定书\n来源：某某日报　　浏览次数：88", "某某日报"),
    ],
)
def test_the_publisher_of_a_line_of_labelled_fields_is_the_outlet(tmp_path: Path, header: str, outlet: str) -> None:
    write(tmp_path, "notice.txt", header + "\n\n" + ZH_BODY * 3)
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.outlet == outlet


def test_a_source_label_inside_a_sentence_names_no_outlet(tmp_path: Path) -> None:
    write(tmp_path, "post.txt", "某某决定书\n\n来源：作者本人的微博，2024年5月6日发布后被删除。\n\n" + ZH_BODY * 3)
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.outlet is None


def test_a_printed_record_s_provenance_line_and_a_title_set_off_by_a_rule(tmp_path: Path) -> None:
    """A hearing record's header: "[From the X]" names the publisher; of the lines in capitals,
    the one a long rule sets off is the title, not a committee's name nearer the date."""
    write(
        tmp_path,
        "record.txt",
        "[Hearing, 12 Session]\n[From the Example Publishing Office]\n\n\n"
        "      FACES AT THE GATE: RULES AND COMPANIES\n\n"
        + "="
        * 60
        + "\n\n        HEARING\n\n     BEFORE THE\n\n   SUBCOMMITTEE ON TRADE\n\n   OF THE\n\n"
        "   COMMITTEE ON COMMERCE\n\n   SECOND SESSION\n\n   __________\n\n   THURSDAY, MARCH 12, 2026\n\n" + BODY * 3,
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    meta = doc.meta
    assert (meta.title_en, meta.outlet, meta.date) == (
        "FACES AT THE GATE: RULES AND COMPANIES",
        "Example Publishing Office",
        "2026-03-12",
    )


@pytest.mark.parametrize(
    ("header", "authors", "date"),
    [
        (
            "**Report summary** | Published 2 May 2026 | Research team: Jane Roe, John Doe",
            ("Jane Roe", "John Doe"),
            "2026-05-02",
        ),
        # the month in a masthead line, the day under it: the full date
        ("EXAMPLE LLP          CLIENT BRIEFING | NOVEMBER 2026\n\n4 November 2026", (), "2026-11-04"),
        # a month alone stays a month
        ("EXAMPLE LLP          CLIENT BRIEFING | NOVEMBER 2026", (), "2026-11"),
    ],
)
def test_a_labelled_team_and_a_month_made_exact_by_the_next_date(
    tmp_path: Path, header: str, authors: tuple[str, ...], date: str
) -> None:
    write(tmp_path, "brief.md", "# Faces at the gate\n\n" + header + "\n\n" + BODY * 3)
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.authors, doc.meta.date) == (authors, date)


def test_pasted_chinese_reporter_blog_and_answer_headers(tmp_path: Path) -> None:
    """A reporter line with the outlet in front, a blog's author · date · category line with
    prev/next links and a comment count, a Q&A site's question title and 编辑于 date."""
    write(
        tmp_path,
        "report.txt",
        "多地景区取消只能刷脸入园的做法\n某某新闻记者 张三 李四\n2025-07-08 14:26 来源：某某新闻\n字号\n" + ZH_BODY * 3,
    )
    write(
        tmp_path,
        "blog.md",
        "# 我让驾校删掉了我的人脸信息\n\n王五 · 2025-05-11 · 分类：生活 · 阅读 2381\n\n"
        + ZH_BODY * 3
        + "\n上一篇：在菜市场用现金付款\n下一篇：读书清单\n\n评论 (7)\n\n小周：学到了！\n",
    )
    write(
        tmp_path,
        "answer.txt",
        "小区物业不让刷卡只能刷脸进门，我可以拒绝并要求换成门禁卡吗？\n关注问题写回答\n赵六\n"
        "1,024 人赞同了该回答\n" + ZH_BODY * 3 + "\n编辑于 2025-09-14 22:03・IP 属地上海\n",
    )
    docs = {d.meta.id: d for d in load_user_commentary([tmp_path], load_manifest())}
    report, blog, answer = docs["report"], docs["blog"], docs["answer"]
    assert (report.meta.title_zh, report.meta.outlet, report.meta.authors, report.meta.date) == (
        "多地景区取消只能刷脸入园的做法",
        "某某新闻",
        ("张三", "李四"),
        "2025-07-08",
    )
    assert (blog.meta.title_zh, blog.meta.authors, blog.meta.date) == (
        "我让驾校删掉了我的人脸信息",
        ("王五",),
        "2025-05-11",
    )
    assert (answer.meta.title_zh, answer.meta.date) == (
        "小区物业不让刷卡只能刷脸进门，我可以拒绝并要求换成门禁卡吗？",
        "2025-09-14",
    )
    for doc, furniture in (
        (report, ("记者", "来源", "字号")),
        (blog, ("分类", "上一篇", "下一篇", "评论", "学到了")),
        (answer, ("写回答", "赞同", "IP 属地")),
    ):
        text = " ".join(p.text for p in doc.parsed.passages)
        for f in furniture:
            assert f not in text, (doc.meta.id, f)


def test_pasted_press_release_and_social_post(tmp_path: Path) -> None:
    write(
        tmp_path,
        "release.md",
        "FOR IMMEDIATE RELEASE\n\n# Example Vision moves face matching onto its gate terminals\n\n"
        "SHENZHEN, China, November 12, 2025 — " + BODY * 3 + "\n(Photo courtesy of Example Vision)\n\n"
        "Forward-Looking Statements\n\nThis press release contains forward-looking statements.\n\n"
        "Media Contact:\n\npress@example.com\n\n###\n",
    )
    write(
        tmp_path,
        "post.txt",
        "Jane Roe\n5d • Edited •\n\n" + BODY * 3 + "\n#privacy #PIPL #biometrics #China\n\n…see more\n\n👍❤️ 213\n",
    )
    docs = {d.meta.id: d for d in load_user_commentary([tmp_path], load_manifest())}
    assert docs["release"].meta.date == "2025-11-12"
    assert docs["release"].meta.title_en == "Example Vision moves face matching onto its gate terminals"
    assert docs["post"].meta.title_en is None
    for doc, furniture in (
        (docs["release"], ("IMMEDIATE", "courtesy", "forward-looking", "Media Contact", "###")),
        (docs["post"], ("5d", "#privacy", "see more", "213")),
    ):
        text = " ".join(p.text for p in doc.parsed.passages)
        for f in furniture:
            assert f not in text, (doc.meta.id, f)


def test_pasted_email_essay_and_government_page(tmp_path: Path) -> None:
    """A forwarded e-mail's headers and signature, a law review essay's running heads and
    author footnotes, a government page's tools and footer, a Hugo shortcode: none is text."""
    write(
        tmp_path,
        "forward.txt",
        "From: Jane Roe <jane@example.com>\nSent: Monday, March 3, 2025 6:30 PM\nTo: Team <t@example.com>\n"
        "Subject: FW: Client Alert | Face rules\n\nM: +86 139 0000 0000\n\n"
        "CONFIDENTIALITY NOTICE: This e-mail is intended solely for the addressee.\n\n"
        "-----Original Message-----\n\n" + BODY * 3,
    )
    write(
        tmp_path,
        "essay.txt",
        "Faces and Matches in Chinese Law\n\nJane Roe* and John Doe**\n\n"
        + BODY * 2
        + "\n2026] FACES AND MATCHES 213\n\n"
        + BODY
        + "\n214 EXAMPLE LAW REVIEW [Vol. 14:211\n\n"
        "* Associate Professor of Law, Example University.\n** J.D. Candidate, 2027, Example University.\n",
    )
    write(
        tmp_path,
        "gov.txt",
        "某省网信办负责人就人脸识别备案答记者问\n发布时间：2026-04-22 15:30\u3000来源：某省委网信办\n"
        "【字体：大 中 小】\u3000分享到：微信 微博\n扫一扫在手机打开当前页\n\n"
        + ZH_BODY * 3
        + "\n【打印】\u3000【纠错】\n\n主办单位：某省委网信办\u3000承办单位：某中心\n京ICP备12345678号-1\n",
    )
    write(tmp_path, "hugo.md", "---\ntitle: T\n---\n" + BODY * 2 + '\n{{< figure src="/a.png" caption="x" >}}\n')
    docs = {d.meta.id: d for d in load_user_commentary([tmp_path], load_manifest())}
    assert docs["essay"].meta.authors == ("Jane Roe", "John Doe")
    assert (docs["gov"].meta.outlet, docs["gov"].meta.date) == ("某省委网信办", "2026-04-22")
    for doc_id, furniture in (
        ("forward", ("From:", "Sent:", "Subject:", "+86", "CONFIDENTIALITY", "Original Message")),
        ("essay", ("213", "Vol.", "Associate Professor", "Candidate", "*")),
        ("gov", ("发布时间", "字体", "扫一扫", "打印", "主办单位", "ICP")),
        ("hugo", ("figure", "{{")),
    ):
        text = " ".join(p.text for p in docs[doc_id].parsed.passages)
        for f in furniture:
            assert f not in text, (doc_id, f)


def test_pasted_news_copy_school_news_and_abstract_page(tmp_path: Path) -> None:
    """A 人民网-style copy (breadcrumb, date | 来源 line, font-size tools, a dateline naming the
    reporter), a school's news page (site name, 发布者/点击数 line), a WeChat header as the app
    shows it now, and an abstract page's counters: metadata found, furniture gone."""
    write(
        tmp_path,
        "copy.txt",
        "某某网 >> 法治 >> 正文\n多地商场摄像头统计客流 专家：不能默认采集\n"
        "2026年11月18日08:21 | 来源：某某网\n小字号\n点击播报本文，约\n"
        "某某网北京11月17日电 （记者 张三）" + ZH_BODY * 3,
    )
    write(
        tmp_path,
        "school.txt",
        "某某政法大学法学院\n当前位置：首页 > 学院新闻 > 学术活动\n人脸识别治理研讨会在我院举行\n"
        "发布者：法学院办公室\u3000发布时间：2026-11-02\u3000点击数：1187\n" + ZH_BODY * 3,
    )
    write(
        tmp_path,
        "wechat-now.txt",
        "酒店只让刷脸入住，我可以说不吗？\n李四 某某圆桌 2026-10-12 09:15 发表于浙江\n\n"
        "本号每周三、周五更新，欢迎星标\n\n" + ZH_BODY * 3,
    )
    write(
        tmp_path,
        "abstract.txt",
        "Separate Consent for Face Data\n\n42 Pages Posted: 3 Oct 2026\n\nDate Written: September 14, 2026\n\n"
        + BODY * 3
        + "\nJEL Classification:\n\nK24, K23, O33\n\nAbstract Views 1,406\n\nDownloads 318\n",
    )
    docs = {d.meta.id: d for d in load_user_commentary([tmp_path], load_manifest())}
    copy, school, wechat = docs["copy"], docs["school"], docs["wechat-now"]
    assert (copy.meta.title_zh, copy.meta.authors, copy.meta.date) == (
        "多地商场摄像头统计客流 专家：不能默认采集",
        ("张三",),
        "2026-11-18",
    )
    assert (school.meta.title_zh, school.meta.outlet, school.meta.date) == (
        "人脸识别治理研讨会在我院举行",
        "某某政法大学法学院",
        "2026-11-02",
    )
    assert (wechat.meta.authors, wechat.meta.outlet, wechat.meta.date) == (("李四",), "某某圆桌", "2026-10-12")
    for doc_id, furniture in (
        ("copy", ("正文", "来源", "字号", "播报")),
        ("school", ("发布者", "点击数", "当前位置")),
        ("wechat-now", ("发表于", "星标")),
        ("abstract", ("Pages Posted", "Date Written", "JEL", "K24", "Abstract Views", "Downloads")),
    ):
        text = " ".join(p.text for p in docs[doc_id].parsed.passages)
        for f in furniture:
            assert f not in text, (doc_id, f)


def test_pasted_forum_thread_record_page_and_briefing(tmp_path: Path) -> None:
    """A forum thread's widgets, a journal database record's field labels, a law firm
    briefing's disclaimers: none is text, and a community's founding date is no article date."""
    write(
        tmp_path,
        "thread.txt",
        "r/example\nPosted by u/example_user · 3 mo. ago\n\nCan my gym make me scan my face?\n\n"
        + BODY * 3
        + "\nShare  Save  Report\n87 upvotes · 41 comments\nSort by: Best\n\n"
        + BODY
        + "\nView more comments (34)\n\nAbout Community\nCreated Mar 14, 2011 · 212k members\n",
    )
    write(
        tmp_path,
        "record.txt",
        "人脸识别唯一验证方式的规制\n\n" + ZH_BODY * 3 + "\n关键词：人脸识别；替代方式\n"
        "基金资助：国家社会科学基金青年项目\n分类号：D922.1\n",
    )
    write(
        tmp_path,
        "briefing.txt",
        BODY * 3 + "\nThis briefing is for general information only and does not constitute legal advice.\n\n"
        "Example LLP is not licensed to practise PRC law.\n\nAttorney advertising.\n\n"
        "Download the full report (PDF, 2.4 MB)\n\nMedia enquiries:\n\npress@example.org\n",
    )
    docs = {d.meta.id: d for d in load_user_commentary([tmp_path], load_manifest())}
    assert docs["thread"].meta.date is None
    for doc_id, furniture in (
        ("thread", ("Posted by", "Share", "upvotes", "Sort by", "View more", "About Community", "212k")),
        ("record", ("关键词", "基金资助", "分类号")),
        ("briefing", ("general information only", "not licensed", "Attorney advertising", "Download", "press@")),
    ):
        text = " ".join(p.text for p in docs[doc_id].parsed.passages)
        for f in furniture:
            assert f not in text, (doc_id, f)


def test_pasted_headers_of_an_event_recap_a_help_page_a_paper_and_a_split_wechat_header(tmp_path: Path) -> None:
    """Header forms: a recap's "Posted DD.MM.YYYY | Recap written by" under an event's
    breadcrumb (its edition year is not the site's name); a help centre's masthead, with
    "Last updated … · Effective …" under a headline in sentence case; a paper's masthead with
    its column and a "第07版 星期一" date line; a WeChat header whose date has its own line
    (with the place after the time); a "文 / author | outlet | date" line."""
    write(
        tmp_path,
        "recap.txt",
        "Example Policy Forum 2026 › Sessions › Day 1\nPanel notes: what the filing rules changed\n"
        "Posted 05.03.2026 09:10 | Recap written by Jane Roe\n\n" + BODY * 3,
    )
    write(
        tmp_path,
        "help.txt",
        "Example Pay Help Center\nSearch articles...\nHelp Center > Policies > Notices\n"
        "Updates to our privacy notice: face login for members\nLast updated: May 2, 2026 · Effective June 1, 2026\n\n"
        + BODY * 3
        + "\n© 2026 Example Pay (Shanghai) Co., Ltd. | Terms\n",
    )
    write(
        tmp_path,
        "paper.txt",
        "某某法治报 · 法治视点\n员工刷脸打卡，公司能强制吗\n2026-03-09　第05版　星期一\n作者：张三\n\n" + ZH_BODY * 3,
    )
    write(
        tmp_path,
        "wechat.txt",
        "孩子刷脸入园，家长要注意什么？\n原创 张三 李四 某某律师事务所\n某某律师事务所\n"
        "2026年4月1日 08:30 北京\n\n" + ZH_BODY * 3,
    )
    write(
        tmp_path,
        "review.md",
        "# 两款人脸门锁对比：谁更省电？\n\n文 / 王五　|　某某数码　|　2026.02.03 10:32\n\n" + ZH_BODY * 3,
    )
    docs = {d.meta.id: d.meta for d in load_user_commentary([tmp_path], load_manifest())}
    got = {k: (m.title_en or m.title_zh, m.outlet, m.authors, m.date) for k, m in docs.items()}
    assert got == {
        "recap": ("Panel notes: what the filing rules changed", "Example Policy Forum", ("Jane Roe",), "2026-03-05"),
        "help": ("Updates to our privacy notice: face login for members", "Example Pay", (), "2026-05-02"),
        "paper": ("员工刷脸打卡，公司能强制吗", "某某法治报", ("张三",), "2026-03-09"),
        "wechat": ("孩子刷脸入园，家长要注意什么？", "某某律师事务所", ("张三", "李四"), "2026-04-01"),
        "review": ("两款人脸门锁对比：谁更省电？", "某某数码", ("王五",), "2026-02-03"),
    }


def test_a_team_beside_the_date_is_no_author(tmp_path: Path) -> None:
    write(
        tmp_path,
        "faq.txt",
        "Example Pay Help Center › Account › Face login\n\n# Face login: questions and answers\n\n"
        "Example Pay Support\nUpdated August 5, 2026 · 6 min read\n\n" + BODY * 3,
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.outlet, doc.meta.authors, doc.meta.date) == ("Example Pay", (), "2026-08-05")


def test_a_declared_by_line_an_editors_credit_a_kicker_and_a_newsletter_tagline(tmp_path: Path) -> None:
    """A by-line declared whole in front matter gives its names, not its role words; the
    paragraph above the editors' credits is text, not a caption; a section label above an
    HTML headline is not text; a newsletter's tagline with its full stop, in two languages,
    and its "You are receiving <name> because …" are not text."""
    last = "演出结束后，周边道路一度拥堵，地铁延长运营到午夜。"
    write(
        tmp_path,
        "news.md",
        '---\ntitle: 刷脸入场引发争议\nbyline: "某某晚报记者 张三 通讯员 李四"\n---\n\n'
        + ZH_BODY * 3
        + "\n"
        + last
        + "\n\n编辑：王五　校对：赵六\n",
    )
    write(
        tmp_path,
        "page.html",
        "<html lang='en'><head><title>Schools pause face pay</title></head><body><article>"
        "<p>SCHOOLS</p><h1>Schools pause face pay</h1>" + ("<p>" + BODY + "</p>") * 3 + "</article></body></html>",
    )
    write(
        tmp_path,
        "letter.md",
        "*A monthly bilingual digest of privacy rules in Asia. 每月一期的中英双语合规简报。*\n\n"
        + BODY * 3
        + "\nYou are receiving Example Monthly because you subscribed at example.com.\n",
    )
    docs = {d.meta.id: d for d in load_user_commentary([tmp_path], load_manifest())}
    assert docs["news"].meta.authors == ("张三", "李四")
    assert [p.text for p in docs["news"].parsed.passages][-1] == last
    assert "SCHOOLS" not in [p.text for p in docs["page"].parsed.passages]
    letter = " ".join(p.text for p in docs["letter"].parsed.passages)
    assert "digest" not in letter and "简报" not in letter and "receiving" not in letter


@pytest.mark.parametrize("credit", ["（通讯员 张三 李四）", "（本报记者 王五 通讯员 赵六）"])
def test_a_bracketed_credit_alone_before_the_first_sentence_is_cut(tmp_path: Path, credit: str) -> None:
    first = "9月1日，某区法院公开宣判了一起人脸信息案件。"
    write(tmp_path, "release.txt", "某区法院宣判人脸信息案\n\n" + credit + first + "\n\n" + ZH_BODY * 3)
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.parsed.passages[0].text == first


def test_a_news_lead_and_end_mark_are_cut_from_their_paragraphs(tmp_path: Path) -> None:
    """ "本报讯（记者 张三）" before the first sentence and "（完）" after the last are not text;
    the passages' offsets still lead back to the file (text and HTML alike)."""
    first, last = "昨日起，全市小区恢复刷卡通行。", "目前，七家小区已完成整改。"
    write(
        tmp_path,
        "news.md",
        "# 小区恢复刷卡\n\n**某某晚报讯**（记者 张三） " + first + "\n\n" + ZH_BODY * 3 + "\n" + last + "（完）\n",
    )
    write(
        tmp_path,
        "news2.html",
        "<html lang='zh-CN'><head><title>小区恢复刷卡</title></head><body><article><h1>小区恢复刷卡</h1>"
        "<p>本报讯 "
        + first
        + "</p>"
        + ("<p>" + ZH_BODY + "</p>") * 3
        + "<p>"
        + last
        + "（完）</p></article></body></html>",
    )
    for doc in load_user_commentary([tmp_path], load_manifest()):
        body = [p for p in doc.parsed.passages if p.kind == "paragraph"]
        assert (body[0].text, body[-1].text) == (first, last), doc.meta.id
        source = doc.extracted_text if doc.extracted_text is not None else doc.source.text
        for p in doc.parsed.passages:
            assert normalise(source[p.source.start : p.source.end]) == p.text


def test_a_chinese_author_meta_tag_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "zh-page.html",
        "<html lang='zh-CN'><head><title>新规解读</title><meta name='author' content='郑小雨'></head>"
        "<body><article><p>" + ZH_BODY * 3 + "</p></article></body></html>",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.authors == ("郑小雨",)


def test_missing_metadata_stays_unknown(tmp_path: Path) -> None:
    write(tmp_path, "bare.txt", BODY * 3)
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.title_en, doc.meta.authors, doc.meta.date, doc.meta.outlet) == (None, (), None, None)
    assert doc.meta.extra["language"] == "en"


# ------------------------------------------------------------------ hostile files


def deep_html(levels: int) -> str:
    return "<html><body>" + "<div>" * levels + "<p>" + BODY * 3 + "</p>" + "</div>" * levels + "</body></html>"


HOSTILE: list[tuple[str, str | bytes, type[KBError], str]] = [
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), EncodingError, r"binary data"),
    (
        "controls.md",
        "".join(chr(random.Random(3).choice([1, 2, 3, 4, 5, 6, 14, 15, 16, 17])) for _ in range(3000)) + BODY,
        EncodingError,
        r"control characters .*: binary data, not text",
    ),
    ("deep.html", deep_html(MAX_DEPTH + 50), ParseError, rf"elements nested more than {MAX_DEPTH} deep"),
    (
        "bomb.html",
        '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<html><body><p>&b;&b;&b;</p></body></html>",
        ParseError,
        r"bomb\.html:1: declares XML entities",
    ),
    (
        "fake.html",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(1, 200)),
        EncodingError,
        r"fake\.html:\d+: binary data",
    ),
]


@pytest.mark.parametrize(("name", "data", "error", "pattern"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_is_an_error_naming_it(
    tmp_path: Path, name: str, data: str | bytes, error: type[KBError], pattern: str
) -> None:
    write(tmp_path, name, data)
    with pytest.raises(error, match=pattern) as caught:
        load_user_commentary([tmp_path], load_manifest())
    assert name in str(caught.value)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as fh:
        fh.truncate(MAX_COMMENTARY_BYTES + 1)
    with pytest.raises(EncodingError, match=r"huge\.html: file is 2,097,153 bytes, over the 2 MiB limit"):
        load_user_commentary([tmp_path], load_manifest())


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("long.txt", (BODY + "\n") * 5000),
        ("long.html", "<html><body><article>" + "".join(f"<p>{i}. {BODY}</p>" for i in range(5000)) + "</article>"),
    ],
    ids=["txt", "html"],
)
def test_a_text_too_long_for_one_article_is_refused(tmp_path: Path, name: str, text: str) -> None:
    write(tmp_path, name, text)
    with pytest.raises(EncodingError, match=rf"{name}: \d{{3}},\d{{3}} characters of text, over the 400,000 limit"):
        load_user_commentary([tmp_path], load_manifest())


def test_a_minified_page_on_one_line_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "mini.html",
        "<html><body><article>" + "<p>" + BODY * 3 + "</p>" + "<!--" + "x" * 1_100_000 + "--></article></body></html>",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.parsed.passages


def test_malformed_markup_is_read_or_refused_clearly(tmp_path: Path) -> None:
    write(
        tmp_path,
        "broken.html",
        "<html><body><article><p>" + BODY * 3 + "<div><span><p><b>unclosed <<<>>> &bogus; </i></td></article>",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert any("The draft bans face scans" in p.text for p in doc.parsed.passages)


def test_scripts_styles_handlers_and_iframes_never_reach_a_passage(tmp_path: Path) -> None:
    evil = (
        "<html><head><style>.x{display:none}</style><script>steal()</script>"
        "<link rel='canonical' href='javascript:steal()'><meta property='og:url' content='javascript:steal()'></head>"
        "<body onload='steal()'><article><h1>Rules</h1>"
        "<p onclick='steal()'>" + BODY * 3 + "</p><iframe srcdoc='<p>framed text here</p>'></iframe>"
        "<noscript>enable javascript please now</noscript><svg><script>alert(1)</script></svg>"
        "<p>" + BODY + "<script>document.write('injected words here')</script></p></article></body></html>"
    )
    write(tmp_path, "evil.html", evil)
    write(
        tmp_path,
        "evil-md.md",
        "<script>\nsteal()\n</script>\n<style>p{}</style>\n" + BODY + "<iframe src='x'></iframe>\n",
    )
    write(tmp_path, "evil-txt.txt", BODY + "<script>alert('x')</script>\n" + BODY)
    docs = load_user_commentary([tmp_path], load_manifest())
    assert all(d.meta.url is None for d in docs)  # a javascript: address is never a link
    text = " ".join(p.text for d in docs for p in d.parsed.passages)
    for needle in ("steal", "display", "framed", "javascript", "alert", "injected", "<", "onclick", "onload"):
        assert needle not in text


# ---------------------------------------------------------------------- the build

MINI_MANIFEST = (PROJECT_ROOT / "tests" / "fixtures" / "hostile" / "statute.zh.txt").read_text(encoding="utf-8")


def mini_settings(tmp_path: Path, commentary: list[Path]) -> Settings:
    """A one-statute manifest (the hostile fixture statute) and the given commentary folders."""
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    shutil.copy(PROJECT_ROOT / "tests" / "fixtures" / "hostile" / "statute.zh.txt", root / "statute.zh.txt")
    corpus = tmp_path / "corpus"
    if not corpus.exists():
        shutil.copytree(get_settings().corpus_dir, corpus)
    title = MINI_MANIFEST.split("\n", 1)[0]
    (corpus / "manifest.toml").write_text(
        f'version = 1\n\n[[document]]\nid = "face-law"\nkind = "law"\ntitle_zh = "{title}"\nstatus = "in_force"\n'
        '[[document.source]]\npath = "statute.zh.txt"\n',
        encoding="utf-8",
    )
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'kb.sqlite'}",
        source_root=root,
        corpus_dir=corpus,
        commentary_dirs=commentary,
    )


def test_build_with_commentary_then_a_failed_build_keeps_the_old_database(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder, "faces-at-the-gate.md", "---\ntitle: Faces at the Gate\ndiscusses: [face-law]\n---\n" + BODY * 2)
    write(folder, "人脸识别解读.txt", ZH_BODY * 2)
    settings = mini_settings(tmp_path, [folder])
    report = build(settings, workers=1)
    assert report.passages >= 2
    db = settings.sqlite_path
    assert db is not None
    before = db.read_bytes()
    with sqlite3.connect(db) as conn:
        ids = {r[0] for r in conn.execute("select id from documents where kind = 'commentary'")}
        info = dict(conn.execute("select key, value from build_info").fetchall())
    assert ids == {"faces-at-the-gate", "ren-lian-shi-bie-jie-du"}
    assert info["commentary_folders"] == str(folder.resolve())
    with sqlite3.connect(db) as conn:
        zh = conn.execute(
            "select kind, label from annotations where target_id like 'ren-lian-shi-bie-jie-du/%'"
        ).fetchall()
        speaker = conn.execute("select speaker from passages where id = 'ren-lian-shi-bie-jie-du/p_1'").fetchone()
    assert ("topic", "retention-security") in zh  # Chinese patterns for Chinese text (存储)
    assert ("reported_speech", "某律师") in zh  # 某律师表示: an unnamed speaker, by role
    assert speaker is not None

    write(folder, "broken.md", "---\ndate: someday\n---\n" + BODY)
    with pytest.raises(ParseError, match=r"broken\.md:1: front matter field date"):
        build(settings, workers=1)
    assert db.read_bytes() == before  # the previous database is still serving, untouched


def test_commentary_dirs_setting_reads_a_json_list(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KB_COMMENTARY_DIRS", json.dumps([str(tmp_path / "a"), str(tmp_path / "b")]))
    assert Settings().commentary_dirs == [tmp_path / "a", tmp_path / "b"]


def test_cli_names_the_bad_file_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    write(folder, "notes.md", "---\ndiscusses: [nope-2099]\n---\n" + BODY)
    settings = mini_settings(tmp_path, [])
    env = {
        "PYTHONPATH": str(PROJECT_ROOT),
        "KB_SOURCE_ROOT": str(settings.source_root),
        "KB_CORPUS_DIR": str(settings.corpus_dir),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kb",
            "ingest",
            "--db",
            str(tmp_path / "x.sqlite"),
            "--commentary",
            str(folder),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: {folder}/notes.md: discusses unknown document id 'nope-2099' (not in the manifest or the other files)"
    ]


# ------------------------------------------------------------------ Chinese speakers


def _zh_speaker(text: str) -> str:
    from kb.annotate.speakers.zh import find_quotes_zh, find_reported_speech_zh
    from kb.ingest.sentences import split_sentences
    from kb.model import DocumentMeta, Passage

    meta = DocumentMeta(id="d", kind="commentary", extra={"language": "zh"})
    ps = [Passage("d", 1, text, sentences=split_sentences(text))]
    found = [a for a in [*find_quotes_zh(ps, meta), *find_reported_speech_zh(ps, meta)] if a.label]
    return found[0].label if found else ""


def _zh_examples() -> list[tuple[str, str]]:
    from kb.annotate.speakers.zh import load_zh_lexicon

    return [(e.text, e.speaker) for e in load_zh_lexicon().examples]


@pytest.mark.parametrize(("text", "speaker"), _zh_examples())
def test_chinese_speaker_examples(text: str, speaker: str) -> None:
    assert _zh_speaker(text) == speaker


def test_chinese_news_speakers(fixtures: dict[str, UserCommentary]) -> None:
    """The speakers the fixture's notes list (dev file): who carries which passage."""
    from kb.annotate.speakers.zh import find_quotes_zh, find_reported_speech_zh, passage_speakers_zh

    doc = fixtures["xiaoqu-shualian-news"]
    ps, meta = doc.parsed.passages, doc.meta
    quotes = find_quotes_zh(ps, meta)
    labels = {a.label for a in [*quotes, *find_reported_speech_zh(ps, meta)] if a.label}
    assert {"王女士", "市网信办相关负责人", "刘明远", "商场工作人员", "技术人员"} <= labels
    assert not labels & {"记者", "《办法》", "司法", "以下简"}
    voices = passage_speakers_zh(ps, meta, quotes)
    assert voices["xiaoqu-shualian-news/p_2"] == SpeakerInfo("王女士", None, "quoted")
    assert voices["xiaoqu-shualian-news/p_3"].name == "市网信办相关负责人"
    assert voices["xiaoqu-shualian-news/p_1"] == SpeakerInfo("孙悦", None, "author")


# ------------------------------------------------------------------ Chinese stance


def _zh_stance_cases() -> list[tuple[str, str, bool]]:
    from kb.annotate.stance_zh import load_zh_cues

    cues = load_zh_cues()
    return [
        (text, label, should)
        for label, side in (("sceptical", cues.sceptical), ("supportive", cues.supportive))
        for texts, should in ((side.examples, True), (side.near_misses, False))
        for text in texts
    ]


@pytest.mark.parametrize(("text", "label", "should"), _zh_stance_cases())
def test_chinese_stance_examples(text: str, label: str, should: bool) -> None:
    from kb.annotate.stance_zh import stance_of_zh

    assert (stance_of_zh(text).label == label) is should


# ------------------------------------------------------------------ rules, not copies


def test_furniture_rules_do_not_copy_the_seed_articles(source_root: Path) -> None:
    """The cleaner's rules name kinds of furniture, not lines of the five captured articles:
    no example, counter-example or multi-word vocabulary item is a string of theirs."""
    import tomllib

    raw = tomllib.loads((PROJECT_ROOT / "corpus" / "commentary_rules.toml").read_text(encoding="utf-8"))
    seed = "\n".join(
        normalise(p.read_text(encoding="utf-8")).casefold()
        for p in (source_root / "corpus" / "commentary").glob("*.txt")
    )
    strings: list[str] = []
    for section in (*raw.get("sentence_cue", {}).values(), *raw.get("line", {}).values(), raw.get("bio", {})):
        strings += [*section.get("examples", []), *section.get("counter_examples", [])]
    vocab = [w for words in raw.get("vocab", {}).values() for w in words if "." in w]
    # Short phrases ("Skip to main content", "Footer menu") are every site's words; longer
    # strings, and anything with a number, handle or domain, would be the articles' own.
    specific = [s for s in [*strings, *vocab] if len(s.split()) >= 4 or any(c in s for c in "@.0123456789")]
    generic = {"skip to main content"}  # the accessibility link of most sites
    copied = [s for s in specific if normalise(s).casefold() in seed and s.casefold() not in generic]
    assert copied == []


def test_a_symlink_out_of_the_folder_is_refused_and_loops_are_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    (folder / "a").mkdir(parents=True)
    write(folder / "a", "ok.md", BODY)
    (folder / "a" / "loop").symlink_to("..")
    write(tmp_path, "secret.txt", BODY)
    (folder / "a" / "secret.txt").symlink_to(tmp_path / "secret.txt")
    assert [f.rel for f in discover([folder])] == ["a/ok.md", "a/secret.txt"]
    with pytest.raises(SourceError, match=r"mine/a/secret\.txt: path leads outside"):
        load_user_commentary([folder], load_manifest())


def test_html_without_metadata_takes_the_by_line_and_date_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "plain-page.html",
        "<html><body><article><h1>Faces at the Gate</h1><p>By Jane Doe and Wang Wu</p><p>March 3, 2024</p>"
        "<p>" + BODY * 3 + "</p></article></body></html>",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert (doc.meta.authors, doc.meta.date) == (("Jane Doe", "Wang Wu"), "2024-03-03")
    assert [p.text[:9] for p in doc.parsed.passages] == ["The draft"]


def test_a_chinese_quotation_is_one_sentence_with_its_frame(fixtures: dict[str, UserCommentary]) -> None:
    p = next(p for p in fixtures["xiaoqu-shualian-news"].parsed.passages if p.text.startswith("家住"))
    assert [p.text[s:e] for s, e in p.sentences] == [p.text]  # 告诉记者：「…。…。」 is one sentence


def test_a_page_in_its_declared_charset(tmp_path: Path) -> None:
    page = (
        "<html><head><meta charset='big5'><title>人臉識別新規</title></head><body><article><p>"
        + "《人臉識別技術應用安全管理辦法》將於六月一日起施行，業者應當做好準備。" * 4
        + "</p></article></body></html>"
    )
    write(tmp_path, "big5-page.html", page.encode("big5"))
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.source.encoding == "big5"
    assert doc.parsed.passages[0].text.startswith("《人臉識別技術應用安全管理辦法》將於")


def test_a_cp1252_page_that_says_so_is_read(tmp_path: Path) -> None:
    page = "<html><head><meta charset=windows-1252></head><body><article><p>" + BODY * 3
    page += "The café owner’s “face wall” – gone.</p></article></body></html>"
    write(tmp_path, "cp1252-page.html", page.encode("cp1252"))
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.source.encoding == "cp1252"
    assert "The café owner’s “face wall” – gone." in doc.parsed.passages[0].text


@pytest.mark.parametrize("authors", ["何沛然；江若溪", "何沛然、江若溪", "何沛然; 江若溪", "何沛然，江若溪"])
def test_a_list_of_authors_splits_on_chinese_and_latin_separators(authors: str) -> None:
    fm = split_front_matter(f"---\ntitle: 快讯\nauthors: {authors}\n---\n" + BODY, "a.md")
    assert fm.fields.authors == ("何沛然", "江若溪")


def test_a_show_s_transcript_footer_a_brief_s_author_box_and_a_q_and_a_page_s_bars(tmp_path: Path) -> None:
    """A transcript's note and warning, a show's producer and music credits and its appeal
    for paying supporters; a brief's series blurb ("Views are the authors' own"), its
    "About the authors." run-in box and its "Cite as:" line; a Q&A page's search box,
    counters and action bar, and the other answers under "更多回答": none is text."""
    write(
        tmp_path,
        "show.txt",
        "Full transcript (lightly edited)\n\n" + BODY * 3 + "\nThe Example Hour is produced by Jane Roe. "
        'Theme music: "Morning Fog" by Richard Miles.\n'
        "This transcript is auto-generated and may contain errors. Check the recording before quoting.\n"
        "Back the show on Ko-fi for ad-free episodes.\n",
    )
    write(
        tmp_path,
        "brief.md",
        "---\ntitle: Faces at the gate\nauthors: [Jane Roe, John Doe]\n---\n\n"
        "*Example Papers digest the team's work for a general audience. Views are the authors' own.*\n\n"
        + BODY
        * 3
        + "\n**About the authors.** Jane Roe is a fellow at the Example Centre. "
        "John Doe is a lecturer at the Centre.\n\n"
        'Cite as: Jane Roe and John Doe, "Faces at the gate", Example Papers No. 3 (2026).\n',
    )
    write(
        tmp_path,
        "answer.txt",
        "首页 发现 消息\n搜索你想了解的问题…\n门禁只能刷脸，合法吗？\n关注者 52 被浏览 10,311\n"
        + ZH_BODY * 3
        + "赞同 86 12 条评论 分享 收藏 喜欢\n更多回答\n某网友：我们楼也一样，后来换成刷卡了…\n",
    )
    for doc in load_user_commentary([tmp_path], load_manifest()):
        text = " ".join(p.text for p in doc.parsed.passages)
        for gone in (
            "transcript",
            "produced",
            "Fog",
            "Ko-fi",
            "digest",
            "About",
            "fellow",
            "Cite",
            "搜索",
            "关注者",
            "赞同",
            "更多",
            "网友",
        ):
            assert gone not in text, (doc.meta.id, gone)
    answer = next(d for d in load_user_commentary([tmp_path], load_manifest()) if d.meta.id == "answer")
    assert answer.meta.title_zh == "门禁只能刷脸，合法吗？"


def test_a_show_s_header_a_clipped_feature_s_header_a_school_notice_and_role_words_after_names(
    tmp_path: Path,
) -> None:
    """A podcast's strapline is no headline and its "Hosted by X" meta line is the by-line;
    a slash trail of short crumbs is no headline, and the editor's credit after "撰文：X" is
    no author; a school's name above its notice is the outlet; a job title after a name
    ("By X, Senior Reviewer") and the description after a name in an author box
    ("X，某某法院法官，…") are no authors."""
    write(
        tmp_path,
        "show.txt",
        "EXAMPLE RADIO\nThe Asia data-policy podcast\nEpisode 12: Faces at the border\n"
        "2026.03.02 · 41 min · Hosted by Jane Roe\n" + BODY * 3,
    )
    write(
        tmp_path,
        "feature.md",
        "[首页](https://example.com/) / [快讯](https://example.com/a) / [深度](https://example.com/b)\n\n"
        "# 一家门禁公司的第二年\n\n撰文：张三　编辑：李四\n\n" + ZH_BODY * 3,
    )
    write(
        tmp_path,
        "notice.txt",
        "某某市第一中学\n首页 | 学校概况 | 通知公告\n关于启用食堂刷脸支付的通知\n发布时间：2026-03-02 09:00\n"
        + ZH_BODY * 3,
    )
    write(
        tmp_path,
        "review.html",
        "<html lang='en'><head><title>Door camera review</title></head><body><article><h1>Door camera review</h1>"
        "<p class='byline'>By Jane Roe, Senior Reviewer</p>" + ("<p>" + BODY + "</p>") * 3 + "</article></body></html>",
    )
    write(
        tmp_path,
        "judge.html",
        "<html lang='zh-CN'><head><title>会员刷脸案评析</title></head><body><article><h1>会员刷脸案评析</h1>"
        + ("<p>" + ZH_BODY + "</p>") * 3
        + "<div class='author-box'>王五，某某市某某区人民法院民一庭法官，长期从事民事审判工作。</div>"
        + "</article></body></html>",
    )
    docs = {d.meta.id: d.meta for d in load_user_commentary([tmp_path], load_manifest())}
    show = docs["show"]
    assert (show.title_en, show.outlet, show.authors, show.date) == (
        "Episode 12: Faces at the border",
        "Example Radio",
        ("Jane Roe",),
        "2026-03-02",
    )
    assert (docs["feature"].title_zh, docs["feature"].authors) == ("一家门禁公司的第二年", ("张三",))
    assert (docs["notice"].title_zh, docs["notice"].outlet) == ("关于启用食堂刷脸支付的通知", "某某市第一中学")
    assert docs["review"].authors == ("Jane Roe",)
    assert docs["judge"].authors == ("王五",)


def test_outlets_in_a_reprint_note_and_beside_a_chinese_copyright_names_beside_the_outlet_and_a_handle(
    tmp_path: Path,
) -> None:
    """ "本文由X原创，转载请联系授权" and "X © 2026" name the outlet; "A and B | <the outlet>"
    under a headline names the authors; a site's social handle ("@ExampleRev") gives way to
    the name its <title> spells out, and an author box's "Written by X" line gives X."""
    write(
        tmp_path, "feature.md", "# 一家门禁公司的第二年\n\n" + ZH_BODY * 3 + "\n本文由某某商业原创，转载请联系授权。\n"
    )
    write(tmp_path, "answer.txt", "门禁只能刷脸，合法吗？\n" + ZH_BODY * 3 + "某某问答 © 2026 · 京ICP证000000号\n")
    write(
        tmp_path,
        "wire.txt",
        "EXAMPLE LEDGER\nHotels make face scans the default at check-in\nJane Roe and John Doe | Example Ledger\n"
        "July 21, 2026\n" + BODY * 3,
    )
    write(
        tmp_path,
        "essay.html",
        "<html lang='en'><head><title>Consent | Opinion | Example Policy Review</title>"
        "<meta name='twitter:site' content='@ExampleRev'></head><body><article><h1>Consent</h1>"
        + ("<p>" + BODY + "</p>")
        * 3
        + "</article><aside class='author-box'><p><strong>Written by Jane Roe</strong></p>"
        "<p>Jane Roe is professor of law at the University of Example and a visiting scholar at the Example "
        "Institute in Shanghai, where she writes on consent in data law.</p></aside></body></html>",
    )
    docs = {d.meta.id: d.meta for d in load_user_commentary([tmp_path], load_manifest())}
    assert docs["feature"].outlet == "某某商业"
    assert docs["answer"].outlet == "某某问答"
    assert (docs["wire"].outlet, docs["wire"].authors) == ("Example Ledger", ("Jane Roe", "John Doe"))
    assert (docs["essay"].outlet, docs["essay"].authors) == ("Example Policy Review", ("Jane Roe",))


def test_a_q_and_a_answer_s_header_names_its_author(tmp_path: Path) -> None:
    """A bare name, the answerer's one-line headline and the answer's votes: the name is the
    author, and none of it is text."""
    write(
        tmp_path,
        "answer.txt",
        "门禁只能刷脸，合法吗？\n张小满\n执业律师，关注个人信息保护\n86 人赞同了该回答\n" + ZH_BODY * 3,
    )
    write(
        tmp_path,
        "thread.txt",
        "Can my gym demand my face?\n" + BODY + "Jane Roe\nPrivacy lawyer\n2.4K upvotes\n" + BODY * 3,
    )
    loaded = {d.meta.id: d for d in load_user_commentary([tmp_path], load_manifest())}
    assert loaded["answer"].meta.authors == ("张小满",)
    assert loaded["thread"].meta.authors == ("Jane Roe",)
    for doc in loaded.values():  # the header is no text
        text = " ".join(p.text for p in doc.parsed.passages)
        assert "张小满" not in text and "执业律师" not in text and "Privacy lawyer" not in text


def test_a_paper_s_citation_authors_are_read_surname_first_or_not_as_the_page_writes_them(tmp_path: Path) -> None:
    write(
        tmp_path,
        "paper.html",
        "<html lang='en'><head><title>Consent at the gate</title>"
        "<meta name='citation_author' content='Roe, Jane'><meta name='citation_author' content='Wei, Jiaming'>"
        "</head><body><article><h1>Consent at the gate</h1><p>Jane Roe and Wei Jiaming</p>"
        + ("<p>" + BODY + "</p>") * 3
        + "</article></body></html>",
    )
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.authors == ("Jane Roe", "Wei Jiaming")


def test_a_news_page_meta_line_with_an_update_time_and_a_court_site_s_bracketed_labels(tmp_path: Path) -> None:
    """ "来源：X　作者：记者 A 实习生 B　发布时间：…　更新时间：…" names the paper and its two
    writers, and the paper's name wins over its publishing house in ``<meta name="publisher">``;
    a court site's "【来源】X　【作者】A　【时间】2026年04月01日 09:30" is the same line bracketed."""
    write(
        tmp_path,
        "paper.html",
        "<html lang='zh-CN'><head><title>刷脸就医_民生_某某晚报网</title><meta name='publisher' content='某某晚报社'>"
        "</head><body><div class='article'><h1>医院推刷脸就医</h1><div class='info'>来源：某某晚报　作者：记者 张三 "
        "实习生 李四　发布时间：2026-05-06 07:45　更新时间：2026-05-07 10:20</div><div class='content'>"
        + ("<p>" + ZH_BODY + "</p>") * 3
        + "</div></div></body></html>",
    )
    write(
        tmp_path,
        "court.txt",
        "某某法院网　|　审务公开　|　庭审直播\n某某纠纷案二审图文直播\n"
        "【来源】某某市中级人民法院　【作者】王五　【时间】2026年04月01日 09:30\n\n" + ZH_BODY * 3,
    )
    docs = {d.meta.id: d.meta for d in load_user_commentary([tmp_path], load_manifest())}
    assert (docs["paper"].outlet, docs["paper"].authors, docs["paper"].date) == (
        "某某晚报",
        ("张三", "李四"),
        "2026-05-06",
    )
    assert (docs["court"].outlet, docs["court"].authors, docs["court"].date) == (
        "某某市中级人民法院",
        ("王五",),
        "2026-04-01",
    )


# A bare name beside a date line is the author ("Jane Roe" above "Oct 02, 2025"), but a
# section's heading under the date, with prose right below it, is not.
DATELINE_PAGES = [
    ("name-above-date", "Faces at the Gate\n\nMara Lindqvist\n\nOct 02, 2025\n\n{body}", ("Mara Lindqvist",)),
    ("heading-below-date", "Faces at the Gate\n\nSeptember 2025\n\nExecutive Summary\n\n{body}", ()),
]


@pytest.mark.parametrize(("name", "page", "authors"), DATELINE_PAGES, ids=[p[0] for p in DATELINE_PAGES])
def test_a_bare_name_beside_a_date_line(tmp_path: Path, name: str, page: str, authors: tuple[str, ...]) -> None:
    body = (
        "The new rules require separate consent before a face is scanned at a gate, the regulator said.\n\n"
        "A company that stores the faces of many people must file an assessment with the regulator.\n"
    )
    (tmp_path / f"{name}.txt").write_text(page.format(body=body), encoding="utf-8")
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.authors == authors


def test_a_rule_of_underscores_is_no_passage(tmp_path: Path) -> None:
    page = (
        "Faces at the Gate\n\nThe rules ban face scans in hotel rooms, the regulator said on Friday.\n\n"
        "________________\n\n1 PIPL, art. 28.\n"
    )
    (tmp_path / "rule.txt").write_text(page, encoding="utf-8")
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert [p.text for p in doc.parsed.passages if "__" in p.text] == []
    assert any("hotel rooms" in p.text for p in doc.parsed.passages)


def test_a_cms_page_whose_title_holds_headline_section_and_site(tmp_path: Path) -> None:
    """A law firm's CMS page: <title> 'headline-section-firm' over an <h2> headline, and a meta
    line of labelled fields (作者：… 发布时间：… 浏览次数：…) whose names carry a title (律师)."""
    page = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>门禁刷脸的合规要点-专业文章-某某律师事务所</title></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/articles">专业文章</a></div>
<div class="article"><h2>门禁刷脸的合规要点</h2>
<div class="info">作者：赵一律师、钱二 律师　　发布时间：2025-06-18　　浏览次数：1,203</div>
<div class="content"><p>处理人脸信息应当取得个人的单独同意，不得通过一揽子授权的方式取得同意。</p>
<p>存在其他非人脸识别技术方式的，不得将人脸识别作为唯一验证方式。</p></div></div>
</body></html>"""
    (tmp_path / "cms.html").write_text(page, encoding="utf-8")
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    m = doc.meta
    assert (m.title_zh, m.outlet, m.authors, m.date) == (
        "门禁刷脸的合规要点",
        "某某律师事务所",
        ("赵一", "钱二"),
        "2025-06-18",
    )


def test_the_by_lines_author_links_name_every_author(tmp_path: Path) -> None:
    """<meta name="author"> names the first writer; the by-line's rel="author" links name both."""
    page = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Faces at the Gate</title>
<meta name="author" content="Ada Roe"><meta property="og:site_name" content="Example Policy Lab"></head><body>
<article><h1>Faces at the Gate</h1><div class="post-meta">By <a rel="author">Ada Roe</a> and
<a rel="author">Rui Doe</a> · April 10, 2025</div>
<p>The final measures keep the draft's core: facial recognition needs a specific purpose and necessity.</p>
<p>The filing threshold of 100,000 individuals also survived in the final text of the measures.</p>
</article></body></html>"""
    (tmp_path / "lab.html").write_text(page, encoding="utf-8")
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    assert doc.meta.authors == ("Ada Roe", "Rui Doe")


def test_a_case_digests_repeated_bracketed_labels_are_its_sections(tmp_path: Path) -> None:
    """【基本案情】 and 【裁判结果】 in every case of a digest: section labels, kept as headings, and
    never the outlet; a repeated line with no bracket ("只看该作者" above each post) stays furniture."""
    case = (
        "案例{n}：业主诉物业强制刷脸案\n\n【基本案情】\n\n被告物业在小区出入口安装人脸识别门禁，要求业主录入人脸信息。\n\n"
        "【裁判结果】\n\n法院认为，将人脸识别作为唯一验证方式，业主请求提供其他合理验证方式的，应予支持。\n\n"
    )
    intro = "为贯彻实施个人信息保护法，某某法院今天发布一批涉人脸识别的典型案例。\n\n"
    head = "某某法院发布人脸识别典型案例\n\n发布时间：2025-08-15\n\n"
    page = head + intro + case.format(n="一") + case.format(n="二")
    (tmp_path / "cases.txt").write_text(page, encoding="utf-8")
    (doc,) = load_user_commentary([tmp_path], load_manifest())
    headings = [p.text for p in doc.parsed.passages if p.kind == "heading"]
    assert headings.count("【基本案情】") == 2 and headings.count("【裁判结果】") == 2
    rulings = [p for p in doc.parsed.passages if p.text.startswith("法院认为")]
    assert [p.section for p in rulings] == ["【裁判结果】", "【裁判结果】"]
    assert doc.meta.outlet is None or ("【" not in doc.meta.outlet and "】" not in doc.meta.outlet)


@pytest.mark.parametrize("path", ["/2026/07/03/faces-at-the-gate/", "posts/faces.html"])
def test_a_url_that_is_a_path_on_its_site_is_left_out_with_a_warning(path: str) -> None:
    fm = split_front_matter(f"---\ntitle: Faces\npermalink: {path}\n---\n" + BODY, "a.md")
    assert fm.fields.url is None and fm.fields.title == "Faces"
    assert len(fm.warnings) == 1 and path in fm.warnings[0] and fm.warnings[0].startswith("a.md:1: ")
