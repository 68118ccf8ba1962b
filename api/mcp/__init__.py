"""The knowledge base for AI agents: an MCP server (``api.mcp.server``), served over stdio
by ``python -m api.mcp`` / ``kb mcp`` and over streamable HTTP at ``/mcp`` by ``kb serve``."""

from api.mcp.http import MCPEndpoint
from api.mcp.server import KBServer, build_server

__all__ = ["KBServer", "MCPEndpoint", "build_server"]
