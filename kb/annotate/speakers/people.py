"""Names in English text: a run of capitalised words read as a person (with title) or an
organisation, and the people one document introduces, normalised."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from kb.annotate.speakers.lexicon import _CONNECTORS, Lexicon


@dataclass(frozen=True)
class _Name:
    text: str  # without title: "Weijun Liu"
    tokens: tuple[str, ...]
    title: str | None  # "Professor", "Tsinghua Law professor"
    is_org: bool


def _parse_run(run: str, lex: Lexicon) -> _Name | None:
    tokens = run.split()
    while tokens and (tokens[0] in lex.stopwords or tokens[0] in _CONNECTORS):
        tokens.pop(0)
    cut = -1
    for k, tok in enumerate(tokens):
        bare = tok.rstrip(".").lower()
        if bare in lex.titles or bare in lex.role_nouns:
            cut = k
    title = " ".join(tokens[: cut + 1]) or None
    tokens = tokens[cut + 1 :]
    if "of" in tokens:  # "Zhang Wei of Peking University": a person and where they work
        k = tokens.index("of")
        person, place = tokens[:k], tokens[k + 1 :]
        if len(person) >= 2 and not set(person) & lex.org_words and set(place) & lex.org_words:
            title = " ".join([*([title] if title else []), *tokens[k:]])
            tokens = person
    while tokens and tokens[-1] in _CONNECTORS:
        tokens.pop()
    if not tokens or all(t in lex.stopwords for t in tokens):
        return None
    is_org = title is None and (
        any(t in lex.org_words for t in tokens)
        or (len(tokens) == 1 and (tokens[0].isupper() or re.search(r"[a-z][A-Z]", tokens[0]) is not None))
    )
    return _Name(" ".join(tokens), tuple(tokens), title, is_org)


def _same_person(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if set(a) == set(b):  # Lao Dongyan / Dongyan Lao
        return True
    if len(a) >= 2 and len(b) >= 2:
        for x, y in ((a, b), (a[::-1], b[::-1])):  # Jeff Ding / Jeffrey Ding, either order
            if (
                x[-1] == y[-1]
                and len(x[0]) >= 3
                and len(y[0]) >= 3
                and (x[0].startswith(y[0]) or y[0].startswith(x[0]))
            ):
                return True
    return False


class _People:
    """The people one document names, in order of introduction, with their roles."""

    _ROLE_RANK: ClassVar[Mapping[str, int]] = {"appositive": 3, "copula": 3, "premodifier": 2, "title": 1}

    def __init__(self) -> None:
        self.names: list[tuple[str, ...]] = []
        self.roles: dict[str, tuple[int, str]] = {}
        self.last_seen: dict[str, int] = {}
        self._clock = 0

    def add(self, tokens: tuple[str, ...], role: str | None = None, how: str = "title") -> str:
        found = self.match_full(tokens)
        if found is None:
            self.names.append(tokens)
            found = tokens
        key = " ".join(found)
        if role:
            rank = self._ROLE_RANK.get(how, 0)
            if key not in self.roles or self.roles[key][0] < rank:
                self.roles[key] = (rank, role)
        return key

    def match_full(self, tokens: tuple[str, ...]) -> tuple[str, ...] | None:
        return next((n for n in self.names if _same_person(n, tokens)), None)

    def canonical(self, tokens: tuple[str, ...]) -> str:
        """The document's name for a mention; the mention itself when unknown."""
        if len(tokens) > 1:
            found = self.match_full(tokens)
        else:
            hits = [n for n in self.names if len(n) > 1 and tokens[0] in n]
            # Two people share a surname: the one mentioned last is meant.
            found = max(hits, key=lambda n: self.last_seen.get(" ".join(n), -1)) if hits else None
        key = " ".join(found) if found else " ".join(tokens)
        self._clock += 1
        self.last_seen[key] = self._clock
        return key

    def role(self, key: str) -> str | None:
        return self.roles[key][1] if key in self.roles else None
