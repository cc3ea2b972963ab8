"""Tests of the fast trainer: equivalence with model.fit, seeds, inference helpers."""

import dropout_course

dropout_course.setup_notebook()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from dropout_course import _compiled_loops, models  # noqa: E402
from dropout_course._validation import InvalidParameterError  # noqa: E402
from dropout_course.training import (  # noqa: E402
    evaluate_loss,
    evaluate_metrics,
    evaluate_with_weights,
    fit_fast,
    predict_fast,
)

# Agreement with model.fit. On this machine the results are bit-identical
# (the same Keras train_step/test_step run on the same batches); the tolerance
# leaves room only for a platform that rounds differently between two graphs.
RTOL = 1e-6


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, size=70)
    points = rng.normal(0, 0.4, size=(70, 2)) + labels[:, None] * np.array([0.8, 0.3])
    # 50 training points in batches of 16: three full batches and a partial one.
    return points[:50], labels[:50], points[50:], labels[50:]


@pytest.fixture(scope="module")
def digits():
    rng = np.random.default_rng(1)
    return rng.uniform(0, 1, size=(60, 784)).astype("float32"), rng.integers(0, 10, size=60)


def _small_blob_model(rate, seed=0):
    return models.build_blob_classifier(rate=rate, hidden_units=16, n_hidden_layers=2, seed=seed)


def _assert_same_training(keras_history, fast_history, keras_model, fast_model):
    assert sorted(fast_history) == sorted(keras_history)
    for key, values in keras_history.items():
        assert fast_history[key].shape == (len(values),)
        np.testing.assert_allclose(fast_history[key], values, rtol=RTOL, atol=0, err_msg=key)
    for keras_weight, fast_weight in zip(keras_model.get_weights(), fast_model.get_weights()):
        np.testing.assert_allclose(fast_weight, keras_weight, rtol=RTOL, atol=1e-7)
    optimizer_state = zip(keras_model.optimizer.variables, fast_model.optimizer.variables)
    for keras_variable, fast_variable in optimizer_state:
        np.testing.assert_allclose(
            fast_variable.numpy(), keras_variable.numpy(), rtol=RTOL, atol=1e-7
        )


