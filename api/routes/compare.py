"""``/compare``: article-by-article alignment of two versions of a law."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ReaderDep
from api.routes._common import responses
from api.schemas import Comparison
from kb.read import query

__all__ = ["router"]

router = APIRouter(tags=["versions"])


@router.get(
    "/compare",
    response_model=Comparison,
    summary="Compare two versions",
    description=(
        "How each article of the earlier version (`from`) fared in the later one (`to`): unchanged, "
        "renumbered, modified, renumbered-modified, added or removed, with a character diff, in the order "
        "of the later text."
    ),
    responses=responses(
        {
            "from": {"id": "csl-2016", "kind": "law", "status": "amended", "text_available": True},
            "to": {"id": "csl-2025", "kind": "law", "status": "in_force", "text_available": True},
            "summary": {"unchanged": 70, "modified": 9, "added": 2},
            "results": [
                {
                    "old_id": "csl-2016/art_1",
                    "new_id": "csl-2025/art_1",
                    "old_label": "第一条",
                    "new_label": "第一条",
                    "status": "modified",
                    "score": 0.93,
                    "moved": False,
                    "diff": [{"op": "equal", "text": "为了保障网络安全"}],
                }
            ],
            "count": 81,
        },
        404,
    ),
)
def compare(
    reader: ReaderDep,
    from_: Annotated[
        str, Query(alias="from", description="The earlier version", examples=["csl-2016"], max_length=200)
    ],
    to: Annotated[str, Query(description="The later version", examples=["csl-2025"], max_length=200)],
) -> dict[str, Any]:
    return query.compare_versions(reader, from_, to)
