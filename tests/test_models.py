"""Tests of the Keras builders: architecture, seeds, and the dropout switch."""

import dropout_course

dropout_course.setup_notebook()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dropout_course import _compiled_loops, models  # noqa: E402

BUILDERS = {
    "regression": (models.build_regression_mlp, "rate", (1,)),
    "blob": (models.build_blob_classifier, "rate", (2,)),
    "mnist": (models.build_mnist_mlp, "rate", (784,)),
    "cnn": (models.build_small_cnn, "dense_rate", (28, 28, 1)),
}


def _count(model, layer_class):
    return sum(type(layer) is layer_class for layer in model.layers)


def _weights_equal(first, second):
    a, b = first.get_weights(), second.get_weights()
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b))


def _inputs(shape, n=8, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, size=(n, *shape)).astype("float32")


@pytest.mark.parametrize(
    ("builder", "kwargs", "n_dense", "n_dropout", "n_params"),
    [
        # 1*128+128 + 128*128+128 + 128+1
        (models.build_regression_mlp, {}, 3, 0, 16897),
        (models.build_regression_mlp, {"rate": 0.2}, 3, 2, 16897),
        # 2*64+64 + 3*(64*64+64) + 64+1
        (models.build_blob_classifier, {}, 5, 0, 12737),
        (models.build_blob_classifier, {"rate": 0.5}, 5, 4, 12737),
        # 784*128+128 + 128*64+64 + 64*10+10
        (models.build_mnist_mlp, {}, 3, 0, 109386),
        (models.build_mnist_mlp, {"rate": 0.3}, 3, 2, 109386),
        (models.build_mnist_mlp, {"rate": 0.3, "input_rate": 0.2}, 3, 3, 109386),
        (models.build_mnist_mlp, {"input_rate": 0.2, "api": "functional"}, 3, 1, 109386),
        # conv 3*3*1*16+16, conv 3*3*16*32+32, dense 5*5*32*64+64, output 64*10+10
        (models.build_small_cnn, {}, 2, 0, 56714),
        (models.build_small_cnn, {"dense_rate": 0.5}, 2, 1, 56714),
        (models.build_small_cnn, {"conv_rate": 0.1, "dense_rate": 0.5}, 2, 3, 56714),
    ],
)
def test_architecture_and_dropout_present_iff_rate_positive(
    builder, kwargs, n_dense, n_dropout, n_params
):
    model = builder(**kwargs)
    assert _count(model, keras.layers.Dense) == n_dense
    assert _count(model, keras.layers.Dropout) == n_dropout
    assert model.count_params() == n_params
    assert model.compiled
    assert isinstance(model.optimizer, keras.optimizers.Adam)


def test_architecture_details():
    model = models.build_regression_mlp(hidden_units=8, n_hidden_layers=3)
    assert [layer.units for layer in model.layers] == [8, 8, 8, 1]
    assert model.layers[-1].activation is keras.activations.linear
    assert model.loss == "mse"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)

    blob = models.build_blob_classifier(rate=0.5)
    assert blob.layers[-1].activation is keras.activations.sigmoid
    rates = [layer.rate for layer in blob.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.5] * 4

    mnist = models.build_mnist_mlp(rate=0.3, input_rate=0.2, hidden_units=(32,))
    assert isinstance(mnist.layers[0], keras.layers.Dropout) and mnist.layers[0].rate == 0.2
    assert mnist.layers[-1].activation is keras.activations.softmax
    assert mnist.loss == "sparse_categorical_crossentropy"

    cnn = models.build_small_cnn(conv_rate=0.2, spatial=True)
    assert _count(cnn, keras.layers.SpatialDropout2D) == 2
    assert _count(cnn, keras.layers.Conv2D) == 2 and _count(cnn, keras.layers.MaxPooling2D) == 2
    assert cnn.output_shape == (None, 10)


def test_mnist_regularizers():
    plain = models.build_mnist_mlp()
    assert plain.losses == []
    penalized = models.build_mnist_mlp(kernel_l2=0.01, max_norm=3.0)
    hidden = [layer for layer in penalized.layers if layer.name.startswith("hidden")]
    assert len(penalized.losses) == len(hidden) == 2
    expected = sum(0.01 * np.sum(layer.kernel.numpy() ** 2) for layer in hidden)
    assert float(sum(penalized.losses)) == pytest.approx(expected, rel=1e-5)
    assert all(isinstance(layer.kernel_constraint, keras.constraints.MaxNorm) for layer in hidden)
    assert penalized.layers[-1].kernel_constraint is None


@pytest.mark.parametrize("name", list(BUILDERS))
def test_same_seed_same_initial_weights_with_and_without_dropout(name):
    builder, rate_name, _ = BUILDERS[name]
    without = builder(seed=7)
    with_dropout = builder(seed=7, **{rate_name: 0.5})
    assert _weights_equal(without, with_dropout)
    assert not _weights_equal(without, builder(seed=8))


