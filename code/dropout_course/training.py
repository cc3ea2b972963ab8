"""A fast trainer equivalent to ``model.fit``, and a multi-seed runner.

Why a trainer of our own
------------------------
On a small data set, Keras' ``model.fit`` spends its time in Python, not in
arithmetic: every epoch it builds an iterator, calls callbacks, runs
``evaluate`` for the validation data and converts logs, about 0.05 s on the
2-core CPU the course is built on, whatever the size of the model. Source
000's regression (500 epochs of one 20-point batch) then takes over 20 s per
model, for about 0.1 s of actual computation (``make bench`` measures both).

:func:`fit_fast` runs *all* epochs, batches and validation passes inside one
TensorFlow graph (nested ``tf.while_loop``), so a call is one round trip from
Python. Inside the loop it calls the model's own ``train_step`` and
``test_step``, the very functions ``fit`` calls, so the optimizer, its state,
the loss (including ``model.losses``, e.g. L2 penalties), the metrics and
their aggregation over batches are Keras' own. With ``shuffle=False`` the
batches are those of ``model.fit(shuffle=False)`` and the results agree to the
last bit (the tests check this with and without dropout).

Re-using compiled loops
-----------------------
Tracing a loop costs about 0.3 s; a traced loop costs about 1 ms per call
plus the work itself. It is kept (up to ``_MAX_RUNNERS`` of them) and
re-used:

* for later calls on the same model, and
* for other models of the same architecture and compilation (Sequential or
  Functional models whose configurations differ only in seeds and learning
  rate, e.g. the builders of :mod:`dropout_course.models` called with several
  seeds). The loop stays bound to the model it was traced on; the state of the
  model being trained (weights, dropout seed states, optimizer slots, metric
  totals) is copied into it, trained, and copied back. The copies are exact,
  so the result is the one a loop traced on that model would give.
"""

from __future__ import annotations

import collections
import json
import numbers
import weakref

import numpy as np

from ._validation import (
    InvalidParameterError,
    check_batch_size,
    check_bool,
    check_data,
    check_model,
    check_pair,
    check_positive_int,
    check_seed,
)

__all__ = [
    "fit_fast",
    "evaluate_loss",
    "evaluate_metrics",
    "predict_fast",
    "run_seeds",
    "summarize",
]

#: Traced loops kept alive at once (each holds a model and its graphs).
_MAX_RUNNERS = 16

# How often a training/inference loop has been traced: lets the tests check
# that repeated calls and further seeds do not trace again.
_TRACE_COUNT = 0


# --------------------------------------------------------------------------
# Traced loops, cached and shared between models of one architecture
# --------------------------------------------------------------------------


def _without_seeds(config):
    """``config`` with every ``seed`` entry removed (they only set initial state).

    So is the rate of a ``VariableDropout`` layer: it lives in a variable,
    which is copied like the weights.
    """
    if isinstance(config, dict):
        config = {key: _without_seeds(value) for key, value in config.items() if key != "seed"}
        if config.get("registered_name") == "dropout_course>VariableDropout":
            config["config"].pop("rate", None)
        return config
    if isinstance(config, (list, tuple)):
        return [_without_seeds(value) for value in config]
    return config


