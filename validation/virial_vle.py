r"""Virial vapour: numpy gamma-phi reference and its validation report.

An independent evaluation of ``vle_config(..., vapor_model="virial")`` from the same ONNX
files (onnxruntime), no Pyomo:

.. math::
    y_i \phi_i P = x_i \gamma_i P_i^{sat}\phi_i^{sat}
        \exp\!\left[\frac{v_i^L (P - P_i^{sat})}{RT}\right],\qquad
    \ln\phi_i = \frac{(2\sum_j y_j B_{ij} - B) P}{RT},\quad
    \ln\phi_i^{sat} = \frac{B_{ii}P_i^{sat}}{RT},\quad B_{ij} = \tfrac12 (B_{ii} + B_{jj})

with :math:`\gamma_i = 1` (Raoult) or from a binary g^E file
(:class:`validation.reference_flash.ReferenceFlash`). The bubble pressure is found by
successive substitution; a TP flash by Rachford-Rice
(:func:`validation.reference_flash.rachford_rice`) on K values that, with this combining
rule, do not depend on the vapour composition. Run as a script, it writes
``validation/reports/virial.md`` and ``virial_bubble.png``: B of the 20 shipped fluids
against CoolProp on held-out temperatures (non-polar and polar Tsonopoulos backbones, and the
hybrid), and bubble pressures of propane/n-butane and n-butane/isobutane at 5-20 bar
against CoolProp's HEOS mixture model (ideal vapour vs virial vapour).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from propkg_contract.reader import run_onnx
from propkg_contract.registry import find_model
from propkg_contract.vocabulary import GAS_CONSTANT as R

B_OUTPUT = "second_virial_coef_comp"
REPORT_DIR = Path(__file__).parent / "reports"
#: binary systems of the bubble-pressure check: (components, CoolProp names, T grid [K])
BUBBLE_SYSTEMS = (
    (("propane", "n_butane"), ("n-Propane", "n-Butane"), np.linspace(300.0, 350.0, 6)),
    (("n_butane", "isobutane"), ("n-Butane", "IsoButane"), np.linspace(330.0, 375.0, 6)),
)


class VirialMixture:
    """Pure-component quantities of a mixture's ONNX files and the gamma-phi relations.

    ``activity_model`` None is Raoult's liquid; else a binary's g^E model name, whose
    activity coefficients come from :class:`validation.reference_flash.ReferenceFlash`.
    """

    def __init__(self, components, activity_model: str | None = None):
        from validation.reference_flash import ReferenceFlash

        self.components = list(components)
        self.files = [find_model(c) for c in self.components]
        self.liquid = ReferenceFlash(self.components, activity_model)

    def pure(self, T: float) -> dict[str, np.ndarray]:
        """Psat [Pa], liquid density [mol/m**3], B [m**3/mol] of each component at T [K]."""
        out = {"psat": [], "rho": [], "B": []}
        for f in self.files:
            v = run_onnx(f, T=[T])
            out["psat"].append(v["pressure_sat_comp"][0])
            out["rho"].append(v["dens_mol_liq_comp"][0])
            out["B"].append(v[B_OUTPUT][0])
        return {k: np.asarray(v, dtype=float).ravel() for k, v in out.items()}

    @staticmethod
    def cross(B: np.ndarray) -> np.ndarray:
        """B_ij = (B_ii + B_jj)/2 [m**3/mol]."""
        return 0.5 * (B[:, None] + B[None, :])

    def ln_phi(self, T: float, P: float, y, B=None) -> np.ndarray:
        """Vapour fugacity coefficients, ln phi_i = (2 sum_j y_j B_ij - B) P/(RT)."""
        y = np.asarray(y, dtype=float)
        Bij = self.cross(self.pure(T)["B"] if B is None else B)
        B_mix = y @ Bij @ y
        return (2.0 * Bij @ y - B_mix) * P / (R * T)

    def liquid_fugacity(self, T: float, P: float, vapor: str = "virial") -> np.ndarray:
        """Pure-liquid reference fugacities [Pa]: Psat (ideal vapour) or Psat phi_sat Poynting."""
        q = self.pure(T)
        if vapor == "ideal":
            return q["psat"]
        return q["psat"] * np.exp((q["B"] * q["psat"] + (P - q["psat"]) / q["rho"]) / (R * T))

    def bubble_pressure(self, T: float, x, vapor: str = "virial", tol: float = 1e-13):
        """Bubble pressure [Pa] and vapour composition of a Raoult liquid x at T [K]."""
        x = np.asarray(x, dtype=float)
        q = self.pure(T)
        P = float(np.sum(x * q["psat"]))
        y = x * q["psat"] / P
        for _ in range(200):
            f = x * self.liquid.gamma(T, x) * self.liquid_fugacity(T, P, vapor)
            phi = np.ones_like(x) if vapor == "ideal" else np.exp(self.ln_phi(T, P, y, q["B"]))
            P_new = float(np.sum(f / phi))
            y = f / phi / P_new
            if abs(P_new - P) < tol * P:
                return P_new, y
            P = P_new
        raise RuntimeError(f"bubble pressure of {self.components} at {T} K did not converge")

    def flash(self, T: float, P: float, z, tol: float = 1e-13):
        """TP flash (vapour fraction, x, y) of the virial vapour, by successive substitution
        of the liquid composition in the activity coefficients (one step for Raoult)."""
        from validation.reference_flash import rachford_rice

        z = np.asarray(z, dtype=float)
        q = self.pure(T)
        # arithmetic rule: ln phi_i = B_ii P/(RT) whatever y (sum y = 1)
        K_pure = self.liquid_fugacity(T, P) / (P * np.exp(q["B"] * P / (R * T)))
        x = z.copy()
        for _ in range(500):
            K = self.liquid.gamma(T, x) * K_pure
            beta = rachford_rice(z, K)
            x_new = z / (1.0 + beta * (K - 1.0))
            x_new = x_new / x_new.sum()
            if np.max(np.abs(x_new - x)) < tol:
                break
            x = x_new
        K = self.liquid.gamma(T, x_new) * K_pure
        return beta, x_new, K * x_new


def coolprop_bubble_pressure(names, T: float, x) -> float:
    """Bubble pressure [Pa] of CoolProp's HEOS mixture (GERG-type mixing rules)."""
    import CoolProp

    state = CoolProp.AbstractState("HEOS", "&".join(names))
    state.set_mole_fractions(list(x))
    state.update(CoolProp.QT_INPUTS, 0.0, T)
    return state.p()


