"""Argument checks shared by the public functions of the package.

Every public function validates its inputs here, at the boundary, so that a
learner who passes a keep probability where a drop rate is expected (or a
matrix of the wrong shape) gets a message naming the parameter, the value and
what is accepted, instead of a silent wrong answer deep inside numpy.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "check_rate",
    "check_keep_prob",
    "check_array",
    "check_same_shape",
    "check_choice",
    "check_positive_int",
    "check_seed",
]


def _is_real_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_rate(rate, name: str = "rate") -> float:
    """Return ``rate`` as a float if it is a drop probability in [0, 1).

    A rate of 1 would drop every unit (and make inverted dropout divide by
    zero), so it is refused.
    """
    if not _is_real_number(rate) or not np.isfinite(rate) or not 0.0 <= rate < 1.0:
        raise ValueError(
            f"{name}={rate!r} is not a valid drop probability: expected a number "
            f"in [0, 1) (the fraction of units set to zero; Keras `rate`)."
        )
    return float(rate)


def check_keep_prob(keep_prob, name: str = "keep_prob") -> float:
    """Return ``keep_prob`` as a float if it is a retain probability in (0, 1]."""
    if (
        not _is_real_number(keep_prob)
        or not np.isfinite(keep_prob)
        or not 0.0 < keep_prob <= 1.0
    ):
        raise ValueError(
            f"{name}={keep_prob!r} is not a valid retain probability: expected a "
            f"number in (0, 1] (the paper's p, the fraction of units kept)."
        )
    return float(keep_prob)


def check_array(values, name: str, *, ndim=None, allow_empty: bool = False) -> np.ndarray:
    """Return ``values`` as a finite float64 array, or raise ``ValueError``.

    Parameters
    ----------
    values : array_like
        The input to check.
    name : str
        The parameter name used in the error message.
    ndim : int or tuple of int, optional
        Accepted number(s) of dimensions.
    allow_empty : bool, default False
        Whether an array with no elements is accepted.
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of numbers; got {type(values).__name__}") from error
    if ndim is not None:
        accepted = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in accepted:
            raise ValueError(
                f"{name} must have {' or '.join(map(str, accepted))} dimension(s); "
                f"got shape {array.shape}"
            )
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return array


def check_same_shape(first, second, first_name: str, second_name: str) -> None:
    """Raise ``ValueError`` unless two arrays have the same shape."""
    if np.shape(first) != np.shape(second):
        raise ValueError(
            f"{first_name} and {second_name} must have the same shape; got "
            f"{np.shape(first)} and {np.shape(second)}"
        )


def check_choice(value, name: str, choices) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError``."""
    if value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name}={value!r} is not recognised: expected one of {listed}")
    return value


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` if it is an integer >= ``minimum``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}={value!r} is not valid: expected an integer >= {minimum}")
    return int(value)


def check_seed(seed, name: str = "seed") -> int:
    """Return ``seed`` if it is a non-negative integer usable as a random seed."""
    return check_positive_int(seed, name, minimum=0)
