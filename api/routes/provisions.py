"""``/provisions/{doc_id}/{eid}``: one article, paragraph or item, with everything linked to it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.deps import BaseUrlDep, ReaderDep
from api.routes._common import responses
from api.schemas import ProvisionDetail
from kb.ids import provision_id
from kb.read import query

__all__ = ["router"]

router = APIRouter(tags=["provisions"])

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
        "url": "https://kb.example/api/v1/provisions/pipl-2021/art_13",
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
        "evidence), and ready-made citation strings."
    ),
    responses=responses(_EXAMPLE, 404),
)
def get_provision(
    reader: ReaderDep,
    base: BaseUrlDep,
    doc_id: Annotated[str, Path(examples=["pipl-2021"], max_length=200)],
    eid: Annotated[
        str, Path(description="Element id: art_13, art_13__para_1__item_4", examples=["art_13"], max_length=200)
    ],
) -> dict[str, Any]:
    return query.get_provision(reader, provision_id(doc_id, eid), base_url=base)