def _architecture_key(model):
    """A string equal for models whose traced loops are interchangeable, or None.

    Only Keras' own Sequential and Functional classes qualify: their
    configuration describes the whole computation. Seeds are left out (they
    only set the initial values of variables, which are copied), and so is a
    constant learning rate (it lives in a variable of the optimizer, also
    copied), and so are the model's and the optimizer's names. A subclassed
    model gets a loop of its own.
    """
    if type(model).__module__ != "keras.src.models.sequential" and (
        type(model).__module__ != "keras.src.models.functional"
    ):
        return None
    try:
        config = _without_seeds(model.get_config())
        compile_config = _without_seeds(model.get_compile_config())
    except Exception:  # a layer without get_config: do not share
        return None
    config.pop("name", None)
    optimizer = compile_config.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("config"), dict):
        # Optimizers are auto-named (adam, adam_1, ...): a name changes nothing.
        optimizer["config"].pop("name", None)
        if isinstance(optimizer["config"].get("learning_rate"), numbers.Real):
            optimizer["config"].pop("learning_rate")
    try:
        return json.dumps([config, compile_config], sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return None


def _model_state(model):
    """Weights and dropout seed states (``model.variables`` includes both)."""
    return list(model.variables)


def _training_state(model):
    state = list(model.variables) + list(model.metrics_variables)
    if model.optimizer is not None:
        state += list(model.optimizer.variables)
    return state


def _evaluation_state(model):
    return list(model.variables) + list(model.metrics_variables)


def _same_layout(first, second) -> bool:
    return len(first) == len(second) and all(
        tuple(a.shape) == tuple(b.shape) and a.dtype == b.dtype for a, b in zip(first, second)
    )


class _Runner:
    """Traced functions bound to the variables of one model, their owner."""

    def __init__(self, owner):
        self.owner = owner
        self.compilation = _compilation(owner)
        self.functions = {}

    def run(self, model, key, make, args, state, prepare=None):
        """Call the function ``key`` (traced by ``make`` on first use) for ``model``.

        ``make(owner, info)`` returns the Python function to trace; it may
        record facts found while tracing (e.g. metric names) in the dict
        ``info``, which is returned with the outputs. ``state(model)`` lists
        the variables the function reads or writes; when ``model`` is not
        the owner, they are copied into the owner's before the call and back
        afterwards, and the owner's own values are restored. ``prepare``, if
        given, is applied to the owner first (it may have been traced for
        inference only, without its metric and optimizer variables).
        """
        if prepare is not None and model is not self.owner:
            prepare(self.owner)
        if key not in self.functions:
            info = {}
            self.functions[key] = (self._trace(make, args, info), info)
        function, info = self.functions[key]
        if model is self.owner:
            return function(*args), info
        owner_state, model_state = state(self.owner), state(model)
        if not _same_layout(owner_state, model_state):
            raise _LayoutMismatch
        saved = [variable.numpy().copy() for variable in owner_state]
        try:
            for target, source in zip(owner_state, model_state):
                target.assign(source.value)
            outputs = function(*args)
            for target, source in zip(model_state, owner_state):
                target.assign(source.value)
        finally:
            for target, value in zip(owner_state, saved):
                target.assign(value)
        return outputs, info

    def _trace(self, make, args, info):
        import tensorflow as tf

        global _TRACE_COUNT
        _TRACE_COUNT += 1
        specs = [
            tf.TensorSpec(shape=[None, *arg.shape[1:]] if arg.shape.rank else [], dtype=arg.dtype)
            for arg in args
        ]
        # autograph=False: the loops are written with tf.while_loop directly,
        # and Keras' own Python control flow must stay Python.
        return tf.function(make(self.owner, info), autograph=False).get_concrete_function(*specs)


class _LayoutMismatch(Exception):
    """A model's variables do not line up with the shared runner's owner."""


_RUNNERS: collections.OrderedDict = collections.OrderedDict()
# Models whose variables did not line up with their architecture's shared
# loop: they get loops of their own.
_UNSHARED: weakref.WeakSet = weakref.WeakSet()


def _compilation(model):
    """Identity of what a traced loop captures besides the layers.

    ``compile`` replaces the optimizer, loss and metric objects, and freezing
    a layer changes the trainable list: a loop traced before either is stale
    (Keras drops its own ``train_function`` on ``compile`` for the same reason).
    """
    return (
        id(getattr(model, "optimizer", None)),
        id(getattr(model, "_compile_loss", None)),
        id(getattr(model, "_compile_metrics", None)),
        tuple(id(variable) for variable in model.trainable_variables),
    )


def _runner_for(model):
    # Recomputed on every call (well under a millisecond): a model may have
    # been recompiled since its last call.
    architecture = None if model in _UNSHARED else _architecture_key(model)
    key = ("architecture", architecture) if architecture else ("model", id(model))
    runner = _RUNNERS.get(key)
    if runner is None or runner.compilation != _compilation(runner.owner) or (
        key[0] == "model" and runner.owner is not model
    ):
        runner = _RUNNERS[key] = _Runner(model)
    _RUNNERS.move_to_end(key)
    while len(_RUNNERS) > _MAX_RUNNERS:
        _RUNNERS.popitem(last=False)
    return runner


def _run(model, name, make, args, state, extra_key=(), prepare=None):
    """Run a traced function for ``model``, tracing or sharing it as needed.

    Returns the function's outputs and the ``info`` dict its tracing filled.
    """
    import tensorflow as tf

    args = [tf.convert_to_tensor(arg) for arg in args]
    function_key = (
        name,
        *extra_key,
        *((arg.dtype.name, tuple(arg.shape[1:])) for arg in args),
    )
    try:
        return _runner_for(model).run(model, function_key, make, args, state, prepare)
    except _LayoutMismatch:
        # Same configuration but different variables (e.g. an optimizer built
        # on another variable list): give this model a loop of its own.
        _UNSHARED.add(model)
        return _runner_for(model).run(model, function_key, make, args, state, prepare)


def _build_for_training(model, x, y):
    """Create the metric, loss and optimizer variables, as ``fit`` does.

    ``fit`` builds them inside its first traced step; a loop traced here must
    find them already there (no variable can be created inside a while loop).
    A model built from ``keras.Input`` already knows its output: its metrics
    and loss are built from that symbolic tensor directly, in milliseconds.
    Keras' own route (``_symbolic_build``) traces the whole model again to
    find it, a quarter of a second per new model, which made building the
    dominant cost of the chapters' many small networks.
    """
    outputs = getattr(model, "outputs", None) if model.built else None
    if outputs is not None and len(outputs) == 1:
        import keras

        y_true = keras.KerasTensor((None, *y.shape[1:]), dtype=y.dtype.name)
        for compiled in (model._compile_metrics, model._compile_loss):
            if compiled is not None and not compiled.built:
                compiled.build(y_true, outputs[0])
    model._symbolic_build(data_batch=(x[:1], y[:1], None))  # whatever is left: instant once built
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)


