"""The compiled loops behind :mod:`dropout_course.training` and :mod:`dropout_course.evaluation`.

Private: learners call ``fit_fast``, ``evaluate_metrics``, ``predict_fast`` and
the Monte-Carlo functions; this module is the machinery they share.

* :func:`run` calls a function traced once per architecture (one
  ``tf.function`` holding all epochs and batches as ``tf.while_loop``) for any
  model of that architecture, copying the model's state in and out;
* :func:`make_fit`, :func:`make_evaluate`, :func:`make_predict` write those
  loops around the model's own ``train_step``/``test_step``/call;
* :func:`build_for_training` creates the metric, loss and optimizer variables
  before tracing, as ``fit`` does in its first step.

Keras internals
---------------
Two things here are faster with Keras internals: building a model's metric
and loss variables from its symbolic output (``model._compile_metrics``,
``model._compile_loss``, ``model._symbolic_build``: milliseconds, against a
traced evaluation for the public route) and sharing one traced loop between
models of Keras' own Sequential and Functional classes (which relies on their
configuration describing the whole computation). :func:`uses_keras_internals`
is the one place that decides whether they are used. When an upgrade of
Keras removes one of them, or when :data:`USE_KERAS_INTERNALS` is False (the
tests set it), everything runs on Keras' public API: each model gets a loop of
its own and its variables are built by ``model.evaluate`` on one sample. The
numbers are the same to the last bit, only slower (the tests check this).
"""

from __future__ import annotations

import collections
import json
import numbers
import random
import threading
import weakref

from ._validation import InvalidParameterError

#: Traced loops kept alive at once (each holds a model and its graphs).
MAX_RUNNERS = 16

#: False forces the public-API path (tests use it to check that both paths agree).
USE_KERAS_INTERNALS = True

# How often a training/inference loop has been traced: lets the tests check
# that repeated calls and further seeds do not trace again.
TRACE_COUNT = 0

_SHAREABLE_CLASSES = (
    "keras.src.models.sequential.Sequential",
    "keras.src.models.functional.Functional",
)
_INTERNALS = ("_compile_metrics", "_compile_loss", "_symbolic_build", "_flatten_layers")


def uses_keras_internals(model) -> bool:
    """True when ``model`` may use the internal fast paths (see the module notes).

    The one function that depends on Keras internals: Keras' own Sequential or
    Functional class (whose ``get_config`` describes the whole computation,
    so two models with equal configurations can share a traced loop) and the
    private attributes used to build metrics without a traced call.
    """
    if not USE_KERAS_INTERNALS:
        return False
    cls = type(model)
    if f"{cls.__module__}.{cls.__qualname__}" not in _SHAREABLE_CLASSES:
        return False
    return all(hasattr(model, name) for name in _INTERNALS)


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
    if not uses_keras_internals(model):
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


def model_state(model):
    """Weights and dropout seed states (``model.variables`` includes both)."""
    return list(model.variables)


def training_state(model):
    state = list(model.variables) + list(model.metrics_variables)
    if model.optimizer is not None:
        state += list(model.optimizer.variables)
    return state


def evaluation_state(model):
    return list(model.variables) + list(model.metrics_variables)


def _same_layout(first, second) -> bool:
    return len(first) == len(second) and all(
        tuple(a.shape) == tuple(b.shape) and a.dtype == b.dtype for a, b in zip(first, second)
    )


