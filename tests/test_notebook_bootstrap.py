"""The chapter bootstrap: reproducible seeding, determinism and the plot style."""

import random

import numpy as np
import pytest

from dropout_course import seed_everything, setup_notebook
from dropout_course.notebook import STYLE_FILE, native_log_path


def test_seed_everything_repeats_python_numpy_and_tensorflow_draws():
    import tensorflow as tf

    def draws():
        return random.random(), np.random.rand(), float(tf.random.uniform(()))

    seed_everything(3)
    first = draws()
    seed_everything(3)
    assert draws() == first
    seed_everything(4)
    assert draws() != first


def test_setup_notebook_enables_determinism_and_the_plot_style():
    import matplotlib as mpl
    from tensorflow.python.framework import config as tf_config  # no public getter

    setup_notebook(seed=0)
    assert tf_config.is_op_determinism_enabled()
    style = mpl.rc_params_from_file(STYLE_FILE, use_default_template=False)
    assert mpl.rcParams["font.size"] == style["font.size"] == 12
    # outside a Jupyter kernel the process's stderr is left alone
    assert native_log_path() is None


def test_setup_notebook_without_tensorflow_does_not_import_it():
    import subprocess
    import sys

    code = (
        "import random, sys, numpy as np\n"
        "from dropout_course import setup_notebook\n"
        "setup_notebook(seed=5, tensorflow=False)\n"
        "first = (random.random(), np.random.rand())\n"
        "setup_notebook(seed=5, tensorflow=False)\n"
        "assert (random.random(), np.random.rand()) == first\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


# --- the first cell of a chapter, downloaded alone ------------------------------


def _first_cell_script():
    import runpy
    from pathlib import Path

    return runpy.run_path(
        str(Path(__file__).resolve().parents[1] / "scripts" / "set_first_cell.py")
    )


def _run_isolated(code, cwd):
    """Run code in a Python that sees neither the repository nor site-packages."""
    import subprocess
    import sys

    # -I: no PYTHONPATH, no user site, no working directory on sys.path;
    # -S: no site-packages, where the editable install of the package lives
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_first_cell_without_the_package_says_how_to_install_it(tmp_path):
    script = _first_cell_script()
    cell = script["guarded"]("from dropout_course import setup_notebook\n\nsetup_notebook(seed=0)")
    result = _run_isolated(cell, tmp_path)
    assert result.returncode == 1
    message = result.stderr[result.stderr.index("ModuleNotFoundError:") :]
    assert message.startswith("ModuleNotFoundError: This notebook needs the course's package")
    assert f"pip install -r requirements.txt {script['WHEEL']}" in message
    assert script["BUNDLE"] in message and "intro page" in message and "make setup" in message
    # `from None`: the student sees one error, not the bare one it replaces
    assert "During handling" not in result.stderr and "No module named" not in result.stderr
    # the wheel the message names is the one the bundle holds
    from dropout_course import __version__

    assert script["WHEEL"] == f"dropout_course-{__version__}-py3-none-any.whl"


def test_first_cell_reports_a_missing_dependency_as_it_is(tmp_path):
    # the package is there but something it imports is not: no misleading advice
    (tmp_path / "dropout_course").mkdir()
    (tmp_path / "dropout_course" / "__init__.py").write_text("import not_a_module_of_the_course\n")
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        + _first_cell_script()["GUARDED_IMPORT"]
    )
    result = _run_isolated(code, tmp_path)
    assert result.returncode == 1
    assert "No module named 'not_a_module_of_the_course'" in result.stderr
    assert "This notebook needs" not in result.stderr


def test_first_cell_with_the_package_imports_setup_notebook():
    namespace = {}
    exec(_first_cell_script()["GUARDED_IMPORT"], namespace)
    assert namespace["setup_notebook"] is setup_notebook


def test_set_first_cell_keeps_the_chapters_own_lines_and_is_idempotent():
    guarded = _first_cell_script()["guarded"]
    chapter_12 = (
        "from dropout_course import setup_notebook\n"
        "from dropout_course.glue import bind_glued_values\n\n"
        'setup_notebook(seed=0)\n\nbind_glued_values("01.ipynb")'
    )
    once = guarded(chapter_12)
    assert once.endswith(
        ") from None\n\nfrom dropout_course.glue import bind_glued_values\n\n"
        'setup_notebook(seed=0)\n\nbind_glued_values("01.ipynb")'
    )
    assert guarded(once) == once
    compile(once, "first cell", "exec")
    with pytest.raises(ValueError, match="no line"):
        guarded("import numpy as np")


def test_glue_to_eval_binds_other_chapters_after_the_guarded_import():
    import runpy
    from pathlib import Path

    import nbformat

    glue_to_eval = runpy.run_path(
        str(Path(__file__).resolve().parents[1] / "scripts" / "glue_to_eval.py")
    )
    cell = _first_cell_script()["guarded"](
        "from dropout_course import setup_notebook\n\nsetup_notebook(seed=0)"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    assert glue_to_eval["bind_other_chapters"](notebook, ["01_a.ipynb"])
    source = notebook.cells[0].source
    assert source.startswith(_first_cell_script()["GUARDED_IMPORT"])  # still the first thing
    assert source.index(glue_to_eval["BIND_IMPORT"]) < source.index("setup_notebook(seed=0)")
    compile(source, "first cell", "exec")


# Trained with setup_notebook() alone: a small MNIST-sized MLP, 3 epochs of Adam with
# dropout. The weights' bits are those every x86-64 CPU with AVX2 computes; with
# oneDNN's kernels left free to use AVX-512 (ONEDNN_MAX_CPU_ISA unset), an AMD EPYC
# Zen 4 gave 91c5a279ee9a8aac instead, and the book's stored outputs failed strict
# nbval in 68 cells there.
_TRAINED_WEIGHTS_SHA256 = "7cd18069cd6f356a"
_TRAIN_A_SMALL_MLP = """
import hashlib
import numpy as np
from dropout_course import setup_notebook
setup_notebook(0)
from dropout_course.models import build_mnist_mlp
from dropout_course.training import fit_fast
rng = np.random.default_rng(0)
x, y = rng.random((256, 784), dtype=np.float32), rng.integers(0, 10, 256)
model = build_mnist_mlp(rate=0.2, seed=0)
fit_fast(model, x, y, epochs=3, batch_size=64, seed=0)
weights = np.concatenate([w.ravel() for w in model.get_weights()])
print(hashlib.sha256(weights.tobytes()).hexdigest()[:16])
"""


def test_setup_notebook_trains_the_same_bits_on_every_avx2_cpu():
    import os
    import subprocess
    import sys

    environment = {key: value for key, value in os.environ.items() if not key.startswith("ONEDNN_")}
    result = subprocess.run(
        [sys.executable, "-c", _TRAIN_A_SMALL_MLP],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == _TRAINED_WEIGHTS_SHA256
