"""Unit tests of dropout_course.theory (closed forms and Monte-Carlo estimators).

Three kinds of check:
- exact: expectations over masks computed by enumerating every mask with its
  probability (no sampling), compared to the closed forms to ~1e-12;
- statistical: a closed form against its Monte-Carlo estimate within 5
  standard errors, with fixed seeds;
- independent implementations: finite differences, scikit-learn's Ridge.
"""

import itertools

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from dropout_course import theory as T

CONVENTIONS = ["scale-down", "inverted"]
KEEP_PROBS = [0.2, 0.5, 0.8]


def _all_masks(n):
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def _mask_probabilities(masks, keep_prob):
    kept = masks.sum(axis=tuple(range(1, masks.ndim)))
    dropped = masks[0].size - kept
    return keep_prob**kept * (1.0 - keep_prob) ** dropped


def _central_difference(function, w, step=1e-6):
    gradient = np.zeros_like(w)
    for i in range(w.size):
        shift = np.zeros_like(w)
        shift[i] = step
        gradient[i] = (function(w + shift) - function(w - shift)) / (2 * step)
    return gradient


@pytest.fixture
def unit():
    rng = np.random.default_rng(2024)
    return rng.standard_normal(4), rng.standard_normal(4), 1.7


# ------------------------------------------------------------------ notation


def test_rate_keep_prob_conversions():
    assert T.keep_prob_from_rate(0.2) == pytest.approx(0.8)
    assert T.rate_from_keep_prob(0.8) == pytest.approx(0.2)
    assert T.keep_prob_from_rate(0.0) == 1.0
    assert T.rate_from_keep_prob(T.keep_prob_from_rate(0.35)) == pytest.approx(0.35)


# ------------------------------------------------------------- worked example


def test_worked_example_of_the_course():
    x, w, mask, p = [1.0, 2.0, 3.0], [2.0, 2.0, 2.0], [0.0, 1.0, 1.0], 2 / 3
    assert T.linear_unit_output(x, w, mask) == pytest.approx(10.0)
    assert T.ensemble_output(x, w, p) == pytest.approx(8.0)
    # Inverted: the kept units are divided by p during training instead.
    assert T.linear_unit_output(x, w, mask, convention="inverted", keep_prob=p) == pytest.approx(15.0)
    assert T.ensemble_output(x, w, p, convention="inverted") == pytest.approx(12.0)
    assert T.linear_unit_output(x, w) == pytest.approx(12.0)
    assert T.dropout_loss(x, w, 9.0, mask) == pytest.approx(0.5)
    assert T.ensemble_loss(x, w, 9.0, p) == pytest.approx(0.5)


# ------------------------------------------------- one activation: mean, variance


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("keep_prob", KEEP_PROBS)
def test_unit_moments_match_monte_carlo(convention, keep_prob):
    h = np.array([1.0, -2.5, 0.3])
    n = 200_000
    mean, variance = T.monte_carlo_unit_moments(h, keep_prob, n, convention=convention, rng=1)
    exact_mean = T.dropout_unit_mean(h, keep_prob, convention)
    exact_var = T.dropout_unit_variance(h, keep_prob, convention)
    assert np.all(np.abs(mean - exact_mean) < 5 * np.sqrt(exact_var / n))
    # Exact variance of an unbiased sample variance,
    # (mu4 - sigma^4 (n-3)/(n-1)) / n, with the fourth central moment of a
    # scaled Bernoulli(p): mu4 = c^4 p(1-p)(1 - 3p(1-p)). (The finite-n term
    # matters at p = 0.5, where mu4 = sigma^4.)
    scale = 1.0 if convention == "scale-down" else 1.0 / keep_prob
    q = keep_prob * (1 - keep_prob)
    mu4 = (scale * h) ** 4 * q * (1 - 3 * q)
    var_of_variance = (mu4 - exact_var**2 * (n - 3) / (n - 1)) / n
    assert np.all(np.abs(variance - exact_var) < 5 * np.sqrt(var_of_variance))


