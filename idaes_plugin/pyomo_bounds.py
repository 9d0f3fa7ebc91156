r"""Hyperbolic functions in Pyomo's interval arithmetic (``pyomo.contrib.fbbt``).

Pyomo 6.10 writes ``tanh``, ``sinh`` and ``cosh`` to NL files, but its bound propagation
has no rule for them: ``compute_bounds_on_expr`` (the ``ExpressionBoundsVisitor`` behind
IDAES's ``DiagnosticsToolbox.report_structural_issues``) raises ``KeyError: 'tanh'`` and
FBBT gives up on the subtree. Hybrid models use ``tanh`` activations, so this module adds
the textbook interval extensions, once, at import of :mod:`idaes_plugin.casadi_to_pyomo`
(like :mod:`idaes_plugin.pyomo_diff` for the differentiator). Existing rules are never
replaced.

Forward (arguments -> result), for :math:`x \in [x_l, x_u]`:

.. math::

    \tanh x \in [\tanh x_l, \tanh x_u] \subset [-1, 1],\qquad
    \sinh x \in [\sinh x_l, \sinh x_u],\qquad
    \cosh x \in \begin{cases} [1, \max(\cosh x_l, \cosh x_u)] & x_l \le 0 \le x_u \\
    [\cosh(\min(|x_l|, |x_u|)), \cosh(\max(|x_l|, |x_u|))] & \text{otherwise}\end{cases}

Backward (result -> argument, FBBT): :math:`x \in [\operatorname{atanh} y_l,
\operatorname{atanh} y_u]` for tanh and :math:`[\operatorname{asinh} y_l,
\operatorname{asinh} y_u]` for sinh; cosh, which is not monotone, tightens nothing.
Overflow of ``sinh``/``cosh`` is an infinite bound, never an exception.
"""

from __future__ import annotations

import math

from pyomo.contrib.fbbt import expression_bounds_walker as bounds_walker
from pyomo.contrib.fbbt import fbbt

_INF = float("inf")


def _safe(fun, x: float) -> float:
    """``fun(x)`` with overflow mapped to an infinite value of the right sign."""
    try:
        return fun(x)
    except OverflowError:
        return math.copysign(_INF, x) if fun is math.sinh else _INF


def tanh_interval(xl: float, xu: float) -> tuple[float, float]:
    """Bounds of :math:`\\tanh x` for :math:`x \\in [x_l, x_u]` (monotone, within [-1, 1])."""
    return math.tanh(xl), math.tanh(xu)


def sinh_interval(xl: float, xu: float) -> tuple[float, float]:
    """Bounds of :math:`\\sinh x` for :math:`x \\in [x_l, x_u]` (monotone)."""
    return _safe(math.sinh, xl), _safe(math.sinh, xu)


def cosh_interval(xl: float, xu: float) -> tuple[float, float]:
    """Bounds of :math:`\\cosh x` for :math:`x \\in [x_l, x_u]` (minimum 1 at x = 0)."""
    high = max(_safe(math.cosh, xl), _safe(math.cosh, xu))
    if xl <= 0.0 <= xu:
        return 1.0, high
    return _safe(math.cosh, min(abs(xl), abs(xu))), high


def _inverse(fun, lo: float, hi: float, y: float) -> float:
    if y <= lo:
        return -_INF
    if y >= hi:
        return _INF
    return fun(y)


def tanh_inverse_interval(yl: float, yu: float) -> tuple[float, float]:
    """Argument bounds :math:`[\\operatorname{atanh} y_l, \\operatorname{atanh} y_u]`."""
    return _inverse(math.atanh, -1.0, 1.0, yl), _inverse(math.atanh, -1.0, 1.0, yu)


def sinh_inverse_interval(yl: float, yu: float) -> tuple[float, float]:
    """Argument bounds :math:`[\\operatorname{asinh} y_l, \\operatorname{asinh} y_u]`."""
    return _inverse(math.asinh, -_INF, _INF, yl), _inverse(math.asinh, -_INF, _INF, yu)


FORWARD = {"tanh": tanh_interval, "sinh": sinh_interval, "cosh": cosh_interval}
BACKWARD = {"tanh": tanh_inverse_interval, "sinh": sinh_inverse_interval, "cosh": None}


def _walker_rule(forward):
    def rule(visitor, node, arg):
        return forward(*arg)

    return rule


def _leaf_to_root_rule(forward):
    def rule(visitor, node, arg):
        visitor.bnds_dict[node] = forward(*visitor.bnds_dict[arg])

    return rule


def _root_to_leaf_rule(backward):
    def rule(node, bnds_dict, feasibility_tol):
        if backward is None:
            return
        (arg,) = node.args
        lb1, ub1 = bnds_dict[arg]
        new_lb, new_ub = backward(*bnds_dict[node])
        bnds_dict[arg] = (max(lb1, new_lb), min(ub1, new_ub))

    return rule


def register() -> list[str]:
    """Add the missing interval rules to Pyomo's bound walkers; return the names added."""
    added = []
    for name, forward in FORWARD.items():
        if name not in bounds_walker._unary_function_dispatcher:
            bounds_walker._unary_function_dispatcher[name] = _walker_rule(forward)
            added.append(name)
        # a defaultdict: test membership, never index, to avoid inserting the default
        if name not in fbbt._unary_leaf_to_root_map:
            fbbt._unary_leaf_to_root_map[name] = _leaf_to_root_rule(forward)
        if name not in fbbt._unary_root_to_leaf_map:
            fbbt._unary_root_to_leaf_map[name] = _root_to_leaf_rule(BACKWARD[name])
    return added
