"""The figures the chapters share, with one look across the book.

Every function draws on the Axes passed as ``ax`` (or on a new figure) and
returns it, so a chapter can put two panels side by side or add to a plot.
Nothing is saved: the notebook shows the figure and the book stores it as PNG.

The look is the course's matplotlib style file,
:data:`dropout_course.notebook.STYLE_FILE`, which ``setup_notebook`` applies
once for the whole notebook; the functions here leave matplotlib's global
settings alone. Outside a chapter, call :func:`apply_style` first to get the
same look.

Colours come from the Okabe-Ito palette, which stays distinguishable with the
common forms of colour blindness. A model "without dropout" is always drawn in
vermillion and one "with dropout" in blue (:data:`COLORS`); training curves
are solid and validation curves dashed, so the figures also read in grey.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from ._validation import (
    Array,
    InstanceOf,
    Interval,
    InvalidParameterError,
    Sizes,
    check,
    check_array,
    check_bool,
    check_label,
    check_mask,
    check_positive_int,
    check_same_length,
    check_same_shape,
    check_title,
    fail,
)
from .notebook import STYLE_FILE

__all__ = [
    "PALETTE",
    "COLORS",
    "apply_style",
    "color_for",
    "plot_loss_curves",
    "plot_regression_fits",
    "plot_decision_boundary",
    "plot_with_error_bars",
    "plot_band",
    "show_digits",
    "plot_network",
    "plot_paired_seeds",
]

#: The Okabe-Ito colour-blind-safe palette (Okabe & Ito, 2008).
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: The two colours reserved for the comparison the whole course makes.
COLORS = {
    "no dropout": PALETTE["vermillion"],
    "dropout": PALETTE["blue"],
}

# Other series take these in turn; yellow is left out (too pale on white
# paper) and so are the two reserved colours, to keep their meaning unique.
_OTHER_COLORS = (
    PALETTE["bluish green"],
    PALETTE["orange"],
    PALETTE["reddish purple"],
    PALETTE["sky blue"],
    PALETTE["black"],
)

# Labels a chapter is likely to write for the two reserved colours.
_COLOR_ALIASES = {
    "no dropout": "no dropout",
    "without dropout": "no dropout",
    "dropout": "dropout",
    "with dropout": "dropout",
}

# Data points are drawn in neutral colours so that colour always means "model".
_TRAIN_POINT_COLOR = PALETTE["black"]
_TEST_POINT_COLOR = "#777777"
# A diverging map from ColorBrewer, safe for colour-blind readers: orange for
# class 0, purple for class 1, white where the model is undecided.
_PROBABILITY_CMAP = "PuOr"


def apply_style() -> None:
    """Apply the course's matplotlib style file (``setup_notebook`` does too)."""
    mpl.style.use(STYLE_FILE)


def color_for(label: str, index: int = 0) -> str:
    """Return the course colour for a series called ``label``.

    ``"no dropout"`` / ``"without dropout"`` and ``"dropout"`` / ``"with
    dropout"`` (case ignored) get the reserved :data:`COLORS`; any other label
    gets the ``index``-th of the remaining palette colours, cycling.
    """
    label = check(label, "label", InstanceOf(str, "a str"))
    index = check_positive_int(index, "index", minimum=0)
    key = _COLOR_ALIASES.get(label.strip().lower())
    if key is not None:
        return COLORS[key]
    return _OTHER_COLORS[index % len(_OTHER_COLORS)]


_AXES = InstanceOf(Axes, "a matplotlib Axes or None")
_COLUMN = Array(ndim=(1, 2))
_CALLABLE = InstanceOf(Callable, "a callable")


def _axes(ax) -> Axes:
    if ax is None:
        _, ax = plt.subplots()
        return ax
    return check(ax, "ax", _AXES)


