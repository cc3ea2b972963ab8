"""Tests of weight-scaling and Monte-Carlo dropout predictions."""

import dropout_course

dropout_course.setup_notebook()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dropout_course import _compiled_loops, models, training  # noqa: E402
from dropout_course.evaluation import (  # noqa: E402
    mc_accuracy_by_samples,
    mc_dropout_predict,
    mc_dropout_samples,
    weight_scaling_predict,
)


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 2, size=60)
    points = rng.normal(0, 0.4, size=(60, 2)) + labels[:, None] * np.array([0.8, 0.3])
    return points.astype("float32"), labels


def _linear_model_with_input_dropout(rate, n_features, seed=0):
    """x -> Dropout(rate) -> w.x + b: the ensemble mean is exactly w.x + b."""
    model = keras.Sequential(
        [
            keras.Input((n_features,)),
            keras.layers.Dropout(rate, seed=seed),
            keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=seed)),
        ]
    )
    model.layers[-1].bias.assign([0.3])
    return model


def test_weight_scaling_is_inference_mode(blobs):
    x, _ = blobs
    model = models.build_blob_classifier(rate=0.5, hidden_units=8, n_hidden_layers=2, seed=1)
    np.testing.assert_allclose(
        weight_scaling_predict(model, x), model(x, training=False).numpy(), rtol=1e-6
    )


def test_without_dropout_every_sample_is_the_deterministic_prediction(blobs):
    x, _ = blobs
    model = models.build_blob_classifier(rate=0.0, hidden_units=8, n_hidden_layers=2, seed=1)
    samples = mc_dropout_samples(model, x, 6)
    assert samples.shape == (6, len(x), 1)
    deterministic = weight_scaling_predict(model, x)
    for sample in samples:
        np.testing.assert_allclose(sample, deterministic, rtol=1e-6, atol=1e-7)
    mean, std = mc_dropout_predict(model, x, 6)
    np.testing.assert_allclose(mean, deterministic, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(std, 0.0, atol=1e-6)


def test_samples_differ_and_are_reproducible_for_a_seed(blobs):
    x, _ = blobs
    model = models.build_blob_classifier(rate=0.5, hidden_units=8, n_hidden_layers=2, seed=1)
    states = [state.numpy().copy() for state in _compiled_loops.seed_generator_states(model)]
    assert len(states) == 2
    first = mc_dropout_samples(model, x, 5, seed=3)
    assert not np.allclose(first[0], first[1])
    np.testing.assert_array_equal(first, mc_dropout_samples(model, x, 5, seed=3))
    assert not np.allclose(first, mc_dropout_samples(model, x, 5, seed=4))
    # Sampling leaves the model's own mask generators where they were.
    after = _compiled_loops.seed_generator_states(model)
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(states, after))


def test_shared_loop_gives_the_samples_of_a_loop_of_its_own(blobs):
    x, _ = blobs

    def build(seed):
        return models.build_blob_classifier(rate=0.5, hidden_units=8, n_hidden_layers=2, seed=seed)

    mc_dropout_samples(build(10), x, 3, seed=1)  # traces the loop on the seed-10 model
    traces = _compiled_loops.TRACE_COUNT
    shared = mc_dropout_samples(build(11), x, 3, seed=1)
    assert _compiled_loops.TRACE_COUNT == traces
    _compiled_loops.RUNNERS.clear()  # forget all loops: the next model traces its own
    own = mc_dropout_samples(build(11), x, 3, seed=1)
    assert _compiled_loops.TRACE_COUNT == traces + 1
    np.testing.assert_array_equal(shared, own)


def test_mc_mean_of_a_linear_model_converges_to_weight_scaling():
    rate, n_features, n_samples = 0.5, 20, 400
    x = np.random.default_rng(0).normal(size=(50, n_features)).astype("float32")
    model = _linear_model_with_input_dropout(rate, n_features)
    samples = mc_dropout_samples(model, x, n_samples, seed=0)[..., 0]
    weight_scaled = weight_scaling_predict(model, x)[:, 0]
    weights = model.layers[-1].kernel.numpy()[:, 0]
    # One sample is sum_i w_i x_i d_i / (1 - rate), d_i ~ Bernoulli(1 - rate):
    # mean w.x + b, variance rate / (1 - rate) * sum_i (w_i x_i)^2.
    variance = rate / (1 - rate) * np.sum((weights * x) ** 2, axis=1)
    z_scores = (samples.mean(axis=0) - weight_scaled) / np.sqrt(variance / n_samples)
    assert np.max(np.abs(z_scores)) < 5
    assert np.mean(samples.var(axis=0, ddof=1) / variance) == pytest.approx(1.0, abs=0.05)
    # Sampling more passes moves the mean closer to the weight-scaled prediction.
    few = mc_dropout_samples(model, x, 4, seed=0)[..., 0].mean(axis=0)
    many_error = np.mean((samples.mean(axis=0) - weight_scaled) ** 2)
    assert many_error < np.mean((few - weight_scaled) ** 2)


def test_batch_normalization_statistics_are_left_unchanged():
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, kernel_initializer=keras.initializers.GlorotUniform(seed=0)),
            keras.layers.BatchNormalization(),
            keras.layers.Dropout(0.5, seed=0),
            keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(seed=1)),
        ]
    )
    before = [variable.numpy().copy() for variable in model.non_trainable_variables]
    mc_dropout_samples(model, np.random.default_rng(0).normal(5.0, 2.0, size=(30, 3)), 4)
    after = [variable.numpy() for variable in model.non_trainable_variables]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_mc_accuracy_by_samples(blobs):
    x, y = blobs
    model = models.build_blob_classifier(rate=0.5, hidden_units=8, n_hidden_layers=2, seed=2)
    training.fit_fast(model, x, y, epochs=10, batch_size=60)
    counts = [1, 2, 5, 10]
    frame = mc_accuracy_by_samples(model, x, y, counts, seed=7)
    assert list(frame.columns) == ["n_samples", "mc_error", "weight_scaling_error"]
    assert frame["n_samples"].tolist() == counts
    predicted = (weight_scaling_predict(model, x)[:, 0] > 0.5).astype(int)
    assert frame["weight_scaling_error"].tolist() == [np.mean(predicted != y)] * len(counts)
    samples = mc_dropout_samples(model, x, 10, seed=7)[..., 0]
    for count, error in zip(counts, frame["mc_error"]):
        assert error == np.mean((samples[:count].mean(axis=0) > 0.5) != y)

    plain = models.build_blob_classifier(rate=0.0, hidden_units=8, n_hidden_layers=2, seed=2)
    frame = mc_accuracy_by_samples(plain, x, y.reshape(-1, 1), [1, 3])
    assert (frame["mc_error"] == frame["weight_scaling_error"]).all()


def test_mc_accuracy_accepts_one_hot_labels():
    rng = np.random.default_rng(0)
    x, labels = rng.uniform(0, 1, size=(40, 784)).astype("float32"), rng.integers(0, 10, size=40)
    model = models.build_mnist_mlp(rate=0.3, hidden_units=(16,), seed=0)
    by_label = mc_accuracy_by_samples(model, x, labels, [1, 4], seed=1)
    one_hot = mc_accuracy_by_samples(model, x, np.eye(10)[labels], [1, 4], seed=1)
    assert by_label.equals(one_hot)
