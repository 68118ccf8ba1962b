"""``/documents``: what the knowledge base holds, document by document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import ReaderDep
from api.routes._common import responses
from api.schemas import DocumentDetail, DocumentList, PassageList
from kb.model import DocKind
from kb.read import query

__all__ = ["router"]

router = APIRouter(tags=["documents"])

# The kinds are kb.model's: one list, so a new kind reaches the filter without an edit here.
DocKindParam = DocKind
DocId = Annotated[str, Path(description="A document id", examples=["pipl-2021"], max_length=200)]

_DOC = {
    "id": "pipl-2021",
    "kind": "law",
    "status": "in_force",
    "title_zh": "中华人民共和国个人信息保护法",
    "title_en": "Personal Information Protection Law of the People's Republic of China",
    "short_names": ["PIPL", "个保法"],
    "promulgated": "2021-08-20",
    "effective": "2021-11-01",
    "text_available": True,
    "text_status": "available",
    "counts": {"articles": 74, "chapters": 8, "paragraphs": 150},
}


@router.get(
    "/documents",
    response_model=DocumentList,
    summary="List documents",
    description="Every document, in manifest order, optionally filtered by kind and status.",
    responses=responses({"results": [_DOC], "count": 1}),
)
def list_documents(
    reader: ReaderDep,
    kind: Annotated[DocKindParam | None, Query(description="Only documents of this kind")] = None,
    status: Annotated[
        str | None,
        Query(description="Only documents with this status (in_force, amended, draft ...)", max_length=40),
    ] = None,
) -> dict[str, Any]:
    results = query.list_documents(reader, kind=kind, status=status)
    return {"results": results, "count": len(results)}


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentDetail,
    summary="One document",
    description="Metadata, whether the text is held, counts, sources and the table of contents.",
    responses=responses(
        {
            **_DOC,
            "toc": [
                {
                    "id": "pipl-2021/art_1",
                    "eid": "art_1",
                    "level": "article",
                    "label": "第一条",
                    "heading": None,
                    "parent_id": "pipl-2021/chp_1",
                }
            ],
        },
        404,
    ),
)
def get_document(reader: ReaderDep, doc_id: DocId) -> dict[str, Any]:
    return query.get_document(reader, doc_id)


@router.get(
    "/documents/{doc_id}/passages",
    response_model=PassageList,
    summary="A commentary document's passages",
    description="The passages of a commentary document in order, with section, speaker, topics and stance.",
    responses=responses(
        {
            "document": {
                "id": "wsj-draft-rules-2023",
                "kind": "commentary",
                "status": "published",
                "text_available": True,
            },
            "results": [
                {
                    "id": "wsj-draft-rules-2023/p_3",
                    "n": 3,
                    "text": "…",
                    "kind": "paragraph",
                    "section": None,
                    "part": "body",
                    "speaker": {"name": None, "role": None, "kind": None},
                    "topics": ["consent"],
                    "stance": "descriptive",
                }
            ],
            "count": 1,
        },
        404,
    ),
)
def document_passages(reader: ReaderDep, doc_id: DocId) -> dict[str, Any]:
    return query.document_passages(reader, doc_id)
