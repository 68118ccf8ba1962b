"""The researcher's web interface: HTML pages over the knowledge base (see :mod:`api.web.routes`)."""

from api.web.routes import mount_web, router

__all__ = ["mount_web", "router"]
