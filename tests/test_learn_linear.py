"""kb.learn.linear: the two fits recover what generated the data, and scoring matches the fit."""

from __future__ import annotations

import numpy as np
import pytest

from kb.learn.linear import LinearModel, fit_binary, fit_choice


def test_binary_fit_recovers_the_sign_and_order_of_true_weights() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4000, 3))
    logit = 0.5 + 2.0 * x[:, 0] - 1.0 * x[:, 1]  # the third column is noise
    y = (rng.random(4000) < 1 / (1 + np.exp(-logit))).astype(float)
    m = fit_binary(x, y, ["a", "b", "noise"])
    assert m.weights["a"] == pytest.approx(2.0, abs=0.25)
    assert m.weights["b"] == pytest.approx(-1.0, abs=0.2)
    assert abs(m.weights["noise"]) < 0.15
    assert m.bias == pytest.approx(0.5, abs=0.2)


def test_binary_fit_is_on_the_raw_scale_whatever_the_columns_scale() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3000, 1))
    y = (rng.random(3000) < 1 / (1 + np.exp(-(1.5 * x[:, 0])))).astype(float)
    small = fit_binary(x, y, ["a"])
    big = fit_binary(x * 100, y, ["a"])
    assert big.weights["a"] * 100 == pytest.approx(small.weights["a"], rel=1e-3)
    assert big.probability({"a": 100.0}) == pytest.approx(small.probability({"a": 1.0}), rel=1e-3)


def test_choice_fit_learns_which_candidate_wins_and_when_none_does() -> None:
    rng = np.random.default_rng(11)
    groups = []
    for _ in range(300):
        x = rng.random((4, 2))
        y = np.zeros(4)
        if rng.random() < 0.7:  # the candidate with the highest first feature is right
            y[int(np.argmax(x[:, 0]))] = 1.0
        else:  # a group with no right candidate: every first feature is low
            x[:, 0] *= 0.2
        groups.append((x, y))
    m = fit_choice(groups, ["good", "noise"], l2=0.1)
    assert m.weights["good"] > 3 * abs(m.weights["noise"])
    high, low = m.choice([{"good": 1.0}, {"good": 0.1}])
    assert high > 0.5 > low
    assert sum(m.choice([{"good": 0.05}] * 3)) < 0.5  # weak candidates leave the mass on "none"


def test_a_mismatched_matrix_is_an_error_naming_the_shape() -> None:
    with pytest.raises(ValueError, match="expected"):
        fit_binary(np.zeros((3, 2)), np.zeros(3), ["a"])
    with pytest.raises(ValueError, match="expected"):
        fit_choice([(np.zeros((2, 3)), np.zeros(2))], ["a", "b"])


def test_the_stored_table_round_trips() -> None:
    m = LinearModel(bias=-0.25, weights={"x": 1.5, "y": -2.0})
    again = LinearModel.from_table(m.table())
    assert again == m
    assert next(iter(m.table())) == "bias"


def test_the_module_examples_hold() -> None:
    import doctest

    import kb.learn.linear

    result = doctest.testmod(kb.learn.linear)
    assert result.failed == 0 and result.attempted > 0
