"""Tests of dropout_course.data: stored files, checksums, generators, splits."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from dropout_course import data

REPO_DATA = Path(__file__).resolve().parents[1] / "data"


# --- paths and checksums ------------------------------------------------------


def test_data_dir_is_the_repository_data_folder():
    assert data.DATA_DIR == REPO_DATA
    assert data.data_path("mnist_5k.npz") == REPO_DATA / "mnist_5k.npz"


def test_find_data_dir_prefers_the_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_ENV_VAR, str(tmp_path))
    assert data.find_data_dir() == tmp_path.resolve()
    monkeypatch.setenv(data.DATA_ENV_VAR, "")  # empty: as if unset
    assert data.find_data_dir() == REPO_DATA


def test_find_data_dir_in_a_clone_is_the_repository_folder_from_any_directory(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(data.DATA_ENV_VAR, raising=False)
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    assert data.find_data_dir() == REPO_DATA


def _installed_copy(tmp_path, monkeypatch):
    """The data module as a wheel installs it: outside the repository's code/."""
    target = tmp_path / "site-packages" / "dropout_course"
    shutil.copytree(
        Path(data.__file__).parent, target, ignore=shutil.ignore_patterns("__pycache__")
    )
    spec = importlib.util.spec_from_file_location(
        "dropout_course_installed", target / "__init__.py", submodule_search_locations=[str(target)]
    )
    package = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "dropout_course_installed", package)
    spec.loader.exec_module(package)
    return importlib.import_module("dropout_course_installed.data")


def test_find_data_dir_outside_a_clone_looks_in_the_working_directory_then_its_parent(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(data.DATA_ENV_VAR, raising=False)
    installed = _installed_copy(tmp_path, monkeypatch)
    bundle = tmp_path / "bundle"
    (bundle / "chapters").mkdir(parents=True)
    (bundle / "data").mkdir()
    monkeypatch.chdir(bundle / "chapters")  # a kernel runs in the notebook's folder
    assert installed.find_data_dir() == bundle / "data"
    monkeypatch.chdir(bundle)
    assert installed.find_data_dir() == bundle / "data"
    # nowhere: data/ in the working directory, reported as missing by the loader
    monkeypatch.chdir(tmp_path / "site-packages")
    assert installed.find_data_dir() == tmp_path / "site-packages" / "data"
    with pytest.raises(FileNotFoundError, match=data.DATA_ENV_VAR) as error:
        installed.load_mnist_5k(data_dir=installed.find_data_dir())
    assert str(tmp_path / "site-packages" / "data" / data.MNIST_5K_FILE) in str(error.value)


@pytest.mark.parametrize("name", ["../secret", "sub/file.npz", "", ".", 3])
def test_data_path_rejects_anything_but_a_plain_file_name(name):
    with pytest.raises(ValueError, match="name="):
        data.data_path(name)


def test_recorded_sha256_matches_the_file_in_the_repository():
    path = data.data_path(data.MNIST_5K_FILE)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == data.MNIST_5K_SHA256
    assert data.verify_checksum(path, data.MNIST_5K_SHA256) == path
    # upper-case digests are the same digest
    assert data.verify_checksum(str(path), data.MNIST_5K_SHA256.upper()) == path


def test_data_readme_records_the_same_sha256():
    readme = (REPO_DATA / "README.md").read_text(encoding="utf-8")
    assert data.MNIST_5K_SHA256 in readme


def test_corrupted_copy_is_refused_with_both_digests(tmp_path):
    copy = tmp_path / data.MNIST_5K_FILE
    shutil.copyfile(data.data_path(data.MNIST_5K_FILE), copy)
    raw = bytearray(copy.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    copy.write_bytes(bytes(raw))
    actual = hashlib.sha256(bytes(raw)).hexdigest()
    with pytest.raises(ValueError, match="sha256") as error:
        data.load_mnist_5k(data_dir=tmp_path)
    message = str(error.value)
    assert str(copy) in message
    assert data.MNIST_5K_SHA256 in message and actual in message


def test_missing_file_names_the_path_and_how_to_restore_it(tmp_path):
    missing = tmp_path / data.MNIST_5K_FILE
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))) as error:
        data.load_mnist_5k(data_dir=tmp_path)
    assert "git checkout" in str(error.value)
    assert "scripts/make_mnist_5k.py" in str(error.value)
    assert data.DATA_ENV_VAR in str(error.value)


# --- MNIST subset -------------------------------------------------------------


@pytest.fixture(scope="module")
def mnist():
    return data.load_mnist_5k()


def test_mnist_shapes_dtypes_and_range(mnist):
    X, y = mnist
    assert X.shape == (5000, 784) and X.dtype == np.float32
    assert y.shape == (5000,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    # MNIST's mean pixel intensity is about 0.13 (mostly white background)
    assert 0.10 < X.mean() < 0.16
    assert np.all(X.max(axis=1) > 0.5), "every image has ink"


def test_mnist_has_500_images_of_each_digit(mnist):
    _, y = mnist
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 500))


def test_mnist_images_are_distinct(mnist):
    X, _ = mnist
    assert len(np.unique(X, axis=0)) == 5000


def test_mnist_unflattened_and_unscaled_forms_agree(mnist):
    X, y = mnist
    X4, y4 = data.load_mnist_5k(flatten=False)
    raw, _ = data.load_mnist_5k(scale=False)
    assert X4.shape == (5000, 28, 28, 1) and X4.dtype == np.float32
    np.testing.assert_array_equal(X4.reshape(5000, -1), X)
    np.testing.assert_array_equal(y4, y)
    assert raw.dtype == np.float32 and raw.max() == 255.0
    np.testing.assert_array_equal(raw, np.round(raw))
    np.testing.assert_allclose(raw / 255.0, X, rtol=1e-6)


