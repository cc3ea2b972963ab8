"""Experiments over several seeds: running them, paired differences and intervals.

:func:`run_seeds` runs an experiment once per seed into a tidy table,
:func:`summarize` and :func:`mean_sd_table` describe it, and the paired
functions compare two settings in it.

Every comparison in the practice chapters is paired: two settings trained on
the same seed share the data split, the initial weights where they can and the
batch order, so the per-seed difference cancels most of the seed-to-seed
spread. A claim that a setting helps or hurts is a paired difference whose
t-based 95 % interval excludes 0; an interval that contains 0 is reported as
"no detectable difference".

Why t and not ±1 or ±2 standard errors: with ``n`` seeds the mean difference
over its standard error follows Student's t with ``n - 1`` degrees of freedom.
With 3 seeds, mean ± 1 s.e. is a 58 % interval and mean ± 2 s.e. an 82 % one;
the 95 % interval is mean ± 4.30 s.e.
"""

from __future__ import annotations

import math
import numbers
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ._validation import (
    Interval,
    InvalidParameterError,
    check,
    check_positive_int,
    check_seed,
    fail,
)

# The result types (ConfidenceInterval, PairedComparison) are returned, not built by hand.
__all__ = [
    "run_seeds",
    "map_on_threads",
    "summarize",
    "t_interval",
    "paired_differences",
    "compare_paired",
    "mean_sd_table",
    "signed",
]


_DIGITS = Interval(numbers.Integral, 0, 15)


def signed(value, digits=4) -> str:
    """``value`` with its sign, rounded to ``digits`` decimals, never ``-0.0000``.

    A value that is not 0 but rounds to zero keeps one significant digit
    (``-0.00003``, ``+0.0002``), so that the side of 0 it lies on shows: an
    interval end printed as ``+0.0000`` or ``-0.0000`` would hide whether the
    interval excludes 0, which is what its verdict reads. Exactly 0 prints as
    ``0.0000``.

    Parameters
    ----------
    value : real number
        A finite number.
    digits : int, default 4
        Decimals kept, 0 to 15.

    Returns
    -------
    str
    """
    value = float(check(value, "value", Interval(numbers.Real)))
    digits = check(digits, "digits", _DIGITS)
    if value == 0:
        return f"{0:.{digits}f}"
    text = f"{value:+.{digits}f}"
    if float(text) != 0:
        return text
    return np.format_float_positional(value, precision=1, unique=False, fractional=False, sign=True)


