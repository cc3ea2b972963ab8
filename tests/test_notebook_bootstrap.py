"""The chapter bootstrap: reproducible seeding, determinism and the plot style."""

import random

import numpy as np

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
