"""Topic tags for statute provisions, computed once per line and only where one can fire.

:func:`kb.annotate.topics.tag_text` tags a text line by line: a sentence never spans a
line break, so the tags of a text are the tags of its lines, shifted by each line's
offset. A statute repeats its lines on several levels (an article's text is its
paragraphs, a paragraph's text holds its items), so :class:`ProvisionTagger` tags each
distinct line once and assembles every provision's annotations from the lines — the
same annotations ``tag_text(prov.id, prov.text, "zh", taxonomy)`` returns, in the same
order.

Most lines of the whole body of law cannot trigger any topic. A line is sent through
spaCy only when it contains a literal that a non-blocking pattern needs: an
alternative of a phrase pattern, or, for a token pattern, a literal that one of its
required tokens must contain (``{"TEXT": {"REGEX": "^(侵害|侵犯)"}}`` needs 侵害 or 侵犯).
Blocking patterns only remove tags, so they need no line of their own. When a token
pattern has no such literal, every line is tagged (slower, never different).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from kb.annotate.topics import Taxonomy, required_literals, shift_tag, tag_text, text_lines
from kb.annotate.trie import trie_pattern
from kb.model import Annotation, Provision

__all__ = ["TAGGED_LEVELS", "ProvisionTagger"]

# Levels whose own text is tagged. Articles are tagged on their full text too, so an
# article carries the tags of its paragraphs and items, with spans into its own text.
TAGGED_LEVELS = frozenset({"preamble", "article", "paragraph", "item", "subitem"})

_CACHE_LIMIT = 50_000  # distinct lines remembered; a document rarely has more than 5,000


def _literal_regex(literals: Iterable[str]) -> re.Pattern[str]:
    return re.compile(trie_pattern([[re.escape(ch) for ch in lit] for lit in sorted(set(literals))]))


class ProvisionTagger:
    """``tag_text`` for the provisions of Chinese statutes, line-cached and prefiltered."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._cache: dict[str, list[Annotation]] = {}
        single: set[str] = set()  # patterns that need one literal of a list: one regex
        self._several: list[list[re.Pattern[str]]] = []  # patterns that need several
        self._prefilter = True
        for pattern in taxonomy.patterns_for("zh"):
            if pattern.blocks:
                continue
            needles = required_literals(pattern, taxonomy.cues)
            if needles is None:
                self._prefilter = False
            elif len(needles) == 1:
                single.update(needles[0])
            else:
                self._several.append([_literal_regex(group) for group in needles])
        self._single = _literal_regex(single) if single else None

    def could_match(self, line: str) -> bool:
        """False only when no non-blocking pattern can match ``line``."""
        if not self._prefilter:
            return True
        if self._single is not None and self._single.search(line):
            return True
        return any(all(rx.search(line) for rx in groups) for groups in self._several)

    def _line(self, line: str) -> list[Annotation]:
        found = self._cache.get(line)
        if found is None:
            found = tag_text("", line, "zh", self.taxonomy) if self.could_match(line) else []
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[line] = found
        return found

    def tag(self, target_id: str, text: str) -> list[Annotation]:
        """Exactly ``tag_text(target_id, text, "zh", taxonomy)``."""
        out: list[Annotation] = []
        for offset, line in text_lines(text):
            out.extend(shift_tag(ann, target_id, offset) for ann in self._line(line))
        return out

    def tag_provisions(self, provisions: Iterable[Provision]) -> Iterator[Annotation]:
        """Topic annotations of every tagged-level provision with text, in order."""
        for prov in provisions:
            if prov.level in TAGGED_LEVELS and prov.text:
                yield from self.tag(prov.id, prov.text)