def bubble_table(components, coolprop_names, temperatures, x=(0.5, 0.5)) -> list[dict]:
    """Bubble pressures of the ideal and virial vapours against CoolProp at each T."""
    mix = VirialMixture(components)
    rows = []
    for T in temperatures:
        ref = coolprop_bubble_pressure(coolprop_names, float(T), x)
        p_ideal, _ = mix.bubble_pressure(float(T), x, "ideal")
        p_virial, _ = mix.bubble_pressure(float(T), x, "virial")
        rows.append({"T": float(T), "coolprop": ref, "ideal": p_ideal, "virial": p_virial})
    return rows


def virial_rows() -> list[dict]:
    """B deviations of the 20 shipped fluids on their held-out CoolProp points."""
    from propkg.components import get_constants, names
    from propkg.datasets import subset
    from propkg.virial import (
        load_virial_dataset,
        second_virial,
        tsonopoulos_polar_parameters,
        virial_statistics,
    )

    rows = []
    for name in names():
        c = get_constants(name)
        test = subset(load_virial_dataset(name), "test")
        T, ref = test["temperature"], test[B_OUTPUT]
        polar = tsonopoulos_polar_parameters(c)
        hybrid = run_onnx(find_model(name), T=T)[B_OUTPUT].ravel()
        rows.append({
            "name": name, "class": polar["species_type"], "range": (T.min(), T.max()),
            "non-polar": virial_statistics(second_virial(T, c, (0.0, 0.0), None, 3), ref, c),
            "polar": virial_statistics(
                second_virial(T, c, (polar["a"], polar["b"]), None, 3), ref, c),
            "hybrid": virial_statistics(hybrid, ref, c),
        })  # fmt: skip
    return rows


def latent_heat_rows(fluid: str = "propane", partner: str = "n_butane",
                     temperatures=(260.0, 280.0, 300.0, 320.0, 340.0)) -> list[dict]:
    """h^V - h^L of a pure fluid at its vapour pressure in the IDAES packages (ideal and
    virial vapour, a binary package at x = y = pure ``fluid``) vs CoolProp's H(Q=1) - H(Q=0)."""
    import pyomo.environ as pyo
    from CoolProp.CoolProp import PropsSI
    from idaes.core import FlowsheetBlock
    from idaes.models.properties.modular_properties import GenericParameterBlock

    from idaes_plugin import vle_config

    comps = [fluid, partner]
    m = pyo.ConcreteModel()
    m.fs = FlowsheetBlock(dynamic=False)
    states = {}
    for vapor in ("ideal", "virial"):
        props = GenericParameterBlock(**vle_config(comps, vapor_model=vapor))
        m.fs.add_component(f"props_{vapor}", props)
        block = props.build_state_block([0], defined_state=True)
        m.fs.add_component(f"state_{vapor}", block)
        states[vapor] = block[0]
    from propkg.components import get_constants

    rows, cp_name = [], get_constants(fluid).coolprop
    for T in temperatures:
        P = float(run_onnx(find_model(fluid), T=[T])["pressure_sat_comp"][0])
        row = {"T": T, "P": P, "coolprop": PropsSI("Hmolar", "T", T, "Q", 1, cp_name)
               - PropsSI("Hmolar", "T", T, "Q", 0, cp_name)}  # fmt: skip
        for vapor, s in states.items():
            s.temperature.set_value(T)
            s.pressure.set_value(P)
            for k, c in enumerate(comps):
                for phase in ("Vap", "Liq"):
                    s.mole_frac_phase_comp[phase, c].set_value(1.0 if k == 0 else 0.0,
                                                              skip_validation=True)
            row[vapor] = pyo.value(s.enth_mol_phase["Vap"] - s.enth_mol_phase["Liq"])
        rows.append(row)
    return rows