class _Runner:
    """Traced functions bound to the variables of one model, their owner.

    A loop shared by an architecture is bound to a private *twin* of the first
    model trained with it (same configuration and compilation, variables of
    its own), never to a learner's model: a learner's model is read only
    when it is copied in and written only when it is copied back, so a model
    that another thread is evaluating is never overwritten in passing. A
    model with a loop of its own (``twin=False``) is its loop's owner.
    """

    def __init__(self, model, twin):
        self.owner = _twin(model) if twin else model
        self.compilation = _compilation(model)
        self.functions = {}
        # Held while the owner is prepared or a function traced (so that two
        # threads never trace the same loop twice), and around a call that
        # must copy state through the owner's variables (see run).
        self.lock = threading.RLock()

    def run(self, model, key, make, args, state, prepare=None):
        """Call the function ``key`` (traced by ``make`` on first use) for ``model``.

        ``make(owner, info)`` returns the Python function to trace; it may
        record facts found while tracing (e.g. metric names) in the dict
        ``info``, which is returned with the outputs. ``state(model)`` lists
        the variables the function reads or writes. When ``model`` is not the
        owner (the owner is then a twin), the function runs on ``model``'s
        own variables, passed in place of the owner's (see
        :func:`_capture_positions`); only if that is impossible are they
        copied into the owner's before the call and back afterwards.
        ``prepare``, if given, is applied to the owner first (it may have been
        traced for inference only, without its metric and optimizer variables).
        """
        with self.lock:
            if prepare is not None and model is not self.owner:
                prepare(self.owner)
            if key not in self.functions:
                info = {}
                function = self._trace(make, args, info)
                positions = _capture_positions(function, state(self.owner))
                self.functions[key] = (function, info, positions)
        function, info, positions = self.functions[key]
        if model is self.owner:
            return function(*args), info
        owner_state, model_state = state(self.owner), state(model)
        if not _same_layout(owner_state, model_state):
            raise _LayoutMismatch
        if positions is not None:
            # The owner's variables are not touched, so threads can run the
            # loop at once, each on its own model: one trace for all threads.
            handles = [variable.value.handle for variable in model_state]
            captured = [
                capture if position is None else handles[position]
                for position, capture in zip(positions, function.captured_inputs)
            ]
            return function._call_flat(list(args), captured), info
        with self.lock:  # the copies go through the owner: one thread at a time
            # The twin's own values are never needed again: each call copies in
            # the whole state the loop reads.
            for target, source in zip(owner_state, model_state):
                target.assign(source.value)
            outputs = function(*args)
            for target, source in zip(model_state, owner_state):
                target.assign(source.value)
        return outputs, info

    def _trace(self, make, args, info):
        import tensorflow as tf

        global TRACE_COUNT
        TRACE_COUNT += 1
        specs = [
            tf.TensorSpec(shape=[None, *arg.shape[1:]] if arg.shape.rank else [], dtype=arg.dtype)
            for arg in args
        ]
        # autograph=False: the loops are written with tf.while_loop directly,
        # and Keras' own Python control flow must stay Python.
        return tf.function(make(self.owner, info), autograph=False).get_concrete_function(*specs)


class _LayoutMismatch(Exception):
    """A model's variables do not line up with the shared runner's owner."""


#: The traced loops, most recently used last. They are shared by all
#: threads: a call for a model that is not a loop's owner runs on that
#: model's own variables (see :meth:`_Runner.run`), so a thread of
#: :func:`dropout_course.experiments.run_seeds` uses the loops another thread
#: traced instead of tracing its own (half a second or more per architecture,
#: most of it Python holding the interpreter lock, so two threads tracing at
#: once take twice as long).
RUNNERS: collections.OrderedDict = collections.OrderedDict()
# Guards RUNNERS (look-up, creation, eviction) across threads.
_RUNNERS_LOCK = threading.RLock()
# Models whose variables did not line up with their architecture's shared
# loop: they get loops of their own.
_UNSHARED: weakref.WeakSet = weakref.WeakSet()
# Architectures whose configuration could not rebuild a twin: their models
# get loops of their own without trying again.
_NO_TWIN: set = set()
# Building a twin may draw default seeds from Python's `random`; the lock
# keeps two threads from interleaving their save and restore of its state.
_TWIN_LOCK = threading.Lock()