# --- scikit-learn's 8 x 8 digits ----------------------------------------------


def test_digits_8x8():
    X, y = data.load_digits_8x8()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    raw, _ = data.load_digits_8x8(scale=False)
    assert raw.max() == 16.0
    X4, _ = data.load_digits_8x8(flatten=False)
    assert X4.shape == (1797, 8, 8, 1)
    with pytest.raises(ValueError, match="scale"):
        data.load_digits_8x8(scale=None)


# --- stratified split ---------------------------------------------------------


def test_stratified_split_sizes_balance_and_disjointness(mnist):
    X, y = mnist
    index = np.arange(len(y))
    i_train, i_test, y_train, y_test = data.stratified_split(
        index, y, n_train=1000, n_test=500, seed=3
    )
    assert len(i_train) == 1000 and len(i_test) == 500
    assert not set(i_train) & set(i_test)
    np.testing.assert_array_equal(np.bincount(y_train), np.full(10, 100))
    np.testing.assert_array_equal(np.bincount(y_test), np.full(10, 50))
    np.testing.assert_array_equal(y[i_train], y_train)  # rows stay paired with labels


def test_stratified_split_keeps_dtype_and_is_seeded(mnist):
    X, y = mnist
    first = data.stratified_split(X, y, n_train=200, n_test=100, seed=0)
    again = data.stratified_split(X, y, n_train=200, n_test=100, seed=0)
    other = data.stratified_split(X, y, n_train=200, n_test=100, seed=1)
    assert first[0].dtype == np.float32
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


# --- 1-D regression (the Keras lecture notes) ----------------------------------------------


def test_regression_shapes_grid_and_dtype():
    x_train, y_train, x_test, y_test = data.make_regression_1d(n_train=20, n_test=15)
    assert x_train.shape == y_train.shape == (20, 1)
    assert x_test.shape == y_test.shape == (15, 1)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.float32
    np.testing.assert_allclose(x_train.ravel(), np.linspace(-1, 1, 20), atol=1e-7)
    np.testing.assert_allclose(x_test.ravel(), np.linspace(-1, 1, 15), atol=1e-7)


def test_regression_is_seeded_and_seeds_differ():
    first = data.make_regression_1d(seed=5)
    again = data.make_regression_1d(seed=5)
    other = data.make_regression_1d(seed=6)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], other[1])
    assert not np.array_equal(first[3], other[3])


def test_regression_train_and_test_noise_are_independent_streams():
    _, y_train, _, y_test = data.make_regression_1d(seed=0)
    assert not np.allclose(y_train, y_test)
    # more training points leave the test set as it was
    _, _, _, y_test_bigger = data.make_regression_1d(n_train=50, seed=0)
    np.testing.assert_array_equal(y_test, y_test_bigger)


def test_regression_noise_has_the_requested_spread():
    x, y, _, _ = data.make_regression_1d(n_train=20000, noise_std=0.3, seed=1)
    residual = (y - x).ravel()
    assert abs(residual.mean()) < 0.01
    assert abs(residual.std() - 0.3) < 0.01
    x0, y0, _, _ = data.make_regression_1d(noise_std=0.0)
    np.testing.assert_array_equal(x0, y0)


def test_regression_default_line_mse_matches_the_docstring():
    # the docstring quotes these numbers; they come from this generator
    _, _, x_test, y_test = data.make_regression_1d()
    assert round(float(np.mean((y_test - x_test) ** 2)), 3) == 0.041
    draws = (data.make_regression_1d(seed=s) for s in range(300))
    mse = [np.mean((y_test - x_test) ** 2) for _, _, x_test, y_test in draws]
    assert abs(np.mean(mse) - 0.18**2) < 0.002


# --- two blobs (the MXDL video lecture) ---------------------------------------------------


def test_blobs_shapes_dtypes_and_balance():
    x_train, x_test, y_train, y_test = data.make_blobs_2class()
    assert x_train.shape == (150, 2) and x_test.shape == (50, 2)
    assert y_train.shape == (150,) and y_test.shape == (50,)
    for array in (x_train, x_test, y_train, y_test):
        assert array.dtype == np.float32
    assert set(np.unique(y_train)) == {0.0, 1.0}
    assert y_train.sum() == 75 and y_test.sum() == 25


def test_blobs_are_seeded_and_seeds_differ():
    first = data.make_blobs_2class(seed=2)
    again = data.make_blobs_2class(seed=2)
    other = data.make_blobs_2class(seed=3)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("centers", [((0.0, 0.0), (0.5, 0.1)), ((-1.0, 2.0), (3.0, 0.5))])
def test_blob_centres_and_spread_are_the_requested_ones(centers):
    std = 0.25
    x_train, x_test, y_train, y_test = data.make_blobs_2class(
        n_samples=4000, centers=centers, std=std, seed=0
    )
    x = np.concatenate([x_train, x_test])
    y = np.concatenate([y_train, y_test])
    for cls in (0, 1):
        members = x[y == cls]
        # 5 standard errors: a wrong centre or a swapped class fails, chance does not
        tolerance = 5 * std / np.sqrt(len(members))
        np.testing.assert_allclose(members.mean(axis=0), centers[cls], atol=tolerance)
        np.testing.assert_allclose(members.std(axis=0), std, rtol=0.08)
