"""Small linear models fitted offline and scored at run time: the one home for them.

Two shapes cover what the knowledge base learns from labelled data:

* :func:`fit_binary` — logistic regression, one row one yes/no label (is this line page
  furniture? is this row relevant?), fitted by Newton's method on standardised features and
  returned unscaled, so scoring is a dot product over the raw features;
* :func:`fit_choice` — a softmax over a group's candidates and "none" (logit 0): which of a
  sentence's candidate articles it discusses, which of a page's candidate lines is its title.
  The group's scores compete, so a clear winner scores high and a group with no right
  candidate leaves its mass on "none".

:class:`LinearModel` holds fitted weights by feature name and scores mappings of features;
:meth:`LinearModel.choice` and :meth:`LinearModel.probability` are the two shapes' scores.
Weights are stored as data (a TOML table of feature -> weight plus ``bias``) by the script
that fits them; the model never fits at run time.

>>> m = LinearModel(bias=-1.0, weights={"a": 2.0})
>>> round(m.probability({"a": 1.0}), 3)
0.731
>>> [round(p, 3) for p in m.choice([{"a": 1.0}, {"a": 0.0}])]
[0.665, 0.09]
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]


def _clip(z: float) -> float:
    return max(-50.0, min(50.0, z))


@dataclass(frozen=True)
class LinearModel:
    """Fitted weights by feature name (a missing feature counts 0) and a bias."""

    bias: float
    weights: Mapping[str, float]

    def logit(self, features: Mapping[str, float]) -> float:
        """``bias + sum(weight * value)`` over the features given (a sparse row: few of many weights)."""
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())

    def probability(self, features: Mapping[str, float]) -> float:
        """The logistic probability of one row (a model from :func:`fit_binary`)."""
        return 1.0 / (1.0 + math.exp(-_clip(self.logit(features))))

    def choice(self, group: Sequence[Mapping[str, float]]) -> list[float]:
        """Each candidate's share of a softmax with "none" at logit 0 (a model from :func:`fit_choice`)."""
        e = [math.exp(_clip(self.logit(f))) for f in group]
        denom = 1.0 + sum(e)
        return [v / denom for v in e]

    @classmethod
    def from_table(cls, table: Mapping[str, float]) -> LinearModel:
        """From a stored table: ``bias`` and one weight per feature."""
        return cls(bias=float(table.get("bias", 0.0)), weights={k: float(v) for k, v in table.items() if k != "bias"})

    def table(self, digits: int = 6) -> dict[str, float]:
        """The stored form (rounded), ``bias`` first."""
        return {"bias": round(self.bias, digits)} | {k: round(v, digits) for k, v in self.weights.items()}


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it may be, else a basic string (JSON's escapes are TOML's)."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def toml_weights(weights: Mapping[str, float]) -> list[str]:
    """The lines of a stored table of weights, ``key = value``, in the mapping's order (the
    scripts that fit a model write its table with these; :meth:`LinearModel.from_table` reads it).

    >>> toml_weights({"rule": 4.5, "w:subscribe": 2.0, "关注": 1.0})
    ['rule = 4.5', '"w:subscribe" = 2.0', '"关注" = 1.0']
    """
    return [f"{toml_key(k)} = {v}" for k, v in weights.items()]