def _batch_count(n, batch_size):
    return (n + batch_size - 1) // batch_size


def _batch(tensor, step, batch_size, n):
    import tensorflow as tf

    start = step * batch_size
    return tensor[start : tf.minimum(start + batch_size, n)]


def _reset_metrics(model):
    for metric in model.metrics:
        metric.reset_state()


def _metric_vector(model, names):
    import tensorflow as tf

    logs = model.get_metrics_result()
    return tf.stack([tf.cast(logs[name], tf.float64) for name in names])


def _evaluate_loop(model, x, y, batch_size):
    """``model.evaluate``'s loop: reset the metrics, one ``test_step`` per batch."""
    import tensorflow as tf

    _reset_metrics(model)
    n = tf.shape(x)[0]

    def body(step):
        model.test_step((_batch(x, step, batch_size, n), _batch(y, step, batch_size, n)))
        return step + 1

    return tf.while_loop(lambda step: step < _batch_count(n, batch_size), body, [tf.constant(0)])


def _make_fit(with_validation):
    def make(model, info):
        import tensorflow as tf

        # The history's keys, in the order fit reports them.
        names = info["names"] = list(model.get_metrics_result())

        def fit(x, y, x_val, y_val, epochs, batch_size, shuffle, seed):
            n = tf.shape(x)[0]
            steps = _batch_count(n, batch_size)

            def epoch_body(epoch, train_history, val_history):
                _reset_metrics(model)
                order = tf.cond(
                    shuffle,
                    lambda: tf.random.experimental.stateless_shuffle(
                        tf.range(n), seed=tf.stack([seed, tf.cast(epoch, tf.int64)])
                    ),
                    lambda: tf.range(n),
                )

                def step_body(step):
                    indices = _batch(order, step, batch_size, n)
                    model.train_step((tf.gather(x, indices), tf.gather(y, indices)))
                    return step + 1

                done = tf.while_loop(lambda step: step < steps, step_body, [tf.constant(0)])
                with tf.control_dependencies([done]):
                    train_history = train_history.write(epoch, _metric_vector(model, names))
                if with_validation:
                    with tf.control_dependencies([train_history.flow]):
                        done = _evaluate_loop(model, x_val, y_val, batch_size)
                    with tf.control_dependencies([done]):
                        val_history = val_history.write(epoch, _metric_vector(model, names))
                return epoch + 1, train_history, val_history

            def history():
                return tf.TensorArray(tf.float64, size=epochs, element_shape=[len(names)])

            _, train_history, val_history = tf.while_loop(
                lambda epoch, *_: epoch < epochs,
                epoch_body,
                [tf.constant(0), history(), history()],
            )
            return train_history.stack(), val_history.stack()

        return fit

    return make


