"""``/topics``: the taxonomy, what is tagged with each topic, and the viewpoints on it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import ReaderDep
from api.routes._common import responses
from api.schemas import TopicDetail, TopicList, Viewpoints
from kb.read import query

__all__ = ["router"]

router = APIRouter(tags=["topics"])

TopicId = Annotated[str, Path(description="A topic id", examples=["consent"], max_length=100)]
_TOPIC = {
    "id": "consent",
    "label_en": "Consent",
    "label_zh": "同意",
    "definition": "Whether and how a person agrees to the processing of their face.",
    "counts": {"provisions": 61, "passages": 40},
}


@router.get(
    "/topics",
    response_model=TopicList,
    summary="List topics",
    description="Every topic of the taxonomy with how many articles and passages carry it.",
    responses=responses({"results": [_TOPIC], "count": 1}),
)
def list_topics(reader: ReaderDep) -> dict[str, Any]:
    results = query.list_topics(reader)
    return {"results": results, "count": len(results)}


@router.get(
    "/topics/{topic_id}",
    response_model=TopicDetail,
    summary="One topic",
    description="The articles and passages tagged with a topic (up to `limit` of each), with evidence.",
    responses=responses({**_TOPIC, "provisions": [], "passages": []}, 404),
)
def get_topic(
    reader: ReaderDep,
    topic_id: TopicId,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many provisions and passages")] = 100,
) -> dict[str, Any]:
    return query.get_topic(reader, topic_id, limit=limit)


@router.get(
    "/topics/{topic_id}/viewpoints",
    response_model=Viewpoints,
    summary="Viewpoints on a topic",
    description=(
        "The analyst's side-by-side: commentary on the topic grouped by document and speaker, each with "
        "their stance, their passages and the provisions those passages discuss."
    ),
    responses=responses(
        {
            "topic": {k: v for k, v in _TOPIC.items() if k != "counts"},
            "documents": [],
            "count": 0,
        },
        404,
    ),
)
def topic_viewpoints(reader: ReaderDep, topic_id: TopicId) -> dict[str, Any]:
    return query.topic_viewpoints(reader, topic_id)