def write_report(directory: Path = REPORT_DIR) -> Path:
    """Write ``virial.md`` and ``virial_bubble.png`` in ``directory``; return the report."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    lines = ["# Second virial coefficients and the virial vapour", "",
             "Generated by `python validation/virial_vle.py`. Reference: CoolProp (B = "
             "`AbstractState.Bvirial`, the low-density limit of each fluid's Helmholtz "
             "equation; mixtures: HEOS with CoolProp's binary parameters).", "",
             "## B on 100 held-out temperatures per fluid", "",
             "AAD in cm3/mol; in % over the points with |B| > 0.1 R Tc/Pc (B crosses zero "
             "at the Boyle temperature). Range: [max(0.5 Tc, Tmin), min(3 Tc, Tmax)] of the "
             "CoolProp equation.", "",
             "| fluid | class | range [K] | non-polar Tsonopoulos | polar Tsonopoulos | "
             "hybrid |", "|---|---|---|---|---|---|"]  # fmt: skip
    for r in virial_rows():
        cells = [f"{r[k]['aad_cm3_per_mol']:.2f} / {r[k]['aad_percent']:.2f} %"
                 for k in ("non-polar", "polar", "hybrid")]  # fmt: skip
        lines.append(f"| {r['name']} | {r['class']} | {r['range'][0]:.0f}-{r['range'][1]:.0f} "
                     f"| {' | '.join(cells)} |")  # fmt: skip
    lines += ["", "## Bubble pressures, equimolar liquid (Raoult liquid)", "",
              "| system | T [K] | CoolProp [bar] | ideal vapour dev % | virial vapour dev % |",
              "|---|---|---|---|---|"]  # fmt: skip
    fig, axes = plt.subplots(1, len(BUBBLE_SYSTEMS), figsize=(10, 4))
    for ax, (comps, cp_names, temps) in zip(axes, BUBBLE_SYSTEMS, strict=True):
        rows = bubble_table(comps, cp_names, temps)
        for r in rows:
            dev = {k: 100 * (r[k] / r["coolprop"] - 1) for k in ("ideal", "virial")}
            lines.append(f"| {'/'.join(comps)} | {r['T']:.1f} | {r['coolprop'] / 1e5:.3f} | "
                         f"{dev['ideal']:+.2f} | {dev['virial']:+.2f} |")  # fmt: skip
        for key in ("ideal", "virial"):
            ax.plot([r["T"] for r in rows], [100 * (r[key] / r["coolprop"] - 1) for r in rows],
                    "o-", label=f"{key} vapour")  # fmt: skip
        ax.axhline(0.0, color="k", lw=0.5)
        ax.set(title="/".join(comps) + " (x = 0.5)", xlabel="T [K]",
               ylabel="bubble P deviation from CoolProp [%]")  # fmt: skip
        ax.legend()
    fig.tight_layout()
    directory.mkdir(parents=True, exist_ok=True)
    fig.savefig(directory / "virial_bubble.png", dpi=120)
    lines += ["", "![bubble pressures](virial_bubble.png)", "",
              "## Latent heat in the package: pure propane at its vapour pressure", "",
              "h^V - h^L of the IDAES package (enth_mol_phase, propane/n-butane package at "
              "pure propane) vs CoolProp's H(Q=1) - H(Q=0). The liquid enthalpy is the same in "
              "both packages; the virial vapour adds the departure h^R = P (B - T dB/dT).", "",
              "| T [K] | Psat [bar] | CoolProp [J/mol] | ideal vapour dev % | virial vapour "
              "dev % |",
              "|---|---|---|---|---|"]  # fmt: skip
    for r in latent_heat_rows():
        dev = {k: 100 * (r[k] / r["coolprop"] - 1) for k in ("ideal", "virial")}
        lines.append(f"| {r['T']:.0f} | {r['P'] / 1e5:.2f} | {r['coolprop']:.0f} | "
                     f"{dev['ideal']:+.2f} | {dev['virial']:+.2f} |")  # fmt: skip
    lines.append("")
    path = directory / "virial.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    print(write_report())
