"""``/passages/{passage_id}``: one passage of commentary and what it is linked to."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.deps import ReaderDep
from api.routes._common import responses
from api.schemas import PassageDetail
from kb.read import query

__all__ = ["router"]

router = APIRouter(tags=["passages"])


@router.get(
    "/passages/{passage_id:path}",
    response_model=PassageDetail,
    summary="One commentary passage",
    description=(
        "Text, document, speaker, topics and stance of a passage, its links to provisions sorted by score "
        "(each with provision_id, kind, score and evidence) and its references to whole documents. "
        "Passage ids contain a slash: `wsj-draft-rules-2023/p_3`."
    ),
    responses=responses(
        {
            "id": "wsj-draft-rules-2023/p_3",
            "doc_id": "wsj-draft-rules-2023",
            "n": 3,
            "text": "…",
            "speaker": {"name": None, "role": None, "kind": None},
            "stance": "descriptive",
            "links": [{"provision_id": "cac-mps-frt-2025/art_5", "kind": "discusses", "score": 0.71, "evidence": {}}],
        },
        404,
    ),
)
def get_passage(
    reader: ReaderDep,
    passage_id: Annotated[str, Path(examples=["wsj-draft-rules-2023/p_3"], max_length=300)],
) -> dict[str, Any]:
    return query.get_passage(reader, passage_id)
