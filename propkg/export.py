"""Export of hybrid pure-component models to self-describing ONNX files.

The CasADi MX function of a :class:`~propkg.hybrid.HybridPureModel` (input
``temperature``, the outputs of :data:`propkg_contract.vocabulary.PURE_OUTPUT_UNITS`)
and its metadata go through the contract's one writer
(:func:`propkg_contract.writer.write_onnx`: batch axis, op policy, round-trip check), and
the file is registered in the manifest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import propkg
from propkg.hybrid import OUTPUT_UNITS, HybridPureModel
from propkg_contract.registry import write_manifest_entry
from propkg_contract.vocabulary import BATCH, P_REF, T_REF
from propkg_contract.writer import write_onnx


def _scaling_factor(values: np.ndarray) -> float:
    magnitude = float(np.max(np.abs(values)))
    return float(10.0 ** (-np.round(np.log10(magnitude)))) if magnitude > 0 else 1.0


def _virial_backbone(model: HybridPureModel) -> dict:
    """Backbone entry of ``second_virial_coef_comp`` (empty if the model has no B)."""
    if model.virial_params is None:
        return {}
    from propkg.virial import SPECIES_TYPE

    c = model.constants
    a, b = model.virial_polar
    return {
        "second_virial_coef_comp": {
            "name": "Tsonopoulos (polar form)",
            "parameters": {"Tc": c.Tc, "Pc": c.Pc, "omega": c.omega, "a": a, "b": b,
                           "species_type": SPECIES_TYPE.get(c.name, "normal")},
        }
    }  # fmt: skip


def build_metadata(
    model: HybridPureModel,
    training: dict,
    error_statistics: dict,
    domain: tuple[float, float],
    output_domains: dict[str, tuple[float, float]] | None = None,
) -> dict:
    """propkg metadata dictionary of an exported pure-component model.

    Parameters
    ----------
    model : HybridPureModel
        The trained model.
    training : dict
        ``training_data`` entry: ``sha256``, ``source``, ``n_points`` ...
    error_statistics : dict
        Per-output statistics on held-out data (see :mod:`propkg.evaluate`).
    domain : (float, float)
        Validity range of temperature, [K] (the saturation and liquid outputs').
    output_domains : dict, optional
        Output name -> its own validity range [K] where it differs (the ideal gas's).
    """
    c = model.constants
    lo, hi = float(domain[0]), float(domain[1])
    own = {name: (float(a), float(b)) for name, (a, b) in (output_domains or {}).items()}
    grid = np.linspace(lo, hi, 50)
    values = model.evaluate(grid)
    outputs = {
        name: {
            "units": OUTPUT_UNITS[name],
            "scaling_factor": _scaling_factor(values[name]),
            "domain": {"temperature": list(own.get(name, (lo, hi)))},
            "shape": [BATCH, 1],
        }
        for name in values
    }
    reference_state = {"temperature": T_REF, "pressure": P_REF}
    if "enth_mol_liq_comp" in values:
        # h_liq shares the ideal gas's zero: h_ig - h_liq is the latent heat
        reference_state["enth_mol_liq_comp"] = "enth_mol_ig_comp"
    return {
        "schema_version": 1,
        "kind": "pure_component",
        "components": [{"name": c.name, "cas": c.cas, "molar_mass": c.molar_mass}],
        "inputs": {"temperature": {"units": "K", "shape": [BATCH, 1], "scaling_factor": 1e-2}},
        "outputs": outputs,
        "domain": {"temperature": [lo, hi]},
        "reference_state": reference_state,
        "constants": c.as_dict(),
        "backbone": {
            "pressure_sat_comp": {
                "name": "AmbroseWalton",
                "parameters": {"Tc": c.Tc, "Pc": c.Pc, "omega": c.omega},
            },
            "dens_mol_liq_comp": {
                "name": "Rackett",
                "parameters": {"Tc": c.Tc, "Pc": c.Pc, "Z_RA": c.Zc},
            },
            "ideal_gas": {
                "name": "Poling"
                if "ideal_gas" not in c.sources
                else f"Poling form ({c.sources['ideal_gas']['name']})",
                "outputs": ["cp_mol_ig_comp", "enth_mol_ig_comp", "entr_mol_ig_comp"],
                "parameters": {"a": list(c.poling)},
                **(
                    {"coefficients_from": c.sources["ideal_gas"]}
                    if "ideal_gas" in c.sources
                    else {}
                ),
            },
            "dh_vap_mol_comp": {
                "name": "ClausiusClapeyron",
                "parameters": {
                    "formula": "dh_vap = T (v_V - v_L) dPsat/dT, exact d ln Psat/dT",
                    "vapour_volume": "Z R T/Psat, ln Z = ln(1 + B Psat/(R T)) + (Psat/Pc)^2 "
                    "tanh_net (correction 'vapour_compressibility'), B of Tsonopoulos "
                    "(non-polar form)",
                    "liquid_volume": "1/dens_mol_liq_comp",
                },
            },
            **_virial_backbone(model),
            "enth_mol_liq_comp": {
                "name": "CorrespondingStatesLiquidCp",
                "parameters": {
                    "formula": "cp_L = cp_ig + R (a0 + a1/(1 - Tr) + a2 Tr + a3 Tr^2) (structure "
                    "of Rowlinson-Bondi, Poling et al. 5th ed. Eq. 6-6.4, coefficients fitted); "
                    "h_L = h_ig - dh_vap(T_a) + integral from T_a",
                    "Tc": c.Tc,
                },
            },
        },
        "correction": model.correction_dict(),
        "training_data": training,
        "error_statistics": error_statistics,
        "propkg_version": propkg.__version__,
        "notes": "enth_mol_ig_comp and entr_mol_ig_comp are 0 at 298.15 K (entropy at "
        "101325 Pa); add formation values for absolute values. enth_mol_liq_comp is on the "
        "ideal gas's zero. Outside their domains the outputs continue smoothly: the ideal "
        "gas as its formulas; above 0.995 Tc ln Psat linear in 1/T, the liquid density "
        "levelling off at the near-critical value, dh_vap frozen, the liquid's excess cp "
        "constant (correction 'supercritical_continuation').",
    }


def export_model(
    model: HybridPureModel,
    path: str | Path,
    training: dict,
    error_statistics: dict,
    domain: tuple[float, float] | None = None,
    output_domains: dict[str, tuple[float, float]] | None = None,
) -> Path:
    """Write ``model`` to an ONNX file with validated metadata; return the path."""
    c = model.constants
    domain = domain or (c.T_low, c.T_high)
    points = [{"temperature": t} for t in np.linspace(domain[0], domain[1], 3)]
    return write_onnx(
        model.casadi_function(c.name),
        build_metadata(model, training, error_statistics, domain, output_domains),
        path,
        check_points=points,
        producer_version=propkg.__version__,
    )


def register(model_dir: str | Path, model: HybridPureModel, file_name: str) -> Path:
    """Add the exported file of ``model`` to ``model_dir/manifest.json``."""
    c = model.constants
    names = (c.name, c.name.replace("_", " "), c.coolprop, *c.aliases)
    aliases = sorted({a.lower() for a in names})
    return write_manifest_entry(
        model_dir,
        {
            "name": c.name,
            "kind": "pure_component",
            "file": file_name,
            "components": [{"name": c.name, "cas": c.cas}],
            "aliases": aliases + [c.cas],
        },
    )