def test_unit_moment_closed_forms():
    assert T.dropout_unit_mean(2.0, 0.25, "scale-down") == pytest.approx(0.5)
    assert T.dropout_unit_mean(2.0, 0.25, "inverted") == pytest.approx(2.0)
    assert T.dropout_unit_variance(2.0, 0.25, "scale-down") == pytest.approx(0.25 * 0.75 * 4)
    assert T.dropout_unit_variance(2.0, 0.25, "inverted") == pytest.approx(0.75 / 0.25 * 4)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_keep_prob_one_means_no_noise(convention):
    mean, variance = T.monte_carlo_unit_moments([1.5, -2.0], 1.0, 100, convention=convention, rng=0)
    np.testing.assert_array_equal(mean, [1.5, -2.0])
    np.testing.assert_array_equal(variance, [0.0, 0.0])


# ------------------------------------------- exact expectations by enumeration


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("keep_prob", [0.2, 2 / 3, 0.9, 1.0])
def test_expected_loss_identity_exact_by_enumeration(unit, convention, keep_prob):
    x, w, target = unit
    masks = _all_masks(x.size)
    probabilities = _mask_probabilities(masks, keep_prob)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-14)
    kw = dict(keep_prob=keep_prob, convention=convention)
    losses = np.array([T.dropout_loss(x, w, target, m, **kw) for m in masks])
    outputs = np.array([T.linear_unit_output(x, w, m, **kw) for m in masks])
    gradients = np.array([T.dropout_gradient(x, w, target, m, **kw) for m in masks])

    exact_loss = probabilities @ losses
    ensemble = T.ensemble_loss(x, w, target, keep_prob, convention)
    penalty = T.dropout_penalty(x, w, keep_prob, convention)
    assert exact_loss == pytest.approx(ensemble + penalty, rel=1e-12)
    assert T.expected_dropout_loss(x, w, target, keep_prob, convention) == pytest.approx(
        exact_loss, rel=1e-12
    )
    assert probabilities @ outputs == pytest.approx(T.ensemble_output(x, w, keep_prob, convention))
    # The penalty is half the variance of the thinned output.
    variance = probabilities @ (outputs - probabilities @ outputs) ** 2
    assert penalty == pytest.approx(0.5 * variance, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(
        probabilities @ gradients,
        T.expected_dropout_gradient(x, w, target, keep_prob, convention),
        rtol=1e-12,
        atol=1e-14,
    )


# ------------------------------------------------------ Monte-Carlo estimators


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("keep_prob", KEEP_PROBS)
def test_loss_and_gradient_match_monte_carlo(unit, convention, keep_prob):
    x, w, target = unit
    n = 100_000
    mean, se = T.monte_carlo_dropout_loss(x, w, target, keep_prob, n, convention=convention, rng=5)
    exact = T.expected_dropout_loss(x, w, target, keep_prob, convention)
    assert abs(mean - exact) < 5 * se
    grad_mean, grad_se = T.monte_carlo_dropout_gradient(
        x, w, target, keep_prob, n, convention=convention, rng=6
    )
    exact_grad = T.expected_dropout_gradient(x, w, target, keep_prob, convention)
    assert np.all(np.abs(grad_mean - exact_grad) < 5 * grad_se)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_monte_carlo_distinguishes_ensemble_loss_from_expected_loss(unit, convention):
    # Guards against a test above that passes because the SE is huge: the
    # penalty is many standard errors wide.
    x, w, target = unit
    mean, se = T.monte_carlo_dropout_loss(x, w, target, 0.5, 100_000, convention=convention, rng=5)
    assert abs(mean - T.ensemble_loss(x, w, target, 0.5, convention)) > 20 * se


def test_monte_carlo_chunking_matches_one_shot(monkeypatch, unit):
    x, w, target = unit
    whole = T.monte_carlo_dropout_gradient(x, w, target, 0.6, 1000, rng=3)
    monkeypatch.setattr(T, "_CHUNK_ELEMENTS", 28)  # 7 samples of 4 inputs per chunk
    chunked = T.monte_carlo_dropout_gradient(x, w, target, 0.6, 1000, rng=3)
    np.testing.assert_allclose(chunked[0], whole[0], rtol=1e-12)
    np.testing.assert_allclose(chunked[1], whole[1], rtol=1e-10)


def test_single_sample_has_nan_standard_error(unit):
    x, w, target = unit
    mean, se = T.monte_carlo_dropout_loss(x, w, target, 0.5, 1, rng=0)
    assert np.isfinite(mean) and np.isnan(se)


def test_sample_losses_and_trace_agree_with_estimator(unit):
    x, w, target = unit
    losses = T.sample_dropout_losses(x, w, target, 0.7, 5000, rng=9)
    mean, se = T.monte_carlo_dropout_loss(x, w, target, 0.7, 5000, rng=9)
    assert losses.mean() == pytest.approx(mean, rel=1e-12)
    assert losses.std(ddof=1) / np.sqrt(losses.size) == pytest.approx(se, rel=1e-10)
    counts, means, ses = T.monte_carlo_dropout_loss_trace(x, w, target, 0.7, [1, 10, 100, 5000], rng=9)
    np.testing.assert_array_equal(counts, [1, 10, 100, 5000])
    np.testing.assert_allclose(means, [losses[:c].mean() for c in counts], rtol=1e-12)
    assert np.isnan(ses[0])
    np.testing.assert_allclose(
        ses[1:], [losses[:c].std(ddof=1) / np.sqrt(c) for c in counts[1:]], rtol=1e-9
    )


def test_running_mean_with_se_on_vector_samples():
    samples = np.random.default_rng(0).standard_normal((300, 2)) + 1e6  # large offset
    counts, means, ses = T.running_mean_with_se(samples, [2, 50, 300])
    for k, c in enumerate(counts):
        np.testing.assert_allclose(means[k], samples[:c].mean(axis=0), rtol=1e-14)
        np.testing.assert_allclose(ses[k], samples[:c].std(axis=0, ddof=1) / np.sqrt(c), rtol=1e-6)
    counts, means, _ = T.running_mean_with_se(samples[:, 0])
    np.testing.assert_array_equal(counts, np.arange(1, 301))


# ---------------------------------------------------------- gradients by finite differences


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_gradients_match_finite_differences(unit, convention):
    x, w, target = unit
    p, mask = 0.6, np.array([1.0, 0.0, 1.0, 1.0])
    kw = dict(keep_prob=p, convention=convention)
    np.testing.assert_allclose(
        T.dropout_gradient(x, w, target, mask, **kw),
        _central_difference(lambda v: T.dropout_loss(x, v, target, mask, **kw), w),
        rtol=1e-6,
        atol=1e-9,
    )
    assert T.dropout_gradient(x, w, target, mask, **kw)[1] == 0.0  # dropped input
    np.testing.assert_allclose(
        T.ensemble_gradient(x, w, target, p, convention),
        _central_difference(lambda v: T.ensemble_loss(x, v, target, p, convention), w),
        rtol=1e-6,
        atol=1e-9,
    )
    np.testing.assert_allclose(
        T.expected_dropout_gradient(x, w, target, p, convention),
        _central_difference(lambda v: T.expected_dropout_loss(x, v, target, p, convention), w),
        rtol=1e-6,
        atol=1e-9,
    )


# ------------------------------------------------------------------- the penalty


def test_scale_down_penalty_is_largest_at_one_half(unit):
    x, w, _ = unit
    grid = np.linspace(0.01, 1.0, 100)
    penalties = [T.dropout_penalty(x, w, p) for p in grid]
    assert grid[int(np.argmax(penalties))] == pytest.approx(0.5)
    assert T.dropout_penalty(x, w, 0.5) > T.dropout_penalty(x, w, 0.49)
    assert T.dropout_penalty(x, w, 0.5) > T.dropout_penalty(x, w, 0.51)
    assert T.dropout_penalty(x, w, 1.0) == 0.0


def test_inverted_penalty_decreases_with_keep_prob(unit):
    x, w, _ = unit
    penalties = [T.dropout_penalty(x, w, p, "inverted") for p in np.linspace(0.05, 1.0, 20)]
    assert np.all(np.diff(penalties) < 0)


def test_penalty_worked_example():
    # 1/2 * (2/3)(1/3) * (2^2 + 4^2 + 6^2) = 56/9
    assert T.dropout_penalty([1.0, 2.0, 3.0], [2.0, 2.0, 2.0], 2 / 3) == pytest.approx(56 / 9)


# -------------------------------------------------------- linear regression


@pytest.fixture
def regression():
    rng = np.random.default_rng(42)
    X = rng.standard_normal((100, 5)) * np.array([0.5, 1.0, 1.5, 2.0, 3.0])
    X -= X.mean(axis=0)
    y = X @ np.array([1.0, -2.0, 0.5, 1.0, -0.5]) + 0.5 * rng.standard_normal(100)
    return X, y - y.mean()


def _test_scale(keep_prob, convention):
    return keep_prob if convention == "scale-down" else 1.0


@pytest.mark.parametrize("keep_prob", KEEP_PROBS)
def test_regression_conventions_predict_the_same(regression, keep_prob):
    X, y = regression
    w_scale_down = T.dropout_regression_weights(X, y, keep_prob, "scale-down")
    w_inverted = T.dropout_regression_weights(X, y, keep_prob, "inverted")
    np.testing.assert_allclose(keep_prob * w_scale_down, w_inverted, rtol=1e-10)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_regression_closed_form_minimises_exact_expected_loss(convention):
    # 3 samples x 2 features: all 2^6 input masks enumerated, no sampling.
    rng = np.random.default_rng(7)
    X, y, p = rng.standard_normal((3, 2)), rng.standard_normal(3), 0.7
    masks = _all_masks(6).reshape(-1, 3, 2)
    probabilities = _mask_probabilities(masks, p)
    s = 1.0 if convention == "scale-down" else 1.0 / p

    def expected_sse(w):
        residuals = y - np.einsum("mij,j->mi", masks * X * s, w)
        return probabilities @ np.sum(residuals**2, axis=1)

    w_star = T.dropout_regression_weights(X, y, p, convention)
    np.testing.assert_allclose(_central_difference(expected_sse, w_star), 0.0, atol=1e-7)
    # The decomposition behind it: mean fit plus the per-feature ridge penalty.
    w = rng.standard_normal(2)
    penalty = T.ridge_penalty_diagonal(X, p, convention)
    decomposed = np.sum((y - _test_scale(p, convention) * X @ w) ** 2) + penalty @ w**2
    assert expected_sse(w) == pytest.approx(decomposed, rel=1e-12)


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("keep_prob", KEEP_PROBS)
def test_regression_equals_sklearn_ridge_on_rescaled_features(regression, convention, keep_prob):
    X, y = regression
    penalty = T.ridge_penalty_diagonal(X, keep_prob, convention)
    # ||y - sX w||^2 + sum_j penalty_j w_j^2 with v_j = sqrt(penalty_j) w_j is
    # plain ridge (alpha = 1) on features s X_j / sqrt(penalty_j).
    scale = np.sqrt(penalty)
    ridge = Ridge(alpha=1.0, fit_intercept=False, solver="cholesky")
    ridge.fit(_test_scale(keep_prob, convention) * X / scale, y)
    np.testing.assert_allclose(
        T.dropout_regression_weights(X, y, keep_prob, convention), ridge.coef_ / scale, rtol=1e-8
    )


def test_ridge_penalty_diagonal_values():
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    np.testing.assert_allclose(T.ridge_penalty_diagonal(X, 0.5), [0.25 * 10, 0.25 * 5])
    np.testing.assert_allclose(T.ridge_penalty_diagonal(X, 0.5, "inverted"), [10.0, 5.0])


def test_keep_prob_one_is_ordinary_least_squares(regression):
    X, y = regression
    ols = np.linalg.lstsq(X, y, rcond=None)[0]
    for convention in CONVENTIONS:
        np.testing.assert_allclose(T.dropout_regression_weights(X, y, 1.0, convention), ols, rtol=1e-10)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_sgd_with_dropout_reaches_the_closed_form(regression, convention):
    X, y = regression
    p = 0.6
    closed = T.dropout_regression_weights(X, y, p, convention)
    ols = np.linalg.lstsq(X, y, rcond=None)[0] / _test_scale(p, convention)
    s = _test_scale(p, convention)
    hessian = (2 / len(y)) * (s**2 * X.T @ X + np.diag(T.ridge_penalty_diagonal(X, p, convention)))
    learning_rate = 0.2 / np.linalg.eigvalsh(hessian).max()
    trained = T.train_linear_regression_with_dropout(
        X, y, p, convention=convention, learning_rate=learning_rate, n_steps=4000, rng=0
    )
    relative_error = np.linalg.norm(trained - closed) / np.linalg.norm(closed)
    # Tolerance: over seeds 0-9 this setting gave relative errors 0.44%-1.1%
    # (Polyak-averaged SGD noise); 3% is ~3x the worst, while a trainer without
    # the dropout penalty would land on least squares, 70% away.
    assert relative_error < 0.03
    assert np.linalg.norm(ols - closed) / np.linalg.norm(closed) > 0.5


def test_minibatch_sgd_with_dropout_reaches_the_closed_form(regression):
    X, y = regression
    closed = T.dropout_regression_weights(X, y, 0.6, "inverted")
    trained = T.train_linear_regression_with_dropout(
        X, y, 0.6, convention="inverted", learning_rate=0.007, n_steps=8000, batch_size=10, rng=1
    )
    # Minibatch sampling adds noise; seeds 0-9 gave 0.7%-3.2%, and least
    # squares (no dropout penalty) is 70% away.
    assert np.linalg.norm(trained - closed) / np.linalg.norm(closed) < 0.08


def test_sgd_divergence_is_reported(regression):
    X, y = regression
    with pytest.raises(FloatingPointError, match="learning_rate"):
        T.train_linear_regression_with_dropout(X, y, 0.5, learning_rate=10.0, n_steps=1000, rng=0)


def test_slow_divergence_is_reported_before_overflow():
    # Weights that grow ~2x a step reach 1e136 in 300 steps without
    # overflowing; they used to be returned as if SGD had converged.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 5))
    y = X @ np.ones(5) + rng.standard_normal(100)
    with pytest.raises(FloatingPointError, match="learning_rate=3.0"):
        T.train_linear_regression_with_dropout(X, y, 0.5, learning_rate=3.0, n_steps=300, rng=0)


def test_sgd_is_reproducible(regression):
    X, y = regression
    kw = dict(learning_rate=0.01, n_steps=50, batch_size=20)
    a = T.train_linear_regression_with_dropout(X, y, 0.5, rng=3, **kw)
    b = T.train_linear_regression_with_dropout(X, y, 0.5, rng=np.random.default_rng(3), **kw)
    np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------- validation


@pytest.mark.parametrize("keep_prob", [0.0, -0.5, 1.5, float("nan"), "0.5"])
def test_invalid_keep_prob_names_parameter_and_range(unit, keep_prob):
    x, w, target = unit
    match = r"keep_prob=.*\(0, 1\]"
    calls = [
        lambda: T.rate_from_keep_prob(keep_prob),
        lambda: T.dropout_unit_mean(1.0, keep_prob),
        lambda: T.dropout_unit_variance(1.0, keep_prob),
        lambda: T.ensemble_output(x, w, keep_prob),
        lambda: T.dropout_penalty(x, w, keep_prob),
        lambda: T.expected_dropout_loss(x, w, target, keep_prob),
        lambda: T.expected_dropout_gradient(x, w, target, keep_prob),
        lambda: T.dropout_loss(x, w, target, np.ones(4), keep_prob=keep_prob),
        lambda: T.monte_carlo_dropout_loss(x, w, target, keep_prob, 10),
        lambda: T.monte_carlo_unit_moments(1.0, keep_prob, 10),
        lambda: T.ridge_penalty_diagonal(np.ones((3, 2)), keep_prob),
        lambda: T.dropout_regression_weights(np.ones((3, 2)), np.ones(3), keep_prob),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=match):
            call()


def test_invalid_rate_in_conversion():
    with pytest.raises(ValueError, match=r"rate=1.0.*\[0, 1\)"):
        T.keep_prob_from_rate(1.0)


def test_shape_mismatches_name_both_arguments(unit):
    x, w, target = unit
    with pytest.raises(ValueError, match="x and w must have the same shape"):
        T.ensemble_output(x, w[:3], 0.5)
    with pytest.raises(ValueError, match="mask and x must have the same shape"):
        T.dropout_loss(x, w, target, np.ones(3))
    with pytest.raises(ValueError, match="X and y must have the same number of samples"):
        T.dropout_regression_weights(np.ones((4, 2)), np.ones(3), 0.5)
    with pytest.raises(ValueError, match="x must have 1 dimension"):
        T.dropout_penalty(np.ones((2, 2)), np.ones((2, 2)), 0.5)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_values_are_rejected(unit, bad):
    x, w, target = unit
    with pytest.raises(ValueError, match="x must contain only finite"):
        T.ensemble_output(np.array([1.0, bad]), [1.0, 1.0], 0.5)
    with pytest.raises(ValueError, match="target must contain only finite"):
        T.ensemble_loss(x, w, bad, 0.5)
    with pytest.raises(ValueError, match="X must contain only finite"):
        T.dropout_regression_weights(np.array([[1.0, bad]]), [1.0], 0.5)
    with pytest.raises(ValueError, match="h must contain only finite"):
        T.dropout_unit_mean([bad], 0.5)


def test_unknown_convention_lists_accepted_names(unit):
    x, w, target = unit
    match = "convention='keras'.*'inverted', 'scale-down'"
    with pytest.raises(ValueError, match=match):
        T.dropout_penalty(x, w, 0.5, "keras")
    with pytest.raises(ValueError, match=match):
        T.monte_carlo_dropout_gradient(x, w, target, 0.5, 10, convention="keras")
    with pytest.raises(ValueError, match=match):
        T.dropout_regression_weights(np.ones((3, 2)), np.ones(3), 0.5, "keras")


def test_mask_problems(unit):
    x, w, target = unit
    with pytest.raises(ValueError, match="keep_prob is required when convention='inverted'"):
        T.dropout_loss(x, w, target, np.ones(4), convention="inverted")
    with pytest.raises(ValueError, match="mask must contain only 0.0"):
        T.linear_unit_output(x, w, [0.5, 1.0, 1.0, 1.0])


@pytest.mark.parametrize("n_samples", [0, -3, 2.5])
def test_invalid_n_samples(unit, n_samples):
    x, w, target = unit
    with pytest.raises(ValueError, match="n_samples="):
        T.monte_carlo_dropout_loss(x, w, target, 0.5, n_samples)
    with pytest.raises(ValueError, match="n_samples="):
        T.monte_carlo_unit_moments(1.0, 0.5, n_samples)


def test_invalid_sample_counts(unit):
    x, w, target = unit
    with pytest.raises(ValueError, match="sample_counts"):
        T.monte_carlo_dropout_loss_trace(x, w, target, 0.5, [10, 5])
    with pytest.raises(ValueError, match="sample_counts"):
        T.running_mean_with_se(np.ones(5), [0, 3])
    with pytest.raises(ValueError, match="sample_counts"):
        T.running_mean_with_se(np.ones(5), [2, 6])


def test_invalid_training_arguments(regression):
    X, y = regression
    kw = dict(learning_rate=0.01, n_steps=10)
    with pytest.raises(ValueError, match="learning_rate=0"):
        T.train_linear_regression_with_dropout(X, y, 0.5, learning_rate=0, n_steps=10)
    with pytest.raises(ValueError, match="n_steps=0"):
        T.train_linear_regression_with_dropout(X, y, 0.5, learning_rate=0.01, n_steps=0)
    with pytest.raises(ValueError, match="batch_size=101"):
        T.train_linear_regression_with_dropout(X, y, 0.5, batch_size=101, **kw)
    with pytest.raises(ValueError, match="average_last=0"):
        T.train_linear_regression_with_dropout(X, y, 0.5, average_last=0, **kw)
    with pytest.raises(ValueError, match=r"keep_prob=0.*\(0, 1\]"):
        T.train_linear_regression_with_dropout(X, y, 0.0, **kw)
    with pytest.raises(ValueError, match="X and y"):
        T.train_linear_regression_with_dropout(X, y[:-1], 0.5, **kw)


def test_all_masks_enumerates_in_itertools_order():
    for n in (1, 3, 5):
        np.testing.assert_array_equal(T.all_masks(n), np.array(list(itertools.product([0.0, 1.0], repeat=n))))
    assert T.all_masks(10).shape == (1024, 10)
    for bad in (0, -1, 1.5, True, T.MAX_ENUMERATED_UNITS + 1):
        with pytest.raises(ValueError):
            T.all_masks(bad)


def test_mask_probabilities_sum_to_one_and_match_the_product():
    masks = T.all_masks(4)
    for keep_prob in (0.2, 0.5, 2 / 3, 1.0):
        probabilities = T.mask_probabilities(masks, keep_prob)
        np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=1e-14)
        by_hand = [np.prod([keep_prob if kept else 1 - keep_prob for kept in mask]) for mask in masks]
        np.testing.assert_allclose(probabilities, by_hand, rtol=1e-14)
    for bad_keep in (0.0, 1.2):
        with pytest.raises(ValueError):
            T.mask_probabilities(masks, bad_keep)
    with pytest.raises(ValueError):
        T.mask_probabilities(masks * 2, 0.5)
    with pytest.raises(ValueError):
        T.mask_probabilities(np.ones(3), 0.5)