def _capture_positions(function, owner_state):
    """Where each of ``function``'s captured inputs lies in ``owner_state``, or None.

    A traced function reads its owner's variables as captured inputs
    (resource handles passed with every call). Passing another model's
    handles in their place runs the very same graph on that model's
    variables: the result is bit for bit the one of copying the state in
    and out, without the copies and without touching the owner. Returns a
    list with, per captured input, the index of its variable in
    ``owner_state`` (``None`` for a captured constant, passed as is), or
    ``None`` when that is not possible: TensorFlow without the (private)
    ``_call_flat`` entry point, or a captured variable outside the state
    (it would be read from the owner); :meth:`_Runner.run` then copies.
    """
    import tensorflow as tf

    if not callable(getattr(function, "_call_flat", None)):
        return None
    try:
        index = {id(variable.value.handle): i for i, variable in enumerate(owner_state)}
        positions = []
        for capture in function.captured_inputs:
            if capture.dtype != tf.resource:
                positions.append(None)
            elif id(capture) in index:
                positions.append(index[id(capture)])
            else:
                return None
    except Exception:  # a variable without a handle, a capture without a dtype
        return None
    return positions


def _twin(model):
    """A model with ``model``'s configuration and compilation, and variables of its own.

    Its initial values do not matter (every call copies the state in). Building
    it must not change what comes after: a layer or initializer without a seed
    draws one from Python's ``random``, whose state is restored.
    """
    import keras

    # A layer class of the learner's own (a notebook's cell class, say) is
    # found by name while cloning only if it is in scope.
    classes = {type(layer).__name__: type(layer) for layer in model._flatten_layers()}
    with _TWIN_LOCK, keras.saving.custom_object_scope(classes):
        saved = random.getstate()
        try:
            twin = keras.models.clone_model(model)
            twin.compile_from_config(model.get_compile_config())
        finally:
            random.setstate(saved)
    return twin


def _compilation(model):
    """Identity of what a traced loop captures besides the layers.

    ``compile`` replaces the optimizer, loss and metric objects, and freezing
    a layer changes the trainable list: a loop traced before either is stale
    (Keras drops its own ``train_function`` on ``compile`` for the same reason).
    """
    if uses_keras_internals(model):
        compiled = (id(model._compile_loss), id(model._compile_metrics))
    else:
        # Public API: compile creates new metric objects (loss tracker, compiled metrics).
        compiled = tuple(id(metric) for metric in model.metrics)
    return (
        id(getattr(model, "optimizer", None)),
        compiled,
        tuple(id(variable) for variable in model.trainable_variables),
    )


def _runner_for(model):
    """The loops for ``model`` (its architecture's shared ones, or its own)."""
    # Recomputed on every call (well under a millisecond): a model may have
    # been recompiled since its last call.
    with _RUNNERS_LOCK:
        return _shared_runner_for(model)


def _shared_runner_for(model):
    runners = RUNNERS
    architecture = None if model in _UNSHARED else _architecture_key(model)
    if architecture in _NO_TWIN:
        _UNSHARED.add(model)
        architecture = None
    key = ("architecture", architecture) if architecture else ("model", id(model))
    runner = runners.get(key)
    if (
        runner is None
        or (key[0] == "model" and runner.owner is not model)
        or (key[0] == "model" and runner.compilation != _compilation(model))
    ):
        try:
            runner = _Runner(model, twin=key[0] == "architecture")
        except Exception:  # no twin can be built from its configuration
            _NO_TWIN.add(architecture)
            _UNSHARED.add(model)
            key, runner = ("model", id(model)), _Runner(model, twin=False)
        runners[key] = runner
    runners.move_to_end(key)
    while len(runners) > MAX_RUNNERS:
        runners.popitem(last=False)
    return runner


def run(model, name, make, args, state, extra_key=(), prepare=None):
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


def build_for_training(model, x, y):
    """Create the metric, loss and optimizer variables, as ``fit`` does.

    ``fit`` builds them inside its first traced step; a loop traced here must
    find them already there (no variable can be created inside a while loop).
    A model built from ``keras.Input`` already knows its output: its metrics
    and loss are built from that symbolic tensor directly, in milliseconds.
    Keras' own route (``_symbolic_build``) traces the whole model again to
    find it, a quarter of a second per new model, which made building the
    dominant cost of the chapters' many small networks.
    """
    if not uses_keras_internals(model):
        _build_with_public_api(model, x, y)
        return
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


