"""Validity domains of the ONNX models used in a flowsheet: record and check.

Every time a propkg property method (pure component or g^E model) is written into a state
block at a temperature expression, the temperature, the model, the output and that
output's validity domain (``outputs[name]["domain"]`` of the metadata, else the model's
global ``domain``) are recorded on the block. :func:`check_domain` walks a block after a
solve and reports each recorded temperature whose value lies outside its domain: the
state temperature, the smooth-VLE equilibrium temperature ``_teq`` and bubble/dew
temperatures alike.

The domains are *not* state bounds: the models continue smoothly outside them (see the
model metadata's ``notes``), so a solver may pass through; :func:`check_domain` says where
the answer relies on an extrapolation.
"""

from __future__ import annotations

import warnings

import idaes.logger as idaeslog
import pyomo.environ as pyo
from pyomo.environ import units as pyunits

from propkg_contract.errors import DomainError

_log = idaeslog.getLogger(__name__)

#: attribute of a state block holding its records
_RECORDS = "_propkg_domain_records"


class DomainWarning(UserWarning):
    """A state lies outside the validity domain of a propkg model output."""


def record_domain(b, T, label: str, source: str, outputs: dict[str, tuple[float, float]]):
    """Remember that ``b`` evaluates ``outputs`` (name -> (lower, upper) [K]) at ``T``.

    ``label`` names what is evaluated (``"component 'water'"``, ``"g^E model"``).
    Returns the messages of the outputs whose domain ``T``'s current value already
    violates, when that value is the user's: ``T`` is a fixed variable (or a number or an
    expression of fixed values). A free temperature still holds a start value nobody chose
    (the package's nominal 300 K, or none), so it is only recorded; :func:`check_domain`
    reports it after the solve.
    """
    records = b.__dict__.setdefault(_RECORDS, {})
    key = (label, source, id(T))
    entry = records.setdefault(key, (T, {}))
    new = {name: bounds for name, bounds in outputs.items() if entry[1].get(name) != bounds}
    if not new:  # every output already recorded (and checked) at this T
        return []
    entry[1].update(new)
    if not pyo.is_fixed(T):
        return []
    return _violations(b, T, label, source, new)


def _violations(b, T, label, source, outputs) -> list[str]:
    value = pyo.value(pyunits.convert(T, to_units=pyunits.K), exception=False)
    if value is None:
        return []
    outside = [
        (output, lo, hi) for output, (lo, hi) in sorted(outputs.items()) if not lo <= value <= hi
    ]
    if not outside:
        return []
    name = getattr(T, "name", str(T))
    return [
        f"{b.name}: temperature {name} = {value:.6g} K is outside the validity domain "
        f"[{lo:.6g}, {hi:.6g}] K of output '{output}' of {label}, model {source}"
        for output, lo, hi in outside
    ]


def check_domain(block, raise_error: bool = False) -> list[str]:
    """Report every model temperature in ``block`` that lies outside its output's domain.

    Looks at each temperature at which a state block under ``block`` (a flowsheet, a unit,
    a state block) evaluates a propkg ONNX model: pure-component methods and g^E models.
    Call it after a solve.

    Parameters
    ----------
    block : Pyomo block
        Searched recursively.
    raise_error : bool
        Raise :class:`DomainError` instead of warning.

    Returns
    -------
    list of str
        One message per (state, model, output) outside its domain, naming the state block,
        the temperature, the output, the model and the domain; empty if none. Each is also
        logged (IDAES logger) and issued as a :class:`DomainWarning`.

    Raises
    ------
    DomainError
        If ``raise_error`` and there is a violation; the message lists all of them.
    """
    problems = []
    for blk in [block, *block.component_data_objects(pyo.Block, descend_into=True)]:
        for (label, source, _), (T, outputs) in blk.__dict__.get(_RECORDS, {}).items():
            problems.extend(_violations(blk, T, label, source, outputs))
    if problems and raise_error:
        raise DomainError("states outside the ONNX models' validity domains:\n  "
                          + "\n  ".join(problems))  # fmt: skip
    for message in problems:
        _log.warning(message)
        warnings.warn(message, DomainWarning, stacklevel=2)
    return problems
