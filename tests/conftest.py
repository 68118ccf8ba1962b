"""Shared fixtures. The real corpus is read from the source root (../shared by default)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from kb.ingest.manifest import load_manifest
from kb.model import (
    Annotation,
    Corpus,
    DocumentMeta,
    Link,
    Passage,
    Provision,
    SourceRef,
    Topic,
    Translation,
)
from kb.settings import Settings, get_settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def source_root() -> Path:
    root = get_settings().source_root
    if not (root / "corpus" / "primary").is_dir():
        pytest.fail(f"the shared corpus is missing at {root} (set KB_SOURCE_ROOT)")
    return root


@pytest.fixture(scope="session")
def manifest() -> dict[str, DocumentMeta]:
    return {d.id: d for d in load_manifest()}


@pytest.fixture(scope="session")
def settings(source_root: Path) -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory, source_root: Path) -> Settings:
    """The default corpus built once per test session; returns Settings pointing at it.

    ``built_db.sqlite_path`` is the database file; open it read-only.
    """
    from kb.pipeline import build

    db = tmp_path_factory.mktemp("kb") / "kb.sqlite"
    built = Settings(database_url=f"sqlite:///{db}", source_root=source_root)
    build(built)
    return built


@pytest.fixture(scope="session")
def folder_db(tmp_path_factory: pytest.TempPathFactory, source_root: Path) -> Settings:
    """A ``--source`` build of two invented folder laws beside a placeholder manifest: one in two
    versions (``示例信息保护法-2016-01-01``, ``-2021-06-01``; fixtures/scale/versions) and one in
    three (``示例人脸保护法-2015-01-01``, ``-2019-01-01``, ``-2023-01-01``; fixtures/history), whose
    2019 text differs from the 2015 one in formatting only (a half-width comma, a space that the
    ingest already drops, a cross-reference renumbered with its article) except for a new
    article and the final date,
    and whose 2023 text rewrites one article and drops another."""
    import shutil

    from kb.pipeline import build

    tmp = tmp_path_factory.mktemp("folder")
    corpus = tmp / "corpus"
    shutil.copytree(get_settings().corpus_dir, corpus, ignore=shutil.ignore_patterns("translations", "manifest.toml"))
    (corpus / "manifest.toml").write_text(
        '[[document]]\nid = "placeholder-law"\nkind = "law"\ntitle_zh = "示例占位法"\n', encoding="utf-8"
    )
    settings = Settings(database_url=f"sqlite:///{tmp / 'folder.sqlite'}", source_root=source_root, corpus_dir=corpus)
    build(settings, [FIXTURES / "scale" / "versions", FIXTURES / "history"], workers=1)
    return settings


# ---------------------------------------------------------------- tiny hand-made database
# A few made-up documents (no third-party text) covering every table and link kind, for
# tests of the read side (kb.read.query, kb.search, api) that need exact answers.


def tiny_corpus() -> Corpus:
    """Two versions of a made-up law, a text-absent draft and one commentary."""
    src = (SourceRef("tiny/law.txt"),)
    law1 = DocumentMeta(
        id="tiny-law-2021",
        kind="law",
        work="tiny-law",
        title_zh="中华人民共和国人脸测试法",
        title_en="Face Testing Law of the People's Republic of China",
        short_names=("FTL", "人脸测试法"),
        issuer="全国人民代表大会常务委员会",
        promulgated="2021-08-20",
        effective="2021-11-01",
        status="amended",
        sources=src,
        extra={"doc_number": "主席令第一号"},
    )
    law2 = DocumentMeta(
        id="tiny-law-2024",
        kind="law",
        work="tiny-law",
        supersedes="tiny-law-2021",
        title_zh="中华人民共和国人脸测试法",
        title_en="Face Testing Law of the People's Republic of China (2024)",
        short_names=("FTL", "人脸测试法"),
        promulgated="2024-01-02",
        status="in_force",
        sources=src,
    )
    draft = DocumentMeta(
        id="tiny-draft-2023",
        kind="draft",
        work="tiny-draft",
        title_zh="人脸识别测试规定（征求意见稿）",
        title_en="Provisions on Face Recognition Tests (Draft for Comment)",
        status="superseded",
        date="2023-08-08",
    )
    note = DocumentMeta(
        id="tiny-comment-2023",
        kind="commentary",
        title_en="Faces, Tests and Consent",
        outlet="The Tiny Review",
        authors=("Ada Novak",),
        date="2023-08-09",
        status="published",
        sources=(SourceRef("tiny/comment.txt"),),
    )

    def law(doc: str, consent_text: str, extra_article: str | None) -> list[Provision]:
        rows = [
            Provision(doc, "chp_1", "chapter", 0, "", number=1, label="第一章", heading="总则"),
            Provision(
                doc,
                "art_1",
                "article",
                1,
                "为了规范人脸识别技术的应用，保护个人信息权益，制定本法。",
                number=1,
                label="第一条",
                parent_eid="chp_1",
            ),
            Provision(
                doc,
                "art_2",
                "article",
                2,
                f"{consent_text}\n有下列情形之一的，不需取得个人同意：\n"
                "（一）为订立合同所必需；\n（二）为应对突发公共卫生事件所必需。",
                number=2,
                label="第二条",
                parent_eid="chp_1",
            ),
            Provision(doc, "art_2__para_1", "paragraph", 3, consent_text, number=1, label="第一款", parent_eid="art_2"),
            Provision(
                doc,
                "art_2__para_2",
                "paragraph",
                4,
                "有下列情形之一的，不需取得个人同意：\n（一）为订立合同所必需；\n（二）为应对突发公共卫生事件所必需。",
                number=2,
                label="第二款",
                parent_eid="art_2",
            ),
            Provision(
                doc,
                "art_2__para_2__item_1",
                "item",
                5,
                "（一）为订立合同所必需；",
                number=1,
                label="（一）",
                parent_eid="art_2__para_2",
            ),
            Provision(
                doc,
                "art_2__para_2__item_2",
                "item",
                6,
                "（二）为应对突发公共卫生事件所必需。",
                number=2,
                label="（二）",
                parent_eid="art_2__para_2",
            ),
        ]
        if extra_article:
            rows.append(
                Provision(doc, "art_3", "article", 7, extra_article, number=3, label="第三条", parent_eid="chp_1")
            )
        return rows

    old = law("tiny-law-2021", "处理人脸信息应当取得个人的单独同意。", "本法自公布之日起施行。")
    new = law("tiny-law-2024", "处理人脸信息应当取得个人的单独同意或者书面同意。", None)
    passages = (
        Passage("tiny-comment-2023", 1, "Consent Rules", kind="heading"),
        Passage(
            "tiny-comment-2023",
            2,
            "The law requires separate consent before a face is scanned, "
            "but “the exceptions are a loophole,” said Ada Novak.",
            section="Consent Rules",
        ),
        Passage(
            "tiny-comment-2023",
            3,
            "Facial recognition in shops is a step in the right direction for "
            "transparency, according to the Tiny Review.",
            section="Consent Rules",
        ),
    )
    topics = (
        Topic("consent", "Consent", "同意", "Agreement of the person whose face is processed."),
        Topic("minors", "Minors", "未成年人", "Children and their guardians."),
    )
    p2 = passages[1].id
    annotations = (
        Annotation("tiny-law-2021/art_2", "topic", "consent", 11, 15, "单独同意"),
        Annotation("tiny-law-2024/art_2", "topic", "consent", 11, 15, "单独同意"),
        Annotation("tiny-law-2021/art_2__para_1", "topic", "consent", 11, 15, "单独同意"),
        Annotation(p2, "topic", "consent", 17, 33, "separate consent"),
        Annotation(
            p2,
            "stance",
            "sceptical",
            0,
            len(passages[1].text),
            passages[1].text,
            {"topic": "consent", "cues": [["loophole", 0, 0, "sceptical"]], "score": -1.0},
        ),
        Annotation(passages[2].id, "stance", "supportive", 0, 10, passages[2].text[:10], {"topic": None}),
        Annotation(p2, "quote", "Ada Novak", 74, 100, passages[1].text[74:100], {"role": None}),
    )
    diff_mod = [{"op": "equal", "text": "处理人脸信息应当取得个人的单独同意"}, {"op": "insert", "text": "或者书面同意"}]
    links = (
        Link("tiny-law-2021/art_2", "tiny-law-2021/art_1", "cites", 1.0, {"text": "第一条"}),
        Link(p2, "tiny-law-2021/art_2", "discusses", 0.82, {"matched": ["separate consent", "单独同意"]}),
        Link(p2, "tiny-law-2024/art_2__para_1", "discusses", 0.41, {"matched": ["consent"]}),
        Link(passages[2].id, "tiny-law-2021", "mentions", 0.6, {"text": "the law"}),
        Link(
            "tiny-law-2024/art_1",
            "tiny-law-2021/art_1",
            "aligned",
            1.0,
            {"status": "unchanged", "diff": [], "old_eid": "art_1", "new_eid": "art_1"},
        ),
        Link(
            "tiny-law-2024/art_2",
            "tiny-law-2021/art_2",
            "aligned",
            0.9,
            {"status": "modified", "diff": diff_mod, "old_eid": "art_2", "new_eid": "art_2"},
        ),
        Link(
            "tiny-law-2021/art_3",
            "tiny-law-2024",
            "aligned",
            0.0,
            {"status": "removed", "diff": [], "old_eid": "art_3", "new_eid": None},
        ),
        Link("tiny-law-2024", "tiny-law-2021", "version_of", 1.0, {"work": "tiny-law"}),
    )
    translations = (
        Translation(
            "tiny-law-2021",
            "art_1",
            "This Law is enacted to regulate the use of facial recognition "
            "technology and protect personal information rights.",
        ),
        Translation(
            "tiny-law-2021",
            "art_2",
            "The processing of facial information requires the individual's "
            "separate consent.\nIn any of the following circumstances, consent is not required:\n"
            "(1) where necessary to conclude a contract;\n(2) where necessary to respond to a public "
            "health emergency.",
        ),
    )
    return Corpus(
        documents=(law1, law2, draft, note),
        provisions=(*old, *new),
        passages=passages,
        annotations=annotations,
        links=links,
        topics=topics,
        translations=translations,
    )


TINY_BUILD_INFO = {
    "corpus_hash": "tiny0001",
    "code_version": "0.0.test",
    "built_at": "2026-01-01T00:00:00+00:00",
    "source_root": "/nowhere",
    "folders": "",
    "schema_version": "1",
}


@pytest.fixture(scope="session")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """:func:`tiny_corpus` written with ``kb.store.write``; returns Settings pointing at it."""
    from kb.store.write import create_write_engine, write_corpus

    db = tmp_path_factory.mktemp("tiny") / "tiny.sqlite"
    engine = create_write_engine(f"sqlite:///{db}")
    try:
        speakers = {
            "tiny-comment-2023/p_2": {"name": "Ada Novak", "role": "a fellow", "kind": "quoted"},
            "tiny-comment-2023/p_3": {"name": "The Tiny Review", "role": None, "kind": "outlet"},
        }
        write_corpus(engine, tiny_corpus(), TINY_BUILD_INFO, passage_speakers=speakers)
    finally:
        engine.dispose()
    return Settings(database_url=f"sqlite:///{db}")


@pytest.fixture(scope="module")
def reader(tiny_db: Settings) -> Iterator[Any]:
    """A :class:`kb.read.query.Reader` on the tiny database, one per test module."""
    from kb.read import query

    with query.open_reader(tiny_db) as r:
        yield r


# ---------------------------------------------------------------- API test clients


@contextmanager
def _api_client(
    settings: Settings, *, overrides: dict[Callable[..., Any], Callable[..., Any]] | None = None, **client_args: Any
) -> Iterator[Any]:
    import warnings

    from api.app import create_app

    with warnings.catch_warnings():
        # starlette.testclient warns once, on import, that it would rather have httpx2.
        warnings.simplefilter("ignore", UserWarning)
        from fastapi.testclient import TestClient

    app = create_app(settings)
    app.dependency_overrides.update(overrides or {})
    with TestClient(app, **client_args) as client:
        yield client


@pytest.fixture(scope="session")
def make_api_client() -> Callable[..., AbstractContextManager[Any]]:
    """``with make_api_client(settings, overrides={dep: fn}, **TestClient_args) as client``."""
    return _api_client


@pytest.fixture(scope="session")
def api_client(built_db: Settings) -> Iterator[Any]:
    """A ``fastapi.testclient.TestClient`` on the API over the default corpus (lifespan run)."""
    with _api_client(built_db) as client:
        yield client


@pytest.fixture(scope="session")
def tiny_client(tiny_db: Settings) -> Iterator[Any]:
    """A ``TestClient`` on the API over :func:`tiny_corpus`."""
    with _api_client(tiny_db) as client:
        yield client
