"""Translate a CasADi SX function into Pyomo expressions, instruction by instruction.

An expanded CasADi function is a straight-line algorithm: each instruction applies one
scalar operation (``OP_ADD``, ``OP_EXP``, ...) to work registers. Walking it once and
mapping every op to its Pyomo counterpart gives Pyomo expressions that evaluate the very
same arithmetic, so that the NL file hands IPOPT exact first and second derivatives (the
ASL differentiates the expression graph; no finite differences anywhere).

A result used by more than one later instruction is a shared subexpression. Pyomo
expressions are trees, so a shared node written twice would be written twice into the NL
file (and, in a neural network, the copies multiply layer by layer). Passing a
``subexpression`` callback that wraps such a node in a named Pyomo ``Expression`` keeps one
copy: Pyomo's NL writer exports named expressions as "defined variables".

Only smooth ops are translated; comparisons, ``fabs``, ``fmin``/``fmax``, ``if_else`` and
the like raise :class:`~propkg_contract.errors.UnsupportedOperationError` (the ONNX scan in
:mod:`idaes_plugin.onnx_import` normally refuses them earlier, by node name).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import casadi as ca
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import (
    ProductExpression,
    SumExpression,
    UnaryFunctionExpression,
)

from idaes_plugin import pyomo_bounds, pyomo_diff
from propkg_contract.errors import UnsupportedOperationError

pyomo_diff.register()
pyomo_bounds.register()

def _is_log(node) -> bool:
    return isinstance(node, UnaryFunctionExpression) and node.getname() == "log"


def exp_of(arg):
    r"""Pyomo :math:`e^{a}`, with logarithms in a sum taken out of the exponential.

    .. math:: \exp\Big(\sum_k \ln u_k + b\Big) = \Big(\prod_k u_k\Big)\, e^{b}

    is exact wherever the left side is defined (every :math:`u_k > 0`) and has the same
    derivatives there; the right side has no logarithm, so Pyomo's bound propagation
    (IDAES's ``DiagnosticsToolbox``) cannot mistake it for a possible evaluation error.
    A model writes :math:`v = e^{\ln Z + \delta} RT/p` this way (a virial compressibility
    :math:`Z = 1 + Bp/RT` with a learned correction :math:`\delta`): interval arithmetic
    over the whole temperature domain cannot prove :math:`Z > 0`, the rewrite needs not.
    """
    if _is_log(arg):
        return arg.args[0]
    if isinstance(arg, SumExpression) and any(_is_log(a) for a in arg.args):
        logs = [a.args[0] for a in arg.args if _is_log(a)]
        rest = [a for a in arg.args if not _is_log(a)]
        factor = logs[0]
        for u in logs[1:]:
            factor = factor * u
        return factor * pyo.exp(sum(rest)) if rest else factor
    return pyo.exp(arg)


UNARY_OPS: dict[int, Callable] = {
    ca.OP_ASSIGN: lambda a: a,
    ca.OP_NEG: lambda a: -a,
    ca.OP_EXP: exp_of,
    ca.OP_LOG: pyo.log,
    ca.OP_SQRT: pyo.sqrt,
    ca.OP_SQ: lambda a: a**2,
    ca.OP_TWICE: lambda a: 2.0 * a,
    ca.OP_INV: lambda a: 1.0 / a,
    ca.OP_TANH: pyo.tanh,
    ca.OP_SINH: pyo.sinh,
    ca.OP_COSH: pyo.cosh,
    ca.OP_SIN: pyo.sin,
    ca.OP_COS: pyo.cos,
    ca.OP_TAN: pyo.tan,
    ca.OP_ASIN: pyo.asin,
    ca.OP_ACOS: pyo.acos,
    ca.OP_ATAN: pyo.atan,
    ca.OP_ASINH: pyo.asinh,
    ca.OP_ACOSH: pyo.acosh,
    ca.OP_ATANH: pyo.atanh,
    ca.OP_LOG1P: lambda a: pyo.log(1.0 + a),
    ca.OP_EXPM1: lambda a: pyo.exp(a) - 1.0,
}


def minus(a, b):
    r"""Pyomo :math:`a - b`; a product :math:`b = c\,u` with a number :math:`c` is added as
    :math:`a + (-c)\,u`, the same floating-point value (negation is exact) without the
    NegationExpression node Pyomo would put above :math:`c\,u` (one node less for every tree
    walk and one object less for the garbage collector)."""
    if type(b) is ProductExpression and type(b.args[0]) in (float, int):
        return a + (-b.args[0]) * b.args[1]
    return a - b


BINARY_OPS: dict[int, Callable] = {
    ca.OP_ADD: lambda a, b: a + b,
    ca.OP_SUB: minus,
    ca.OP_MUL: lambda a, b: a * b,
    ca.OP_DIV: lambda a, b: a / b,
    ca.OP_POW: lambda a, b: a**b,
    ca.OP_CONSTPOW: lambda a, b: a**b,
    ca.OP_HYPOT: lambda a, b: pyo.sqrt(a**2 + b**2),
}
_OP_NAMES = {getattr(ca, n): n[3:].lower() for n in dir(ca) if n.startswith("OP_")}


def op_name(op: int) -> str:
    """Readable name of a CasADi op code (``ca.OP_EXP`` -> ``'exp'``)."""
    return _OP_NAMES.get(op, str(op))


def _use_counts(program: list[tuple]) -> list[int]:
    """Number of later instructions (outputs included) that read each instruction's result."""
    uses = [0] * len(program)
    producer: dict[int, int] = {}
    for k, (op, args, out, _) in enumerate(program):
        if op not in (ca.OP_CONST, ca.OP_INPUT, ca.OP_PARAMETER):
            for reg in args:
                uses[producer[reg]] += 1
        if op != ca.OP_OUTPUT:
            producer[out[0]] = k
    return uses


_PROGRAMS: dict[int, tuple] = {}


def program_of(fun: ca.Function) -> tuple[list[tuple], list[int]]:
    """The decoded instruction list of ``fun`` and its use counts, cached per function.

    Reading instructions through CasADi's Python API costs microseconds each; a property
    package translates the same few functions for every state block.
    """
    cached = _PROGRAMS.get(id(fun))
    if cached is not None and cached[0] is fun:
        return cached[1], cached[2]
    program = [
        (
            fun.instruction_id(k),
            tuple(fun.instruction_input(k)),
            tuple(fun.instruction_output(k)),
            float(fun.instruction_constant(k)) if fun.instruction_id(k) == ca.OP_CONST else None,
        )
        for k in range(fun.n_instructions())
    ]
    uses = _use_counts(program)
    if len(_PROGRAMS) > 512:
        _PROGRAMS.clear()
    _PROGRAMS[id(fun)] = (fun, program, uses)  # the function is kept alive with its id
    return program, uses


def instruction_value(fun: ca.Function, k: int, op: int, operands: Sequence, constant):
    """Pyomo counterpart of instruction ``k`` of ``fun`` (op code ``op``) on its operands.

    Raises
    ------
    UnsupportedOperationError
        For an op that is not smooth or has no Pyomo counterpart.
    """
    if op == ca.OP_CONST:
        return constant
    if op in UNARY_OPS:
        return UNARY_OPS[op](operands[0])
    if op in BINARY_OPS:
        return BINARY_OPS[op](operands[0], operands[1])
    raise UnsupportedOperationError(
        f"instruction {k} of CasADi function '{fun.name()}' uses op "
        f"'{op_name(op)}', which is not smooth or has no Pyomo counterpart; supported: "
        + ", ".join(sorted(op_name(o) for o in (*UNARY_OPS, *BINARY_OPS)))
    )


def sx_to_pyomo(
    fun: ca.Function,
    inputs: Sequence,
    subexpression: Callable | None = None,
) -> list:
    """Pyomo expressions of the outputs of an SX function.

    Parameters
    ----------
    fun : casadi.Function
        An SX function (call ``.expand()`` on an MX function first); every input and output
        is read element by element (column-major nonzeros).
    inputs : sequence
        One entry per input of ``fun``: a Pyomo expression/Var or float for a scalar input,
        or a sequence of them (one per nonzero) otherwise. Values are taken as numbers in the
        units of the model: pass dimensionless expressions.
    subexpression : callable, optional
        ``subexpression(expr) -> expr``, called for every result used more than once; return
        a named Pyomo ``Expression`` holding ``expr`` to keep one copy in the NL file. With
        None, shared nodes are shared Python objects (written once per use).

    Returns
    -------
    list
        For each output, a Pyomo expression (or float) if the output is scalar, else a list
        of them over its nonzeros. Structurally zero nonzeros are ``0.0``; an output with no
        nonzero at all (structurally zero) is ``0.0`` in each of its elements.

    Raises
    ------
    UnsupportedOperationError
        For an op that is not smooth or has no Pyomo counterpart.
    """
    if not fun.is_a("SXFunction"):
        raise TypeError(f"sx_to_pyomo needs an SX function, got {fun.class_name()}; call .expand()")
    if len(inputs) != fun.n_in():
        raise ValueError(f"function '{fun.name()}' has {fun.n_in()} inputs, got {len(inputs)}")
    in_values = [list(v) if isinstance(v, list | tuple) else [v] for v in inputs]
    outputs = [[0.0] * fun.nnz_out(i) for i in range(fun.n_out())]
    program, uses = program_of(fun)
    share = subexpression is not None
    work: dict[int, object] = {}
    for k, (op, args, out, constant) in enumerate(program):
        if op == ca.OP_OUTPUT:
            out_index, nz = out
            outputs[out_index][nz] = work[args[0]]
            continue
        if op == ca.OP_CONST:
            value = constant
        elif op == ca.OP_INPUT:
            value = in_values[args[0]][args[1]]
        else:
            value = instruction_value(fun, k, op, [work[r] for r in args], constant)
        if share and uses[k] > 1 and op not in (ca.OP_CONST, ca.OP_INPUT):
            if not isinstance(value, float | int):
                value = subexpression(value)
        work[out[0]] = value
    # an output without any nonzero (e.g. d(g^E/RT)/dT and d ln gamma/dT of a
    # temperature-independent g^E) is zero in every element
    outputs = [out or [0.0] * fun.numel_out(i) for i, out in enumerate(outputs)]
    return [out[0] if fun.numel_out(i) == 1 else out for i, out in enumerate(outputs)]


def indexed_subexpressions(block: pyo.Block, name: str = "subexpression") -> Callable:
    """A ``subexpression`` callback that stores shared nodes in ``block.<name>[0, 1, ...]``.

    The indexed ``Expression`` is created on first use, so a translation without shared
    nodes adds nothing to the block.
    """
    counter = [0]

    def store(expr):
        container = block.component(name)
        if container is None:
            container = pyo.Expression(pyo.Any)
            block.add_component(name, container)
        index = counter[0]
        while index in container:
            index += 1
        container[index] = expr
        counter[0] = index + 1
        return container[index]

    return store
