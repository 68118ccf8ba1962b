"""Non-JSON representations: GraphML for graphs, media types for citation formats."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree as ET

__all__ = ["CITE_MEDIA_TYPES", "GRAPHML_MEDIA_TYPE", "to_graphml"]

GRAPHML_MEDIA_TYPE = "application/graphml+xml"
CITE_MEDIA_TYPES: Mapping[str, str] = {
    "json": "application/json",
    "text": "text/plain; charset=utf-8",
    "three-script": "text/plain; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json",
    "bibtex": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
}

# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


_NODE_KEYS = (("type", "string"), ("label", "string"), ("doc_id", "string"), ("hop", "int"))
_EDGE_KEYS = (("kind", "string"), ("score", "double"))


def to_graphml(graph: Mapping[str, Any]) -> str:
    """The graph of ``kb.read.query.graph`` as a GraphML document (yEd, Gephi, networkx)."""
    root = ET.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
    for name, kind in _NODE_KEYS:
        ET.SubElement(root, "key", {"id": f"n_{name}", "for": "node", "attr.name": name, "attr.type": kind})
    for name, kind in _EDGE_KEYS:
        ET.SubElement(root, "key", {"id": f"e_{name}", "for": "edge", "attr.name": name, "attr.type": kind})
    g = ET.SubElement(root, "graph", id=_text(graph["node"]), edgedefault="directed")
    for node in graph["nodes"]:
        el = ET.SubElement(g, "node", id=_text(node["id"]))
        for name, _ in _NODE_KEYS:
            if node.get(name) is not None:
                ET.SubElement(el, "data", key=f"n_{name}").text = _text(node[name])
    for edge in graph["edges"]:
        el = ET.SubElement(g, "edge", id=f"e{edge['id']}", source=_text(edge["source"]), target=_text(edge["target"]))
        for name, _ in _EDGE_KEYS:
            ET.SubElement(el, "data", key=f"e_{name}").text = str(edge[name])
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
