"""Argument checks shared by the public functions of the package.

Every public function validates its inputs here, at the boundary, so that a
learner who passes a keep probability where a drop rate is expected (or a
matrix of the wrong shape) gets a message naming the parameter, the value and
what is accepted, instead of a silent wrong answer deep inside numpy.

In the spirit of scikit-learn's parameter validation, what a parameter accepts
is written as a constraint (:class:`Interval`, :class:`Options`,
:class:`Boolean`, :class:`InstanceOf`, :class:`Array`, :class:`Sizes`, or
``None``), and :func:`check` tests a value against one or more of them,
returning the value converted (a float, an int, a float64 array...). Every
refusal raises :class:`InvalidParameterError`, which is both a ``ValueError``
and a ``TypeError``: ``except ValueError`` and ``except TypeError`` both catch
a bad argument, whether its value or its type is wrong.

The ``check_*`` functions below are the checks the modules share, written
with these constraints.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

__all__ = [
    "InvalidParameterError",
    "Interval",
    "Options",
    "Boolean",
    "InstanceOf",
    "Array",
    "Sizes",
    "check",
    "check_params",
    "fail",
    "RATE",
    "KEEP_PROB",
    "PATH",
    "check_rate",
    "check_keep_prob",
    "check_array",
    "check_same_shape",
    "check_same_length",
    "check_choice",
    "check_positive_int",
    "check_seed",
    "check_bool",
    "check_label",
    "check_title",
    "check_path",
    "check_rng",
    "check_shape",
    "check_mask",
    "check_model",
    "check_data",
    "check_pair",
    "check_batch_size",
    "INFERENCE_BATCH",
]

#: Largest batch the inference functions feed a model when no batch size is
#: given, to bound memory (a 10 000-image CNN batch would need hundreds of
#: megabytes of activations).
INFERENCE_BATCH = 1024


class InvalidParameterError(ValueError, TypeError):
    """A public function of the package was given an argument it does not accept.

    A subclass of both ``ValueError`` and ``TypeError``, so code that catches
    either (as Keras' and numpy's conventions differ) catches it. The message
    names the parameter, the value given and what is accepted.
    """


def fail(name: str, value, expected: str):
    """Raise :class:`InvalidParameterError` in the package's standard wording."""
    raise InvalidParameterError(f"{name}={value!r} is not valid: expected {expected}")


# --------------------------------------------------------------------------
# Constraints
# --------------------------------------------------------------------------


class _Constraint:
    """What a parameter accepts: ``validate`` returns the converted value or raises."""

    #: Words that complete "expected ...", e.g. "an integer >= 1".
    description = ""

    def validate(self, value, name: str):
        raise NotImplementedError


class _NoneConstraint(_Constraint):
    description = "None"

    def validate(self, value, name):
        if value is not None:
            fail(name, value, self.description)
        return None