@pytest.mark.parametrize("rate", [0.0, 0.4])
def test_fit_fast_matches_model_fit(blobs, rate):
    x, y, x_val, y_val = blobs
    keras_model, fast_model = _small_blob_model(rate, seed=3), _small_blob_model(rate, seed=3)
    keras_history = keras_model.fit(
        x, y, epochs=4, batch_size=16, validation_data=(x_val, y_val), shuffle=False, verbose=0
    ).history
    fast_history = fit_fast(
        fast_model, x, y, epochs=4, batch_size=16, validation_data=(x_val, y_val), shuffle=False
    )
    assert list(fast_history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    _assert_same_training(keras_history, fast_history, keras_model, fast_model)
    # A second call continues from the same optimizer and dropout state, as fit does.
    keras_history = keras_model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    fast_history = fit_fast(fast_model, x, y, epochs=2, batch_size=16, shuffle=False)
    _assert_same_training(keras_history, fast_history, keras_model, fast_model)


def test_fit_fast_matches_model_fit_with_l2_input_dropout_and_max_norm(digits):
    x, y = digits
    kwargs = {
        "rate": 0.3,
        "input_rate": 0.2,
        "hidden_units": (16,),
        "kernel_l2": 0.01,
        "max_norm": 0.5,
    }
    keras_model = models.build_mnist_mlp(seed=2, **kwargs)
    fast_model = models.build_mnist_mlp(seed=2, **kwargs)
    keras_history = keras_model.fit(
        x[:40],
        y[:40],
        epochs=3,
        batch_size=32,
        validation_data=(x[40:], y[40:]),
        shuffle=False,
        verbose=0,
    ).history
    fast_history = fit_fast(
        fast_model, x[:40], y[:40], epochs=3, validation_data=(x[40:], y[40:]), shuffle=False
    )
    _assert_same_training(keras_history, fast_history, keras_model, fast_model)


def test_loop_is_traced_once_and_shared_across_seeds(blobs):
    x, y, x_val, y_val = blobs
    fit_fast(_small_blob_model(0.4, seed=20), x, y, epochs=1, validation_data=(x_val, y_val))
    traces = _compiled_loops.TRACE_COUNT
    # Another seed of the same architecture, another data size and number of
    # epochs: the loop traced on the first model is re-used ...
    shared = _small_blob_model(0.4, seed=21)
    three_epochs = dict(epochs=3, batch_size=16, validation_data=(x_val, y_val), shuffle=False)
    fast_history = fit_fast(shared, x[:45], y[:45], **three_epochs)
    assert _compiled_loops.TRACE_COUNT == traces
    # ... and gives exactly what model.fit gives for that seed.
    keras_model = _small_blob_model(0.4, seed=21)
    keras_history = keras_model.fit(x[:45], y[:45], verbose=0, **three_epochs).history
    _assert_same_training(keras_history, fast_history, keras_model, shared)
    fit_fast(shared, x, y, epochs=2, validation_data=(x_val, y_val))
    assert _compiled_loops.TRACE_COUNT == traces


def test_sharing_leaves_the_first_model_untouched(blobs):
    x, y, _, _ = blobs
    first = _small_blob_model(0.4, seed=30)
    fit_fast(first, x, y, epochs=1)
    before = [variable.numpy().copy() for variable in first.variables + first.optimizer.variables]
    fit_fast(_small_blob_model(0.4, seed=31), x, y, epochs=3)
    after = [variable.numpy().copy() for variable in first.variables + first.optimizer.variables]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_shuffling_is_reproducible_and_seeded(blobs):
    x, y, _, _ = blobs

    def history(seed, shuffle=True):
        model = _small_blob_model(0.0)
        return fit_fast(model, x, y, epochs=3, batch_size=16, shuffle=shuffle, seed=seed)["loss"]

    np.testing.assert_array_equal(history(1), history(1))
    assert not np.array_equal(history(1), history(2))
    assert not np.array_equal(history(1), history(1, shuffle=False))


def test_fit_fast_learns_a_learnable_problem():
    x = np.linspace(-1, 1, 40).reshape(-1, 1)
    model = models.build_regression_mlp(hidden_units=16, seed=0)
    history = fit_fast(model, x, 0.8 * x, epochs=60, batch_size=40)
    assert history["loss"][-1] < 0.05 * history["loss"][0]
    assert evaluate_loss(model, x, 0.8 * x) < 1e-3


def test_zero_epochs_trains_nothing(blobs):
    x, y, x_val, y_val = blobs
    model = _small_blob_model(0.4)
    weights = model.get_weights()
    history = fit_fast(model, x, y, epochs=0, validation_data=(x_val, y_val))
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(values.shape == (0,) for values in history.values())
    assert all(np.array_equal(a, b) for a, b in zip(weights, model.get_weights()))


def test_evaluate_and_predict_match_keras(blobs):
    x, y, x_val, y_val = blobs
    model = _small_blob_model(0.4)
    fit_fast(model, x, y, epochs=2)
    keras_logs = model.evaluate(x_val, y_val, batch_size=4, verbose=0, return_dict=True)
    assert evaluate_metrics(model, x_val, y_val, batch_size=4) == keras_logs
    assert evaluate_loss(model, x_val, y_val, batch_size=4) == keras_logs["loss"]
    assert evaluate_loss(model, x_val, y_val) == pytest.approx(keras_logs["loss"], rel=1e-6)
    np.testing.assert_array_equal(
        predict_fast(model, x_val, batch_size=8), model.predict(x_val, batch_size=8, verbose=0)
    )
    traces = _compiled_loops.TRACE_COUNT
    assert predict_fast(model, x[:13]).shape == (13, 1)  # a new size does not trace again
    assert _compiled_loops.TRACE_COUNT == traces


def test_recompiling_is_honoured(blobs):
    x, y, _, _ = blobs
    _compiled_loops.RUNNERS.clear()  # make `first` the owner of its architecture's loop

    def recompiled(model):
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["accuracy"])
        return model

    first = _small_blob_model(0.4, seed=40)
    fit_fast(first, x, y, epochs=1)
    recompiled(first)
    # Another model of the compiled-with-Adam architecture must not run the
    # owner's old loop with its new optimizer, nor the owner the stale loop.
    other, other_reference = _small_blob_model(0.4, seed=41), _small_blob_model(0.4, seed=41)
    _assert_same_training(
        other_reference.fit(x, y, epochs=2, shuffle=False, verbose=0).history,
        fit_fast(other, x, y, epochs=2, shuffle=False),
        other_reference,
        other,
    )
    reference = _small_blob_model(0.4, seed=40)
    reference.fit(x, y, epochs=1, shuffle=False, verbose=0)
    # Keras' first fit shuffles; replay fit_fast's batches instead.
    reference.set_weights(first.get_weights())
    recompiled(reference)
    for generator, source in zip(
        [v for v in reference.variables if "seed_generator" in v.path],
        [v for v in first.variables if "seed_generator" in v.path],
    ):
        generator.assign(source.value)
    _assert_same_training(
        reference.fit(x, y, epochs=2, shuffle=False, verbose=0).history,
        fit_fast(first, x, y, epochs=2, shuffle=False),
        reference,
        first,
    )


