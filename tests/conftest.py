"""Shared pytest set-up: the same quiet, deterministic TensorFlow as the chapters."""

import os

# Read by TensorFlow's runtime at import, so set before any test imports it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")
os.environ.setdefault("MPLBACKEND", "Agg")
