"""kb.read.citeformat: pinpoints, citation strings and CSL-JSON / BibTeX / RIS records."""

from __future__ import annotations

import re

import pytest

from kb.model import DocumentMeta, SourceRef
from kb.read import citeformat as cf
from kb.text.numerals import int_to_roman

PINPOINTS = [
    # eid, Chinese pinpoint, English pinpoint
    ("art_13", "第十三条", "art. 13"),
    ("art_13__para_1", "第十三条第一款", "art. 13(1)"),
    ("art_13__para_1__item_4", "第十三条第一款第（四）项", "art. 13(1)(iv)"),
    ("art_13__para_2__item_9__subitem_2", "第十三条第二款第（九）项第2目", "art. 13(2)(ix)(2)"),
    ("art_17-1", "第十七条之一", "art. 17-1"),
    ("art_1034__para_2", "第一千零三十四条第二款", "art. 1034(2)"),
    ("art_110", "第一百一十条", "art. 110"),
    ("art_105", "第一百零五条", "art. 105"),
    ("chp_2", "第二章", "ch. 2"),
    ("chp_2__sec_1", "第二章第一节", "ch. 2, sec. 1"),
    ("book_4__chp_6", "第四编第六章", "bk. 4, ch. 6"),
    ("preamble", "序言", "preamble"),
]


@pytest.mark.parametrize(("eid", "zh", "en"), PINPOINTS)
def test_pinpoints(eid: str, zh: str, en: str) -> None:
    assert cf.pinpoint_zh(eid) == zh
    assert cf.pinpoint_en(eid) == en


@pytest.mark.parametrize(("n", "roman"), [(1, "i"), (4, "iv"), (9, "ix"), (14, "xiv"), (40, "xl"), (99, "xcix")])
def test_int_to_roman(n: int, roman: str) -> None:
    assert int_to_roman(n) == roman


CITES = [
    # doc id, eid, Chinese citation, English citation
    (
        "pipl-2021",
        "art_13__para_1__item_4",
        "《中华人民共和国个人信息保护法》第十三条第一款第（四）项",
        "PIPL art. 13(1)(iv)",
    ),
    ("csl-2016", "art_41", "《中华人民共和国网络安全法》第四十一条", "CSL art. 41"),
    ("civil-code-2020", "art_1035", "《中华人民共和国民法典》第一千零三十五条", "Civil Code art. 1035"),
    (
        "pipl-2021",
        None,
        "《中华人民共和国个人信息保护法》",
        "Personal Information Protection Law of the People's Republic of China (2021)",
    ),
]


@pytest.mark.parametrize(("doc_id", "eid", "zh", "en"), CITES)
def test_citation_strings_for_manifest_documents(
    manifest: dict[str, DocumentMeta], doc_id: str, eid: str | None, zh: str, en: str
) -> None:
    meta = manifest[doc_id]
    assert cf.cite_zh(meta, eid) == zh
    assert cf.cite_en(meta, eid) == en


def test_an_english_citation_without_an_abbreviation_uses_the_title() -> None:
    meta = DocumentMeta(id="x-2020", kind="law", title_en="Example Law", title_zh="示例法", short_names=("示例法",))
    assert cf.cite_en(meta, "art_3") == "Example Law art. 3"


def test_commentary_is_cited_by_author_title_outlet_and_date() -> None:
    meta = DocumentMeta(
        id="c",
        kind="commentary",
        title_en="On Faces",
        authors=("A. Writer", "B. Author"),
        outlet="The Review",
        date="2023-08-09",
    )
    assert cf.cite_en(meta) == "A. Writer, B. Author, \u201cOn Faces\u201d, The Review, 2023-08-09"
    assert cf.cite_zh(meta) is None


@pytest.mark.parametrize(
    ("kind", "csl_type", "ris_type"),
    [
        ("law", "legislation", "STAT"),
        ("administrative-regulation", "regulation", "GOVDOC"),
        ("departmental-rule", "regulation", "GOVDOC"),
        ("judicial-interpretation", "regulation", "GOVDOC"),
        ("draft", "bill", "BILL"),
        ("standard", "standard", "STAND"),
        ("commentary", "article", "ELEC"),
    ],
)
def test_record_types_follow_the_document_kind(kind: str, csl_type: str, ris_type: str) -> None:
    meta = DocumentMeta(id="d", kind=kind, title_en="T", title_zh="题")  # type: ignore[arg-type]
    record = cf.citation_record(meta)
    assert record["csl"]["type"] == csl_type
    assert record["ris"].startswith(f"TY  - {ris_type}\n")


def test_a_provision_record_has_stable_urls_and_every_format(manifest: dict[str, DocumentMeta]) -> None:
    record = cf.citation_record(manifest["pipl-2021"], "art_13__para_1__item_4", base_url="https://kb.example/")
    url = "https://kb.example/provisions/pipl-2021/art_13__para_1__item_4"  # the page people read
    api = "https://kb.example/api/v1/provisions/pipl-2021/art_13__para_1__item_4"
    assert (record["url"], record["api_url"]) == (url, api)
    csl = record["csl"]
    assert csl["URL"] == url and csl["section"] == "art. 13(1)(iv)" and csl["title-short"] == "PIPL"
    assert csl["note"].endswith(f"API: {api}")
    assert csl["issued"] == {"date-parts": [[2021, 8, 20]]}
    assert csl["original-title"] == "中华人民共和国个人信息保护法"
    assert record["bibtex"].startswith("@misc{pipl-2021:art_13__para_1__item_4,\n")
    assert f"url = {{{url}}}" in record["bibtex"] and f"apiurl = {{{api}}}" in record["bibtex"]
    ris = record["ris"].splitlines()
    assert ris[0] == "TY  - STAT" and ris[-1] == "ER  - "
    assert f"UR  - {url}" in ris and f"UR  - {api}" in ris and "SE  - art. 13(1)(iv)" in ris
    assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in ris)


def test_a_document_without_text_can_still_be_cited(manifest: dict[str, DocumentMeta]) -> None:
    meta = manifest["cac-frt-2023-draft"]
    assert not meta.text_available
    record = cf.citation_record(meta)
    assert record["url"] == "/documents/cac-frt-2023-draft"
    assert record["api_url"] == "/api/v1/documents/cac-frt-2023-draft"
    assert record["csl"]["type"] == "bill" and record["zh"] and record["en"]


def test_bibtex_escapes_special_characters() -> None:
    meta = DocumentMeta(
        id="x", kind="law", title_en="Rules on 100% of {data} & #tags_under", issuer="A&B", sources=(SourceRef("x"),)
    )
    bib = cf.to_bibtex(meta, "art_1", url="/u")
    assert r"100\% of \{data\} \& \#tags\_under" in bib
    assert "{A\\&B}" in bib
    assert bib.count("{") == bib.count("}")