def fit_binary(
    x: Matrix,
    y: npt.NDArray[np.float64],
    features: Sequence[str],
    *,
    l2: float = 1e-3,
    balanced: bool = False,
    steps: int = 50,
    solver: Literal["newton", "gradient"] = "newton",
) -> LinearModel:
    """L2-regularised logistic regression of ``y`` (0/1) on the columns of ``x``, one per feature.

    ``newton`` (a few dense features): fitted on standardised columns (the penalty treats them
    alike), returned on the raw scale; ``balanced`` weighs the two classes equally whatever
    their sizes. ``gradient`` (thousands of 0/1 word columns, where a Newton step's matrix is
    too big): ``steps`` of plain gradient descent on the raw columns, the penalty ``l2 / n``
    per row (:func:`_fit_binary_gradient`).
    """
    if x.shape != (len(y), len(features)):
        raise ValueError(f"x has shape {x.shape}, expected ({len(y)}, {len(features)})")
    if solver == "gradient":
        return _fit_binary_gradient(x, y, features, l2=l2, steps=steps)
    mu, sd = x.mean(0), x.std(0)
    sd[sd == 0] = 1.0
    z = np.column_stack([(x - mu) / sd, np.ones(len(x))])
    pos = max(float(y.sum()), 1.0)
    neg = max(len(y) - float(y.sum()), 1.0)
    sample = np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * neg)) if balanced else np.ones(len(y))
    w = np.zeros(z.shape[1])
    ridge = l2 * np.r_[np.ones(z.shape[1] - 1), 0.0]
    for _ in range(steps):  # Newton's method: a dozen steps converge
        p = 1 / (1 + np.exp(-np.clip(z @ w, -50, 50)))
        gradient = z.T @ (sample * (p - y)) / len(y) + ridge * w
        hessian = (z * (sample * p * (1 - p))[:, None]).T @ z / len(y) + np.diag(ridge)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    scaled = w[:-1] / sd
    return LinearModel(
        bias=float(w[-1] - (mu * scaled).sum()), weights={f: float(v) for f, v in zip(features, scaled, strict=True)}
    )


def _fit_binary_gradient(
    x: Matrix, y: npt.NDArray[np.float64], features: Sequence[str], *, l2: float, steps: int
) -> LinearModel:
    """Fixed-rate gradient descent on the mean log-loss plus ``l2 / n`` times the squared weights
    (rates 2.5 for the weights, 0.5 for the bias: enough for 0/1 columns)."""
    coef, bias, n = np.zeros(x.shape[1]), 0.0, max(len(y), 1)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ coef + bias)))
        coef -= 2.5 * (x.T @ (p - y) + l2 * coef) / n
        bias -= 0.5 * float((p - y).mean())
    return LinearModel(bias=bias, weights={f: float(v) for f, v in zip(features, coef, strict=True)})


def _choice_loss(beta: Matrix, groups: Sequence[tuple[Matrix, Matrix]], l2: float) -> tuple[float, Matrix]:
    """Negative log-likelihood of a softmax over each group's candidates and "none" (logit 0):
    P(candidate) = exp(z) / (1 + sum exp(z)), z = bias + x . coef; a group whose labels are all
    0 wants "none", a group with several 1s wants any of them."""
    loss = 0.5 * l2 * float(beta[1:] @ beta[1:])
    grad = np.concatenate([[0.0], l2 * beta[1:]])
    for x, y in groups:
        z = np.clip(beta[0] + x @ beta[1:], -50, 50)
        e = np.exp(z)
        denom = 1.0 + e.sum()
        p = e / denom
        xb = np.hstack([np.ones((len(x), 1)), x])
        if y.any():
            target = (e * y) / (e * y).sum()
            loss -= math.log((e * y).sum() / denom)
            grad += xb.T @ (p - target)
        else:
            loss -= math.log(1.0 / denom)
            grad += xb.T @ p
    return loss, grad


def fit_choice(
    groups: Sequence[tuple[Matrix, Matrix]], features: Sequence[str], *, l2: float = 1.0, iterations: int = 400
) -> LinearModel:
    """Fit the softmax-with-none of :func:`_choice_loss` by gradient descent with backtracking.

    Each group is (candidates x features matrix, 0/1 labels), columns in ``features`` order.
    """
    for x, y in groups:
        if x.ndim != 2 or x.shape[1] != len(features) or len(y) != len(x):
            raise ValueError(f"a group has shape {x.shape} with {len(y)} labels, expected (n, {len(features)})")
    beta = np.zeros(len(features) + 1)
    loss, grad = _choice_loss(beta, groups, l2)
    step = 0.1
    for _ in range(iterations):
        trial = beta - step * grad
        tl, tg = _choice_loss(trial, groups, l2)
        if tl < loss:
            beta, loss, grad = trial, tl, tg
            step *= 1.5
        else:
            step *= 0.3
        if step < 1e-9:
            break
    return LinearModel(bias=float(beta[0]), weights={f: float(v) for f, v in zip(features, beta[1:], strict=True)})
