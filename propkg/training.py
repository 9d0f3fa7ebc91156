"""Training of the hybrid corrections and of the comparison models (scipy least squares).

All fits minimise relative (log) residuals plus a small L2 penalty on the parameters,
start from fixed-seed initial guesses (several restarts, best kept), and are therefore
deterministic.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from scipy.optimize import least_squares

from propkg import backbones as bb
from propkg.components import PureConstants
from propkg.correction import einstein_cp, einstein_size, tanh_net, tanh_net_size
from propkg.hybrid import HybridPureModel, scaled_input
from propkg_contract.errors import DataError

#: default sizes and penalties
HIDDEN = 3
TERMS = 5
THETA_LOW = 1.0
THETA_HIGH = 10.0
L2_TANH = 1e-8
L2_EINSTEIN = 1e-10
RESTARTS = 6
SEED = 20261125
MIN_POINTS = 5


def _check_xy(T: np.ndarray, y: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    T = np.asarray(T, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if T.shape != y.shape:
        raise DataError(f"{what}: {T.size} temperatures but {y.size} values")
    if T.size < MIN_POINTS:
        raise DataError(f"{what}: {T.size} points, at least {MIN_POINTS} are needed")
    if not (np.all(np.isfinite(T)) and np.all(np.isfinite(y))):
        raise DataError(f"{what}: data contain NaN or infinite values")
    if np.any(T <= 0):
        raise DataError(f"{what}: temperatures must be > 0 K, got min {T.min()}")
    return T, y


def fit_tanh(
    x: np.ndarray,
    target: np.ndarray,
    base: np.ndarray,
    factor: np.ndarray,
    hidden: int = HIDDEN,
    l2: float = L2_TANH,
    restarts: int = RESTARTS,
    seed: int = SEED,
) -> np.ndarray:
    r"""Fit ``target ~ base + factor * tanh_net(x)`` by least squares.

    .. math:: \min_p \sum_i (b_i + m_i\,\mathrm{NN}(x_i; p) - y_i)^2 + \lambda \lVert p\rVert^2

    Each restart draws hidden weights and biases (fixed seed), solves the output layer
    linearly, then refines all parameters with :func:`scipy.optimize.least_squares`.
    """
    rng = np.random.default_rng(seed)
    n = tanh_net_size(hidden)
    sqrt_l2 = np.sqrt(l2)

    def residual(p: np.ndarray) -> np.ndarray:
        return np.concatenate([base + factor * tanh_net(x, p, hidden) - target, sqrt_l2 * p])

    best = None
    for _ in range(restarts):
        w = rng.normal(0.0, 1.5, hidden)
        b = rng.normal(0.0, 1.0, hidden)
        hidden_out = [factor * np.tanh(w[k] * x + b[k]) for k in range(hidden)]
        basis = np.column_stack([factor, *hidden_out])
        ridge = np.vstack([basis, sqrt_l2 * np.eye(hidden + 1)])
        rhs = np.concatenate([target - base, np.zeros(hidden + 1)])
        out = np.linalg.lstsq(ridge, rhs, rcond=None)[0]
        p0 = np.concatenate([out, w, b])
        sol = least_squares(
            residual, p0, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=400 * n
        )
        if best is None or sol.cost < best.cost:
            best = sol
    return best.x


def fit_einstein(
    T: np.ndarray,
    cp: np.ndarray,
    cp_base: np.ndarray,
    terms: int = TERMS,
    l2: float = L2_EINSTEIN,
) -> np.ndarray:
    r"""Fit ``cp ~ cp_base + R sum_k a_k E(theta_k/T)`` with relative residuals.

    The hidden layer (characteristic temperatures theta_k) is fixed on a logarithmic grid
    from min(T) to 10 max(T); the output layer (amplitudes a_k) is the ridge solution

    .. math:: \min_a \sum_i \left(\frac{c_{p,i}^{base} + R\sum_k a_k E(\theta_k/T_i)}
        {c_{p,i}} - 1\right)^2 + \lambda \lVert a\rVert^2

    which is linear, hence unique and deterministic.
    """
    thetas = np.geomspace(THETA_LOW * T.min(), THETA_HIGH * T.max(), terms)
    basis = np.column_stack(
        [bb.R * einstein_cp(T, np.array([1.0, np.log(t)]), 1) / cp for t in thetas]
    )
    ridge = np.vstack([basis, np.sqrt(l2) * np.eye(terms)])
    rhs = np.concatenate([1.0 - cp_base / cp, np.zeros(terms)])
    amps = np.linalg.lstsq(ridge, rhs, rcond=None)[0]
    return np.concatenate([amps, np.log(thetas)])


def fit_vapor_pressure(c: PureConstants, T, P, hidden: int = HIDDEN) -> np.ndarray:
    """Correction parameters of the hybrid ln Psat (see :mod:`propkg.hybrid`)."""
    T, P = _check_xy(T, P, f"{c.name} pressure_sat_comp")
    if np.any(P <= 0):
        raise DataError(f"{c.name} pressure_sat_comp: pressures must be > 0 Pa")
    base = np.log(c.Pc) + bb.ambrose_walton_ln_pr(T, c.Tc, c.omega)
    return fit_tanh(scaled_input(T, c.Tc), np.log(P), base, 1.0 - T / c.Tc, hidden)


def fit_liquid_density(c: PureConstants, T, rho, hidden: int = HIDDEN) -> np.ndarray:
    """Correction parameters of the hybrid ln rho_liq (see :mod:`propkg.hybrid`)."""
    T, rho = _check_xy(T, rho, f"{c.name} dens_mol_liq_comp")
    if np.any(rho <= 0):
        raise DataError(f"{c.name} dens_mol_liq_comp: densities must be > 0 mol/m**3")
    base = bb.rackett_ln_density(T, c.Tc, c.Pc, c.Zc)
    return fit_tanh(scaled_input(T, c.Tc), np.log(rho), base, 1.0 - T / c.Tc, hidden)


def fit_cp_ig(c: PureConstants, T, cp, terms: int = TERMS) -> np.ndarray:
    """Einstein-correction parameters of the hybrid ideal-gas cp."""
    T, cp = _check_xy(T, cp, f"{c.name} cp_mol_ig_comp")
    if np.any(cp <= 0):
        raise DataError(f"{c.name} cp_mol_ig_comp: heat capacities must be > 0 J/mol/K")
    return fit_einstein(T, cp, bb.poling_cp(T, c.poling), terms)


def fit_liquid_cp(model: HybridPureModel, T, cp) -> np.ndarray:
    r"""Coefficients of the liquid heat capacity of ``model`` (see
    :meth:`HybridPureModel.liquid_cp_basis`), given its fitted ideal-gas cp.

    .. math:: \min_a \sum_i \left(\frac{c_{p,i}^{ig} + R\sum_k a_k\phi_k(T_i)}
        {c_{p,i}^{L}} - 1\right)^2

    linear least squares (unique, deterministic) on saturated-liquid heat capacities ``cp``
    [J/mol/K] at ``T`` [K].
    """
    c = model.constants
    T, cp = _check_xy(T, cp, f"{c.name} cp_mol_liq_comp")
    if np.any(cp <= 0):
        raise DataError(f"{c.name} cp_mol_liq_comp: heat capacities must be > 0 J/mol/K")
    if np.any(T >= c.Tc):
        raise DataError(f"{c.name} cp_mol_liq_comp: liquid data must lie below Tc = {c.Tc} K")
    basis = np.column_stack([bb.R * np.broadcast_to(p, T.shape) / cp
                             for p in model.liquid_cp_basis(T)])  # fmt: skip
    rhs = 1.0 - np.asarray(model.cp_ig(T), float) / cp
    return np.linalg.lstsq(basis, rhs, rcond=None)[0]


def fit_vapour_compressibility(c: PureConstants, T, P, rho_vap, hidden: int = HIDDEN):
    """Correction parameters of ln Z of the saturated vapour (see :mod:`propkg.hybrid`).

    ``P`` are the saturation pressures [Pa] and ``rho_vap`` the saturated-vapour molar
    densities [mol/m**3] at ``T`` [K].
    """
    T, P = _check_xy(T, P, f"{c.name} pressure_sat_comp")
    T, rho_vap = _check_xy(T, rho_vap, f"{c.name} dens_mol_vap_comp")
    if np.any(rho_vap <= 0) or np.any(P <= 0):
        raise DataError(f"{c.name} dens_mol_vap_comp: pressures and densities must be > 0")
    z = P / (rho_vap * bb.R * T)
    base = np.log(1.0 + bb.tsonopoulos_b(T, c.Tc, c.Pc, c.omega) * P / (bb.R * T))
    return fit_tanh(scaled_input(T, c.Tc), np.log(z), base, (P / c.Pc) ** 2, hidden)


def fit_hybrid(
    c: PureConstants,
    data: dict[str, np.ndarray],
    hidden: int = HIDDEN,
    terms: int = TERMS,
    progress: Callable[[str], None] | None = None,
    ideal_gas: dict[str, np.ndarray] | None = None,
) -> HybridPureModel:
    """Fit all corrections of a hybrid model from columns ``temperature`` + properties.

    Properties absent from ``data`` keep a zero correction (backbone alone). The ideal-gas
    cp is fitted on ``ideal_gas`` (its own ``temperature`` column, a wide range) when
    given, else on ``data``. A ``cp_mol_liq_comp`` column (saturated-liquid cp) adds the
    liquid enthalpy, anchored at the lowest temperature of ``data``. Fit times in
    seconds are stored in ``model.info['fit_seconds']``.
    """
    say = progress or (lambda _msg: None)
    T = data["temperature"]
    ig = ideal_gas if ideal_gas is not None else data
    times = {}
    zeros_tanh = np.zeros(tanh_net_size(hidden))
    params = {"psat": zeros_tanh, "dens": zeros_tanh.copy(), "cp": np.zeros(einstein_size(terms))}
    params["cp"][terms:] = np.log(1000.0)
    jobs = (
        ("pressure_sat_comp", "psat", lambda y: fit_vapor_pressure(c, T, y, hidden)),
        ("dens_mol_liq_comp", "dens", lambda y: fit_liquid_density(c, T, y, hidden)),
    )
    if "dens_mol_vap_comp" in data and "pressure_sat_comp" in data:
        jobs = (
            *jobs,
            (
                "dens_mol_vap_comp",
                "zvap",
                lambda y: fit_vapour_compressibility(c, T, data["pressure_sat_comp"], y, hidden),
            ),
        )
    for column, key, fit in jobs:
        if column not in data:
            continue
        say(f"fitting {column} of {c.name} on {np.size(T)} points ...")
        start = time.perf_counter()
        params[key] = fit(data[column])
        times[column] = time.perf_counter() - start
        say(f"  done in {times[column]:.2f} s")
    if "cp_mol_ig_comp" in ig:
        say(f"fitting cp_mol_ig_comp of {c.name} on {np.size(ig['temperature'])} points ...")
        start = time.perf_counter()
        params["cp"] = fit_cp_ig(c, ig["temperature"], ig["cp_mol_ig_comp"], terms)
        times["cp_mol_ig_comp"] = time.perf_counter() - start
    model = HybridPureModel(
        constants=c,
        psat_params=params["psat"],
        dens_params=params["dens"],
        cp_params=params["cp"],
        zvap_params=params.get("zvap"),
        hidden=hidden,
        terms=terms,
        info={"fit_seconds": times},
    )
    if "cp_mol_liq_comp" in data:
        say(f"fitting cp_mol_liq_comp of {c.name} on {np.size(T)} points ...")
        start = time.perf_counter()
        model.liq_params = fit_liquid_cp(model, T, data["cp_mol_liq_comp"])
        model.liq_anchor = float(np.min(T))
        times["cp_mol_liq_comp"] = time.perf_counter() - start
    return model
