"""``/resolve``: find and resolve the statute citations in a piece of text."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ReaderDep, SettingsDep
from api.routes._common import responses
from api.schemas import ResolveResponse
from kb.read import query

__all__ = ["RESOLVE_LENGTH_FACTOR", "router"]

router = APIRouter(tags=["citations"])

# A text to resolve may be a whole paragraph: allow ten search queries' worth.
RESOLVE_LENGTH_FACTOR = 10


@router.get(
    "/resolve",
    response_model=ResolveResponse,
    summary="Resolve citations in text",
    description=(
        "Finds citations of statutes in Chinese or English text (`个人信息保护法第十三条`, "
        "`Article 41 of the Cybersecurity Law`, `PIPL arts. 28-29`) and resolves each to document and "
        "provision ids. `status` is resolved, ambiguous, not_found (no such provision) or text_absent "
        "(a known document whose text the knowledge base does not hold). `as_of` (the citing text's date; "
        "`date` is an alias) picks the version of a law in force then; each result's `version` says which."
    ),
    responses=responses(
        {
            "results": [
                {
                    "text": "个人信息保护法第十三条",
                    "span": [1, 12],
                    "start": 1,
                    "end": 12,
                    "status": "resolved",
                    "ids": ["pipl-2021/art_13"],
                    "doc_id": "pipl-2021",
                    "pinpoint": "art_13",
                    "note": None,
                    "targets": [
                        {
                            "id": "pipl-2021/art_13",
                            "type": "provision",
                            "label": "第十三条",
                            "document_title": "中华人民共和国个人信息保护法",
                            "citation_zh": "《中华人民共和国个人信息保护法》第十三条",
                            "citation_en": "PIPL art. 13",
                        }
                    ],
                }
            ],
            "count": 1,
        }
    ),
)
def resolve(
    reader: ReaderDep,
    settings: SettingsDep,
    text: Annotated[
        str,
        Query(
            min_length=1,
            description="Text to scan for citations",
            examples=["见个人信息保护法第十三条第一款第（四）项", "Article 41 of the Cybersecurity Law"],
        ),
    ],
    as_of: Annotated[
        str | None,
        Query(
            description="Date of the citing text: YYYY, YYYY-MM or YYYY-MM-DD; the version in force then is chosen",
            examples=["2019-06-01"],
            max_length=10,
        ),
    ] = None,
    date: Annotated[str | None, Query(description="Alias of as_of", max_length=10)] = None,
) -> dict[str, Any]:
    when, name = (as_of, "as_of") if as_of is not None else (date, "date")
    limit = settings.max_query_length * RESOLVE_LENGTH_FACTOR
    results = query.resolve_citations(reader, text, when, max_length=limit, date_parameter=name)
    return {"results": results, "count": len(results), "as_of": when}
