"""Links between the pieces of the knowledge base.

* :mod:`kb.link.versions` — article-to-article alignment of two versions of one work
  (``aligned`` links) and ``version_of`` links between documents;
* :mod:`kb.link.passages` — which provisions a commentary passage discusses
  (``discusses`` links) and which text-absent documents it is about (``mentions``).
"""

from __future__ import annotations

from kb.link.passages import LinkConfig, PassageLinker, ProvisionIndex, link_passages
from kb.link.versions import (
    Alignment,
    align_versions,
    alignment_links,
    link_versions,
    version_links,
    version_pairs,
)

__all__ = [
    "Alignment",
    "LinkConfig",
    "PassageLinker",
    "ProvisionIndex",
    "align_versions",
    "alignment_links",
    "link_passages",
    "link_versions",
    "version_links",
    "version_pairs",
]