def fit_fast(
    model,
    x,
    y,
    *,
    epochs,
    batch_size=32,
    validation_data=None,
    shuffle=True,
    seed=0,
):
    """Train a compiled Keras model like ``model.fit``, in one graph call.

    Parameters
    ----------
    model : keras.Model
        A compiled model. Its optimizer (``model.optimizer``) and its state
        carry over from earlier training, as with ``fit``.
    x, y : array_like
        Training inputs and targets, one row per sample.
    epochs : int
        Number of passes over the training data (0 trains nothing).
    batch_size : int, default 32
        Samples per gradient step; the last batch of an epoch holds the
        remainder, as in ``fit``. ``batch_size=len(x)`` is full-batch training.
    validation_data : tuple (x_val, y_val), optional
        Evaluated in inference mode (dropout off) after every epoch, in
        batches of ``batch_size``, as ``fit`` does.
    shuffle : bool, default True
        Shuffle the training samples before each epoch. The order of epoch
        ``e`` is a stateless permutation keyed by ``(seed, e)``: the same
        ``seed`` gives the same batches on every run and machine. With
        ``shuffle=False`` the batches are exactly those of
        ``model.fit(..., shuffle=False)``.
    seed : int, default 0
        Key of the shuffling. It does not touch the dropout masks, which come
        from the model's own dropout seeds (and continue from call to call).

    Returns
    -------
    dict of str to numpy.ndarray
        The same keys and values as ``model.fit(...).history``: ``"loss"``
        and every compiled metric (mean over the epoch's batches, weighted by
        batch size, with dropout on, as Keras reports it), then ``"val_loss"``
        and ``"val_<metric>"`` when ``validation_data`` is given. Each array
        has one float64 entry per epoch.

    Notes
    -----
    Sample weights, class weights, callbacks and ``validation_freq`` are not
    supported. A second call with the same ``seed`` replays the same batch
    orders (pass another seed to draw new ones); ``fit`` would draw new ones.
    """
    import tensorflow as tf

    check_model(model, compiled=True)
    epochs = check_positive_int(epochs, "epochs", minimum=0)
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    shuffle = check_bool(shuffle, "shuffle")
    x, y = check_pair(x, y, "x", "y")
    with_validation = validation_data is not None
    if with_validation:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise InvalidParameterError(
                "validation_data must be a pair (x_val, y_val); got "
                f"{type(validation_data).__name__}"
                + (f" of length {len(validation_data)}" if hasattr(validation_data, "__len__") else "")
            )
        x_val, y_val = check_pair(*validation_data, "validation_data[0]", "validation_data[1]")
        if x_val.shape[1:] != x.shape[1:] or y_val.shape[1:] != y.shape[1:]:
            raise InvalidParameterError(
                "validation_data must have the training data's shape per sample; got "
                f"{x_val.shape[1:]} and {y_val.shape[1:]} for {x.shape[1:]} and {y.shape[1:]}"
            )
    else:
        x_val, y_val = x[:1], y[:1]  # placeholders: the graph does not read them

    _build_for_training(model, x, y)
    (train, val), info = _run(
        model,
        "fit",
        _make_fit(with_validation),
        [
            x,
            y,
            x_val,
            y_val,
            tf.constant(epochs, tf.int32),
            tf.constant(batch_size, tf.int32),
            tf.constant(bool(shuffle)),
            tf.constant(seed, tf.int64),
        ],
        _training_state,
        extra_key=(with_validation,),
        prepare=lambda owner: _build_for_training(owner, x, y),
    )
    if epochs > 0:
        model.optimizer.finalize_variable_values(model.trainable_weights)
    train, val, names = train.numpy(), val.numpy(), info["names"]
    history = {name: train[:, index] for index, name in enumerate(names)}
    if with_validation:
        history.update({f"val_{name}": val[:, index] for index, name in enumerate(names)})
    return history


# --------------------------------------------------------------------------
# Inference
# --------------------------------------------------------------------------


def _make_evaluate():
    def make(model, info):
        import tensorflow as tf

        names = info["names"] = list(model.get_metrics_result())

        def evaluate(x, y, batch_size):
            done = _evaluate_loop(model, x, y, batch_size)
            with tf.control_dependencies([done]):
                return _metric_vector(model, names)

        return evaluate

    return make


def evaluate_metrics(model, x, y, batch_size=None):
    """Return the compiled loss and metrics in inference mode, in one call.

    Parameters
    ----------
    model : keras.Model
        A compiled model.
    x, y : array_like
        Inputs and targets, one row per sample.
    batch_size : int, optional
        Samples per forward pass. ``None`` means the whole set in one batch,
        split into batches of 1024 only when it is larger (to bound memory).
        Pass ``batch_size=32`` to reproduce ``model.evaluate(x, y)`` exactly;
        other sizes give the same mean up to float rounding.

    Returns
    -------
    dict of str to float
        What ``model.evaluate(x, y, return_dict=True)`` returns: ``"loss"``
        (including ``model.losses``, e.g. L2 penalties) and each compiled
        metric, averaged over samples.
    """
    check_model(model, compiled=True)
    x, y = check_pair(x, y, "x", "y")
    batch_size = check_batch_size(batch_size, len(x))
    _build_for_training(model, x, y)
    values, info = _run(
        model,
        "evaluate",
        _make_evaluate(),
        [x, y, np.int32(batch_size)],
        _evaluation_state,
        prepare=lambda owner: _build_for_training(owner, x, y),
    )
    return {name: float(value) for name, value in zip(info["names"], values.numpy())}


