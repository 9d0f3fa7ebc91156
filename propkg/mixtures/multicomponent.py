r"""Multicomponent excess Gibbs energy: a multicomponent backbone plus pairwise corrections.

For N components with mole fractions :math:`x` the hybrid is

.. math::

    \frac{g^E}{RT}(T, x) = \frac{g^E_{B}}{RT}(T, x)
        + \sum_{i<j} x_i x_j\, c_{ij}\!\left(x_i - x_j, \tau_{ij}(T)\right)

where :math:`g^E_B` is the multicomponent backbone (UNIFAC-Dortmund or NRTL, both genuinely
multicomponent: UNIFAC through its group fractions, NRTL through its sums over all
components) and :math:`c_{ij}` is the learned correction of the binary model of pair
(i, j), taken unchanged from its ONNX metadata. The pairwise term is the form of the
multicomponent Redlich-Kister expansion (:math:`\sum_{i<j} x_i x_j \sum_k a_k (x_i - x_j)^k`,
e.g. Prausnitz, Lichtenthaler, de Azevedo, *Molecular Thermodynamics of Fluid-Phase
Equilibria*, 3rd ed., 1999, sec. 6.14), with the polynomial replaced by the binary's network;
multicomponent HANNA (Specht et al., 2024) likewise sums pair contributions. Properties:

* **binary limits are exact**: with only i and j present, every other pair term vanishes
  (factor :math:`x_k`) and the backbone reduces to the binary backbone, so the expression
  equals the binary hybrid - when the binary was fitted on the same backbone kind; a pair
  fitted on the other kind keeps its correction and its deviation from its binary file is
  reported (:attr:`MulticomponentGibbs.binary_limit_deviation`);
* **pure limits**: :math:`g^E = 0` at every vertex;
* :math:`\ln\gamma_i` by exact differentiation of this one function
  (:func:`propkg.mixtures.excess.log_activity_coefficients`), so Gibbs-Duhem holds to
  round-off;
* a pair without a binary model keeps the backbone alone (a warning names it).
"""

from __future__ import annotations

import functools
import itertools
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import casadi as ca
import numpy as np

from propkg.mixtures.components import component
from propkg.mixtures.excess import log_activity_coefficients
from propkg.mixtures.export import mx_function
from propkg.mixtures.hybrid_ge import HybridExcessGibbs, correction
from propkg.mixtures.nrtl import NrtlParameters, nrtl_gibbs_excess_rt
from propkg.mixtures.unifac import UnifacParameters, group_assignment, unifac_gibbs_excess_rt
from propkg_contract.errors import DataError, MetadataError
from propkg_contract.metadata import read_metadata


@dataclass
class PairCorrection:
    """The learned correction of one pair, in the order of its binary file.

    Attributes
    ----------
    first, second : int
        Indices of the pair's components in the mixture (file order).
    hybrid : HybridExcessGibbs
        The binary hybrid rebuilt from its metadata.
    source : str
        The binary file it came from.
    """

    first: int
    second: int
    hybrid: HybridExcessGibbs
    source: str

    def term(self, T, xs):
        """:math:`x_i x_j c_{ij}(x_i - x_j, \\tau_{ij}(T))` (CasADi expression)."""
        h = self.hybrid
        xi, xj = xs[self.first], xs[self.second]
        return xi * xj * correction(xi - xj, h.tau(T), [float(v) for v in h.theta_], h.n_hidden)


@dataclass
class MulticomponentGibbs:
    """Multicomponent hybrid g^E of named components.

    Parameters
    ----------
    names : list of str
        Component names (mixture order).
    backbone_kind : str
        ``"unifac"`` or ``"nrtl"``.
    pairs : list of PairCorrection
        Corrections of the pairs that have binary models.
    missing_pairs : list of (str, str)
        Pairs without a binary model (backbone alone).
    """

    names: list[str]
    backbone_kind: str
    pairs: list[PairCorrection] = field(default_factory=list)
    missing_pairs: list[tuple[str, str]] = field(default_factory=list)

    def gibbs_excess_rt(self, T, xs, kind: str | None = None, corrected: bool = True):
        """``g^E/RT`` (CasADi expression) of T [K] and the mole-fraction symbols ``xs``."""
        ge = backbone_gibbs_excess_rt(kind or self.backbone_kind, self.names, T, xs)
        if corrected:
            for pair in self.pairs:
                ge = ge + pair.term(T, xs)
        return ge

    def function(self, kind: str | None = None, corrected: bool = True) -> ca.Function:
        """SX ``(T, x_1 ... x_N) -> (g^E/RT, ln gamma_1 ... ln gamma_N)``."""
        T = ca.SX.sym("temperature")
        xs = [ca.SX.sym(f"x{k + 1}") for k in range(len(self.names))]
        ge = self.gibbs_excess_rt(T, xs, kind, corrected)
        lns = log_activity_coefficients(ge, xs)
        return ca.Function("multicomponent_gibbs_excess", [T, *xs], [ge, *lns],
                           ["temperature", *[f"x{k + 1}" for k in range(len(xs))]],
                           ["gibbs_excess_rt", *[f"ln_gamma_{k + 1}" for k in range(len(xs))]])

    def binary_limit_deviation(self, temperatures=(300.0, 330.0, 360.0)) -> dict[str, float]:
        """Largest |g^E/RT| difference between this model with only a pair present and the
        pair's own binary hybrid, per pair (0 up to round-off when the backbones agree)."""
        fun = self.function()
        out = {}
        n = len(self.names)
        for pair in self.pairs:
            binary = pair.hybrid.function()
            worst = 0.0
            for T in temperatures:
                for x1 in (0.1, 0.35, 0.6, 0.9):
                    x = np.zeros(n)
                    x[pair.first], x[pair.second] = x1, 1.0 - x1
                    g_multi = float(fun(T, *x)[0])
                    g_bin = float(binary(T, x1, 1.0 - x1)[0])
                    worst = max(worst, abs(g_multi - g_bin))
            out[f"{self.names[pair.first]}__{self.names[pair.second]}"] = worst
        return out


