"""Robust fits of measured pure-component data: any chemical name, cp fallback, screening,
publication hold-out, CSV columns and refusals of ``propkg fit``."""

import hashlib
import re

import numpy as np
import pytest

from propkg.components import constants_for
from propkg.holdout import (
    HELD_OUT_BY_PUBLICATION,
    HELD_OUT_ONE_OF_TWO,
    K_FOLD_LABEL,
    TEST_FRACTION,
    choose_test_publications,
    plan_split,
)
from propkg.measured_fit import PropertyData, backbone, fit_property
from propkg_cli import main
from propkg_contract.metadata import read_metadata

#: smooth deviation planted on the backbone: 3 % * sin, vanishing at Tc like the correction
DEVIATION = 0.03


def _clean_psat(c, T):
    """Synthetic 'true' vapour pressure: Ambrose-Walton times a known smooth deviation."""
    tau = 1.0 - T / c.Tc
    return backbone(c, "psat", T) * np.exp(DEVIATION * tau * np.sin(4.0 * T / c.Tc))


def _synthetic(c, n_pubs=4, per_pub=12, seed=1):
    """Points of ``n_pubs`` publications over 0.5..0.9 Tc, 0.1 % scatter."""
    rng = np.random.default_rng(seed)
    T = np.concatenate([np.linspace(0.5, 0.9, per_pub) * c.Tc + k for k in range(n_pubs)])
    pubs = np.repeat([f"10.1000/pub{k}" for k in range(n_pubs)], per_pub)
    P = _clean_psat(c, T) * (1.0 + 1e-3 * rng.standard_normal(T.size))
    return T, P, pubs


