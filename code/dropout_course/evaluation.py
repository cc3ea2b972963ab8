"""Weight-scaling and Monte-Carlo dropout predictions (the ensemble view).

A network with ``k`` droppable units stands for ``2**k`` thinned networks
sharing weights. Two ways to predict with that ensemble:

Weight scaling
    One deterministic pass with every unit present and its outgoing weights
    multiplied by the retain probability ``keep_prob = 1 - rate`` (the paper,
    Fig. 2). Keras trains with *inverted* dropout instead (kept activations are
    multiplied by ``1 / (1 - rate)`` during training), so its inference-mode
    pass, ``model(x, training=False)``, is exactly the weight-scaling rule.
    :func:`weight_scaling_predict`.

Monte-Carlo (MC) averaging
    Average the predictions of ``n_samples`` thinned networks, each drawn by a
    pass with dropout on (``training=True``). It estimates the ensemble's
    arithmetic mean; the spread of the samples is a measure of uncertainty
    (MC dropout). :func:`mc_dropout_samples`, :func:`mc_dropout_predict`,
    :func:`mc_accuracy_by_samples` (the classification error as the number
    of samples grows, a small-scale analogue of Srivastava et al. 2014,
    Fig. 11).

Caveat: ``training=True`` switches on *every* layer's training behaviour, not
only dropout's. A ``BatchNormalization`` layer then normalizes with the
statistics of the batch being predicted instead of its moving averages (and
would update those averages). The functions here restore every non-trainable
variable after sampling, so the model is left unchanged, but the samples of a
model with batch normalization are *not* pure dropout samples.
"""

from __future__ import annotations

import numpy as np

from . import _compiled_loops as _loops
from ._validation import (
    InvalidParameterError,
    Sizes,
    check,
    check_batch_size,
    check_data,
    check_model,
    check_pair,
    check_positive_int,
    check_seed,
)
from .training import (
    predict_fast,
)

__all__ = [
    "weight_scaling_predict",
    "mc_dropout_samples",
    "mc_dropout_predict",
    "mc_accuracy_by_samples",
]


def weight_scaling_predict(model, x, batch_size=None):
    """Predict with every unit present: Keras' inference mode.

    Keras' dropout is inverted (activations scaled by ``1 / (1 - rate)`` while
    training), so the inference-mode pass equals the paper's weight-scaling
    rule (weights multiplied by ``keep_prob = 1 - rate``) applied to a network
    trained without the scale-up.

    Parameters
    ----------
    model : keras.Model
        A built model with one output.
    x : array_like
        Inputs, one row per sample.
    batch_size : int, optional
        Samples per forward pass; ``None`` means batches of at most 1024.

    Returns
    -------
    numpy.ndarray
        ``model(x, training=False)``.
    """
    return predict_fast(model, x, batch_size=batch_size)


def _generator_seeds(seed: int, count: int) -> np.ndarray:
    """One ``[key, counter]`` state per generator, derived from ``seed``."""
    keys = [
        int(np.random.SeedSequence([seed, index]).generate_state(1)[0]) for index in range(count)
    ]
    return np.array([[key, 0] for key in keys], dtype=np.int64).reshape(count, 2)


def _make_mc(dtype):
    def make(model, info):
        import tensorflow as tf

        generators = _loops.seed_generator_states(model)
        # Restored after sampling: the dropout seed states (so training later
        # draws the masks it would have drawn anyway) and any other
        # non-trainable state a training-mode pass changes (BatchNorm's
        # moving averages).
        kept = list(model.non_trainable_variables)

        def sample(x, batch_size, n_samples, seeds):
            saved = [tf.identity(variable.value) for variable in kept]
            with tf.control_dependencies(saved):
                seeded = [state.assign(seeds[index]) for index, state in enumerate(generators)]
            n = tf.shape(x)[0]
            total = n * n_samples
            steps = _loops.batch_count(total, batch_size)

            def body(step, outputs):
                # Row r is pass r // n over input row r % n: one graph call
                # runs every pass, without a tiled copy of x in memory.
                rows = tf.range(step * batch_size, tf.minimum((step + 1) * batch_size, total)) % n
                return step + 1, outputs.write(step, model(tf.gather(x, rows), training=True))

            with tf.control_dependencies(seeded):
                _, outputs = tf.while_loop(
                    lambda step, _: step < steps,
                    body,
                    [tf.constant(0), tf.TensorArray(dtype, size=steps, infer_shape=False)],
                )
                outputs = outputs.concat()
            with tf.control_dependencies([outputs]):
                restored = [variable.assign(value) for variable, value in zip(kept, saved)]
            with tf.control_dependencies(restored):
                return tf.identity(outputs)

        return sample

    return make


