"""``/search``: ranked full-text search over provisions and passages."""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request, Response

import kb.search as fts
from api.deps import ReaderDep, SettingsDep
from api.routes._common import responses
from api.schemas import SearchResponse

__all__ = ["router"]

router = APIRouter(tags=["search"])

# Queries up to this long are searched on the event loop, longer ones in a worker thread.
INLINE_QUERY_CHARS = 200

_EXAMPLE = {
    "query": "人脸识别",
    "mode": "all",
    "match": "all",
    "terms": ["人脸", "识别", "人脸识别", "人脸信息", "生物识别信息"],
    "expanded_terms": ["人脸信息", "生物识别信息"],
    "results": [
        {
            "id": "spc-frt-2021/art_1",
            "type": "provision",
            "doc_id": "spc-frt-2021",
            "label": "第一条",
            "document_title": "最高人民法院关于审理使用人脸识别技术处理个人信息相关民事案件适用法律若干问题的规定",
            "doc_status": "in_force",
            "score": 4.21,
            "snippet": "因信息处理者违反法律、行政法规的规定或者双方的约定使用<mark>人脸识别</mark>技术处理人脸信息…",
            "snippet_lang": "zh",
            "topics": ["consent"],
            "also_in": [],
        }
    ],
    "count": 57,
    "next": "eyJ2IjoxLCJtIjoiYWxsIiwicyI6LTQuMiwiciI6MTIsImgiOiIwMTIzIn0",
    "next_url": "https://kb.example/api/v1/search?q=%E4%BA%BA%E8%84%B8%E8%AF%86%E5%88%AB&cursor=eyJ2IjoxLCJtIjoi",
}


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Search provisions and passages",
    description=(
        "Ranked results over articles and commentary passages. Chinese and English queries work alike; "
        "an English query also finds Chinese articles through their English translations. Each result has "
        "an HTML `snippet`: the escaped display text with `<mark>` around the matched terms.\n\n"
        "Query words are taken literally by default (`mode=all`): question words and other stopwords are "
        "dropped, and every remaining word must match when there are at most three; a longer query, or one "
        "that nothing matches in full, is ranked by any of its words (`match` says `any`), results with more "
        "of the words first. `mode=raw` passes SQLite FTS5 syntax through "
        '(`"单独 同意" OR consent*`); a syntax error is a 422.\n\n'
        "Ranking: BM25 per word; lay words add the legal terms they stand for (`expanded_terms`, weighted "
        "0.3, never required; `expand=false` turns this off); local regulations weigh 0.8 unless the query "
        "names a place; the versions of one article are one result (the others in `also_in`).\n\n"
        'Pages: pass the `next` cursor (or follow `next_url`, or the `Link: rel="next"` header).'
    ),
    responses=responses(
        _EXAMPLE,
        404,
        extra={
            "headers": {
                "Link": {
                    "description": 'The next page: `<url>; rel="next"` (absent on the last page)',
                    "schema": {"type": "string"},
                }
            }
        },
    ),
)
async def search(
    request: Request,
    response: Response,
    reader: ReaderDep,
    settings: SettingsDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            description="The query, Chinese or English",
            examples=["人脸识别", "facial recognition consent"],
        ),
    ],
    type: Annotated[Literal["provision", "passage"] | None, Query(description="Only this kind of result")] = None,
    doc: Annotated[str | None, Query(description="Only this document", examples=["pipl-2021"], max_length=200)] = None,
    topic: Annotated[
        str | None, Query(description="Only results tagged with this topic", examples=["consent"], max_length=100)
    ] = None,
    lang: Annotated[
        Literal["zh", "en"] | None,
        Query(description="Match only Chinese text (zh) or only English text: translations and passages (en)"),
    ] = None,
    status: Annotated[
        str | None, Query(description="Only documents with this status", examples=["in_force"], max_length=40)
    ] = None,
    mode: Annotated[Literal["all", "any", "raw"], Query(description="all words, any word, or raw FTS5")] = "all",
    limit: Annotated[int, Query(ge=1, le=fts.MAX_LIMIT, description="Results per page")] = 20,
    cursor: Annotated[str | None, Query(description="The `next` value of the previous page", max_length=200)] = None,
    expand: Annotated[bool, Query(description="Add legal terms for lay words (see `expanded_terms`)")] = True,
) -> dict[str, Any]:
    run = functools.partial(
        fts.search,
        reader,
        q,
        mode=mode,
        type=type,
        doc=doc,
        topic=topic,
        lang=lang,
        status=status,
        limit=limit,
        cursor=cursor,
        max_query_length=settings.max_query_length,
        expand=expand,
    )
    if mode != "raw" and len(q) <= INLINE_QUERY_CHARS:
        # A question's search takes a few ms of pure Python and numpy: handing it to a thread
        # costs more CPU than it saves (GIL hand-offs with the event loop), so it runs here.
        data = run()
    else:
        # Long or raw queries may take longer (raw ones wait on the database): in a thread, at
        # most ``settings.search_threads`` at once (more only take turns at the GIL).
        data = await anyio.to_thread.run_sync(run, limiter=request.app.state.search_limiter)
    next_url = None
    if data["next"]:
        next_url = str(request.url.include_query_params(cursor=data["next"]))
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return {**data, "next_url": next_url}
