"""What every route declares: its problem responses, and a 200 example."""

from __future__ import annotations

from typing import Any

from api.schemas import Problem

__all__ = ["responses"]

_PROBLEMS: dict[int, dict[str, Any]] = {
    404: {"model": Problem, "description": "Unknown id (problem+json)"},
    422: {"model": Problem, "description": "Invalid parameter (problem+json)"},
}


def responses(example: Any, *codes: int, extra: dict[str, Any] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for a route: a 200 example and the problems it can return."""
    extra = dict(extra or {})
    content = {"application/json": {"example": example}, **extra.pop("content", {})}
    out: dict[int | str, dict[str, Any]] = {200: {"content": content, **extra}}
    for code in (*codes, 422):
        out[code] = _PROBLEMS[code]
    return out
