"""Time the regression experiment of the Keras lecture notes: ``model.fit`` versus ``fit_fast``.

The experiment (the Keras lecture notes, "Regression Example"): two networks
1 -> 128 relu -> 128 relu -> 1, one without and one with Dropout(0.2) after
each hidden layer, each trained for 500 epochs on 20 points with the loss on
20 test points computed after every epoch. It is run twice in one process:

1. as the source writes it: ``model.fit(x, y, epochs=500,
   validation_data=(x_test, y_test), verbose=0)``;
2. with ``dropout_course.training.fit_fast``, the course's trainer.

Both paths build their models with ``build_regression_mlp`` from the same
seeds and train with the same batches (``shuffle=False`` in both: with 20
points and batches of 32 an epoch is one batch, so shuffling only permutes
rows inside it, which would change the float rounding of the loss and the
pairing of dropout masks with points, not the cost). Their loss histories
must therefore be identical, which this script checks and prints.

Wall times include building the models (and, for ``fit_fast``, tracing its
loop on the first call in the process: "cold"). "Warm" repeats the fast path
with fresh models, re-using the traced loops as a chapter running several
seeds would. Run with ``make bench``.
"""

from __future__ import annotations

import argparse
import time

import dropout_course

dropout_course.setup_notebook()

import numpy as np  # noqa: E402  (after setup_notebook, which configures TensorFlow)

from dropout_course.data import make_regression_1d  # noqa: E402
from dropout_course.models import build_regression_mlp  # noqa: E402
from dropout_course.training import fit_fast  # noqa: E402

RATES = (0.0, 0.2)


def _keras_fit(rate, data, epochs):
    x_train, y_train, x_test, y_test = data
    model = build_regression_mlp(rate=rate, seed=0)
    history = model.fit(
        x_train,
        y_train,
        epochs=epochs,
        validation_data=(x_test, y_test),
        verbose=0,
        shuffle=False,
    )
    return {key: np.asarray(values) for key, values in history.history.items()}


def _fast_fit(rate, data, epochs):
    x_train, y_train, x_test, y_test = data
    model = build_regression_mlp(rate=rate, seed=0)
    return fit_fast(
        model,
        x_train,
        y_train,
        epochs=epochs,
        validation_data=(x_test, y_test),
        shuffle=False,
    )


def _run_path(train, data, epochs):
    """Train both models; return total seconds, per-model seconds, histories."""
    per_model, histories = {}, {}
    start = time.perf_counter()
    for rate in RATES:
        model_start = time.perf_counter()
        histories[rate] = train(rate, data, epochs)
        per_model[rate] = time.perf_counter() - model_start
    return time.perf_counter() - start, per_model, histories


def _label(rate):
    return "without dropout" if rate == 0 else f"dropout {rate}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=500, help="epochs per model (source: 500)")
    parser.add_argument(
        "--warm-repeats", type=int, default=5, help="repeats of the warm fast path (min is shown)"
    )
    args = parser.parse_args()
    data = make_regression_1d(n_train=20, n_test=20, seed=0)

    fast_cold, fast_models, fast_histories = _run_path(_fast_fit, data, args.epochs)
    keras_total, keras_models, keras_histories = _run_path(_keras_fit, data, args.epochs)
    warm = [_run_path(_fast_fit, data, args.epochs) for _ in range(args.warm_repeats)]
    fast_warm = min(total for total, _, _ in warm)
    warm_models = {rate: min(models[rate] for _, models, _ in warm) for rate in RATES}

    print(
        f"Keras lecture notes' regression: {len(RATES)} models x {args.epochs} epochs, "
        f"20 train / 20 test points, validation loss every epoch\n"
    )
    print(f"{'path':<34}{'total s':>9}" + "".join(f"{_label(rate):>18}" for rate in RATES))
    rows = [
        ("model.fit (source code)", keras_total, keras_models),
        ("fit_fast, cold (incl. tracing)", fast_cold, fast_models),
        (f"fit_fast, warm (min of {args.warm_repeats})", fast_warm, warm_models),
    ]
    for name, total, models in rows:
        print(f"{name:<34}{total:>9.2f}" + "".join(f"{models[rate]:>18.3f}" for rate in RATES))
    cold, warm = keras_total / fast_cold, keras_total / fast_warm
    print(f"\nspeed-up, cold: {cold:.0f}x    warm: {warm:.0f}x\n")

    print("final losses (same experiment both ways):")
    identical = True
    for rate in RATES:
        slow, fast = keras_histories[rate], fast_histories[rate]
        largest = max(float(np.max(np.abs(slow[key] - fast[key]))) for key in ("loss", "val_loss"))
        identical &= largest == 0.0
        print(
            f"  {_label(rate):<16} model.fit: loss {slow['loss'][-1]:.6f}  val_loss "
            f"{slow['val_loss'][-1]:.6f} | fit_fast: loss {fast['loss'][-1]:.6f}  val_loss "
            f"{fast['val_loss'][-1]:.6f} | largest difference over {args.epochs} epochs: "
            f"{largest:.1e}"
        )
    print("histories bit-identical:", identical)


if __name__ == "__main__":
    main()
