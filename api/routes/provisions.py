"""``/provisions/{doc_id}/{eid}``: one article, paragraph or item, with everything linked to it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import BaseUrlDep, ReaderDep
from api.routes._common import responses
from api.schemas import ProvisionDetail, ProvisionHistory
from kb.ids import provision_id
from kb.read import query

__all__ = ["router"]

router = APIRouter(tags=["provisions"])

DocId = Annotated[str, Path(examples=["pipl-2021"], max_length=200)]
Eid = Annotated[
    str, Path(description="Element id: art_13, art_13__para_1__item_4", examples=["art_13"], max_length=200)
]

_EXAMPLE = {
    "id": "pipl-2021/art_13",
    "doc_id": "pipl-2021",
    "eid": "art_13",
    "level": "article",
    "number": 13,
    "label": "第十三条",
    "text": "符合下列情形之一的，个人信息处理者方可处理个人信息：…",
    "text_en": None,
    "translation_status": "none",
    "path": [
        {"id": "pipl-2021/chp_2", "eid": "chp_2", "level": "chapter", "label": "第二章", "heading": "个人信息处理规则"}
    ],
    "topics": [
        {
            "id": "consent",
            "label": "consent",
            "label_en": "Consent",
            "label_zh": "同意",
            "evidence": [{"start": 24, "end": 28, "text": "个人同意", "data": {}}],
        }
    ],
    "citation": {
        "zh": "《中华人民共和国个人信息保护法》第十三条",
        "en": "PIPL art. 13",
        "url": "https://kb.example/provisions/pipl-2021/art_13",
        "api_url": "https://kb.example/api/v1/provisions/pipl-2021/art_13",
    },
}


@router.get(
    "/provisions/{doc_id}/{eid}",
    response_model=ProvisionDetail,
    summary="One provision",
    description=(
        "The Chinese text, the unofficial English translation (with its status), the path through books, "
        "chapters and sections, the children, topics with evidence spans, citations both ways, the aligned "
        "articles of other versions with status and diff, commentary passages linked to it (score, kind, "
        "evidence), and ready-made citation strings. With `as_of=YYYY-MM-DD`: the provision as it read on that "
        "date, in the version of the work in force then (`as_of` in the answer says which)."
    ),
    responses=responses(_EXAMPLE, 404),
)
def get_provision(
    reader: ReaderDep,
    base: BaseUrlDep,
    doc_id: DocId,
    eid: Eid,
    as_of: Annotated[
        str | None,
        Query(description="A date YYYY-MM-DD: the version in force then", examples=["2019-06-01"], max_length=10),
    ] = None,
) -> dict[str, Any]:
    if as_of is not None:
        return query.get_provision_at(reader, provision_id(doc_id, eid), as_of, base_url=base)
    return query.get_provision(reader, provision_id(doc_id, eid), base_url=base)


@router.get(
    "/provisions/{doc_id}/{eid}/history",
    response_model=ProvisionHistory,
    summary="An article across versions",
    description=(
        "The article (or the article of a paragraph or item) in every version of its work, oldest first: each "
        "version's document id, dates and status, the article's eid there (articles are renumbered), its text, "
        "and its change against the previous version: added, unchanged, changed (with a word-level diff) or "
        "removed. Formatting (whitespace, full- or half-width punctuation, renumbered cross-references) is no change."
    ),
    responses=responses(
        {
            "id": "csl-2016/art_41",
            "article_id": "csl-2016/art_41",
            "work": "csl",
            "versions": ["csl-2016", "csl-2025"],
            "results": [
                {
                    "doc_id": "csl-2016",
                    "status": "amended",
                    "text_available": True,
                    "id": "csl-2016/art_41",
                    "eid": "art_41",
                    "label": "第四十一条",
                    "text": "网络运营者收集、使用个人信息，…",
                    "change": "added",
                    "renumbered": False,
                    "diff": [],
                },
                {
                    "doc_id": "csl-2025",
                    "status": "in_force",
                    "text_available": True,
                    "id": "csl-2025/art_43",
                    "eid": "art_43",
                    "label": "第四十三条",
                    "text": "网络运营者收集、使用个人信息，…",
                    "change": "unchanged",
                    "renumbered": True,
                    "diff": [],
                },
            ],
            "count": 2,
            "changes": 0,
        },
        404,
    ),
)
def provision_history(reader: ReaderDep, doc_id: DocId, eid: Eid) -> dict[str, Any]:
    return query.provision_history(reader, provision_id(doc_id, eid))
