"""Our unofficial English translations (corpus/translations/*.toml) against the Chinese sources.

The sources are read independently of kb.ingest.statute: units are counted here with a
small reader of the two formats (primary line format: one unit per line; corpus-scale
Markdown: one unit per blank-line-separated paragraph), so that a translation that drops
or merges a paragraph, or names an article the source does not have, fails here.
"""

from __future__ import annotations

import doctest
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

import kb.annotate.translations
from kb.annotate.translations import (
    TRANSLATIONS_DIR,
    TranslationFile,
    load_translations,
    read_translation_file,
    translation_files,
)
from kb.errors import ManifestError
from kb.ids import eid_sort_key
from kb.model import Translation
from kb.settings import PROJECT_ROOT, get_settings
from kb.text.numerals import cn_to_int

CORPUS_DIR = PROJECT_ROOT / "corpus"
TRANSLATION_PATHS = sorted((CORPUS_DIR / TRANSLATIONS_DIR).glob("*.toml"))
FILES: dict[str, TranslationFile] = translation_files(CORPUS_DIR)

# What the brief requires: complete documents, and the FRT-relevant articles of the others.
REQUIRED_COMPLETE = (
    "cac-mps-frt-2025",
    "children-pi-2019",
    "csl-2016",
    "csl-2025",
    "dsl-2021",
    "minors-online-2023",
    "network-data-2024",
    "spc-frt-2021",
    "video-image-2025",
    "cac-mps-frt-2025",
)
REQUIRED_ARTICLES: dict[str, tuple[int, ...]] = {
    "civil-code-2020": tuple(range(1032, 1040)),
    # the online-protection chapter (64-80) and the personal-information articles
    "minors-protection-2020": (4, *range(64, 81), 103, 127),
    "minors-protection-2024": (4, *range(64, 81), 103, 127),
}
PIPL = "pipl-2021"
PIPL_ARTICLES = 74

# Glossary: where the Chinese article has the term, the English must use ours.
# Longer Chinese terms come first; a shorter one is checked only on text the longer left.
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("公共安全视频图像信息系统", "public security video image information system"),
    ("个人信息处理者", "personal information handler"),
    ("信息处理者", "information handler"),
    ("人脸信息", "facial information"),
    ("单独同意", "separate consent"),
    ("国家机关", "state organ"),
    ("网络运营者", "network operator"),
)

# ------------------------------------------------------------------ source reader

_CN = "零〇一二两三四五六七八九十百千"
ARTICLE_RE = re.compile(rf"^第([{_CN}]+)条(?:之([{_CN}]+))?(?:[ \u3000]+|$)")
HEADING_RE = re.compile(rf"^(?:#|第[{_CN}]+(?:分编|编|章|节)(?:[ \u3000]|$))")
# Header notes before the first article: （2021年…通过）, 法释〔2021〕15号, 2020年5月28日 …通过.
NOTE_RE = re.compile(r"^[（(].*\d{4}年|〔\d{4}〕\d+号$|^\d{4}年\d{1,2}月\d{1,2}日")
INFO_END = "<!-- INFO END -->"
_BLANK = " \t\u3000\u200b\ufeff\xa0"


@dataclass
class SourceDoc:
    articles: dict[str, list[str]] = field(default_factory=dict)  # eid -> units
    preamble: list[str] = field(default_factory=list)


def _units(text: str, markdown: bool) -> list[str]:
    if markdown:
        body = text.split(INFO_END, 1)[1] if INFO_END in text else text
        paragraphs = re.split(r"\n[" + _BLANK + r"]*\n", body)
        return [p.strip(_BLANK + "\n") for p in paragraphs if p.strip(_BLANK + "\n")]
    lines = [line.strip(_BLANK) for line in text.split("\n")]
    return [line for line in lines if line][1:]  # line 1 is the title


def _eid(match: re.Match[str]) -> str:
    number, sub = match.group(1), match.group(2)
    return f"art_{cn_to_int(number)}" + (f"-{cn_to_int(sub)}" if sub else "")


