"""An ONNX property model as a Pyomo Block: inputs as Vars, outputs as Expressions.

This is the plain-Pyomo entry point, independent of IDAES: add a model to any Pyomo model
for equation-oriented optimisation (parameter estimation, design) that is not a flowsheet::

    m = pyo.ConcreteModel()
    blk = add_onnx_block(m, "benzene", "benzene")        # shipped model name or .onnx path
    m.obj = pyo.Objective(expr=(blk.pressure_sat_comp - 1e5 * pyo.units.Pa) ** 2 ...)

Every input is a ``Var`` with the units of the metadata, bounded by the validity domain;
every output is an ``Expression`` with its units; derivatives requested with
``derivatives=[("pressure_sat_comp", "temperature")]`` appear as
``d_pressure_sat_comp_d_temperature`` (exact, from CasADi's differentiation of the graph).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import onnx
import pyomo.environ as pyo
from pyomo.environ import units as pyunits

from idaes_plugin.casadi_to_pyomo import indexed_subexpressions, sx_to_pyomo
from idaes_plugin.onnx_import import OnnxPropertyModel, load_model, parse_units
from propkg_contract.errors import MetadataError, PropkgError


def model_expressions(
    model: OnnxPropertyModel,
    outputs: Sequence[str],
    inputs: dict,
    subexpression=None,
    wrt_derivative: str | None = None,
    log: bool = False,
) -> list:
    """Dimensionless Pyomo expressions of model outputs (or their derivatives).

    Parameters
    ----------
    model : OnnxPropertyModel
    outputs : sequence of str
        Output tensor names.
    inputs : dict
        Input tensor name -> dimensionless Pyomo expression (number in the metadata units).
    subexpression : callable, optional
        See :func:`idaes_plugin.casadi_to_pyomo.sx_to_pyomo`.
    wrt_derivative : str, optional
        Return :math:`\\partial y / \\partial x` for this input instead of the outputs;
        the value is in ``units(y) / units(x)``.
    log : bool
        Logarithms of the outputs (see :meth:`OnnxPropertyModel.sx_function`).
    """
    fun = model.sx_function(outputs, wrt_derivative, log)
    return sx_to_pyomo(fun, [inputs[n] for n in model.input_names], subexpression)


def add_onnx_block(
    parent: pyo.Block,
    name: str,
    source: str | os.PathLike | onnx.ModelProto | OnnxPropertyModel,
    outputs: Iterable[str] | None = None,
    derivatives: Iterable[tuple[str, str]] = (),
    share_subexpressions: bool = True,
) -> pyo.Block:
    """Add a Block holding an ONNX model to ``parent`` and return it.

    Parameters
    ----------
    parent : pyomo Block or ConcreteModel
    name : str
        Name of the new block.
    source : path, shipped model name or CAS, onnx.ModelProto or OnnxPropertyModel
        The model (validated and refused as in :func:`idaes_plugin.onnx_import.load_model`).
    outputs : iterable of str, optional
        Outputs to translate; default all.
    derivatives : iterable of (output, input)
        Derivatives to add as ``d_<output>_d_<input>`` expressions.
    share_subexpressions : bool
        Keep shared nodes as named expressions ``block.subexpression[k]`` (smaller NL file).

    Returns
    -------
    pyomo Block
        With one ``Var`` per input (units, bounds = validity domain, initialised at the
        domain midpoint) and one ``Expression`` per output and derivative. Non-scalar
        tensors (e.g. ``mole_frac_comp`` of a binary g^E model) are indexed 0..n-1 in
        column-major order. The imported model is kept as ``block.onnx_model``.
    """
    _check_block_arguments(parent, name, outputs, derivatives)
    model = source if isinstance(source, OnnxPropertyModel) else load_model(source)
    outputs = list(model.output_names if outputs is None else outputs)
    model.require_outputs(outputs)
    derivatives = [tuple(pair) for pair in derivatives]
    model.require_outputs([out for out, _ in derivatives])
    for _, wrt in derivatives:
        if wrt not in model.input_names:
            raise MetadataError(
                f"add_onnx_block: derivative with respect to '{wrt}', which is not an input "
                f"of {model.source}; inputs: {list(model.input_names)}"
            )
    blk = pyo.Block(concrete=True)
    parent.add_component(name, blk)
    blk.onnx_model = model
    in_units = {n: parse_units(model.units_of(n), model.source) for n in model.input_names}
    dimless = {}
    for input_name in model.input_names:
        bounds = model.domain_of(input_name)
        start = None if bounds is None else 0.5 * (bounds[0] + bounds[1])
        size = model.size_of(input_name)
        if size == 1:
            var = pyo.Var(units=in_units[input_name], bounds=bounds, initialize=start)
        else:
            var = pyo.Var(range(size), units=in_units[input_name], bounds=bounds,
                          initialize=start)  # fmt: skip
        blk.add_component(input_name, var)
        if size == 1:
            dimless[input_name] = var / in_units[input_name]
        else:
            dimless[input_name] = [var[i] / in_units[input_name] for i in range(size)]
    share = indexed_subexpressions(blk) if share_subexpressions else None
    values = model_expressions(model, outputs, dimless, share)
    for out_name, value in zip(outputs, values, strict=True):
        units = parse_units(model.units_of(out_name), model.source)
        blk.add_component(out_name, _expression(value, units))
    for out_name, in_name in derivatives:
        (value,) = model_expressions(model, [out_name], dimless, share, wrt_derivative=in_name)
        units = parse_units(model.units_of(out_name), model.source) / in_units[in_name]
        blk.add_component(f"d_{out_name}_d_{in_name}", _expression(value, units))
    return blk


def _check_block_arguments(parent, name, outputs, derivatives) -> None:
    """Refuse arguments of :func:`add_onnx_block` before anything is built.

    Raises
    ------
    PropkgError
        Naming the argument, its value and what is expected.
    """
    if not isinstance(parent, pyo.Block):
        raise PropkgError(
            f"add_onnx_block: parent must be a Pyomo Block or ConcreteModel, got "
            f"{type(parent).__name__}"
        )
    if not isinstance(name, str) or not name.isidentifier():
        raise PropkgError(f"add_onnx_block: name must be a Python identifier string, got {name!r}")
    if parent.component(name) is not None:
        raise PropkgError(
            f"add_onnx_block: '{parent.name}' already has a component named '{name}'; "
            "choose another name"
        )
    if isinstance(outputs, str):
        raise PropkgError(
            f"add_onnx_block: outputs must be a list of output names, got the string "
            f"{outputs!r}; write [{outputs!r}]"
        )
    if isinstance(derivatives, str) or any(
        isinstance(pair, str) or len(tuple(pair)) != 2 for pair in derivatives
    ):
        raise PropkgError(
            f"add_onnx_block: derivatives must be (output, input) pairs, got {derivatives!r}"
        )


def _expression(value, units) -> pyo.Expression:
    """A scalar Expression, or one indexed 0..n-1 for a list of element expressions."""
    if isinstance(value, list):
        return pyo.Expression(range(len(value)), initialize={i: v * units for i, v in
                                                              enumerate(value)})  # fmt: skip
    return pyo.Expression(expr=value * units)


def as_dimensionless(expr, units_text: str, where: str = "<model>"):
    """``expr`` converted to the units ``units_text`` and divided by them (a plain number)."""
    target = parse_units(units_text, where)
    return pyunits.convert(expr, to_units=target) / target
