"""Helper package of the open course on dropout regularization.

Modules, each named for what it holds:

``notebook``    the bootstrap every chapter calls first (seeds, determinism, quiet)
``reference``   dropout written from scratch in numpy: forward, mask, backward
``theory``      closed forms the chapters verify, and their Monte-Carlo estimators
``data``        checksummed loaders for ``data/`` and seeded synthetic data sets
``models``      Keras builders with dropout switched on or off by one argument
``training``    a fast trainer equivalent to ``model.fit``, and a multi-seed runner
``experiments`` paired comparisons over seeds: differences, t intervals, verdicts
``evaluation``  weight-scaling and Monte-Carlo dropout predictions
``plotting``    the figures the chapters share
``glue``        numbers in prose: glue a value, bind another chapter's values
``chapter_times`` each chapter's reading and run times, for its opening box

Notation: a parameter named ``rate`` is a DROP probability (Keras ``rate``,
PyTorch ``p``); one named ``keep_prob`` is a RETAIN probability (the paper's
p). No function takes a bare ``p``.

Only ``notebook`` is imported here, so that ``setup_notebook`` runs before
anything imports TensorFlow.
"""

from .notebook import seed_everything, setup_notebook

__all__ = ["setup_notebook", "seed_everything"]
__version__ = "0.1.0"
