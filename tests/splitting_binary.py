"""A binary g^E file whose liquid splits, for the liquid-stability tests.

The acetone/water hybrid fitted to 15 CoolProp bubble points
(:func:`propkg.mixtures.training.fit_pair`), the shipped file until acetone/water was
refitted on infinite-dilution data with the stability constraint: below about 330 K at
x_acetone 0.27-0.54 it predicts two liquids (acetone/water is miscible), which makes it the
test case for the checks that must flag such states. Written once per test process into a
temporary folder (removed at exit).
"""

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

PAIR = ("acetone", "water")


@functools.cache
def splitting_acetone_water() -> Path:
    """Path of the CoolProp-trained acetone/water file (spinodal below ~330 K)."""
    from propkg.mixtures.export import export_pair
    from propkg.mixtures.training import fit_pair

    folder = Path(tempfile.mkdtemp(prefix="propkg-split-"))
    atexit.register(shutil.rmtree, folder, True)
    return export_pair(fit_pair(PAIR), folder)