def evaluate_loss(model, x, y, batch_size=None):
    """Return the compiled loss of ``model`` on ``(x, y)`` in inference mode.

    The loss is Keras' own (compiled loss plus ``model.losses``), with dropout
    off; see :func:`evaluate_metrics` for the parameters. One graph call, no
    progress bar.

    Returns
    -------
    float
    """
    return evaluate_metrics(model, x, y, batch_size=batch_size)["loss"]


def _output_dtype(model, x):
    import keras

    spec = model.compute_output_spec(keras.KerasTensor((None, *x.shape[1:]), dtype=x.dtype.name))
    if not isinstance(spec, keras.KerasTensor):
        raise InvalidParameterError("model must have a single output tensor; got a nested output")
    return spec.dtype


def _make_predict(dtype):
    def make(model, info):
        import tensorflow as tf

        def predict(x, batch_size):
            n = tf.shape(x)[0]
            steps = _batch_count(n, batch_size)

            def body(step, outputs):
                batch = _batch(x, step, batch_size, n)
                return step + 1, outputs.write(step, model(batch, training=False))

            _, outputs = tf.while_loop(
                lambda step, _: step < steps,
                body,
                [tf.constant(0), tf.TensorArray(dtype, size=steps, infer_shape=False)],
            )
            return outputs.concat()

        return predict

    return make


def predict_fast(model, x, batch_size=None):
    """Return ``model(x, training=False)`` as a numpy array, in one graph call.

    Parameters
    ----------
    model : keras.Model
        A built model with one output (it need not be compiled).
    x : array_like
        Inputs, one row per sample.
    batch_size : int, optional
        Samples per forward pass; ``None`` means all of them, in batches of
        at most 1024.

    Returns
    -------
    numpy.ndarray
        The predictions, inference mode (dropout off: Keras' inverted dropout
        is the paper's weight scaling). Unlike ``model.predict`` it prints
        nothing and does not trace again on a new data size.
    """
    check_model(model)
    x = check_data(x, "x")
    batch_size = check_batch_size(batch_size, len(x))
    dtype = _output_dtype(model, x)
    outputs, _ = _run(
        model, "predict", _make_predict(dtype), [x, np.int32(batch_size)], _model_state, extra_key=(dtype,)
    )
    return outputs.numpy()


# --------------------------------------------------------------------------
# Several seeds
# --------------------------------------------------------------------------


def _is_scalar(value) -> bool:
    return isinstance(value, (numbers.Number, str, np.generic)) or (
        isinstance(value, np.ndarray) and value.ndim == 0
    )


def run_seeds(experiment, seeds):
    """Run ``experiment(seed)`` for every seed and collect a tidy table.

    Parameters
    ----------
    experiment : callable
        ``experiment(seed)`` returns a dict of scalars (one row), or a list of
        such dicts (several rows, e.g. one per variant told apart by a
        ``"label"`` key: ``[{"label": "dropout", "test_loss": ...}, ...]``).
    seeds : iterable of int
        Non-negative integer seeds, each passed to ``experiment``.

    Returns
    -------
    pandas.DataFrame
        One row per returned dict, a ``seed`` column first, then the dicts'
        keys in the order they first appear.
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
    rows = []
    for seed in seeds:
        result = experiment(seed)
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
                raise InvalidParameterError("experiment(seed) must not return a 'seed' key: run_seeds adds it")
            for key, value in row.items():
                if not _is_scalar(value):
                    raise InvalidParameterError(
                        f"experiment(seed) returned {key}={value!r} for seed={seed}; "
                        "expected a scalar (number or string)"
                    )
            rows.append({"seed": seed, **{key: _python_scalar(value) for key, value in row.items()}})
    return pd.DataFrame(rows)


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
                f"{name}={missing!r} not found in frame: expected columns among {list(frame.columns)}"
            )
    for column in metrics:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            raise InvalidParameterError(f"metrics={column!r} is not a numeric column (dtype {frame[column].dtype})")
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
