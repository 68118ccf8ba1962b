"""``python -m api.mcp``: the MCP server over stdio, on the database of ``KB_DATABASE_URL``
(``kb mcp --db PATH`` sets it and runs this module)."""

from __future__ import annotations

import logging
import sys

from api.mcp.server import build_server
from kb.read.query import ReaderSource, warm_caches
from kb.search import warm_up
from kb.settings import Settings


def main() -> None:
    # stdout carries the protocol: logs go to stderr.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    settings = Settings()
    readers = ReaderSource(settings)
    try:
        warm_up(readers.get())  # the segmenter and the search's caches: the first call is not slow
        warm_caches(readers.get())
        build_server(readers.get, settings).run("stdio")
    finally:
        readers.close()


if __name__ == "__main__":
    main()
