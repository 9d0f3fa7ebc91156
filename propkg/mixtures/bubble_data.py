r"""Measured binary bubble points: reading, pure-component Psat, and the held-out split.

A data set is a table of bubble points of a binary ``A + B``: temperature [K], bubble
pressure [Pa], liquid mole fraction of A, optionally the vapour mole fraction of A, the
publication each point comes from (``source``, a DOI or any label) and a per-point weight
(from screening). Pure-component saturation pressures come from the propkg pure models
(ONNX, evaluated with onnxruntime), so that the g^E model carries only the mixture
non-ideality in modified Raoult's law

.. math:: P = x_1\gamma_1 P_1^{sat}(T) + x_2\gamma_2 P_2^{sat}(T)

Held-out split (:func:`test_publications`): publications are ordered by the sha256 of
their label and taken in that order until they hold at least :data:`TEST_FRACTION` of the
points (at least one publication); the others are the fitting publications. The rule is
deterministic and independent of the data values.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from propkg_contract.errors import DataError, UnitsError

TEST_FRACTION = 0.2
#: accepted pressure units -> factor to Pa
PRESSURE_UNITS = {"Pa": 1.0, "kPa": 1e3, "bar": 1e5, "MPa": 1e6}
REQUIRED = ("temperature [K]", "mole_frac_liq [-]")
#: points closer than this to a pure component carry no g^E information and are dropped
PURE_TOLERANCE = 1e-6


@dataclass
class BubblePoints:
    """Bubble points of one binary in model order (component 1 = A).

    Attributes
    ----------
    T : ndarray
        Temperature, [K].
    P : ndarray
        Bubble pressure, [Pa].
    x1 : ndarray
        Liquid mole fraction of component 1, [-].
    source : ndarray of str
        Publication of each point.
    y1 : ndarray
        Vapour mole fraction of component 1, [-] (NaN where not measured).
    weight : ndarray
        Relative weight of each point in the fit (screening), [-].
    psat1, psat2 : ndarray
        Pure-component saturation pressures at T, [Pa] (filled by :meth:`with_psat`).
    """

    T: np.ndarray
    P: np.ndarray
    x1: np.ndarray
    source: np.ndarray
    y1: np.ndarray | None = None
    weight: np.ndarray | None = None
    psat1: np.ndarray | None = field(default=None, repr=False)
    psat2: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        n = np.asarray(self.T).size
        self.T, self.P, self.x1 = (np.asarray(a, float).ravel() for a in (self.T, self.P, self.x1))
        self.source = np.asarray(self.source, dtype=str).ravel()
        self.y1 = np.full(n, np.nan) if self.y1 is None else np.asarray(self.y1, float).ravel()
        self.weight = np.ones(n) if self.weight is None else np.asarray(self.weight, float).ravel()
        for name in ("P", "x1", "source", "y1", "weight"):
            if getattr(self, name).size != n:
                raise DataError(f"bubble points: column '{name}' has "
                                f"{getattr(self, name).size} values, temperature has {n}")

    def __len__(self) -> int:
        return self.T.size

    def subset(self, mask) -> BubblePoints:
        """The points where ``mask`` is true (a boolean array)."""
        mask = np.asarray(mask, bool)
        opt = {k: None if getattr(self, k) is None else getattr(self, k)[mask]
               for k in ("psat1", "psat2")}
        return BubblePoints(self.T[mask], self.P[mask], self.x1[mask], self.source[mask],
                            self.y1[mask], self.weight[mask], **opt)

    @property
    def mixture(self) -> np.ndarray:
        """True for points with 0 < x1 < 1."""
        return (self.x1 > PURE_TOLERANCE) & (self.x1 < 1 - PURE_TOLERANCE)

    def publications(self) -> list[str]:
        """Distinct publications, sorted."""
        return sorted(set(self.source.tolist()))

    def with_psat(self, psat1, psat2) -> BubblePoints:
        """A copy with ``psat1 = psat1(T)``, ``psat2 = psat2(T)`` (callables, [Pa])."""
        out = self.subset(np.ones(len(self), bool))
        out.psat1, out.psat2 = np.asarray(psat1(self.T), float), np.asarray(psat2(self.T), float)
        return out

    def sha256(self) -> str:
        """sha256 of the points (T, P, x1, y1, source) as fixed-format text."""
        text = "\n".join(f"{t!r},{p!r},{x!r},{y!r},{s}" for t, p, x, y, s in zip(
            self.T.tolist(), self.P.tolist(), self.x1.tolist(), self.y1.tolist(),
            self.source.tolist(), strict=True))
        return hashlib.sha256(text.encode()).hexdigest()

    def validate(self, where: str, keep_pure: bool = False) -> BubblePoints:
        """Check ranges (T > 0, P > 0, 0 <= x1 <= 1); drop pure-component points unless
        ``keep_pure``.

        Raises
        ------
        DataError
            Non-finite or out-of-range values (the message gives the rows), or fewer than
            3 mixture points.
        """
        for name, ok in (("temperature [K]", np.isfinite(self.T) & (self.T > 0)),
                         ("pressure", np.isfinite(self.P) & (self.P > 0)),
                         ("mole_frac_liq [-]", np.isfinite(self.x1) & (self.x1 >= 0)
                          & (self.x1 <= 1))):
            bad = np.flatnonzero(~ok)
            if bad.size:
                raise DataError(f"{where}: column '{name}' has invalid values in data row(s) "
                                f"{[int(i) + 1 for i in bad[:10]]}; expected finite, positive "
                                "temperature and pressure, 0 <= x <= 1")
        mixture = self.mixture
        out = self.subset(mixture | keep_pure)
        if mixture.sum() < 3:
            raise DataError(f"{where}: {int(mixture.sum())} mixture points (0 < x < 1); at least 3 "
                            "needed")
        return out


def points_from_frame(df, where: str) -> BubblePoints:
    """Bubble points (pure end points kept) from a DataFrame of
    :func:`propkg.measured.load_bubble_points` (``temperature [K]``, ``pressure [Pa]``,
    ``mole_frac_liq [-]``, ``source``)."""
    return BubblePoints(df["temperature [K]"].to_numpy(), df["pressure [Pa]"].to_numpy(),
                        df["mole_frac_liq [-]"].to_numpy(),
                        df["source"].to_numpy()).validate(where, keep_pure=True)


#: points are kept below this fraction of the lower critical temperature of the pair
TC_FRACTION = 0.95


def thermoml_points(a: str, b: str, psat_a: PurePsat, psat_b: PurePsat) -> BubblePoints:
    """Measured bubble points of ``a + b`` (:func:`propkg.measured.load_bubble_points`),
    pure end points kept, restricted to temperatures inside both pure models' Psat domains
    and below :data:`TC_FRACTION` of the lower critical temperature.

    Raises
    ------
    DataError
        If fewer than 3 mixture points remain (e.g. a supercritical component), saying
        how many were removed by which limit.
    """
    from propkg.measured import load_bubble_points
    from propkg.mixtures.components import component

    frame = load_bubble_points(component(a).cas, component(b).cas)
    raw = points_from_frame(frame, f"ThermoML {a}/{b}")
    t_max = TC_FRACTION * min(psat_a.Tc, psat_b.Tc)
    keep = psat_a.in_domain(raw.T) & psat_b.in_domain(raw.T) & (raw.T < t_max)
    if (keep & raw.mixture).sum() < 3:
        outside = int((raw.mixture & ~(psat_a.in_domain(raw.T) & psat_b.in_domain(raw.T))).sum())
        above = int((raw.mixture & (raw.T >= t_max)).sum())
        raise DataError(
            f"{a}/{b}: {int((keep & raw.mixture).sum())} of {int(raw.mixture.sum())} measured "
            f"mixture bubble points are usable (at least 3 needed): {above} lie at or above "
            f"{TC_FRACTION} x the lower critical temperature ({t_max:.1f} K; a supercritical "
            f"component, where Psat x gamma does not describe the bubble point) and "
            f"{outside} outside the pure models' Psat domains "
            f"({a}: {psat_a.domain[0]:g}-{psat_a.domain[1]:g} K, "
            f"{b}: {psat_b.domain[0]:g}-{psat_b.domain[1]:g} K)")
    return raw.subset(keep)


def read_bubble_csv(path: str | Path) -> BubblePoints:
    """Read a bubble-point CSV (header ``name [units]``; ``source`` optional, text).

    Pure-component rows (x = 0 or 1) are kept (screening uses them); the fit drops them.

    Columns: ``temperature [K]``, ``pressure [kPa]`` (or Pa, bar, MPa), ``mole_frac_liq [-]``
    (liquid mole fraction of the first component), optional ``mole_frac_vap [-]``,
    optional ``source`` (publication; without it all points form one publication),
    optional ``weight [-]``.

    Raises
    ------
    DataError
        Missing file or column, unknown column, a value that is not a number.
    UnitsError
        Pressure in units other than :data:`PRESSURE_UNITS`.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"bubble-point file '{path}' does not exist")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle) if any(c.strip() for c in r)]
    if len(rows) < 2:
        raise DataError(f"'{path}' has no data rows")
    header = [h.strip() for h in rows[0]]
    pressure = [h for h in header if h.startswith("pressure [")]
    known = {"temperature [K]", "mole_frac_liq [-]", "mole_frac_vap [-]", "source",
             "weight [-]", *pressure}
    unknown = [h for h in header if h not in known]
    missing = [h for h in REQUIRED if h not in header] + ([] if pressure else ["pressure [kPa]"])
    if missing or unknown:
        raise DataError(f"'{path}': missing column(s) {missing}, unknown column(s) {unknown}; "
                        "expected 'temperature [K]', 'pressure [kPa]', 'mole_frac_liq [-]', "
                        "optional 'mole_frac_vap [-]', 'source', 'weight [-]'")
    unit = pressure[0][len("pressure ["):-1]
    if unit not in PRESSURE_UNITS:
        raise UnitsError(f"'{path}': column '{pressure[0]}' has units '{unit}'; accepted: "
                         f"{list(PRESSURE_UNITS)}")
    cols: dict[str, list] = {h: [] for h in header}
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(f"'{path}' line {i}: {len(row)} fields, header has {len(header)}")
        for h, cell in zip(header, row, strict=True):
            if h == "source":
                cols[h].append(cell.strip())
                continue
            try:
                cols[h].append(float(cell) if cell.strip() else np.nan)
            except ValueError:
                raise DataError(f"'{path}' line {i}: column '{h}' value '{cell}' is not a "
                                "number") from None
    n = len(rows) - 1
    return BubblePoints(
        T=cols["temperature [K]"], P=np.array(cols[pressure[0]]) * PRESSURE_UNITS[unit],
        x1=cols["mole_frac_liq [-]"],
        source=cols.get("source", [f"user file {path.name}"] * n),
        y1=cols.get("mole_frac_vap [-]"), weight=cols.get("weight [-]"),
    ).validate(f"'{path}'", keep_pure=True)


