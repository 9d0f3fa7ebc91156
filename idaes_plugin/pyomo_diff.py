"""Hyperbolic functions in Pyomo's own differentiator (``pyomo.core.expr.calculus``).

Pyomo writes ``tanh``, ``sinh``, ``cosh``, ``asinh``, ``acosh`` and ``atanh`` to NL files
(the ASL differentiates them exactly), but its Python-side differentiator
(``differentiate``, used by ``calculate_variable_from_constraint`` and by IDAES's
initialisation and scaling tools) has no rule for them in Pyomo 6.10 and raises
``DifferentiationException``. Hybrid models use ``tanh`` activations, so this module adds
the textbook rules to Pyomo's table of unary functions, once, at import of
:mod:`idaes_plugin.casadi_to_pyomo`. Existing rules are never replaced.

.. math::

    \\tanh' = 1 - \\tanh^2,\\quad \\sinh' = \\cosh,\\quad \\cosh' = \\sinh,\\quad
    \\operatorname{asinh}'(x) = (x^2 + 1)^{-1/2},\\quad
    \\operatorname{acosh}'(x) = (x^2 - 1)^{-1/2},\\quad
    \\operatorname{atanh}'(x) = (1 - x^2)^{-1}
"""

from __future__ import annotations

from pyomo.core.expr import cosh, sinh, sqrt
from pyomo.core.expr.calculus import diff_with_pyomo


def _rule(derivative):
    """A Pyomo reverse-mode rule from ``derivative(x, y)`` of argument x and value y."""

    def rule(node, val_dict, der_dict):
        (arg,) = node.args
        der_dict[arg] += der_dict[node] * derivative(val_dict[arg], val_dict[node])

    return rule


HYPERBOLIC_RULES = {
    "tanh": _rule(lambda x, y: 1 - y**2),
    "sinh": _rule(lambda x, y: cosh(x)),
    "cosh": _rule(lambda x, y: sinh(x)),
    "asinh": _rule(lambda x, y: 1 / sqrt(x**2 + 1)),
    "acosh": _rule(lambda x, y: 1 / sqrt(x**2 - 1)),
    "atanh": _rule(lambda x, y: 1 / (1 - x**2)),
}


def register() -> list[str]:
    """Add the missing rules to Pyomo's differentiator; return the names added."""
    table = diff_with_pyomo._unary_map
    added = [name for name in HYPERBOLIC_RULES if name not in table]
    for name in added:
        table[name] = HYPERBOLIC_RULES[name]
    return added
