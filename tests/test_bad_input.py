"""Every public function of the package refuses bad input the same way.

One table: each row calls a public function with one bad argument and names
the parameter the message must name. Every row must raise
``InvalidParameterError``, which is both a ``ValueError`` and a ``TypeError``,
so a learner's ``except ValueError`` (or ``except TypeError``) catches it.
``test_every_public_function_has_a_row`` fails when a module's ``__all__``
gains a function without a row here.
"""

import importlib
import inspect
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dropout_course._validation import InvalidParameterError

MODULES = [
    "notebook",
    "reference",
    "theory",
    "data",
    "models",
    "training",
    "evaluation",
    "plotting",
    "glue",
    "experiments",
    "chapter_times",
]

# Public functions that take no argument, so no bad one.
NO_PARAMETERS = {"notebook.native_log_path", "plotting.apply_style", "data.find_data_dir"}

X4, W4 = np.ones(4), np.ones(4)
DIGITS = SimpleNamespace(X=np.zeros((100, 3)), y=np.arange(100) % 10)
BLOBS = SimpleNamespace(X=np.zeros((60, 2)), y=np.arange(60) % 2)
# Two settings "a" and "b" over three seeds, as run_seeds returns them.
PAIRED = pd.DataFrame(
    {"seed": [0, 0, 1, 1, 2, 2], "label": ["a", "b"] * 3, "loss": [1.0, 1.1, 2.0, 2.2, 3.0, 3.1]}
)


def _zeros(g):
    return np.zeros(len(g))


def _sgd(m, *, n_targets=5, keep_prob=0.5, **kwargs):
    """train_linear_regression_with_dropout on 5 rows, valid arguments unless given."""
    settings = {"learning_rate": 0.01, "n_steps": 10, **kwargs}
    X, y = np.ones((5, 2)), np.ones(n_targets)
    return m.train_linear_regression_with_dropout(X, y, keep_prob, **settings)


def _band(m, mean, std, **kwargs):
    """plot_band at x = 0, 1, 2 (label "a" unless given)."""
    return m.plot_band([0, 1, 2], mean, std, **{"label": "a", **kwargs})


def _error_bars(m, mean, spread, **kwargs):
    """plot_with_error_bars at x = 0, 1, 2 with valid labels unless given."""
    labels = {"label": "a", "xlabel": "x", "ylabel": "y"}
    return m.plot_with_error_bars([0, 1, 2], mean, spread, **{**labels, **kwargs})


def _fits(m, *shapes_and_predictions):
    """plot_regression_fits with zero arrays of the given shapes."""
    *shapes, predictions = shapes_and_predictions
    arrays = [np.zeros(shape) for shape in shapes]
    return m.plot_regression_fits(*arrays, {k: np.zeros(v) for k, v in predictions.items()})


@pytest.fixture(scope="module")
def keras_context():
    """A small compiled model, an uncompiled one and data for them (built once)."""
    import keras

    from dropout_course import models

    x = np.random.default_rng(0).standard_normal((40, 2)).astype("float32")
    return SimpleNamespace(
        model=models.build_blob_classifier(rate=0.5, hidden_units=4, n_hidden_layers=1),
        uncompiled=keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]),
        x=x,
        y=(np.arange(40) % 2).astype("float32"),
    )


