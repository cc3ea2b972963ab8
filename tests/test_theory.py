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


def _dropout_output_and_gradient(x, w, target, mask, keep_prob, convention):
    """Thinned output y_D and dL_D/dw for one mask, written out independently."""
    scale = 1.0 if convention == "scale-down" else 1.0 / keep_prob
    output = scale * np.dot(mask * w, x)
    return output, -(target - output) * scale * mask * x


def _penalty(x, w, keep_prob, convention):
    c = keep_prob * (1 - keep_prob) if convention == "scale-down" else (1 - keep_prob) / keep_prob
    return 0.5 * c * np.sum((w * x) ** 2)


def _ridge_diagonal(X, keep_prob, convention):
    c = keep_prob * (1 - keep_prob) if convention == "scale-down" else (1 - keep_prob) / keep_prob
    return c * np.sum(X**2, axis=0)


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
    inverted = T.linear_unit_output(x, w, mask, convention="inverted", keep_prob=p)
    assert inverted == pytest.approx(15.0)
    assert T.ensemble_output(x, w, p, convention="inverted") == pytest.approx(12.0)
    assert T.linear_unit_output(x, w) == pytest.approx(12.0)
    # E[L_D] = L_E + penalty = 1/2 (9 - 8)^2 + 1/2 (2/3)(1/3)(4 + 16 + 36) = 1/2 + 56/9
    assert T.expected_dropout_loss(x, w, 9.0, p) == pytest.approx(0.5 + 56 / 9)


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
    outputs = np.array([T.linear_unit_output(x, w, m, **kw) for m in masks])
    losses = 0.5 * (target - outputs) ** 2
    gradients = np.array(
        [_dropout_output_and_gradient(x, w, target, m, keep_prob, convention)[1] for m in masks]
    )
    np.testing.assert_allclose(
        outputs,
        [_dropout_output_and_gradient(x, w, target, m, keep_prob, convention)[0] for m in masks],
        rtol=1e-14,
    )

    exact_loss = probabilities @ losses
    ensemble = 0.5 * (target - T.ensemble_output(x, w, keep_prob, convention)) ** 2
    penalty = _penalty(x, w, keep_prob, convention)
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


def test_monte_carlo_chunking_matches_one_shot(monkeypatch):
    h = np.array([1.0, -2.5, 0.3, 4.0])
    whole = T.monte_carlo_unit_moments(h, 0.6, 1000, rng=3)
    monkeypatch.setattr(T, "_CHUNK_ELEMENTS", 28)  # 7 samples of 4 units per chunk
    chunked = T.monte_carlo_unit_moments(h, 0.6, 1000, rng=3)
    np.testing.assert_allclose(chunked[0], whole[0], rtol=1e-12)
    np.testing.assert_allclose(chunked[1], whole[1], rtol=1e-10)


def test_single_sample_has_nan_variance():
    mean, variance = T.monte_carlo_unit_moments(2.0, 0.5, 1, rng=0)
    assert np.isfinite(mean) and np.isnan(variance)


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
    p = 0.6
    np.testing.assert_allclose(
        T.expected_dropout_gradient(x, w, target, p, convention),
        _central_difference(lambda v: T.expected_dropout_loss(x, v, target, p, convention), w),
        rtol=1e-6,
        atol=1e-9,
    )


# ------------------------------------------------------------------- the penalty


def test_scale_down_penalty_is_largest_at_one_half(unit):
    # the penalty is E[L_D] - L_E, which does not depend on the target
    x, w, _ = unit

    def penalty(p, convention="scale-down"):
        return T.expected_dropout_loss(x, w, T.ensemble_output(x, w, p, convention), p, convention)

    grid = np.linspace(0.01, 1.0, 100)
    assert grid[int(np.argmax([penalty(p) for p in grid]))] == pytest.approx(0.5)
    assert penalty(0.5) > penalty(0.49) and penalty(0.5) > penalty(0.51)
    assert penalty(1.0) == 0.0
    inverted = [penalty(p, "inverted") for p in np.linspace(0.05, 1.0, 20)]
    assert np.all(np.diff(inverted) < 0)


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
    penalty = _ridge_diagonal(X, p, convention)
    decomposed = np.sum((y - _test_scale(p, convention) * X @ w) ** 2) + penalty @ w**2
    assert expected_sse(w) == pytest.approx(decomposed, rel=1e-12)


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("keep_prob", KEEP_PROBS)
def test_regression_equals_sklearn_ridge_on_rescaled_features(regression, convention, keep_prob):
    X, y = regression
    penalty = _ridge_diagonal(X, keep_prob, convention)
    # ||y - sX w||^2 + sum_j penalty_j w_j^2 with v_j = sqrt(penalty_j) w_j is
    # plain ridge (alpha = 1) on features s X_j / sqrt(penalty_j).
    scale = np.sqrt(penalty)
    ridge = Ridge(alpha=1.0, fit_intercept=False, solver="cholesky")
    ridge.fit(_test_scale(keep_prob, convention) * X / scale, y)
    np.testing.assert_allclose(
        T.dropout_regression_weights(X, y, keep_prob, convention), ridge.coef_ / scale, rtol=1e-8
    )


