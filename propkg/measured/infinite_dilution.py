"""Measured infinite-dilution activity coefficients (Brouwer et al. 2021 compilation).

The CSV ships with propkg (``propkg/data/brouwer2021/``, MIT licence in
``LICENSE``, sha256 in ``SHA256SUMS`` checked on load) and is read with
:mod:`propkg.data`. Its rows carry SMILES and T in degrees Celsius and no
publication of the original measurement, so the table cannot be split by publication: use
it for training or as a consistency check only, never as held-out test data.

Reference: T. Brouwer, S.R.A.M. Kersten, G. Bargeman, B. Schuur, Sep. Purif. Technol. 272
(2021) 118727, as redistributed in edgarsmdn/GH-GNN (``data/raw/Brouwer_2021.csv``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from propkg.data import BROUWER_DIR
from propkg.measured.identity import compound
from propkg_contract.errors import DataError
from propkg_contract.registry import sha256_of

T_COL, LNG_COL = "temperature [K]", "ln_act_coeff_inf [-]"
#: DOI of the compilation (the only source the rows have)
BROUWER_SOURCE = "10.1016/j.seppur.2021.118727"
BROUWER_CITATION = (
    "Brouwer, Kersten, Bargeman, Schuur, Sep. Purif. Technol. 272 (2021) 118727 "
    "(via edgarsmdn/GH-GNN, MIT licence)"
)


def brouwer_csv_path() -> Path:
    """Path of the shipped ``Brouwer_2021.csv``."""
    return BROUWER_DIR / "Brouwer_2021.csv"


@cache
def _brouwer_table():
    import pandas as pd

    path = brouwer_csv_path()
    expected = (path.parent / "SHA256SUMS").read_text(encoding="utf-8").split()[0]
    digest = sha256_of(path)
    if digest != expected:
        raise DataError(
            f"'{path}' has sha256 {digest}, SHA256SUMS says {expected}; reinstall propkg"
        )
    df = pd.read_csv(path)
    df.attrs["sha256"] = digest
    return df


IDENTITY_FILE = "smiles_identity.csv"


def build_smiles_identity(path: str | Path | None = None) -> Path:
    """Write the SMILES -> standard InChI -> CAS table of every Brouwer compound.

    The table's SMILES are not canonical, so they are converted to standard InChI with
    RDKit (optional dependency, ``pip install rdkit``; only needed to rebuild this file) and
    the InChI to CAS with ``chemicals``. The result ships next to the CSV, so loading needs
    no RDKit. Returns the path written (default: the shipped file).
    """
    import csv

    try:
        from rdkit import Chem, RDLogger
    except ImportError:
        raise DataError(
            "rebuilding the Brouwer identity table needs RDKit: pip install rdkit"
        ) from None
    RDLogger.DisableLog("rdApp.*")
    df = _brouwer_table()
    out = Path(path) if path is not None else brouwer_csv_path().parent / IDENTITY_FILE
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["smiles", "inchi", "cas"])
        for smi in sorted(set(df["Solute_SMILES"]) | set(df["Solvent_SMILES"])):
            mol = Chem.MolFromSmiles(smi)
            inchi = Chem.MolToInchi(mol) if mol is not None else ""
            cas = ""
            if inchi:
                try:
                    cas = compound(inchi).cas
                except DataError:
                    cas = ""
            writer.writerow([smi, inchi, cas])
    return out


@cache
def _smiles_identity() -> dict[str, tuple[str, str]]:
    """SMILES -> (standard InChI, CAS) of the shipped identity table."""
    import pandas as pd

    table = pd.read_csv(brouwer_csv_path().parent / IDENTITY_FILE, dtype=str).fillna("")
    rows = zip(table["smiles"], table["inchi"], table["cas"], strict=True)
    return {s: (i, c) for s, i, c in rows}


def _is(smiles: str, comp) -> bool:
    inchi, cas = _smiles_identity().get(smiles, ("", ""))
    return (bool(inchi) and inchi == comp.inchi) or (bool(cas) and cas == comp.cas)


def load_infinite_dilution(solute: str, solvent: str):
    """Measured ln(gamma_inf) of ``solute`` infinitely diluted in ``solvent``.

    Compounds are matched by standard InChI or CAS number through the shipped identity
    table (:func:`build_smiles_identity`).

    Returns
    -------
    pandas.DataFrame
        Columns ``temperature [K]`` (converted from deg C), ``ln_act_coeff_inf [-]``,
        ``source`` (the compilation's DOI; the original papers are not recorded). Provenance
        in ``attrs`` (``sha256``, ``citation``, ``held_out_by_publication`` = False).

    Raises
    ------
    DataError
        If a name is unknown or the compilation has no value for the system.
    """
    a, b = compound(solute), compound(solvent)
    df = _brouwer_table()
    solutes = [s for s in df["Solute_SMILES"].unique() if _is(s, a)]
    solvents = [s for s in df["Solvent_SMILES"].unique() if _is(s, b)]
    rows = df[df["Solute_SMILES"].isin(solutes) & df["Solvent_SMILES"].isin(solvents)]
    if rows.empty:
        raise DataError(
            f"Brouwer 2021 has no infinite-dilution activity coefficient of '{solute}' "
            f"(CAS {a.cas}) in '{solvent}' (CAS {b.cas})"
        )
    out = rows.assign(**{T_COL: rows["T"].astype(float) + 273.15,
                         LNG_COL: rows["log-gamma"].astype(float), "source": BROUWER_SOURCE})
    out = out[[T_COL, LNG_COL, "source"]].sort_values(T_COL).reset_index(drop=True)
    out.attrs.update({"sha256": df.attrs["sha256"], "citation": BROUWER_CITATION,
                      "table": "Brouwer_2021.csv", "held_out_by_publication": False,
                      "compounds": [a.name, b.name], "cas": [a.cas, b.cas]})
    return out
