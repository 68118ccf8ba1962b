"""``/cite``: how to cite a document or a provision, in several formats."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from api.deps import BaseUrlDep, ReaderDep
from api.formats import CITE_MEDIA_TYPES
from api.routes._common import responses
from api.schemas import CitationRecord
from kb.read import citeformat, query
from kb.read.citeformat import CiteFormat

__all__ = ["router"]

router = APIRouter(tags=["citations"])

CiteFormatParam = Annotated[
    CiteFormat,
    Query(
        description="json (everything), text (the Chinese and English strings and URLs), three-script (汉字, "
        "pinyin and English titles, pinpoint, version date), csl-json, bibtex or ris"
    ),
]
DocId = Annotated[str, Path(examples=["pipl-2021"], max_length=200)]

_EXAMPLE = {
    "id": "pipl-2021/art_13__para_1__item_4",
    "doc_id": "pipl-2021",
    "eid": "art_13__para_1__item_4",
    "zh": "《中华人民共和国个人信息保护法》第十三条第一款第（四）项",
    "en": "PIPL art. 13(1)(iv)",
    "pinpoint_zh": "第十三条第一款第（四）项",
    "pinpoint_en": "art. 13(1)(iv)",
    "three_script": "《中华人民共和国个人信息保护法》 (Zhōnghuá Rénmín Gònghéguó Gèrén Xìnxī Bǎohùfǎ) [Personal "
    "Information Protection Law of the People's Republic of China] 第十三条第一款第（四）项 (art. 13(1)(iv)), "
    "version of 2021-08-20",
    "version_date": "2021-08-20",
    "url": "https://kb.example/provisions/pipl-2021/art_13__para_1__item_4",
    "api_url": "https://kb.example/api/v1/provisions/pipl-2021/art_13__para_1__item_4",
    "bibtex_key": "pipl-2021:art_13__para_1__item_4",
    "source_url": "https://flk.npc.gov.cn/detail?bbbs=ff8081817b6472a3017b656cc2040044",
    "text_available": True,
    "csl": {"id": "pipl-2021/art_13__para_1__item_4", "type": "legislation", "section": "art. 13(1)(iv)"},
    "bibtex": "@misc{pipl-2021:art_13__para_1__item_4, ...}",
    "ris": "TY  - STAT\n...\nER  - \n",
}
_OTHER_FORMATS = {
    "content": {
        CITE_MEDIA_TYPES["text"]: {"schema": {"type": "string"}},
        CITE_MEDIA_TYPES["csl-json"]: {"schema": {"type": "array", "items": {"type": "object"}}},
        CITE_MEDIA_TYPES["bibtex"]: {"schema": {"type": "string"}},
        CITE_MEDIA_TYPES["ris"]: {"schema": {"type": "string"}},
    }
}


def _render(record: dict[str, Any], fmt: CiteFormat) -> dict[str, Any] | Response:
    if fmt == "json":
        return record
    return Response(citeformat.render(record, fmt), media_type=CITE_MEDIA_TYPES[fmt])


@router.get(
    "/cite/{doc_id}",
    response_model=CitationRecord,
    summary="Cite a document",
    description="Citation strings (Chinese and English), CSL-JSON, BibTeX and RIS for a whole document; "
    "documents whose text the knowledge base does not hold can be cited too.",
    responses=responses(
        {**_EXAMPLE, "id": "pipl-2021", "eid": None, "pinpoint_zh": None, "pinpoint_en": None},
        404,
        extra=_OTHER_FORMATS,
    ),
)
def cite_document(reader: ReaderDep, base: BaseUrlDep, doc_id: DocId, format: CiteFormatParam = "json") -> Any:
    return _render(query.cite(reader, doc_id, base_url=base), format)


@router.get(
    "/cite/{doc_id}/{eid}",
    response_model=CitationRecord,
    summary="Cite a provision",
    description="A pinpoint citation of an article, paragraph or item: "
    "《中华人民共和国个人信息保护法》第十三条第一款第（四）项 / PIPL art. 13(1)(iv).",
    responses=responses(_EXAMPLE, 404, extra=_OTHER_FORMATS),
)
def cite_provision(
    reader: ReaderDep,
    base: BaseUrlDep,
    doc_id: DocId,
    eid: Annotated[str, Path(examples=["art_13__para_1__item_4"], max_length=200)],
    format: CiteFormatParam = "json",
) -> Any:
    return _render(query.cite(reader, doc_id, eid, base_url=base), format)
