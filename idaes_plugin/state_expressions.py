"""One translation of a model per state block, component and temperature, shared by all properties.

IDAES asks a pure-component method for one property at a time: :math:`p^{sat}` at the
state temperature, :math:`dp^{sat}/dT` and :math:`p^{sat}` at the bubble temperature,
:math:`h^{ig}` and :math:`h^{liq} = h^{ig} - \\Delta h^{vap}` at the equilibrium temperature...
Translating each request's CasADi function on its own writes the shared part of the graph
(the backbone, the network's hidden layer) once per property. Here every quantity the
methods of :mod:`idaes_plugin.pure_methods` can ask for is one output of a single SX
*state function* of the temperature (:func:`state_function`): the model outputs, the log
and derivatives of the vapour pressure, the derived properties of
:mod:`idaes_plugin.derived`, each built by the very function the methods use
(:meth:`~propkg_contract.reader.OnnxPropertyModel.sx_function`,
:func:`~idaes_plugin.derived.derived_function`) (:func:`state_quantities`), its affine
parts merged into one sum each (:mod:`idaes_plugin.affine_forms`: the same values up to
round-off, about half the nodes for Pyomo's tree walkers, which IDAES's
degrees-of-freedom checks run on every constraint) and its shared nodes merged by CasADi's
common subexpression elimination (exact: structurally identical nodes only).

A :class:`StateExpressions` translates that function *on demand*, per (state block,
component, temperature expression): a request translates only the instructions its
output needs and that no earlier request translated, so each model node is written once
per state and temperature, and the properties never asked for are never built. A node
used by more than one instruction of the state function becomes a named Pyomo
``Expression`` (an NL "defined variable"; tiny ones, see :data:`INLINE_SIZE`, are written
inline), in a sub-block ``propkg_<component>_state`` of the state block. The temperature
enters as ``T * inverse_temperature_unit``, a mutable unit Param of the sub-block (value 1,
units 1/K): a leaf for Pyomo's walkers, where ``T / K`` would be a unit expression that
Pyomo folds into the coefficient of every ``T / T_c`` and that walkers visit each time.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable

import casadi as ca
import pyomo.environ as pyo
from pyomo.environ import units as pyunits

from idaes_plugin.affine_forms import affine_normalized
from idaes_plugin.casadi_to_pyomo import (
    indexed_subexpressions,
    instruction_value,
    program_of,
)
from idaes_plugin.derived import DERIVED_UNITS, derived_function
from idaes_plugin.onnx_import import OnnxPropertyModel, parse_units
from propkg_contract.errors import PropkgError

#: a shared node of at most this many instructions (``-a + T``, ``c * sqrt(...)``) is written
#: inline at each use instead of as a named Expression: Pyomo's tree walkers (IDAES's
#: degrees-of-freedom checks) expand a named Expression at every reference anyway, and the
#: reference itself is one more node to visit and one more NL defined variable. Measured on
#: the benzene/toluene flash with the merged state function: 3 gives 278 named Expressions
#: instead of 406 (at 1), a 6 % smaller tree for the walkers and a 5 % smaller NL file
#: (21.3 vs 22.5 kB); 6 and more make the NL file grow again
INLINE_SIZE = 3

#: quantities of the vapour pressure beyond its value: (wrt, log) as in ``sx_function``
_PSAT_FORMS = (("temperature", False), (None, True), ("temperature", True))


def state_quantities(model: OnnxPropertyModel) -> tuple[ca.Function, tuple[Hashable, ...]]:
    """The SX function temperature -> every quantity a pure method may ask for, as built,
    and the keys of its outputs.

    Each output is the very function a pure method would translate on its own
    (:meth:`~propkg_contract.reader.OnnxPropertyModel.sx_function`,
    :func:`~idaes_plugin.derived.derived_function`), named ``str(key)`` (keys as in
    :func:`state_function`). A model whose input is not the temperature alone gives a
    function without outputs.
    """
    T = ca.SX.sym("temperature")
    entries: dict[Hashable, ca.SX] = {}
    if model.input_names != ("temperature",):
        return ca.Function("propkg_state", [T], []), ()
    for name in model.output_names:
        if model.size_of(name) != 1:
            continue
        entries[((name,), None, False)] = model.sx_function((name,))(T)
    if "pressure_sat_comp" in model.output_names:
        for wrt, log in _PSAT_FORMS:
            fun = model.sx_function(("pressure_sat_comp",), wrt, log)
            entries[(("pressure_sat_comp",), wrt, log)] = fun(T)
    for name in DERIVED_UNITS:
        try:
            entries[("derived", name)] = derived_function(model, name)(T)
        except PropkgError:  # the model lacks what this property is derived from
            continue
    names = [str(key) for key in entries]
    fun = ca.Function("propkg_state", [T], list(entries.values()), ["temperature"], names)
    return fun, tuple(entries)


@functools.lru_cache(maxsize=64)
def state_function(model: OnnxPropertyModel) -> tuple[ca.Function, dict[Hashable, int]]:
    """The state function translated into Pyomo, and the index of each quantity's output.

    Keys are those of :func:`idaes_plugin.pure_methods._model_values` (``((output,), wrt,
    log)``) and of derived properties (``("derived", name)``). Only the quantities the
    model can provide are included (scalar outputs; derived properties whose inputs it
    has). The function is :func:`state_quantities` with its affine parts merged
    (:func:`~idaes_plugin.affine_forms.affine_normalized`: equal values up to round-off,
    about half the nodes for Pyomo's tree walkers) and its common subexpressions
    eliminated (``casadi.cse``, exact: structurally identical nodes only).
    """
    built, keys = state_quantities(model)
    T = ca.SX.sym("temperature")
    values = ca.cse(affine_normalized(built).call([T])) if keys else []
    names = [built.name_out(k) for k in range(built.n_out())]
    fun = ca.Function("propkg_state", [T], values, ["temperature"], names)
    return fun, {key: k for k, key in enumerate(keys)}


@functools.lru_cache(maxsize=64)
def _dependencies(fun: ca.Function) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """Per instruction, the instructions producing its operands; per output, the ordered
    instructions it needs (its dependency cone)."""
    program, _ = program_of(fun)
    producer: dict[int, int] = {}
    operands: list[tuple[int, ...]] = []
    outputs: dict[int, int] = {}
    for k, (op, args, out, _) in enumerate(program):
        if op in (ca.OP_CONST, ca.OP_INPUT, ca.OP_PARAMETER):
            operands.append(())
        else:
            operands.append(tuple(producer[reg] for reg in args))
        if op == ca.OP_OUTPUT:
            outputs[out[0]] = k
        else:
            producer[out[0]] = k
    cones = []
    for j in range(fun.n_out()):
        needed, stack = set(), [outputs[j]] if j in outputs else []
        while stack:
            k = stack.pop()
            if k not in needed:
                needed.add(k)
                stack.extend(operands[k])
        cones.append(tuple(sorted(needed)))
    return tuple(operands), tuple(cones)


class StateExpressions:
    """On-demand Pyomo expressions of :func:`state_function` at one temperature expression.

    Parameters
    ----------
    model : OnnxPropertyModel
        The component's model.
    t_number : Pyomo expression
        The temperature as a dimensionless number in the model's temperature units.
    block : pyomo Block
        Where shared nodes are stored as named Expressions (created on first use).
    """

    def __init__(self, model: OnnxPropertyModel, t_number, block: pyo.Block):
        self.function, self.keys = state_function(model)
        self._t_number = t_number
        self._store = indexed_subexpressions(block)
        self._work: dict[int, object] = {}
        self._size: dict[int, int] = {}  # instructions written inline below each value

    def provides(self, key: Hashable) -> bool:
        """Whether the state function holds the quantity ``key``."""
        return key in self.keys

    def value(self, key: Hashable):
        """Pyomo expression (or float) of the quantity ``key``, translating what is missing."""
        fun = self.function
        program, uses = program_of(fun)
        operands, cones = _dependencies(fun)
        cone = cones[self.keys[key]]
        if not cone:  # a structurally zero output
            return 0.0
        work, size = self._work, self._size
        for k in cone:
            if k in work:
                continue
            op, _, _, constant = program[k]
            size[k] = 0
            if op == ca.OP_OUTPUT:
                value = work[operands[k][0]]
            elif op == ca.OP_INPUT:
                value = self._t_number
            else:
                value = instruction_value(
                    fun, k, op, [work[i] for i in operands[k]], constant
                )
                size[k] = 1 + sum(size[i] for i in operands[k])
                if (
                    uses[k] > 1
                    and size[k] > INLINE_SIZE
                    and op != ca.OP_CONST
                    and not isinstance(value, float | int)
                ):
                    value = self._store(value)
                    size[k] = 0
            work[k] = value
        return work[cone[-1]]  # the output instruction comes last


def add_sub_block(block: pyo.Block, base: str) -> pyo.Block:
    """A new empty sub-block of ``block`` named ``base`` (``base_1``, ... if taken)."""
    name, k = base, 1
    while block.component(name) is not None:
        name, k = f"{base}_{k}", k + 1
    sub = pyo.Block(concrete=True)
    block.add_component(name, sub)
    return sub


def state_values(block, component: str, model: OnnxPropertyModel, T, key):
    """``[expression]`` of the quantity ``key`` at ``T`` in ``block``, or None if the state
    function does not hold it.

    The :class:`StateExpressions` of (``component``, ``T``) is kept in the state block's
    ``_propkg_states`` dict (with ``T``, so that its id stays unique) and its named
    Expressions in a sub-block ``propkg_<component>_state``.
    """
    states = block.__dict__.setdefault("_propkg_states", {})
    entry = states.get((component, id(T)))
    if entry is None:
        if key not in state_function(model)[1]:
            return None
        sub = add_sub_block(block, f"propkg_{component}_state")
        unit = parse_units(model.units_of("temperature"), model.source)
        sub.inverse_temperature_unit = pyo.Param(initialize=1.0, mutable=True, units=1 / unit)
        t_number = pyunits.convert(T, to_units=unit) * sub.inverse_temperature_unit
        entry = states[(component, id(T))] = (T, StateExpressions(model, t_number, sub))
    state = entry[1]
    return [state.value(key)] if state.provides(key) else None