def _manifest_sources() -> dict[str, list[str]]:
    raw = tomllib.loads((CORPUS_DIR / "manifest.toml").read_text(encoding="utf-8"))
    return {d["id"]: [s["path"] for s in d.get("source", [])] for d in raw["document"]}


MANIFEST_SOURCES = _manifest_sources()


@cache
def source_doc(doc_id: str) -> SourceDoc:
    root = get_settings().source_root
    if not root.is_dir():
        pytest.skip(f"source root {root} is not available")
    doc = SourceDoc()
    current: list[str] | None = None
    for rel in MANIFEST_SOURCES[doc_id]:
        text = (root / rel).read_text(encoding="utf-8")
        for unit in _units(text, markdown=rel.endswith(".md")):
            if m := ARTICLE_RE.match(unit):
                eid = _eid(m)
                assert eid not in doc.articles, f"{rel}: {eid} twice"
                current = doc.articles[eid] = []
                rest = unit[m.end() :].strip(_BLANK)
                if rest:
                    current.append(rest)
            elif HEADING_RE.match(unit):
                current = None
            elif current is not None:
                current.append(unit)
            elif not doc.articles and not NOTE_RE.search(unit):
                doc.preamble.append(unit)
    return doc


def test_reader_counts_known_articles() -> None:
    """The reader itself, on articles whose shape we know."""
    spc = source_doc("spc-frt-2021")
    assert len(spc.articles) == 16
    assert len(spc.articles["art_2"]) == 9  # lead-in + 8 items
    assert len(spc.preamble) == 1
    civil = source_doc("civil-code-2020")
    assert len(civil.articles) == 1260
    assert len(civil.articles["art_1035"]) == 6
    assert civil.preamble == []
    assert len(source_doc("csl-2016").articles["art_76"]) == 6


# ------------------------------------------------------------------ the files


def test_there_are_translation_files() -> None:
    assert len(TRANSLATION_PATHS) >= len(REQUIRED_COMPLETE) + len(REQUIRED_ARTICLES)


@pytest.mark.parametrize("path", TRANSLATION_PATHS, ids=lambda p: p.stem)
def test_file_loads(path: Path) -> None:
    tf = read_translation_file(path)
    assert tf.doc_id == path.stem
    assert tf.status == "unofficial"
    assert tf.note and "unofficial" in tf.note.lower()
    assert tf.articles


@pytest.mark.parametrize("doc_id", sorted(FILES))
def test_doc_id_is_in_manifest(doc_id: str) -> None:
    assert doc_id in MANIFEST_SOURCES
    assert MANIFEST_SOURCES[doc_id], f"{doc_id} has no source text to translate"


ARTICLE_CASES = [(doc_id, eid) for doc_id, tf in sorted(FILES.items()) for eid in tf.articles]


@pytest.mark.parametrize(("doc_id", "eid"), ARTICLE_CASES, ids=[f"{d}/{e}" for d, e in ARTICLE_CASES])
def test_article_exists_and_lines_match_source(doc_id: str, eid: str) -> None:
    doc = source_doc(doc_id)
    units = doc.preamble if eid == "preamble" else doc.articles.get(eid)
    assert units, f"{doc_id}: the source has no {eid}"
    english = FILES[doc_id].articles[eid].split("\n")
    assert len(english) == len(units), f"{doc_id}/{eid}: {len(english)} lines, source has {len(units)}"
    for zh, en in zip(units, english, strict=True):
        # an item （三） is rendered (3); a paragraph is not rendered as an item
        item = re.match(rf"^[（(]([{_CN}]+)[）)]", zh)
        if item:
            assert en.startswith(f"({cn_to_int(item.group(1))}) "), f"{doc_id}/{eid}: {en[:40]!r}"
        else:
            assert not re.match(r"^\(\d+\) ", en), f"{doc_id}/{eid}: {en[:40]!r} is not an item"


