"""Every citation export read back by the parsers reference managers use: citeproc-py
rendering a real CSL style, bibtexparser and rispy; ASCII, stable, unique BibTeX keys;
the three-script citation; a folder law with a Chinese id among the cases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
import citeproc
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.app import create_app
from kb.read import query
from kb.read.citeformat import render
from kb.read.romanize import ascii_slug, bibtex_key, pinyin_title
from kb.settings import Settings

# A real style shipped with citeproc-py (Harvard, Cite Them Right).
STYLE = Path(citeproc.__file__).parent / "data" / "styles" / "harvard-cite-them-right.csl"
BASE = "https://kb.example"
FOLDER_OLD, FOLDER_NEW = "示例信息保护法-2016-01-01", "示例信息保护法-2021-06-01"

# (database, document id, eid or None): a statute provision, a whole law, a judicial
# interpretation, a document without text, commentary, and a folder law (Chinese id).
CASES = [
    ("built", "pipl-2021", "art_13__para_1__item_4"),
    ("built", "csl-2016", None),
    ("built", "csl-2025", "art_43__para_2"),
    ("built", "spc-frt-2021", "art_2"),
    ("built", "cac-frt-2023-draft", None),
    ("built", "chinai-163", None),
    ("folder", FOLDER_NEW, "art_4"),
    ("folder", FOLDER_OLD, None),
]
IDS = [f"{d}/{e}" if e else d for _, d, e in CASES]


@pytest.fixture(scope="module")
def readers(built_db: Settings, folder_db: Settings) -> Iterator[dict[str, query.Reader]]:
    with query.open_reader(built_db) as built, query.open_reader(folder_db) as folder:
        yield {"built": built, "folder": folder}


@pytest.fixture(params=CASES, ids=IDS)
def record(request: pytest.FixtureRequest, readers: dict[str, query.Reader]) -> dict[str, Any]:
    db, doc_id, eid = request.param
    return query.cite(readers[db], doc_id, eid, base_url=BASE)


def test_csl_json_renders_with_a_real_style(record: dict[str, Any]) -> None:
    items = json.loads(render(record, "csl-json"))
    assert isinstance(items, list) and len(items) == 1
    style = CitationStylesStyle(str(STYLE), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    citation = Citation([CitationItem(items[0]["id"])])
    bibliography.register(citation)
    entry = str(bibliography.bibliography()[0])
    in_text = str(bibliography.cite(citation, lambda item: None))
    title = items[0]["title"]
    assert title in entry and record["url"] in entry
    assert in_text.startswith("(") and in_text.endswith(")")
    if record["zh"] and items[0]["type"] != "article":
        assert items[0]["note"].startswith(record["three_script"])
    assert items[0]["note"].endswith(f"API: {record['api_url']}")


def test_bibtex_parses_with_an_ascii_key(record: dict[str, Any]) -> None:
    library = bibtexparser.parse_string(record["bibtex"])
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.key == record["bibtex_key"] and entry.key.isascii()
    assert entry.key == bibtex_key(record["doc_id"], record["eid"])
    fields = entry.fields_dict
    assert fields["url"].value == record["url"] and fields["apiurl"].value == record["api_url"]
    if record["zh"] and "author" in fields and fields["language"].value == "chinese":
        assert fields["titlepinyin"].value.strip("{}") == pinyin_title(record["zh"][1 : record["zh"].index("》")])
        assert fields["note"].value == record["three_script"]


def test_ris_parses_with_original_and_translated_titles(record: dict[str, Any]) -> None:
    (entry,) = rispy.loads(record["ris"])
    assert entry["urls"] == [record["url"], record["api_url"]]
    csl = record["csl"]
    if csl.get("original-title"):  # a statute with both titles
        assert entry["title"] == csl["original-title"]
        assert entry["translated_title"] == csl["title"]
        assert entry["notes"] == [record["three_script"]]
    if record["eid"]:
        assert entry["section"] == record["pinpoint_en"]


def test_three_script_citation_has_all_its_parts(readers: dict[str, query.Reader]) -> None:
    cases = [
        (
            readers["built"],
            "csl-2016",
            "art_41",
            "《中华人民共和国网络安全法》 (Zhōnghuá Rénmín Gònghéguó Wǎngluò Ānquánfǎ) "
            "[Cybersecurity Law of the People's Republic of China] 第四十一条 (art. 41), version of 2016-11-07",
        ),
        (
            readers["built"],
            "pipl-2021",
            "art_13__para_1__item_4",
            "《中华人民共和国个人信息保护法》 (Zhōnghuá Rénmín Gònghéguó Gèrén Xìnxī Bǎohùfǎ) "
            "[Personal Information Protection Law of the People's Republic of China] "
            "第十三条第一款第（四）项 (art. 13(1)(iv)), version of 2021-08-20",
        ),
    ]
    for reader, doc_id, eid, expected in cases:
        assert query.cite(reader, doc_id, eid)["three_script"] == expected


def test_the_folder_law_key_is_pinyin_and_a_digest(readers: dict[str, query.Reader]) -> None:
    rec = query.cite(readers["folder"], FOLDER_NEW, "art_4", base_url=BASE)
    slug, _, pinpoint = rec["bibtex_key"].partition(":")
    assert slug.startswith("shilixinxibaohufa-2021-06-01-") and len(slug.rsplit("-", 1)[1]) == 6
    assert pinpoint == "art_4"
    # the page URL is percent-encoded, so it is a valid URL for every manager
    assert rec["url"].isascii() and rec["url"].startswith(f"{BASE}/provisions/%E7%A4%BA")
    assert ascii_slug(FOLDER_NEW) == "shilixinxibaohufa-2021-06-01"


def test_keys_are_stable_and_unique_across_the_knowledge_base(built_db: Settings, folder_db: Settings) -> None:
    # homophones and ids that differ only in characters a key cannot hold still get apart
    assert bibtex_key("示例法-2020") != bibtex_key("事例法-2020")
    assert ascii_slug("示例法-2020") == ascii_slug("事例法-2020")
    assert bibtex_key("pipl-2021", "art_13") == "pipl-2021:art_13"  # ASCII ids keep the keys they had
    keys: dict[str, str] = {}
    for settings in (built_db, folder_db):
        engine = create_engine(settings.database_url)
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT id FROM documents"))]
            ids += [r[0] for r in conn.execute(text("SELECT id FROM provisions"))]
        engine.dispose()
        for node in ids:
            doc_id, _, eid = node.partition("/")
            key = bibtex_key(doc_id, eid or None)
            assert key.isascii() and " " not in key, node
            assert keys.setdefault(key, node) == node, f"{node} and {keys[key]} share {key}"
            assert bibtex_key(doc_id, eid or None) == key
    assert len(keys) > 6000


@pytest.mark.parametrize("fmt", ["text", "three-script", "csl-json", "bibtex", "ris"])
def test_cite_endpoint_serves_each_format_for_a_chinese_id(folder_db: Settings, fmt: str) -> None:
    with TestClient(create_app(folder_db)) as client:
        r = client.get(f"/api/v1/cite/{FOLDER_NEW}/art_4", params={"format": fmt})
        assert r.status_code == 200, r.text
        body = r.text
    if fmt == "bibtex":
        assert bibtexparser.parse_string(body).entries[0].key.isascii()
    elif fmt == "ris":
        assert rispy.loads(body)[0]["title"] == "中华人民共和国示例信息保护法"
    elif fmt == "csl-json":
        assert json.loads(body)[0]["id"] == f"{FOLDER_NEW}/art_4"
    else:
        assert "/provisions/" in body and "/api/v1/provisions/" in body