@functools.lru_cache(maxsize=32)
def backbone_parameters(kind: str, names: tuple[str, ...]):
    """UNIFAC-Dortmund or NRTL (ChemSep) parameters of a mixture, in ``names`` order
    (cached: building, exporting and checking a model ask for them several times).

    NRTL's multicomponent matrices are assembled from ChemSep's binary parameters (NRTL has
    binary parameters only); UNIFAC's from the DDBST group assignments.

    Raises
    ------
    DataError
        If a component has no group assignment or a pair has no ChemSep NRTL parameters.
    """
    comps = [component(n) for n in names]
    if kind == "unifac":
        return UnifacParameters.from_groups([group_assignment(c.inchikey, 1) for c in comps], 1)
    if kind == "nrtl":
        n = len(comps)
        b, alpha = np.zeros((n, n)), np.zeros((n, n))
        for i, j in itertools.combinations(range(n), 2):
            pair = NrtlParameters.from_chemsep([comps[i].cas, comps[j].cas])
            b[i, j], b[j, i] = pair.b[0, 1], pair.b[1, 0]
            alpha[i, j] = alpha[j, i] = pair.alpha[0, 1]
        return NrtlParameters(b, alpha)
    raise DataError(f"backbone '{kind}' is not one of ('unifac', 'nrtl')")


def backbone_gibbs_excess_rt(kind: str, names: list[str], T, xs):
    """Multicomponent backbone ``g^E/RT`` (CasADi expression) of T [K] and mole fractions."""
    params = backbone_parameters(kind, tuple(names))
    if kind == "unifac":
        return unifac_gibbs_excess_rt(T, xs, params)
    return nrtl_gibbs_excess_rt(T, xs, params)


def build(names: list[str], binary_files: dict[tuple[str, str], Path] | None = None,
          backbone_kind: str | None = None) -> MulticomponentGibbs:
    """Assemble the multicomponent hybrid of ``names`` from binary g^E ONNX files.

    Parameters
    ----------
    names : list of str
        At least two distinct component names (any name, alias or CAS that
        :func:`propkg.mixtures.components.component` knows).
    binary_files : dict, optional
        ``(a, b) -> path`` of binary models to use; pairs not given are looked up among
        the shipped models (:func:`propkg_contract.registry.find_binary_model`).
    backbone_kind : str, optional
        ``"unifac"`` or ``"nrtl"``; default: the kind most of the binaries were fitted on
        (UNIFAC on a tie or without binaries).

    Raises
    ------
    DataError
        Fewer than two or repeated components, or an unknown backbone.
    """
    from propkg_contract.registry import find_binary_model

    canonical = [component(n).name for n in names]
    if len(canonical) < 2 or len(set(canonical)) != len(canonical):
        raise DataError(f"a mixture needs at least two distinct components; got {list(names)}")
    given = {frozenset(component(n).name for n in k): Path(v)
             for k, v in (binary_files or {}).items()}
    pairs, missing, kinds = [], [], []
    for i, j in itertools.combinations(range(len(canonical)), 2):
        a, b = canonical[i], canonical[j]
        path = given.get(frozenset((a, b)))
        if path is None:
            try:
                path, _ = find_binary_model(a, b)
            except MetadataError:
                missing.append((a, b))
                continue
        md = read_metadata(path)
        first, second = (canonical.index(n) for n in md.component_names)
        hybrid = HybridExcessGibbs.from_metadata(md)
        kinds.append(hybrid.backbone.kind)
        pairs.append(PairCorrection(first, second, hybrid, str(path)))
    if backbone_kind is not None:
        kind = backbone_kind
        backbone_parameters(kind, tuple(canonical))  # DataError now if it lacks parameters
    else:  # the binaries' majority, if its parameters cover the whole mixture
        preferred = ["nrtl", "unifac"] if kinds.count("nrtl") > kinds.count("unifac") else [
            "unifac", "nrtl"]
        kind = None
        for candidate in preferred:
            try:
                backbone_parameters(candidate, tuple(canonical))
            except DataError as exc:
                warnings.warn(f"{candidate.upper()} cannot be the backbone of {canonical}: "
                              f"{exc}", stacklevel=2)
                continue
            kind = candidate
            break
        if kind is None:
            raise DataError(f"neither UNIFAC nor NRTL has parameters for all of {canonical}")
    off = [f"{canonical[p.first]}/{canonical[p.second]}" for p in pairs
           if p.hybrid.backbone.kind != kind]
    if off:
        warnings.warn(f"pair(s) {off} were fitted on the other backbone than the mixture's "
                      f"{kind.upper()}: their binary limits are not exact (see the metadata)",
                      stacklevel=2)
    for a, b in missing:
        warnings.warn(f"no binary g^E model for the pair {a}/{b}: the {kind.upper()} backbone "
                      "alone describes it", stacklevel=2)
    return MulticomponentGibbs(canonical, kind, pairs, missing)


