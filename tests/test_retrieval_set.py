"""The statute-retrieval question set and the query-expansion data it is measured with.

The set (``corpus/eval/retrieval.jsonl``) is ours; the articles it names are checked
against the third-party texts under the source root, never copied.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from kb.ingest.manifest import DocumentMeta
from kb.settings import PROJECT_ROOT

SET_PATH = PROJECT_ROOT / "corpus" / "eval" / "retrieval.jsonl"
SYNONYMS_PATH = PROJECT_ROOT / "corpus" / "search" / "synonyms.toml"


def _load_lib() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "retrieval_lib.py"
    spec = importlib.util.spec_from_file_location("retrieval_lib", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("retrieval_lib", module)
    spec.loader.exec_module(module)
    return module


lib = _load_lib()
QUESTIONS = lib.load_questions(SET_PATH)


# ---------------------------------------------------------------- the set itself


def test_set_has_enough_questions_in_both_languages() -> None:
    assert len(QUESTIONS) >= 60  # the issue asks for at least 50
    langs = Counter(q.lang for q in QUESTIONS)
    assert set(langs) == {"en", "zh"}
    assert min(langs.values()) >= 20, langs


def test_ids_and_questions_are_unique() -> None:
    ids = [q.id for q in QUESTIONS]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    texts = [q.question.strip().lower() for q in QUESTIONS]
    assert len(texts) == len(set(texts))


def test_no_duplicate_reference_within_a_question() -> None:
    for q in QUESTIONS:
        keys = [r.key for r in q.relevant]
        assert len(keys) == len(set(keys)), q.id


def test_language_tag_matches_the_question() -> None:
    for q in QUESTIONS:
        has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in q.question)
        assert has_cjk == (q.lang == "zh"), q.id


@pytest.mark.parametrize("split", ["fresh", "fresh2", "fresh3", "fresh4", "fresh5"])
def test_blind_split_is_balanced_and_cites_default_corpus_documents(
    split: str, manifest: dict[str, DocumentMeta]
) -> None:
    """The blind splits (issue 15): 30 questions per language, labelled only with documents
    of the default corpus (not drafts), so every label can be found by the search."""
    fresh = [q for q in QUESTIONS if q.split == split]
    langs = Counter(q.lang for q in fresh)
    assert langs["en"] >= 30 and langs["zh"] >= 30, langs
    titles = {d.title_zh for d in manifest.values() if d.status != "draft"}
    outside = sorted({r.title for q in fresh for r in q.relevant} - titles)
    assert not outside, outside


# The FR-domain documents of the default corpus that the blind ``fresh2``-``fresh5``
# splits were written over (corpus/eval/README.md); csl-2025 and minors-protection are named by their title.
FRESH2_DOCUMENTS = (
    "pipl-2021",
    "spc-frt-2021",
    "csl-2025",
    "dsl-2021",
    "civil-code-2020",
    "minors-protection-2024",
    "minors-online-2023",
    "network-data-2024",
    "video-image-2025",
    "cac-mps-frt-2025",
    "children-pi-2019",
)


@pytest.mark.parametrize("split", ["fresh2", "fresh3", "fresh4", "fresh5"])
def test_blind_split_reaches_every_default_frt_document(split: str, manifest: dict[str, DocumentMeta]) -> None:
    """Each of the eleven documents answers at least three questions of the split."""
    cited = Counter(title for q in QUESTIONS if q.split == split for title in {r.title for r in q.relevant})
    titles = {doc_id: manifest[doc_id].title_zh for doc_id in FRESH2_DOCUMENTS}
    missing = sorted(doc_id for doc_id, title in titles.items() if cited[title] < 3)
    assert not missing, missing


@pytest.mark.parametrize("split", ["fresh2", "fresh3", "fresh4", "fresh5"])
def test_blind_split_cites_the_2025_cybersecurity_law_by_date(split: str) -> None:
    """The 2016 and 2025 texts of the CSL number their articles differently: a label must name
    the 2025 version, never ``any_version``."""
    csl = [r for q in QUESTIONS if q.split == split for r in q.relevant if r.title == "中华人民共和国网络安全法"]
    assert csl and all(r.date == "2025-10-28" for r in csl), csl


def test_set_reaches_beyond_the_frt_laws() -> None:
    frt = {
        "中华人民共和国个人信息保护法",
        "最高人民法院关于审理使用人脸识别技术处理个人信息相关民事案件适用法律若干问题的规定",
        "公共安全视频图像信息系统管理条例",
    }
    titles = {r.title for q in QUESTIONS for r in q.relevant}
    assert len(titles - frt) >= 15, sorted(titles - frt)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "question": "q", "lang": "fr", "relevant": [{"title": "t", "article": 1}]}', "lang"),
        ('{"id": "x", "question": "q", "lang": "en", "relevant": []}', "relevant"),
        ('{"id": "x", "question": "q", "lang": "en", "relevant": [{"title": "t", "article": 0}]}', "article"),
        (
            '{"id": "x", "question": "q", "lang": "en", "relevant": [{"title": "t", "article": 1, "date": "2021"}]}',
            "date",
        ),
        (
            '{"id": "x", "question": "q", "lang": "en", '
            '"relevant": [{"title": "t", "article": 1, "date": "2021-01-01", "any_version": true}]}',
            "not both",
        ),
        ('{"id": "x", "question": "q", "lang": "en", "relevant": [{"title": "t", "article": 1}], "x": 1}', "unknown"),
        ("not json", "not JSON"),
        (
            '{"id": "x", "question": "q", "lang": "en", "relevant": [{"title": "t", "article": 1}], "split": "train"}',
            "split",
        ),
    ],
)
def test_malformed_lines_are_rejected(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        lib.parse_questions([line])


# ---------------------------------------------------------------- labels against the texts


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _unlisted_texts(manifest: dict[str, DocumentMeta], source_root: Path) -> list[object]:
    """Manifest documents that have a text under ``corpus/primary/<id>.zh.txt`` but no
    ``[[document.source]]`` yet (cac-mps-frt-2025 and children-pi-2019 when the fresh split
    was written): their labels are checked against that text all the same. Empty once the
    manifest lists the sources."""
    out: list[object] = []
    for doc in manifest.values():
        path = source_root / "corpus" / "primary" / f"{doc.id}.zh.txt"
        if doc.sources or not doc.title_zh or not path.is_file():
            continue
        dates = frozenset(d for d in (doc.adopted, doc.promulgated, doc.effective, doc.date) if d)
        out.append(lib.Candidate(key=doc.id, title=doc.title_zh, dates=dates, paths=(path,)))
    return out


@pytest.fixture(scope="module")
def candidates(source_root: Path, manifest: dict[str, DocumentMeta]) -> list[object]:
    return [*lib.source_candidates(source_root), *_unlisted_texts(manifest, source_root)]


def test_every_relevant_article_exists_in_the_source_texts(candidates: list[object]) -> None:
    problems = [f"{q.id}: {p}" for q in QUESTIONS for ref in q.relevant for p in lib.check_ref(ref, candidates, _read)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("ref", "problem"),
    [
        (lib.Ref("中华人民共和国个人信息保护法", 75), "has no 第75条"),
        (lib.Ref("中华人民共和国个人信息保护法", 13, date="1999-01-01"), "no version dated"),
        (lib.Ref("中华人民共和国网络安全法", 42), "versions"),  # 2016 and 2025 texts number differently
        (lib.Ref("中华人民共和国网络安全法", 80, any_version=True), "has no 第80条"),  # 2016 has 79
        (lib.Ref("中华人民共和国不存在法", 1), "no document titled"),
        (lib.Ref("中华人民共和国刑法", 253, sub=9), "has no 第253条之9"),
    ],
)
def test_bad_references_are_caught(candidates: list[object], ref: object, problem: str) -> None:
    problems = lib.check_ref(ref, candidates, _read)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(
    ("text", "eids"),
    [
        ("第一条 为了保护\n第二条　内容", {"art_1", "art_2"}),
        ("## 第十三条 标题\n第二百五十三条之一 违反", {"art_13", "art_253-1"}),
        ("依照本法第十条规定\n第三条规定的", set()),  # cross-references, not article openings
    ],
)
def test_article_eids(text: str, eids: set[str]) -> None:
    assert lib.article_eids(text) == eids


# ---------------------------------------------------------------- metrics


@pytest.mark.parametrize(
    ("ranked", "k", "recall", "rr"),
    [
        (["x", "a1", "b1"], 10, 1.0, 0.5),
        (["x", "a2"], 10, 0.5, 0.5),  # a2 is one of the copies of reference a
        (["x"] * 3 + ["b1"], 3, 0.0, 0.25),
        ([], 10, 0.0, 0.0),
    ],
)
def test_metrics(ranked: list[str], k: int, recall: float, rr: float) -> None:
    relevant = {"a": frozenset({"a1", "a2"}), "b": frozenset({"b1"})}
    assert lib.recall_at(ranked, relevant, k) == recall
    assert lib.reciprocal_rank(ranked, relevant) == rr


# ---------------------------------------------------------------- query expansion data


SYNONYMS = lib.load_synonyms(SYNONYMS_PATH)


def test_every_synonym_example_triggers_its_entry() -> None:
    misses = [
        (entry.match[0], ex)
        for entry in SYNONYMS
        for ex in entry.examples
        if not any(lib.phrase_in(p, ex) for p in entry.match)
    ]
    assert not misses


def test_no_counter_example_triggers_its_entry() -> None:
    hits = [
        (entry.match[0], ex)
        for entry in SYNONYMS
        for ex in entry.counter_examples
        if any(lib.phrase_in(p, ex) for p in entry.match)
    ]
    assert not hits


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("Can my apartment complex force me to use face recognition?", ["人脸识别", "物业服务企业"], []),
        ("My kid is 12", ["不满十四周岁"], []),
        ("kidney transplant", [], ["不满十四周岁"]),
        ("Please delete my data", ["删除"], []),
        ("小区能强制刷脸吗", ["人脸识别"], []),
    ],
)
def test_expansion_terms(query: str, present: list[str], absent: list[str]) -> None:
    terms = lib.expansion_terms(query, SYNONYMS)
    assert all(t in terms for t in present), terms
    assert not any(t in terms for t in absent), terms
