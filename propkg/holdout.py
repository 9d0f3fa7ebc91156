"""Deterministic held-out splits of measured data by publication.

The rules (committed with the code, never tuned on the data they split):

**Test publications** (:func:`choose_test_publications`, needs >= :data:`MIN_PUBLICATIONS`
publications). Publications are ordered by the sha256 of their label (a fixed
pseudo-random order that does not depend on the data values); walking that order, a
publication is added to the test set while the test set holds fewer than
:data:`TEST_FRACTION` of the points, skipping any publication that would push the test
set above :data:`TEST_MAX_FRACTION` or leave fewer than two training publications. If the
walk ends below the fraction, the smallest skipped publications are added until it is
reached (still leaving two for training). At least one publication is always a test one
(the smallest, if every publication alone would exceed the maximum). The 20 % is therefore
a target: it is not met when it could only be met by testing on more than half of the
points or on all but one publication.

**Validation folds** for choosing settings (:func:`publication_folds`), on the training
publications only: leave-one-publication-out when there are at most :data:`MAX_FOLDS`
publications, else :data:`MAX_FOLDS` groups of publications dealt round-robin in the
sha256 order.

**Extrapolation folds**: with the publication folds, the lowest and the highest of
:data:`K_BLOCKS` temperature blocks of the training points are two more validation folds,
so that settings which extrapolate badly beyond the training range are not chosen
(added after the first campaign run, see ``validation/reports/measured_pure.md``).
With test publications (by publication, or one of two), two **wide extrapolation
folds** follow: the lowest and the highest :data:`WIDE_BLOCKS` of the :data:`K_BLOCKS`
blocks (40 % of the training points each), so that a correction which only interpolates
well is not chosen for test publications outside the fitted range (added after the zoo's
second campaign, ``validation/reports/zoo.md``: most catastrophic test errors were
extrapolations of one training publication).

**Fewer than three publications** (:func:`temperature_block_folds`): :data:`K_BLOCKS`
contiguous blocks of the points sorted by temperature; the error is then the k-fold error
over temperature blocks, labelled "not held out by publication".

**Two publications, opt-in** (``plan_split(..., min_publications=2)``, the zoo's rule from
its second campaign on, committed before those compounds were fitted): one publication is
the test one (:func:`one_of_two_test_publication`: the first in the sha256 order unless it
holds more than :data:`TEST_MAX_FRACTION` of the points, then the other), the other is
fitted, and the settings are chosen by :data:`K_BLOCKS`-fold over temperature blocks of
the training points (one training publication: no leave-one-publication-out), labelled
:data:`HELD_OUT_ONE_OF_TWO`. With three or more publications the rule above is unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from propkg_contract.errors import DataError

TEST_FRACTION = 0.2
TEST_MAX_FRACTION = 0.5
MIN_PUBLICATIONS = 3
MAX_FOLDS = 6
K_BLOCKS = 5
WIDE_BLOCKS = 2

HELD_OUT_BY_PUBLICATION = "held out by publication"
HELD_OUT_BY_ROLE = "held out by the file's role column (rows with role 'test')"
HELD_OUT_ONE_OF_TWO = (
    f"held out by publication (1 of 2 publications; settings by {K_BLOCKS}-fold over "
    "temperature blocks of the other)"
)
K_FOLD_LABEL = (
    f"{K_BLOCKS}-fold over temperature blocks, NOT held out by publication "
    f"(fewer than {MIN_PUBLICATIONS} publications)"
)


def publication_order(publications) -> list[str]:
    """Distinct publication labels in the fixed order of the sha256 of their UTF-8 text."""
    labels = sorted({str(p) for p in publications})
    return sorted(labels, key=lambda p: hashlib.sha256(p.encode("utf-8")).hexdigest())


def choose_test_publications(publications: np.ndarray) -> list[str]:
    """Test publications by the rule of the module docstring (per-point labels in)."""
    labels, counts = np.unique(np.asarray(publications, dtype=str), return_counts=True)
    n_of = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    total = int(counts.sum())
    order = publication_order(labels)
    test, skipped, n_test = [], [], 0
    for pub in order:
        if n_test >= TEST_FRACTION * total:
            break
        too_big = n_test + n_of[pub] > TEST_MAX_FRACTION * total
        if too_big or len(order) - len(test) - 1 < 2:
            skipped.append(pub)
            continue
        test.append(pub)
        n_test += n_of[pub]
    for pub in sorted(skipped, key=lambda p: (n_of[p], order.index(p))):
        fits = n_test + n_of[pub] <= TEST_MAX_FRACTION * total or not test
        if n_test >= TEST_FRACTION * total or len(order) - len(test) - 1 < 2:
            break
        if fits:
            test.append(pub)
            n_test += n_of[pub]
    return test


def one_of_two_test_publication(publications: np.ndarray) -> str:
    """The test publication of exactly two (per-point labels in; rule of the module docstring).

    Raises
    ------
    ValueError
        If the points do not come from exactly two publications.
    """
    labels, counts = np.unique(np.asarray(publications, dtype=str), return_counts=True)
    if labels.size != 2:
        raise ValueError(f"one_of_two_test_publication needs exactly 2 publications, got "
                         f"{labels.size}")
    n_of = dict(zip(labels.tolist(), counts.tolist(), strict=True))
    first, second = publication_order(labels)
    return first if n_of[first] <= TEST_MAX_FRACTION * counts.sum() else second


def publication_folds(publications: np.ndarray) -> list[np.ndarray]:
    """Boolean masks (over the given points) of the validation folds by publication."""
    pubs = np.asarray(publications, dtype=str)
    order = publication_order(pubs)
    n_folds = min(len(order), MAX_FOLDS)
    groups = [order[k::n_folds] for k in range(n_folds)]
    return [np.isin(pubs, g) for g in groups]


def temperature_block_folds(T: np.ndarray, k: int = K_BLOCKS) -> list[np.ndarray]:
    """Boolean masks of ``k`` contiguous temperature blocks (sorted by T, ties by index)."""
    T = np.asarray(T, dtype=float)
    order = np.argsort(T, kind="stable")
    masks = []
    for block in np.array_split(order, min(k, T.size)):
        mask = np.zeros(T.size, dtype=bool)
        mask[block] = True
        masks.append(mask)
    return masks


@dataclass
class Split:
    """Held-out split of the points of one property.

    Attributes
    ----------
    test : bool array
        Points of the test publications (empty selection in the k-fold case).
    folds : list of bool arrays
        Validation folds over ALL points (each a subset of ``~test``).
    label : str
        How the reported error is held out.
    test_publications : list of str
        Labels of the test publications (empty unless held out by publication).
    """

    test: np.ndarray
    folds: list[np.ndarray]
    label: str
    test_publications: list[str]

    @property
    def k_fold(self) -> bool:
        """True when the reported error is the k-fold error (no test rows)."""
        return not self.test.any()


def plan_split(T: np.ndarray, publications: np.ndarray | None, roles=None,
               min_publications: int = MIN_PUBLICATIONS) -> Split:
    """Split the points of one property: test rows, validation folds, label.

    Parameters
    ----------
    T : array
        Temperatures of the points, [K].
    publications : array of str or None
        Publication of each point (``source`` column); None if the file has none.
    roles : array of str or None
        ``role`` column; rows with role ``test`` are the test set and override the
        publication rule.
    min_publications : {3, 2}
        2 opts in to the two-publication rule (module docstring); with 3 (default) two
        publications give the k-fold error.
    """
    T = np.asarray(T, dtype=float)
    n = T.size
    if n == 0:
        raise DataError("no measured points left to split into training and test sets (all "
                        "of them removed before the fit: repeated, or at or above the "
                        "critical temperature); supply points below Tc")
    pubs = None if publications is None else np.asarray(publications, dtype=str)
    if roles is not None and np.any(np.asarray(roles) == "test"):
        test = np.asarray(roles) == "test"
        label, test_pubs = HELD_OUT_BY_ROLE, []
    elif pubs is not None and len(set(pubs.tolist())) >= MIN_PUBLICATIONS:
        test_pubs = choose_test_publications(pubs)
        test = np.isin(pubs, test_pubs)
        label = HELD_OUT_BY_PUBLICATION
    elif pubs is not None and min_publications <= 2 and len(set(pubs.tolist())) == 2:
        test_pubs = [one_of_two_test_publication(pubs)]
        test = np.isin(pubs, test_pubs)
        label = HELD_OUT_ONE_OF_TWO
    else:
        test, label, test_pubs = np.zeros(n, dtype=bool), K_FOLD_LABEL, []
    train = ~test
    folds = []
    by_publication = label != K_FOLD_LABEL and pubs is not None
    blocks = temperature_block_folds(T[train])
    if by_publication and len(set(pubs[train].tolist())) >= 2:
        masks = [*publication_folds(pubs[train]), blocks[0], blocks[-1]]
    else:
        masks = list(blocks)
    if by_publication and len(blocks) >= 2 * WIDE_BLOCKS + 1:
        masks += [np.logical_or.reduce(blocks[:WIDE_BLOCKS]),
                  np.logical_or.reduce(blocks[-WIDE_BLOCKS:])]
    for mask in masks:
        full = np.zeros(n, dtype=bool)
        full[np.flatnonzero(train)[mask]] = True
        folds.append(full)
    return Split(test=test, folds=folds, label=label, test_publications=test_pubs)