def test_learning_rates_share_a_loop_and_stay_exact():
    x = np.linspace(-1, 1, 24).reshape(-1, 1)
    y = np.sin(3 * x)
    fit_fast(
        models.build_regression_mlp(rate=0.2, hidden_units=8, learning_rate=0.003), x, y, epochs=1
    )
    traces = _compiled_loops.TRACE_COUNT
    fast = models.build_regression_mlp(rate=0.2, hidden_units=8, learning_rate=0.05, seed=1)
    reference = models.build_regression_mlp(rate=0.2, hidden_units=8, learning_rate=0.05, seed=1)
    fast_history = fit_fast(fast, x, y, epochs=3, batch_size=10, shuffle=False)
    assert _compiled_loops.TRACE_COUNT == traces
    keras_history = reference.fit(x, y, epochs=3, batch_size=10, shuffle=False, verbose=0).history
    _assert_same_training(keras_history, fast_history, reference, fast)


@pytest.fixture
def public_api_only(monkeypatch):
    """Run as if Keras had dropped every internal the trainer uses."""
    monkeypatch.setattr(_compiled_loops, "USE_KERAS_INTERNALS", False)
    monkeypatch.setattr(_compiled_loops, "RUNNERS", type(_compiled_loops.RUNNERS)())


def _train_and_sample(x, y, x_val, y_val):
    from dropout_course.evaluation import mc_dropout_samples

    results = []
    for seed in (7, 8):  # two seeds: with the internals the second shares the first's loop
        model = _small_blob_model(0.4, seed=seed)
        history = fit_fast(
            model, x, y, epochs=3, batch_size=16, validation_data=(x_val, y_val), seed=seed
        )
        results.append(
            (
                history,
                model.get_weights(),
                [v.numpy() for v in model.optimizer.variables],
                evaluate_metrics(model, x_val, y_val),
                predict_fast(model, x_val),
                mc_dropout_samples(model, x_val, n_samples=4, seed=seed),
            )
        )
    return results


def _assert_bit_identical(first, second):
    for (h1, w1, o1, e1, p1, m1), (h2, w2, o2, e2, p2, m2) in zip(first, second):
        assert sorted(h1) == sorted(h2) and all(np.array_equal(h1[key], h2[key]) for key in h1)
        assert all(np.array_equal(a, b) for a, b in zip(w1, w2)) and len(w1) == len(w2)
        assert all(np.array_equal(a, b) for a, b in zip(o1, o2)) and len(o1) == len(o2)
        assert e1 == e2
        assert np.array_equal(p1, p2) and np.array_equal(m1, m2)


def test_public_api_fallback_gives_bit_identical_results(blobs, monkeypatch):
    x, y, x_val, y_val = blobs
    with_internals = _train_and_sample(x, y, x_val, y_val)
    traces = _compiled_loops.TRACE_COUNT
    monkeypatch.setattr(_compiled_loops, "USE_KERAS_INTERNALS", False)
    monkeypatch.setattr(_compiled_loops, "RUNNERS", type(_compiled_loops.RUNNERS)())
    public_only = _train_and_sample(x, y, x_val, y_val)
    # The fallback shares no loop between models: each of the two traces its own.
    assert _compiled_loops.TRACE_COUNT - traces >= 2 * 3
    _assert_bit_identical(with_internals, public_only)


def test_the_internals_switch_is_the_only_gate(blobs, public_api_only):
    model = _small_blob_model(0.4, seed=9)
    assert not _compiled_loops.uses_keras_internals(model)
    assert _compiled_loops._architecture_key(model) is None
    # The public walk finds the same dropout generators, in the same order, as Keras' own list.
    public = [id(state) for state in _compiled_loops.seed_generator_states(model)]
    _compiled_loops.USE_KERAS_INTERNALS = True
    assert public == [id(state) for state in _compiled_loops.seed_generator_states(model)]
    assert len(public) == 2  # one per Dropout layer


# --------------------------------------------------------------------------
# Seeds on several threads (experiments.run_seeds(threads=...))
# --------------------------------------------------------------------------