def mc_dropout_samples(model, x, n_samples, *, seed=0, batch_size=None):
    """Draw ``n_samples`` stochastic predictions per input, dropout on.

    Each sample is a pass ``model(x, training=True)``: a fresh thinned network
    for every pass and every input row. All passes run in one graph call.

    Parameters
    ----------
    model : keras.Model
        A built model with one output.
    x : array_like
        Inputs, one row per sample, shape ``(n, ...)``.
    n_samples : int
        Number of passes (thinned networks), at least 1.
    seed : int, default 0
        Seeds the dropout masks. The same seed (and ``batch_size``) gives the
        same samples on every call; the model's own dropout seed states are
        restored afterwards, so sampling does not change later training.
    batch_size : int, optional
        Rows per forward pass, counting every (pass, input) pair as a row;
        ``None`` means at most 1024. Changing it changes which masks are
        drawn (not their distribution).

    Returns
    -------
    numpy.ndarray, shape (n_samples, n, ...)
        ``samples[t]`` is the prediction of the ``t``-th thinned network.

    Notes
    -----
    ``training=True`` also puts BatchNormalization (and any other layer with a
    training mode) in training mode; see the module's caveat.
    """
    check_model(model)
    x = check_data(x, "x")
    n_samples = check_positive_int(n_samples, "n_samples")
    seed = check_seed(seed)
    batch_size = check_batch_size(batch_size, len(x) * n_samples)
    dtype = _loops.output_dtype(model, x)
    seeds = _generator_seeds(seed, len(_loops.seed_generator_states(model)))
    outputs, _ = _loops.run(
        model,
        "mc_dropout",
        _make_mc(dtype),
        [x, np.int32(batch_size), np.int32(n_samples), seeds],
        _loops.model_state,
        extra_key=(dtype,),
    )
    outputs = outputs.numpy()
    return outputs.reshape(n_samples, len(x), *outputs.shape[1:])


def mc_dropout_predict(model, x, n_samples, *, seed=0, batch_size=None):
    """Monte-Carlo dropout prediction: mean and spread of ``n_samples`` passes.

    Parameters
    ----------
    model, x, n_samples, seed, batch_size
        As in :func:`mc_dropout_samples`.

    Returns
    -------
    mean : numpy.ndarray, shape (n, ...)
        The average of the stochastic predictions (the MC estimate of the
        ensemble's arithmetic mean).
    std : numpy.ndarray, shape (n, ...)
        Their standard deviation (ddof=0), a measure of the model's
        uncertainty; zero for a model without dropout.
    """
    samples = mc_dropout_samples(model, x, n_samples, seed=seed, batch_size=batch_size)
    return samples.mean(axis=0), samples.std(axis=0)


def _class_predictions(probabilities):
    """Predicted class from an output of shape (n, k) or (n, 1)/(n,) (sigmoid)."""
    if probabilities.ndim == 1 or probabilities.shape[-1] == 1:
        return (probabilities.reshape(len(probabilities)) > 0.5).astype(np.int64)
    return np.argmax(probabilities, axis=-1)


def _class_labels(y, n_outputs):
    if y.ndim == 2 and y.shape[1] == n_outputs and n_outputs > 1:
        return np.argmax(y, axis=-1)  # one-hot
    if y.ndim > 1 and y.shape[1:] != (1,):
        raise InvalidParameterError(
            f"y must hold one class label per sample (shape (n,) or (n, 1)) or one-hot "
            f"rows of length {n_outputs}; got shape {y.shape}"
        )
    return y.reshape(len(y)).astype(np.int64)


def mc_accuracy_by_samples(model, x, y, sample_counts, *, seed=0, batch_size=None):
    """Classification error of Monte-Carlo averaging versus number of samples.

    The MC prediction with ``k`` samples averages the predicted class
    probabilities of the first ``k`` thinned networks (the sets are nested,
    as in Srivastava et al. 2014, Fig. 11) and predicts the most probable
    class. The weight-scaling error is the error of the inference-mode pass.

    Parameters
    ----------
    model : keras.Model
        A classifier with a softmax output of shape ``(n, k)``, or a sigmoid
        output of shape ``(n, 1)`` (threshold 0.5).
    x : array_like
        Inputs, one row per sample.
    y : array_like
        Integer class labels, shape ``(n,)`` or ``(n, 1)``, or one-hot rows.
    sample_counts : sequence of int
        Numbers of samples ``k`` at which to measure the MC error (each >= 1).
    seed : int, default 0
        Seeds the dropout masks (see :func:`mc_dropout_samples`).
    batch_size : int, optional
        Rows per forward pass (see :func:`mc_dropout_samples`).

    Returns
    -------
    pandas.DataFrame
        One row per entry of ``sample_counts``, with columns ``n_samples``,
        ``mc_error`` (fraction misclassified by the MC average) and
        ``weight_scaling_error`` (the same for every row).
    """
    import pandas as pd

    check_model(model)
    x, y = check_pair(x, y, "x", "y")
    sample_counts = list(check(sample_counts, "sample_counts", Sizes(1, min_length=1)))
    seed = check_seed(seed)

    weight_scaled = weight_scaling_predict(model, x, batch_size=batch_size)
    n_outputs = weight_scaled.shape[-1] if weight_scaled.ndim > 1 else 1
    labels = _class_labels(y, n_outputs)
    weight_scaling_error = float(np.mean(_class_predictions(weight_scaled) != labels))

    samples = mc_dropout_samples(model, x, max(sample_counts), seed=seed, batch_size=batch_size)
    # Running sum in float64: the k-sample mean for every requested k from one
    # pass over the samples.
    running = np.zeros(samples.shape[1:], dtype=np.float64)
    errors = {}
    wanted = set(sample_counts)
    for index, sample in enumerate(samples, start=1):
        running += sample
        if index in wanted:
            errors[index] = float(np.mean(_class_predictions(running / index) != labels))
    return pd.DataFrame(
        {
            "n_samples": sample_counts,
            "mc_error": [errors[count] for count in sample_counts],
            "weight_scaling_error": weight_scaling_error,
        }
    )
