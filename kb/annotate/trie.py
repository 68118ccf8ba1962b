"""Alternations of many literal strings, compiled as a trie so matching stays fast.

Python's ``re`` tries the branches of ``a|b|c…`` one after another at every position:
with the 3,400 titles of the whole body of Chinese law in the citation finder's name
pattern, that is thousands of tries per character. The same alternation written as a
trie (``个人信息(?:保护法|安全规范)``) costs a few steps per character and matches
exactly the same strings, longest first — what the original gets by sorting its
branches longest first (see :func:`trie_pattern`).

>>> trie_pattern([["网", "络", "安", "全", "法"], ["网", "络"]])
'网络(?:安全法)?'
>>> import re
>>> pattern = re.compile("(?P<name>数据安全法|数据法|刑法)")
>>> compact_group(pattern, "name").pattern
'(?P<name>(?:刑法|数据(?:安全法|法)))'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["compact_group", "split_alternatives", "trie_pattern"]

# One atom of a literal alternative: an escaped character, the whitespace run the
# citation finder allows inside names, or any character that is not regex syntax.
_ATOM = re.compile(r"\\s\*|\\.|[^\\|()\[\]{}.*+?^$]")


class _Node:
    __slots__ = ("children", "terminal")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.terminal = False


def trie_pattern(alternatives: Iterable[Sequence[str]]) -> str:
    """A regex matching any of ``alternatives`` (each a sequence of regex atoms).

    Where one alternative is a prefix of another, the longer is tried first (a greedy
    optional group), and the shorter only when what follows the group fails — the
    order of a plain alternation sorted longest first.
    """
    root = _Node()
    for atoms in alternatives:
        node = root
        for atom in atoms:
            node = node.children.setdefault(atom, _Node())
        node.terminal = True
    return _emit(root)


def _emit(node: _Node) -> str:
    # Recursion depth is the length of the longest alternative (a title: < 100).
    branches = [_chain(atom, child) for atom, child in sorted(node.children.items())]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if node.terminal else body


def _chain(atom: str, node: _Node) -> str:
    """``atom`` and the rest below it, runs of single children written flat."""
    parts = [atom]
    while len(node.children) == 1 and not node.terminal:
        ((next_atom, node),) = node.children.items()
        parts.append(next_atom)
    return "".join(parts) + _emit(node)


def split_alternatives(body: str) -> list[list[str]] | None:
    """The alternatives of ``a|b|c`` as lists of atoms; None if ``body`` is not a plain
    alternation of literals (escaped characters and ``\\s*`` allowed)."""
    out: list[list[str]] = []
    current: list[str] = []
    pos = 0
    while pos < len(body):
        if body[pos] == "|":
            out.append(current)
            current = []
            pos += 1
            continue
        m = _ATOM.match(body, pos)
        if m is None:
            return None
        current.append(m.group(0))
        pos = m.end()
    out.append(current)
    return out if all(out) else None


def _group_body(pattern: str, name: str) -> tuple[int, int] | None:
    """Start and end of the body of the named group ``(?P<name>…)`` in ``pattern``."""
    opening = f"(?P<{name}>"
    start = pattern.find(opening)
    if start < 0:
        return None
    pos = start + len(opening)
    depth = 0
    while pos < len(pattern):
        ch = pattern[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return start + len(opening), pos
            depth -= 1
        pos += 1
    return None


def compact_group(pattern: re.Pattern[str], group: str) -> re.Pattern[str]:
    """``pattern`` with the literal alternation in group ``group`` written as a trie.

    Returns ``pattern`` itself when the group is missing or is not a plain alternation
    of literals, so a change in how the pattern is built costs speed, never matches.
    """
    span = _group_body(pattern.pattern, group)
    if span is None:
        return pattern
    alternatives = split_alternatives(pattern.pattern[span[0] : span[1]])
    if alternatives is None:
        return pattern
    # The group's own parentheses delimit the trie: no wrapping needed.
    body = trie_pattern(alternatives)
    return re.compile(pattern.pattern[: span[0]] + body + pattern.pattern[span[1] :], pattern.flags)
