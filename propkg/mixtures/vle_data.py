"""Binary bubble-point reference data from CoolProp's Helmholtz mixture models, with provenance.

For each pair, CoolProp (``AbstractState('HEOS', 'A&B')``) gives bubble points on
isotherms (``QT_INPUTS``, ``Q = 0``: P and y at T, x) and on the 101325 Pa isobar
(``PQ_INPUTS``: T and y at P, x). Pure-component saturation pressures come from CoolProp's
pure fluids at the same T, so that a g^E model fitted to the apparent activity coefficients

.. math:: \\gamma_i^{\\mathrm{app}} = \\frac{y_i P}{x_i P_i^{sat}(T)}

(ideal vapour) carries only the g^E error, not a Psat error. CoolProp's flash can fail at
some states; failures are skipped and counted in the provenance.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from propkg.mixtures.components import component
from propkg_contract.errors import DataError

P_ATM = 101325.0
#: x1 of the training points on each training isotherm
TRAIN_X = (0.05, 0.25, 0.5, 0.75, 0.95)
#: x1 of the held-out grid
TEST_X = tuple(np.round(np.arange(0.02, 0.981, 0.04), 10))
N_ISOTHERMS = 5
#: indices of the isotherms that carry training points (3 isotherms x 5 points = 15)
TRAIN_ISOTHERMS = (0, 2, 4)
COLUMNS = ("series", "split", "T", "P", "x1", "y1", "psat1", "psat2")


@dataclass
class BinaryVleData:
    """Bubble-point data of one pair.

    Attributes
    ----------
    pair : tuple of str
        propkg component names in model order.
    rows : list of dict
        Columns :data:`COLUMNS`; ``series`` is ``"T=<K>"`` or ``"P=101325"``, ``split`` is
        ``"train"`` or ``"test"``; T [K], P [Pa], x1, y1 [-], psat1, psat2 [Pa].
    provenance : dict
        CoolProp version, pair parameter source, failures.
    """

    pair: tuple[str, str]
    rows: list[dict]
    provenance: dict

    def arrays(self, split: str | None = None, series_prefix: str | None = None) -> dict:
        """Columns as numpy arrays, optionally filtered by split and series prefix."""
        rows = [
            r for r in self.rows
            if (split is None or r["split"] == split)
            and (series_prefix is None or r["series"].startswith(series_prefix))
        ]
        return {k: np.array([r[k] for r in rows], float) for k in COLUMNS[2:]}

    def to_csv_text(self) -> str:
        """The rows as CSV text (fixed column order, repr floats)."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in self.rows:
            writer.writerow([r["series"], r["split"]] + [repr(float(r[k])) for k in COLUMNS[2:]])
        return buf.getvalue()

    def sha256(self) -> str:
        """sha256 of the CSV text."""
        return hashlib.sha256(self.to_csv_text().encode()).hexdigest()

    def save(self, folder: str | Path) -> Path:
        """Write ``<c1>__<c2>.csv`` and ``<c1>__<c2>.json`` (provenance) into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{self.pair[0]}__{self.pair[1]}"
        (folder / f"{stem}.csv").write_text(self.to_csv_text(), encoding="utf-8")
        prov = dict(self.provenance, sha256=self.sha256())
        (folder / f"{stem}.json").write_text(json.dumps(prov, indent=2, sort_keys=True) + "\n")
        return folder / f"{stem}.csv"

    @classmethod
    def load(cls, folder: str | Path, pair: tuple[str, str]) -> BinaryVleData:
        """Read a saved data set and check its sha256 against the provenance file."""
        folder = Path(folder)
        stem = f"{pair[0]}__{pair[1]}"
        csv_path = folder / f"{stem}.csv"
        if not csv_path.is_file():
            raise DataError(f"no VLE data file '{csv_path}'; run propkg.mixtures.vle_data")
        prov = json.loads((folder / f"{stem}.json").read_text())
        rows = []
        with open(csv_path, encoding="utf-8") as handle:
            for r in csv.DictReader(handle):
                rows.append({k: (r[k] if k in ("series", "split") else float(r[k]))
                             for k in COLUMNS})
        data = cls(tuple(pair), rows, prov)
        if data.sha256() != prov.get("sha256"):
            raise DataError(
                f"'{csv_path}' sha256 {data.sha256()} differs from {prov.get('sha256')}")
        return data


def coolprop_pair_source(cas1: str, cas2: str) -> dict:
    """CoolProp's binary interaction parameters and their source for a pair (either order)."""
    import CoolProp.CoolProp as CP

    for a, b in ((cas1, cas2), (cas2, cas1)):
        out = {}
        for key in ("BibTeX", "F", "betaT", "gammaT", "betaV", "gammaV", "function"):
            try:
                out[key] = CP.get_mixture_binary_pair_data(a, b, key)
            except ValueError:
                continue
        if "BibTeX" in out:
            out["cas_order"] = [a, b]
            return out
    return {"BibTeX": "none (CoolProp default mixing rules)"}


