"""Data sets of the course: checksummed files in ``data/`` and seeded generators.

Stored (in the repository's ``data/`` folder, described in ``data/README.md``;
outside a clone see :func:`find_data_dir`)

``load_mnist_5k``       5,000 MNIST digits, 500 per class, 28 x 28 pixels

Loaded from scikit-learn (bundled with it, nothing stored here)

``load_digits_8x8``     1,797 digits, 8 x 8 pixels

Generated (same arrays for the same seed, on any machine)

``make_regression_1d``  the 1-D regression of the Keras lecture notes: y = x + noise
``make_blobs_2class``   the two overlapping blobs of the MXDL video lecture

``stratified_split`` draws a seeded train/test split of requested sizes with
the classes in their original proportions, e.g. 1,000 MNIST images to train
on and 1,000 others to test on.

Every stored file is checked against the sha256 recorded here each time it is
loaded, so a chapter never silently trains on a truncated or altered file.
"""

from __future__ import annotations

import hashlib
import numbers
import os
from pathlib import Path

import numpy as np

from ._validation import (
    PATH,
    Interval,
    InvalidParameterError,
    check,
    check_array,
    check_bool,
    check_path,
    check_positive_int,
    check_same_length,
    check_seed,
    fail,
)

__all__ = [
    "DATA_DIR",
    "DATA_ENV_VAR",
    "find_data_dir",
    "MNIST_5K_FILE",
    "MNIST_5K_SHA256",
    "data_path",
    "verify_checksum",
    "load_mnist_5k",
    "load_digits_8x8",
    "stratified_split",
    "make_regression_1d",
    "make_blobs_2class",
]

#: Environment variable naming the folder that holds the stored data files.
DATA_ENV_VAR = "DROPOUT_COURSE_DATA"


def find_data_dir() -> Path:
    """Return the folder the stored data files are read from.

    In this order: the folder named by the environment variable
    ``DROPOUT_COURSE_DATA``; the repository's ``data/`` when the package is
    the one in a clone (``code/dropout_course``, installed editable); else
    ``data/`` in the working directory or in its parent (the course bundle:
    the kernel runs in ``chapters/``, the data are in ``../data``). If none
    exists, ``data/`` in the working directory, which a loader then reports
    as missing.
    """
    if os.environ.get(DATA_ENV_VAR):
        return Path(os.environ[DATA_ENV_VAR]).expanduser().resolve()
    package = Path(__file__).resolve().parent
    repository = package.parent.parent / "data"
    if package.parent.name == "code" and repository.is_dir():
        return repository
    here = Path.cwd()
    for folder in (here / "data", here.parent / "data"):
        if folder.is_dir():
            return folder
    return here / "data"


#: The folder of the stored data files, found by :func:`find_data_dir` when
#: the package is imported: in a clone, the repository's ``data/`` folder.
DATA_DIR = find_data_dir()

#: File name of the MNIST subset in ``DATA_DIR``.
MNIST_5K_FILE = "mnist_5k.npz"
#: sha256 of ``data/mnist_5k.npz`` as written by ``scripts/make_mnist_5k.py``.
MNIST_5K_SHA256 = "63818dc867dd7ee1181196c2588842f34debadc19cc80dc16b1dc1401cbb62c4"

# How to get each stored file back, for the message of a failed check.
_MAKE_COMMANDS = {
    MNIST_5K_FILE: "python scripts/make_mnist_5k.py",
}

_MNIST_SIDE = 28
_MNIST_N_IMAGES = 5000
_HEX_DIGITS = frozenset("0123456789abcdef")


def data_path(name: str) -> Path:
    """Return the path of the file ``name`` in the repository's ``data/`` folder.

    Parameters
    ----------
    name : str
        A plain file name such as ``"mnist_5k.npz"`` (no folders).

    Returns
    -------
    pathlib.Path
        ``DATA_DIR / name``; the file is not required to exist.
    """
    if not isinstance(name, str) or not name or Path(name).name != name or name in {".", ".."}:
        fail("name", name, "a plain file name such as 'mnist_5k.npz'")
    return DATA_DIR / name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksum(path, expected_sha256: str) -> Path:
    """Check that the file at ``path`` has the sha256 ``expected_sha256``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to check.
    expected_sha256 : str
        The expected digest, 64 hexadecimal characters (case ignored).

    Returns
    -------
    pathlib.Path
        ``path``, for chaining into a loader.

    Raises
    ------
    FileNotFoundError
        If the file does not exist; the message says how to restore it.
    ValueError
        If the file's sha256 differs; the message gives both digests.
    """
    path = Path(check_path(path))
    if (
        not isinstance(expected_sha256, str)
        or len(expected_sha256) != 64
        or not set(expected_sha256.lower()) <= _HEX_DIGITS
    ):
        fail("expected_sha256", expected_sha256, "64 hexadecimal characters")
    restore = f"restore it with `git checkout -- data/{path.name}`"
    if path.name in _MAKE_COMMANDS:
        restore += f" or rebuild it with `{_MAKE_COMMANDS[path.name]}`"
    restore += f" (see data/README.md), or set {DATA_ENV_VAR} to the folder that holds it"
    if not path.is_file():
        raise FileNotFoundError(f"data file {path} not found: {restore}")
    actual = _sha256(path)
    if actual != expected_sha256.lower():
        raise ValueError(
            f"data file {path} is corrupted or has been changed: sha256 is {actual}, "
            f"expected {expected_sha256.lower()}; {restore}"
        )
    return path