def metadata(model: MulticomponentGibbs, backbones: list[str],
             domain: tuple[float, float]) -> dict:
    """propkg metadata of an exported multicomponent model (kind
    ``multicomponent_excess_gibbs``)."""
    from propkg import __version__

    n = len(model.names)
    outputs = {}
    for suffix in ("", *backbones):
        tag = f"_{suffix}" if suffix else ""
        outputs[f"gibbs_excess_rt{tag}"] = {"units": "1", "scaling_factor": 1.0}
        outputs[f"log_act_coeff_comp{tag}"] = {"units": "1", "scaling_factor": 1.0}
    return {
        "schema_version": 1,
        "kind": "multicomponent_excess_gibbs",
        "components": [component(c).as_metadata() for c in model.names],
        "inputs": {"temperature": {"units": "K"}, "mole_frac_comp": {"units": "1"}},
        "outputs": outputs,
        "domain": {"temperature": [float(domain[0]), float(domain[1])],
                   "mole_frac_comp": [0.0, 1.0]},
        "backbone": {"gibbs_excess_rt": {"name": model.backbone_kind,
                                         "form": "multicomponent (all N components)"},
                     **{f"gibbs_excess_rt_{k}": {"name": k} for k in backbones}},
        "correction": {
            "form": "gE/RT = backbone(T, x) + sum_{i<j} x_i x_j c_ij(x_i - x_j, tau_ij(T)); "
                    "c_ij, tau_ij: the correction of the binary file of pair (i, j)",
            "pairs": [{"components": [model.names[p.first], model.names[p.second]],
                       "binary_file": Path(p.source).name,
                       "binary_backbone": p.hybrid.backbone.kind,
                       "correction": p.hybrid.correction_metadata()} for p in model.pairs],
            "pairs_without_binary_model": [list(p) for p in model.missing_pairs],
            "binary_limit_max_abs_deviation": model.binary_limit_deviation(),
        },
        "training_data": {"source": "none fitted here: pair corrections from the binary files "
                                    "named in 'correction'", "n_components": n},
        "error_statistics": {},
        "propkg_version": __version__,
    }


def export(model: MulticomponentGibbs, path: str | Path,
           domain: tuple[float, float] | None = None) -> Path:
    """Write the multicomponent model (hybrid plus each available backbone alone) to ONNX.

    The temperature domain defaults to the intersection of the pair models' domains
    (the union of nothing being the backbone's 250-450 K when no pair has a model).
    """
    from propkg import __version__
    from propkg_contract.writer import write_onnx

    if domain is None:
        lows, highs = [250.0], [450.0]
        for pair in model.pairs:
            lo, hi = read_metadata(pair.source).domain["temperature"]
            lows.append(lo)
            highs.append(hi)
        domain = (max(lows), min(highs)) if max(lows) < min(highs) else (min(lows), max(highs))
    functions = {"": model.function()}
    backbones = []
    for kind in ("unifac", "nrtl"):
        try:
            functions[kind] = model.function(kind, corrected=False)
            backbones.append(kind)
        except DataError as exc:
            warnings.warn(f"{kind.upper()} backbone unavailable for {model.names}: {exc}",
                          stacklevel=2)
    n = len(model.names)
    rng = np.random.default_rng(0)
    points = [{"temperature": T, "mole_frac_comp": list(rng.dirichlet(np.ones(n)))}
              for T in np.linspace(domain[0], domain[1], 3)]
    return write_onnx(mx_function(functions, n, "multicomponent_gibbs_excess"),
                      metadata(model, backbones, domain), path,
                      check_points=points, producer_version=__version__)
