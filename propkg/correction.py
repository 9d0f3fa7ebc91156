"""Small smooth learned corrections, written element-wise for numpy and CasADi alike.

Two kinds of "neural" terms are used:

- :func:`tanh_net`, a one-hidden-layer tanh network of a scalar input, written as an
  explicit sum over hidden units (so that the exported ONNX graph is element-wise and
  broadcasts over a batch dimension: no MatMul with fixed shapes);
- :func:`einstein_cp` and its closed-form integrals :func:`einstein_h` and
  :func:`einstein_s`: a hidden layer of Planck-Einstein activations of 1/T, the form of
  the ideal-gas terms of reference equations of state, so that cp, h and s of the
  correction stay exact derivatives/integrals of each other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from propkg.backbones import namespace


def tanh_net_size(hidden: int) -> int:
    """Number of parameters of :func:`tanh_net` with ``hidden`` units (1 + 3 hidden)."""
    return 1 + 3 * hidden


def tanh_net(x: Any, params: np.ndarray, hidden: int) -> Any:
    r"""One-hidden-layer tanh network of a scalar input.

    .. math:: y = c_0 + \sum_{k=1}^{H} a_k \tanh(w_k x + b_k)

    Parameters
    ----------
    x : float, array or CasADi expression
        Scaled input, [-] (order one on the training range).
    params : array of length 1 + 3H
        ``[c0, a_1..a_H, w_1..w_H, b_1..b_H]``.
    hidden : int
        Number of hidden units H.
    """
    xp = namespace(x)
    p = [float(v) for v in params]
    c0, a, w, b = p[0], p[1 : 1 + hidden], p[1 + hidden : 1 + 2 * hidden], p[1 + 2 * hidden :]
    y = c0
    for k in range(hidden):
        y = y + a[k] * xp.tanh(w[k] * x + b[k])
    return y


def einstein_size(terms: int) -> int:
    """Number of parameters of the Einstein correction (amplitudes and ln theta)."""
    return 2 * terms


def _split(params: np.ndarray, terms: int) -> tuple[list[float], list[float]]:
    p = [float(v) for v in params]
    return p[:terms], [float(np.exp(v)) for v in p[terms:]]


def einstein_cp(T: Any, params: np.ndarray, terms: int) -> Any:
    r"""Sum of Planck-Einstein heat-capacity terms, divided by R.

    .. math::
        \frac{\Delta c_p}{R} = \sum_k a_k \frac{x_k^2 e^{x_k}}{(e^{x_k} - 1)^2}
            = \sum_k a_k \frac{x_k^2 e^{-x_k}}{(1 - e^{-x_k})^2},
        \qquad x_k = \theta_k / T

    evaluated in the second form, which neither overflows at :math:`x_k \gg 1` (low T,
    large :math:`\theta_k`) nor in its derivatives (Pyomo's and IPOPT's Hessians).

    Parameters
    ----------
    T : float, array or CasADi expression
        Temperature, [K].
    params : array of length 2K
        Amplitudes ``a_k`` [-] then ``ln(theta_k / K)``.
    terms : int
        Number of terms K.
    """
    xp = namespace(T)
    a, theta = _split(params, terms)
    y = 0.0
    for k in range(terms):
        x = theta[k] / T
        q = xp.exp(-x)  # written in exp(-x): no overflow at theta/T >> 1, nor in derivatives
        y = y + a[k] * x * x * q / ((1.0 - q) * (1.0 - q))
    return y


def einstein_h(T: Any, params: np.ndarray, terms: int) -> Any:
    r"""Antiderivative of :func:`einstein_cp` in T, divided by R, [K].

    .. math:: \int \frac{\Delta c_p}{R} dT = \sum_k a_k \frac{\theta_k}{e^{\theta_k/T} - 1}
    """
    xp = namespace(T)
    a, theta = _split(params, terms)
    y = 0.0
    for k in range(terms):
        q = xp.exp(-theta[k] / T)
        y = y + a[k] * theta[k] * q / (1.0 - q)
    return y


def einstein_s(T: Any, params: np.ndarray, terms: int) -> Any:
    r"""Antiderivative of :func:`einstein_cp`/T in T, divided by R, [-].

    .. math::
        \int \frac{\Delta c_p}{R T} dT = \sum_k a_k\left[\frac{x_k}{e^{x_k}-1}
        - \ln\left(1 - e^{-x_k}\right)\right]
    """
    xp = namespace(T)
    a, theta = _split(params, terms)
    y = 0.0
    for k in range(terms):
        x = theta[k] / T
        q = xp.exp(-x)
        y = y + a[k] * (x * q / (1.0 - q) - xp.log(1.0 - q))
    return y
