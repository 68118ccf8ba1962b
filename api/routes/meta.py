"""``/health`` and ``/problems``: is the service up, which build is it, what errors mean."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ReaderDep
from api.problems import problem_type_list
from api.routes._common import responses
from api.schemas import Health, ProblemTypeList
from kb.read import query

__all__ = ["router"]

router = APIRouter(tags=["meta"])


@router.get(
    "/health",
    response_model=Health,
    summary="Health and build facts",
    description="`ok` when the database answers, with the build's corpus hash, code version and time.",
    responses=responses(
        {
            "status": "ok",
            "build": {
                "corpus_hash": "9f2c…",
                "code_version": "0.1.0",
                "built_at": "2026-11-21T22:00:00+00:00",
                "schema_version": "1",
            },
            "documents": 26,
        }
    ),
)
def health(reader: ReaderDep) -> dict[str, Any]:
    return query.health(reader)


@router.get(
    "/problems",
    response_model=ProblemTypeList,
    summary="Problem types",
    description="The `type` values of the problem+json error responses, with what each means.",
    responses=responses({"results": problem_type_list()[:1], "count": 1}),
)
def problems() -> dict[str, Any]:
    results = problem_type_list()
    return {"results": results, "count": len(results)}
