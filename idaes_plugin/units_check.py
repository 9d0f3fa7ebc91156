"""Units-consistency check for models with large shared (named) expressions.

Pyomo's :func:`pyomo.util.check_units.assert_units_consistent` walks every constraint and
expression to its leaves, and walks a named ``Expression`` again for every expression that
uses it. The property expressions of an ONNX model are written as chains of named
subexpressions (common subexpressions shared by many properties: activity coefficients,
enthalpies, bubble and dew points), so the walk grows with the unrolled tree: about 100 s
for one ethanol/water flash with the hybrid g^E model, whose largest expression unrolls to
3.4 million nodes.

:func:`assert_units_consistent` runs Pyomo's own check, with one change for its duration:
the units of each named expression are computed once and reused wherever it appears (a
named expression's units do not depend on where it is used). Everything Pyomo checks is
checked the same way, and the same exceptions are raised.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


def _is_named(node) -> bool:
    test = getattr(node, "is_named_expression_type", None)
    return test is not None and test()


@contextmanager
def memoized_named_expression_units() -> Iterator[None]:
    """Within the block, Pyomo's units visitor reuses the units of named expressions."""
    from pyomo.common.collections import ComponentMap
    from pyomo.core.base.units_container import PintUnitExtractionVisitor as Visitor

    cache = ComponentMap()
    before, exit_node = Visitor.beforeChild, Visitor.exitNode

    def before_child(self, node, child, child_idx):
        if _is_named(child) and child in cache:
            return False, cache[child]
        return before(self, node, child, child_idx)

    def exit_and_remember(self, node, data):
        result = exit_node(self, node, data)
        if _is_named(node):
            cache[node] = result
        return result

    Visitor.beforeChild, Visitor.exitNode = before_child, exit_and_remember
    try:
        yield
    finally:
        Visitor.beforeChild, Visitor.exitNode = before, exit_node


def assert_units_consistent(obj) -> None:
    """:func:`pyomo.util.check_units.assert_units_consistent` with the units of named
    expressions computed once (module docstring); same arguments, same exceptions."""
    from pyomo.util.check_units import assert_units_consistent as pyomo_check

    with memoized_named_expression_units():
        pyomo_check(obj)
