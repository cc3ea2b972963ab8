"""Unit tests of dropout_course.reference (dropout from scratch in numpy).

Statistical checks use a fixed seed and a bound of 5 standard deviations, so
they are deterministic and a correct implementation passes them by a wide
margin, while a wrong scale (e.g. dividing by ``rate`` instead of
``1 - rate``) misses them by many standard deviations.
"""

import numpy as np
import pytest

from dropout_course.reference import (
    CONVENTIONS,
    dropout_backward,
    dropout_forward,
    dropout_mask,
    scale_weights_for_prediction,
)

RATES = [0.1, 0.3, 0.5, 0.9]


# --------------------------------------------------------------------------- mask


@pytest.mark.parametrize("rate", RATES)
def test_fraction_dropped_matches_rate(rate):
    n = 200_000
    mask = dropout_mask(n, rate, rng=0)
    dropped = 1.0 - mask.mean()
    binomial_sd = np.sqrt(rate * (1.0 - rate) / n)
    assert abs(dropped - rate) < 5 * binomial_sd


def test_mask_is_float_zeros_and_ones_of_requested_shape():
    mask = dropout_mask((3, 4, 5), 0.5, rng=1)
    assert mask.shape == (3, 4, 5)
    assert mask.dtype == np.float64
    assert set(np.unique(mask)) <= {0.0, 1.0}


def test_mask_entries_are_independent():
    # Correlation between neighbouring entries should be ~0 (|r| < 5/sqrt(n)).
    mask = dropout_mask((100_000, 2), 0.4, rng=2)
    r = np.corrcoef(mask[:, 0], mask[:, 1])[0, 1]
    assert abs(r) < 5 / np.sqrt(100_000)


def test_mask_is_reproducible_from_seed_or_generator():
    a = dropout_mask(50, 0.5, rng=7)
    b = dropout_mask(50, 0.5, rng=np.random.default_rng(7))
    c = dropout_mask(50, 0.5, rng=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_rng_none_follows_numpy_global_seed():
    np.random.seed(123)
    a = dropout_mask(50, 0.5)
    np.random.seed(123)
    b = dropout_mask(50, 0.5)
    np.testing.assert_array_equal(a, b)


def test_rate_zero_keeps_everything():
    np.testing.assert_array_equal(dropout_mask((10, 10), 0.0, rng=0), np.ones((10, 10)))


# ------------------------------------------------------------------------ forward


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("training", [True, False])
def test_rate_zero_is_identity(convention, training):
    x = np.random.default_rng(0).standard_normal((4, 6))
    out, mask = dropout_forward(x, 0.0, training=training, convention=convention, rng=0)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(mask, np.ones_like(x))


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_inverted_training_zeroes_and_scales_up(rate):
    x = np.random.default_rng(1).standard_normal(1000) + 3.0
    out, mask = dropout_forward(x, rate, rng=5)
    kept = mask == 1.0
    assert 0 < kept.sum() < x.size
    np.testing.assert_array_equal(out[~kept], 0.0)
    np.testing.assert_allclose(out[kept], x[kept] / (1.0 - rate), rtol=1e-15)


def test_scale_down_training_zeroes_without_scaling():
    x = np.arange(1.0, 101.0)
    out, mask = dropout_forward(x, 0.5, convention="scale-down", rng=5)
    np.testing.assert_array_equal(out, x * mask)


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_inverted_expected_output_equals_input(rate):
    x = np.array([1.0, -2.0, 0.5, 4.0])
    n = 100_000
    out, _ = dropout_forward(np.tile(x, (n, 1)), rate, rng=11)
    keep = 1.0 - rate
    # Exact sd of x * delta / keep for delta ~ Bernoulli(keep).
    standard_error = np.abs(x) * np.sqrt((1.0 - keep) / keep / n)
    assert np.all(np.abs(out.mean(axis=0) - x) < 5 * standard_error)


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_scale_down_prediction_equals_expected_training_output(rate):
    x = np.array([1.0, -2.0, 0.5, 4.0])
    n = 100_000
    train_out, _ = dropout_forward(np.tile(x, (n, 1)), rate, convention="scale-down", rng=12)
    test_out, test_mask = dropout_forward(x, rate, training=False, convention="scale-down")
    np.testing.assert_allclose(test_out, x * (1.0 - rate), rtol=1e-15)
    np.testing.assert_array_equal(test_mask, np.ones_like(x))
    keep = 1.0 - rate
    standard_error = np.abs(x) * np.sqrt(keep * (1.0 - keep) / n)
    assert np.all(np.abs(train_out.mean(axis=0) - test_out) < 5 * standard_error)


def test_inverted_prediction_returns_a_copy():
    x = np.array([1.0, 2.0, 3.0])
    out, _ = dropout_forward(x, 0.5, training=False)
    out[0] = 99.0
    assert x[0] == 1.0


# ----------------------------------------------------------------------- backward


def _central_difference(function, x, step=1e-6):
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        shift = np.zeros_like(x)
        shift[index] = step
        gradient[index] = (function(x + shift) - function(x - shift)) / (2 * step)
    return gradient


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("rate", [0.25, 0.6])
def test_backward_matches_numerical_gradient(convention, rate):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 5))
    weights = rng.standard_normal((3, 5))
    seed = 21  # the same seed and shape give the same mask: the mask is held fixed

    def loss_of_output(out):
        return np.sum(weights * out) + 0.5 * np.sum(out**2)

    def loss_of_input(inputs):
        out, _ = dropout_forward(inputs, rate, convention=convention, rng=seed)
        return loss_of_output(out)

    out, mask = dropout_forward(x, rate, convention=convention, rng=seed)
    assert 0 < mask.sum() < mask.size
    grad_output = weights + out  # d loss_of_output / d out
    analytic = dropout_backward(grad_output, mask, rate, convention=convention)
    numeric = _central_difference(loss_of_input, x)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    # A dropped unit passes back exactly nothing.
    np.testing.assert_array_equal(analytic[mask == 0.0], 0.0)


# --------------------------------------------------------------- weight scaling


def test_scale_weights_for_prediction_value():
    weights = np.array([[1.0, -2.0], [0.5, 4.0]])
    np.testing.assert_allclose(scale_weights_for_prediction(weights, 0.25), 0.75 * weights)


def test_scaled_weights_give_expected_next_layer_input():
    # Paper Fig. 2: E over masks of (h * mask) @ W equals h @ (keep * W).
    rng = np.random.default_rng(4)
    h = rng.standard_normal(6)
    weights = rng.standard_normal((6, 3))
    rate, n = 0.4, 100_000
    thinned, _ = dropout_forward(np.tile(h, (n, 1)), rate, convention="scale-down", rng=9)
    next_inputs = thinned @ weights
    expected = h @ scale_weights_for_prediction(weights, rate)
    standard_error = next_inputs.std(axis=0, ddof=1) / np.sqrt(n)
    assert np.all(np.abs(next_inputs.mean(axis=0) - expected) < 5 * standard_error)


# --------------------------------------------------------------------- validation
