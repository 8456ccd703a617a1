"""The one fitting recipe the trainers share: L2 logistic regression, held-out scores by article-grouped folds."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

__all__ = ["fit_grouped"]

FOLDS = 5


def fit_grouped(x: np.ndarray, y: np.ndarray, weights: np.ndarray, groups: list[str],
                c: float) -> tuple[np.ndarray, LogisticRegression]:
    """Each row's probability from a model that never saw its group (five folds), and the model fitted on all.

    Fixed seed, so the same data give the same weights.
    """
    held = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
        fold = LogisticRegression(C=c, max_iter=3000, random_state=0).fit(x[train], y[train],
                                                                          sample_weight=weights[train])
        held[test] = fold.predict_proba(x[test])[:, 1]
    return held, LogisticRegression(C=c, max_iter=3000, random_state=0).fit(x, y, sample_weight=weights)