def _column(values, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D array, accepting Keras-style (n, 1) columns."""
    array = check(values, name, _COLUMN)
    if array.ndim == 2 and array.shape[1] != 1:
        raise InvalidParameterError(f"{name} must have shape (n,) or (n, 1); got {array.shape}")
    return array.ravel()


def plot_loss_curves(histories, *, ax=None, log_scale: bool = True, title=None) -> Axes:
    """Plot training (solid) and validation (dashed) loss against the epoch.

    Parameters
    ----------
    histories : mapping of str to mapping
        ``{label: history}`` where ``history`` has a ``"loss"`` sequence and
        optionally a ``"val_loss"`` sequence of the same length, as in
        ``model.fit(...).history``. A Keras ``History`` object is accepted as
        the value too. Labels "no dropout" and "dropout" get the reserved
        colours.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    log_scale : bool, default True
        Logarithmic loss axis, which shows the late, slow part of training;
        it needs positive losses.
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(histories, Mapping) or not histories:
        raise InvalidParameterError(
            "histories must be a non-empty mapping {label: {'loss': ..., 'val_loss': ...}}"
        )
    log_scale = check_bool(log_scale, "log_scale")
    check_title(title)
    curves = []
    for index, (label, history) in enumerate(histories.items()):
        check_label(label, "histories key")
        history = getattr(history, "history", history)  # a keras.callbacks.History
        if not isinstance(history, Mapping) or "loss" not in history:
            raise InvalidParameterError(
                f"histories[{label!r}] must be a mapping with a 'loss' entry"
            )
        loss = check_array(history["loss"], f"histories[{label!r}]['loss']", ndim=1)
        val_loss = None
        if history.get("val_loss") is not None:
            val_loss = check_array(history["val_loss"], f"histories[{label!r}]['val_loss']", ndim=1)
            check_same_shape(
                loss, val_loss, f"histories[{label!r}]['loss']", f"histories[{label!r}]['val_loss']"
            )
        if log_scale:
            for name, values in (("loss", loss), ("val_loss", val_loss)):
                if values is not None and np.any(values <= 0):
                    raise InvalidParameterError(
                        f"histories[{label!r}][{name!r}] has values <= 0, which a log scale "
                        f"cannot show; pass log_scale=False"
                    )
        curves.append((label, color_for(label, index), loss, val_loss))

    ax = _axes(ax)
    for label, color, loss, val_loss in curves:
        epochs = np.arange(1, loss.size + 1)
        ax.plot(epochs, loss, color=color, linestyle="-", label=f"{label}: train")
        if val_loss is not None:
            ax.plot(epochs, val_loss, color=color, linestyle="--", label=f"{label}: validation")
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (log scale)" if log_scale else "loss")
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_regression_fits(
    x_train, y_train, x_test, y_test, predictions, *, x_grid=None, ax=None, title=None
) -> Axes:
    """Plot 1-D regression data and the curves fitted to it.

    Training points are filled black circles, test points open grey circles,
    and each model is a line.

    Parameters
    ----------
    x_train, y_train, x_test, y_test : array_like, shape (n,) or (n, 1)
        The data, as returned by :func:`dropout_course.data.make_regression_1d`.
    predictions : mapping of str to array_like
        ``{label: y_hat}`` with ``y_hat`` the model's prediction at ``x_grid``.
    x_grid : array_like, optional
        Where the predictions were made; default ``x_test``. A fine grid
        shows what a model does between the data points.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    x_train = _column(x_train, "x_train")
    y_train = _column(y_train, "y_train")
    x_test = _column(x_test, "x_test")
    y_test = _column(y_test, "y_test")
    check_same_shape(x_train, y_train, "x_train", "y_train")
    check_same_shape(x_test, y_test, "x_test", "y_test")
    x_grid = x_test if x_grid is None else _column(x_grid, "x_grid")
    if not isinstance(predictions, Mapping) or not predictions:
        raise InvalidParameterError(
            "predictions must be a non-empty mapping {label: predicted y at x_grid}"
        )
    fits = []
    for index, (label, values) in enumerate(predictions.items()):
        check_label(label, "predictions key")
        y_hat = _column(values, f"predictions[{label!r}]")
        check_same_shape(x_grid, y_hat, "x_grid", f"predictions[{label!r}]")
        fits.append((label, color_for(label, index), y_hat))
    check_title(title)

    ax = _axes(ax)
    ax.scatter(x_train, y_train, color=_TRAIN_POINT_COLOR, s=36, label="train", zorder=3)
    ax.scatter(
        x_test,
        y_test,
        facecolors="none",
        edgecolors=_TEST_POINT_COLOR,
        s=44,
        linewidths=1.5,
        label="test",
        zorder=3,
    )
    order = np.argsort(x_grid, kind="stable")  # a line must run left to right
    for label, color, y_hat in fits:
        ax.plot(x_grid[order], y_hat[order], color=color, label=label)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_decision_boundary(
    predict_proba, X, y, *, ax=None, title=None, resolution: int = 200, padding: float = 0.5
) -> Axes:
    """Shade a 2-D classifier's probability of class 1 and draw its boundary.

    Parameters
    ----------
    predict_proba : callable
        Maps an (m, 2) float32 array of points to the probability of class 1
        at each, shape (m,) or (m, 1); e.g.
        ``lambda g: model.predict(g, verbose=0)`` for a Keras model with a
        sigmoid output.
    X : array_like, shape (n, 2)
        Points to show on top (e.g. the test set).
    y : array_like, shape (n,)
        Their classes, 0 or 1.
    ax : matplotlib Axes, optional
    title : str, optional
    resolution : int, default 200
        Grid points along each axis (>= 2); the model is evaluated
        ``resolution**2`` times, in one call.
    padding : float, default 0.5
        Margin added around the range of ``X`` (>= 0).

    Returns
    -------
    matplotlib Axes
    """
    predict_proba = check(predict_proba, "predict_proba", _CALLABLE)
    X = check_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise InvalidParameterError(f"X must have shape (n, 2); got {X.shape}")
    y = check_array(y, "y", ndim=1)
    check_same_length(X, y, "X", "y")
    if not np.all((y == 0) | (y == 1)):
        raise InvalidParameterError("y must contain only the classes 0 and 1")
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    padding = check(padding, "padding", Interval(numbers.Real, 0))
    check_title(title)

    low = X.min(axis=0) - padding
    high = X.max(axis=0) + padding
    grid_x1, grid_x2 = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    grid = np.column_stack([grid_x1.ravel(), grid_x2.ravel()]).astype(np.float32)
    proba = np.asarray(predict_proba(grid), dtype=np.float64)
    if proba.shape not in {(grid.shape[0],), (grid.shape[0], 1)}:
        raise InvalidParameterError(
            f"predict_proba must return shape ({grid.shape[0]},) or ({grid.shape[0]}, 1) "
            f"for {grid.shape[0]} points; got {proba.shape}"
        )
    if not np.all(np.isfinite(proba)) or proba.min() < 0 or proba.max() > 1:
        raise InvalidParameterError("predict_proba must return probabilities in [0, 1]")
    proba = proba.reshape(grid_x1.shape)

    ax = _axes(ax)
    cmap = plt.get_cmap(_PROBABILITY_CMAP)
    ax.contourf(grid_x1, grid_x2, proba, levels=np.linspace(0.0, 1.0, 11), cmap=cmap, alpha=0.6)
    handles = []
    # a contour at a level the surface never crosses draws nothing and warns
    if proba.min() < 0.5 < proba.max():
        ax.contour(grid_x1, grid_x2, proba, levels=[0.5], colors="black", linewidths=2.0)
        handles.append(Line2D([], [], color="black", linewidth=2.0, label="probability 0.5"))
    for cls, marker, shade in ((0, "o", 0.2), (1, "s", 0.8)):
        members = y == cls
        handles.insert(
            cls,
            ax.scatter(
                X[members, 0],
                X[members, 1],
                marker=marker,
                color=cmap(shade),
                edgecolors="black",
                linewidths=0.6,
                s=36,
                label=f"class {cls}",
            ),
        )
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)  # grid lines would cut through the shading
    if title is not None:
        ax.set_title(title)
    ax.legend(handles=handles, loc="best")
    return ax


def plot_with_error_bars(
    x, mean, spread, *, label, ax=None, xlabel, ylabel, color=None, title=None, log_x: bool = False
) -> Axes:
    """Plot a sweep summarised over seeds: mean with error bars, markers joined.

    Call it once per series on the same ``ax`` to compare, e.g., test loss
    against the rate with and without a second regularizer.

    Parameters
    ----------
    x : array_like, shape (n,)
        The swept values (a rate, a training-set size, ...).
    mean : array_like, shape (n,)
        The mean over seeds at each ``x``.
    spread : array_like, shape (n,)
        Half-length of each error bar (>= 0), e.g. the standard deviation or
        standard error over seeds; say which in ``ylabel`` or the caption.
    label : str
        Legend entry; "no dropout" and "dropout" get the reserved colours.
    ax : matplotlib Axes, optional
    xlabel, ylabel : str
        Axis labels.
    color : str, optional
        Overrides the colour chosen from ``label``.
    title : str, optional
    log_x : bool, default False
        Logarithmic x axis, for sizes that grow geometrically.

    Returns
    -------
    matplotlib Axes
    """
    x = check_array(x, "x", ndim=1)
    mean = check_array(mean, "mean", ndim=1)
    spread = check_array(spread, "spread", ndim=1)
    check_same_shape(x, mean, "x", "mean")
    check_same_shape(x, spread, "x", "spread")
    if np.any(spread < 0):
        raise InvalidParameterError("spread must be >= 0: it is the half-length of each error bar")
    check_label(label, "label")
    check_label(xlabel, "xlabel")
    check_label(ylabel, "ylabel")
    check_title(title)
    log_x = check_bool(log_x, "log_x")
    if log_x and np.any(x <= 0):
        raise InvalidParameterError("x must be > 0 for log_x=True")

    ax = _axes(ax)
    # the series already on the axes decide the next free palette colour
    color = color if color is not None else color_for(label, len(ax.containers))
    ax.errorbar(x, mean, yerr=spread, color=color, marker="o", capsize=4, label=label)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_band(
    x, mean, std, *, label, ax=None, xlabel: str = "x", ylabel: str = "y", color=None, title=None
) -> Axes:
    """Plot a mean curve with shaded bands at ±1 and ±2 standard deviations.

    Made for Monte-Carlo dropout: ``mean`` and ``std`` over many stochastic
    forward passes at each ``x``.

    Parameters
    ----------
    x, mean, std : array_like, shape (n,) or (n, 1)
        Points need not be sorted; ``std`` must be >= 0.
    label : str
        Legend entry of the mean curve.
    ax : matplotlib Axes, optional
    xlabel, ylabel : str, default "x", "y"
    color : str, optional
        Overrides the colour chosen from ``label``.
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    x = _column(x, "x")
    mean = _column(mean, "mean")
    std = _column(std, "std")
    check_same_shape(x, mean, "x", "mean")
    check_same_shape(x, std, "x", "std")
    if np.any(std < 0):
        raise InvalidParameterError("std must be >= 0")
    check_label(label, "label")
    check_label(xlabel, "xlabel")
    check_label(ylabel, "ylabel")
    check_title(title)

    ax = _axes(ax)
    color = color if color is not None else color_for(label, len(ax.lines))
    order = np.argsort(x, kind="stable")
    x, mean, std = x[order], mean[order], std[order]
    ax.fill_between(
        x,
        mean - 2 * std,
        mean + 2 * std,
        color=color,
        alpha=0.15,
        linewidth=0,
        label=f"{label} ± 2 std",
    )
    ax.fill_between(
        x, mean - std, mean + std, color=color, alpha=0.3, linewidth=0, label=f"{label} ± 1 std"
    )
    ax.plot(x, mean, color=color, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return ax


def show_digits(images, labels, *, n: int = 10):
    """Show the first ``n`` digit images in a grid, each titled with its label.

    Parameters
    ----------
    images : array_like
        Square images, flat ``(N, side*side)`` or ``(N, side, side)`` or
        channel-last ``(N, side, side, 1)``: MNIST (28 x 28) or the 8 x 8
        digits, scaled or not.
    labels : array_like, shape (N,)
        The label shown above each image (true class or a prediction).
    n : int, default 10
        How many images to show, at most ``N``; ten per row.

    Returns
    -------
    matplotlib Figure
    """
    n = check_positive_int(n, "n")
    shape = np.shape(images)
    if len(shape) not in (2, 3, 4):
        raise InvalidParameterError(f"images must have 2, 3 or 4 dimensions; got shape {shape}")
    if len(np.shape(labels)) != 1 or len(labels) != shape[0]:
        raise InvalidParameterError(
            f"labels must have shape ({shape[0]},), one per image; got {np.shape(labels)}"
        )
    if n > shape[0]:
        fail("n", n, f"an integer <= the number of images, {shape[0]}")
    # only the shown images are converted: MNIST as float64 would be 31 MB
    shown = check_array(np.asarray(images)[:n], "images", ndim=(2, 3, 4))
    if shown.ndim == 2:
        side = math.isqrt(shown.shape[1])
        if side * side != shown.shape[1]:
            raise InvalidParameterError(
                f"flat images must have a square number of pixels; got {shown.shape[1]}"
            )
        shown = shown.reshape(n, side, side)
    elif shown.ndim == 4:
        if shown.shape[3] != 1:
            raise InvalidParameterError(f"images must have one channel; got shape {shape}")
        shown = shown[..., 0]

    ncols = min(n, 10)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.35 * nrows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if index < n:
            ax.imshow(shown[index], cmap="gray_r", interpolation="nearest")
            ax.set_title(str(np.asarray(labels)[index]), fontsize=11)
    return fig


# Colours of the network diagram: kept units stand out, dropped ones recede.
_KEPT_UNIT_COLOR = PALETTE["sky blue"]
_DROPPED_UNIT_COLOR = "#BBBBBB"
# Horizontal distance between layers, in units of the vertical distance between units.
_LAYER_SPACING = 2.5


def plot_network(layer_sizes, masks=None, *, ax=None, title=None, layer_names=None) -> Axes:
    """Draw a fully connected network, with dropped units and their connections greyed out.

    Each unit is a circle, each weight a line. A unit whose mask entry is 0 is
    drawn as a grey dashed circle with a cross, and every connection into or
    out of it as a faint dotted line: what is left in colour is the *thinned
    network* that one training step uses.

    Parameters
    ----------
    layer_sizes : sequence of int
        Number of units of each layer, input layer first; at least two layers.
    masks : sequence, optional
        One entry per layer: ``None`` (every unit kept) or a 1-D array of 0.0
        (dropped) and 1.0 (kept) of the layer's size, such as
        :func:`dropout_course.reference.dropout_mask` returns. Default: the
        full network.
    ax : matplotlib Axes, optional
    title : str, optional
    layer_names : sequence of str, optional
        Label under each layer; default "input", "hidden 1", ..., "output".

    Returns
    -------
    matplotlib Axes
    """
    layer_sizes = check(layer_sizes, "layer_sizes", Sizes(1, min_length=2, scalar=False))
    if masks is None:
        masks = [None] * len(layer_sizes)
    if (
        isinstance(masks, np.ndarray)
        or not hasattr(masks, "__len__")
        or (len(masks) != len(layer_sizes))
    ):
        raise InvalidParameterError(
            f"masks must be a sequence with one entry per layer ({len(layer_sizes)}), "
            f"each None or a 0/1 array of the layer's size"
        )
    masks = [
        np.ones(size) if mask is None else check_mask(mask, f"masks[{index}]")
        for index, (mask, size) in enumerate(zip(masks, layer_sizes))
    ]
    for index, (mask, size) in enumerate(zip(masks, layer_sizes)):
        if mask.shape != (size,):
            raise InvalidParameterError(
                f"masks[{index}] must have shape ({size},) for layer {index}; got {mask.shape}"
            )
    if layer_names is None:
        layer_names = ["input", *(f"hidden {k}" for k in range(1, len(layer_sizes) - 1)), "output"]
    elif isinstance(layer_names, str) or len(layer_names) != len(layer_sizes):
        raise InvalidParameterError(f"layer_names must hold one str per layer ({len(layer_sizes)})")
    else:
        layer_names = [check_label(name, "layer_names entry") for name in layer_names]
    check_title(title)

    ax = _axes(ax)
    tallest = max(layer_sizes)
    positions = [
        [(_LAYER_SPACING * layer, (size - 1) / 2.0 - unit) for unit in range(size)]
        for layer, size in enumerate(layer_sizes)
    ]
    radius = 0.24
    for layer in range(len(layer_sizes) - 1):
        for i, start in enumerate(positions[layer]):
            for j, end in enumerate(positions[layer + 1]):
                active = masks[layer][i] == 1 and masks[layer + 1][j] == 1
                ax.plot(
                    [start[0], end[0]],
                    [start[1], end[1]],
                    color="#444444" if active else _DROPPED_UNIT_COLOR,
                    linestyle="-" if active else ":",
                    linewidth=1.1 if active else 0.8,
                    alpha=0.8 if active else 0.7,
                    zorder=1,
                )
    for layer, layer_positions in enumerate(positions):
        for unit, (x, y) in enumerate(layer_positions):
            kept = masks[layer][unit] == 1
            ax.add_patch(
                mpl.patches.Circle(
                    (x, y),
                    radius,
                    facecolor=_KEPT_UNIT_COLOR if kept else "white",
                    edgecolor="black" if kept else _DROPPED_UNIT_COLOR,
                    linestyle="-" if kept else "--",
                    linewidth=1.5,
                    zorder=2,
                )
            )
            if not kept:
                offset = radius * 0.6
                for sign in (1, -1):
                    ax.plot(
                        [x - offset, x + offset],
                        [y - sign * offset, y + sign * offset],
                        color=_DROPPED_UNIT_COLOR,
                        linewidth=1.5,
                        zorder=3,
                    )
        ax.text(
            _LAYER_SPACING * layer,
            -(tallest - 1) / 2.0 - 0.6,
            layer_names[layer],
            ha="center",
            va="top",
        )
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=12,
            markerfacecolor=_KEPT_UNIT_COLOR,
            markeredgecolor="black",
            label="kept unit",
        ),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=12,
            markerfacecolor="white",
            markeredgecolor=_DROPPED_UNIT_COLOR,
            label="dropped unit",
        ),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False)
    ax.set_xlim(-0.9, _LAYER_SPACING * (len(layer_sizes) - 1) + 0.9)
    ax.set_ylim(-(tallest - 1) / 2.0 - 1.1, (tallest - 1) / 2.0 + 0.5)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax


