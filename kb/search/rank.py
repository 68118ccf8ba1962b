"""Ranking: the per-word scores of a query combined per row, and the rows ranked one result per article.

``main`` = the sum of a row's word scores times (matched words / query words) **
:data:`COORD_EXPONENT`, plus the weighted expansion scores, times its kind's factor;
the versions of one article are one result (:class:`Ranked`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from kb.search.groups import UnitGroups
from kb.search.plan import Unit

__all__ = ["COORD_EXPONENT", "Ranked", "Scores", "combine_scores", "rank_rows", "word_score"]

# main score x (matched content terms / content terms) ** COORD_EXPONENT.
COORD_EXPONENT = 1.0


@dataclass(frozen=True)
class Scores:
    """Per matched row (``rowid``, ascending): summed main score, main units matched, summed expansion score."""

    rowid: npt.NDArray[np.int64]
    main: npt.NDArray[np.float64]
    matched: npt.NDArray[np.int64]
    extra: npt.NDArray[np.float64]

    @classmethod
    def of(cls, main: Mapping[int, float], matched: Mapping[int, int], extra: Mapping[int, float]) -> Scores:
        """From per-rowid mappings (a row in none of them is not a row)."""
        rowid = np.array(sorted(main.keys() | matched.keys() | extra.keys()), dtype=np.int64)
        ids = rowid.tolist()
        return cls(
            rowid,
            np.array([main.get(r, 0.0) for r in ids], dtype=np.float64),
            np.array([matched.get(r, 0) for r in ids], dtype=np.int64),
            np.array([extra.get(r, 0.0) for r in ids], dtype=np.float64),
        )


def combine_scores(
    rows: Sequence[Any] | npt.NDArray[np.float64], units: Sequence[Unit], *, subtract_within: bool = False
) -> Scores:
    """Combine the ``(u, rowid, score)`` rows of the units' index queries per rowid.

    ``subtract_within``: the score of a unit with ``within``/``within_any`` terms includes
    theirs (SQLite's bm25 is a sum over the phrases that matched), and those terms are
    the unconditional units': take the row's unweighted score from those off.
    Sums run in row order (``np.bincount``), as a loop over the rows would add them.
    """
    if isinstance(rows, np.ndarray):
        data = rows.reshape(-1, 3)
    else:
        data = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=3 * len(rows)).reshape(-1, 3)
    u = data[:, 0].astype(np.int64)
    rowid, inverse = np.unique(data[:, 1].astype(np.int64), return_inverse=True)
    score = data[:, 2]
    size = len(rowid)
    conditional = np.array([x.conditional for x in units], dtype=bool)[u]
    is_main = np.array([x.main for x in units], dtype=bool)[u]
    weight = np.array([x.weight for x in units], dtype=np.float64)[u]
    own = score
    if subtract_within and conditional.any():
        anchor = np.bincount(inverse, weights=np.where(conditional, 0.0, score), minlength=size)
        own = np.where(conditional, score - anchor[inverse], score)

    def total(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.bincount(inverse, weights=weights, minlength=size).astype(np.float64, copy=False)

    matched = np.bincount(inverse[is_main], minlength=size).astype(np.int64)
    return Scores(rowid, total(np.where(is_main, own, 0.0)), matched, total(np.where(is_main, 0.0, weight * own)))


@dataclass(frozen=True)
class Ranked:
    """The results of a query, best first: per result its ``score`` and shown ``rowid``.

    The versions of one article are one result; ``members`` holds every matched
    version, grouped (``start``/``stop`` of each result's group), the shown one first,
    then the others in order of preference: :meth:`others`.
    """

    score: npt.NDArray[np.float64]
    rowid: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    stop: npt.NDArray[np.int64]
    members: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.rowid)

    def others(self, i: int) -> list[int]:
        """The other matched versions of result ``i`` (its ``also_in``), preferred first."""
        return [int(r) for r in self.members[self.start[i] + 1 : self.stop[i]]]

    def after(self, score: float, rowid: int) -> int:
        """The position of the first result after (``score``, ``rowid``) in this order."""
        later = (self.score < score) | ((self.score == score) & (self.rowid > rowid))
        return int(np.argmax(later)) if later.any() else len(self)

    @property
    def order(self) -> list[tuple[float, int]]:
        return list(zip(self.score.tolist(), self.rowid.tolist(), strict=True))

    @property
    def also_in(self) -> dict[int, list[int]]:
        return {int(r): self.others(i) for i, r in enumerate(self.rowid) if self.stop[i] - self.start[i] > 1}


def word_score(scores: Scores, n_main: int, groups: UnitGroups, *, local_penalty: bool) -> npt.NDArray[np.float64]:
    """Each row's score from its words: main x (matched / n_main) ** COORD_EXPONENT + extra, times the kind factor.

    Element by element, as a loop over the rows would compute it.
    """
    score = scores.main.copy()
    if n_main > 1 and COORD_EXPONENT != 0:
        score *= (scores.matched / n_main) ** COORD_EXPONENT
    score += scores.extra
    if local_penalty:
        known = scores.rowid < len(groups.factor)
        index = np.where(known, scores.rowid, 0)
        score = np.where(known, score * np.frombuffer(groups.factor, dtype=np.float64)[index], score)
    return score


def rank_rows(
    scores: Scores,
    n_main: int,
    groups: UnitGroups,
    *,
    local_penalty: bool,
    candidates: npt.NDArray[np.bool_] | None = None,
    score: npt.NDArray[np.float64] | None = None,
) -> Ranked:
    """Combine the scores of the candidate rows (all, unless a mask); one result per article.

    An article ranks by its best-scoring version and shows the preferred one of those
    that matched (in force, then the newest: it does not depend on the database's
    scoring); the others are its ``also_in``, preferred first. The order is by score
    (larger first), then rowid: total, so a keyset cursor is exact. The arithmetic is a
    loop's (:func:`word_score`), unless ``score`` gives each row of ``scores`` its own
    (the learned ranking, :mod:`kb.search.learned`).
    """
    pick = slice(None) if candidates is None else candidates
    if score is None:
        score = word_score(scores, n_main, groups, local_penalty=local_penalty)
    score = score[pick]
    rowid = scores.rowid[pick]
    group = groups.group_of(rowid)
    known = rowid < len(groups.group)
    preference = np.where(known, np.frombuffer(groups.preference, dtype=np.int8)[np.where(known, rowid, 0)], 0)
    # members by group, then (preference, -score, rowid): each group's first is the version shown
    by_group = _by_group(group, preference, score, rowid)
    sorted_group = group[by_group]
    first = np.flatnonzero(np.r_[len(rowid) > 0, sorted_group[1:] != sorted_group[:-1]]).astype(np.int64)
    stop = np.r_[first[1:], len(rowid)].astype(np.int64)[: len(first)]
    best = np.maximum.reduceat(score[by_group], first) if len(first) else np.empty(0, dtype=np.float64)
    shown = rowid[by_group][first]
    order = np.lexsort((shown, -best))
    return Ranked(best[order], shown[order], first[order].astype(np.int64), stop[order], rowid[by_group])


def _by_group(
    group: npt.NDArray[np.int64],
    preference: npt.NDArray[Any],
    score: npt.NDArray[np.float64],
    rowid: npt.NDArray[np.int64],
) -> npt.NDArray[np.intp]:
    """The order of ``np.lexsort((rowid, -score, preference, group))`` for rows ascending by
    ``rowid``: by group (stable, so rowid within it), then the few groups of several versions
    fully ordered (most articles match in one version: one sort of one key instead of four).

    >>> g, p = np.array([5, 3, 5, 1]), np.array([1, 0, 0, 0])
    >>> _by_group(g, p, np.array([.9, .1, .2, .3]), np.arange(4)).tolist()
    [3, 1, 2, 0]
    """
    order = np.argsort(group, kind="stable")
    in_order = group[order]
    same = in_order[1:] == in_order[:-1]
    if same.any():
        several = np.zeros(len(order), dtype=bool)
        several[1:] |= same
        several[:-1] |= same
        rows = order[several]
        order[several] = rows[np.lexsort((rowid[rows], -score[rows], preference[rows], group[rows]))]
    return order
