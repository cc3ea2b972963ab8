"""Dropout written from scratch in numpy: the mask, the forward and backward passes.

This module *is* the lesson of chapters 1-3, so it is kept short enough to read
in one sitting. Nothing here is used to train the course's Keras models; it is
the reference that the Keras layer is checked against.

Notation: every function here takes ``rate``, the DROP probability (Keras
``rate``, PyTorch ``p``). The paper's p is the RETAIN probability,
``keep_prob = 1 - rate``; see :mod:`dropout_course.theory` for functions written
in the paper's notation.

Two conventions put the training and test outputs on the same scale:

``"inverted"`` (what Keras and PyTorch do)
    During training the kept units are scaled up by ``1 / (1 - rate)``; at test
    time the layer is the identity.
``"scale-down"`` (the paper's original, Srivastava et al. 2014, Fig. 2)
    During training the kept units pass unchanged; at test time every output is
    multiplied by the retain probability ``1 - rate`` (equivalently, the
    outgoing weights are, see :func:`scale_weights_for_prediction`).

In both, the expected training output of a unit equals its test output.
"""

from __future__ import annotations

from functools import partial

import numpy as np

# Chapters 1 and 2 show the source of the functions below, so the checks keep
# the short names the lesson reads (`_check_training(training)`).
from ._validation import check_array, check_bool, check_choice, check_rate, check_same_shape
from ._validation import check_mask as _check_mask
from ._validation import check_rng as _as_generator
from ._validation import check_shape as _check_shape

__all__ = [
    "CONVENTIONS",
    "dropout_mask",
    "dropout_forward",
    "dropout_backward",
    "scale_weights_for_prediction",
]

#: The two ways of matching training and test scales (see the module docstring).
CONVENTIONS = ("inverted", "scale-down")

_check_training = partial(check_bool, name="training")


def dropout_mask(shape, rate, rng=None) -> np.ndarray:
    """Sample a dropout mask: 1.0 where a unit is kept, 0.0 where it is dropped.

    Each entry is dropped independently with probability ``rate`` (the DROP
    probability), so it is kept with the paper's retain probability
    ``p = 1 - rate``.

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the mask, usually the shape of the activations it multiplies.
    rate : float
        Drop probability, in [0, 1).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness; an int is a seed. ``None`` derives a seed from
        numpy's global generator (reproducible after ``seed_everything``).

    Returns
    -------
    numpy.ndarray
        float64 array of ``shape`` holding 0.0 and 1.0.

    Raises
    ------
    ValueError
        If ``rate`` is outside [0, 1), ``shape`` is not a valid shape or ``rng``
        is neither None, a seed nor a Generator.
    """
    shape = _check_shape(shape)
    rate = check_rate(rate)
    generator = _as_generator(rng)
    # Uniforms in [0, 1): P(u >= rate) = 1 - rate exactly, and rate = 0 keeps all.
    return (generator.random(shape) >= rate).astype(np.float64)


def dropout_forward(x, rate, *, training=True, convention="inverted", rng=None):
    """Apply dropout to activations ``x``.

    Parameters
    ----------
    x : array_like
        Finite activations, any shape.
    rate : float
        Drop probability, in [0, 1) (Keras ``rate``; the retain probability is
        ``1 - rate``).
    training : bool, default True
        Training mode samples a mask; prediction mode uses every unit.
    convention : {"inverted", "scale-down"}, default "inverted"
        ``"inverted"``: training returns ``x * mask / (1 - rate)``, prediction
        returns ``x`` unchanged (Keras). ``"scale-down"``: training returns
        ``x * mask``, prediction returns ``x * (1 - rate)`` (the paper).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness for the mask (see :func:`dropout_mask`).

    Returns
    -------
    output : numpy.ndarray
        The activations after dropout, float64, same shape as ``x``.
    mask : numpy.ndarray
        The mask used (1.0 kept, 0.0 dropped); all ones in prediction mode.
        Pass it to :func:`dropout_backward`.

    Raises
    ------
    ValueError
        If ``rate`` is outside [0, 1), ``x`` is not finite, ``training`` is not a
        bool or ``convention`` is unknown.
    """
    x = check_array(x, "x", allow_empty=True)
    rate = check_rate(rate)
    training = _check_training(training)
    convention = check_choice(convention, "convention", CONVENTIONS)
    if not training:
        mask = np.ones_like(x)
        if convention == "inverted":
            return x.copy(), mask
        return x * (1.0 - rate), mask
    mask = dropout_mask(x.shape, rate, rng)
    if convention == "inverted":
        return x * mask / (1.0 - rate), mask
    return x * mask, mask


def dropout_backward(grad_output, mask, rate, *, convention="inverted") -> np.ndarray:
    """Backpropagate through a dropout layer in training mode.

    The layer is ``output = x * mask * scale`` with the mask held fixed, so the
    gradient with respect to ``x`` is ``grad_output * mask * scale``: a dropped
    unit passes back exactly zero, hence the weights feeding it and fed by it
    receive no update from this example.

    Parameters
    ----------
    grad_output : array_like
        Gradient of the loss with respect to the layer's output.
    mask : array_like
        The mask returned by :func:`dropout_forward` (0.0 and 1.0 only), same
        shape as ``grad_output``.
    rate : float
        Drop probability, in [0, 1), the one used in the forward pass.
    convention : {"inverted", "scale-down"}, default "inverted"
        ``scale`` is ``1 / (1 - rate)`` for ``"inverted"`` and 1 for
        ``"scale-down"``.

    Returns
    -------
    numpy.ndarray
        Gradient with respect to the layer's input ``x``.

    Raises
    ------
    ValueError
        If the shapes differ, ``mask`` holds values other than 0 and 1, an
        input is not finite, ``rate`` is outside [0, 1) or ``convention`` is
        unknown.
    """
    grad_output = check_array(grad_output, "grad_output", allow_empty=True)
    mask = _check_mask(mask)
    check_same_shape(grad_output, mask, "grad_output", "mask")
    rate = check_rate(rate)
    convention = check_choice(convention, "convention", CONVENTIONS)
    if convention == "inverted":
        return grad_output * mask / (1.0 - rate)
    return grad_output * mask


def scale_weights_for_prediction(weights, rate) -> np.ndarray:
    """Scale a layer's outgoing weights for prediction (scale-down convention).

    A unit retained with probability ``1 - rate`` during training has its
    outgoing weights multiplied by that retain probability at test time
    (Srivastava et al. 2014, Fig. 2), so that the next layer's input equals its
    expected value during training.

    Parameters
    ----------
    weights : array_like
        Finite weights leaving the units that dropout was applied to.
    rate : float
        Drop probability used in training, in [0, 1).

    Returns
    -------
    numpy.ndarray
        ``weights * (1 - rate)``.

    Raises
    ------
    ValueError
        If ``rate`` is outside [0, 1) or ``weights`` is not finite.
    """
    weights = check_array(weights, "weights", allow_empty=True)
    rate = check_rate(rate)
    return weights * (1.0 - rate)