def _seed_experiment(x, y, x_val, y_val, trained):
    """Trains two architectures per seed; later reads the seed's first model again."""
    from dropout_course.evaluation import mc_dropout_samples

    def experiment(seed):
        rows = []
        for rate in (0.0, 0.4):
            if (seed, rate) in trained:  # trained by an earlier call: only read it
                model = trained[seed, rate]
            else:
                model = trained[seed, rate] = _small_blob_model(rate, seed=seed)
                fit_fast(model, x, y, epochs=4, batch_size=16, seed=seed)
            fit_fast(_small_blob_model(rate, seed=seed + 100), x, y, epochs=2, seed=seed)
            samples = mc_dropout_samples(model, x_val, n_samples=3, seed=seed)
            rows.append(
                {
                    "rate": rate,
                    **evaluate_metrics(model, x_val, y_val),
                    "prediction": float(predict_fast(model, x_val).sum()),
                    "mc": float(samples.sum()),
                }
            )
        return rows

    return experiment


def test_seeds_on_two_threads_give_the_sequential_table_bit_for_bit(blobs):
    from dropout_course.experiments import run_seeds

    x, y, x_val, y_val = blobs
    seeds = range(5)
    sequential_models, threaded_models = {}, {}
    sequential = run_seeds(_seed_experiment(x, y, x_val, y_val, sequential_models), seeds)
    threaded = run_seeds(_seed_experiment(x, y, x_val, y_val, threaded_models), seeds, threads=2)
    pd.testing.assert_frame_equal(threaded, sequential, check_exact=True)
    # A second threaded call reads the models the first one trained while
    # other seeds train models of the same architectures.
    again = run_seeds(_seed_experiment(x, y, x_val, y_val, threaded_models), seeds, threads=2)
    pd.testing.assert_frame_equal(again, sequential, check_exact=True)
    for key, model in sequential_models.items():
        assert all(
            np.array_equal(a, b)
            for a, b in zip(model.get_weights(), threaded_models[key].get_weights())
        )


def test_threads_share_one_trace_and_the_copy_fallback_gives_the_same_bits(blobs, monkeypatch):
    from dropout_course.experiments import map_on_threads

    x, y, x_val, y_val = blobs
    _compiled_loops.RUNNERS.clear()

    def train(seed):
        model = _small_blob_model(0.4, seed=seed)
        history = fit_fast(model, x, y, epochs=3, batch_size=16, seed=seed)
        return history["loss"], model.get_weights(), predict_fast(model, x_val)

    sequential = [train(seed) for seed in range(4)]
    traces = _compiled_loops.TRACE_COUNT
    # The helper thread runs the loops the main thread traced, on its own models' variables.
    threaded = map_on_threads(train, range(4, 8), threads=2)
    assert _compiled_loops.TRACE_COUNT == traces
    # Without the substitution of captured variables (an older or newer
    # TensorFlow), the state is copied through the twin, one thread at a time.
    monkeypatch.setattr(_compiled_loops, "_capture_positions", lambda function, state: None)
    _compiled_loops.RUNNERS.clear()
    copied = map_on_threads(train, range(8), threads=2)
    for (l1, w1, p1), (l2, w2, p2) in zip(sequential + threaded, copied):
        assert np.array_equal(l1, l2) and np.array_equal(p1, p2)
        assert len(w1) == len(w2) and all(np.array_equal(a, b) for a, b in zip(w1, w2))


def test_map_on_threads_keeps_the_order_and_names_a_failing_item():
    from dropout_course.experiments import map_on_threads

    assert map_on_threads(lambda item: item * item, range(7), threads=2) == [
        item * item for item in range(7)
    ]
    assert map_on_threads(len, ["ab"], threads=3) == [2]

    def fails_on_three(item):
        if item == 3:
            raise ZeroDivisionError("item 3 fails")
        return item

    with pytest.raises(ZeroDivisionError, match="item 3 fails") as caught:
        map_on_threads(fails_on_three, range(6), threads=2)
    assert any("function(3), run by map_on_threads" in note for note in caught.value.__notes__)
    with pytest.raises(InvalidParameterError, match="global random generator.*map_on_threads"):
        map_on_threads(lambda item: np.random.rand(), range(4), threads=2)
    with pytest.raises(InvalidParameterError, match="function must be callable"):
        map_on_threads(3, range(4))