# (function, parameter the message names, call); ``k`` is keras_context (or
# None for rows that need no model).
ROWS = [
    # notebook
    ("notebook.setup_notebook", "seed", lambda k, m: m.setup_notebook(seed=-1)),
    ("notebook.setup_notebook", "seed", lambda k, m: m.setup_notebook(seed=True)),
    ("notebook.setup_notebook", "seed", lambda k, m: m.setup_notebook(seed="0")),
    ("notebook.setup_notebook", "tensorflow", lambda k, m: m.setup_notebook(tensorflow="no")),
    ("notebook.seed_everything", "seed", lambda k, m: m.seed_everything(1.5)),
    # reference
    ("reference.dropout_mask", "rate", lambda k, m: m.dropout_mask(3, 1.0)),
    ("reference.dropout_mask", "rate", lambda k, m: m.dropout_mask(3, float("nan"))),
    ("reference.dropout_mask", "rate", lambda k, m: m.dropout_mask(3, True)),
    ("reference.dropout_mask", "shape", lambda k, m: m.dropout_mask((2, -3), 0.5)),
    ("reference.dropout_mask", "shape", lambda k, m: m.dropout_mask("abc", 0.5)),
    ("reference.dropout_mask", "shape", lambda k, m: m.dropout_mask(None, 0.5)),
    ("reference.dropout_mask", "rng", lambda k, m: m.dropout_mask(3, 0.5, rng=-1)),
    ("reference.dropout_mask", "rng", lambda k, m: m.dropout_mask(3, 0.5, rng=1.5)),
    (
        "reference.dropout_mask",
        "rng",
        lambda k, m: m.dropout_mask(3, 0.5, rng=np.random.RandomState(0)),
    ),
    ("reference.dropout_forward", "rate", lambda k, m: m.dropout_forward([1.0], 1.2)),
    ("reference.dropout_forward", "rate", lambda k, m: m.dropout_forward([1.0], "0.5")),
    ("reference.dropout_forward", "x", lambda k, m: m.dropout_forward([1.0, np.inf], 0.5)),
    (
        "reference.dropout_forward",
        "training",
        lambda k, m: m.dropout_forward([1.0], 0.5, training=0.5),
    ),
    (
        "reference.dropout_forward",
        "convention",
        lambda k, m: m.dropout_forward([1.0], 0.5, convention="keras"),
    ),
    ("reference.dropout_backward", "rate", lambda k, m: m.dropout_backward([1.0], [1.0], -0.1)),
    (
        "reference.dropout_backward",
        "grad_output",
        lambda k, m: m.dropout_backward([np.nan], [1.0], 0.5),
    ),
    (
        "reference.dropout_backward",
        "mask",
        lambda k, m: m.dropout_backward(np.ones(2), [2.0, 0.0], 0.5),
    ),
    (
        "reference.dropout_backward",
        "grad_output and mask",
        lambda k, m: m.dropout_backward(np.ones(3), np.ones(4), 0.5),
    ),
    (
        "reference.dropout_backward",
        "convention",
        lambda k, m: m.dropout_backward([1.0], [1.0], 0.5, convention="scale_down"),
    ),
    (
        "reference.scale_weights_for_prediction",
        "rate",
        lambda k, m: m.scale_weights_for_prediction([1.0], 1.0),
    ),
    (
        "reference.scale_weights_for_prediction",
        "weights",
        lambda k, m: m.scale_weights_for_prediction([np.inf], 0.5),
    ),
    # theory
    ("theory.keep_prob_from_rate", "rate", lambda k, m: m.keep_prob_from_rate(1.0)),
    ("theory.all_masks", "n_units", lambda k, m: m.all_masks(0)),
    ("theory.all_masks", "n_units", lambda k, m: m.all_masks(21)),
    (
        "theory.mask_probabilities",
        "masks",
        lambda k, m: m.mask_probabilities(2 * np.ones((2, 2)), 0.5),
    ),
    (
        "theory.mask_probabilities",
        "keep_prob",
        lambda k, m: m.mask_probabilities(np.ones((2, 2)), 0.0),
    ),
    (
        "theory.sample_dropout_losses",
        "n_samples",
        lambda k, m: m.sample_dropout_losses(X4, W4, 1.0, 0.5, 0),
    ),
    (
        "theory.monte_carlo_dropout_loss",
        "keep_prob",
        lambda k, m: m.monte_carlo_dropout_loss(X4, W4, 1.0, 1.5, 10),
    ),
    (
        "theory.monte_carlo_dropout_gradient",
        "convention",
        lambda k, m: m.monte_carlo_dropout_gradient(X4, W4, 1.0, 0.5, 10, convention="keras"),
    ),
    (
        "theory.monte_carlo_dropout_gradient",
        "x and w",
        lambda k, m: m.monte_carlo_dropout_gradient(X4, W4[:3], 1.0, 0.5, 10),
    ),
    ("theory.rate_from_keep_prob", "keep_prob", lambda k, m: m.rate_from_keep_prob(0.0)),
    ("theory.rate_from_keep_prob", "keep_prob", lambda k, m: m.rate_from_keep_prob("0.5")),
    ("theory.dropout_unit_mean", "keep_prob", lambda k, m: m.dropout_unit_mean(1.0, 1.5)),
    ("theory.dropout_unit_mean", "h", lambda k, m: m.dropout_unit_mean([np.nan], 0.5)),
    (
        "theory.dropout_unit_variance",
        "convention",
        lambda k, m: m.dropout_unit_variance(1.0, 0.5, "keras"),
    ),
    ("theory.linear_unit_output", "x and w", lambda k, m: m.linear_unit_output(X4, W4[:3])),
    (
        "theory.linear_unit_output",
        "mask and x",
        lambda k, m: m.linear_unit_output(X4, W4, np.ones(3)),
    ),
    (
        "theory.linear_unit_output",
        "mask",
        lambda k, m: m.linear_unit_output(X4, W4, [0.5, 1.0, 1.0, 1.0]),
    ),
    (
        "theory.linear_unit_output",
        "keep_prob",
        lambda k, m: m.linear_unit_output(X4, W4, np.ones(4), convention="inverted"),
    ),
    (
        "theory.linear_unit_output",
        "keep_prob",
        lambda k, m: m.linear_unit_output(X4, W4, np.ones(4), keep_prob=-0.5),
    ),
    ("theory.ensemble_output", "x", lambda k, m: m.ensemble_output(np.ones((2, 2)), W4, 0.5)),
    ("theory.ensemble_output", "keep_prob", lambda k, m: m.ensemble_output(X4, W4, np.nan)),
    (
        "theory.expected_dropout_loss",
        "target",
        lambda k, m: m.expected_dropout_loss(X4, W4, np.inf, 0.5),
    ),
    (
        "theory.expected_dropout_loss",
        "keep_prob",
        lambda k, m: m.expected_dropout_loss(X4, W4, 1.0, 0.0),
    ),
    (
        "theory.expected_dropout_gradient",
        "convention",
        lambda k, m: m.expected_dropout_gradient(X4, W4, 1.0, 0.5, convention="keras"),
    ),
    (
        "theory.running_mean_with_se",
        "sample_counts",
        lambda k, m: m.running_mean_with_se(np.ones(5), [3, 2]),
    ),
    (
        "theory.running_mean_with_se",
        "sample_counts",
        lambda k, m: m.running_mean_with_se(np.ones(5), [0, 3]),
    ),
    (
        "theory.running_mean_with_se",
        "sample_counts",
        lambda k, m: m.running_mean_with_se(np.ones(5), [2, 6]),
    ),
    ("theory.running_mean_with_se", "samples", lambda k, m: m.running_mean_with_se(1.0)),
    (
        "theory.monte_carlo_unit_moments",
        "n_samples",
        lambda k, m: m.monte_carlo_unit_moments(1.0, 0.5, 0),
    ),
    (
        "theory.monte_carlo_unit_moments",
        "n_samples",
        lambda k, m: m.monte_carlo_unit_moments(1.0, 0.5, 2.5),
    ),
    (
        "theory.monte_carlo_unit_moments",
        "rng",
        lambda k, m: m.monte_carlo_unit_moments(1.0, 0.5, 10, rng="seed"),
    ),
    (
        "theory.dropout_regression_weights",
        "X and y",
        lambda k, m: m.dropout_regression_weights(np.ones((4, 2)), np.ones(3), 0.5),
    ),
    (
        "theory.dropout_regression_weights",
        "X",
        lambda k, m: m.dropout_regression_weights(np.array([[1.0, np.nan]]), [1.0], 0.5),
    ),
    (
        "theory.dropout_regression_weights",
        "convention",
        lambda k, m: m.dropout_regression_weights(np.ones((3, 2)), np.ones(3), 0.5, "keras"),
    ),
    (
        "theory.train_linear_regression_with_dropout",
        "learning_rate",
        lambda k, m: _sgd(m, learning_rate=0),
    ),
    ("theory.train_linear_regression_with_dropout", "n_steps", lambda k, m: _sgd(m, n_steps=0)),
    (
        "theory.train_linear_regression_with_dropout",
        "batch_size",
        lambda k, m: _sgd(m, batch_size=6),
    ),
    (
        "theory.train_linear_regression_with_dropout",
        "average_last",
        lambda k, m: _sgd(m, average_last=0),
    ),
    (
        "theory.train_linear_regression_with_dropout",
        "keep_prob",
        lambda k, m: _sgd(m, keep_prob=0.0),
    ),
    ("theory.train_linear_regression_with_dropout", "X and y", lambda k, m: _sgd(m, n_targets=4)),
    # data
    ("data.data_path", "name", lambda k, m: m.data_path("../secret")),
    ("data.data_path", "name", lambda k, m: m.data_path("")),
    ("data.data_path", "name", lambda k, m: m.data_path(3)),
    (
        "data.verify_checksum",
        "expected_sha256",
        lambda k, m: m.verify_checksum(m.data_path(m.MNIST_5K_FILE), "g" * 64),
    ),
    (
        "data.verify_checksum",
        "expected_sha256",
        lambda k, m: m.verify_checksum(m.data_path(m.MNIST_5K_FILE), None),
    ),
    ("data.verify_checksum", "path", lambda k, m: m.verify_checksum(42, m.MNIST_5K_SHA256)),
    ("data.load_mnist_5k", "flatten", lambda k, m: m.load_mnist_5k(flatten=1)),
    ("data.load_mnist_5k", "scale", lambda k, m: m.load_mnist_5k(scale="yes")),
    ("data.load_mnist_5k", "data_dir", lambda k, m: m.load_mnist_5k(data_dir=3)),
    ("data.load_digits_8x8", "scale", lambda k, m: m.load_digits_8x8(scale=None)),
    (
        "data.stratified_split",
        "n_train",
        lambda k, m: m.stratified_split(DIGITS.X, DIGITS.y, n_train=5, n_test=20),
    ),
    (
        "data.stratified_split",
        "n_test",
        lambda k, m: m.stratified_split(DIGITS.X, DIGITS.y, n_train=20, n_test=0),
    ),
    (
        "data.stratified_split",
        "n_train + n_test",
        lambda k, m: m.stratified_split(DIGITS.X, DIGITS.y, n_train=60, n_test=41),
    ),
    (
        "data.stratified_split",
        "n_train",
        lambda k, m: m.stratified_split(DIGITS.X, DIGITS.y, n_train=20.0, n_test=20),
    ),
    (
        "data.stratified_split",
        "seed",
        lambda k, m: m.stratified_split(DIGITS.X, DIGITS.y, n_train=20, n_test=20, seed=-1),
    ),
    (
        "data.stratified_split",
        "X and y",
        lambda k, m: m.stratified_split(DIGITS.X[:50], DIGITS.y, n_train=20, n_test=20),
    ),
    (
        "data.stratified_split",
        "y",
        lambda k, m: m.stratified_split(DIGITS.X, DIGITS.y.reshape(-1, 1), n_train=20, n_test=20),
    ),
    ("data.make_regression_1d", "n_train", lambda k, m: m.make_regression_1d(n_train=1)),
    ("data.make_regression_1d", "n_test", lambda k, m: m.make_regression_1d(n_test=0)),
    ("data.make_regression_1d", "noise_std", lambda k, m: m.make_regression_1d(noise_std=-0.1)),
    (
        "data.make_regression_1d",
        "noise_std",
        lambda k, m: m.make_regression_1d(noise_std=float("nan")),
    ),
    ("data.make_regression_1d", "noise_std", lambda k, m: m.make_regression_1d(noise_std="0.2")),
    ("data.make_regression_1d", "seed", lambda k, m: m.make_regression_1d(seed=True)),
    ("data.make_blobs_2class", "n_samples", lambda k, m: m.make_blobs_2class(n_samples=7)),
    (
        "data.make_blobs_2class",
        "centers",
        lambda k, m: m.make_blobs_2class(centers=((0, 0), (1, 1), (2, 2))),
    ),
    (
        "data.make_blobs_2class",
        "centers",
        lambda k, m: m.make_blobs_2class(centers=((0, np.nan), (1, 1))),
    ),
    ("data.make_blobs_2class", "std", lambda k, m: m.make_blobs_2class(std=0)),
    ("data.make_blobs_2class", "std", lambda k, m: m.make_blobs_2class(std=float("inf"))),
    ("data.make_blobs_2class", "test_size", lambda k, m: m.make_blobs_2class(test_size=1.0)),
    ("data.make_blobs_2class", "test_size", lambda k, m: m.make_blobs_2class(test_size=50)),
    (
        "data.make_blobs_2class",
        "test_size",
        lambda k, m: m.make_blobs_2class(n_samples=8, test_size=0.9),
    ),
    ("data.make_blobs_2class", "seed", lambda k, m: m.make_blobs_2class(seed=-3)),
    # models
    ("models.build_regression_mlp", "rate", lambda k, m: m.build_regression_mlp(rate=1.2)),
    (
        "models.build_regression_mlp",
        "hidden_units",
        lambda k, m: m.build_regression_mlp(hidden_units=0),
    ),
    (
        "models.build_regression_mlp",
        "n_hidden_layers",
        lambda k, m: m.build_regression_mlp(n_hidden_layers=1.5),
    ),
    (
        "models.build_regression_mlp",
        "learning_rate",
        lambda k, m: m.build_regression_mlp(learning_rate=0),
    ),
    ("models.build_regression_mlp", "seed", lambda k, m: m.build_regression_mlp(seed=-1)),
    ("models.build_blob_classifier", "rate", lambda k, m: m.build_blob_classifier(rate=1.0)),
    ("models.build_regression_stack", "seeds", lambda k, m: m.build_regression_stack(3, [0.0])),
    (
        "models.build_regression_stack",
        "seeds[1]",
        lambda k, m: m.build_regression_stack([0, -1], [0.0, 0.0]),
    ),
    (
        "models.build_regression_stack",
        "rates",
        lambda k, m: m.build_regression_stack([0, 1], [0.5]),
    ),
    (
        "models.build_regression_stack",
        "rates[0]",
        lambda k, m: m.build_regression_stack([0], [1.2]),
    ),
    ("models.build_mnist_mlp", "api", lambda k, m: m.build_mnist_mlp(api="keras")),
    ("models.build_mnist_mlp", "input_rate", lambda k, m: m.build_mnist_mlp(input_rate=1.2)),
    ("models.build_mnist_mlp", "hidden_units", lambda k, m: m.build_mnist_mlp(hidden_units=())),
    ("models.build_mnist_mlp", "kernel_l2", lambda k, m: m.build_mnist_mlp(kernel_l2=-1.0)),
    ("models.build_mnist_mlp", "max_norm", lambda k, m: m.build_mnist_mlp(max_norm=0.0)),
    ("models.build_small_cnn", "conv_rate", lambda k, m: m.build_small_cnn(conv_rate=1.2)),
    ("models.build_small_cnn", "dense_rate", lambda k, m: m.build_small_cnn(dense_rate="0.5")),
    ("models.build_small_cnn", "spatial", lambda k, m: m.build_small_cnn(spatial="yes")),
    ("models.build_small_cnn", "filters", lambda k, m: m.build_small_cnn(filters=(16, 0))),
    ("models.build_small_cnn", "input_shape", lambda k, m: m.build_small_cnn(input_shape=(28, 28))),
    (
        "models.build_small_cnn",
        "input_shape",
        lambda k, m: m.build_small_cnn(input_shape=(9, 9, 1)),
    ),
    (
        "models.build_small_cnn",
        "input_shape",
        lambda k, m: m.build_small_cnn(input_shape=(14, 14.0, 1)),
    ),
    ("models.build_small_cnn", "input_shape", lambda k, m: m.build_small_cnn(input_shape=None)),
    ("models.VariableDropout", "rate", lambda k, m: m.VariableDropout(-0.1)),
    ("models.VariableDropout", "seed", lambda k, m: m.VariableDropout(0.5, seed=-1)),
    # training
    ("training.fit_fast", "epochs", lambda k, m: m.fit_fast(k.model, k.x, k.y, epochs=-1)),
    ("training.fit_fast", "epochs", lambda k, m: m.fit_fast(k.model, k.x, k.y, epochs=1.5)),
    ("training.fit_fast", "x and y", lambda k, m: m.fit_fast(k.model, k.x, k.y[:-1], epochs=1)),
    (
        "training.fit_fast",
        "batch_size",
        lambda k, m: m.fit_fast(k.model, k.x, k.y, epochs=1, batch_size=0),
    ),
    ("training.fit_fast", "seed", lambda k, m: m.fit_fast(k.model, k.x, k.y, epochs=1, seed=-3)),
    (
        "training.fit_fast",
        "shuffle",
        lambda k, m: m.fit_fast(k.model, k.x, k.y, epochs=1, shuffle="no"),
    ),
    (
        "training.fit_fast",
        "validation_data",
        lambda k, m: m.fit_fast(k.model, k.x, k.y, epochs=1, validation_data=(k.x,)),
    ),
    (
        "training.fit_fast",
        "validation_data[1]",
        lambda k, m: m.fit_fast(k.model, k.x, k.y, epochs=1, validation_data=(k.x, k.y[:3])),
    ),
    (
        "training.fit_fast",
        "x",
        lambda k, m: m.fit_fast(k.model, np.full_like(k.x, np.nan), k.y, epochs=1),
    ),
    ("training.fit_fast", "model", lambda k, m: m.fit_fast("model", k.x, k.y, epochs=1)),
    ("training.fit_fast", "model", lambda k, m: m.fit_fast(k.uncompiled, k.x, k.y, epochs=1)),
    ("training.evaluate_loss", "x and y", lambda k, m: m.evaluate_loss(k.model, k.x, k.y[:-1])),
    (
        "training.evaluate_loss",
        "batch_size",
        lambda k, m: m.evaluate_loss(k.model, k.x, k.y, batch_size=-1),
    ),
    ("training.evaluate_metrics", "model", lambda k, m: m.evaluate_metrics(k.uncompiled, k.x, k.y)),
    (
        "training.evaluate_with_weights",
        "evaluator",
        lambda k, m: m.evaluate_with_weights(k.model, k.uncompiled, k.x, k.y),
    ),
    (
        "training.evaluate_with_weights",
        "evaluator",
        lambda k, m: m.evaluate_with_weights(k.uncompiled, k.model, k.x, k.y),
    ),
    ("training.predict_fast", "x", lambda k, m: m.predict_fast(k.model, k.x[:0])),
    ("training.predict_fast", "x", lambda k, m: m.predict_fast(k.model, [["a", "b"]])),
    ("experiments.run_seeds", "seeds", lambda k, m: m.run_seeds(lambda seed: {"a": 1}, [0, -1])),
    ("experiments.run_seeds", "seeds", lambda k, m: m.run_seeds(lambda seed: {"a": 1}, 3)),
    ("experiments.run_seeds", "seeds", lambda k, m: m.run_seeds(lambda seed: {"a": 1}, [])),
    ("experiments.run_seeds", "experiment", lambda k, m: m.run_seeds("not callable", [0])),
    (
        "experiments.run_seeds",
        "threads",
        lambda k, m: m.run_seeds(lambda seed: {"a": 1}, [0], threads=0),
    ),
    (
        "experiments.run_seeds",
        "threads",
        lambda k, m: m.run_seeds(lambda seed: {"a": 1}, [0], threads=1.5),
    ),
    ("experiments.run_seeds", "experiment", lambda k, m: m.run_seeds(lambda seed: 1.0, [0])),
    ("experiments.map_on_threads", "function", lambda k, m: m.map_on_threads("abs", [1, 2])),
    ("experiments.map_on_threads", "items", lambda k, m: m.map_on_threads(abs, 5)),
    ("experiments.map_on_threads", "threads", lambda k, m: m.map_on_threads(abs, [1], threads=0)),
    ("experiments.map_on_threads", "threads", lambda k, m: m.map_on_threads(abs, [1], threads=2.5)),
    ("experiments.run_seeds", "a=", lambda k, m: m.run_seeds(lambda seed: {"a": [1, 2]}, [0])),
    ("experiments.summarize", "frame", lambda k, m: m.summarize({"a": [1]}, None, "a")),
    ("experiments.summarize", "by", lambda k, m: m.summarize(pd.DataFrame({"a": [1]}), "b", "a")),
    (
        "experiments.summarize",
        "metrics",
        lambda k, m: m.summarize(pd.DataFrame({"a": [1]}), None, "c"),
    ),
    (
        "experiments.summarize",
        "metrics",
        lambda k, m: m.summarize(pd.DataFrame({"a": [1]}), None, []),
    ),
    # evaluation
    (
        "evaluation.weight_scaling_predict",
        "x",
        lambda k, m: m.weight_scaling_predict(k.model, [[np.inf, 0.0]]),
    ),
    (
        "evaluation.mc_dropout_samples",
        "n_samples",
        lambda k, m: m.mc_dropout_samples(k.model, k.x, 0),
    ),
    (
        "evaluation.mc_dropout_samples",
        "n_samples",
        lambda k, m: m.mc_dropout_samples(k.model, k.x, 2.5),
    ),
    (
        "evaluation.mc_dropout_samples",
        "seed",
        lambda k, m: m.mc_dropout_samples(k.model, k.x, 2, seed=-1),
    ),
    (
        "evaluation.mc_dropout_samples",
        "batch_size",
        lambda k, m: m.mc_dropout_samples(k.model, k.x, 2, batch_size=0),
    ),
    ("evaluation.mc_dropout_samples", "model", lambda k, m: m.mc_dropout_samples("model", k.x, 2)),
    (
        "evaluation.mc_dropout_predict",
        "n_samples",
        lambda k, m: m.mc_dropout_predict(k.model, k.x, 0),
    ),
    (
        "evaluation.mc_accuracy_by_samples",
        "sample_counts",
        lambda k, m: m.mc_accuracy_by_samples(k.model, k.x, k.y, [0, 2]),
    ),
    (
        "evaluation.mc_accuracy_by_samples",
        "sample_counts",
        lambda k, m: m.mc_accuracy_by_samples(k.model, k.x, k.y, []),
    ),
    (
        "evaluation.mc_accuracy_by_samples",
        "x and y",
        lambda k, m: m.mc_accuracy_by_samples(k.model, k.x, k.y[:-1], [1]),
    ),
    (
        "evaluation.mc_accuracy_by_samples",
        "y",
        lambda k, m: m.mc_accuracy_by_samples(k.model, k.x, np.ones((len(k.y), 3)), [1]),
    ),
    # plotting
    ("plotting.color_for", "label", lambda k, m: m.color_for(3)),
    ("plotting.color_for", "index", lambda k, m: m.color_for("a", -1)),
    ("plotting.plot_band", "ax", lambda k, m: _band(m, [0, 1, 2], [0, 0, 0], ax="left")),
    ("plotting.plot_band", "x and mean", lambda k, m: _band(m, [1, 2], [0, 0, 0])),
    ("plotting.plot_band", "x and std", lambda k, m: _band(m, [1, 2, 3], [0.1, 0.1])),
    ("plotting.plot_band", "std", lambda k, m: _band(m, [1, 2, 3], [0.1, -0.1, 0.1])),
    ("plotting.plot_band", "label", lambda k, m: _band(m, [1, 2, 3], [0, 0, 0], label="")),
    (
        "plotting.plot_loss_curves",
        "val_loss",
        lambda k, m: m.plot_loss_curves({"a": {"loss": [1.0, 0.5], "val_loss": [1.0]}}),
    ),
    (
        "plotting.plot_loss_curves",
        "'loss'",
        lambda k, m: m.plot_loss_curves({"a": {"val_loss": [1.0]}}),
    ),
    (
        "plotting.plot_loss_curves",
        "log_scale",
        lambda k, m: m.plot_loss_curves({"a": {"loss": [1.0, 0.0]}}),
    ),
    (
        "plotting.plot_loss_curves",
        "histories",
        lambda k, m: m.plot_loss_curves({"a": {"loss": [1.0, np.nan]}}),
    ),
    ("plotting.plot_loss_curves", "histories", lambda k, m: m.plot_loss_curves({})),
    ("plotting.plot_loss_curves", "histories", lambda k, m: m.plot_loss_curves([1.0, 0.5])),
    (
        "plotting.plot_loss_curves",
        "log_scale",
        lambda k, m: m.plot_loss_curves({"a": {"loss": [1.0]}}, log_scale="yes"),
    ),
    (
        "plotting.plot_loss_curves",
        "title",
        lambda k, m: m.plot_loss_curves({"a": {"loss": [1.0]}}, title=3),
    ),
    (
        "plotting.plot_regression_fits",
        "x_train and y_train",
        lambda k, m: _fits(m, (5,), (4,), (3,), (3,), {"a": (3,)}),
    ),
    (
        "plotting.plot_regression_fits",
        "x_test and y_test",
        lambda k, m: _fits(m, (5,), (5,), (3,), (2,), {"a": (3,)}),
    ),
    (
        "plotting.plot_regression_fits",
        "predictions['a']",
        lambda k, m: _fits(m, (5,), (5,), (3,), (3,), {"a": (4,)}),
    ),
    (
        "plotting.plot_regression_fits",
        "x_train",
        lambda k, m: _fits(m, (5, 2), (5,), (3,), (3,), {"a": (3,)}),
    ),
    (
        "plotting.plot_regression_fits",
        "predictions",
        lambda k, m: _fits(m, (5,), (5,), (3,), (3,), {}),
    ),
    (
        "plotting.plot_decision_boundary",
        "predict_proba",
        lambda k, m: m.plot_decision_boundary(lambda g: np.zeros((len(g), 2)), BLOBS.X, BLOBS.y),
    ),
    (
        "plotting.plot_decision_boundary",
        "predict_proba",
        lambda k, m: m.plot_decision_boundary(lambda g: np.full(len(g), 1.5), BLOBS.X, BLOBS.y),
    ),
    (
        "plotting.plot_decision_boundary",
        "predict_proba",
        lambda k, m: m.plot_decision_boundary("model", BLOBS.X, BLOBS.y),
    ),
    (
        "plotting.plot_decision_boundary",
        "resolution",
        lambda k, m: m.plot_decision_boundary(_zeros, BLOBS.X, BLOBS.y, resolution=1),
    ),
    (
        "plotting.plot_decision_boundary",
        "padding",
        lambda k, m: m.plot_decision_boundary(_zeros, BLOBS.X, BLOBS.y, padding=-0.1),
    ),
    (
        "plotting.plot_decision_boundary",
        "title",
        lambda k, m: m.plot_decision_boundary(_zeros, BLOBS.X, BLOBS.y, title=3),
    ),
    (
        "plotting.plot_decision_boundary",
        "X and y",
        lambda k, m: m.plot_decision_boundary(_zeros, BLOBS.X, BLOBS.y[:-1]),
    ),
    (
        "plotting.plot_decision_boundary",
        "y",
        lambda k, m: m.plot_decision_boundary(_zeros, BLOBS.X, BLOBS.y + 1),
    ),
    (
        "plotting.plot_decision_boundary",
        "X",
        lambda k, m: m.plot_decision_boundary(_zeros, np.zeros((60, 3)), BLOBS.y),
    ),
    ("plotting.plot_with_error_bars", "x and mean", lambda k, m: _error_bars(m, [1, 2], [0, 0, 0])),
    (
        "plotting.plot_with_error_bars",
        "x and spread",
        lambda k, m: _error_bars(m, [1, 2, 3], [0, 0]),
    ),
    ("plotting.plot_with_error_bars", "spread", lambda k, m: _error_bars(m, [1, 2, 3], [0, -1, 0])),
    (
        "plotting.plot_with_error_bars",
        "log_x",
        lambda k, m: _error_bars(m, [1, 2, 3], [0, 0, 0], log_x=True),
    ),
    (
        "plotting.plot_with_error_bars",
        "log_x",
        lambda k, m: _error_bars(m, [1, 2, 3], [0, 0, 0], log_x="yes"),
    ),
    (
        "plotting.plot_with_error_bars",
        "xlabel",
        lambda k, m: _error_bars(m, [1, 2, 3], [0, 0, 0], xlabel=""),
    ),
    ("plotting.show_digits", "n", lambda k, m: m.show_digits(np.zeros((5, 784)), np.zeros(5), n=6)),
    ("plotting.show_digits", "n", lambda k, m: m.show_digits(np.zeros((5, 784)), np.zeros(5), n=0)),
    (
        "plotting.show_digits",
        "labels",
        lambda k, m: m.show_digits(np.zeros((5, 784)), np.zeros(4), n=3),
    ),
    (
        "plotting.show_digits",
        "images",
        lambda k, m: m.show_digits(np.zeros((5, 70)), np.zeros(5), n=3),
    ),
    (
        "plotting.show_digits",
        "images",
        lambda k, m: m.show_digits(np.zeros((5, 28, 28, 3)), np.zeros(5), n=3),
    ),
    ("plotting.show_digits", "images", lambda k, m: m.show_digits(np.zeros(5), np.zeros(5), n=3)),
    ("plotting.plot_network", "layer_sizes", lambda k, m: m.plot_network([3])),
    ("plotting.plot_network", "layer_sizes", lambda k, m: m.plot_network([2, 0])),
    ("plotting.plot_network", "layer_sizes", lambda k, m: m.plot_network("24")),
    ("plotting.plot_network", "masks", lambda k, m: m.plot_network([2, 3], [None])),
    ("plotting.plot_network", "masks[1]", lambda k, m: m.plot_network([2, 3], [None, np.ones(4)])),
    (
        "plotting.plot_network",
        "masks[1]",
        lambda k, m: m.plot_network([2, 3], [None, np.array([1.0, 0.5, 1.0])]),
    ),
    (
        "plotting.plot_network",
        "layer_names",
        lambda k, m: m.plot_network([2, 3], layer_names=["a"]),
    ),
    # glue
    ("glue.glue", "name", lambda k, m: m.glue("ch99 gap", 1)),
    ("glue.glue", "name", lambda k, m: m.glue("99_gap", 1)),
    ("glue.glue", "name", lambda k, m: m.glue("", 1)),
    ("glue.glue", "name", lambda k, m: m.glue("lambda", 1)),
    ("glue.glue", "name", lambda k, m: m.glue(5, 1)),
    ("glue.glue", "display", lambda k, m: m.glue("ch99_x", 1, display="no")),
    ("glue.glued_values", "path", lambda k, m: m.glued_values(3)),
    ("glue.bind_glued_values", "folder", lambda k, m: m.bind_glued_values(folder=3, namespace={})),
    ("glue.bind_glued_values", "namespace", lambda k, m: m.bind_glued_values(namespace=[])),
    ("glue.bind_glued_values", "notebooks", lambda k, m: m.bind_glued_values(4, namespace={})),
    (
        "glue.bind_glued_values",
        "notebooks",
        lambda k, m: m.bind_glued_values("04_x.md", namespace={}),
    ),
    ("glue.glue_number", "value", lambda k, m: m.glue_number("ch99_x", float("nan"))),
    ("glue.glue_number", "value", lambda k, m: m.glue_number("ch99_x", "0.1")),
    ("glue.glue_number", "digits", lambda k, m: m.glue_number("ch99_x", 0.1, digits=16)),
    # chapter_times
    ("chapter_times.glue_chapter_times", "chapter", lambda k, m: m.glue_chapter_times(0)),
    ("chapter_times.glue_chapter_times", "chapter", lambda k, m: m.glue_chapter_times("07")),
    ("chapter_times.glue_chapter_times", "folder", lambda k, m: m.glue_chapter_times(7, folder=3)),
    ("chapter_times.run_seconds", "chapter", lambda k, m: m.run_seconds(100)),
    ("chapter_times.run_seconds", "path", lambda k, m: m.run_seconds(7, path=7)),
    ("chapter_times.round_run_seconds", "seconds", lambda k, m: m.round_run_seconds(-1)),
    ("chapter_times.round_run_seconds", "seconds", lambda k, m: m.round_run_seconds("20")),
    ("chapter_times.markdown_words", "path", lambda k, m: m.markdown_words(None)),
    ("chapter_times.reading_minutes", "path", lambda k, m: m.reading_minutes(3.5)),
    # experiments
    ("experiments.signed", "value", lambda k, m: m.signed(float("nan"))),
    ("experiments.signed", "digits", lambda k, m: m.signed(0.1, digits=16)),
    ("experiments.t_interval", "values", lambda k, m: m.t_interval([1.0])),
    ("experiments.t_interval", "values", lambda k, m: m.t_interval([1.0, np.nan])),
    ("experiments.t_interval", "confidence", lambda k, m: m.t_interval([1.0, 2.0], 95)),
    (
        "experiments.paired_differences",
        "metric",
        lambda k, m: m.paired_differences(PAIRED, "accuracy", "a", "b"),
    ),
    (
        "experiments.paired_differences",
        "first",
        lambda k, m: m.paired_differences(PAIRED, "loss", "c", "b"),
    ),
    (
        "experiments.paired_differences",
        "frame",
        lambda k, m: m.paired_differences({"loss": [1.0]}, "loss", "a", "b"),
    ),
    (
        "experiments.compare_paired",
        "second",
        lambda k, m: m.compare_paired(PAIRED, "loss", "a", "c"),
    ),
    (
        "experiments.compare_paired",
        "confidence",
        lambda k, m: m.compare_paired(PAIRED, "loss", "a", "b", confidence=0.0),
    ),
    ("experiments.mean_sd_table", "metrics", lambda k, m: m.mean_sd_table(PAIRED, ["acc"])),
    ("experiments.mean_sd_table", "order", lambda k, m: m.mean_sd_table(PAIRED, ["loss"], ["c"])),
    (
        "plotting.plot_paired_seeds",
        "labels",
        lambda k, m: m.plot_paired_seeds(PAIRED, "loss", ["a"], ylabel="loss"),
    ),
    (
        "plotting.plot_paired_seeds",
        "ylabel",
        lambda k, m: m.plot_paired_seeds(PAIRED, "loss", ["a", "b"], ylabel=""),
    ),
    (
        "plotting.plot_paired_seeds",
        "labels",
        lambda k, m: m.plot_paired_seeds(PAIRED, "loss", ["a", "c"], ylabel="loss"),
    ),
]

