"""Closed forms of dropout theory, and the Monte-Carlo estimators that check them.

Chapters 3-5 derive results for a single linear unit and for linear regression
with dropout on the inputs; each result has a closed form here. A unit's
moments also have a sampling estimator, and :func:`running_mean_with_se` turns
any samples a notebook draws into an estimate with its standard error, so a
notebook can show the two agree within the sampling error.

Notation: unless a function says otherwise, it takes ``keep_prob``, the paper's
p, the RETAIN probability (Srivastava et al. 2014; Baldi and Sadowski 2014).
Keras ``rate`` is the drop probability ``1 - keep_prob``; convert with
:func:`keep_prob_from_rate` and :func:`rate_from_keep_prob`.

A linear unit with inputs ``x``, weights ``w`` and mask ``delta`` (entries
independent Bernoulli(p), 1 = kept) outputs, during training,

``"scale-down"`` (the paper)    y_D = sum_i delta_i w_i x_i,
``"inverted"`` (Keras)          y_D = sum_i delta_i w_i x_i / p,

and at test time the ensemble (weight-scaled) output

``"scale-down"``                y_E = p sum_i w_i x_i,
``"inverted"``                  y_E = sum_i w_i x_i,

so that E[y_D] = y_E in both conventions. With the squared loss
L = 1/2 (t - y)^2 the expected dropout loss is exactly

    E[L_D] = L_E + 1/2 c(p) sum_i (w_i x_i)^2,   c(p) = p(1-p)  (scale-down)
                                                 c(p) = (1-p)/p (inverted),

a data-dependent ridge penalty that, in the scale-down form, is largest at
p = 0.5.

Random arguments ``rng`` accept None, an integer seed or a
``numpy.random.Generator`` (see :func:`dropout_course.reference.dropout_mask`).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import (
    KEEP_PROB,
    Array,
    Interval,
    InvalidParameterError,
    Options,
    check,
    check_keep_prob,
    check_mask,
    check_params,
    check_rate,
    check_rng,
    check_same_length,
    check_same_shape,
)
from .reference import CONVENTIONS

__all__ = [
    "keep_prob_from_rate",
    "rate_from_keep_prob",
    "dropout_unit_mean",
    "dropout_unit_variance",
    "linear_unit_output",
    "ensemble_output",
    "expected_dropout_loss",
    "expected_dropout_gradient",
    "all_masks",
    "mask_probabilities",
    "sample_dropout_losses",
    "monte_carlo_dropout_loss",
    "monte_carlo_dropout_gradient",
    "running_mean_with_se",
    "monte_carlo_unit_moments",
    "dropout_regression_weights",
    "train_linear_regression_with_dropout",
]

# Monte-Carlo estimators draw at most this many uniforms at once (8 MB of
# float64), so a million samples of a wide unit never exhausts a laptop.
_CHUNK_ELEMENTS = 2**20

# What each parameter of the functions below accepts.
_PARAMETERS = {
    "h": Array(),
    "x": Array(ndim=1),
    "w": Array(ndim=1),
    "target": Array(ndim=0),
    "X": Array(ndim=2),
    "y": Array(ndim=1),
    "samples": Array(),
    "keep_prob": KEEP_PROB,
    "convention": Options(CONVENTIONS),
    "n_samples": Interval(numbers.Integral, 1),
    "n_steps": Interval(numbers.Integral, 1),
    "learning_rate": Interval(numbers.Real, 0, closed="neither"),
    "average_last": Interval(numbers.Real, 0, 1, closed="right"),
}


# --------------------------------------------------------------------------
# Private helpers
# --------------------------------------------------------------------------


def _training_scale(keep_prob: float, convention: str) -> float:
    """Factor applied to a kept unit during training: 1 or 1/p."""
    return 1.0 if convention == "scale-down" else 1.0 / keep_prob


def _ensemble_scale(keep_prob: float, convention: str) -> float:
    """Factor applied to every unit at test time: p or 1."""
    return keep_prob if convention == "scale-down" else 1.0


def _noise_factor(keep_prob: float, convention: str) -> float:
    """Variance of one scaled mask entry: p(1-p) or (1-p)/p."""
    scale = _training_scale(keep_prob, convention)
    return scale**2 * keep_prob * (1.0 - keep_prob)


def _ensemble_output(x, w, keep_prob: float, convention: str) -> float:
    """Test-time output of the linear unit, for checked arguments."""
    return float(_ensemble_scale(keep_prob, convention) * np.dot(w, x))


def _float_or_array(values):
    values = np.asarray(values, dtype=np.float64)
    return float(values) if values.ndim == 0 else values


def _sample_chunks(n_samples: int, unit_shape: tuple, keep_prob: float, generator):
    """Yield boolean keep-masks of shape (k, *unit_shape), k summing to n_samples."""
    unit_size = int(np.prod(unit_shape, dtype=np.int64))
    per_chunk = max(1, _CHUNK_ELEMENTS // max(1, unit_size))
    drawn = 0
    while drawn < n_samples:
        k = min(per_chunk, n_samples - drawn)
        # delta ~ Bernoulli(p): P(u < p) = p for u uniform on [0, 1).
        yield generator.random((k, *unit_shape)) < keep_prob
        drawn += k


def _streamed_mean_and_variance(chunks):
    """Mean and unbiased variance along axis 0 of a stream of sample chunks.

    Chunks are merged with Chan et al.'s pairwise update, which stays accurate
    where the textbook sum-of-squares formula cancels catastrophically.
    """
    count, mean, m2 = 0, 0.0, 0.0
    for values in chunks:
        k = values.shape[0]
        chunk_mean = values.mean(axis=0)
        chunk_m2 = ((values - chunk_mean) ** 2).sum(axis=0)
        delta = chunk_mean - mean
        total = count + k
        mean = mean + delta * (k / total)
        m2 = m2 + chunk_m2 + delta**2 * (count * k / total)
        count = total
    # One sample has no spread to estimate; nan says so without a warning.
    variance = m2 / (count - 1) if count > 1 else np.full_like(np.asarray(mean), np.nan)
    return count, mean, variance


# --------------------------------------------------------------------------
# Notation
# --------------------------------------------------------------------------


def keep_prob_from_rate(rate) -> float:
    """Convert a drop probability (Keras ``rate``) to a retain probability.

    Parameters
    ----------
    rate : float
        Drop probability, in [0, 1).

    Returns
    -------
    float
        ``keep_prob = 1 - rate``, the paper's p, in (0, 1].
    """
    return 1.0 - check_rate(rate)


def rate_from_keep_prob(keep_prob) -> float:
    """Convert a retain probability (the paper's p) to a drop probability.

    Parameters
    ----------
    keep_prob : float
        Retain probability, in (0, 1].

    Returns
    -------
    float
        ``rate = 1 - keep_prob``, the Keras ``rate``, in [0, 1).
    """
    return 1.0 - check_keep_prob(keep_prob)


# --------------------------------------------------------------------------
# One unit's activation under dropout
# --------------------------------------------------------------------------


def dropout_unit_mean(h, keep_prob, convention="scale-down"):
    """Expected value of an activation ``h`` after dropout during training.

    ``h' = delta h`` (scale-down) or ``h' = delta h / p`` (inverted), with
    ``delta ~ Bernoulli(keep_prob)``.

    Parameters
    ----------
    h : float or array_like
        Activation(s) before dropout.
    keep_prob : float
        Retain probability p, in (0, 1].
    convention : {"scale-down", "inverted"}, default "scale-down"

    Returns
    -------
    float or numpy.ndarray
        ``p h`` (scale-down) or ``h`` (inverted).
    """
    h, keep_prob, convention = check_params(
        _PARAMETERS, h=h, keep_prob=keep_prob, convention=convention
    )
    return _float_or_array(h * keep_prob * _training_scale(keep_prob, convention))


def dropout_unit_variance(h, keep_prob, convention="scale-down"):
    """Variance of an activation ``h`` after dropout during training.

    Parameters
    ----------
    h : float or array_like
        Activation(s) before dropout.
    keep_prob : float
        Retain probability p, in (0, 1].
    convention : {"scale-down", "inverted"}, default "scale-down"

    Returns
    -------
    float or numpy.ndarray
        ``p (1 - p) h**2`` (scale-down) or ``(1 - p) / p h**2`` (inverted).
    """
    h, keep_prob, convention = check_params(
        _PARAMETERS, h=h, keep_prob=keep_prob, convention=convention
    )
    return _float_or_array(_noise_factor(keep_prob, convention) * h**2)


# --------------------------------------------------------------------------
# A linear unit: outputs, losses, penalty
# --------------------------------------------------------------------------


def linear_unit_output(x, w, mask=None, *, convention="scale-down", keep_prob=None) -> float:
    """Output of the linear unit ``sum_i w_i x_i``, thinned by a dropout mask.

    Parameters
    ----------
    x, w : array_like, shape (n,)
        Inputs and weights.
    mask : array_like of shape (n,), optional
        1.0 for kept inputs, 0.0 for dropped ones. ``None`` means no dropout:
        the plain output ``sum(w * x)`` (use :func:`ensemble_output` for the
        weight-scaled test-time output).
    convention : {"scale-down", "inverted"}, default "scale-down"
        With a mask: ``sum(mask * w * x)`` (scale-down) or
        ``sum(mask * w * x) / keep_prob`` (inverted).
    keep_prob : float, optional
        Retain probability p, in (0, 1]; required for the inverted convention
        with a mask, ignored otherwise (but still validated).

    Returns
    -------
    float
    """
    x, w, convention = check_params(_PARAMETERS, x=x, w=w, convention=convention)
    check_same_shape(x, w, "x", "w")
    keep_prob = check(keep_prob, "keep_prob", None, KEEP_PROB)
    if mask is None:
        return float(np.dot(w, x))
    mask = check_mask(mask)
    check_same_shape(mask, x, "mask", "x")
    # With a given mask, only the inverted convention needs p (to divide by it).
    if keep_prob is None and convention == "inverted":
        raise InvalidParameterError(
            "keep_prob is required when convention='inverted' (the kept units "
            "are divided by the retain probability keep_prob)"
        )
    scale = 1.0 if convention == "scale-down" else 1.0 / keep_prob
    return float(np.dot(mask * w, x) * scale)


def ensemble_output(x, w, keep_prob, convention="scale-down") -> float:
    """Test-time (weight-scaled) output of the linear unit, ``y_E = E[y_D]``.

    Parameters
    ----------
    x, w : array_like, shape (n,)
    keep_prob : float
        Retain probability p, in (0, 1].
    convention : {"scale-down", "inverted"}, default "scale-down"

    Returns
    -------
    float
        ``p * sum(w * x)`` (scale-down) or ``sum(w * x)`` (inverted, where the
        scaling happened during training).
    """
    x, w, keep_prob, convention = check_params(
        _PARAMETERS, x=x, w=w, keep_prob=keep_prob, convention=convention
    )
    check_same_shape(x, w, "x", "w")
    return _ensemble_output(x, w, keep_prob, convention)


def expected_dropout_loss(x, w, target, keep_prob, convention="scale-down") -> float:
    """Exact expectation of the dropout loss over all masks, ``E[L_D]``.

    For a linear unit, ``E[L_D] = L_E + penalty`` holds exactly (bias-variance
    decomposition of ``y_D`` around its mean ``y_E``).

    Parameters
    ----------
    x, w : array_like, shape (n,)
    target : float
    keep_prob : float
        Retain probability p, in (0, 1].
    convention : {"scale-down", "inverted"}, default "scale-down"

    Returns
    -------
    float
        ``L_E + 1/2 c(p) sum((w x)**2)``: the loss of the ensemble output
        :func:`ensemble_output` plus the penalty, with ``c(p) = p (1 - p)``
        (scale-down) or ``(1 - p) / p`` (inverted); the penalty equals
        ``1/2 Var[y_D]``.
    """
    x, w, target, keep_prob, convention = check_params(
        _PARAMETERS, x=x, w=w, target=target, keep_prob=keep_prob, convention=convention
    )
    check_same_shape(x, w, "x", "w")
    ensemble_loss = 0.5 * (target - _ensemble_output(x, w, keep_prob, convention)) ** 2
    penalty = 0.5 * _noise_factor(keep_prob, convention) * float(np.sum((w * x) ** 2))
    return ensemble_loss + penalty


# --------------------------------------------------------------------------
# Gradients with respect to the weights
# --------------------------------------------------------------------------


def expected_dropout_gradient(x, w, target, keep_prob, convention="scale-down") -> np.ndarray:
    """Exact expectation over masks of the dropout gradient, ``E[dL_D/dw]``.

    Parameters
    ----------
    x, w : array_like, shape (n,)
    target : float
    keep_prob : float
        Retain probability p, in (0, 1].
    convention : {"scale-down", "inverted"}, default "scale-down"

    Returns
    -------
    numpy.ndarray, shape (n,)
        ``dL_E/dw + w p (1 - p) x**2`` (scale-down) or
        ``-(target - sum(w x)) x + w (1 - p) / p x**2`` (inverted): the
        ensemble gradient plus the gradient of the penalty of
        :func:`expected_dropout_loss`.
    """
    x, w, target, keep_prob, convention = check_params(
        _PARAMETERS, x=x, w=w, target=target, keep_prob=keep_prob, convention=convention
    )
    check_same_shape(x, w, "x", "w")
    output = _ensemble_output(x, w, keep_prob, convention)
    ensemble_gradient = -(target - output) * _ensemble_scale(keep_prob, convention) * x
    return ensemble_gradient + _noise_factor(keep_prob, convention) * w * x**2


# --------------------------------------------------------------------------
# Monte-Carlo estimators
# --------------------------------------------------------------------------


#: all_masks refuses more units than this: 2**20 rows of 20 floats is 160 MB.
MAX_ENUMERATED_UNITS = 20


def all_masks(n_units) -> np.ndarray:
    """Every dropout mask of ``n_units`` units, one per row (1.0 = kept, 0.0 = dropped).

    Parameters
    ----------
    n_units : int
        Number of droppable units, 1 to ``MAX_ENUMERATED_UNITS``.

    Returns
    -------
    numpy.ndarray, shape (2**n_units, n_units)
        The rows in the order of ``itertools.product([0, 1], repeat=n_units)``:
        binary counting, the first unit the most significant bit.
    """
    n_units = check(n_units, "n_units", Interval(numbers.Integral, 1, MAX_ENUMERATED_UNITS))
    bits = np.arange(n_units - 1, -1, -1)
    return ((np.arange(2**n_units)[:, None] >> bits) & 1).astype(np.float64)


def mask_probabilities(masks, keep_prob) -> np.ndarray:
    """Probability ``P(m) = p**k (1 - p)**(n - k)`` of each mask, ``k`` the units kept.

    Parameters
    ----------
    masks : array_like, shape (n_masks, n_units)
        Entries 0 or 1, one mask per row (e.g. :func:`all_masks`).
    keep_prob : float
        Retain probability p, in (0, 1].

    Returns
    -------
    numpy.ndarray, shape (n_masks,)
        Sums to 1 over :func:`all_masks` of any size.
    """
    masks = check(masks, "masks", Array(ndim=2, binary=True))
    keep_prob = check_keep_prob(keep_prob)
    kept = masks.sum(axis=1)
    return keep_prob**kept * (1.0 - keep_prob) ** (masks.shape[1] - kept)


def sample_dropout_losses(
    x, w, target, keep_prob, n_samples, *, convention="scale-down", rng=None
) -> np.ndarray:
    """Dropout losses ``L_D`` of a linear unit for independently sampled masks.

    The raw material of the Monte-Carlo estimate: histogram it, or pass it to
    :func:`running_mean_with_se`. With the same ``rng`` seed,
    :func:`monte_carlo_dropout_loss` averages exactly these samples.

    Parameters
    ----------
    x, w : array_like, shape (n,)
    target : float
    keep_prob : float
        Retain probability p, in (0, 1].
    n_samples : int
        Number of masks, >= 1.
    convention : {"scale-down", "inverted"}, default "scale-down"
    rng : None, int or numpy.random.Generator, optional

    Returns
    -------
    numpy.ndarray, shape (n_samples,)
    """
    x, w, target, keep_prob, n_samples, convention, generator = _monte_carlo_inputs(
        x, w, target, keep_prob, n_samples, convention, rng
    )
    return np.concatenate(
        list(_loss_chunks(x, w, target, keep_prob, n_samples, convention, generator))
    )


def _monte_carlo_inputs(x, w, target, keep_prob, n_samples, convention, rng):
    """The Monte-Carlo functions' arguments, checked, and their random generator."""
    x, w, target, keep_prob, n_samples, convention = check_params(
        _PARAMETERS,
        x=x,
        w=w,
        target=target,
        keep_prob=keep_prob,
        n_samples=n_samples,
        convention=convention,
    )
    check_same_shape(x, w, "x", "w")
    return x, w, target, keep_prob, n_samples, convention, check_rng(rng)


def _loss_chunks(x, w, target, keep_prob, n_samples, convention, generator):
    scale = _training_scale(keep_prob, convention)
    wx = w * x
    for keep in _sample_chunks(n_samples, x.shape, keep_prob, generator):
        outputs = (keep @ wx) * scale
        yield 0.5 * (target - outputs) ** 2


def monte_carlo_dropout_loss(
    x, w, target, keep_prob, n_samples, *, convention="scale-down", rng=None
):
    """Monte-Carlo estimate of the expected dropout loss ``E[L_D]``.

    Parameters
    ----------
    x, w : array_like, shape (n,)
    target : float
    keep_prob : float
        Retain probability p, in (0, 1].
    n_samples : int
        Number of sampled masks, >= 1.
    convention : {"scale-down", "inverted"}, default "scale-down"
    rng : None, int or numpy.random.Generator, optional

    Returns
    -------
    mean : float
        Average loss over the sampled masks.
    standard_error : float
        ``std(ddof=1) / sqrt(n_samples)``; nan when ``n_samples`` is 1.
    """
    x, w, target, keep_prob, n_samples, convention, generator = _monte_carlo_inputs(
        x, w, target, keep_prob, n_samples, convention, rng
    )
    chunks = _loss_chunks(x, w, target, keep_prob, n_samples, convention, generator)
    count, mean, variance = _streamed_mean_and_variance(chunks)
    return float(mean), float(np.sqrt(variance / count))


def monte_carlo_dropout_gradient(
    x, w, target, keep_prob, n_samples, *, convention="scale-down", rng=None
):
    """Monte-Carlo estimate of the expected dropout gradient ``E[dL_D/dw]``.

    Parameters
    ----------
    x, w : array_like, shape (n,)
    target : float
    keep_prob : float
        Retain probability p, in (0, 1].
    n_samples : int
        Number of sampled masks, >= 1.
    convention : {"scale-down", "inverted"}, default "scale-down"
    rng : None, int or numpy.random.Generator, optional

    Returns
    -------
    mean : numpy.ndarray, shape (n,)
        Average gradient over the sampled masks.
    standard_error : numpy.ndarray, shape (n,)
        Per-component standard error; nan when ``n_samples`` is 1.
    """
    x, w, target, keep_prob, n_samples, convention, generator = _monte_carlo_inputs(
        x, w, target, keep_prob, n_samples, convention, rng
    )
    scale = _training_scale(keep_prob, convention)
    wx = w * x

    def gradients():
        for keep in _sample_chunks(n_samples, x.shape, keep_prob, generator):
            residual = target - (keep @ wx) * scale
            yield -(residual * scale)[:, None] * (keep * x)

    count, mean, variance = _streamed_mean_and_variance(gradients())
    return mean, np.sqrt(variance / count)


def running_mean_with_se(samples, sample_counts=None):
    """Running Monte-Carlo estimate and its standard error as samples accrue.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, ...)
        Independent samples along axis 0.
    sample_counts : array_like of int, optional
        Increasing counts in [1, n] at which to report the estimate; default
        every count 1, 2, ..., n.

    Returns
    -------
    counts : numpy.ndarray of int, shape (m,)
    means : numpy.ndarray, shape (m, ...)
        Mean of the first ``counts[k]`` samples.
    standard_errors : numpy.ndarray, shape (m, ...)
        ``std(ddof=1) / sqrt(count)`` of the same samples; nan for count 1.
    """
    samples = check_params(_PARAMETERS, samples=samples)
    if samples.ndim == 0:
        raise InvalidParameterError("samples must have at least 1 dimension (samples along axis 0)")
    n = samples.shape[0]
    if sample_counts is None:
        counts = np.arange(1, n + 1)
    else:
        counts = np.asarray(sample_counts)
        if (
            counts.ndim != 1
            or counts.size == 0
            or not np.issubdtype(counts.dtype, np.integer)
            or counts[0] < 1
            or counts[-1] > n
            or np.any(np.diff(counts) <= 0)
        ):
            raise InvalidParameterError(
                f"sample_counts must be a non-empty increasing sequence of integers "
                f"in [1, {n}] (the number of samples); got {sample_counts!r}"
            )
    # Centering on the overall mean first keeps the prefix sum of squares from
    # cancelling catastrophically when the mean is large relative to the spread.
    centered = samples - samples.mean(axis=0)
    prefix_sum = np.cumsum(centered, axis=0)[counts - 1]
    prefix_sq = np.cumsum(centered**2, axis=0)[counts - 1]
    shape = (-1,) + (1,) * (samples.ndim - 1)
    k = counts.reshape(shape).astype(np.float64)
    means = prefix_sum / k + samples.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.maximum(prefix_sq - prefix_sum**2 / k, 0.0) / (k - 1)
        standard_errors = np.where(k > 1, np.sqrt(variance / k), np.nan)
    return counts.astype(np.int64), means, standard_errors


def monte_carlo_unit_moments(h, keep_prob, n_samples, *, convention="scale-down", rng=None):
    """Monte-Carlo mean and variance of activations ``h`` after dropout.

    Compare with :func:`dropout_unit_mean` and :func:`dropout_unit_variance`.

    Parameters
    ----------
    h : float or array_like
        Activation(s) before dropout; each entry gets its own mask.
    keep_prob : float
        Retain probability p, in (0, 1].
    n_samples : int
        Number of sampled masks, >= 1.
    convention : {"scale-down", "inverted"}, default "scale-down"
    rng : None, int or numpy.random.Generator, optional

    Returns
    -------
    mean : float or numpy.ndarray
        Sample mean, shape of ``h``.
    variance : float or numpy.ndarray
        Unbiased sample variance (ddof=1), shape of ``h``; nan when
        ``n_samples`` is 1. The standard error of ``mean`` is
        ``sqrt(variance / n_samples)``.
    """
    h, keep_prob, n_samples, convention = check_params(
        _PARAMETERS, h=h, keep_prob=keep_prob, n_samples=n_samples, convention=convention
    )
    generator = check_rng(rng)
    scaled = h * _training_scale(keep_prob, convention)
    chunks = (keep * scaled for keep in _sample_chunks(n_samples, h.shape, keep_prob, generator))
    _, mean, variance = _streamed_mean_and_variance(chunks)
    return _float_or_array(mean), _float_or_array(variance)


# --------------------------------------------------------------------------
# Linear regression with dropout on the inputs (Srivastava et al. 2014, 9.1)
# --------------------------------------------------------------------------


def dropout_regression_weights(X, y, keep_prob, convention="scale-down") -> np.ndarray:
    """Closed-form weights of least squares trained with input dropout.

    The minimiser of the expected SUM of squared errors over input masks,
    ``E_R ||y - (R*X) w s||^2`` with ``R_ij ~ Bernoulli(keep_prob)`` and
    ``s = 1`` (scale-down) or ``1/p`` (inverted):

    scale-down:  w = (p X^T X + (1 - p) diag(X^T X))^{-1} X^T y;
                 the test-time weights are ``p * w``.
    inverted:    w = (X^T X + (1 - p)/p diag(X^T X))^{-1} X^T y;
                 the test-time weights are ``w`` itself.

    Both conventions give the same test-time predictions, and both are ridge
    regression with the per-feature penalty ``c(p) diag(X^T X)``, ``c(p) =
    p (1 - p)`` (scale-down) or ``(1 - p) / p`` (inverted).
    No intercept is modelled: center ``X`` and ``y`` first (a constant
    column would be dropped out, and penalised, like any other input).

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
    y : array_like, shape (n_samples,)
    keep_prob : float
        Retain probability p of each input, in (0, 1].
    convention : {"scale-down", "inverted"}, default "scale-down"

    Returns
    -------
    numpy.ndarray, shape (n_features,)
        The training-time weights ``w``.

    Raises
    ------
    ValueError
        On invalid arguments.
    numpy.linalg.LinAlgError
        If the system is singular (a column of zeros, or ``keep_prob = 1``,
        i.e. ordinary least squares, with collinear features).
    """
    X, y, keep_prob, convention = check_params(
        _PARAMETERS, X=X, y=y, keep_prob=keep_prob, convention=convention
    )
    check_same_length(X, y, "X", "y")
    # Normal equations of ||y - s_E X w||^2 + w^T diag(lambda) w, with s_E the
    # test-time scale: one formula for both conventions.
    s_e = _ensemble_scale(keep_prob, convention)
    system = s_e**2 * (X.T @ X) + np.diag(
        _noise_factor(keep_prob, convention) * np.einsum("ij,ij->j", X, X)
    )
    return np.linalg.solve(system, s_e * (X.T @ y))


def train_linear_regression_with_dropout(
    X,
    y,
    keep_prob,
    *,
    convention="scale-down",
    learning_rate,
    n_steps,
    batch_size=None,
    rng=None,
    average_last=0.5,
) -> np.ndarray:
    """Train least squares by SGD with freshly sampled input-dropout masks.

    Each step samples a batch (with replacement; all rows when ``batch_size``
    is None), a new mask ``R`` with entries Bernoulli(keep_prob), and takes a
    gradient step on the MEAN squared error of the thinned inputs,
    ``(1/B) ||y_B - (R * X_B) w s||^2`` (``s = 1`` scale-down, ``1/p``
    inverted), starting from ``w = 0``. The closed form of
    :func:`dropout_regression_weights` minimises the expected SUM of squared
    errors; dividing by the number of samples rescales the objective but not
    its minimiser, only the useful range of ``learning_rate``.

    A constant step size leaves the iterates fluctuating around the minimiser;
    because the gradient is linear in ``w`` and the masks are independent of
    it, the fluctuations are centred on the minimiser exactly, and the returned
    Polyak average of the last iterates converges to it.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        Design matrix (no intercept; center the data).
    y : array_like, shape (n_samples,)
    keep_prob : float
        Retain probability p of each input, in (0, 1].
    convention : {"scale-down", "inverted"}, default "scale-down"
    learning_rate : float
        Step size, > 0. Gradient descent on the expected mean loss is stable
        below ``2 / lambda_max(H)``, ``H = (2/n)(s_E^2 X^T X +
        c(p) diag(X^T X))`` with ``s_E = p`` (scale-down)
        or 1 (inverted); the mask noise calls for a good margin below that.
    n_steps : int
        Number of SGD steps, >= 1.
    batch_size : int, optional
        Rows per step, in [1, n_samples]; default all rows (the mask is then
        the only noise).
    rng : None, int or numpy.random.Generator, optional
    average_last : float, default 0.5
        Fraction of the final steps whose iterates are averaged, in (0, 1].
        1/n_steps returns the last iterate.

    Returns
    -------
    numpy.ndarray, shape (n_features,)
        Averaged training-time weights, comparable with
        :func:`dropout_regression_weights` for the same convention.

    Raises
    ------
    ValueError
        On invalid arguments.
    FloatingPointError
        If the iterates diverge (``learning_rate`` too large).
    """
    X, y, keep_prob, convention, learning_rate, n_steps, average_last = check_params(
        _PARAMETERS,
        X=X,
        y=y,
        keep_prob=keep_prob,
        convention=convention,
        learning_rate=learning_rate,
        n_steps=n_steps,
        average_last=average_last,
    )
    check_same_length(X, y, "X", "y")
    n_rows, n_features = X.shape
    if batch_size is None:
        batch_size = n_rows
    batch_size = check(batch_size, "batch_size", Interval(numbers.Integral, 1, n_rows))
    generator = check_rng(rng)

    full_batch = batch_size == n_rows
    # Folding the training scale into X once saves a multiply per step.
    X_scaled = X * _training_scale(keep_prob, convention)
    # float32 uniforms halve the cost of the dominant operation; their 2^-24
    # resolution of keep_prob is far below the noise of SGD.
    uniforms = np.empty((batch_size, n_features), dtype=np.float32)
    keep = np.empty((batch_size, n_features), dtype=bool)
    thinned = np.empty((batch_size, n_features))
    weights = np.zeros(n_features)
    n_averaged = max(1, int(np.ceil(average_last * n_steps)))
    first_averaged = n_steps - n_averaged
    weight_sum = np.zeros(n_features)
    step_factor = 2.0 * learning_rate / batch_size
    rows_x, rows_y = X_scaled, y
    with np.errstate(over="raise", invalid="raise"):
        try:
            for step in range(n_steps):
                if not full_batch:
                    rows = generator.integers(0, n_rows, size=batch_size)
                    rows_x, rows_y = X_scaled[rows], y[rows]
                generator.random(out=uniforms, dtype=np.float32)
                np.less(uniforms, keep_prob, out=keep)
                np.multiply(rows_x, keep, out=thinned)
                residual = rows_y - thinned @ weights
                weights += step_factor * (residual @ thinned)
                if step >= first_averaged:
                    weight_sum += weights
        except FloatingPointError as error:
            raise FloatingPointError(
                f"SGD diverged at step {step}: learning_rate={learning_rate!r} is "
                f"too large for this X (see the docstring for a stable range)"
            ) from error
    if not np.all(np.isfinite(weight_sum)):
        raise FloatingPointError(
            f"SGD diverged: learning_rate={learning_rate!r} is too large for this X"
        )
    averaged = weight_sum / n_averaged
    # Iterates can grow for thousands of steps before they overflow. w = 0 is
    # a feasible point with objective mean(y**2), and SGD noise alone never
    # makes the expected objective ten times worse than that: growth does.
    with np.errstate(over="ignore"):  # inf compares as diverged below
        expected_objective = np.mean((y - keep_prob * (X_scaled @ averaged)) ** 2) + keep_prob * (
            1.0 - keep_prob
        ) * np.mean((X_scaled**2) @ (averaged**2))
    if expected_objective > 10.0 * np.mean(y**2):
        raise FloatingPointError(
            f"SGD diverged: learning_rate={learning_rate!r} is too large for this X "
            f"(expected objective {expected_objective:.3g} vs {np.mean(y**2):.3g} at w = 0)"
        )
    return averaged
