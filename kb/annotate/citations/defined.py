"""Terms a text defines for a document it names, and their later uses.

《人脸识别技术应用安全管理办法》（以下简称《办法》） makes a later 《办法》第五条 a citation of
that document; so does "the Data Security Law (the “DSL”)" for a later "DSL". The
definition itself is part of the naming anchor's span, not a second citation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from kb.annotate.citations.anchors import Anchor
from kb.annotate.citations.chains import Coverage
from kb.annotate.citations.index import has_cjk
from kb.annotate.citations.patterns import (
    EN_DEFINITION,
    EN_TERM_USE_TEMPLATE,
    ZH_DEFINITION,
    ZH_TERM_USE_TEMPLATE,
)


@lru_cache(maxsize=64)
def _use_regex(term: str) -> re.Pattern[str]:
    template = ZH_TERM_USE_TEMPLATE if has_cjk(term) else EN_TERM_USE_TEMPLATE
    return re.compile(template.format(term=re.escape(term)))


def apply_definitions(
    text: str, anchors: Sequence[Anchor], taken: Coverage, self_words: Sequence[str] = ()
) -> list[Anchor]:
    """``anchors`` with definitions folded into the anchor they follow and later uses of
    each defined term added as anchors of the same document."""
    out = sorted(anchors, key=lambda a: a.start)
    definitions: list[tuple[int, str, Anchor]] = []
    for i, a in enumerate(out):
        if a.kind not in ("name", "title") or not a.docs:
            continue
        m = ZH_DEFINITION.match(text, a.end) or EN_DEFINITION.match(text, a.end)
        if m is None:
            continue
        term = m.group("term").strip()
        if len(term) < 2 or term in self_words:
            continue
        out[i] = replace(a, end=m.end())
        taken.add(a.end, m.end())
        definitions.append((m.end(), term, out[i]))
    if not definitions:
        return out
    inside = [(a.end, d.end) for _, _, d in definitions for a in anchors if a.start == d.start]
    out = [b for b in out if not any(lo <= b.start and b.end <= hi for lo, hi in inside)]
    starts = {b.start: i for i, b in enumerate(out)}
    added: list[Anchor] = []
    for end, term, named in definitions:
        for m in _use_regex(term).finditer(text, end):
            same = dict(kind="name", docs=named.docs, year=named.year, latest=named.latest, note=None)
            if m.start() in starts:  # 《办法》 was an unknown title: now it is known
                i = starts[m.start()]
                if out[i].kind == "unknown":
                    out[i] = replace(out[i], **same)  # type: ignore[arg-type]
                continue
            if taken.hits(m.start(), m.end()) and not m.group(0).startswith("《"):
                continue
            added.append(Anchor(m.start(), m.end(), "name", named.docs, named.year, latest=named.latest))
            taken.add(m.start(), m.end())
    return sorted(out + added, key=lambda a: a.start)