_NEEDS_KERAS = ("training.", "evaluation.")


def _public_functions():
    for module_name in MODULES:
        module = importlib.import_module(f"dropout_course.{module_name}")
        for name in module.__all__:
            if callable(getattr(module, name)):
                yield f"{module_name}.{name}"


def test_every_public_function_has_a_row():
    covered = {row[0] for row in ROWS} | NO_PARAMETERS
    missing = sorted(set(_public_functions()) - covered)
    assert not missing, f"public functions without a bad-input row in ROWS: {missing}"
    for qualified in NO_PARAMETERS:
        module_name, name = qualified.split(".")
        function = getattr(importlib.import_module(f"dropout_course.{module_name}"), name)
        assert not inspect.signature(function).parameters, qualified


def test_the_error_is_both_a_value_error_and_a_type_error():
    assert issubclass(InvalidParameterError, ValueError)
    assert issubclass(InvalidParameterError, TypeError)


@pytest.mark.parametrize(
    ("function", "parameter", "call"), ROWS, ids=[f"{row[0]}-{row[1]}" for row in ROWS]
)
def test_bad_input_is_refused_naming_the_parameter(request, function, parameter, call):
    import matplotlib.pyplot as plt

    module = importlib.import_module(f"dropout_course.{function.split('.')[0]}")
    needs_keras = function.startswith(_NEEDS_KERAS)
    context = request.getfixturevalue("keras_context") if needs_keras else None
    try:
        with pytest.raises(InvalidParameterError) as error:
            call(context, module)
    finally:
        plt.close("all")
    assert parameter in str(error.value), str(error.value)
