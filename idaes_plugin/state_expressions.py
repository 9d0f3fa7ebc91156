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
read more than once by the request's instructions becomes a named Pyomo ``Expression`` (an
NL "defined variable"; tiny ones, see :data:`INLINE_SIZE`, are written inline), and so does
a large node that other quantities of the state function read too (:data:`SHARE_SIZE`);
a node read once is written inline where it is read. All named Expressions of a state
block live in its one sub-block ``propkg_state`` (``expression[component, n, k]``, the
``n``-th temperature of the component). The temperature enters as
``T * inverse_temperature_unit``, a mutable unit Param of that sub-block (value 1, units
1/K, one per state block): a leaf for Pyomo's walkers, where ``T / K`` would be a unit
expression that Pyomo folds into the coefficient of every ``T / T_c`` and that walkers
visit each time.

Measured on the benzene/toluene flash (2 state blocks x 2 components x 4 temperatures):
one sub-block and one Param per state block instead of one per (component, temperature),
and naming by the request's own reads, build 100 flashes with 19 % less CPU and halve the
NL defined variables (220 -> 104, NL file 21.3 -> 20.0 kB) with the same CasADi graph after
the NL import (1,286 instructions).
"""

from __future__ import annotations

import functools
from collections.abc import Hashable

import casadi as ca
import pyomo.environ as pyo
from pyomo.environ import units as pyunits

from idaes_plugin.affine_forms import affine_normalized
from idaes_plugin.casadi_to_pyomo import (
    BINARY_OPS,
    UNARY_OPS,
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

#: a node of more than this many instructions that other quantities of the state function
#: read too is stored as a named Expression even when the request being translated reads
#: it once (the state temperature's quantities - vapour pressure, liquid density, enthalpies
#: - share their backbone terms); smaller ones are written inline where they are read
SHARE_SIZE = 20

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


def _local_uses(todo: list[int], operands) -> dict[int, int]:
    """Number of reads of each instruction by the instructions ``todo`` (one request's
    untranslated cone, its output included)."""
    counts: dict[int, int] = {}
    for k in todo:
        for i in operands[k]:
            counts[i] = counts.get(i, 0) + 1
    return counts


class StateExpressions:
    """On-demand Pyomo expressions of :func:`state_function` at one temperature expression.

    Parameters
    ----------
    model : OnnxPropertyModel
        The component's model.
    t_number : Pyomo expression
        The temperature as a dimensionless number in the model's temperature units.
    store : callable
        ``store(expr) -> named Expression`` holding a shared node (see
        :func:`state_values`).
    """

    def __init__(self, model: OnnxPropertyModel, t_number, store):
        self.function, self.keys = state_function(model)
        self._t_number = t_number
        self._store = store
        self._work: dict[int, object] = {}
        self._size: dict[int, int] = {}  # instructions written inline below each value

    def provides(self, key: Hashable) -> bool:
        """Whether the state function holds the quantity ``key``."""
        return key in self.keys

    def value(self, key: Hashable):
        """Pyomo expression (or float) of the quantity ``key``, translating what is missing.

        A node becomes a named Expression (see :func:`stored`) when it is larger than
        :data:`INLINE_SIZE` and is read more than once by this request, or is larger than
        :data:`SHARE_SIZE` and read by other quantities of the state function as well.
        """
        fun = self.function
        program, uses = program_of(fun)
        operands, cones = _dependencies(fun)
        cone = cones[self.keys[key]]
        if not cone:  # a structurally zero output
            return 0.0
        work = self._work
        todo = [k for k in cone if k not in work]
        local_uses = _local_uses(todo, operands)
        self._translate(todo, local_uses)
        return work[cone[-1]]  # the output instruction comes last

    def _translate(self, todo: list[int], local_uses: dict[int, int]) -> None:
        """Translate the instructions ``todo`` (in order) into ``self._work``."""
        fun, work, size = self.function, self._work, self._size
        program, uses = program_of(fun)
        operands, _ = _dependencies(fun)
        for k in todo:
            op, _, _, constant = program[k]
            args = operands[k]
            if op == ca.OP_OUTPUT:
                work[k], size[k] = work[args[0]], 0
                continue
            if op == ca.OP_INPUT:
                work[k], size[k] = self._t_number, 0
                continue
            if op == ca.OP_CONST:
                work[k], size[k] = constant, 1
                continue
            unary = UNARY_OPS.get(op)
            if unary is not None:
                value = unary(work[args[0]])
                n = 1 + size[args[0]]
            elif op in BINARY_OPS:
                value = BINARY_OPS[op](work[args[0]], work[args[1]])
                n = 1 + size[args[0]] + size[args[1]]
            else:  # raises UnsupportedOperationError naming the op
                value = instruction_value(fun, k, op, [work[i] for i in args], constant)
                n = 1 + sum(size[i] for i in args)
            if stored(n, local_uses.get(k, 0), uses[k]) and not isinstance(value, float | int):
                value, n = self._store(value), 0
            work[k], size[k] = value, n


def stored(size: int, local_uses: int, uses: int) -> bool:
    """Whether a translated node of ``size`` instructions (written inline below it) becomes
    a named Expression: read ``local_uses`` times by the request being translated and
    ``uses`` times in the whole state function."""
    return size > INLINE_SIZE and (local_uses > 1 or (uses > 1 and size > SHARE_SIZE))


def add_sub_block(block: pyo.Block, base: str) -> pyo.Block:
    """A new empty sub-block of ``block`` named ``base`` (``base_1``, ... if taken)."""
    name, k = base, 1
    while block.component(name) is not None:
        name, k = f"{base}_{k}", k + 1
    sub = pyo.Block(concrete=True)
    block.add_component(name, sub)
    return sub


class _StateStore:
    """The Pyomo home of one state block's translations: a sub-block ``propkg_state`` with
    one indexed ``Expression`` (``expression[component, n, k]``: shared node ``k`` of the
    ``n``-th temperature of ``component``) and one unit Param per temperature unit
    (``inverse_temperature_unit``: value 1, units 1/K), all created once per state block,
    and the dimensionless temperature of each (temperature expression, unit)."""

    def __init__(self, block: pyo.Block):
        self.sub = add_sub_block(block, "propkg_state")
        self.sub.expression = pyo.Expression(pyo.Any)
        self._inverse_units: dict[str, object] = {}
        self._numbers: dict[tuple[int, str], tuple] = {}
        self._count: dict[str, int] = {}

    def t_number(self, T, unit):
        """``T`` as a number in ``unit``: ``T * inverse_temperature_unit``, one expression
        per (temperature, unit) shared by all components."""
        key = (id(T), str(unit))
        entry = self._numbers.get(key)
        if entry is None:
            inverse = self._inverse_units.get(str(unit))
            if inverse is None:
                name = "inverse_temperature_unit" + (
                    f"_{len(self._inverse_units)}" if self._inverse_units else ""
                )
                inverse = pyo.Param(initialize=1.0, mutable=True, units=1 / unit)
                self.sub.add_component(name, inverse)
                self._inverse_units[str(unit)] = inverse
            number = pyunits.convert(T, to_units=unit) * inverse
            entry = self._numbers[key] = (T, number)  # T kept alive: its id stays unique
        return entry[1]

    def storer(self, component: str):
        """``store(expr)`` for the next temperature of ``component``: puts ``expr`` in
        ``expression[component, n, k]`` (k = 0, 1, ...) and returns that named Expression."""
        n = self._count.get(component, 0)
        self._count[component] = n + 1
        container, counter = self.sub.expression, [0]

        def store(expr):
            index = (component, n, counter[0])
            counter[0] += 1
            container[index] = expr
            return container[index]

        return store


def state_values(block, component: str, model: OnnxPropertyModel, T, key):
    """``[expression]`` of the quantity ``key`` at ``T`` in ``block``, or None if the state
    function does not hold it.

    The :class:`StateExpressions` of (``component``, ``T``) is kept in the state block's
    ``_propkg_states`` dict (with ``T``, so that its id stays unique); named Expressions go
    to the state block's one sub-block ``propkg_state`` (:class:`_StateStore`).
    """
    states = block.__dict__.setdefault("_propkg_states", {})
    entry = states.get((component, id(T)))
    if entry is None:
        if key not in state_function(model)[1]:
            return None
        store = block.__dict__.get("_propkg_state_store")
        if store is None:
            store = block.__dict__["_propkg_state_store"] = _StateStore(block)
        unit = parse_units(model.units_of("temperature"), model.source)
        state = StateExpressions(model, store.t_number(T, unit), store.storer(component))
        entry = states[(component, id(T))] = (T, state)
    state = entry[1]
    return [state.value(key)] if state.provides(key) else None