def load_mnist_5k(*, flatten: bool = True, scale: bool = True, data_dir=None):
    """Load the 5,000-image MNIST subset (500 images of each digit).

    The file's sha256 is verified on every call (a few milliseconds).

    Parameters
    ----------
    flatten : bool, default True
        If True, ``X`` has shape (5000, 784), one row per image, for dense
        networks. If False, (5000, 28, 28, 1): channel-last, as Keras
        convolution layers expect.
    scale : bool, default True
        If True, pixel values are divided by 255 into [0, 1]; if False they
        keep their stored range 0-255 (still float32).
    data_dir : str or os.PathLike, optional
        Folder holding ``mnist_5k.npz``; default :data:`DATA_DIR`.

    Returns
    -------
    X : ndarray of float32
        The images, shaped as described under ``flatten``.
    y : ndarray of int64, shape (5000,)
        The digits 0-9. The file stores the images sorted by digit, so
        shuffle (e.g. with :func:`stratified_split`) before taking a subset.
    """
    flatten = check_bool(flatten, "flatten")
    scale = check_bool(scale, "scale")
    data_dir = check(data_dir, "data_dir", None, PATH)
    folder = DATA_DIR if data_dir is None else Path(data_dir)
    path = verify_checksum(folder / MNIST_5K_FILE, MNIST_5K_SHA256)
    with np.load(path, allow_pickle=False) as stored:
        images = stored["images"]
        labels = stored["labels"]
    X = images.astype(np.float32)
    if scale:
        X /= np.float32(255.0)
    shape = (
        (_MNIST_N_IMAGES, _MNIST_SIDE * _MNIST_SIDE)
        if flatten
        else (_MNIST_N_IMAGES, _MNIST_SIDE, _MNIST_SIDE, 1)
    )
    return X.reshape(shape), labels.astype(np.int64)


def load_digits_8x8(*, scale: bool = True, flatten: bool = True):
    """Load scikit-learn's 8 x 8 handwritten digits (1,797 images).

    The images ship with scikit-learn (``sklearn.datasets.load_digits``), so
    nothing is read from ``data/``. Pixel values are counts 0-16.

    Parameters
    ----------
    scale : bool, default True
        If True, pixel values are divided by 16 into [0, 1].
    flatten : bool, default True
        If True, ``X`` has shape (1797, 64); if False, (1797, 8, 8, 1).

    Returns
    -------
    X : ndarray of float32
    y : ndarray of int64, shape (1797,)
    """
    scale = check_bool(scale, "scale")
    flatten = check_bool(flatten, "flatten")
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = digits.data.astype(np.float32)
    if scale:
        X /= np.float32(16.0)
    if not flatten:
        X = X.reshape(-1, 8, 8, 1)
    return X, digits.target.astype(np.int64)