def plot_paired_seeds(
    frame, metric, labels, *, ax=None, ylabel, title=None, by="label", on="seed", confidence=0.95
):
    """Show each seed's result for two or more settings, paired, with t intervals.

    A dot per seed and setting, a grey line joining the settings of one seed
    (the pairing the comparison uses), and beside each setting a diamond at
    the mean over seeds with its t-based ``confidence`` interval.

    Parameters
    ----------
    frame : pandas.DataFrame
        Tidy results, one row per (seed, setting), e.g. from
        :func:`dropout_course.experiments.run_seeds`.
    metric : str
        Numeric column to plot.
    labels : list of str
        Settings (values of ``by``) in their order along the x axis.
    ax : matplotlib Axes, optional
    ylabel : str
    title : str, optional
    by, on : str
        Columns naming the setting and the seed.
    confidence : float, default 0.95

    Returns
    -------
    matplotlib Axes
    """
    import pandas as pd

    from .experiments import paired_differences, t_interval

    labels = list(labels)
    if len(labels) < 2:
        fail("labels", labels, "a list of at least 2 settings to pair")
    check_label(ylabel, "ylabel")
    check_title(title)
    if isinstance(frame, pd.DataFrame) and by in frame.columns:
        missing = [label for label in labels if label not in set(frame[by])]
        if missing:
            fail("labels", labels, f"values of column {by!r}; {missing} are not")
    # paired_differences validates the frame, and keeps the seeds both settings share
    seeds = paired_differences(frame, metric, labels[0], labels[1], by=by, on=on).index
    wide = frame.pivot(index=on, columns=by, values=metric).loc[seeds, labels].dropna()
    ax = _axes(ax)
    positions = np.arange(len(labels))
    for _, row in wide.iterrows():
        ax.plot(positions, row.to_numpy(), color="0.8", linewidth=1, zorder=1)
    for position, label in zip(positions, labels):
        values = wide[label].to_numpy(dtype=float)
        color = color_for(label, position)
        ax.scatter(
            np.full(values.size, position),
            values,
            color=color,
            s=30,
            zorder=2,
            label=f"{label}: one seed",
        )
        interval = t_interval(values, confidence)
        ax.errorbar(
            position + 0.15,
            interval.mean,
            yerr=[[interval.mean - interval.low], [interval.high - interval.mean]],
            color=color,
            marker="D",
            markersize=8,
            capsize=6,
            linestyle="none",
            zorder=3,
        )
    ax.set_xticks(positions, labels)
    ax.set_xlim(-0.4, len(labels) - 0.4)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    return ax
