"""Request dependencies as typed aliases: ``reader: ReaderDep``, ``settings: SettingsDep``.

The app opens the database in its lifespan and keeps a
:class:`kb.read.query.ReaderSource` in ``app.state``; tests may override
:func:`get_reader` with ``app.dependency_overrides``. The dependencies are coroutines: they
only read ``app.state`` (a file's mtime, every few seconds), and a plain function would cost
each request a trip to the thread pool per dependency.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kb.read.query import Reader, ReaderSource
from kb.settings import Settings

__all__ = ["BaseUrlDep", "ReaderDep", "SettingsDep", "base_url", "get_reader", "get_settings"]


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_reader(request: Request) -> Reader:
    readers: ReaderSource = request.app.state.readers
    return readers.get()


async def base_url(request: Request) -> str:
    """The scheme and host the client used, for absolute URLs in responses (no trailing slash)."""
    return str(request.base_url).rstrip("/")


SettingsDep = Annotated[Settings, Depends(get_settings)]
ReaderDep = Annotated[Reader, Depends(get_reader)]
BaseUrlDep = Annotated[str, Depends(base_url)]
