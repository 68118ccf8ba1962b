"""Find citations of statutes in Chinese or English text and resolve them to ids.

One pass serves any text: a statute's own provisions, an SPC interpretation or an
English commentary. The finder works in three steps, eyecite style:

1. *anchors*: document names (manifest titles, aliases, short names, descriptions and
   the extra names in ``corpus/citations/patterns.toml``), 《书名号》 titles, self
   references (本法, 本规定) and relative references (本条, 前款, 前两款);
2. *chains*: pinpoints such as ``第十三条第一款第（四）项、第十四条`` or
   ``Articles 13(1)(iv) and 14``, with lists and ranges (第三十四条至第三十七条);
3. *resolution*: a chain takes its document from the anchor touching it (before it,
   or after it in English: "Article 41 of the Cybersecurity Law"), else from the
   context; the version of a work is chosen by the citing text's date or an explicit
   year; every pinpoint is checked against the eids that exist.

>>> from kb.model import DocumentMeta, SourceRef
>>> law = DocumentMeta(id="pipl-2021", kind="law", title_zh="中华人民共和国个人信息保护法",
...                    short_names=("PIPL",), sources=(SourceRef("x.txt"),))
>>> index = CitationIndex.build([law], {"pipl-2021": frozenset({"art_13", "art_13__para_1"})})
>>> [(c.text, c.status, c.ids) for c in find_citations("见个人信息保护法第十三条。", index)]
[('个人信息保护法第十三条', 'resolved', ('pipl-2021/art_13',))]
>>> find_citations("Article 99 of the PIPL", index)[0].status
'not_found'

Offsets are into the text as given; nothing is normalised first.
"""

from __future__ import annotations

from kb.annotate.citations.index import CitationIndex
from kb.annotate.citations.links import citation_annotations, citation_annotations_from, citation_links
from kb.annotate.citations.patterns import PATTERNS_PATH, CitationPatterns, load_patterns, parse_patterns
from kb.annotate.citations.resolve import find_citations

__all__ = [
    "PATTERNS_PATH",
    "CitationIndex",
    "CitationPatterns",
    "citation_annotations",
    "citation_annotations_from",
    "citation_links",
    "find_citations",
    "load_patterns",
    "parse_patterns",
]
