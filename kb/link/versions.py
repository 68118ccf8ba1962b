"""Article-to-article alignment of two versions of one work (``csl-2016`` -> ``csl-2025``).

:func:`align_versions` pairs the articles of an old and a new text of the same statute
and says what happened to each one:

======================  ======================================================
``unchanged``           same number, same text
``renumbered``          new number, same text
``modified``            same number, text changed
``renumbered-modified`` new number, text changed
``added``               only in the new text
``removed``             only in the old text
======================  ======================================================

"Same text" ignores formatting: whitespace, full- versus half-width forms and curly versus
straight quotes (:func:`formatting_key`), and the article numbers inside cross-references when
the new number is exactly what the alignment itself predicts (old ``第二十七条``
became ``第二十九条`` because old Art. 27 is new Art. 29): a consolidated text updates
those references mechanically, so they are no change of substance. The diff still
shows them.

How it works, in four passes over the article-level provisions:

1. **features** — each article is a bag of character bigrams of its whitespace-free
   text with cross-reference numbers masked; bigrams are weighted by inverse document
   frequency over both versions, so boilerplate (应当, 有关部门) counts for little.
   :func:`similarity` is the weighted Dice coefficient of two bags (0..1).
2. **candidates** — an article whose text occurs exactly once in each version is
   paired with its twin; every other new article gets its ``TOP_K`` best old articles
   from an inverted index over the rarer bigrams. No full similarity matrix is built,
   so a 1,260-article code aligns in well under a second.
3. **monotonic chain** — the candidate pairs above ``CHAIN_MIN`` form a maximum-weight
   chain increasing in both numberings (weighted LIS with a Fenwick tree,
   ``O(P log n)``); after the moves (4), each gap between consecutive chain pairs is
   aligned on its own with every pair scored and the lower bar ``GAP_MIN`` (an article
   rewritten in place, like Art. 9 of the Minors Protection Law in 2024, shares little
   text but sits in the same slot).
4. **moves** — before the gaps are filled, leftovers on both sides are paired greedily
   when their similarity reaches ``MOVE_MIN`` (an article moved to another chapter);
   what no pass pairs is added or removed.

>>> from kb.model import Provision
>>> def art(doc, n, text):
...     return Provision(doc, f"art_{n}", "article", n, text, number=n)
>>> old = [art("v1", 1, "为了保护个人信息，制定本法。"), art("v1", 2, "本法自公布之日起施行。")]
>>> new = [art("v2", 1, "为了保护个人信息，制定本法。"), art("v2", 2, "国家建立人脸识别技术应用备案制度。"),
...        art("v2", 3, "本法自公布之日起施行。")]
>>> [(a.old_eid, a.new_eid, a.status) for a in align_versions(old, new)]
[('art_1', 'art_1', 'unchanged'), (None, 'art_2', 'added'), ('art_2', 'art_3', 'renumbered')]
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kb.ids import Eid, provision_id
from kb.model import DocumentMeta, Link, Provision
from kb.text.numerals import NUMERAL_CHARS, cn_to_int

__all__ = [
    "CHAIN_MIN",
    "GAP_MIN",
    "MOVE_MIN",
    "TOP_K",
    "Alignment",
    "AlignmentStatus",
    "DiffOp",
    "align_versions",
    "alignment_links",
    "char_diff",
    "formatting_key",
    "link_versions",
    "similarity",
    "version_links",
    "version_pairs",
    "word_diff",
]

AlignmentStatus = Literal["unchanged", "modified", "renumbered", "renumbered-modified", "added", "removed"]
DiffOp = dict[str, str]  # {"op": "equal"|"insert"|"delete"|"replace", "old": ..., "new": ...}

# Thresholds on the weighted Dice similarity (0..1). Unrelated articles of one Chinese
# statute score 0.02-0.15 once boilerplate is down-weighted; an article with a new
# paragraph or changed fines scores 0.5-0.9.
CHAIN_MIN = 0.3  # a pair joins the monotonic chain only above this
GAP_MIN = 0.15  # between two chain pairs, a weaker pair in the same slot still counts
MOVE_MIN = 0.45  # an out-of-order (moved) pair needs clear evidence
TOP_K = 6  # candidate old articles per new article
# Inverted-index postings longer than this share of all articles carry no signal worth
# their cost; their bigrams still count in the exact similarity.
_COMMON_SHARE = 0.08
_COMMON_FLOOR = 12

_ALIGNABLE = frozenset({"article", "preamble"})
_NUM = NUMERAL_CHARS
# A reference to an article number, 第二十七条 / 第十七条之一: masked for comparison.
XREF_RE = re.compile(rf"第([{_NUM}]+)条(?:之([{_NUM}]+))?")
_WS = re.compile(r"\s+")
# Quotation marks NFKC leaves apart: “ ” ‘ ’ 「 」 and straight quotes are one mark to a reader.
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})
# Diff units: a whole number (二十一, 10,000) or one character, so that 第二十一条 ->
# 第二十三条 shows as 二十一 -> 二十三 rather than 一 -> 三.
_DIFF_TOKEN = re.compile(rf"[{_NUM}万亿]+(?:[.,][0-9]+)*|.", re.S)
# Equal runs this short between two changes are noise in a character diff of Chinese
# (a shared 的 or ，); they are folded into one replacement.
_MIN_EQUAL_RUN = 2


@dataclass(frozen=True)
class Alignment:
    """What became of one article between two versions.

    ``similarity`` is the weighted Dice coefficient of the two texts (0 for added and
    removed articles); ``diff`` is a character-level edit script over the two texts
    (whitespace-normalised, paragraphs separated by newlines); ``moved`` marks a pair
    found out of document order.
    """

    old_eid: str | None
    new_eid: str | None
    status: AlignmentStatus
    similarity: float
    diff: tuple[DiffOp, ...] = ()
    moved: bool = False


# ------------------------------------------------------------------------- features


@dataclass(frozen=True)
class _Article:
    eid: str
    text: str  # for the diff: whitespace-normalised, paragraphs on their own lines
    masked: str  # for comparison: no whitespace, cross-reference numbers masked
    refs: tuple[str, ...]  # article eids referred to, in order (art_27, art_17-1)
    bag: Counter[str]


def _display_text(text: str) -> str:
    lines = (_WS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _ref_eid(match: re.Match[str]) -> str:
    try:
        number = cn_to_int(match.group(1))
        sub = cn_to_int(match.group(2)) if match.group(2) else None
    except ValueError:
        return match.group(0)
    return str(Eid.build("article", f"{number}-{sub}" if sub else number))


def formatting_key(text: str) -> str:
    """The text with formatting folded away: no whitespace, full-width forms as half-width
    (NFKC: ，→, （→( ５→5), curly quotes as straight ones. Two texts with the same key
    differ only in formatting, which is no amendment.

    >>> formatting_key("第一条　保护（个人）信息，“人脸”。") == formatting_key('第一条 保护(个人)信息, "人脸"。')
    True
    """
    return _WS.sub("", unicodedata.normalize("NFKC", text).translate(_QUOTES))


def _article(prov: Provision) -> _Article:
    compact = formatting_key(prov.text)
    masked = XREF_RE.sub("第#条", compact)
    refs = tuple(_ref_eid(m) for m in XREF_RE.finditer(compact))
    bag = Counter(masked[i : i + 2] for i in range(len(masked) - 1)) if len(masked) > 1 else Counter(masked)
    return _Article(prov.eid, _display_text(prov.text), masked, refs, bag)


class _Scorer:
    """IDF-weighted Dice over the bigram bags of both versions' articles."""

    def __init__(self, old: Sequence[_Article], new: Sequence[_Article]) -> None:
        df: Counter[str] = Counter()
        for a in (*old, *new):
            df.update(a.bag.keys())
        n = len(old) + len(new)
        self.idf = {g: math.log(1 + n / d) for g, d in df.items()}
        self.old, self.new = old, new
        self.old_mass = [self._mass(a.bag) for a in old]
        self.new_mass = [self._mass(a.bag) for a in new]
        self._cache: dict[tuple[int, int], float] = {}

    def _mass(self, bag: Counter[str]) -> float:
        return sum(self.idf[g] * c for g, c in bag.items())

    def __call__(self, i: int, j: int) -> float:
        key = (i, j)
        if key not in self._cache:
            a, b = self.old[i].bag, self.new[j].bag
            if len(a) > len(b):
                a, b = b, a
            shared = sum(self.idf[g] * min(c, b[g]) for g, c in a.items() if g in b)
            total = self.old_mass[i] + self.new_mass[j]
            self._cache[key] = 2 * shared / total if total else 0.0
        return self._cache[key]


def similarity(old_text: str, new_text: str) -> float:
    """Bigram Dice similarity of two texts (unweighted: no corpus to weigh against).

    >>> similarity("网络运营者应当保护个人信息。", "网络运营者应当保护个人信息。")
    1.0
    >>> round(similarity("网络运营者", "网络产品"), 2)
    0.29
    """
    a = _article(Provision("", "a", "article", 0, old_text)).bag
    b = _article(Provision("", "b", "article", 0, new_text)).bag
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0


# ----------------------------------------------------------------------- candidates


def _candidates(old: Sequence[_Article], new: Sequence[_Article], score: _Scorer) -> dict[int, list[int]]:
    """For every new article, the old articles worth scoring exactly."""
    old_by_text: dict[str, list[int]] = {}
    for i, a in enumerate(old):
        old_by_text.setdefault(a.masked, []).append(i)
    new_text_count = Counter(a.masked for a in new)
    limit = max(_COMMON_FLOOR, int(_COMMON_SHARE * len(old)))
    postings: dict[str, list[tuple[int, int]]] = {}
    for i, a in enumerate(old):
        for g, c in a.bag.items():
            postings.setdefault(g, []).append((i, c))
    out: dict[int, list[int]] = {}
    for j, b in enumerate(new):
        twins = old_by_text.get(b.masked, [])
        if len(twins) == 1 and new_text_count[b.masked] == 1:
            out[j] = twins  # unique on both sides: nothing else can beat it
            continue
        acc: dict[int, float] = {}
        for g, c in b.bag.items():
            plist = postings.get(g)
            if not plist or len(plist) > limit:
                continue
            w = score.idf[g]
            for i, ci in plist:
                acc[i] = acc.get(i, 0.0) + w * min(c, ci)
        ranked = sorted(acc, key=lambda i: (-acc[i] / (score.old_mass[i] + score.new_mass[j] or 1.0), i))
        out[j] = sorted(set(ranked[:TOP_K]) | set(twins))
    return out


# -------------------------------------------------------------------------- chaining


def _best_chain(pairs: Iterable[tuple[int, int, float]]) -> list[tuple[int, int]]:
    """The maximum-weight chain of (i, j, weight) pairs strictly increasing in i and j.

    Weighted longest increasing subsequence: pairs are taken by j, and for one j by
    decreasing i so that two pairs of the same j never chain; a Fenwick tree over i
    holds the best chain ending at or below each i.

    >>> _best_chain([(0, 0, 1.0), (1, 1, 1.0), (0, 1, 0.5), (2, 2, 0.2)])
    [(0, 0), (1, 1), (2, 2)]
    """
    items = sorted(pairs, key=lambda p: (p[1], -p[0]))
    if not items:
        return []
    size = max(i for i, _, _ in items) + 1
    tree_val = [0.0] * (size + 1)
    tree_idx = [-1] * (size + 1)
    best_val: list[float] = []
    back: list[int] = []

    def query(i: int) -> tuple[float, int]:  # best chain ending at an old index < i
        val, idx = 0.0, -1
        while i > 0:
            if tree_val[i] > val:
                val, idx = tree_val[i], tree_idx[i]
            i -= i & -i
        return val, idx

    def update(i: int, val: float, idx: int) -> None:
        i += 1
        while i <= size:
            if val > tree_val[i]:
                tree_val[i], tree_idx[i] = val, idx
            i += i & -i

    for k, (i, _j, w) in enumerate(items):
        prev_val, prev_idx = query(i)
        best_val.append(prev_val + w)
        back.append(prev_idx)
        update(i, prev_val + w, k)
    k = max(range(len(items)), key=lambda x: best_val[x])
    chain: list[tuple[int, int]] = []
    while k != -1:
        chain.append((items[k][0], items[k][1]))
        k = back[k]
    return chain[::-1]


def _fill_gaps(
    chain: list[tuple[int, int]], n_old: int, n_new: int, score: _Scorer, taken: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Align the leftovers between consecutive chain pairs, with the lower bar."""
    bounds = [(-1, -1), *chain, (n_old, n_new)]
    taken_old = {i for i, _ in taken}
    taken_new = {j for _, j in taken}
    out: list[tuple[int, int]] = []
    for (i0, j0), (i1, j1) in itertools.pairwise(bounds):
        olds = [i for i in range(i0 + 1, i1) if i not in taken_old]
        news = [j for j in range(j0 + 1, j1) if j not in taken_new]
        if olds and news and len(olds) * len(news) <= 4096:
            gap = [(i, j, s - GAP_MIN) for i in olds for j in news if (s := score(i, j)) >= GAP_MIN]
            out.extend(_best_chain(gap))
        if i1 < n_old:
            out.append((i1, j1))
    return out


def _moves(
    matched: list[tuple[int, int]], candidates: Mapping[int, list[int]], n_new: int, score: _Scorer
) -> list[tuple[int, int]]:
    used_old = {i for i, _ in matched}
    used_new = {j for _, j in matched}
    pairs = [
        (score(i, j), i, j)
        for j in range(n_new)
        if j not in used_new
        for i in candidates.get(j, [])
        if i not in used_old
    ]
    out: list[tuple[int, int]] = []
    for s, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if s < MOVE_MIN or i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        out.append((i, j))
    return out


# ------------------------------------------------------------------------------ diff


def char_diff(old: str, new: str) -> tuple[DiffOp, ...]:
    """A character-level edit script from ``old`` to ``new``, for a coloured diff.

    Equal runs of one or two characters between changes are folded into the
    surrounding replacement, which reads far better for Chinese.

    Numbers are diffed whole (二十一 -> 二十三, not 一 -> 三).

    >>> char_diff("处一万元以上十万元以下罚款", "处五万元以上五十万元以下罚款")
    ... # doctest: +NORMALIZE_WHITESPACE
    ({'op': 'equal', 'old': '处', 'new': '处'}, {'op': 'replace', 'old': '一万', 'new': '五万'},
     {'op': 'equal', 'old': '元以上', 'new': '元以上'}, {'op': 'replace', 'old': '十万', 'new': '五十万'},
     {'op': 'equal', 'old': '元以下罚款', 'new': '元以下罚款'})
    """
    if old == new:
        return ({"op": "equal", "old": old, "new": new},) if old else ()
    if not old:
        return ({"op": "insert", "old": "", "new": new},)
    if not new:
        return ({"op": "delete", "old": old, "new": ""},)
    a, b = _DIFF_TOKEN.findall(old), _DIFF_TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    raw = [(tag, "".join(a[i1:i2]), "".join(b[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    merged: list[list[str]] = []
    for k, (tag, x, y) in enumerate(raw):
        inner = 0 < k < len(raw) - 1
        if tag == "equal" and inner and len(x) <= _MIN_EQUAL_RUN:
            tag = "replace"
        if merged and tag != "equal" and merged[-1][0] != "equal":
            merged[-1][1] += x
            merged[-1][2] += y
            merged[-1][0] = "insert" if not merged[-1][1] else "delete" if not merged[-1][2] else "replace"
        else:
            merged.append([tag, x, y])
    return tuple({"op": t, "old": a, "new": b} for t, a, b in merged)


def word_diff(old: str, new: str, words: Callable[[str], Sequence[str]]) -> tuple[DiffOp, ...]:
    """A word-level edit script from ``old`` to ``new``; ``words`` splits a text into words
    that join back into it (``kb.annotate.nlp.words_zh``). Same ops as :func:`char_diff`.

    >>> word_diff("处一万元以下罚款", "处五万元以下罚款", lambda t: [t[0], t[1:4], t[4:]])
    ... # doctest: +NORMALIZE_WHITESPACE
    ({'op': 'equal', 'old': '处', 'new': '处'}, {'op': 'replace', 'old': '一万元', 'new': '五万元'},
     {'op': 'equal', 'old': '以下罚款', 'new': '以下罚款'})
    """
    if old == new:
        return ({"op": "equal", "old": old, "new": new},) if old else ()
    a, b = list(words(old)), list(words(new))
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return tuple(
        {"op": tag, "old": "".join(a[i1:i2]), "new": "".join(b[j1:j2])} for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    )


# ------------------------------------------------------------------------- alignment


def _refs_consistent(a: _Article, b: _Article, new_of: Mapping[str, str]) -> bool:
    """True when every changed cross-reference follows the alignment itself."""
    if len(a.refs) != len(b.refs):
        return False
    return all(x == y or new_of.get(x) == y for x, y in zip(a.refs, b.refs, strict=True))


def _status(a: _Article, b: _Article, new_of: Mapping[str, str]) -> AlignmentStatus:
    same_text = a.masked == b.masked and _refs_consistent(a, b, new_of)
    if a.eid == b.eid:
        return "unchanged" if same_text else "modified"
    return "renumbered" if same_text else "renumbered-modified"


def align_versions(old: Sequence[Provision], new: Sequence[Provision]) -> list[Alignment]:
    """Align the articles (and preamble) of two versions; see the module docstring.

    Other provisions (chapters, paragraphs, items) are ignored. The result is in the
    new text's order, each removed article placed after the last article matched
    before it in the old text.
    """
    olds = [_article(p) for p in old if p.level in _ALIGNABLE]
    news = [_article(p) for p in new if p.level in _ALIGNABLE]
    score = _Scorer(olds, news)
    candidates = _candidates(olds, news, score)
    weighted = [
        (i, j, s - CHAIN_MIN) for j, cands in candidates.items() for i in cands if (s := score(i, j)) > CHAIN_MIN
    ]
    chain = _best_chain(weighted)
    # Clear out-of-order pairs first, so that a weak in-slot pair never takes an
    # article whose real counterpart moved elsewhere.
    moved = _moves(chain, candidates, len(news), score)
    chain = _fill_gaps(chain, len(olds), len(news), score, taken=moved)
    pairs = [(i, j, False) for i, j in chain] + [(i, j, True) for i, j in moved]
    new_of = {olds[i].eid: news[j].eid for i, j, _ in pairs}

    keyed: list[tuple[tuple[float, int], Alignment]] = []
    for i, j, is_move in pairs:
        a, b = olds[i], news[j]
        sim = round(score(i, j), 4)
        keyed.append(((j, i), Alignment(a.eid, b.eid, _status(a, b, new_of), sim, char_diff(a.text, b.text), is_move)))
    used_old = {i for i, _, _ in pairs}
    used_new = {j for _, j, _ in pairs}
    for j, b in enumerate(news):
        if j not in used_new:
            keyed.append(((j, -1), Alignment(None, b.eid, "added", 0.0, char_diff("", b.text))))
    in_order = sorted((i, j) for i, j, is_move in pairs if not is_move)
    for i, a in enumerate(olds):
        if i not in used_old:
            after = max((j for oi, j in in_order if oi < i), default=-1) + 0.5
            keyed.append(((after, i), Alignment(a.eid, None, "removed", 0.0, char_diff(a.text, ""))))
    return [al for _, al in sorted(keyed, key=lambda kv: kv[0])]


# ----------------------------------------------------------------------------- links


def alignment_links(old_doc_id: str, new_doc_id: str, alignments: Iterable[Alignment]) -> list[Link]:
    """``aligned`` links: new article -> old article (added: -> old document; removed:
    old article -> new document), scored by similarity, with status and diff as evidence.
    """
    links: list[Link] = []
    for al in alignments:
        if al.new_eid is not None:
            src = provision_id(new_doc_id, al.new_eid)
            dst = provision_id(old_doc_id, al.old_eid) if al.old_eid is not None else old_doc_id
        elif al.old_eid is not None:
            src, dst = provision_id(old_doc_id, al.old_eid), new_doc_id
        else:  # pragma: no cover - an Alignment always has one side
            continue
        evidence: dict[str, Any] = {
            "status": al.status,
            "diff": [dict(op) for op in al.diff],
            "old_eid": al.old_eid,
            "new_eid": al.new_eid,
        }
        if al.moved:
            evidence["moved"] = True
        links.append(Link(src, dst, "aligned", al.similarity, evidence))
    return links


def version_links(documents: Iterable[DocumentMeta]) -> list[Link]:
    """``version_of`` links from each document to the one it supersedes (text or not)."""
    return [Link(d.id, d.supersedes, "version_of", 1.0, {"work": d.work}) for d in documents if d.supersedes]


def version_pairs(documents: Iterable[DocumentMeta]) -> list[tuple[str, str]]:
    """(old, new) document ids of every supersedes pair where both texts are available."""
    docs = list(documents)
    with_text = {d.id for d in docs if d.text_available}
    return [(d.supersedes, d.id) for d in docs if d.supersedes and d.supersedes in with_text and d.id in with_text]


def link_versions(documents: Sequence[DocumentMeta], provisions: Iterable[Provision]) -> list[Link]:
    """All version links of a corpus: ``version_of`` for every supersedes entry, and
    ``aligned`` links for every pair of versions whose texts are both present.
    """
    by_doc: dict[str, list[Provision]] = {}
    for p in provisions:
        if p.level in _ALIGNABLE:
            by_doc.setdefault(p.doc_id, []).append(p)
    links = version_links(documents)
    for old_id, new_id in version_pairs(documents):
        if old_id in by_doc and new_id in by_doc:
            links.extend(alignment_links(old_id, new_id, align_versions(by_doc[old_id], by_doc[new_id])))
    return links
