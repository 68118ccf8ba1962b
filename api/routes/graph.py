"""``/graph``: the neighbourhood of a node in the link graph, as JSON or GraphML."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import ReaderDep
from api.formats import GRAPHML_MEDIA_TYPE, to_graphml
from api.routes._common import responses
from api.schemas import Graph
from kb.errors import InvalidQuery
from kb.read import query

__all__ = ["router"]

router = APIRouter(tags=["graph"])


@router.get(
    "/graph",
    response_model=Graph,
    summary="Neighbourhood graph",
    description=(
        "Nodes (documents, provisions, passages) and edges (links) within `depth` hops of `node`, over the "
        f"link kinds in `kinds` (comma-separated; default all: {', '.join(query.GRAPH_KINDS)}). At most "
        f"{query.GRAPH_MAX_NODES} nodes, nearest first; `truncated` says when there were more. "
        "`format=graphml` returns GraphML."
    ),
    responses=responses(
        {
            "node": "pipl-2021/art_28",
            "depth": 1,
            "kinds": ["cites", "discusses"],
            "nodes": [
                {"id": "pipl-2021/art_28", "type": "provision", "hop": 0, "label": "第二十八条", "doc_id": "pipl-2021"}
            ],
            "edges": [],
            "truncated": False,
            "max_nodes": query.GRAPH_MAX_NODES,
        },
        404,
        extra={"content": {GRAPHML_MEDIA_TYPE: {"schema": {"type": "string"}}}},
    ),
)
def graph(
    reader: ReaderDep,
    node: Annotated[
        str, Query(description="A document, provision or passage id", examples=["pipl-2021/art_28"], max_length=300)
    ],
    depth: Annotated[int, Query(ge=1, le=3, description="Hops from the node")] = 1,
    kinds: Annotated[
        str | None, Query(description="Comma-separated link kinds", examples=["cites,discusses"], max_length=200)
    ] = None,
    format: Annotated[Literal["json", "graphml"], Query(description="json or graphml")] = "json",
) -> Any:
    kind_list = [k.strip() for k in kinds.split(",") if k.strip()] if kinds is not None else None
    if kinds is not None and not kind_list:
        raise InvalidQuery("no link kind given", parameter="kinds")
    data = query.graph(reader, node, depth=depth, kinds=kind_list)
    if format == "graphml":
        return Response(to_graphml(data), media_type=GRAPHML_MEDIA_TYPE)
    return data