def psat_coolprop(fluid: str, T: float) -> float:
    """CoolProp's saturation pressure of a pure fluid, [Pa]."""
    import CoolProp

    state = CoolProp.AbstractState("HEOS", fluid)
    state.update(CoolProp.QT_INPUTS, 0.0, float(T))
    return state.p()


def normal_boiling_point(fluid: str) -> float:
    """CoolProp's normal boiling temperature of a pure fluid, [K]."""
    import CoolProp

    state = CoolProp.AbstractState("HEOS", fluid)
    state.update(CoolProp.PQ_INPUTS, P_ATM, 0.0)
    return state.T()


def isotherm_temperatures(pair: tuple[str, str]) -> np.ndarray:
    """Temperatures of the isotherms: from 25 K below the lower to the higher normal boiling
    point of the pure components (the range of an atmospheric column), [K]."""
    tb = [normal_boiling_point(component(n).coolprop) for n in pair]
    return np.round(np.linspace(min(tb) - 25.0, max(tb), N_ISOTHERMS), 2)


def generate(pair: tuple[str, str]) -> BinaryVleData:
    """Compute the bubble-point data of a pair with CoolProp.

    Training points: :data:`TRAIN_X` on isotherms :data:`TRAIN_ISOTHERMS` (15 points). Test
    points: :data:`TEST_X` on all isotherms and on the 101325 Pa isobar.
    """
    import CoolProp

    c1, c2 = (component(n) for n in pair)
    state = CoolProp.AbstractState("HEOS", f"{c1.coolprop}&{c2.coolprop}")
    rows: list[dict] = []
    failures: list[str] = []

    def add(series, split, inputs, value, x1):
        try:
            state.set_mole_fractions([x1, 1.0 - x1])
            state.update(inputs, value, 0.0) if inputs == CoolProp.PQ_INPUTS else state.update(
                inputs, 0.0, value)
            T, P = state.T(), state.p()
            y1 = state.mole_fractions_vapor()[0]
            if not (np.isfinite(P) and 0.0 < y1 < 1.0):
                raise ValueError(f"unphysical result P={P}, y1={y1}")
            rows.append({"series": series, "split": split, "T": T, "P": P, "x1": x1, "y1": y1,
                         "psat1": psat_coolprop(c1.coolprop, T),
                         "psat2": psat_coolprop(c2.coolprop, T)})
        except ValueError as exc:
            failures.append(f"{series} x1={x1}: {str(exc)[:120]}")

    temps = isotherm_temperatures(pair)
    for k, T in enumerate(temps):
        series = f"T={T:.2f}"
        if k in TRAIN_ISOTHERMS:
            for x1 in TRAIN_X:
                add(series, "train", CoolProp.QT_INPUTS, T, x1)
        for x1 in TEST_X:
            if k in TRAIN_ISOTHERMS and any(abs(x1 - xt) < 1e-9 for xt in TRAIN_X):
                continue
            add(series, "test", CoolProp.QT_INPUTS, T, float(x1))
    for x1 in TEST_X:
        add("P=101325", "test", CoolProp.PQ_INPUTS, P_ATM, float(x1))
    n_train = sum(r["split"] == "train" for r in rows)
    if n_train < 8:
        raise DataError(f"CoolProp gave only {n_train} training points for {pair}")
    provenance = {
        "pair": list(pair),
        "coolprop_version": CoolProp.__version__,
        "coolprop_gitrevision": CoolProp.__gitrevision__,
        "coolprop_mixture": f"HEOS::{c1.coolprop}&{c2.coolprop}",
        "interaction_parameters": coolprop_pair_source(c1.cas, c2.cas),
        "pure_psat": "CoolProp HEOS pure fluids (QT_INPUTS, Q=0)",
        "isotherms_K": temps.tolist(),
        "n_points": {"train": n_train, "test": len(rows) - n_train},
        "n_failed": len(failures),
        "failures": failures,
    }
    return BinaryVleData(tuple(pair), rows, provenance)


def main() -> None:  # pragma: no cover - data generation script
    """Regenerate the shipped ``propkg/data/mixtures/`` for every shipped pair (maintainers)."""
    from propkg.data import MIXTURES_DIR as folder
    from propkg.mixtures.components import SHIPPED_PAIRS

    for pair in SHIPPED_PAIRS:
        data = generate(pair)
        data.save(folder)
        print(pair, data.provenance["n_points"], "failed", data.provenance["n_failed"])


if __name__ == "__main__":  # pragma: no cover
    main()
