"""One router per resource; :data:`ROUTERS` (in :mod:`api.routes.registry`) is what the app
mounts under ``/api/v1``. This package only re-exports."""

from __future__ import annotations

from api.routes.registry import ROUTERS, TAGS

__all__ = ["ROUTERS", "TAGS"]
