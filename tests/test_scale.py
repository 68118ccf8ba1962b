"""The whole body of Chinese law: folders of statutes, their quirks, versions, the pool.

Small fixture folders (``tests/fixtures/scale``, invented texts) cover decisions
numbered 一、二、, duplicate titles, local regulations and versions of one law; one real
build ingests two small folders of corpus-scale (the Constitution and the Criminal
Law). The full corpus is the benchmark's job (``scripts/bench_ingest.py``), not a test's.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.annotate.topics import load_taxonomy, tag_text
from kb.annotate.trie import compact_group, trie_pattern
from kb.errors import ParseError
from kb.ingest.folder import FolderScan, scan_folders
from kb.ingest.sources import SourceText
from kb.ingest.statute import parse_statute
from kb.model import DocumentMeta, ParsedStatute
from kb.pipeline import BuildReport, build
from kb.pipeline.parallel import ordered_map
from kb.pipeline.tagging import ProvisionTagger
from kb.pipeline.tasks import citation_annotations_from
from kb.settings import Settings

SCALE = Path(__file__).parent / "fixtures" / "scale"
META = DocumentMeta(id="demo", kind="law", title_zh="示例法")


def _parse(text: str, *, strict: bool = False) -> ParsedStatute:
    source = SourceText("demo.md", text, "0" * 64, len(text), "utf-8")
    return parse_statute(META, [source], strict=strict)


def _md(body: str) -> str:
    return f"# 示例法\n\n<!-- INFO END -->\n\n{body}\n"


def _eids(parsed: ParsedStatute, level: str | None = None) -> list[str]:
    return [p.eid for p in parsed.provisions if level is None or p.level == level]


# ------------------------------------------------------------------------ the parser


@pytest.mark.parametrize(
    ("body", "articles", "containers"),
    [
        # decisions and amendments: 一、二、 points, quoted paragraphs stay inside them
        ("序文。\n\n一、将第三条修改为：\n\n“新的第三条。”\n\n二、删去第七条。", ["point_1", "point_2"], []),
        # 1. 2. points when there is no 一、; a stray 三、 line among them is a heading
        ("1.甲类案件；\n\n2.乙类案件；\n\n三、其他规定\n\n3.丙类案件。", ["point_1", "point_2", "point_3"], ["chp_3"]),
        # numbering that restarts under each heading is qualified by the heading
        ("## 一、甲\n\n1.一。\n\n## 二、乙\n\n1.二。", ["point_1", "point_2-1"], ["chp_1", "chp_2"]),
        # 第X条 glued to its text counts when its number is the next one …
        ("第一条为了示例，制定本法。\n\n第二条：本法自公布之日起施行。", ["art_1", "art_2"], []),
        # … but a cross-reference opening a paragraph does not
        ("第一条 示例。\n\n第一条规定的情形除外。", ["art_1"], []),
        # a stray space inside the label (第一百二十八 条) is typesetting
        ("第一 条 示例。\n\n第二 条示例二。", ["art_1", "art_2"], []),
        # SPC interpretations: ## 一、 headings are chapters, or sections in a 第X章 chapter
        ("## 一、一般规定\n\n第一条 甲。\n\n## 二、附则\n\n第二条 乙。", ["art_1", "art_2"], ["chp_1", "chp_2"]),
        ("## 第一章 总则\n\n### 一、甲\n\n第一条 甲。", ["art_1"], ["chp_1", "chp_1__sec_1"]),
        # 第X部分 is a part, like 第X编
        ("## 第一部分 总则\n\n第一条 甲。", ["art_1"], ["book_1"]),
        # a table of contents whose chapters have sections gives way to the body
        (
            "## 第一章 甲\n\n### 第一节 子\n\n## 第一章 甲\n\n### 第一节 子\n\n第一条 甲。",
            ["art_1"],
            ["chp_1", "chp_1__sec_1"],
        ),
        # an unnumbered 附则 after numbered books is one more book
        ("## 第一编 总则\n\n第一条 甲。\n\n## 附则\n\n第二条 乙。", ["art_1", "art_2"], ["book_1", "book_2"]),
        # a table row is a line of text, never an article
        ("第一条 下表：\n\n| 第二条 | 罪名 |\n|---|---|\n| 第三条 | 甲罪 |", ["art_1"], []),
    ],
)
def test_structures_without_plain_articles(body: str, articles: list[str], containers: list[str]) -> None:
    parsed = _parse(_md(body))
    assert _eids(parsed, "article") == articles
    assert [p.eid for p in parsed.provisions if p.level in ("book", "chapter", "section")] == containers
    assert not [w for w in parsed.warnings if "gap" in w or "twice" in w]


def test_points_have_labels_paragraphs_and_items() -> None:
    parsed = _parse(_md("序文。\n\n一、将第五条修改为：\n\n（一）甲；\n\n（二）乙。\n\n二、删去第七条。"))
    nodes = {p.eid: p for p in parsed.provisions}
    assert nodes["point_1"].label == "一、" and nodes["point_1"].number == 1
    assert nodes["point_1"].text.startswith("将第五条修改为")
    assert nodes["point_1__para_1__item_2"].text == "（二）乙。"
    assert nodes["preamble"].text == "序文。"


def test_preamble_heading_and_annexes() -> None:
    text = _md(
        "## 序言\n\n前言一。\n\n前言二。\n\n## 第一章 总纲\n\n第一条 甲。\n\n"
        "附件一 名录\n\n1.甲名录\n\n## 一、乙\n\n附：\n\n丙"
    )
    parsed = _parse(text)
    nodes = {p.eid: p for p in parsed.provisions}
    assert nodes["preamble"].text == "前言一。\n前言二。"
    assert nodes["art_1"].text == "甲。"  # the annex does not swell the last article
    assert (nodes["annex_1"].label, nodes["annex_1"].heading) == ("附件一", "名录")
    assert nodes["annex_1"].text == "1.甲名录\n一、乙"
    assert nodes["annex_2"].text == "丙"
    assert not parsed.warnings


def test_markup_is_not_text() -> None:
    parsed = _parse(_md("## 序言\n\n一段。\n\n<!-- FORCE BREAK -->\n\n二段。\n\n第一条 甲。"))
    assert {p.eid: p for p in parsed.provisions}["preamble"].text == "一段。\n二段。"


def test_heading_title_on_its_own_line_joins_the_heading() -> None:
    parsed = _parse(_md("## 第一章\n\n一般规定\n\n第一条 甲。"))
    assert {p.eid: p for p in parsed.provisions}["chp_1"].heading == "一般规定"


@pytest.mark.parametrize(
    ("body", "strict", "outcome"),
    [
        ("只有一段文字。", False, "preamble"),
        ("只有一段文字。", True, "no articles"),
        ("第一条 甲。\n\n第一条 又甲。", False, "appears twice"),
        ("## 第一章 甲\n\n第一条 甲。\n\n## 第一章 乙\n\n第二条 乙。", False, "heading 第一章 appears twice"),
    ],
)
def test_lenient_mode_keeps_what_strict_mode_refuses(body: str, strict: bool, outcome: str) -> None:
    if strict:
        with pytest.raises(ParseError, match=outcome):
            _parse(_md(body), strict=True)
        return
    parsed = _parse(_md(body))
    if outcome == "preamble":
        assert _eids(parsed) == ["preamble"] and any("kept as the preamble" in w for w in parsed.warnings)
    else:
        assert any(outcome in w for w in parsed.warnings)
        ids = _eids(parsed)
        assert len(ids) == len(set(ids))


# ------------------------------------------------------------------------ folders


@pytest.fixture(scope="module")
def scan() -> FolderScan:
    folders = [SCALE / name for name in ("decisions", "duplicates", "local", "versions")]
    return scan_folders(folders, root=SCALE.parent.parent.parent, manifest=())


def _by_title(scan: FolderScan, title: str) -> list[DocumentMeta]:
    return [d.meta for d in scan.documents if d.meta.title_zh == title]


def test_duplicate_titles_get_distinct_deterministic_ids(scan: FolderScan) -> None:
    docs = _by_title(scan, "示例登记办法")
    assert sorted(d.id for d in docs) == ["示例登记办法", "示例登记办法-2021-03-01", "示例登记办法-2021-03-01-2"]
    assert len({d.work for d in docs}) == 1
    by_id = {d.id: d for d in docs}
    # the undated file is taken as the oldest; same-date duplicates do not supersede each other
    assert by_id["示例登记办法-2021-03-01"].supersedes == "示例登记办法"
    assert by_id["示例登记办法-2021-03-01-2"].supersedes == "示例登记办法"
    assert by_id["示例登记办法"].status == "amended"
    again = scan_folders([SCALE / "duplicates"], root=SCALE.parent.parent.parent)
    assert [d.meta.id for d in again.documents] == [d.id for d in docs]


def test_local_regulations_keep_their_province(scan: FolderScan) -> None:
    (data,) = _by_title(scan, "示例省数据条例")
    assert (data.kind, data.province, data.promulgated) == ("local-regulation", "示例省", "2022-01-01")
    # the same title in two provinces is two works, not two versions
    same = _by_title(scan, "物业管理条例")
    assert {d.province for d in same} == {"示例省", "另一省"}
    assert len({d.work for d in same}) == 2 and not any(d.supersedes for d in same)


def test_history_lines_date_a_file_without_a_date_in_its_name(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "示例条例.md").write_text(
        "# 示例条例\n\n2001年7月13日 通过\n\n2011年11月17日 修正\n\n<!-- INFO END -->\n\n第一条 甲。\n",
        encoding="utf-8",
    )
    (meta,) = [d.meta for d in scan_folders([folder], root=tmp_path).documents]
    assert (meta.id, meta.promulgated) == ("示例条例-2011-11-17", "2011-11-17")


def test_manifest_sources_and_versions_are_not_repeated(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    civil = source_root / "corpus-scale" / "民法典"
    pipl = source_root / "corpus-scale" / "行政法" / "个人信息保护法(2021-08-20).md"
    if not civil.is_dir() or not pipl.is_file():
        pytest.skip("corpus-scale is not in the source root")
    scan = scan_folders([civil], root=source_root, manifest=list(manifest.values()))
    assert not scan.documents and len(scan.skipped) == 8
    assert all("civil-code-2020" in s for s in scan.skipped)
    # the same title and date as a manifest document is that document
    folder = pipl.parent
    scan = scan_folders([folder], root=source_root, manifest=list(manifest.values()))
    assert any("个人信息保护法" in s and "pipl-2021" in s for s in scan.skipped)
    assert not any(d.meta.title_zh and d.meta.title_zh.endswith("个人信息保护法") for d in scan.documents)


# ------------------------------------------------------------------------ fast paths


def test_trie_alternation_matches_like_the_plain_one() -> None:
    import re

    names = ["网络安全法", "网络", "数据安全法", "数据安全", "个人信息保护法", "信息安全技术\\s*个人信息安全规范"]
    plain = re.compile("(?P<name>" + "|".join(sorted(names, key=len, reverse=True)) + ")(?!律)")
    fast = compact_group(plain, "name")
    assert fast.pattern != plain.pattern
    text = "依照网络安全法、数据安全法律和数据安全规定，网络运营者……信息安全技术 个人信息安全规范"
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert trie_pattern([["a"], ["a", "b"]]) == "a(?:b)?"


def test_citation_index_for_thousands_of_names_finds_the_same(manifest: dict[str, DocumentMeta]) -> None:
    from kb.annotate.citations import CitationIndex, find_citations

    docs = list(manifest.values()) + [
        DocumentMeta(id=f"law-{i}", kind="law", title_zh=f"示例第{i}号管理条例") for i in range(500)
    ]
    index = CitationIndex.build(docs, {"pipl-2021": frozenset({"art_13", "art_13__para_1"})})
    assert index.zh_regex is not None and "(?:" in index.zh_regex.pattern  # compiled as a trie
    text = "根据个人信息保护法第十三条和示例第12号管理条例、《网络安全法》第四十一条的规定"
    found = {i for c in find_citations(text, index) for i in c.ids}
    assert {"pipl-2021/art_13", "law-12"} <= found
    assert not found & {"law-1", "law-120", "law-121"}  # the longest name wins, not a prefix


def test_citations_found_once_give_the_same_annotations(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    from kb.annotate.citations import CitationIndex, citation_annotations, find_citations
    from kb.ingest.sources import read_source

    docs = list(manifest.values())
    index = CitationIndex.build(docs, {})
    doc = manifest["spc-frt-2021"]
    parsed = parse_statute(doc, [read_source(source_root, s.path) for s in doc.sources])
    found = 0
    for prov in parsed.provisions:
        if prov.level in ("preamble", "paragraph"):
            ctx = {"date": doc.in_force_from, "context_doc": prov.doc_id, "context_eid": prov.eid}
            expected = citation_annotations(prov.id, prov.text, index, **ctx)
            assert citation_annotations_from(prov.id, find_citations(prov.text, index, **ctx)) == expected
            found += len(expected)
    assert found > 10


def test_index_tokens_run_by_run_equal_the_whole_text_segmented(
    manifest: dict[str, DocumentMeta], source_root: Path
) -> None:
    from kb.annotate.nlp import _is_indexable, segment_zh, tokens_for_index
    from kb.ingest.sources import read_source

    def index_tokens(text: str) -> str:  # the whole text at once, no runs, no cache
        return " ".join(tok.lower() for tok in segment_zh(text) if _is_indexable(tok))

    doc = manifest["pipl-2021"]
    parsed = parse_statute(doc, [read_source(source_root, s.path) for s in doc.sources])
    texts = [f"{p.label} {p.text}" for p in parsed.provisions if p.level == "article"][:40]
    texts += ["GB/T 35273—2020《信息安全技术 个人信息安全规范》第5.4条", "  ", "A-1 级, 10%：第（一）项"]
    for text in texts + texts:  # the second round comes from the cache
        assert index_tokens(text) == tokens_for_index(text)


def test_provision_tagger_equals_tag_text(manifest: dict[str, DocumentMeta], source_root: Path) -> None:
    from kb.ingest.sources import read_source

    taxonomy = load_taxonomy()
    tagger = ProvisionTagger(taxonomy)
    assert not tagger.could_match("本条例自公布之日起施行。")
    doc = manifest["pipl-2021"]
    parsed = parse_statute(doc, [read_source(source_root, s.path) for s in doc.sources])
    sample = [p for p in parsed.provisions if p.level in ("article", "paragraph", "item") and p.text][:120]
    for prov in sample:
        assert tagger.tag(prov.id, prov.text) == tag_text(prov.id, prov.text, "zh", taxonomy)


def _square(n: int) -> int:
    return n * n


def test_ordered_map_keeps_order_with_a_pool() -> None:
    assert list(ordered_map(_square, range(40), workers=2, window=3)) == [n * n for n in range(40)]
    assert list(ordered_map(_square, range(5), workers=1)) == [0, 1, 4, 9, 16]


# ------------------------------------------------------------------------ one real build


@pytest.fixture(scope="module")
def scale_build(tmp_path_factory: pytest.TempPathFactory, source_root: Path) -> Iterator[tuple[Settings, BuildReport]]:
    """One build: a one-entry manifest, the fixture folders and two real corpus-scale folders."""
    real = [source_root / "corpus-scale" / "宪法", source_root / "corpus-scale" / "刑法"]
    if not all(f.is_dir() for f in real):
        pytest.skip("corpus-scale is not in the source root")
    tmp = tmp_path_factory.mktemp("scale")
    corpus = tmp / "corpus"
    settings_corpus = Settings().corpus_dir
    shutil.copytree(settings_corpus, corpus, ignore=shutil.ignore_patterns("translations", "manifest.toml"))
    (corpus / "manifest.toml").write_text(
        '[[document]]\nid = "placeholder-law"\nkind = "law"\ntitle_zh = "示例占位法"\n', encoding="utf-8"
    )
    settings = Settings(database_url=f"sqlite:///{tmp / 'scale.sqlite'}", source_root=source_root, corpus_dir=corpus)
    folders = [SCALE / name for name in ("decisions", "duplicates", "local", "versions")] + real
    report = build(settings, folders, workers=2)
    yield settings, report


def _query(settings: Settings, sql: str, *args: object) -> list[tuple[Any, ...]]:
    assert settings.sqlite_path is not None
    with sqlite3.connect(f"file:{settings.sqlite_path}?mode=ro", uri=True) as conn:
        return list(conn.execute(sql, args))


def _doc(settings: Settings, title: str) -> str:
    rows = _query(settings, "SELECT id FROM documents WHERE title_zh = ? ORDER BY id", title)
    assert len(rows) == 1, rows
    return str(rows[0][0])


def test_real_constitution_has_its_preamble_and_articles(scale_build: tuple[Settings, BuildReport]) -> None:
    settings, _ = scale_build
    doc = _doc(settings, "中华人民共和国宪法")
    levels = dict(_query(settings, "SELECT level, count(*) FROM provisions WHERE doc_id = ? GROUP BY level", doc))
    assert levels["preamble"] == 1 and levels["article"] == 143
    (preamble,) = _query(settings, "SELECT text FROM provisions WHERE id = ?", f"{doc}/preamble")
    assert str(preamble[0]).startswith("中国是世界上历史最悠久的国家之一")
    # amendments are numbered on from the earlier ones: a gap from 第一条, reported, not fatal
    amendments = _query(settings, "SELECT count(*) FROM documents WHERE title_zh LIKE '%宪法修正案%'")
    assert amendments[0][0] == 5


def test_real_criminal_law_articles_with_zhi_yi(scale_build: tuple[Settings, BuildReport]) -> None:
    settings, _ = scale_build
    doc = _doc(settings, "中华人民共和国刑法")
    eids = {
        str(r[0]) for r in _query(settings, "SELECT eid FROM provisions WHERE doc_id = ? AND level = 'article'", doc)
    }
    plain = {e for e in eids if e.startswith("art_") and "-" not in e}
    assert plain == {f"art_{n}" for n in range(1, 453)}
    assert {"art_17-1", "art_253-1", "art_120-6"} <= eids
    assert len(eids) - len(plain) > 40
    # 附则 is a container of its own and the annexes do not swell the last article
    assert _query(settings, "SELECT heading FROM provisions WHERE id = ?", f"{doc}/book_3") == [("附则",)]
    last = str(_query(settings, "SELECT text FROM provisions WHERE id = ?", f"{doc}/art_452")[0][0])
    annexes = _query(settings, "SELECT label, text FROM provisions WHERE doc_id = ? AND eid LIKE 'annex_%'", doc)
    assert [label for label, _ in annexes] == ["附件一", "附件二"]
    assert all(str(text)[:20] not in last for _, text in annexes)
    # the amendments are decisions numbered 一、二、: points
    amendment = _doc(settings, "中华人民共和国刑法修正案（九）")
    points = _query(
        settings,
        "SELECT count(*) FROM provisions WHERE doc_id = ? AND eid LIKE 'point_%' AND level = 'article'",
        amendment,
    )
    assert points[0][0] == 52


def test_fixture_decision_and_versions_in_the_database(scale_build: tuple[Settings, BuildReport]) -> None:
    settings, _ = scale_build
    decision = _doc(settings, "示例常务委员会关于修改《示例管理法》的决定")
    points = _query(
        settings, "SELECT eid, label FROM provisions WHERE doc_id = ? AND level = 'article' ORDER BY ordinal", decision
    )
    assert points == [("point_1", "一、"), ("point_2", "二、"), ("point_3", "三、")]
    old, new = "示例信息保护法-2016-01-01", "示例信息保护法-2021-06-01"
    rows = _query(
        settings, "SELECT id, work, supersedes, status FROM documents WHERE id IN (?, ?) ORDER BY id", old, new
    )
    assert rows == [(old, "示例信息保护法", None, "amended"), (new, "示例信息保护法", old, "unknown")]
    assert _query(settings, "SELECT dst FROM links WHERE kind = 'version_of' AND src = ?", new) == [(old,)]
    aligned = dict(
        _query(
            settings,
            "SELECT src, json_extract(evidence, '$.status') FROM links WHERE kind = 'aligned' AND src LIKE ?",
            f"{new}/%",
        )
    )
    assert aligned[f"{new}/art_1"] == "unchanged"
    assert aligned[f"{new}/art_3"] == "added"
    assert aligned[f"{new}/art_4"] in ("renumbered-modified", "modified")
    assert aligned[f"{new}/art_5"] == "renumbered-modified"


def test_citations_reach_folder_laws(scale_build: tuple[Settings, BuildReport]) -> None:
    settings, _ = scale_build
    criminal = _doc(settings, "中华人民共和国刑法")
    # an amendment's point cites the Criminal Law's article it rewrites
    rows = _query(
        settings,
        "SELECT count(*) FROM links WHERE kind = 'cites' AND src LIKE '%刑法修正案%' AND dst LIKE ?",
        f"{criminal}/art_%",
    )
    assert rows[0][0] > 50


def test_build_report_counts_and_warnings(scale_build: tuple[Settings, BuildReport]) -> None:
    settings, report = scale_build
    articles = _query(settings, "SELECT count(*) FROM provisions WHERE level = 'article'")[0][0]
    assert report.articles == articles
    warnings = report.warnings
    assert any("numbering gap" in w and "宪法修正案" in w for w in warnings)
    assert not any("Traceback" in w for w in warnings)


def test_same_database_with_one_or_two_workers(tmp_path: Path, source_root: Path) -> None:
    from sqlalchemy import create_engine

    from kb.store.verify import content_digest

    corpus = tmp_path / "corpus"
    shutil.copytree(Settings().corpus_dir, corpus, ignore=shutil.ignore_patterns("translations", "manifest.toml"))
    (corpus / "manifest.toml").write_text(
        '[[document]]\nid = "placeholder-law"\nkind = "law"\ntitle_zh = "示例占位法"\n', encoding="utf-8"
    )
    digests = []
    for workers in (1, 2):
        db = tmp_path / f"w{workers}.sqlite"
        settings = Settings(database_url=f"sqlite:///{db}", source_root=source_root, corpus_dir=corpus)
        build(settings, [SCALE / "versions", SCALE / "decisions"], workers=workers)
        engine = create_engine(settings.database_url)
        digests.append(content_digest(engine))
        engine.dispose()
    assert digests[0] == digests[1]
