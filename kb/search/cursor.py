"""Keyset cursors: the opaque ``next`` token of a page (score and rowid of its last result).

A cursor also holds the match mode the first page ended in and a fingerprint of the
query and filters, so it cannot be replayed on another query.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from kb.errors import InvalidQuery
from kb.search.fts import QueryMode
from kb.search.plan import SearchParams

__all__ = ["Cursor", "decode_cursor", "encode_cursor"]

_CURSOR_VERSION = 2


@dataclass(frozen=True)
class Cursor:
    match: QueryMode
    score: float
    rowid: int


def encode_cursor(params: SearchParams, cursor: Cursor) -> str:
    data = {"v": _CURSOR_VERSION, "m": cursor.match, "s": cursor.score, "r": cursor.rowid, "h": params.fingerprint()}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(params: SearchParams, token: str) -> Cursor:
    """The position a ``next`` token points at; InvalidQuery when it is not one of ours."""
    bad = InvalidQuery(
        "not a cursor this search issued (use the `next` value of the previous page)", parameter="cursor"
    )
    if len(token) > 200:
        raise bad
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if not isinstance(data, dict) or data.get("v") != _CURSOR_VERSION or data.get("h") != params.fingerprint():
        raise bad
    match, score, rowid = data.get("m"), data.get("s"), data.get("r")
    if match not in ("all", "any", "raw") or not isinstance(score, int | float) or isinstance(score, bool):
        raise bad
    if not isinstance(rowid, int) or isinstance(rowid, bool):
        raise bad
    return Cursor(match=match, score=float(score), rowid=rowid)
