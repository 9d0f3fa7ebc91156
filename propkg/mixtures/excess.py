r"""Activity coefficients by exact differentiation of ``g^E/RT`` (CasADi).

For :math:`g = g^E/RT` as a function of the mole fractions,

.. math::

    \ln\gamma_i = \frac{\partial (n g)}{\partial n_i}
        = g + \frac{\partial g}{\partial x_i} - \sum_j x_j \frac{\partial g}{\partial x_j}

which holds for any smooth extension of :math:`g` off the simplex (the direction
:math:`\delta_{ij} - x_j` is tangent to it). Because :math:`\ln\gamma_i` are exact partial
derivatives of one function, :math:`\sum_i x_i \ln\gamma_i = g` and the Gibbs-Duhem equation
:math:`\sum_i x_i\, \partial\ln\gamma_i/\partial x_1|_{T,\,x_1+x_2=1} = 0` hold to round-off.
"""

from __future__ import annotations

from collections.abc import Callable

import casadi as ca
import numpy as np

#: Signature of a binary ``g^E/RT`` builder: (T, x1, x2) -> casadi expression
GibbsExcessBuilder = Callable[[object, object, object], object]


def log_activity_coefficients(ge, xs: list):
    """``ln gamma_i`` of a ``g^E/RT`` expression ``ge`` in the symbols ``xs`` (exact)."""
    x = ca.vertcat(*xs)
    dg = ca.gradient(ge, x)
    return [ge + dg[i] - ca.dot(x, dg) for i in range(len(xs))]


def binary_excess_function(builder: GibbsExcessBuilder, name: str = "gibbs_excess") -> ca.Function:
    """CasADi SX function ``(T, x1, x2) -> (g^E/RT, ln gamma_1, ln gamma_2)``.

    Parameters
    ----------
    builder : callable
        ``builder(T, x1, x2)`` returning ``g^E/RT`` as a CasADi expression.
    name : str
        Function name.
    """
    T = ca.SX.sym("temperature")
    x1 = ca.SX.sym("x1")
    x2 = ca.SX.sym("x2")
    ge = builder(T, x1, x2)
    ln1, ln2 = log_activity_coefficients(ge, [x1, x2])
    return ca.Function(
        name, [T, x1, x2], [ge, ln1, ln2], ["temperature", "x1", "x2"],
        ["gibbs_excess_rt", "ln_gamma_1", "ln_gamma_2"],
    )


def evaluate(fun: ca.Function, T, x1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised numeric evaluation on the simplex: returns ``(g, ln gamma_1, ln gamma_2)``.

    Parameters
    ----------
    fun : casadi.Function
        From :func:`binary_excess_function`.
    T : array_like
        Temperature, [K].
    x1 : array_like
        Mole fraction of component 1, [-]; ``x2 = 1 - x1``.
    """
    T, x1 = np.broadcast_arrays(np.asarray(T, float), np.asarray(x1, float))
    shape = T.shape
    Tf, xf = T.ravel(), x1.ravel()
    fm = fun.map(max(Tf.size, 1))
    g, l1, l2 = fm(Tf[None, :], xf[None, :], 1.0 - xf[None, :])
    return (np.asarray(g).reshape(shape), np.asarray(l1).reshape(shape),
            np.asarray(l2).reshape(shape))


def gibbs_duhem_residual(fun: ca.Function, T, x1) -> np.ndarray:
    r"""Gibbs-Duhem residual :math:`x_1\,d\ln\gamma_1/dx_1 + x_2\,d\ln\gamma_2/dx_1` (exact AD).

    The derivative is taken along the simplex (:math:`x_2 = 1 - x_1`) by CasADi's
    algorithmic differentiation, so the residual measures the model's consistency, not a
    finite-difference error. Returns an array of the residuals, [-].
    """
    T_s = ca.SX.sym("T")
    x_s = ca.SX.sym("x")
    _, l1, l2 = fun(T_s, x_s, 1 - x_s)
    res = x_s * ca.jacobian(l1, x_s) + (1 - x_s) * ca.jacobian(l2, x_s)
    scale = ca.fabs(x_s * ca.jacobian(l1, x_s)) + ca.fabs((1 - x_s) * ca.jacobian(l2, x_s))
    f = ca.Function("gd", [T_s, x_s], [res, scale])
    T, x1 = np.broadcast_arrays(np.asarray(T, float), np.asarray(x1, float))
    r, s = f.map(T.size)(T.ravel()[None, :], x1.ravel()[None, :])
    return np.asarray(r).reshape(T.shape), np.asarray(s).reshape(T.shape)