def _write_csv(path, T, P, pubs=None, extra=None):
    header = ["temperature [K]", "pressure_sat_comp [Pa]"]
    cols = [T, P]
    if pubs is not None:
        header.append("source")
        cols.append(pubs)
    for name, values in (extra or {}).items():
        header.append(name)
        cols.append(values)
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in zip(*cols, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.component
@pytest.mark.parametrize("name", ["1-butanol", "71-36-3"])
def test_digit_leading_name_and_cas_fit_and_export(tmp_path, capsys, name):
    from propkg_contract.reader import run_onnx

    c = constants_for(name)
    T, P, pubs = _synthetic(c, n_pubs=3, per_pub=8)
    csv = _write_csv(tmp_path / "data.csv", T, P, pubs)
    out = tmp_path / "model.onnx"
    assert main(["fit", name, str(csv), "-o", str(out)]) == 0
    meta = read_metadata(out)
    assert meta.components[0]["cas"] == "71-36-3"
    assert set(meta.outputs) == {
        "pressure_sat_comp",
        "dens_mol_liq_comp",
        "cp_mol_ig_comp",
        "enth_mol_ig_comp",
        "entr_mol_ig_comp",
        "dh_vap_mol_comp",
    }
    assert "dens_mol_liq_comp" in meta.training_data["properties_without_data"]
    values = run_onnx(out, T)
    assert np.all(np.isfinite(np.column_stack(list(values.values()))))
    # no data for density: the file's density is the Rackett backbone exactly
    assert np.allclose(values["dens_mol_liq_comp"], backbone(c, "dens", T), rtol=1e-12)
    assert "held out by publication" in capsys.readouterr().out


@pytest.mark.unit
@pytest.mark.parametrize(
    ("query", "method", "tolerance"),
    [
        # TRC ideal-gas fit (thermo's default method): refit within 1 %
        ("4-methyl-1,3-dioxolan-2-one", "TRCIG", 0.01),
        # no Poling coefficients and no thermo data method: Lastovka-Shaw, refit within 5 %
        ("diethyl carbonate", "LASTOVKA_SHAW", 0.05),
    ],
)
def test_fallback_cp_backbone_agrees_with_thermo(query, method, tolerance):
    from chemicals.heat_capacity import Cp_data_Poling
    from thermo import HeatCapacityGas

    c = constants_for(query)
    record = c.sources["ideal_gas"]
    assert record["method"] == method
    row = Cp_data_Poling.loc[c.cas] if c.cas in Cp_data_Poling.index else None
    assert row is None or np.isnan(float(row["a0"]))
    lo, hi = record["fit_range_K"]
    T = np.linspace(lo, hi, 37)
    if method == "LASTOVKA_SHAW":  # chemicals' correlation, from the formula
        from chemicals.elements import similarity_variable, simple_formula_parser
        from chemicals.heat_capacity import Lastovka_Shaw
        from chemicals.identifiers import search_chemical

        meta = search_chemical(c.cas)
        alpha = similarity_variable(simple_formula_parser(meta.formula), meta.MW)
        expected = np.array([Lastovka_Shaw(float(t), alpha, False, meta.MW) for t in T])
    else:
        reference = HeatCapacityGas(CASRN=c.cas)
        expected = np.array([reference.calculate(float(t), method) for t in T])
    got = backbone(c, "cp", T)
    assert np.max(np.abs(got / expected - 1.0)) < tolerance
    # the exported metadata says where the coefficients came from
    from propkg.export import build_metadata
    from propkg.hybrid import HybridPureModel

    cp = np.concatenate([np.zeros(5), np.full(5, np.log(1000.0))])
    model = HybridPureModel(c, np.zeros(4), np.zeros(4), cp, hidden=1)
    ideal_gas = build_metadata(model, {}, {}, (300.0, 400.0))["backbone"]["ideal_gas"]
    assert ideal_gas["name"] == f"Poling form ({record['name']})"
    assert ideal_gas["coefficients_from"]["method"] == method


@pytest.mark.unit
def test_split_of_no_points_is_a_data_error():
    from propkg_contract.errors import DataError

    with pytest.raises(DataError, match="no measured points left"):
        plan_split(np.array([]), np.array([], dtype=str))


@pytest.mark.unit
def test_critical_constant_table_error_is_replaced_and_reported():
    """chemicals' default (IUPAC) Tc of phenanthrene is 0.869 (kK): the constant used is
    the other tables' (WEBBOOK 869 K), with the reason in ``sources`` and a warning; a
    compound whose tables agree keeps chemicals' default."""
    from chemicals.critical import Tc

    cas = "85-01-8"
    assert Tc(cas) < 1.0  # the table error this guards against is still in chemicals
    from propkg.components import constants_from_chemicals

    constants_from_chemicals.cache_clear()
    with pytest.warns(UserWarning, match="Tc of CAS 85-01-8"):
        c = constants_for("phenanthrene")
    assert c.Tc == pytest.approx(Tc(cas, method="WEBBOOK"), rel=1e-9)
    assert "0.869" in c.sources["Tc"]
    butanol = constants_for("1-butanol")
    assert butanol.Tc == Tc(butanol.cas) and "Tc" not in butanol.sources


@pytest.mark.unit
@pytest.mark.parametrize("cas", ["71-43-2", "64-17-5", "110-54-3", "67-64-1", "111-65-9"])
def test_lee_kesler_omega_reproduces_measured_acentric_factors(cas):
    """The fallback estimate against chemicals' acentric factors (from measured vapour
    pressures at 0.7 Tc) of benzene, ethanol, n-hexane, acetone and n-octane."""
    from chemicals import Pc, Tb, Tc, omega

    from propkg.components import omega_lee_kesler

    estimate, note = omega_lee_kesler(Tb(cas), Tc(cas), Pc(cas))
    assert estimate == pytest.approx(omega(cas), abs=0.01)
    assert "Lee-Kesler" in note


@pytest.mark.component
def test_compound_without_acentric_factor_fits_with_the_estimate(tmp_path, capsys):
    """chemicals has Tc, Pc and Tb of phenazine but no omega: the fit runs, the backbone's
    omega is the Lee-Kesler estimate (its Ambrose-Walton Psat at the normal boiling point is
    one atmosphere within 3 %), and the file records the fallback and that Tc and Pc are
    group-contribution estimates."""
    from chemicals import Tb, omega

    cas = "92-82-0"
    assert omega(cas) is None  # the gap this guards against is still in chemicals
    c = constants_for("phenazine")
    assert "Lee-Kesler" in c.sources["omega"]
    assert backbone(c, "psat", np.array([Tb(cas)]))[0] == pytest.approx(101325.0, rel=0.03)
    T, P, pubs = _synthetic(c, n_pubs=3, per_pub=8)
    out = tmp_path / "phenazine.onnx"
    assert main(["fit", "phenazine", str(_write_csv(tmp_path / "d.csv", T, P, pubs)),
                 "-o", str(out)]) == 0
    assert "omega: Lee-Kesler" in capsys.readouterr().out  # the user is told
    constants = read_metadata(out).raw["constants"]
    assert constants["omega"] == c.omega and "Lee-Kesler" in constants["fallbacks"]["omega"]
    # chemicals' only phenazine Tc and Pc are Joback's: the file says they are estimates
    from chemicals.critical import Pc_methods, Tc_methods

    assert Tc_methods(cas) == ["JOBACK"] == Pc_methods(cas)
    assert "group-contribution estimate (JOBACK)" in constants["fallbacks"]["Tc"]
    assert "group-contribution estimate (JOBACK)" in constants["fallbacks"]["Pc"]


@pytest.mark.component
def test_robust_fit_ignores_planted_outliers():
    c = constants_for("propyl acetate")
    T, P, pubs = _synthetic(c, n_pubs=4, per_pub=12)
    bad = np.array([5, 17, 30, 41])
    P_bad = P.copy()
    P_bad[bad] *= np.array([1.3, 0.75, 1.5, 1.2])
    fit = fit_property(c, PropertyData("pressure_sat_comp", T, P_bad, None, pubs))
    train_bad = bad[~fit.split.test[bad]]
    assert fit.flagged[train_bad].all()
    grid = np.linspace(0.5, 0.9, 50) * c.Tc
    from propkg.measured_fit import predict

    pred = predict(c, "psat", fit.params, fit.setting, grid)
    assert np.max(np.abs(pred / _clean_psat(c, grid) - 1.0)) < 3e-3
    # the backbone alone misses the planted deviation by far more
    assert np.max(np.abs(backbone(c, "psat", grid) / _clean_psat(c, grid) - 1.0)) > 1e-2


@pytest.mark.component
def test_held_out_error_is_on_test_publications_only():
    c = constants_for("propyl acetate")
    T, P, pubs = _synthetic(c, n_pubs=5, per_pub=10)
    test_pubs = choose_test_publications(pubs)
    shifted = np.isin(pubs, test_pubs)
    P = np.where(shifted, 1.05 * P, P)
    fit = fit_property(c, PropertyData("pressure_sat_comp", T, P, None, pubs))
    assert fit.split.label == HELD_OUT_BY_PUBLICATION
    assert np.array_equal(fit.split.test, shifted)
    s = fit.statistics
    assert s["n_points"] == shifted.sum()
    assert 4.5 < s["aad_percent"] < 5.5  # the +5 % shows up, it is not fitted away


@pytest.mark.component
def test_uncertainties_weight_the_fit():
    """Two interleaved publications 1.5 % apart: the fit follows the precise one."""
    c = constants_for("propyl acetate")
    T = np.linspace(0.5, 0.9, 24) * c.Tc
    pubs = np.where(np.arange(T.size) % 2 == 0, "precise", "rough")
    clean = _clean_psat(c, T)
    P = np.where(pubs == "rough", 1.015 * clean, clean)
    u = np.where(pubs == "rough", 0.03, 0.0005) * P
    grid = np.linspace(0.52, 0.88, 40) * c.Tc

    def error(uncertainty):
        from propkg.measured_fit import predict

        fit = fit_property(c, PropertyData("pressure_sat_comp", T, P, uncertainty, pubs))
        pred = predict(c, "psat", fit.params, fit.setting, grid)
        return np.mean(np.abs(pred / _clean_psat(c, grid) - 1.0))

    assert error(u) < 2e-3
    assert error(None) > 4e-3  # without the uncertainties the fit sits between the two


@pytest.mark.unit
def test_holdout_rule():
    pubs = np.repeat([f"p{k}" for k in range(7)], [30, 5, 12, 8, 40, 3, 9])
    test = choose_test_publications(pubs)
    assert test and choose_test_publications(pubs[::-1]) == test
    share = np.isin(pubs, test).mean()
    assert TEST_FRACTION <= share <= 0.5
    assert len(set(pubs) - set(test)) >= 2
    split = plan_split(np.arange(pubs.size, dtype=float), pubs)
    assert not any((f & split.test).any() for f in split.folds)
    # a publication with most of the points is never the test set
    for big in ("a", "b", "c"):
        sizes = {"a": 2, "b": 2, "c": 2, big: 100}
        uneven = np.concatenate([[k] * n for k, n in sizes.items()])
        assert big not in choose_test_publications(uneven)
    two = plan_split(np.arange(10.0), np.repeat(["a", "b"], 5))
    assert two.label == K_FOLD_LABEL and not two.test.any() and len(two.folds) == 5


@pytest.mark.component
def test_source_and_uncertainty_columns_are_accepted_and_used(tmp_path):
    from propkg_cli.fit import read_measured_csv

    c = constants_for("propyl acetate")
    T, P, pubs = _synthetic(c, n_pubs=3, per_pub=8)
    u = np.full(T.size, "5.0", dtype=object)  # Pa
    u[::4] = ""  # empty: no uncertainty given for this row
    csv = _write_csv(
        tmp_path / "d.csv", T, P / 1e3, pubs, {"uncertainty_pressure_sat_comp [Pa]": u}
    )
    text = csv.read_text().replace(
        "pressure_sat_comp [Pa],source", "pressure_sat_comp [kPa],source"
    )
    csv.write_text(text)
    data = read_measured_csv(csv)["pressure_sat_comp"]
    assert np.allclose(data.y, P)
    assert np.isnan(data.uncertainty[0]) and data.uncertainty[1] == 5.0
    assert sorted(set(data.publication)) == sorted(set(pubs))


@pytest.mark.unit
@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ({"uncertainty_viscosity [Pa*s]": 1.0}, r"unknown column\(s\) \['uncertainty_viscosity'\]"),
        ({"uncertainty_pressure_sat_comp [atm]": 1.0}, "units 'atm'"),
        ({"uncertainty_pressure_sat_comp [Pa]": -1.0}, "values <= 0"),
        ({"source": ""}, "empty 'source'"),
        ({"comment": "x"}, "has no units"),
    ],
)
def test_bad_measured_csv_gives_one_line_error(tmp_path, capsys, extra, match):
    c = constants_for("propyl acetate")
    T = np.linspace(300, 400, 6)
    csv = _write_csv(
        tmp_path / "bad.csv",
        T,
        backbone(c, "psat", T),
        None,
        {k: [v] * T.size for k, v in extra.items()},
    )
    assert main(["fit", "propyl acetate", str(csv), "-o", str(tmp_path / "x.onnx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("propkg fit: error:") and len(err.strip().splitlines()) == 1
    assert re.search(match, err)


@pytest.mark.unit
def test_unwritable_output_fails_before_fitting_and_input_is_unchanged(tmp_path, capsys):
    c = constants_for("propyl acetate")
    T, P, pubs = _synthetic(c, n_pubs=3, per_pub=6)
    csv = _write_csv(tmp_path / "d.csv", T, P, pubs)
    digest = hashlib.sha256(csv.read_bytes()).hexdigest()
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert main(["fit", "propyl acetate", str(csv), "-o", str(blocker / "m.onnx")]) == 2
    captured = capsys.readouterr()
    assert "cannot be written" in captured.err and "[1/4]" not in captured.out
    assert main(["fit", "propyl acetate", str(csv), "-o", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["fit", "propyl acetate", str(csv), "-o", str(tmp_path / "ok.onnx")]) == 0
    assert hashlib.sha256(csv.read_bytes()).hexdigest() == digest


@pytest.mark.unit
@pytest.mark.parametrize("sizes", [(5, 5), (2, 12), (12, 2)])
def test_two_publication_rule_is_opt_in(sizes):
    """With min_publications=2, exactly two publications: the first in sha256 order is the
    test one unless it holds more than half the points; the settings folds are temperature
    blocks of the other, then the two wide extrapolation folds (lowest and highest 40 %).
    Three or more publications split as before."""
    pubs = np.repeat(["a", "b"], sizes)
    T = np.linspace(300.0, 400.0, pubs.size)[::-1]
    first, second = sorted("ab", key=lambda p: hashlib.sha256(p.encode()).hexdigest())
    expected = first if sizes["ab".index(first)] <= 0.5 * pubs.size else second
    split = plan_split(T, pubs, min_publications=2)
    assert split.label == HELD_OUT_ONE_OF_TWO and split.test_publications == [expected]
    assert np.array_equal(split.test, pubs == expected)
    assert not any((f & split.test).any() for f in split.folds)
    n_blocks = min(5, int((~split.test).sum()))
    blocks, wide = split.folds[:n_blocks], split.folds[n_blocks:]
    assert sum(int(b.sum()) for b in blocks) == int((~split.test).sum())
    assert np.array_equal(np.logical_or.reduce(blocks), pubs != expected)
    assert len(wide) == (2 if n_blocks == 5 else 0)
    if wide:  # lowest and highest two blocks, 40 % of the training points each
        assert np.array_equal(wide[0], blocks[0] | blocks[1])
        assert np.array_equal(wide[1], blocks[-2] | blocks[-1])
        assert T[wide[0]].max() < T[wide[1]].min()
    assert plan_split(T, pubs).label == K_FOLD_LABEL  # the default is unchanged
    three = np.repeat(["a", "b", "c"], 4)
    T3 = np.arange(12.0)
    old, new = plan_split(T3, three), plan_split(T3, three, min_publications=2)
    assert new.label == old.label == HELD_OUT_BY_PUBLICATION
    assert np.array_equal(new.test, old.test)
    assert all(np.array_equal(x, y) for x, y in zip(new.folds, old.folds, strict=True))


@pytest.mark.component
def test_backbone_alone_is_chosen_when_no_correction_validates():
    """Points scattered (0.3 %, no trend) about Ambrose-Walton: no correction beats the
    backbone on the validation folds, so the fit is the backbone (zero parameters) and its
    held-out error is the backbone's; with the planted 3 % deviation a correction is chosen
    and beats the backbone on the test publications."""
    c = constants_for("propyl acetate")
    T, _, pubs = _synthetic(c, n_pubs=4, per_pub=8)
    noise = 1.0 + 3e-3 * np.random.default_rng(7).standard_normal(T.size)
    flat = fit_property(c, PropertyData("pressure_sat_comp", T, backbone(c, "psat", T) * noise,
                                        None, pubs))
    assert flat.setting.get("backbone") and not np.any(flat.params)
    stats = flat.statistics
    assert stats["aad_percent"] == pytest.approx(stats["backbone_aad_percent"], rel=1e-12)
    P = _clean_psat(c, T) * noise
    trend = fit_property(c, PropertyData("pressure_sat_comp", T, P, None, pubs))
    assert not trend.setting.get("backbone")
    assert trend.statistics["aad_percent"] < 0.5 * trend.statistics["backbone_aad_percent"]


@pytest.mark.integration
def test_a_fit_whose_psat_falls_with_temperature_is_not_admissible():
    """ThermoML camphene (357-433 K): the setting that validates best (two tanh units,
    weak penalty) turns ln Psat over above the data (it shipped so: 9e8 Pa at 500 K). It is
    rejected; the chosen fit rises up to the critical point and at 500 K lies within 25 %
    of thermo's Antoine (WebBook) extrapolation, an independent correlation."""
    from thermo import VaporPressure

    from propkg.measured import load_pure_vapor_pressure
    from propkg.measured_fit import predict, psat_decreasing_at
    from propkg.zoo.measured_payload import fitted_points

    c = constants_for("79-92-5")
    T, P, src = fitted_points(load_pure_vapor_pressure("79-92-5"), "pressure [Pa]", c.Tc)
    fit = fit_property(c, PropertyData("pressure_sat_comp", T, P, None, src),
                       min_publications=2)
    assert any("falls with T" in r.get("rejected", "") for r in fit.selection)
    assert psat_decreasing_at(c, fit.params, fit.setting, T.min()) is None
    grid = np.linspace(T.min(), 0.99 * c.Tc, 2000)
    assert np.all(np.diff(np.log(predict(c, "psat", fit.params, fit.setting, grid))) > 0)
    antoine = VaporPressure(CASRN="79-92-5")
    antoine.method = "ANTOINE_WEBBOOK"
    p500 = float(predict(c, "psat", fit.params, fit.setting, np.array([500.0]))[0])
    assert p500 == pytest.approx(antoine.calculate(500.0, "ANTOINE_WEBBOOK"), rel=0.25)