def stratified_split(X, y, *, n_train: int, n_test: int, seed: int = 0):
    """Draw disjoint train and test sets of given sizes, stratified by class.

    A thin wrapper of ``sklearn.model_selection.train_test_split`` with
    ``stratify=y``: each set keeps the class proportions of ``y`` (up to
    rounding), and the same ``seed`` gives the same split.

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
        Inputs; their dtype is kept.
    y : array_like, shape (n_samples,)
        Class labels.
    n_train, n_test : int
        Sizes of the two sets; each at least the number of classes, and
        ``n_train + n_test <= n_samples``.
    seed : int, default 0
        Seed of the shuffle.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        In scikit-learn's order.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if y.ndim != 1:
        raise InvalidParameterError(f"y must have 1 dimension; got shape {y.shape}")
    check_same_length(X, y, "X", "y")
    n_classes = len(np.unique(y))
    n_train = check_positive_int(n_train, "n_train", minimum=max(n_classes, 1))
    n_test = check_positive_int(n_test, "n_test", minimum=max(n_classes, 1))
    seed = check_seed(seed)
    if n_train + n_test > len(y):
        raise InvalidParameterError(
            f"n_train + n_test = {n_train + n_test} is not valid: expected at most "
            f"the number of samples, {len(y)}"
        )
    from sklearn.model_selection import train_test_split

    return train_test_split(
        X, y, train_size=n_train, test_size=n_test, stratify=y, random_state=seed
    )


def make_regression_1d(n_train: int = 20, n_test: int = 20, noise_std: float = 0.18, seed: int = 0):
    """Generate the 1-D regression data of the Keras lecture notes: y = x + noise.

    The notes (``dropouts_in_ann_notes`` in references.bib) fit a
    1 -> 128 -> 128 -> 1 network to 20 training and 20 test points but do not
    publish them; their plots show x in [-1, 1] and y
    inside (-1.5, 1.5) scattered about a straight line. This function
    rebuilds data of that kind: both sets use the same grid
    ``x = linspace(-1, 1, n)`` and ``y = x + noise``, with independent noise
    for the two sets. The true function is therefore the identity line, and
    the best any model can do on the test set is, on average, a mean squared
    error of ``noise_std**2``.

    The default ``noise_std = 0.18`` is our estimate, not a number from the
    source. It gives the ideal line an expected test MSE of 0.0324, next to
    the 0.034 the source reports for its network with dropout (a good model
    cannot beat ``noise_std**2`` on average). It also fits the source's network
    without dropout, which almost interpolates its training points (train MSE
    0.0031): an exact interpolant, tested at the same x with fresh noise, has
    an expected test MSE of ``2 * noise_std**2`` = 0.065, so a network that
    smooths a little lands between 0.032 and 0.065, where the reported 0.047
    lies. With only 20 test points the realised MSE of the line varies by
    about 30 % between seeds: at seed 0 it is 0.041.

    Parameters
    ----------
    n_train, n_test : int, default 20
        Number of training and test points (each >= 2, for the grid).
    noise_std : float, default 0.18
        Standard deviation of the Gaussian noise (>= 0; 0 gives the exact line).
    seed : int, default 0
        Seed. The training and test noise come from two independent streams
        spawned from it, so changing ``n_train`` leaves the test set unchanged.

    Returns
    -------
    x_train : ndarray of float32, shape (n_train, 1)
    y_train : ndarray of float32, shape (n_train, 1)
    x_test : ndarray of float32, shape (n_test, 1)
    y_test : ndarray of float32, shape (n_test, 1)
    """
    n_train = check_positive_int(n_train, "n_train", minimum=2)
    n_test = check_positive_int(n_test, "n_test", minimum=2)
    noise_std = check(noise_std, "noise_std", Interval(numbers.Real, 0))
    seed = check_seed(seed)
    train_rng, test_rng = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(2)
    )

    def draw(n, rng):
        x = np.linspace(-1.0, 1.0, n)
        y = x + rng.normal(0.0, noise_std, size=n)
        return x.astype(np.float32).reshape(-1, 1), y.astype(np.float32).reshape(-1, 1)

    x_train, y_train = draw(n_train, train_rng)
    x_test, y_test = draw(n_test, test_rng)
    return x_train, y_train, x_test, y_test


def make_blobs_2class(
    n_samples: int = 200,
    centers=((0.0, 0.0), (0.5, 0.1)),
    std: float = 0.25,
    test_size: float = 0.25,
    seed: int = 0,
):
    """Generate the MXDL video lecture's two overlapping blobs and split them.

    ``sklearn.datasets.make_blobs`` draws ``n_samples`` points in 2-D around
    the two ``centers`` (equal numbers per class, up to one point), and
    ``train_test_split`` holds out ``test_size`` of them. Unlike the source,
    the split is stratified, so both sets have the two classes in equal
    proportion and seeds differ by the draw rather than by class balance.
    With the defaults the blobs overlap heavily (centres 0.51 apart, standard
    deviation 0.25), so no classifier is near 100 % accurate.

    Parameters
    ----------
    n_samples : int, default 200
        Total number of points (>= 8, so each set holds both classes).
    centers : array_like, shape (2, 2), default ((0, 0), (0.5, 0.1))
        Centre of class 0 and of class 1.
    std : float, default 0.25
        Standard deviation of each blob along each axis (> 0).
    test_size : float, default 0.25
        Fraction of the points held out for testing, in (0, 1).
    seed : int, default 0
        Seed of both the draw and the split.

    Returns
    -------
    x_train : ndarray of float32, shape (n_train, 2)
    x_test : ndarray of float32, shape (n_test, 2)
    y_train : ndarray of float32, shape (n_train,), values 0.0 and 1.0
    y_test : ndarray of float32, shape (n_test,), values 0.0 and 1.0
    """
    n_samples = check_positive_int(n_samples, "n_samples", minimum=8)
    centers = check_array(centers, "centers", ndim=2)
    if centers.shape != (2, 2):
        raise InvalidParameterError(
            f"centers must have shape (2, 2), one 2-D centre per class; got {centers.shape}"
        )
    std = check(std, "std", Interval(numbers.Real, 0, closed="neither"))
    test_size = check(test_size, "test_size", Interval(numbers.Real, 0, 1, closed="neither"))
    seed = check_seed(seed)
    n_test = int(np.ceil(test_size * n_samples))  # scikit-learn rounds the test set up
    if n_test < 2 or n_samples - n_test < 2:
        raise InvalidParameterError(
            f"test_size={test_size!r} is not valid for n_samples={n_samples}: it leaves "
            f"{n_test} test and {n_samples - n_test} training points; each needs >= 2 "
            f"(one per class)"
        )
    from sklearn.datasets import make_blobs
    from sklearn.model_selection import train_test_split

    x, y = make_blobs(
        n_samples=n_samples, n_features=2, centers=centers, cluster_std=std, random_state=seed
    )
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_size, stratify=y, random_state=seed
    )
    return (
        x_train.astype(np.float32),
        x_test.astype(np.float32),
        y_train.astype(np.float32),
        y_test.astype(np.float32),
    )
