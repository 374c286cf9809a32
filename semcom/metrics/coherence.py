"""Semantic coherence of generated views, per number of observed views.

Conditional coherence (MLD, MoPoE, DiMViDA): for a sample whose views ``observed`` were given,
the fraction of its generated (not observed) views that the view classifier assigns to the
sample's class. It is pooled over samples with the same number of observed views k, for
k = 1 .. V - 1. With k = 0 (joint generation) there is no conditioning class; the value reported
for k = 0 is the joint coherence: the fraction of samples whose generated views all get the
same predicted class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from semcom.errors import SemcomError

#: predict(images [..., C, H, W] in [0, 1]) -> classes [...] int64, e.g. ViewClassifier.predict
Predictor = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class CoherenceCount:
    """Hits over trials for one number of observed views.

    Trials are generated views (samples for k = 0).
    """

    hits: int
    trials: int

    @property
    def value(self) -> float:
        return self.hits / self.trials


def _check(views: torch.Tensor, labels: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
    if views.ndim != 5:
        raise SemcomError(f"views must be [B, V, C, H, W], got {list(views.shape)}")
    b, v = views.shape[:2]
    if labels.shape != (b,):
        raise SemcomError(f"labels must be [B] = [{b}], got {list(labels.shape)}")
    if observed.shape != (b, v) or observed.dtype != torch.bool:
        raise SemcomError(
            f"observed must be a bool mask [B, V] = [{b}, {v}], "
            f"got {observed.dtype} {list(observed.shape)}"
        )
    if observed.all(dim=1).any():
        raise SemcomError("a sample has every view observed: nothing generated to judge")
    return observed.sum(dim=1)


def coherence_counts(
    predict: Predictor,
    views: torch.Tensor,
    labels: torch.Tensor,
    observed: torch.Tensor,
) -> dict[int, CoherenceCount]:
    """Coherence hits and trials per number of observed views.

    views: [B, V, C, H, W] float32 in [0, 1] (observed views as given, the others generated);
    labels: [B] int64 class of each sample; observed: [B, V] bool, True where a view was given.
    """
    n_observed = _check(views, labels, observed)
    generated = ~observed
    predicted = predict(views)  # [B, V]
    counts: dict[int, CoherenceCount] = {}
    for k in sorted(set(n_observed.tolist())):
        rows = n_observed == k
        if k == 0:
            preds = predicted[rows]
            hits = int((preds == preds[:, :1]).all(dim=1).sum())
            counts[k] = CoherenceCount(hits, int(rows.sum()))
        else:
            correct = (predicted[rows] == labels[rows, None]) & generated[rows]
            counts[k] = CoherenceCount(int(correct.sum()), int(generated[rows].sum()))
    return counts


class CoherenceMeter:
    """Accumulates :func:`coherence_counts` over batches (update / compute / reset)."""

    def __init__(self, predict: Predictor) -> None:
        self.predict = predict
        self.reset()

    def reset(self) -> None:
        self._counts: dict[int, CoherenceCount] = {}

    def update(self, views: torch.Tensor, labels: torch.Tensor, observed: torch.Tensor) -> None:
        """views: [B, V, C, H, W] in [0, 1]; labels: [B] int64; observed: [B, V] bool."""
        for k, new in coherence_counts(self.predict, views, labels, observed).items():
            old = self._counts.get(k, CoherenceCount(0, 0))
            self._counts[k] = CoherenceCount(old.hits + new.hits, old.trials + new.trials)

    def compute(self) -> dict[int, float]:
        """Coherence per number of observed views {k: fraction in [0, 1]}."""
        if not self._counts:
            raise SemcomError("no samples accumulated: call update() before compute()")
        return {k: c.value for k, c in sorted(self._counts.items())}

    def counts(self) -> dict[int, CoherenceCount]:
        """The raw hits and trials behind :meth:`compute` (for confidence intervals)."""
        return dict(sorted(self._counts.items()))
