"""A fast trainer equivalent to ``model.fit``, and fast evaluation and prediction.

(Running an experiment over several seeds is :mod:`dropout_course.experiments`.)

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
plus the work itself. It is kept (up to ``MAX_RUNNERS`` of them, shared by
all threads) and re-used:

* for later calls on the same model, and
* for other models of the same architecture and compilation (Sequential or
  Functional models whose configurations differ only in seeds and learning
  rate, e.g. the builders of :mod:`dropout_course.models` called with several
  seeds). Such a loop is traced on a private twin of the first of these
  models and called with the variables of the model being trained (weights,
  dropout seed states, optimizer slots, metric totals) in place of the
  twin's: the same graph on that model's values, so the result is the one a
  loop traced on that model would give. No learner's model is touched by
  another's call, so :func:`dropout_course.experiments.run_seeds` can train
  seeds on two threads, both with the loops traced once (where TensorFlow
  does not allow the substitution, the state is copied into the twin and
  back, one thread at a time).

The loops themselves live in the private module ``_compiled_loops``, which
:mod:`dropout_course.evaluation` uses too; it also holds the one switch
between Keras internals (faster) and Keras' public API (the fallback).
"""

from __future__ import annotations

import numpy as np

from . import _compiled_loops as _loops
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
    "evaluate_with_weights",
    "predict_fast",
]


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
                + (
                    f" of length {len(validation_data)}"
                    if hasattr(validation_data, "__len__")
                    else ""
                )
            )
        x_val, y_val = check_pair(*validation_data, "validation_data[0]", "validation_data[1]")
        if x_val.shape[1:] != x.shape[1:] or y_val.shape[1:] != y.shape[1:]:
            raise InvalidParameterError(
                "validation_data must have the training data's shape per sample; got "
                f"{x_val.shape[1:]} and {y_val.shape[1:]} for {x.shape[1:]} and {y.shape[1:]}"
            )
    else:
        x_val, y_val = x[:1], y[:1]  # placeholders: the graph does not read them

    _loops.build_for_training(model, x, y)
    (train, val), info = _loops.run(
        model,
        "fit",
        _loops.make_fit(with_validation),
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
        _loops.training_state,
        extra_key=(with_validation,),
        prepare=lambda owner: _loops.build_for_training(owner, x, y),
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
    _loops.build_for_training(model, x, y)
    values, info = _loops.run(
        model,
        "evaluate",
        _loops.make_evaluate(),
        [x, y, np.int32(batch_size)],
        _loops.evaluation_state,
        prepare=lambda owner: _loops.build_for_training(owner, x, y),
    )
    return {name: float(value) for name, value in zip(info["names"], values.numpy())}


def evaluate_with_weights(model, evaluator, x, y, batch_size=None):
    """Return ``evaluator``'s loss and metrics computed with ``model``'s weights.

    At prediction time a dropout layer (``Dropout``, ``SpatialDropout2D``,
    ``GaussianDropout``, recurrent dropout) is the identity, so a network
    trained with dropout computes in inference mode what the same network
    without its dropout layers computes with its weights. One compiled
    ``evaluator`` without dropout layers can therefore score every trained
    variant of an architecture: its evaluation loop is traced once instead of
    once per variant (about 0.3 s each), and its result is the variant's own.

    Parameters
    ----------
    model : keras.Model
        The trained network; it is not modified.
    evaluator : keras.Model
        A compiled model with the same weights as ``model``, in the same order
        and of the same shapes (typically the same builder called without
        dropout). Its weights are overwritten.
    x, y : array_like
        Inputs and targets, one row per sample.
    batch_size : int, optional
        As in :func:`evaluate_metrics`.

    Returns
    -------
    dict of str to float
        :func:`evaluate_metrics` of ``evaluator`` carrying ``model``'s weights.

    Raises
    ------
    InvalidParameterError
        If the two models do not hold the same number of weights of the same
        shapes.
    """
    check_model(model)
    check_model(evaluator, "evaluator", compiled=True)
    weights = model.get_weights()
    shapes = [tuple(w.shape) for w in weights]
    expected = [tuple(v.shape) for v in evaluator.weights]
    if shapes != expected:
        raise InvalidParameterError(
            "evaluator must hold the same weights as model, in the same order: model has "
            f"{len(shapes)} weights of shapes {shapes}, "
            f"evaluator {len(expected)} of shapes {expected}"
        )
    evaluator.set_weights(weights)
    return evaluate_metrics(evaluator, x, y, batch_size=batch_size)


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
    dtype = _loops.output_dtype(model, x)
    outputs, _ = _loops.run(
        model,
        "predict",
        _loops.make_predict(dtype),
        [x, np.int32(batch_size)],
        _loops.model_state,
        extra_key=(dtype,),
    )
    return outputs.numpy()
