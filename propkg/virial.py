r"""Second virial coefficients: polar Tsonopoulos backbone, CoolProp data, learned correction.

The pure-component output ``second_virial_coef_comp`` [m**3/mol] of the shipped models is

.. math::
    B(T) = B^{Ts}(T; T_c, P_c, \omega, a, b) + \frac{R T_c}{P_c}\,
        \mathrm{NN}_B\!\left(\frac{T_c/T - 1}{0.6}\right)

with :math:`B^{Ts}` the Tsonopoulos correlation in its polar form
(:func:`propkg.backbones.tsonopoulos_b`), whose parameters a, b come from the compound
class and the reduced dipole moment (:func:`tsonopoulos_polar_parameters`), and
:math:`\mathrm{NN}_B` a one-hidden-layer tanh network (:func:`propkg.correction.tanh_net`)
fitted on CoolProp's B (the low-density limit of its Helmholtz equation of state,
``AbstractState.Bvirial``) at 12 temperatures from :math:`\max(0.5 T_c, T_{min})` to
:math:`\min(3 T_c, T_{max})`, the range of the CoolProp equation of state (beyond its
T_max the multiparameter equations give unphysical B: methanol's turns negative again
above 1000 K). The tanh units saturate, so outside that range the correction levels off
and B continues as the backbone plus a constant.

The correction of B is independent of the ``vapour_compressibility`` correction of the
saturated vapour's ln Z (which keeps the non-polar B and enters only the derived enthalpy
of vaporization, unchanged).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from propkg import backbones as bb
from propkg.components import PureConstants, get_constants
from propkg.correction import tanh_net
from propkg_contract.errors import DataError

#: column of the dataset and name of the model output
OUTPUT = "second_virial_coef_comp"
VIRIAL_COLUMNS = {"temperature": "K", OUTPUT: "m**3/mol"}
#: reduced-temperature range asked for (clipped to the CoolProp equation's range)
TR_LOW, TR_HIGH = 0.5, 3.0
#: scaled input of the correction: x = (Tc/T - X_CENTER)/X_HALF_WIDTH
X_CENTER, X_HALF_WIDTH = 1.0, 0.6
N_TRAIN_VIRIAL = 12
N_TEST_VIRIAL = 100

#: Tsonopoulos compound class of the shipped components (Tsonopoulos 1974; Tsonopoulos and
#: Heidman 1990); hydrocarbons, CO2 and ethylene are "normal" (a = b = 0). R134a would be an
#: alkyl halide, whose rule needs a dipole moment that chemicals does not have: it is taken
#: as normal (the non-polar form is within 5 % of CoolProp's B from 0.5 to 1 Tc). Ammonia
#: takes the rule of ketones, ethers, NH3 and H2S (a from the reduced dipole moment, b = 0).
SPECIES_TYPE = {
    "water": "water",
    "methanol": "methyl alcohol",
    "ethanol": "alkanol",
    "acetone": "ketone",
    "ammonia": "ketone",
}


def reduced_dipole(dipole_debye: float, Tc: float, Pc: float) -> float:
    r"""Reduced dipole moment of Tsonopoulos, :math:`\mu_r = 10^5 \mu^2 P_c / T_c^2`, [-].

    with :math:`\mu` in debye, :math:`P_c` in atm and :math:`T_c` in K (Poling et al.,
    5th ed., Eq. 4-5.4).
    """
    return 1e5 * dipole_debye**2 * (Pc / 101325.0) / Tc**2


def tsonopoulos_polar_parameters(c: PureConstants) -> dict:
    r"""Polar parameters a, b of the Tsonopoulos correlation for a component.

    - normal (hydrocarbons, CO2): a = b = 0;
    - ketones, ethers, NH3: :math:`a = -2.14\cdot10^{-4}\mu_r - 4.308\cdot10^{-21}\mu_r^8`,
      b = 0;
    - alkanols: a = 0.0878, :math:`b = 0.00908 + 0.0006957\mu_r`;
    - methanol: a = 0.0878, b = 0.0525;
    - water: a = -0.0109, b = 0.

    Returns
    -------
    dict
        ``species_type``, ``dipole_debye`` (from ``chemicals.dipole``; None if unknown),
        ``a``, ``b``.

    References
    ----------
    Tsonopoulos, C. AIChE J. 20 (1974) 263; Tsonopoulos, C.; Heidman, J. L. Fluid Phase
    Equilib. 57 (1990) 261; :func:`chemicals.virial.BVirial_Tsonopoulos_extended`.
    """
    from chemicals.dipole import dipole_moment

    kind = SPECIES_TYPE.get(c.name, "normal")
    dipole = dipole_moment(c.cas)
    a = b = 0.0
    if kind == "water":
        a = -0.0109
    elif kind == "methyl alcohol":
        a, b = 0.0878, 0.0525
    elif kind in ("ketone", "alkanol"):
        if dipole is None:
            raise DataError(f"{c.name}: class '{kind}' needs a dipole moment; chemicals has none")
        mu_r = reduced_dipole(float(dipole), c.Tc, c.Pc)
        if kind == "ketone":
            a = -2.14e-4 * mu_r - 4.308e-21 * mu_r**8
        else:
            a, b = 0.0878, 0.00908 + 0.0006957 * mu_r
    return {"species_type": kind, "dipole_debye": dipole, "a": float(a), "b": float(b)}


def scaled_inverse_temperature(T, Tc: float):
    """Input of the B correction, x = (Tc/T - 1)/0.6, [-]."""
    return (Tc / T - X_CENTER) / X_HALF_WIDTH


def second_virial(T, c: PureConstants, polar: tuple[float, float], params, hidden: int):
    """Hybrid B(T) [m**3/mol] (numpy or CasADi); ``params`` None gives the backbone alone."""
    base = bb.tsonopoulos_b(T, c.Tc, c.Pc, c.omega, polar[0], polar[1])
    if params is None:
        return base
    scale = bb.R * c.Tc / c.Pc
    return base + scale * tanh_net(scaled_inverse_temperature(T, c.Tc), params, hidden)


def virial_range(c: PureConstants) -> tuple[float, float]:
    """Temperature range [K] of the B data: [max(0.5 Tc, Tmin), min(3 Tc, Tmax)] of CoolProp."""
    import CoolProp

    state = CoolProp.AbstractState("HEOS", c.coolprop)
    return max(TR_LOW * c.Tc, state.Tmin()), min(TR_HIGH * c.Tc, state.Tmax())


def generate_virial_dataset(name: str, directory: str | Path) -> Path:
    """Compute CoolProp's B on the virial grid and write ``<name>_virial.csv`` + ``.json``.

    12 ``train`` points (linspace over :func:`virial_range`) and 100 ``test`` mid-cell
    points; ``directory`` is required, as for :func:`propkg.datasets.generate_dataset`.
    """
    import CoolProp

    from propkg.datasets import _write_csv, _write_sidecar

    c = get_constants(name)
    lo, hi = virial_range(c)
    train = np.linspace(lo, hi, N_TRAIN_VIRIAL)
    test = lo + (np.arange(N_TEST_VIRIAL) + 0.5) / N_TEST_VIRIAL * (hi - lo)
    temps = np.concatenate([train, test])
    roles = ["train"] * N_TRAIN_VIRIAL + ["test"] * N_TEST_VIRIAL
    state = CoolProp.AbstractState("HEOS", c.coolprop)
    values = np.empty(temps.size)
    for i, T in enumerate(temps):
        state.update(CoolProp.DmolarT_INPUTS, 1e-10, float(T))
        values[i] = state.Bvirial()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    csv_path = directory / f"{c.name}_virial.csv"
    _write_csv(csv_path, VIRIAL_COLUMNS, {"temperature": temps, OUTPUT: values}, roles)
    _write_sidecar(csv_path, {
        "component": c.name,
        "cas": c.cas,
        "columns": VIRIAL_COLUMNS,
        "roles": {"train": f"{N_TRAIN_VIRIAL} points, linspace(T_low, T_high)",
                  "test": f"{N_TEST_VIRIAL} mid-cell points of [T_low, T_high] (held out)"},
        "T_low": lo,
        "T_high": hi,
        "source": f"CoolProp {CoolProp.__version__} (AbstractState.Bvirial)",
        "coolprop_fluid": c.coolprop,
        "coolprop_version": CoolProp.__version__,
        "notes": "B = low-density limit of the Helmholtz equation (Bvirial at 1e-10 mol/m3); "
        "range [max(0.5 Tc, Tmin), min(3 Tc, Tmax)] of the CoolProp equation",
        "generated_by": "propkg.virial.generate_virial_dataset",
    })  # fmt: skip
    return csv_path


def load_virial_dataset(name: str, directory: str | Path | None = None) -> dict | None:
    """The B dataset of a component (shipped, or in ``directory``); None if there is none."""
    from propkg.datasets import _load_checked, default_dataset_dir

    c = get_constants(name)
    directory = Path(directory) if directory is not None else default_dataset_dir()
    csv_path = directory / f"{c.name}_virial.csv"
    if not csv_path.is_file() or not csv_path.with_suffix(".json").is_file():
        return None
    return _load_checked(csv_path)


def fit_second_virial(c: PureConstants, T, B, polar: tuple[float, float], hidden: int):
    r"""Correction parameters of the hybrid B (see the module docstring).

    Least squares on the reduced residual :math:`(B - B^{Ts}) P_c/(R T_c)` (absolute, since
    B changes sign at the Boyle temperature), :func:`propkg.training.fit_tanh`.
    """
    from propkg.training import _check_xy, fit_tanh

    T, B = _check_xy(T, B, f"{c.name} {OUTPUT}")
    scale = bb.R * c.Tc / c.Pc
    base = np.asarray(second_virial(T, c, polar, None, hidden)) / scale
    x = scaled_inverse_temperature(T, c.Tc)
    return fit_tanh(x, B / scale, base, np.ones_like(T), hidden)


def attach_second_virial(model, train: dict[str, np.ndarray]):
    """Fit the B correction of a :class:`~propkg.hybrid.HybridPureModel` on ``train``
    columns (``temperature``, ``second_virial_coef_comp``); sets ``model.virial_params``
    and ``model.virial_polar`` and returns the model."""
    c = model.constants
    polar = tsonopoulos_polar_parameters(c)
    model.virial_polar = (polar["a"], polar["b"])
    model.virial_params = fit_second_virial(
        c, train["temperature"], train[OUTPUT], model.virial_polar, model.hidden
    )
    return model


def virial_statistics(pred, ref, c: PureConstants) -> dict:
    """Deviations of B: AAD [cm**3/mol], and AAD % where |B_ref| > 0.1 R Tc/Pc."""
    pred, ref = np.asarray(pred, float), np.asarray(ref, float)
    big = np.abs(ref) > 0.1 * bb.R * c.Tc / c.Pc
    rel = 100.0 * np.abs(pred[big] / ref[big] - 1.0)
    return {
        "aad_cm3_per_mol": float(np.mean(np.abs(pred - ref)) * 1e6),
        "max_cm3_per_mol": float(np.max(np.abs(pred - ref)) * 1e6),
        "aad_percent": float(np.mean(rel)) if rel.size else float("nan"),
        "max_percent": float(np.max(rel)) if rel.size else float("nan"),
        "n_points": int(ref.size),
        "note": "percent on the points with |B| > 0.1 R Tc/Pc (B crosses zero at the Boyle "
        "temperature)",
    }