def _is_real_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _bound(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class Interval(_Constraint):
    """A finite real number, or an integer, between optional bounds.

    Parameters
    ----------
    kind : {numbers.Real, numbers.Integral}
        What is accepted: any real number (returned as float) or an integer
        (returned as int). Booleans are refused either way.
    left, right : float or None
        Bounds; None means unbounded on that side.
    closed : {"both", "left", "right", "neither"}, default "both"
        Which bounds belong to the interval.
    noun, note : str, optional
        For a parameter with a meaning of its own (a drop probability), the
        message says "is not a valid {noun}" and ends with "({note})."
    """

    def __init__(self, kind, left=None, right=None, *, closed="both", noun=None, note=None):
        if kind not in (numbers.Real, numbers.Integral):
            raise ValueError(f"kind must be numbers.Real or numbers.Integral; got {kind!r}")
        if closed not in ("both", "left", "right", "neither"):
            raise ValueError(f"closed={closed!r} is not one of both, left, right, neither")
        self.kind, self.left, self.right, self.closed = kind, left, right, closed
        self.noun, self.note = noun, note
        self.description = self._describe()

    def _describe(self) -> str:
        left_closed = self.closed in ("both", "left")
        right_closed = self.closed in ("both", "right")
        if self.kind is numbers.Integral:
            what = "an integer"
        else:
            bounded = self.left is not None and self.right is not None
            what = "a number" if bounded else "a finite number"
        if self.left is not None and self.right is not None:
            return (
                f"{what} in {'[' if left_closed else '('}{_bound(self.left)}, "
                f"{_bound(self.right)}{']' if right_closed else ')'}"
            )
        if self.left is not None:
            return f"{what} {'>=' if left_closed else '>'} {_bound(self.left)}"
        if self.right is not None:
            return f"{what} {'<=' if right_closed else '<'} {_bound(self.right)}"
        return what

    def accepts(self, value) -> bool:
        if not _is_real_number(value) or not np.isfinite(value):
            return False
        if self.kind is numbers.Integral and not isinstance(value, numbers.Integral):
            return False
        if self.left is not None:
            if value < self.left or (value == self.left and self.closed in ("right", "neither")):
                return False
        if self.right is not None:
            if value > self.right or (value == self.right and self.closed in ("left", "neither")):
                return False
        return True

    def validate(self, value, name):
        if not self.accepts(value):
            if self.noun is None:
                fail(name, value, self.description)
            raise InvalidParameterError(
                f"{name}={value!r} is not a valid {self.noun}: expected {self.description} "
                f"({self.note})."
            )
        return int(value) if self.kind is numbers.Integral else float(value)


class Options(_Constraint):
    """One of a fixed set of values (e.g. the names of the two conventions)."""

    def __init__(self, choices):
        self.choices = tuple(choices)
        self.description = "one of " + ", ".join(repr(choice) for choice in self.choices)

    def validate(self, value, name):
        # a list or an array is no option; `in` would compare it element-wise
        if not isinstance(value, (str, numbers.Number)) or value not in self.choices:
            fail(name, value, self.description)
        return value


class Boolean(_Constraint):
    """True or False; numpy booleans too, since they come out of comparisons.

    A float such as 0.5 in a bool parameter usually means a rate passed in the
    wrong place, so nothing else is accepted.
    """

    description = "True or False"

    def validate(self, value, name):
        if not isinstance(value, (bool, np.bool_)):
            fail(name, value, self.description)
        return bool(value)


class InstanceOf(_Constraint):
    """An instance of one of ``types``; ``non_empty`` also refuses ``""``-like values."""

    def __init__(self, types, description: str, *, non_empty: bool = False):
        self.types = types
        self.description = description
        self.non_empty = non_empty

    def validate(self, value, name):
        if not isinstance(value, self.types) or (self.non_empty and not value):
            fail(name, value, self.description)
        return value


class Array(_Constraint):
    """An array of finite numbers, returned as float64.

    Parameters
    ----------
    ndim : int or tuple of int, optional
        Accepted number(s) of dimensions; ``ndim=0`` (a number, or an array
        of one) returns a float.
    allow_empty : bool, default False
        Whether an array with no elements is accepted.
    binary : bool, default False
        Whether only 0.0 and 1.0 are accepted (a dropout mask).
    """

    def __init__(self, *, ndim=None, allow_empty: bool = False, binary: bool = False):
        self.ndim = None if ndim is None else (ndim,) if isinstance(ndim, int) else tuple(ndim)
        self.allow_empty = allow_empty
        self.binary = binary
        dims = "" if self.ndim is None else f" with {' or '.join(map(str, self.ndim))} dimension(s)"
        self.description = f"an array of finite numbers{dims}"

    def validate(self, value, name):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise InvalidParameterError(
                f"{name} must be an array of numbers; got {type(value).__name__}"
            ) from error
        if self.ndim is not None and array.ndim not in self.ndim:
            raise InvalidParameterError(
                f"{name} must have {' or '.join(map(str, self.ndim))} dimension(s); "
                f"got shape {array.shape}"
            )
        if not self.allow_empty and array.size == 0:
            raise InvalidParameterError(f"{name} must not be empty; got shape {array.shape}")
        if not np.all(np.isfinite(array)):
            raise InvalidParameterError(f"{name} must contain only finite numbers (no NaN or inf)")
        # Catches the common slip of passing the dropout *output* as the mask.
        if self.binary and not np.all((array == 0.0) | (array == 1.0)):
            raise InvalidParameterError(f"{name} must contain only 0.0 (dropped) and 1.0 (kept)")
        return float(array) if self.ndim == (0,) else array


class Sizes(_Constraint):
    """A sequence of integers >= ``minimum`` (layer widths, a shape), returned as a tuple.

    Parameters
    ----------
    minimum : int
        Smallest accepted entry.
    min_length : int, default 0
        Fewest accepted entries.
    scalar : bool, default True
        Whether a single integer is accepted too (as a sequence of one).
    """

    def __init__(self, minimum: int, *, min_length: int = 0, scalar: bool = True):
        self.minimum, self.min_length, self.scalar = minimum, min_length, scalar
        entries = {0: "non-negative integers", 1: "positive integers"}.get(
            minimum, f"integers >= {minimum}"
        )
        sequence = {0: "a sequence of", 1: "a non-empty sequence of"}.get(
            min_length, f"a sequence of at least {min_length}"
        )
        single = {0: "a non-negative integer", 1: "a positive integer"}.get(
            minimum, f"an integer >= {minimum}"
        )
        single = f"{single} or " if scalar else ""
        self.description = f"{single}{sequence} {entries}"
        self._entry = Interval(numbers.Integral, minimum, None)

    def validate(self, value, name):
        if isinstance(value, numbers.Integral) and not isinstance(value, bool) and self.scalar:
            value = (value,)
        if isinstance(value, (str, bytes)):
            fail(name, value, self.description)
        try:
            entries = tuple(value)
        except TypeError:
            fail(name, value, self.description)
        if len(entries) < self.min_length or not all(self._entry.accepts(e) for e in entries):
            fail(name, value, self.description)
        return tuple(int(entry) for entry in entries)


def check_params(constraints: dict, **values):
    """Check several arguments against a table ``{parameter name: constraint}``.

    Returns the converted values in the order given (one value alone if one
    is given), e.g. ``x, w = check_params(_PARAMETERS, x=x, w=w)``.
    """
    checked = tuple(check(value, name, constraints[name]) for name, value in values.items())
    return checked[0] if len(checked) == 1 else checked


def check(value, name: str, *constraints):
    """Return ``value`` converted by the first of ``constraints`` that accepts it.

    ``None`` among the constraints accepts ``None``. With one constraint its
    own message is raised; with several, one message lists what each accepts.

    Raises
    ------
    InvalidParameterError
        If no constraint accepts ``value``.
    """
    constraints = [_NoneConstraint() if c is None else c for c in constraints]
    if len(constraints) == 1:
        return constraints[0].validate(value, name)
    for constraint in constraints:
        try:
            return constraint.validate(value, name)
        except InvalidParameterError:
            pass
    descriptions = [constraint.description for constraint in constraints]
    fail(name, value, ", ".join(descriptions[:-1]) + " or " + descriptions[-1])


# --------------------------------------------------------------------------
# The checks the modules share
# --------------------------------------------------------------------------

#: A drop probability (Keras ``rate``): 1 would drop every unit and make
#: inverted dropout divide by zero, so it is refused.
RATE = Interval(
    numbers.Real,
    0,
    1,
    closed="left",
    noun="drop probability",
    note="the fraction of units set to zero; Keras `rate`",
)
#: A retain probability (the paper's p).
KEEP_PROB = Interval(
    numbers.Real,
    0,
    1,
    closed="right",
    noun="retain probability",
    note="the paper's p, the fraction of units kept",
)
_SEED = Interval(numbers.Integral, 0, None)
_BOOLEAN = Boolean()
PATH = InstanceOf((str, os.PathLike), "a str or os.PathLike")
_LABEL = InstanceOf(str, "a non-empty str", non_empty=True)
_TITLE = InstanceOf(str, "a str")
_GENERATOR = InstanceOf(np.random.Generator, "a numpy.random.Generator")


def check_rate(rate, name: str = "rate") -> float:
    """Return ``rate`` as a float if it is a drop probability in [0, 1)."""
    return check(rate, name, RATE)


def check_keep_prob(keep_prob, name: str = "keep_prob") -> float:
    """Return ``keep_prob`` as a float if it is a retain probability in (0, 1]."""
    return check(keep_prob, name, KEEP_PROB)


def check_array(values, name: str, *, ndim=None, allow_empty: bool = False) -> np.ndarray:
    """Return ``values`` as a finite float64 array (see :class:`Array`)."""
    return check(values, name, Array(ndim=ndim, allow_empty=allow_empty))


def check_mask(mask, name: str = "mask") -> np.ndarray:
    """Return a dropout mask (only 0.0 and 1.0, possibly empty) as a float64 array."""
    return check(mask, name, Array(allow_empty=True, binary=True))


def check_same_shape(first, second, first_name: str, second_name: str) -> None:
    """Raise :class:`InvalidParameterError` unless two arrays have the same shape."""
    if np.shape(first) != np.shape(second):
        raise InvalidParameterError(
            f"{first_name} and {second_name} must have the same shape; got "
            f"{np.shape(first)} and {np.shape(second)}"
        )


def check_same_length(first, second, first_name: str, second_name: str) -> None:
    """Raise :class:`InvalidParameterError` unless two arrays have as many rows."""
    if np.ndim(first) == 0 or np.ndim(second) == 0 or len(first) != len(second):
        raise InvalidParameterError(
            f"{first_name} and {second_name} must have the same number of samples (rows); "
            f"got shapes {np.shape(first)} and {np.shape(second)}"
        )


def check_choice(value, name: str, choices):
    """Return ``value`` if it is one of ``choices``."""
    return check(value, name, Options(choices))


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` if it is an integer >= ``minimum``."""
    return check(value, name, Interval(numbers.Integral, minimum, None))


def check_seed(seed, name: str = "seed") -> int:
    """Return ``seed`` if it is a non-negative integer usable as a random seed."""
    return check(seed, name, _SEED)


def check_bool(value, name: str) -> bool:
    """Return ``value`` as a bool if it is True or False (numpy's too)."""
    return check(value, name, _BOOLEAN)


def check_label(value, name: str) -> str:
    """Return ``value`` if it is a non-empty str (a legend entry, an axis label)."""
    return check(value, name, _LABEL)


def check_title(title, name: str = "title"):
    """Return ``title`` if it is None or a str."""
    return check(title, name, None, _TITLE)


def check_path(path, name: str = "path"):
    """Return ``path`` if it is a str or an ``os.PathLike``."""
    return check(path, name, PATH)


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Return a numpy ``Generator`` from ``None``, an int seed or a ``Generator``.

    ``None`` draws a seed from numpy's global generator rather than from the
    operating system, so that a notebook that called ``seed_everything`` (which
    seeds the global generator) gets the same masks on every run.
    """
    rng = check(rng, name, None, _SEED, _GENERATOR)
    if rng is None:
        return np.random.default_rng(np.random.randint(0, 2**63 - 1, dtype=np.int64))
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def check_shape(shape, name: str = "shape") -> tuple[int, ...]:
    """Return an array shape (a non-negative integer or a tuple of them) as a tuple."""
    return check(shape, name, Sizes(0))


# --------------------------------------------------------------------------
# Keras models and the data they are fed
# --------------------------------------------------------------------------


def check_model(model, name: str = "model", *, compiled: bool = False):
    """Return ``model`` if it is a ``keras.Model`` (compiled, if asked)."""
    import keras

    if not isinstance(model, keras.Model):
        raise InvalidParameterError(f"{name} must be a keras.Model; got {type(model).__name__}")
    if compiled and (not model.compiled or model.optimizer is None):
        raise InvalidParameterError(
            f"{name} must be compiled (model.compile(optimizer=..., loss=...)) first"
        )
    return model


def check_data(values, name: str) -> np.ndarray:
    """Return ``values`` as a numpy array with floats in Keras' float type.

    Unlike :func:`check_array` this keeps integer labels as integers and never
    copies an image set to float64: the conversion mirrors what ``model.fit``
    does with numpy arrays (floats that are not ``floatx`` are cast to it).
    """
    import keras

    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:
        raise InvalidParameterError(
            f"{name} must be an array of numbers; got {type(values).__name__}"
        ) from error
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_)
    ):
        raise InvalidParameterError(f"{name} must be an array of numbers; got dtype {array.dtype}")
    if array.ndim == 0:
        raise InvalidParameterError(f"{name} must have one row per sample; got a scalar")
    if array.shape[0] == 0:
        raise InvalidParameterError(f"{name} must not be empty; got shape {array.shape}")
    if np.issubdtype(array.dtype, np.floating):
        if not np.all(np.isfinite(array)):
            raise InvalidParameterError(f"{name} must contain only finite numbers (no NaN or inf)")
        if array.dtype != np.dtype(keras.config.floatx()):
            array = array.astype(keras.config.floatx())
    return array


def check_pair(x, y, x_name: str, y_name: str):
    """Return inputs and targets (see :func:`check_data`) with one row per sample each."""
    x = check_data(x, x_name)
    y = check_data(y, y_name)
    check_same_length(x, y, x_name, y_name)
    return x, y


def check_batch_size(batch_size, n: int) -> int:
    """Return ``batch_size``, or for None the ``n`` rows capped at :data:`INFERENCE_BATCH`."""
    if batch_size is None:
        return min(n, INFERENCE_BATCH)
    return check_positive_int(batch_size, "batch_size")
