"""Mechanism-only ONNX replica of IDAES's ``BT_ideal`` pure-component correlations.

IDAES's example package ``idaes.models.properties.modular_properties.examples.BT_ideal``
describes benzene and toluene with RPP4 vapour pressure and ideal-gas heat capacity and
Perry's liquid density and liquid heat capacity. This module writes the very same
correlations, with IDAES's own parameter values, as CasADi expressions and exports them as
propkg ONNX models (nothing trained). Solving the BT_ideal flash with these files in place
of the built-in methods must reproduce IDAES's numbers to round-off: it shows that the
ONNX -> Pyomo pipeline adds no error.

Correlations (T in K, :math:`T_{ref}` = 298.15 K, the propkg reference state):

.. math::

    x = 1 - T/T_c, \\qquad
    p^{sat} = p_c \\exp\\left(\\frac{A x + B x^{1.5} + C x^3 + D x^6}{1 - x}\\right)

    c_p^{ig} = A' + B' T + C' T^2 + D' T^3, \\qquad
    h^{ig} = \\int_{T_{ref}}^T c_p^{ig}\\,dT, \\qquad s^{ig} = \\int_{T_{ref}}^T c_p^{ig}/T\\,dT

    \\rho^{liq} = \\frac{C_1}{C_2^{1 + (1 - T/C_3)^{C_4}}}, \\qquad
    h^{liq} = \\int_{T_{ref}}^T c_p^{liq}\\,dT,\\quad c_p^{liq} = \\sum_{k=1}^{5} c_k T^{k-1}

References
----------
Reid, R. C., Prausnitz, J. M., Poling, B. E. The Properties of Gases and Liquids, 4th ed.,
McGraw-Hill, 1987. Perry's Chemical Engineers' Handbook, 7th ed., 1997. Parameter values
copied from IDAES-PSE 2.13 ``examples/BT_ideal.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import casadi as ca

from propkg_contract.vocabulary import P_REF, T_REF  # propkg's reference state of h and s
from propkg_contract.writer import write_onnx

#: Parameters of IDAES BT_ideal, in SI units (density coefficient 1 converted to mol/m**3).
BT_IDEAL_PARAMETERS = {
    "benzene": {
        "cas": "71-43-2",
        "mw": 78.1136e-3,
        "pressure_crit": 48.9e5,
        "temperature_crit": 562.2,
        "dens_mol_liq_comp_coeff": (1.0162e3, 0.2655, 562.16, 0.28212),
        "cp_mol_ig_comp_coeff": (-3.392e1, 4.739e-1, -3.017e-4, 7.130e-8),
        "cp_mol_liq_comp_coeff": (1.29e2, -1.7e-1, 6.48e-4, 0.0, 0.0),  # J/kmol/K^k
        "enth_mol_form_liq_comp_ref": 49.0e3,
        "enth_mol_form_vap_comp_ref": 82.9e3,
        "pressure_sat_comp_coeff": (-6.98273, 1.33213, -2.62863, -3.33399),
    },
    "toluene": {
        "cas": "108-88-3",
        "mw": 92.1405e-3,
        "pressure_crit": 41e5,
        "temperature_crit": 591.8,
        "dens_mol_liq_comp_coeff": (0.8488e3, 0.26655, 591.8, 0.2878),
        "cp_mol_ig_comp_coeff": (-2.435e1, 5.125e-1, -2.765e-4, 4.911e-8),
        "cp_mol_liq_comp_coeff": (1.40e2, -1.52e-1, 6.95e-4, 0.0, 0.0),  # J/kmol/K^k
        "enth_mol_form_liq_comp_ref": 12.0e3,
        "enth_mol_form_vap_comp_ref": 50.1e3,
        "pressure_sat_comp_coeff": (-7.28607, 1.38091, -2.83433, -2.79168),
    },
}
OUTPUT_UNITS = {
    "pressure_sat_comp": "Pa",
    "dens_mol_liq_comp": "mol/m**3",
    "cp_mol_ig_comp": "J/mol/K",
    "enth_mol_ig_comp": "J/mol",
    "entr_mol_ig_comp": "J/mol/K",
    "enth_mol_liq_comp": "J/mol",
    "entr_mol_liq_comp": "J/mol/K",
}
#: Temperature domain [K]: below both T_c and Perry's C_3 (the density has a root there).
DOMAIN = (250.0, 550.0)


def _cp_integrals(coeffs, T, t_ref=T_REF):
    """Polynomial cp = sum c_k T^k and its integrals of cp dT and cp/T dT from t_ref to T."""
    h = sum(c / (k + 1) * (T ** (k + 1) - t_ref ** (k + 1)) for k, c in enumerate(coeffs))
    s = coeffs[0] * ca.log(T / t_ref) + sum(
        c / k * (T**k - t_ref**k) for k, c in enumerate(coeffs) if k > 0
    )
    cp = sum(c * T**k for k, c in enumerate(coeffs))
    return cp, h, s


def replica_function(name: str) -> ca.Function:
    """CasADi MX function temperature [K] -> the BT_ideal correlations of one component."""
    p = BT_IDEAL_PARAMETERS[name]
    T = ca.MX.sym("temperature", 1, 1)
    a, b, c, d = p["pressure_sat_comp_coeff"]
    x = 1 - T / p["temperature_crit"]
    psat = ca.exp((1 - x) ** -1 * (a * x + b * x**1.5 + c * x**3 + d * x**6)) * p["pressure_crit"]
    c1, c2, c3, c4 = p["dens_mol_liq_comp_coeff"]
    rho = c1 / c2 ** (1 + (1 - T / c3) ** c4)
    cp_ig, h_ig, s_ig = _cp_integrals(p["cp_mol_ig_comp_coeff"], T)
    cp_liq_si = [ck * 1e-3 for ck in p["cp_mol_liq_comp_coeff"]]  # J/kmol -> J/mol
    _, h_liq, s_liq = _cp_integrals(cp_liq_si, T)
    outputs = {
        "pressure_sat_comp": psat,
        "dens_mol_liq_comp": rho,
        "cp_mol_ig_comp": cp_ig,
        "enth_mol_ig_comp": h_ig,
        "entr_mol_ig_comp": s_ig,
        "enth_mol_liq_comp": h_liq,
        "entr_mol_liq_comp": s_liq,
    }
    return ca.Function(
        f"bt_ideal_{name}", [T], list(outputs.values()), ["temperature"], list(outputs)
    )


def replica_metadata(name: str) -> dict:
    """propkg metadata (schema 1) of the replica of one component."""
    p = BT_IDEAL_PARAMETERS[name]
    return {
        "schema_version": 1,
        "kind": "pure_component",
        "components": [{"name": name, "cas": p["cas"], "molar_mass": p["mw"]}],
        "inputs": {"temperature": {"units": "K"}},
        "outputs": {k: {"units": u} for k, u in OUTPUT_UNITS.items()},
        "domain": {"temperature": list(DOMAIN)},
        "reference_state": {"temperature": T_REF, "pressure": P_REF},
        "backbone": {
            "pressure_sat_comp": {"name": "RPP4", "parameters": {
                "coeff": list(p["pressure_sat_comp_coeff"]),
                "temperature_crit": p["temperature_crit"], "pressure_crit": p["pressure_crit"]}},
            "cp_mol_ig_comp": {"name": "RPP4", "parameters": {
                "coeff": list(p["cp_mol_ig_comp_coeff"])}},
            "dens_mol_liq_comp": {"name": "Perrys_eqn_1", "parameters": {
                "coeff": list(p["dens_mol_liq_comp_coeff"])}},
            "enth_mol_liq_comp": {"name": "Perrys", "parameters": {
                "cp_mol_liq_comp_coeff_J_per_kmol": list(p["cp_mol_liq_comp_coeff"])}},
        },  # fmt: skip
        "training_data": {"source": "none: mechanism-only replica of IDAES BT_ideal"},
        "error_statistics": {},
        "constants": {
            "enth_mol_form_vap_comp_ref": p["enth_mol_form_vap_comp_ref"],
            "enth_mol_form_liq_comp_ref": p["enth_mol_form_liq_comp_ref"],
        },
        "propkg_version": "0.1.0",
        "notes": "Replica of IDAES-PSE examples/BT_ideal.py correlations; nothing trained.",
    }


def export_bt_ideal_replica(out_dir: str | Path) -> dict[str, Path]:
    """Write ``bt_ideal_benzene.onnx`` and ``bt_ideal_toluene.onnx`` into ``out_dir``.

    Returns
    -------
    dict
        Component name -> path of its ONNX file.
    """
    out_dir = Path(out_dir)
    paths = {}
    for name in BT_IDEAL_PARAMETERS:
        points = [{"temperature": t} for t in (300.0, 400.0, 500.0)]
        paths[name] = write_onnx(replica_function(name), replica_metadata(name),
                                 out_dir / f"bt_ideal_{name}.onnx", check_points=points)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for comp, file in export_bt_ideal_replica(sys.argv[1] if len(sys.argv) > 1 else ".").items():
        print(comp, file)