def test_input_and_conv_dropout_do_not_shift_weight_seeds():
    assert _weights_equal(
        models.build_mnist_mlp(seed=3), models.build_mnist_mlp(seed=3, input_rate=0.2, rate=0.5)
    )
    assert _weights_equal(
        models.build_small_cnn(seed=3), models.build_small_cnn(seed=3, conv_rate=0.3, spatial=True)
    )


@pytest.mark.parametrize("training", [False, True])
def test_sequential_and_functional_are_bit_identical(training):
    x = _inputs((784,), n=16)
    kwargs = {"rate": 0.3, "input_rate": 0.2, "kernel_l2": 1e-3, "seed": 11}
    sequential = models.build_mnist_mlp(api="sequential", **kwargs)
    functional = models.build_mnist_mlp(api="functional", **kwargs)
    assert isinstance(sequential, keras.Sequential) and not isinstance(functional, keras.Sequential)
    assert _weights_equal(sequential, functional)
    # With training=True this also checks that the dropout masks agree.
    np.testing.assert_array_equal(
        sequential(x, training=training).numpy(), functional(x, training=training).numpy()
    )


@pytest.mark.parametrize("name", list(BUILDERS))
def test_seed_makes_dropout_masks_reproducible(name):
    builder, rate_name, shape = BUILDERS[name]
    x = _inputs(shape)
    first = builder(seed=5, **{rate_name: 0.5})(x, training=True).numpy()
    again = builder(seed=5, **{rate_name: 0.5})(x, training=True).numpy()
    other = builder(seed=6, **{rate_name: 0.5})
    other.set_weights(builder(seed=5).get_weights())  # same weights, other masks
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other(x, training=True).numpy())


def test_small_cnn_input_shape():
    # half-resolution digits: 14 -> conv 12 -> pool 6 -> conv 4 -> pool 2, so 2*2*32 features
    small = models.build_small_cnn(input_shape=(14, 14, 1), conv_rate=0.2, spatial=True, seed=3)
    assert small.input_shape == (None, 14, 14, 1)
    assert small.get_layer("flatten").output.shape == (None, 2 * 2 * 32)
    # conv 3*3*1*16+16, conv 3*3*16*32+32, dense 2*2*32*64+64, output 64*10+10
    assert small.count_params() == 160 + 4640 + 8256 + 650
    assert small.predict(_inputs((14, 14, 1)), verbose=0).shape == (8, 10)
    # the default is unchanged, and the convolution weights do not depend on the input size
    default = models.build_small_cnn(seed=3)
    assert default.input_shape == (None, 28, 28, 1)
    for name in ("conv_1", "conv_2"):
        np.testing.assert_array_equal(
            small.get_layer(name).kernel.numpy(), default.get_layer(name).kernel.numpy()
        )


# --------------------------------------------------------------------------
# VariableDropout: keras.layers.Dropout with its rate in a variable
# --------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.45, 0.5, 0.67, 0.9])
def test_variable_dropout_is_bit_identical_to_keras_dropout(rate):
    x = _inputs((300,), n=64)
    keras_layer = keras.layers.Dropout(rate, seed=123)
    variable_layer = models.VariableDropout(rate, seed=123)
    for _ in range(3):  # successive calls draw successive masks in both
        expected = keras_layer(x, training=True).numpy()
        assert np.array_equal(variable_layer(x, training=True).numpy(), expected)
    assert np.array_equal(variable_layer(x, training=False).numpy(), x)
    assert variable_layer.rate == rate


def test_variable_dropout_rate_zero_is_the_identity_and_rate_can_be_set():
    x = _inputs((50,), n=16)
    layer = models.VariableDropout(0.0, seed=1)
    assert np.array_equal(layer(x, training=True).numpy(), x)
    layer.rate = 0.5
    out = layer(x, training=True).numpy()
    assert set(np.unique(out[x > 0] / x[x > 0]).round(6)) <= {0.0, 2.0}
    assert 0.3 < np.mean(out == 0) < 0.7
    with pytest.raises(ValueError, match="rate"):
        layer.rate = 1.0
    with pytest.raises(ValueError, match="rate"):
        models.VariableDropout(-0.1)


def test_variable_dropout_config_round_trip_keeps_the_rate():
    layer = models.VariableDropout(0.3, seed=4, name="drop")
    layer.rate = 0.35  # the rate set after construction is the one kept
    config = layer.get_config()
    assert config["rate"] == 0.35 and config["seed"] == 4
    clone = models.VariableDropout.from_config(config)
    assert clone.rate == 0.35 and clone.seed == 4 and clone.name == "drop"
    x = _inputs((40,), n=8)
    assert np.array_equal(clone(x, training=True).numpy(), layer(x, training=True).numpy())
    # and through Keras' own serialization, as model saving uses it
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer) and restored.rate == 0.35