# Models (and the compilation they were built for) already built by the public route.
_BUILT_PUBLICLY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _build_with_public_api(model, x, y):
    """``model.evaluate`` on one sample creates the loss and metric variables.

    It runs in inference mode, so it draws no dropout mask and changes no
    weight; the metric totals it leaves are reset before every loop.
    """
    compilation = _compilation(model)
    if _BUILT_PUBLICLY.get(model) != compilation:
        model.evaluate(x[:1], y[:1], verbose=0)
        _BUILT_PUBLICLY[model] = _compilation(model)
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)


def batch_count(n, batch_size):
    return (n + batch_size - 1) // batch_size


def batch_slice(tensor, step, batch_size, n):
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
        model.test_step((batch_slice(x, step, batch_size, n), batch_slice(y, step, batch_size, n)))
        return step + 1

    return tf.while_loop(lambda step: step < batch_count(n, batch_size), body, [tf.constant(0)])


def make_fit(with_validation):
    def make(model, info):
        import tensorflow as tf

        # The history's keys, in the order fit reports them.
        names = info["names"] = list(model.get_metrics_result())

        def fit(x, y, x_val, y_val, epochs, batch_size, shuffle, seed):
            n = tf.shape(x)[0]
            steps = batch_count(n, batch_size)

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
                    indices = batch_slice(order, step, batch_size, n)
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


def make_evaluate():
    def make(model, info):
        import tensorflow as tf

        names = info["names"] = list(model.get_metrics_result())

        def evaluate(x, y, batch_size):
            done = _evaluate_loop(model, x, y, batch_size)
            with tf.control_dependencies([done]):
                return _metric_vector(model, names)

        return evaluate

    return make


def output_dtype(model, x):
    import keras

    spec = model.compute_output_spec(keras.KerasTensor((None, *x.shape[1:]), dtype=x.dtype.name))
    if not isinstance(spec, keras.KerasTensor):
        raise InvalidParameterError("model must have a single output tensor; got a nested output")
    return spec.dtype


def make_predict(dtype):
    def make(model, info):
        import tensorflow as tf

        def predict(x, batch_size):
            n = tf.shape(x)[0]
            steps = batch_count(n, batch_size)

            def body(step, outputs):
                batch = batch_slice(x, step, batch_size, n)
                return step + 1, outputs.write(step, model(batch, training=False))

            _, outputs = tf.while_loop(
                lambda step, _: step < steps,
                body,
                [tf.constant(0), tf.TensorArray(dtype, size=steps, infer_shape=False)],
            )
            return outputs.concat()

        return predict

    return make


def seed_generator_states(model):
    """The state variables of every SeedGenerator (dropout masks) in ``model``.

    With the internals, Keras' own list (``_flatten_layers``, each layer's
    ``_seed_generators``); otherwise a walk over the public ``layers`` of the
    model and of the layers nested in it (attributes that are layers, lists
    of layers), collecting each layer's ``keras.random.SeedGenerator``
    attributes. Both give the generators in the order of the layers (the tests
    check that they agree).
    """
    import keras

    states, seen = [], set()

    def add(generator):
        if id(generator.state) not in seen:
            seen.add(id(generator.state))
            states.append(generator.state)

    if USE_KERAS_INTERNALS and hasattr(model, "_flatten_layers"):
        for layer in model._flatten_layers(include_self=True, recursive=True):
            for generator in getattr(layer, "_seed_generators", []):
                add(generator)
        return states

    visited = set()

    def walk(value):
        # Depth first, in attribute order: a layer's own generators, then its sublayers
        # (a cell inside an RNN layer, the layers of a nested model).
        if isinstance(value, keras.random.SeedGenerator):
            add(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, keras.layers.Layer) and id(value) not in visited:
            visited.add(id(value))
            children = list(vars(value).values())
            for child in children:
                if isinstance(child, keras.random.SeedGenerator):
                    add(child)
            for child in children:
                if not isinstance(child, keras.random.SeedGenerator):
                    walk(child)

    walk(model)
    return states