def test_threads_refuse_an_experiment_that_draws_from_a_global_generator():
    from dropout_course.experiments import run_seeds

    with pytest.raises(InvalidParameterError, match=r"global random generator.*threads=1"):
        run_seeds(lambda seed: {"draw": float(np.random.rand())}, range(3), threads=2)
    # one unseeded Keras layer is enough
    with pytest.raises(InvalidParameterError, match="global random generator"):
        run_seeds(
            lambda seed: {"n": len(keras.layers.Dropout(0.5).get_config())}, [0, 1], threads=2
        )
    # the same experiment on one thread is the learner's business
    assert len(run_seeds(lambda seed: {"draw": float(np.random.rand())}, range(3))) == 3


def test_an_error_on_a_thread_names_its_seed():
    from dropout_course.experiments import run_seeds

    def experiment(seed):
        if seed == 3:
            raise ZeroDivisionError("seed 3 fails")
        return {"value": seed}

    with pytest.raises(ZeroDivisionError, match="seed 3 fails") as caught:
        run_seeds(experiment, range(6), threads=2)
    assert any("experiment(seed=3)" in note for note in caught.value.__notes__)


class _UnregisteredDropout(keras.layers.Dropout):
    """A learner's own layer class, not registered with Keras' serialization."""


class _NoConfig(keras.layers.Layer):
    """A layer whose configuration cannot rebuild it (a required argument is missing)."""

    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        config = super().get_config()
        config.pop("factor", None)  # the mistake: from_config cannot rebuild the layer
        return config


def _custom_model(layer, seed):
    model = keras.Sequential(
        [
            keras.Input((2,), name="point"),
            keras.layers.Dense(
                8,
                activation="relu",
                name="hidden",
                kernel_initializer=keras.initializers.GlorotUniform(seed),
            ),
            layer,
            keras.layers.Dense(
                1,
                activation="sigmoid",
                name="out",
                kernel_initializer=keras.initializers.GlorotUniform(seed + 1),
            ),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def test_a_learners_own_layer_class_shares_a_loop_and_trains_exactly(blobs):
    x, y, _, _ = blobs

    def model(seed):
        return _custom_model(_UnregisteredDropout(0.3, seed=seed, name="mine"), seed)

    fit_fast(model(50), x, y, epochs=1)
    traces = _compiled_loops.TRACE_COUNT
    fast, reference = model(51), model(51)
    history = fit_fast(fast, x, y, epochs=2, batch_size=16, shuffle=False)
    assert _compiled_loops.TRACE_COUNT == traces  # the twin was built: no new trace
    keras_history = reference.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    _assert_same_training(keras_history, history, reference, fast)


def test_a_model_without_a_twin_trains_on_a_loop_of_its_own(blobs):
    x, y, _, _ = blobs
    first, fast, reference = (_custom_model(_NoConfig(2.0, name="double"), 52) for _ in range(3))
    fit_fast(first, x, y, epochs=1)
    # its configuration describes an architecture, but cannot rebuild the layer
    architecture = _compiled_loops._architecture_key(first)
    assert architecture in _compiled_loops._NO_TWIN and first in _compiled_loops._UNSHARED
    history = fit_fast(fast, x, y, epochs=2, batch_size=16, shuffle=False)
    assert fast in _compiled_loops._UNSHARED  # not tried again
    keras_history = reference.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    _assert_same_training(keras_history, history, reference, fast)


def test_a_plain_evaluator_scores_a_dropout_network_as_the_network_itself(blobs):
    # In inference mode dropout is the identity, so the network without its
    # dropout layers, carrying the trained weights, gives the same loss and
    # accuracy to the last bit; the trained network is left as it was.
    x_train, y_train, x_val, y_val = blobs
    trained = _small_blob_model(rate=0.4, seed=3)
    fit_fast(trained, x_train, y_train, epochs=3, batch_size=16, seed=3)
    weights = [w.copy() for w in trained.get_weights()]
    plain = _small_blob_model(rate=0.0, seed=9)
    assert evaluate_with_weights(trained, plain, x_val, y_val) == evaluate_metrics(
        trained, x_val, y_val
    )
    for before, after in zip(weights, trained.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_an_evaluator_of_another_shape_is_refused_naming_both_shapes(blobs):
    x_train, y_train, _, _ = blobs
    wider = models.build_blob_classifier(rate=0.0, hidden_units=8, n_hidden_layers=2, seed=0)
    expected = r"evaluator must hold the same weights.*\(2, 16\)"
    with pytest.raises(InvalidParameterError, match=expected):
        evaluate_with_weights(_small_blob_model(rate=0.4), wider, x_train, y_train)