def test_publications(points: BubblePoints, fraction: float = TEST_FRACTION) -> list[str]:
    """The held-out publications of a data set (deterministic rule, see module docstring).

    Publications are taken in the order of ``sha256(label)`` until they hold at least
    ``fraction`` of the points. Returns an empty list if there is only one publication.
    """
    pubs = points.publications()
    if len(pubs) < 2:
        return []
    order = sorted(pubs, key=lambda s: hashlib.sha256(s.encode()).hexdigest())
    counts = {p: int(np.sum(points.source == p)) for p in pubs}
    chosen, total = [], 0
    for p in order:
        if total >= fraction * len(points) and chosen:
            break
        if len(chosen) == len(pubs) - 1:
            break
        chosen.append(p)
        total += counts[p]
    return sorted(chosen)


class PurePsat:
    """Saturation pressure of a pure component from its propkg ONNX model (onnxruntime).

    Parameters
    ----------
    name_or_path : str or Path
        A shipped model's name/alias/CAS (looked up with
        :func:`propkg_contract.registry.find_model`) or the path of a pure-component file.

    Raises
    ------
    DataError
        If the file has no ``pressure_sat_comp`` output, or its vapour pressure was not
        fitted to data (``properties_without_data`` in its metadata: a density-only zoo file).
    DomainError
        When called at temperatures outside the model's domain of ``pressure_sat_comp``.
    """

    def __init__(self, name_or_path: str | Path):
        import onnxruntime as ort

        from propkg_contract.metadata import read_metadata
        from propkg_contract.registry import find_model

        p = Path(name_or_path)
        self.path = p if p.suffix == ".onnx" and p.is_file() else find_model(str(name_or_path))
        self.metadata = read_metadata(self.path)
        if "pressure_sat_comp" not in self.metadata.outputs:
            raise DataError(f"'{self.path}' has no 'pressure_sat_comp' output")
        if not self.metadata.fitted_to_data("pressure_sat_comp"):
            raise DataError(
                f"'{self.metadata.component_names[0]}' ({self.path.name}) has no fitted vapour "
                "pressure (a zoo file fitted to liquid densities: its Psat is the "
                "Ambrose-Walton estimate), so it cannot carry a mixture fit or comparison; "
                "fit its vapour pressure first (propkg fit NAME DATA.csv) and pass --pure")
        out = self.metadata.outputs["pressure_sat_comp"]
        self.domain = tuple(out.get("domain", self.metadata.domain)["temperature"])
        self.name = self.metadata.component_names[0]
        self._session = ort.InferenceSession(str(self.path), providers=["CPUExecutionProvider"])

    @property
    def Tc(self) -> float:
        """Critical temperature of the component from the model's constants, [K]."""
        return float(self.metadata.raw["constants"]["Tc"])

    def in_domain(self, T) -> np.ndarray:
        """True where T [K] lies in the model's Psat domain."""
        T = np.asarray(T, float)
        return (T >= self.domain[0]) & (T <= self.domain[1])

    def __call__(self, T) -> np.ndarray:
        """Saturation pressure [Pa] at temperatures T [K]."""
        from propkg_contract.errors import DomainError

        T = np.asarray(T, float).ravel()
        lo, hi = self.domain
        bad = (T < lo) | (T > hi)
        if bad.any():
            raise DomainError(f"{self.name}: temperatures {T[bad][:5].tolist()} K are outside "
                              f"the domain [{lo}, {hi}] K of its model '{self.path.name}'")
        names = [o.name for o in self._session.get_outputs()]
        res = self._session.run(["pressure_sat_comp"] if "pressure_sat_comp" in names else None,
                                {"temperature": T.reshape(-1, 1)})
        return np.asarray(res[0], float).ravel()
