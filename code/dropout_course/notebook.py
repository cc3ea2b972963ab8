"""The one call at the top of every chapter: identical, quiet runs.

``setup_notebook()`` is the first line of each chapter's first cell. It makes
two promises that the strict ``pytest --nbval`` run of the book relies on:

Identical
    Python, numpy and Keras are seeded; TensorFlow runs deterministic kernels
    (``enable_op_determinism``) on the CPU with a fixed number of threads,
    without oneDNN's re-ordered floating-point sums and with oneDNN's matrix
    kernels held to the AVX2 instruction set, so the numbers a chapter prints
    are the numbers stored in the notebook on any x86-64 CPU with AVX2
    (without the cap, a CPU with AVX-512 trains every network a little
    differently). A learner with a GPU gets the same lesson: the chapters'
    models are small, and the GPU is hidden unless
    ``DROPOUT_COURSE_USE_GPU=1`` is set.

Quiet
    TensorFlow's C++ runtime writes absl log lines (``I0000 ... cpu_feature_
    guard ...``) straight to the process's file descriptor 2 when it is
    imported, whatever ``TF_CPP_MIN_LOG_LEVEL`` says. A Jupyter kernel
    captures that descriptor and stores what it reads as cell output, time
    stamps and all, which no two runs share. Inside a kernel, the native
    descriptor 2 is therefore pointed at a log file *before* TensorFlow is
    imported (Python's own ``sys.stderr``, which shows warnings and errors
    raised by Python code, is untouched). Keras progress bars are switched
    off, so ``fit``/``predict`` print nothing whatever their ``verbose``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ._validation import check_bool, check_seed

__all__ = ["setup_notebook", "seed_everything", "native_log_path", "STYLE_FILE"]

#: The course's matplotlib style file (figures read on paper and on a
#: projector), shipped in the package; :func:`setup_notebook` applies it.
STYLE_FILE = Path(__file__).resolve().with_name("course.mplstyle")

# Environment read by TensorFlow's C++ runtime when it is first imported.
_TF_ENVIRONMENT = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    # oneDNN re-orders floating-point sums differently with the thread count
    # and the CPU's instruction set; off, results depend on the data alone.
    "TF_ENABLE_ONEDNN_OPTS": "0",
    # Even so, a dense layer's matrix product runs in oneDNN's sgemm, which
    # picks its kernel by the instruction set of the CPU: with AVX-512 it
    # sums in another order than with AVX2, and every trained network ends
    # a little differently. Capped at AVX2, which every x86-64 CPU of the
    # last decade has, the chapters' outputs are the same on all of them.
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "TF_DETERMINISTIC_OPS": "1",
    "GRPC_VERBOSITY": "ERROR",
}

#: Threads inside one TensorFlow kernel: one. A sum is then never split
#: between threads, so it is added in the same order on a laptop with eight
#: cores as on the two-core machine the outputs came from; and the course's
#: networks are so small that a second thread per kernel mostly adds
#: hand-overs (measured per training step: 20 % less wall time for the
#: chapters' MLP, the same for their CNN, about half the CPU time for both).
#: The second core runs a second chapter under ``make test`` instead.
_INTRA_OP_THREADS = 1

_native_log_path: str | None = None


def native_log_path() -> str | None:
    """Return the file that receives TensorFlow's native log lines, if any.

    ``None`` until :func:`setup_notebook` has run inside a Jupyter kernel.
    Open this file when something in the C++ runtime misbehaves.
    """
    return _native_log_path


def _in_jupyter_kernel() -> bool:
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel always ships IPython
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _send_native_stderr_to_log() -> None:
    """Point file descriptor 2 at a log file (once per process)."""
    global _native_log_path
    if _native_log_path is not None:
        return
    path = os.path.join(tempfile.gettempdir(), f"dropout_course-native-{os.getpid()}.log")
    log_fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    _native_log_path = path


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, numpy's global generator and Keras/TensorFlow.

    Call it again before an experiment to make that experiment independent of
    what ran before it in the notebook. Keras and TensorFlow are seeded only
    if one of them has been imported (a chapter without them stays without).
    """
    seed = check_seed(seed)
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)  # also seeds random and numpy
        return
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)


def setup_notebook(seed: int = 0, *, tensorflow: bool = True) -> None:
    """Make the rest of the notebook deterministic and free of log noise.

    Parameters
    ----------
    seed : int, default 0
        Seed for Python's ``random``, numpy and Keras/TensorFlow.
    tensorflow : bool, default True
        Import and configure TensorFlow and Keras (deterministic kernels, one
        thread per kernel, no progress bars). A chapter that trains nothing
        passes ``False`` and saves the import, several seconds.

    The course's plot style (:data:`STYLE_FILE`) is applied here, once for
    the whole notebook.

    Notes
    -----
    Call it before anything imports TensorFlow. Calling it again only reseeds.
    """
    seed = check_seed(seed)
    tensorflow = check_bool(tensorflow, "tensorflow")
    for key, value in _TF_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    if os.environ.get("DROPOUT_COURSE_USE_GPU") != "1":
        os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
    if _in_jupyter_kernel():
        _send_native_stderr_to_log()

    import matplotlib.style
    import numpy as np

    if tensorflow:
        import keras
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(_INTRA_OP_THREADS)
        except RuntimeError:
            pass  # already initialised by an earlier call: the setting stands
        tf.config.experimental.enable_op_determinism()
        keras.utils.disable_interactive_logging()
    np.set_printoptions(precision=4, suppress=True)
    matplotlib.style.use(STYLE_FILE)
    seed_everything(seed)
