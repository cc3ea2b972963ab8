"""Keras builders with dropout switched on or off by one argument.

Every builder returns a *compiled* model. Switching dropout on changes nothing
else: the architecture, the initial weights for a given ``seed``, the
optimizer and the loss stay the same, so a comparison with and without dropout
measures dropout and nothing else.

How that is guaranteed:

* Dropout layers are added only when their ``rate`` is above zero. A Dropout
  layer has no weights, so both variants have the same weight list.
* Each weighted layer gets its own initializer seed, drawn from one stream of
  ``seed``; each dropout layer gets its mask seed from a second stream. Adding
  or removing a dropout layer therefore never shifts the seed of a weighted
  layer, and the same ``seed`` gives bit-identical initial weights with and
  without dropout (and in the Sequential and Functional forms of the MNIST
  model).
* Layers carry fixed names (``hidden_1``, ``dropout_1``, ``output``...). Two
  models built with the same arguments but different seeds then differ only in
  their seeds, which lets :func:`dropout_course.training.fit_fast` re-use one
  compiled training loop for all the seeds of an experiment.

:class:`VariableDropout` is ``keras.layers.Dropout`` with its rate held in a
variable instead of a Python number, so that models which differ only in
their rates share one compiled training loop (for rate sweeps).

:func:`build_regression_stack` puts many copies of the regression network
side by side in one model, each with its own seed, rate and data, trained
together by one call: a small network costs a training step its per-operation
overhead whatever its size, so twenty networks in one step cost little more
than one.

Notation: ``rate`` (and ``input_rate``, ``conv_rate``, ``dense_rate``) is the
DROP probability, as in Keras; the paper's retain probability is
``keep_prob = 1 - rate``.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence

import numpy as np

from ._validation import (
    Interval,
    Sizes,
    check,
    check_bool,
    check_choice,
    check_positive_int,
    check_rate,
    check_seed,
    fail,
)

__all__ = [
    "build_regression_mlp",
    "build_regression_stack",
    "build_blob_classifier",
    "build_mnist_mlp",
    "build_small_cnn",
    "VariableDropout",  # noqa: F822 (made on first access by __getattr__, after Keras is set up)
]

# Streams of the seed sequence: one for weight initializers, one for dropout
# masks, so that adding a dropout layer never changes an initializer's seed.
_INIT_STREAM = 0
_MASK_STREAM = 1


# What the builders' parameters accept, beside rates and seeds.
_POSITIVE = Interval(numbers.Real, 0, closed="neither")
_NON_NEGATIVE = Interval(numbers.Real, 0)
_WIDTHS = Sizes(1, min_length=1)
_IMAGE_SHAPE = Sizes(1, min_length=3, scalar=False)


def _fits_conv_blocks(shape, n_blocks: int) -> bool:
    """Whether an image of ``shape`` survives ``n_blocks`` conv3x3/pool2 blocks."""
    if len(shape) != 3:
        return False
    for side in shape[:2]:
        for _ in range(n_blocks):
            side = (side - 2) // 2  # a 3x3 'valid' convolution, then 2x2 pooling
            if side < 1:
                return False
    return True


class _Seeds:
    """Hands out the initializer and mask seeds of one model, in layer order."""

    def __init__(self, seed: int):
        self._seed = seed
        self._counts = {_INIT_STREAM: 0, _MASK_STREAM: 0}

    def _next(self, stream: int) -> int:
        index = self._counts[stream]
        self._counts[stream] += 1
        # SeedSequence spreads neighbouring seeds (0, 1, 2...) far apart, so
        # seed 1 is not seed 0 shifted by one layer.
        return int(np.random.SeedSequence([self._seed, stream, index]).generate_state(1)[0])

    def initializer(self):
        import keras

        return keras.initializers.GlorotUniform(seed=self._next(_INIT_STREAM))

    def mask(self) -> int:
        return self._next(_MASK_STREAM)


def _adam(learning_rate: float):
    import keras

    return keras.optimizers.Adam(learning_rate=learning_rate)


def _dense(units, activation, name, seeds: _Seeds, **kwargs):
    import keras

    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=seeds.initializer(),
        bias_initializer="zeros",
        name=name,
        **kwargs,
    )


def _mlp_layers(
    *,
    hidden_units,
    rate,
    seeds,
    input_rate=0.0,
    hidden_kwargs=None,
):
    """The hidden stack ``[Dropout] -> (Dense -> [Dropout]) * k`` as a layer list."""
    import keras

    layers = []
    if input_rate > 0:
        layers.append(keras.layers.Dropout(input_rate, seed=seeds.mask(), name="input_dropout"))
    else:
        seeds.mask()  # keep the hidden layers' mask seeds independent of input_rate
    for index, units in enumerate(hidden_units, start=1):
        layers.append(_dense(units, "relu", f"hidden_{index}", seeds, **(hidden_kwargs or {})))
        mask_seed = seeds.mask()
        if rate > 0:
            layers.append(keras.layers.Dropout(rate, seed=mask_seed, name=f"dropout_{index}"))
    return layers


def _sequential(input_shape, layers, name):
    import keras

    return keras.Sequential([keras.Input(shape=input_shape, name="input"), *layers], name=name)


def build_regression_mlp(
    *,
    rate=0.0,
    hidden_units=128,
    n_hidden_layers=2,
    learning_rate=0.01,
    seed=0,
):
    """Build the 1-D regression network of the Keras lecture notes.

    ``1 -> hidden_units relu -> ... -> 1 linear``, with a Dropout layer after
    every hidden layer when ``rate > 0``; Adam, mean squared error.

    Parameters
    ----------
    rate : float, default 0.0
        Drop probability of every hidden layer's dropout (Keras ``rate``;
        ``keep_prob = 1 - rate``). 0 builds the model without Dropout layers.
    hidden_units : int, default 128
        Width of each hidden layer.
    n_hidden_layers : int, default 2
        Number of hidden layers.
    learning_rate : float, default 0.01
        Adam's learning rate, the same with and without dropout.
    seed : int, default 0
        Seeds the initial weights and the dropout masks.

    Returns
    -------
    keras.Model
        Compiled with ``Adam(learning_rate)`` and ``loss="mse"`` (no extra
        metric: the loss *is* the MSE).

    Notes
    -----
    The notes (``dropouts_in_ann_notes`` in references.bib) train their model
    without dropout with ``Adam(0.01)`` but their model with dropout with
    ``optimizer='adam'``, i.e. Adam's default learning
    rate 0.001: a confound, since the two runs then differ in two things. This
    builder uses the same optimizer for both, so any difference is dropout's.
    """
    rate = check_rate(rate)
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    n_hidden_layers = check_positive_int(n_hidden_layers, "n_hidden_layers")
    learning_rate = check(learning_rate, "learning_rate", _POSITIVE)
    seed = check_seed(seed)

    seeds = _Seeds(seed)
    layers = _mlp_layers(hidden_units=(hidden_units,) * n_hidden_layers, rate=rate, seeds=seeds)
    layers.append(_dense(1, "linear", "output", seeds))
    model = _sequential((1,), layers, "regression_mlp")
    model.compile(optimizer=_adam(learning_rate), loss="mse")
    return model


def build_regression_stack(
    seeds, rates, *, learning_rate=0.01, hidden_units=128, n_hidden_layers=2
):
    """Build :func:`build_regression_mlp`'s network once per (seed, rate), side by side.

    Network ``k`` starts from the weights ``build_regression_mlp(seed=seeds[k])``
    gives, has its own dropout rate ``rates[k]`` (0: none), and sees only its
    own data: inputs of shape ``(networks, rows, 1)``, targets and outputs of
    shape ``(networks, rows)``. The loss is the **sum** of the networks' mean
    squared errors, so each network's gradient, and with Adam its whole
    training, is its own; trained full batch (``batch_size=networks``,
    ``shuffle=False``) each network follows the training it would have alone,
    up to float rounding (tests/test_models.py compares them). Only the dropout
    masks differ from the separate networks': they come from the stack's own
    random stream.

    Parameters
    ----------
    seeds : sequence of int
        One seed per network (repeats allowed: one seed at several rates).
    rates : sequence of float
        Drop probability of each network's hidden layers, in [0, 1), as many
        as ``seeds``.
    learning_rate : float, default 0.01
        Adam's learning rate, shared by the networks.
    hidden_units, n_hidden_layers : int, default 128, 2
        As for :func:`build_regression_mlp`.

    Returns
    -------
    keras.Model
        Compiled with ``Adam(learning_rate)`` and the summed mean squared error.
    """
    seeds = _sequence_of(seeds, "seeds", check_seed)
    rates = _sequence_of(rates, "rates", check_rate)
    if len(rates) != len(seeds):
        fail("rates", rates, f"one rate per seed ({len(seeds)} seeds)")
    learning_rate = check(learning_rate, "learning_rate", _POSITIVE)
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    n_hidden_layers = check_positive_int(n_hidden_layers, "n_hidden_layers")

    import keras

    stacked_dense, stacked_dropout = _stacked_layer_classes()
    n, width = len(seeds), hidden_units
    layers = [keras.Input((None, 1), name="x")]
    for k in range(1, n_hidden_layers + 1):
        fan_in = 1 if k == 1 else width
        layers.append(stacked_dense(n, fan_in, width, "relu", name=f"hidden_{k}"))
        layers.append(stacked_dropout(rates, seed=k, name=f"dropout_{k}"))
    layers.append(stacked_dense(n, width, 1, name="output"))
    layers.append(keras.layers.Reshape((-1,), name="squeeze"))  # (networks, rows)
    stack = keras.Sequential(layers, name="regression_stack")
    start = zip(*(_regression_weights(seed, width, n_hidden_layers) for seed in seeds))
    for variable, values in zip(stack.trainable_weights, start):
        variable.assign(np.stack(values).reshape(variable.shape))
    stack.compile(
        optimizer=_adam(learning_rate),
        loss=keras.losses.MeanSquaredError(reduction="sum"),
    )
    return stack


def _sequence_of(values, name, check_one):
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, range, np.ndarray)):
        fail(name, values, "a non-empty sequence (list, tuple, range or 1-D array)")
    values = [check_one(value, f"{name}[{k}]") for k, value in enumerate(values)]
    if not values:
        fail(name, values, "a non-empty sequence")
    return values


@functools.lru_cache(maxsize=256)
def _regression_weights(seed, hidden_units, n_hidden_layers):
    # the initial weights build_regression_mlp gives `seed` (the same at any rate)
    model = build_regression_mlp(
        seed=seed, hidden_units=hidden_units, n_hidden_layers=n_hidden_layers
    )
    return tuple(model.get_weights())


def build_blob_classifier(
    *,
    rate=0.0,
    hidden_units=64,
    n_hidden_layers=4,
    learning_rate=0.01,
    seed=0,
):
    """Build the binary classifier of the MXDL video lecture for the two blobs.

    ``2 -> n_hidden_layers x (hidden_units relu [-> Dropout]) -> 1 sigmoid``;
    Adam, binary cross-entropy, accuracy. The source deliberately uses many
    hidden layers for so simple a problem, to make over-fitting visible.

    Parameters
    ----------
    rate : float, default 0.0
        Drop probability after every hidden layer (Keras ``rate``; the source
        uses 0.5). 0 builds the model without Dropout layers.
    hidden_units : int, default 64
        Width of each hidden layer.
    n_hidden_layers : int, default 4
        Number of hidden layers.
    learning_rate : float, default 0.01
        Adam's learning rate.
    seed : int, default 0
        Seeds the initial weights and the dropout masks.

    Returns
    -------
    keras.Model
        Compiled with ``Adam(learning_rate)``, ``loss="binary_crossentropy"``
        and ``metrics=["accuracy"]``. Labels are 0/1, shape ``(n,)`` or
        ``(n, 1)``.
    """
    rate = check_rate(rate)
    hidden_units = check_positive_int(hidden_units, "hidden_units")
    n_hidden_layers = check_positive_int(n_hidden_layers, "n_hidden_layers")
    learning_rate = check(learning_rate, "learning_rate", _POSITIVE)
    seed = check_seed(seed)

    seeds = _Seeds(seed)
    layers = _mlp_layers(hidden_units=(hidden_units,) * n_hidden_layers, rate=rate, seeds=seeds)
    layers.append(_dense(1, "sigmoid", "output", seeds))
    model = _sequential((2,), layers, "blob_classifier")
    model.compile(optimizer=_adam(learning_rate), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def build_mnist_mlp(
    *,
    rate=0.0,
    input_rate=0.0,
    hidden_units=(128, 64),
    learning_rate=1e-3,
    kernel_l2=0.0,
    max_norm=None,
    seed=0,
    api="sequential",
):
    """Build the MNIST multilayer perceptron of the Keras lecture notes.

    ``784 -> [Dropout(input_rate)] -> 128 relu -> [Dropout(rate)] -> 64 relu
    -> [Dropout(rate)] -> 10 softmax``; Adam, sparse categorical
    cross-entropy, accuracy. Inputs are flattened images, shape ``(n, 784)``;
    labels are integers 0-9.

    Parameters
    ----------
    rate : float, default 0.0
        Drop probability after each hidden layer (Keras ``rate``; the source
        uses 0.3).
    input_rate : float, default 0.0
        Drop probability applied to the input pixels (the paper uses
        ``keep_prob = 0.8`` there, i.e. ``input_rate = 0.2``).
    hidden_units : sequence of int, default (128, 64)
        Widths of the hidden layers.
    learning_rate : float, default 1e-3
        Adam's learning rate.
    kernel_l2 : float, default 0.0
        L2 penalty factor on the hidden layers' kernels (the pro tip of the Keras
        lecture notes uses ``l2(0.01)``); 0 adds no regularizer. The penalty is part of the
        training loss (``model.losses``).
    max_norm : float or None, default None
        If given, a ``MaxNorm(max_norm)`` constraint on the incoming weight
        vector of every hidden unit, as in Srivastava et al. (2014).
    seed : int, default 0
        Seeds the initial weights and the dropout masks.
    api : {"sequential", "functional"}, default "sequential"
        Build with ``keras.Sequential`` (as the web lesson does) or the
        Functional API (as the course slide deck does). For the same seed both
        forms have bit-identical weights
        and predictions.

    Returns
    -------
    keras.Model
        Compiled with ``Adam(learning_rate)``,
        ``loss="sparse_categorical_crossentropy"`` and ``metrics=["accuracy"]``.
    """
    import keras

    rate = check_rate(rate)
    input_rate = check_rate(input_rate, "input_rate")
    hidden_units = check(hidden_units, "hidden_units", _WIDTHS)
    learning_rate = check(learning_rate, "learning_rate", _POSITIVE)
    kernel_l2 = check(kernel_l2, "kernel_l2", _NON_NEGATIVE)
    if max_norm is not None:
        max_norm = check(max_norm, "max_norm", _POSITIVE)
    seed = check_seed(seed)
    api = check_choice(api, "api", ("sequential", "functional"))

    hidden_kwargs = {}
    if kernel_l2 > 0:
        hidden_kwargs["kernel_regularizer"] = keras.regularizers.L2(kernel_l2)
    if max_norm is not None:
        hidden_kwargs["kernel_constraint"] = keras.constraints.MaxNorm(max_norm)

    seeds = _Seeds(seed)
    layers = _mlp_layers(
        hidden_units=hidden_units,
        rate=rate,
        seeds=seeds,
        input_rate=input_rate,
        hidden_kwargs=hidden_kwargs,
    )
    layers.append(_dense(10, "softmax", "output", seeds))
    if api == "sequential":
        model = _sequential((784,), layers, "mnist_mlp")
    else:
        inputs = keras.Input(shape=(784,), name="input")
        outputs = inputs
        for layer in layers:
            outputs = layer(outputs)
        model = keras.Model(inputs, outputs, name="mnist_mlp")
    model.compile(
        optimizer=_adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def build_small_cnn(
    *,
    conv_rate=0.0,
    dense_rate=0.0,
    spatial=False,
    filters=(16, 32),
    dense_units=64,
    learning_rate=1e-3,
    seed=0,
    input_shape=(28, 28, 1),
):
    """Build a small convolutional network for 28x28 grey-scale images.

    ``28x28x1 -> conv3x3 relu -> [Dropout | SpatialDropout2D] -> maxpool
    -> conv3x3 relu -> [Dropout | SpatialDropout2D] -> maxpool -> flatten
    -> dense relu -> [Dropout] -> 10 softmax``; Adam, sparse categorical
    cross-entropy, accuracy. Small enough to train on a CPU in seconds.

    Parameters
    ----------
    conv_rate : float, default 0.0
        Drop probability after each convolution (Keras ``rate``); 0 adds no
        dropout there.
    dense_rate : float, default 0.0
        Drop probability after the dense hidden layer.
    spatial : bool, default False
        After the convolutions, drop whole feature maps (``SpatialDropout2D``,
        one decision per channel and image) instead of single activations
        (``Dropout``). Only matters when ``conv_rate > 0``.
    filters : sequence of int, default (16, 32)
        Number of filters of each convolution (one conv/pool block each).
    dense_units : int, default 64
        Width of the dense hidden layer.
    learning_rate : float, default 1e-3
        Adam's learning rate.
    seed : int, default 0
        Seeds the initial weights and the dropout masks.
    input_shape : tuple of 3 int, default (28, 28, 1)
        ``(height, width, channels)`` of one image, e.g. ``(14, 14, 1)`` for
        digits at half resolution (four times less convolution work). Each
        conv/pool block needs a side of at least 4 at its input.

    Returns
    -------
    keras.Model
        Compiled with ``Adam(learning_rate)``,
        ``loss="sparse_categorical_crossentropy"`` and ``metrics=["accuracy"]``;
        inputs of shape ``(n, *input_shape)``, integer labels 0-9.
    """
    import keras

    conv_rate = check_rate(conv_rate, "conv_rate")
    dense_rate = check_rate(dense_rate, "dense_rate")
    spatial = check_bool(spatial, "spatial")
    filters = check(filters, "filters", _WIDTHS)
    dense_units = check_positive_int(dense_units, "dense_units")
    learning_rate = check(learning_rate, "learning_rate", _POSITIVE)
    seed = check_seed(seed)
    input_shape = check(input_shape, "input_shape", _IMAGE_SHAPE)
    if not _fits_conv_blocks(input_shape, len(filters)):
        fail(
            "input_shape",
            input_shape,
            "(height, width, channels), positive integers, with "
            f"height and width large enough for {len(filters)} conv3x3/pool2 blocks",
        )

    seeds = _Seeds(seed)
    layers = []
    for index, n_filters in enumerate(filters, start=1):
        layers.append(
            keras.layers.Conv2D(
                n_filters,
                3,
                activation="relu",
                kernel_initializer=seeds.initializer(),
                name=f"conv_{index}",
            )
        )
        mask_seed = seeds.mask()
        if conv_rate > 0:
            dropout_class = keras.layers.SpatialDropout2D if spatial else keras.layers.Dropout
            layers.append(dropout_class(conv_rate, seed=mask_seed, name=f"conv_dropout_{index}"))
        layers.append(keras.layers.MaxPooling2D(2, name=f"pool_{index}"))
    layers.append(keras.layers.Flatten(name="flatten"))
    layers.append(_dense(dense_units, "relu", "hidden", seeds))
    mask_seed = seeds.mask()
    if dense_rate > 0:
        layers.append(keras.layers.Dropout(dense_rate, seed=mask_seed, name="dropout"))
    layers.append(_dense(10, "softmax", "output", seeds))
    model = _sequential(input_shape, layers, "small_cnn")
    model.compile(
        optimizer=_adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


# --------------------------------------------------------------------------
# A dropout layer whose rate is a variable, for rate sweeps
# --------------------------------------------------------------------------


@functools.cache
def _variable_dropout_class():
    """Create the ``VariableDropout`` class on first use (Keras is imported lazily)."""
    import keras
    import tensorflow as tf

    @keras.saving.register_keras_serializable(package="dropout_course")
    class VariableDropout(keras.layers.Layer):
        """``keras.layers.Dropout`` whose rate is a variable: one compiled loop, any rate.

        In training mode each input is set to zero with probability ``rate``
        (the DROP probability, as in Keras; ``keep_prob = 1 - rate``) and
        the others are divided by ``1 - rate`` (inverted dropout); in
        inference mode the layer is the identity. For the same ``seed`` the
        masks and outputs are bit-identical to ``keras.layers.Dropout(rate,
        seed=seed)``: the layer runs the same TensorFlow operations on the
        same random numbers.

        The difference is where the rate lives. ``keras.layers.Dropout``
        bakes it into the traced graph as a constant, so every rate of a
        sweep costs a new trace of the training loop (about half a second
        on a two-core CPU). Here it is a non-trainable float64 weight
        (``rate == 0`` is allowed and passes inputs through unchanged), so
        :func:`dropout_course.training.fit_fast`, which copies variables
        into a shared loop, trains models that differ only in their rates
        with one compiled loop. Set it with ``layer.rate = 0.3``.
        :meth:`get_config` holds the rate, so ``from_config(get_config())``
        (and Keras' saving) gives a layer with the same rate.

        Parameters
        ----------
        rate : float, default 0.0
            Drop probability in [0, 1).
        seed : int, optional
            Seed of the masks, as for ``keras.layers.Dropout``.
        **kwargs
            Passed to ``keras.layers.Layer`` (e.g. ``name``).
        """

        def __init__(self, rate=0.0, seed=None, **kwargs):
            rate = check_rate(rate)
            if seed is not None:
                seed = check_seed(seed)
            super().__init__(**kwargs)
            self.seed = seed
            self.seed_generator = keras.random.SeedGenerator(seed)
            # float64 and no autocast, so that 1 / (1 - rate) is computed from
            # the same double as keras.layers.Dropout computes it from.
            self._rate = self.add_weight(
                shape=(),
                dtype="float64",
                initializer="zeros",
                trainable=False,
                autocast=False,
                name="rate",
            )
            self._rate.assign(rate)  # exact; an initializer would round via float32
            self.supports_masking = True
            self.built = True

        @property
        def rate(self) -> float:
            """The drop probability, a float in [0, 1)."""
            return float(self._rate.numpy())

        @rate.setter
        def rate(self, value):
            self._rate.assign(check_rate(value))

        def call(self, inputs, training=False):
            if not training:
                return inputs
            # Keras' TensorFlow backend: the next seed of the generator, as int32
            seed = self.seed_generator.next()
            if seed.dtype != tf.int32:
                seed = tf.cast(tf.math.floormod(seed, tf.int32.max - 1), tf.int32)
            # tf.nn.experimental.stateless_dropout's arithmetic, with the rate
            # read from the variable at run time
            dtype = inputs.dtype
            rate64 = tf.convert_to_tensor(self._rate.value)
            scale = tf.cast(
                tf.constant(1.0, tf.float64) / (tf.constant(1.0, tf.float64) - rate64), dtype
            )
            uniform = tf.random.stateless_uniform(tf.shape(inputs), seed=seed, dtype=dtype)
            keep = uniform >= tf.cast(rate64, dtype)
            return tf.where(keep, inputs * scale, tf.zeros_like(inputs))

        def compute_output_shape(self, input_shape):
            return input_shape

        def get_config(self):
            config = super().get_config()
            config["rate"] = self.rate
            config["seed"] = self.seed
            return config

    return VariableDropout


# --------------------------------------------------------------------------
# Layers of several networks side by side (build_regression_stack)
# --------------------------------------------------------------------------


@functools.cache
def _stacked_layer_classes():
    """Create the stacked Dense and Dropout classes on first use (Keras is imported lazily)."""
    import keras

    @keras.saving.register_keras_serializable(package="dropout_course")
    class StackedDense(keras.layers.Layer):
        """The Dense layers of several networks side by side, one per network.

        Inputs ``(networks, rows, fan_in)`` -> outputs ``(networks, rows, units)``:
        network k multiplies its own rows by its own kernel; nothing is shared.
        """

        def __init__(self, networks, fan_in, units, activation=None, **kwargs):
            super().__init__(**kwargs)
            self.networks, self.fan_in, self.units = networks, fan_in, units
            self.activation = keras.activations.get(activation)
            self.kernel = self.add_weight(shape=(networks, fan_in, units), name="kernel")
            self.bias = self.add_weight(shape=(networks, 1, units), name="bias")

        def call(self, inputs):
            return self.activation(keras.ops.matmul(inputs, self.kernel) + self.bias)

        def get_config(self):
            config = super().get_config()
            config.update(
                networks=self.networks,
                fan_in=self.fan_in,
                units=self.units,
                activation=keras.activations.serialize(self.activation),
            )
            return config

    @keras.saving.register_keras_serializable(package="dropout_course")
    class StackedDropout(keras.layers.Layer):
        """Dropout with a rate (Keras' drop probability) of its own for each network.

        In training mode each input of network k is zeroed with probability
        ``rates[k]`` and the others divided by ``1 - rates[k]``, as
        ``keras.layers.Dropout`` does; in inference mode the layer is the identity.
        """

        def __init__(self, rates, seed=None, **kwargs):
            super().__init__(**kwargs)
            self.rates, self.seed = [float(rate) for rate in rates], seed
            self.seed_generator = keras.random.SeedGenerator(seed)

        def call(self, inputs, training=False):
            if not training:
                return inputs
            rate = keras.ops.convert_to_tensor(self.rates, inputs.dtype)
            rate = keras.ops.reshape(rate, (-1, 1, 1))
            uniform = keras.random.uniform(keras.ops.shape(inputs), seed=self.seed_generator)
            return keras.ops.where(uniform >= rate, inputs / (1 - rate), 0.0)

        def get_config(self):
            config = super().get_config()
            config.update(rates=list(self.rates), seed=self.seed)
            return config

    return StackedDense, StackedDropout


def __getattr__(name):
    # ``models.VariableDropout`` creates the class on first access, after
    # setup_notebook() has configured TensorFlow.
    if name == "VariableDropout":
        return _variable_dropout_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
