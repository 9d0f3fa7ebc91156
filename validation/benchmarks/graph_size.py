"""Size of the state function a component's properties are translated from.

Prints, for each quantity of :func:`idaes_plugin.state_expressions.state_function`, the
number of CasADi instructions it needs (its dependency cone) and the operations among them
(constants, input and output left out), and the cone of the four quantities the
benzene/toluene flash reads at each temperature (vapour pressure, liquid density, liquid
and ideal-gas enthalpies) together. Every instruction becomes a node of the Pyomo
expression, of the NL file and of the graph CasADi differentiates after reading it back.

Run:  python validation/benchmarks/graph_size.py [benzene toluene ...]
"""

from __future__ import annotations

import argparse

import casadi as ca

from idaes_plugin.casadi_to_pyomo import program_of
from idaes_plugin.onnx_import import load_model
from idaes_plugin.state_expressions import state_function

FLASH_KEYS = (
    (("pressure_sat_comp",), None, False),
    (("dens_mol_liq_comp",), None, False),
    ("derived", "enth_mol_liq_comp"),
    (("enth_mol_ig_comp",), None, False),
)
_NOT_OPERATIONS = (ca.OP_CONST, ca.OP_INPUT, ca.OP_OUTPUT)


def cone_size(fun: ca.Function, outputs: list[int]) -> tuple[int, int]:
    """(instructions, operations) needed by the outputs ``outputs`` of ``fun``."""
    T = ca.SX.sym("temperature")
    values = fun.call([T])
    cone = ca.Function("cone", [T], [values[j] for j in outputs])
    program, _ = program_of(cone)
    return len(program), sum(op not in _NOT_OPERATIONS for op, *_ in program)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fluids", nargs="*", default=["benzene"])
    for fluid in parser.parse_args().fluids:
        fun, keys = state_function(load_model(fluid))
        print(f"{fluid}: state function {fun.n_instructions()} instructions")
        for key, j in keys.items():
            print(f"  {str(key):<52} %4d instructions %4d operations" % cone_size(fun, [j]))
        flash = [keys[k] for k in FLASH_KEYS if k in keys]
        print(f"  {'the flash four together':<52} %4d instructions %4d operations"
              % cone_size(fun, flash))  # fmt: skip


if __name__ == "__main__":
    main()
