"""Tests of dropout_course.plotting on the non-interactive Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dropout_course import plotting  # noqa: E402
from dropout_course.notebook import STYLE_FILE  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_matplotlib():
    # apply_style (and some tests) change rcParams globally; keep that from leaking
    with matplotlib.rc_context():
        yield
    plt.close("all")


def _legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


# --- style and colours --------------------------------------------------------


def test_apply_style_sets_the_course_rcparams():
    matplotlib.rcParams["font.size"] = 5.0
    plotting.apply_style()
    style = matplotlib.rc_params_from_file(STYLE_FILE, use_default_template=False)
    assert style["font.size"] == 12 and style["axes.grid"] is True
    for key, value in style.items():
        assert matplotlib.rcParams[key] == value, key


def test_plotting_functions_leave_global_settings_alone():
    matplotlib.rcParams["font.size"] = 5.0
    matplotlib.rcParams["axes.grid"] = False
    plotting.plot_band([0, 1], [0, 1], [0.1, 0.1], label="a")
    plotting.show_digits(np.zeros((2, 64)), [0, 1], n=2)
    assert matplotlib.rcParams["font.size"] == 5.0
    assert matplotlib.rcParams["axes.grid"] is False


def test_reserved_colours_and_their_aliases():
    assert plotting.COLORS["no dropout"] != plotting.COLORS["dropout"]
    assert set(plotting.COLORS.values()) <= set(plotting.PALETTE.values())
    assert plotting.color_for("Without dropout") == plotting.COLORS["no dropout"]
    assert plotting.color_for("with dropout", 3) == plotting.COLORS["dropout"]
    others = {plotting.color_for("series", i) for i in range(5)}
    assert len(others) == 5
    assert not others & set(plotting.COLORS.values())
    with pytest.raises(ValueError, match="label"):
        plotting.color_for(None)


# --- loss curves --------------------------------------------------------------


class _FakeHistory:
    """Stands in for keras.callbacks.History, which keeps its dict in .history."""

    def __init__(self, history):
        self.history = history


def test_loss_curves_draw_solid_train_and_dashed_validation():
    epochs = np.arange(1, 31)
    histories = {
        "no dropout": {"loss": 1.0 / epochs, "val_loss": 1.0 / np.sqrt(epochs)},
        "dropout": _FakeHistory({"loss": 2.0 / epochs}),
    }
    ax = plotting.plot_loss_curves(histories, title="the Keras lecture notes")
    assert len(ax.lines) == 3
    train, val, dropout_train = ax.lines
    assert train.get_linestyle() == "-" and val.get_linestyle() == "--"
    assert train.get_color() == val.get_color() == plotting.COLORS["no dropout"]
    assert dropout_train.get_color() == plotting.COLORS["dropout"]
    np.testing.assert_array_equal(train.get_xdata(), epochs)
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel()
    assert ax.get_title() == "the Keras lecture notes"
    assert len(_legend_texts(ax)) == 3


def test_loss_curves_linear_scale_accepts_zero_loss():
    ax = plotting.plot_loss_curves({"run": {"loss": [1.0, 0.5, 0.0]}}, log_scale=False)
    assert ax.get_yscale() == "linear" and ax.get_ylabel() == "loss"


def test_loss_curves_draw_on_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    returned = plotting.plot_loss_curves({"run": {"loss": [1.0, 0.5]}}, ax=right)
    assert returned is right and len(left.lines) == 0 and len(right.lines) == 1


# --- regression fits ----------------------------------------------------------


def test_regression_fits_draw_points_and_one_sorted_line_per_model():
    x = np.linspace(-1, 1, 20).reshape(-1, 1)
    grid = np.linspace(1, -1, 50)  # deliberately descending
    ax = plotting.plot_regression_fits(
        x, x + 0.1, x, x - 0.1, {"no dropout": grid**3, "dropout": grid}, x_grid=grid
    )
    assert sum(isinstance(c, PathCollection) for c in ax.collections) == 2
    assert len(ax.lines) == 2
    for line in ax.lines:
        assert np.all(np.diff(line.get_xdata()) > 0)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), np.sort(grid))
    assert ax.lines[0].get_color() == plotting.COLORS["no dropout"]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert _legend_texts(ax) == ["train", "test", "no dropout", "dropout"]


def test_regression_fits_default_grid_is_x_test():
    x = np.linspace(-1, 1, 10)
    ax = plotting.plot_regression_fits(x, x, x[:5], x[:5], {"line": x[:5]})
    np.testing.assert_allclose(ax.lines[0].get_xdata(), x[:5])


# --- decision boundary --------------------------------------------------------


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 0.25, (30, 2)), rng.normal((0.5, 0.1), 0.25, (30, 2))])
    y = np.repeat([0, 1], 30)
    return X, y


def test_decision_boundary_evaluates_one_float32_grid_and_draws_the_boundary(blobs):
    X, y = blobs
    calls = []

    def predict_proba(points):
        calls.append(points)
        return (1 / (1 + np.exp(-10 * (points[:, 0] - 0.25)))).reshape(-1, 1)

    ax = plotting.plot_decision_boundary(predict_proba, X, y, resolution=40, title="no dropout")
    assert len(calls) == 1
    assert calls[0].shape == (1600, 2) and calls[0].dtype == np.float32
    assert calls[0][:, 0].min() == pytest.approx(X[:, 0].min() - 0.5, abs=1e-5)
    # shading + boundary + one scatter per class
    assert sum(isinstance(c, PathCollection) for c in ax.collections) == 2
    assert len(ax.collections) == 4
    assert _legend_texts(ax) == ["class 0", "class 1", "probability 0.5"]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title() == "no dropout"


def test_decision_boundary_without_a_crossing_draws_no_boundary(blobs):
    X, y = blobs
    ax = plotting.plot_decision_boundary(lambda g: np.full(len(g), 0.9), X, y, resolution=10)
    assert len(ax.collections) == 3
    assert _legend_texts(ax) == ["class 0", "class 1"]


# --- error bars and bands -----------------------------------------------------


def test_error_bars_one_container_per_series():
    rates = [0.0, 0.2, 0.5]
    ax = plotting.plot_with_error_bars(
        rates,
        [0.05, 0.04, 0.045],
        [0.01, 0.005, 0.008],
        label="dropout",
        xlabel="rate (drop probability)",
        ylabel="test MSE",
    )
    plotting.plot_with_error_bars(
        rates,
        [0.06, 0.05, 0.05],
        [0.01, 0.01, 0.01],
        label="with L2",
        xlabel="rate (drop probability)",
        ylabel="test MSE",
        ax=ax,
    )
    containers = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(containers) == 2
    data_line = containers[0].lines[0]
    np.testing.assert_allclose(data_line.get_ydata(), [0.05, 0.04, 0.045])
    assert data_line.get_marker() == "o"
    assert data_line.get_color() == plotting.COLORS["dropout"]
    assert containers[1].lines[0].get_color() not in plotting.COLORS.values()
    assert ax.get_xlabel() == "rate (drop probability)" and ax.get_ylabel() == "test MSE"
    assert _legend_texts(ax) == ["dropout", "with L2"]


def test_error_bars_log_x():
    ax = plotting.plot_with_error_bars(
        [100, 1000],
        [0.3, 0.2],
        [0.01, 0.01],
        label="a",
        xlabel="n_train",
        ylabel="loss",
        log_x=True,
    )
    assert ax.get_xscale() == "log"


def test_band_draws_a_sorted_mean_and_two_shaded_bands():
    x = np.array([0.5, -1.0, 0.0, 1.0])
    ax = plotting.plot_band(x, 2 * x, np.full(4, 0.1), label="MC dropout")
    assert len(ax.lines) == 1 and len(ax.collections) == 2
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.sort(x))
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 2 * np.sort(x))
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
    assert len(_legend_texts(ax)) == 3


# --- digits -------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(12, 784), (12, 28, 28), (12, 28, 28, 1), (12, 64)])
def test_show_digits_accepts_every_image_layout(shape):
    images = np.random.default_rng(0).random(shape)
    labels = np.arange(12) % 10
    fig = plotting.show_digits(images, labels, n=12)
    assert isinstance(fig, Figure)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 12
    assert [ax.get_title() for ax in shown] == [str(label) for label in labels]
    side = int(np.sqrt(np.prod(shape[1:])))
    assert shown[0].images[0].get_array().shape == (side, side)


# --- network diagram ----------------------------------------------------------


def test_network_draws_every_unit_and_weight():
    from matplotlib.patches import Circle

    ax = plotting.plot_network([2, 4, 1], title="the full network")
    circles = [patch for patch in ax.patches if isinstance(patch, Circle)]
    assert len(circles) == 7
    assert len(ax.lines) == 2 * 4 + 4 * 1
    assert all(line.get_linestyle() == "-" for line in ax.lines)
    assert [text.get_text() for text in ax.texts] == ["input", "hidden 1", "output"]
    assert ax.get_title() == "the full network"


def test_network_greys_out_a_dropped_unit_and_its_connections():
    from matplotlib.patches import Circle

    ax = plotting.plot_network([2, 4, 1], [None, np.array([1.0, 1.0, 0.0, 1.0]), None])
    circles = [patch for patch in ax.patches if isinstance(patch, Circle)]
    dashed = [circle for circle in circles if circle.get_linestyle() == "--"]
    assert len(dashed) == 1
    # 2 weights in and 1 weight out of the dropped unit are dotted; 2 lines draw its cross
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert len(dotted) == 3
    assert len(ax.lines) == 12 + 2