@pytest.mark.parametrize("doc_id", sorted(d for d, tf in FILES.items() if tf.complete))
def test_complete_files_cover_every_article(doc_id: str) -> None:
    doc = source_doc(doc_id)
    translated = set(FILES[doc_id].articles)
    expected = set(doc.articles) | ({"preamble"} if doc.preamble else set())
    assert sorted(expected - translated, key=eid_sort_key) == []
    assert sorted(translated - expected, key=eid_sort_key) == []


@pytest.mark.parametrize("doc_id", REQUIRED_COMPLETE)
def test_required_complete_documents(doc_id: str) -> None:
    assert doc_id in FILES, f"{doc_id}.toml is missing"
    assert FILES[doc_id].complete is True


@pytest.mark.parametrize(("doc_id", "numbers"), sorted(REQUIRED_ARTICLES.items()))
def test_required_partial_articles(doc_id: str, numbers: tuple[int, ...]) -> None:
    assert doc_id in FILES, f"{doc_id}.toml is missing"
    assert FILES[doc_id].complete is False
    missing = [n for n in numbers if f"art_{n}" not in FILES[doc_id].articles]
    assert missing == []


def test_pipl_translation_is_complete() -> None:
    assert PIPL in FILES, f"corpus/translations/{PIPL}.toml is missing"
    assert FILES[PIPL].complete is True
    assert len(source_doc(PIPL).articles) == PIPL_ARTICLES
    assert {f"art_{n}" for n in range(1, PIPL_ARTICLES + 1)} <= set(FILES[PIPL].articles)


def _remaining(chinese: str, term: str) -> str:
    """The Chinese text with longer glossary terms that contain ``term`` removed."""
    for longer, _ in GLOSSARY:
        if term in longer and longer != term:
            chinese = chinese.replace(longer, "")
    return chinese


@pytest.mark.parametrize("doc_id", sorted(FILES))
def test_glossary_terms_are_used(doc_id: str) -> None:
    doc = source_doc(doc_id)
    problems = []
    for eid, english in FILES[doc_id].articles.items():
        chinese = "\n".join(doc.preamble if eid == "preamble" else doc.articles.get(eid, []))
        for zh, en in GLOSSARY:
            if zh in _remaining(chinese, zh) and en not in english.lower():
                problems.append(f"{eid}: {zh} but no {en!r}")
    assert problems == []


# ------------------------------------------------------------------ the loader


def test_load_translations_returns_every_article_in_document_order() -> None:
    loaded = load_translations(CORPUS_DIR)
    assert len(loaded) == sum(len(tf.articles) for tf in FILES.values())
    assert all(isinstance(t, Translation) and t.status == "unofficial" for t in loaded)
    ids = [t.provision_id for t in loaded]
    assert len(ids) == len(set(ids))
    spc = [t.eid for t in loaded if t.doc_id == "spc-frt-2021"]
    assert spc[:3] == ["preamble", "art_1", "art_2"]
    assert spc.index("art_2") < spc.index("art_10")


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["art_10", "art_2", "preamble"], ["preamble", "art_2", "art_10"]),
        (["art_17-1", "art_18", "art_17"], ["art_17", "art_17-1", "art_18"]),
        (["art_1039", "art_1032"], ["art_1032", "art_1039"]),
    ],
)
def test_eid_sort_key(keys: list[str], expected: list[str]) -> None:
    assert sorted(keys, key=eid_sort_key) == expected


def test_no_translations_folder_means_no_translations(tmp_path: Path) -> None:
    assert translation_files(tmp_path) == {}
    assert load_translations(tmp_path) == ()


GOOD_HEAD = 'status = "unofficial"\ncomplete = false\nnote = "Unofficial."\n'


def _file(doc_id: str, body: str) -> str:
    return f'doc_id = "{doc_id}"\n{GOOD_HEAD}{body}'