@dataclass(frozen=True)
class ConfidenceInterval:
    """A mean and its two-sided t-based confidence interval.

    Attributes
    ----------
    mean, low, high : float
        The sample mean and the interval's ends.
    n : int
        Number of values (seeds).
    confidence : float
        Coverage of the interval, e.g. 0.95.
    """

    mean: float
    low: float
    high: float
    n: int
    confidence: float

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0."""
        return self.low > 0 or self.high < 0

    def format(self, digits: int = 4) -> str:
        """``"-0.0123 [-0.0201, -0.0045]"``: the mean and the interval, rounded
        by :func:`signed` (an end that rounds to zero keeps its sign's digit)."""
        ends = ", ".join(signed(end, digits) for end in (self.low, self.high))
        return f"{signed(self.mean, digits)} [{ends}]"


@dataclass(frozen=True)
class PairedComparison:
    """The per-seed differences ``first - second`` of one metric, summarized.

    Attributes
    ----------
    metric, first, second : str
        What was compared: ``metric`` of ``first`` minus that of ``second``.
    interval : ConfidenceInterval
        Mean difference and its t-based interval over the seeds.
    n_positive : int
        Seeds on which the difference is above 0.
    """

    metric: str
    first: str
    second: str
    interval: ConfidenceInterval
    n_positive: int

    @property
    def verdict(self) -> str:
        """``"higher"``, ``"lower"`` (``first`` against ``second``) or
        ``"no detectable difference"``, read off the interval alone."""
        if self.interval.low > 0:
            return "higher"
        if self.interval.high < 0:
            return "lower"
        return "no detectable difference"

    def describe(self, digits: int = 4) -> str:
        """One line a reader can quote, with the number of seeds next to the result."""
        interval = self.interval
        percent = f"{100 * interval.confidence:g} %"
        return (
            f"{self.metric}, {self.first} - {self.second}: {interval.format(digits)} "
            f"({percent} interval, {interval.n} seeds, above 0 in {self.n_positive}): "
            f"{self.verdict}"
        )


_CONFIDENCE = Interval(numbers.Real, 0, 1, closed="neither")


def t_interval(values, confidence=0.95) -> ConfidenceInterval:
    """Return the mean of ``values`` and its two-sided t-based confidence interval.

    Parameters
    ----------
    values : array_like of float, shape (n,)
        One value per seed (e.g. paired differences), n >= 2, all finite.
    confidence : float, default 0.95
        Coverage of the interval, in (0, 1).

    Returns
    -------
    ConfidenceInterval
        ``mean ± t_{(1+confidence)/2, n-1} · s / sqrt(n)`` with ``s`` the sample
        standard deviation (ddof=1).
    """
    from scipy import stats

    confidence = check(confidence, "confidence", _CONFIDENCE)
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        fail("values", values, "an array of numbers")
    if array.ndim != 1:
        raise InvalidParameterError(
            f"values must be one-dimensional (one value per seed); got shape {array.shape}"
        )
    if array.size < 2:
        raise InvalidParameterError(
            f"values must hold at least 2 values for an interval; got {array.size}"
        )
    if not np.all(np.isfinite(array)):
        raise InvalidParameterError("values must contain only finite numbers (no NaN or inf)")
    n = int(array.size)
    mean = float(array.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * float(array.std(ddof=1)) / math.sqrt(n)
    return ConfidenceInterval(
        mean=mean, low=mean - half, high=mean + half, n=n, confidence=confidence
    )


def _check_frame(frame, columns):
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameterError(f"frame must be a pandas.DataFrame; got {type(frame).__name__}")
    for name, column in columns.items():
        if column not in frame.columns:
            raise InvalidParameterError(
                f"{name}={column!r} not found in frame: expected one of {list(frame.columns)}"
            )


def paired_differences(frame, metric, first, second, *, by="label", on="seed"):
    """Return ``metric`` of ``first`` minus ``metric`` of ``second``, one value per seed.

    Parameters
    ----------
    frame : pandas.DataFrame
        A tidy table with one row per (seed, setting), as
        :func:`run_seeds` returns.
    metric : str
        The numeric column to compare.
    first, second : str
        Values of the ``by`` column: the two settings.
    by : str, default "label"
        Column that names the setting.
    on : str, default "seed"
        Column that pairs the rows (each value must occur once per setting).

    Returns
    -------
    pandas.Series
        Indexed by ``on``, in its sorted order; only the seeds both settings have.
    """
    _check_frame(frame, {"metric": metric, "by": by, "on": on})
    labels = set(frame[by])
    for name, label in (("first", first), ("second", second)):
        if label not in labels:
            expected = sorted(map(str, labels))
            fail(name, label, f"a value of column {by!r}, one of {expected}")
    rows = frame[frame[by].isin([first, second])]
    if rows.duplicated([on, by]).any():
        raise InvalidParameterError(
            f"frame has several rows for one ({on}, {by}) pair: cannot pair them"
        )
    wide = rows.pivot(index=on, columns=by, values=metric).dropna()
    if wide.empty:
        raise InvalidParameterError(f"no {on} has rows for both {first!r} and {second!r}")
    return (wide[first] - wide[second]).rename(f"{metric}: {first} - {second}").astype(float)


def compare_paired(frame, metric, first, second, *, by="label", on="seed", confidence=0.95):
    """Compare two settings seed by seed: mean difference, t interval and verdict.

    Parameters are those of :func:`paired_differences`, plus ``confidence``
    (default 0.95) of the interval.

    Returns
    -------
    PairedComparison
        ``verdict`` is ``"higher"`` or ``"lower"`` (``first`` against
        ``second``) when the interval excludes 0, else ``"no detectable
        difference"``.
    """
    differences = paired_differences(frame, metric, first, second, by=by, on=on)
    return PairedComparison(
        metric=metric,
        first=first,
        second=second,
        interval=t_interval(differences.to_numpy(), confidence),
        n_positive=int((differences > 0).sum()),
    )


def mean_sd_table(frame, metrics, order=None, *, by="label", digits=4):
    """``"mean ± sd"`` over seeds, one row per setting and one column per metric.

    Parameters
    ----------
    frame : pandas.DataFrame
        A tidy table such as :func:`run_seeds` returns.
    metrics : list of str
        Numeric columns.
    order : list, optional
        Settings (values of ``by``) in the order of the rows; default: as they
        first appear.
    by : str, default "label"
        Column naming the setting.
    digits : int, default 4
        Decimals shown.

    Returns
    -------
    pandas.DataFrame
        Strings such as ``"0.2208 ± 0.0322"`` (sample standard deviation,
        ddof=1), indexed by setting.
    """
    import pandas as pd

    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    _check_frame(frame, {"by": by})
    for metric in metrics:
        _check_frame(frame, {"metrics": metric})
    order = list(dict.fromkeys(frame[by])) if order is None else list(order)
    missing = [label for label in order if label not in set(frame[by])]
    if missing:
        raise InvalidParameterError(f"order={missing!r} not found in column {by!r}")
    groups = frame.groupby(by, sort=False)
    means, sds = groups[metrics].mean(), groups[metrics].std(ddof=1)
    return pd.DataFrame(
        {
            metric: [
                f"{means.loc[label, metric]:.{digits}f} ± {sds.loc[label, metric]:.{digits}f}"
                for label in order
            ]
            for metric in metrics
        },
        index=pd.Index(order, name=by),
    )


# --- running an experiment over seeds ------------------------------------------


def _is_scalar(value) -> bool:
    return isinstance(value, (numbers.Number, str, np.generic)) or (
        isinstance(value, np.ndarray) and value.ndim == 0
    )


def run_seeds(experiment, seeds, *, threads=1):
    """Run ``experiment(seed)`` for every seed and collect a tidy table.

    Parameters
    ----------
    experiment : callable
        ``experiment(seed)`` returns a dict of scalars (one row), or a list of
        such dicts (several rows, e.g. one per variant told apart by a
        ``"label"`` key: ``[{"label": "dropout", "test_loss": ...}, ...]``).
    seeds : iterable of int
        Non-negative integer seeds, each passed to ``experiment``.
    threads : int, default 1
        Seeds run at once, each on a thread of its own. The table is the same
        to the last bit whatever the number (see Notes); ``threads=2`` uses
        both cores of a 2-core machine.

    Returns
    -------
    pandas.DataFrame
        One row per returned dict, a ``seed`` column first, then the dicts'
        keys in the order they first appear; rows in the order of ``seeds``.

    Raises
    ------
    InvalidParameterError
        If, with ``threads > 1``, the experiment drew from a global random
        generator (Python's ``random``, numpy's ``np.random`` functions, or a
        Keras layer or initializer left without a seed): which seed drew first
        would then depend on the timing of the threads.

    Notes
    -----
    Why the table does not depend on ``threads``: every TensorFlow kernel of
    the course runs on one thread (:func:`dropout_course.setup_notebook`), so
    a seed's arithmetic is the same whichever thread runs it; a compiled
    loop runs on the variables of the model it is called for, whichever
    thread traced it (:mod:`dropout_course.training`); and an
    experiment that seeds everything it draws touches nothing another seed
    uses. Two rules make it so, and the second is the learner's: draw only
    from generators seeded inside ``experiment`` (the guard above catches the
    global ones), and let each seed train and evaluate only models it built
    (or that no other seed touches), never one model shared by all seeds.

    The gain is largest for convolutional networks and small dense ones
    (about 1.6 times for chapter 10's CNNs and chapter 7's 784-128-64 MLP). A
    wide dense network already keeps one core's arithmetic busy, so short
    trainings of several architectures gain little. With fewer seeds than
    twice the threads (3 seeds on 2 threads: one thread runs two, the other
    waits), :func:`map_on_threads` over (seed, setting) pairs keeps both
    busy.
    """
    import pandas as pd

    if not callable(experiment):
        raise InvalidParameterError(
            f"experiment must be callable as experiment(seed); got {type(experiment).__name__}"
        )
    if isinstance(seeds, numbers.Integral):
        raise InvalidParameterError(
            f"seeds={seeds!r} is not valid: expected a sequence of integers, e.g. range({seeds})"
        )
    seeds = [check_seed(seed, "seeds") for seed in seeds]
    if not seeds:
        raise InvalidParameterError("seeds must contain at least one seed")
    threads = check_positive_int(threads, "threads")
    rows = []
    if threads == 1 or len(seeds) == 1:
        outcomes = (experiment(seed) for seed in seeds)
    else:
        outcomes = _run_on_threads(
            experiment, seeds, threads, lambda seed: f"experiment(seed={seed})", "run_seeds"
        )
    for seed, result in zip(seeds, outcomes):
        results = [result] if isinstance(result, dict) else result
        if not isinstance(results, (list, tuple)) or not results:
            raise InvalidParameterError(
                "experiment(seed) must return a dict of scalars or a non-empty list of "
                f"such dicts; got {type(result).__name__} for seed={seed}"
            )
        for row in results:
            if not isinstance(row, dict):
                raise InvalidParameterError(
                    f"experiment(seed) returned a {type(row).__name__} row for seed={seed}; "
                    "expected a dict"
                )
            if "seed" in row:
                raise InvalidParameterError(
                    "experiment(seed) must not return a 'seed' key: run_seeds adds it"
                )
            for key, value in row.items():
                if not _is_scalar(value):
                    raise InvalidParameterError(
                        f"experiment(seed) returned {key}={value!r} for seed={seed}; "
                        "expected a scalar (number or string)"
                    )
            scalars = {key: _python_scalar(value) for key, value in row.items()}
            rows.append({"seed": seed, **scalars})
    return pd.DataFrame(rows)


# Helper threads by pool size, kept for the whole session: whatever an
# experiment keeps per thread (e.g. a pooled network) is re-used by later calls.
_POOLS: dict = {}
_POOLS_LOCK = threading.Lock()


def _pool(helpers):
    with _POOLS_LOCK:
        if helpers not in _POOLS:
            _POOLS[helpers] = ThreadPoolExecutor(helpers, thread_name_prefix="run_seeds")
        return _POOLS[helpers]


def _global_random_state():
    return random.getstate(), np.random.get_state(legacy=False)


def _same_random_state(first, second):
    (python_1, numpy_1), (python_2, numpy_2) = first, second
    return (
        python_1 == python_2
        and np.array_equal(numpy_1["state"]["key"], numpy_2["state"]["key"])
        and (numpy_1["state"]["pos"], numpy_1["has_gauss"], numpy_1["gauss"])
        == (numpy_2["state"]["pos"], numpy_2["has_gauss"], numpy_2["gauss"])
    )


def map_on_threads(function, items, *, threads=2):
    """``[function(item) for item in items]``, ``threads`` items at a time.

    For work that does not split evenly by seed: :func:`run_seeds` hands out
    whole seeds, so 3 seeds on 2 threads leave one thread idle for a third
    of the time, while 3 seeds times 4 settings, handed out as 12 (seed,
    setting) pairs, keep both busy to the end.

    Parameters
    ----------
    function : callable
        ``function(item)``; its result is returned as is.
    items : iterable
        The arguments, one call each.
    threads : int, default 2
        Calls run at once, each on a thread of its own; the calling thread is
        one of them. The results are the same whatever the number, under the
        rules of :func:`run_seeds` (seed every generator inside ``function``;
        a model trained or evaluated by one call is touched by no other call
        running at the same time).

    Returns
    -------
    list
        The results, in the order of ``items``.

    Raises
    ------
    InvalidParameterError
        If, with ``threads > 1``, ``function`` drew from a global random
        generator (as in :func:`run_seeds`).
    """
    if not callable(function):
        raise InvalidParameterError(
            f"function must be callable as function(item); got {type(function).__name__}"
        )
    try:
        items = list(items)
    except TypeError:
        raise InvalidParameterError(
            f"items must be an iterable of arguments (a list, a range); got {type(items).__name__}"
        ) from None
    threads = check_positive_int(threads, "threads")
    if threads == 1 or len(items) <= 1:
        return [function(item) for item in items]
    return _run_on_threads(
        function, items, threads, lambda item: f"function({item!r})", "map_on_threads"
    )


def _run_on_threads(experiment, seeds, threads, describe, caller):
    """``[experiment(seed) for seed in seeds]``, ``threads`` seeds at a time.

    The calling thread is one of them (what it keeps per thread, built by
    earlier cells, is re-used); each thread takes the next seed when it is
    done. ``describe(seed)`` names a failing call in the error's note,
    ``caller`` the public function in the messages.
    """
    before = _global_random_state()
    pending, lock, stop = iter(enumerate(seeds)), threading.Lock(), threading.Event()
    results, errors = [None] * len(seeds), {}

    def work():
        while not stop.is_set():
            with lock:
                index, seed = next(pending, (None, None))
            if index is None:
                return
            try:
                results[index] = experiment(seed)
            except BaseException as error:  # KeyboardInterrupt too: stop the others
                errors[index] = error
                stop.set()

    helpers = [_pool(threads - 1).submit(work) for _ in range(threads - 1)]
    try:
        work()
        for helper in helpers:
            helper.result()
    finally:
        stop.set()  # an interrupt while waiting: the helpers take no further seed
    if errors:
        index = min(errors)
        error = errors[index]
        error.add_note(f"(raised by {describe(seeds[index])}, run by {caller})")
        raise error
    if not _same_random_state(before, _global_random_state()):
        raise InvalidParameterError(
            f"the function drew from a global random generator while {caller} ran it on "
            f"threads={threads}: the result would depend on which thread drew first. Seed "
            "every layer, initializer and generator inside it "
            "(np.random.default_rng(seed), keras.layers.Dropout(rate, seed=...)), "
            "or pass threads=1"
        )
    return results


def _python_scalar(value):
    return value.item() if isinstance(value, (np.generic, np.ndarray)) else value


def summarize(frame, by, metrics):
    """Mean, standard deviation, minimum and maximum of metrics per group.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table such as :func:`run_seeds` returns.
    by : str, list of str or None
        Column(s) that define the groups (e.g. ``"label"``); ``None`` or
        ``[]`` summarizes the whole frame as one group.
    metrics : str or list of str
        Numeric columns to summarize.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per group and metric, with the group columns, then
        ``metric``, ``n`` (number of rows), ``mean``, ``std`` (sample standard
        deviation, ddof=1: NaN for a single row), ``min`` and ``max``.
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameterError(f"frame must be a pandas.DataFrame; got {type(frame).__name__}")
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    if not metrics:
        raise InvalidParameterError("metrics must name at least one column")
    for name, columns in (("by", by), ("metrics", metrics)):
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise InvalidParameterError(
                f"{name}={missing!r} not found in frame: "
                f"expected columns among {list(frame.columns)}"
            )
    for column in metrics:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise InvalidParameterError(
                f"metrics={column!r} is not a numeric column (dtype {frame[column].dtype})"
            )
    groups = frame.groupby(by, sort=False) if by else [((), frame)]
    rows = []
    for group, part in groups:
        group = group if isinstance(group, tuple) else (group,)
        for metric in metrics:
            values = part[metric].astype(float)
            rows.append(
                {
                    **dict(zip(by, group)),
                    "metric": metric,
                    "n": int(values.count()),
                    "mean": values.mean(),
                    "std": values.std(ddof=1),
                    "min": values.min(),
                    "max": values.max(),
                }
            )
    return pd.DataFrame(rows)