def _sweep_model(layer_factory, rate, seed=0):
    model = keras.Sequential(
        [
            keras.Input(shape=(6,), name="input"),
            keras.layers.Dense(
                16,
                activation="relu",
                name="hidden",
                kernel_initializer=keras.initializers.GlorotUniform(seed),
            ),
            layer_factory(rate, seed=seed + 1, name="dropout"),
            keras.layers.Dense(
                3,
                activation="softmax",
                name="output",
                kernel_initializer=keras.initializers.GlorotUniform(seed + 2),
            ),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def test_variable_dropout_trains_like_keras_dropout_and_shares_one_loop():
    from dropout_course import training

    x = _inputs((6,), n=40)
    y = np.arange(40) % 3
    for rate in (0.2, 0.6):
        fit = dict(epochs=5, batch_size=8)
        reference = training.fit_fast(_sweep_model(keras.layers.Dropout, rate), x, y, **fit)
        variable = training.fit_fast(_sweep_model(models.VariableDropout, rate), x, y, **fit)
        assert all(np.array_equal(reference[key], variable[key]) for key in reference)
    # further rates and seeds re-use the loop traced for the first VariableDropout model
    traces = _compiled_loops.TRACE_COUNT
    for rate, seed in ((0.0, 0), (0.35, 1), (0.8, 2)):
        model = _sweep_model(models.VariableDropout, rate, seed)
        training.fit_fast(model, x, y, epochs=2, batch_size=8)
    assert _compiled_loops.TRACE_COUNT == traces


# ------------------------------------------------------ networks side by side


def _regression_data(seed, n=16):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 1)).astype("float32")
    return x, (x[:, 0] ** 2 + 0.1 * rng.normal(size=n)).astype("float32")


def test_regression_stack_trains_each_network_as_it_would_train_alone():
    """The multi-seed runner's promise: without dropout, network k of the stack,
    trained full batch, ends where build_regression_mlp(seed=k) trained alone ends."""
    from dropout_course.training import fit_fast, predict_fast

    seeds, epochs = [3, 5, 3], 40
    data = [_regression_data(k) for k in range(len(seeds))]
    stack = models.build_regression_stack(seeds, [0.0] * len(seeds), hidden_units=16)
    x = np.stack([part[0] for part in data])
    fit_fast(
        stack,
        x,
        np.stack([part[1] for part in data]),
        epochs=epochs,
        batch_size=len(seeds),
        shuffle=False,
    )
    together = predict_fast(stack, x)
    for k, (seed, (x_k, y_k)) in enumerate(zip(seeds, data)):
        alone = models.build_regression_mlp(seed=seed, hidden_units=16)
        fit_fast(alone, x_k, y_k, epochs=epochs, batch_size=len(x_k), shuffle=False)
        np.testing.assert_allclose(
            together[k], predict_fast(alone, x_k)[:, 0], rtol=1e-4, atol=1e-5
        )


def test_regression_stack_starts_from_the_separate_networks_weights():
    stack = models.build_regression_stack([0, 7], [0.5, 0.0], n_hidden_layers=3, hidden_units=8)
    assert [layer.name for layer in stack.layers[:2]] == ["hidden_1", "dropout_1"]
    for k, seed in enumerate([0, 7]):
        alone = models.build_regression_mlp(seed=seed, hidden_units=8, n_hidden_layers=3)
        for stacked, single in zip(stack.get_weights(), alone.get_weights()):
            np.testing.assert_array_equal(stacked[k].reshape(single.shape), single)


def test_regression_stack_dropout_has_each_networks_rate_and_is_off_at_inference():
    stack = models.build_regression_stack([0, 1], [0.0, 0.5], hidden_units=8)
    dropout = stack.get_layer("dropout_1")
    ones = np.ones((2, 4000, 8), dtype="float32")
    dropped = np.asarray(dropout(ones, training=True))
    np.testing.assert_array_equal(dropped[0], 1.0)  # rate 0: untouched
    assert set(np.unique(dropped[1])) == {0.0, 2.0}  # inverted: kept / (1 - rate)
    assert abs(np.mean(dropped[1] == 0) - 0.5) < 0.03
    np.testing.assert_array_equal(np.asarray(dropout(ones, training=False)), ones)


def test_stacked_layers_config_round_trip():
    stack = models.build_regression_stack([0, 1], [0.2, 0.3], hidden_units=4)
    for name in ("hidden_2", "dropout_2"):
        layer = stack.get_layer(name)
        config = layer.get_config()
        copy = type(layer).from_config(config)
        assert copy.get_config() == config