# (file stem, file content, words the error message must contain besides the file name)
MALFORMED: list[tuple[str, str, tuple[str, ...]]] = [
    ("broken", 'doc_id = "broken"\nstatus = \n', ()),
    (
        "official",
        'doc_id = "official"\nstatus = "official"\ncomplete = true\nnote = "x"\n[articles]\nart_1 = "x"\n',
        ("status", "unofficial"),
    ),
    (
        "no-complete",
        'doc_id = "no-complete"\nstatus = "unofficial"\nnote = "x"\n[articles]\nart_1 = "x"\n',
        ("complete",),
    ),
    ("renamed", _file("other-doc", '[articles]\nart_1 = "x"\n'), ("doc_id", "renamed")),
    ("bad-key", _file("bad-key", '[articles]\narticle_1 = "x"\n'), ("articles.article_1",)),
    ("zero-key", _file("zero-key", '[articles]\nart_01 = "x"\n'), ("articles.art_01",)),
    (
        "label",
        _file("label", '[articles]\nart_1 = "Article 1 This Law applies."\n'),
        ("articles.art_1", "label"),
    ),
    ("zh-label", _file("zh-label", '[articles]\nart_2 = "第二条 本法"\n'), ("articles.art_2", "label")),
    (
        "blank-line",
        _file("blank-line", '[articles]\nart_3 = """One.\n\nTwo."""\n'),
        ("articles.art_3", "blank"),
    ),
    ("empty-text", _file("empty-text", '[articles]\nart_4 = "  "\n'), ("articles.art_4", "empty")),
    ("not-text", _file("not-text", "[articles]\nart_5 = 5\n"), ("articles.art_5", "string")),
    ("no-articles", _file("no-articles", "[articles]\n"), ("articles", "empty")),
    ("typo", _file("typo", 'translater = "me"\n[articles]\nart_1 = "x"\n'), ("translater",)),
    (
        "bool",
        'doc_id = "bool"\nstatus = "unofficial"\ncomplete = "yes"\nnote = "x"\n[articles]\nart_1 = "x"\n',
        ("complete", "bool"),
    ),
]


@pytest.mark.parametrize(("stem", "content", "words"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_file_raises_manifest_error_naming_file(
    tmp_path: Path, stem: str, content: str, words: tuple[str, ...]
) -> None:
    folder = tmp_path / TRANSLATIONS_DIR
    folder.mkdir()
    (folder / f"{stem}.toml").write_text(content, encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        translation_files(tmp_path)
    message = str(info.value)
    assert f"{stem}.toml" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("value", "lines"),
    [
        ('"One line."', ["One line."]),
        ('"""\nFirst.\n(1) item;\n"""', ["First.", "(1) item;"]),  # outer newlines are not units
        ('"Article 5 of the Civil Code applies."', ["Article 5 of the Civil Code applies."]),
    ],
)
def test_well_formed_values(tmp_path: Path, value: str, lines: list[str]) -> None:
    folder = tmp_path / TRANSLATIONS_DIR
    folder.mkdir()
    (folder / "ok-doc.toml").write_text(_file("ok-doc", f"[articles]\nart_5 = {value}\n"), encoding="utf-8")
    (translation,) = load_translations(tmp_path)
    assert translation == Translation("ok-doc", "art_5", "\n".join(lines), "unofficial")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('[articles]\nart_3 = """One.\n\nTwo."""\n', "articles.art_3"),
        ('[articles]\nart_x = "One."\n', "articles.art_x"),
        ('translater = "me"\n[articles]\nart_1 = "x"\n', "translater"),
    ],
)
def test_a_malformed_entry_names_file_entry_and_field(tmp_path: Path, body: str, where: str) -> None:
    path = tmp_path / "ok-doc.toml"
    path.write_text(_file("ok-doc", body), encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        read_translation_file(path)
    assert str(info.value).startswith(f"{path}: {where}")


def test_doctests() -> None:
    result = doctest.testmod(kb.annotate.translations)
    assert result.attempted > 0 and result.failed == 0
