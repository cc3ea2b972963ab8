"""Paired comparisons over seeds (dropout_course.experiments) and their plot."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dropout_course.experiments import (
    compare_paired,
    mean_sd_table,
    paired_differences,
    run_seeds,
    signed,
    summarize,
    t_interval,
)
from dropout_course.plotting import plot_paired_seeds


def _results(differences, base=1.0):
    """A run_seeds-like table: 'dropout' = 'no dropout' + difference, seeds shuffled."""
    rows = []
    for seed, difference in enumerate(differences):
        rows.append({"seed": seed, "label": "no dropout", "loss": base + seed})
        rows.append({"seed": seed, "label": "dropout", "loss": base + seed + difference})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=0)


def test_t_interval_is_scipys_student_t_interval():
    values = np.array([0.3, -0.1, 0.4, 0.2, 0.05])
    interval = t_interval(values, 0.95)
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert interval.n == 5 and interval.confidence == 0.95
    np.testing.assert_allclose(
        [interval.mean, interval.low, interval.high], [values.mean(), low, high], rtol=1e-12
    )


def test_with_three_seeds_the_95_interval_is_4_3_standard_errors_wide_each_side():
    values = np.array([1.0, 2.0, 4.0])
    interval = t_interval(values)
    se = values.std(ddof=1) / np.sqrt(3)
    assert (interval.high - interval.mean) / se == pytest.approx(4.3027, abs=1e-4)


def test_the_pairing_cancels_the_seed_spread():
    # Each seed's loss differs by 1 from the next, but dropout is 0.1 lower on every seed:
    # unpaired, no interval would exclude 0; paired, the difference is exactly -0.1.
    frame = _results([-0.1, -0.1, -0.1, -0.12, -0.08])
    differences = paired_differences(frame, "loss", "dropout", "no dropout")
    assert list(differences.index) == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(differences.to_numpy(), [-0.1, -0.1, -0.1, -0.12, -0.08], atol=1e-12)
    comparison = compare_paired(frame, "loss", "dropout", "no dropout")
    assert comparison.verdict == "lower" and comparison.n_positive == 0
    assert comparison.interval.high < 0
    assert "5 seeds" in comparison.describe() and comparison.describe().endswith("lower")


@pytest.mark.parametrize(
    ("differences", "verdict"),
    [
        ([0.2, 0.25, 0.3, 0.22, 0.27], "higher"),
        ([0.2, -0.3, 0.1, -0.05, 0.02], "no detectable difference"),
    ],
)
def test_the_verdict_follows_the_interval(differences, verdict):
    comparison = compare_paired(_results(differences), "loss", "dropout", "no dropout")
    assert comparison.verdict == verdict
    assert comparison.interval.excludes_zero == (verdict != "no detectable difference")


def test_mean_sd_table_formats_each_setting():
    table = mean_sd_table(_results([0.0, 0.0]), ["loss"], ["no dropout", "dropout"])
    assert list(table.index) == ["no dropout", "dropout"]
    assert table.loc["dropout", "loss"] == f"{1.5:.4f} ± {np.std([1.0, 2.0], ddof=1):.4f}"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: t_interval([1.0]), "at least 2"),
        (lambda: t_interval([1.0, np.nan]), "finite"),
        (lambda: t_interval([[1.0, 2.0]]), "one-dimensional"),
        (lambda: t_interval([1.0, 2.0], confidence=1.2), "confidence=1.2"),
        (lambda: t_interval([1.0, 2.0], confidence=95), "confidence=95"),
        (
            lambda: paired_differences(_results([0.1]), "accuracy", "dropout", "no dropout"),
            "metric='accuracy'",
        ),
        (lambda: paired_differences(_results([0.1]), "loss", "L2", "no dropout"), "first='L2'"),
        (
            lambda: paired_differences(
                pd.concat([_results([0.1])] * 2), "loss", "dropout", "no dropout"
            ),
            "several rows",
        ),
        (lambda: paired_differences({"loss": [1.0]}, "loss", "a", "b"), "pandas.DataFrame"),
        (lambda: mean_sd_table(_results([0.1]), ["loss"], ["L2"]), "order="),
    ],
)
def test_bad_input_names_the_parameter(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        call()


def test_paired_strip_plot_draws_one_dot_per_seed_and_setting():
    frame = _results([-0.1, -0.2, 0.05, -0.1])
    ax = plot_paired_seeds(
        frame, "loss", ["no dropout", "dropout"], ylabel="test loss", title="paired"
    )
    dots = [collection for collection in ax.collections if collection.get_offsets().shape[0] == 4]
    assert len(dots) == 2
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["no dropout", "dropout"]
    assert len(ax.lines) >= 4  # one grey line per seed
    plt.close("all")


def test_paired_strip_plot_needs_two_settings():
    with pytest.raises(ValueError, match="at least 2"):
        plot_paired_seeds(_results([0.1, 0.2]), "loss", ["dropout"], ylabel="loss")


def test_run_seeds_and_summarize():
    def experiment(seed):
        return [
            {"label": "dropout", "loss": float(seed), "accuracy": np.float32(0.5)},
            {"label": "plain", "loss": 2.0 * seed, "accuracy": 1.0},
        ]

    frame = run_seeds(experiment, [1, 2, 3])
    assert list(frame.columns) == ["seed", "label", "loss", "accuracy"]
    assert frame.shape == (6, 4)
    assert frame["seed"].tolist() == [1, 1, 2, 2, 3, 3]

    single = run_seeds(lambda seed: {"error": seed / 10}, range(4))
    assert single.shape == (4, 2) and single["error"].tolist() == [0.0, 0.1, 0.2, 0.3]

    summary = summarize(frame, "label", ["loss", "accuracy"])
    assert list(summary.columns) == ["label", "metric", "n", "mean", "std", "min", "max"]
    assert summary.shape == (4, 7)
    row = summary[(summary["label"] == "plain") & (summary["metric"] == "loss")].iloc[0]
    assert (row["n"], row["mean"], row["std"], row["min"], row["max"]) == (3, 4.0, 2.0, 2.0, 6.0)
    overall = summarize(frame, None, "loss")
    assert overall.shape == (1, 6) and overall["mean"].iloc[0] == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (0.0, 4, "0.0000"),
        (0.01234, 4, "+0.0123"),
        (-0.01234, 3, "-0.012"),
        (3e-5, 4, "+0.00003"),  # rounds to zero: one significant digit keeps its side of 0
        (-3e-5, 4, "-0.00003"),
        (-2e-7, 2, "-0.0000002"),
    ],
)
def test_signed_never_hides_the_side_of_zero(value, digits, text):
    assert signed(value, digits) == text


def test_interval_format_shows_an_end_that_rounds_to_zero_with_its_sign():
    interval = t_interval([0.00001, 0.00002, 0.00004])  # low < 0 < high, all below 0.00005
    assert interval.low < 0 < interval.high
    text = interval.format(4)
    assert text == f"{signed(interval.mean)} [{signed(interval.low)}, {signed(interval.high)}]"
    low, high = text.split("[")[1].rstrip("]").split(", ")
    assert low.startswith("-0.0000") and float(low) < 0  # printed with its sign's digit
    assert high.startswith("+") and float(high) > 0
