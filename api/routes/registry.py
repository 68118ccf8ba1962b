"""The routers the app mounts under ``/api/v1`` (one per resource) and their OpenAPI tags."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import cite, compare, documents, graph, meta, passages, provisions, resolve, search, topics

__all__ = ["ROUTERS", "TAGS"]

ROUTERS: tuple[APIRouter, ...] = (
    documents.router,
    provisions.router,
    passages.router,
    search.router,
    topics.router,
    resolve.router,
    cite.router,
    compare.router,
    graph.router,
    meta.router,
)

TAGS = [
    {"name": "documents", "description": "Statutes, drafts, standards and commentary the knowledge base knows."},
    {"name": "provisions", "description": "Articles, paragraphs and items of statutes, with their links."},
    {"name": "passages", "description": "Paragraphs of English commentary, with speaker, stance and links."},
    {"name": "search", "description": "Full-text search over provisions and passages, Chinese or English."},
    {"name": "topics", "description": "The topic taxonomy and the commentary viewpoints on each topic."},
    {"name": "citations", "description": "Finding citations in text, and citing documents and provisions."},
    {"name": "versions", "description": "How the articles of one version of a law became those of the next."},
    {"name": "graph", "description": "The link graph around a document, provision or passage."},
    {"name": "meta", "description": "Health, build facts and the problem types the API returns."},
]