def test_keep_prob_one_is_ordinary_least_squares(regression):
    X, y = regression
    ols = np.linalg.lstsq(X, y, rcond=None)[0]
    for convention in CONVENTIONS:
        weights = T.dropout_regression_weights(X, y, 1.0, convention)
        np.testing.assert_allclose(weights, ols, rtol=1e-10)


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_sgd_with_dropout_reaches_the_closed_form(regression, convention):
    X, y = regression
    p = 0.6
    closed = T.dropout_regression_weights(X, y, p, convention)
    ols = np.linalg.lstsq(X, y, rcond=None)[0] / _test_scale(p, convention)
    s = _test_scale(p, convention)
    hessian = (2 / len(y)) * (s**2 * X.T @ X + np.diag(_ridge_diagonal(X, p, convention)))
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


def test_all_masks_enumerates_in_itertools_order():
    for n in (1, 3, 5):
        expected = np.array(list(itertools.product([0.0, 1.0], repeat=n)))
        np.testing.assert_array_equal(T.all_masks(n), expected)
    assert T.all_masks(10).shape == (1024, 10)
    for bad in (0, -1, 1.5, True, T.MAX_ENUMERATED_UNITS + 1):
        with pytest.raises(ValueError):
            T.all_masks(bad)


def test_mask_probabilities_sum_to_one_and_match_the_product():
    masks = T.all_masks(4)
    for keep_prob in (0.2, 0.5, 2 / 3, 1.0):
        probabilities = T.mask_probabilities(masks, keep_prob)
        np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=1e-14)
        by_hand = [
            np.prod([keep_prob if kept else 1 - keep_prob for kept in mask]) for mask in masks
        ]
        np.testing.assert_allclose(probabilities, by_hand, rtol=1e-14)
    for bad_keep in (0.0, 1.2):
        with pytest.raises(ValueError):
            T.mask_probabilities(masks, bad_keep)
    with pytest.raises(ValueError):
        T.mask_probabilities(masks * 2, 0.5)
    with pytest.raises(ValueError):
        T.mask_probabilities(np.ones(3), 0.5)


@pytest.mark.parametrize("convention", ["scale-down", "inverted"])
@pytest.mark.parametrize("keep_prob", [0.2, 0.5, 0.9])
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


@pytest.mark.parametrize("convention", ["scale-down", "inverted"])
def test_monte_carlo_distinguishes_ensemble_loss_from_expected_loss(unit, convention):
    # Guards against a test above that passes because the SE is huge: the
    # penalty is many standard errors wide.
    x, w, target = unit
    mean, se = T.monte_carlo_dropout_loss(x, w, target, 0.5, 100_000, convention=convention, rng=5)
    ensemble_loss = 0.5 * (target - T.ensemble_output(x, w, 0.5, convention)) ** 2
    assert abs(mean - ensemble_loss) > 20 * se


def test_single_sample_has_nan_standard_error(unit):
    x, w, target = unit
    mean, se = T.monte_carlo_dropout_loss(x, w, target, 0.5, 1, rng=0)
    assert np.isfinite(mean) and np.isnan(se)


def test_sample_losses_and_their_running_mean_agree_with_estimator(unit):
    x, w, target = unit
    losses = T.sample_dropout_losses(x, w, target, 0.7, 5000, rng=9)
    mean, se = T.monte_carlo_dropout_loss(x, w, target, 0.7, 5000, rng=9)
    assert losses.mean() == pytest.approx(mean, rel=1e-12)
    assert losses.std(ddof=1) / np.sqrt(losses.size) == pytest.approx(se, rel=1e-10)
    counts, means, ses = T.running_mean_with_se(losses, [1, 10, 100, 5000])
    np.testing.assert_array_equal(counts, [1, 10, 100, 5000])
    np.testing.assert_allclose(means, [losses[:c].mean() for c in counts], rtol=1e-12)
    assert np.isnan(ses[0])
    np.testing.assert_allclose(
        ses[1:], [losses[:c].std(ddof=1) / np.sqrt(c) for c in counts[1:]], rtol=1e-9
    )
