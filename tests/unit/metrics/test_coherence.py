"""Coherence per number of observed views, with a predictor whose answers are known."""

from __future__ import annotations

import pytest
import torch

from semcom.errors import SemcomError
from semcom.metrics.coherence import CoherenceMeter, coherence_counts


def read_class(images: torch.Tensor) -> torch.Tensor:
    """A perfect 'classifier' for constant images of grey level class / 10."""
    return (images.mean(dim=(-3, -2, -1)) * 10).round().long()


def _views(classes: list[list[int]]) -> torch.Tensor:
    c = torch.tensor(classes, dtype=torch.float32) / 10
    return c[:, :, None, None, None].expand(-1, -1, 1, 4, 4).clone()


def test_fraction_of_generated_views_with_the_conditioning_class_per_observed_count():
    labels = torch.tensor([1, 2, 3, 4])
    views = _views(
        [
            [1, 1, 5, 1],  # 1 observed (view 0): generated 1, 5, 1 -> 2 / 3
            [2, 7, 7, 7],  # 1 observed: generated 7, 7, 7 -> 0 / 3
            [9, 3, 3, 3],  # 2 observed (views 1, 2): generated 9, 3 -> 1 / 2
            [4, 4, 4, 4],
        ]
    )  # 3 observed: generated view 3 -> 1 / 1
    observed = torch.tensor(
        [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [1, 1, 1, 0]], dtype=torch.bool
    )
    counts = coherence_counts(read_class, views, labels, observed)
    assert {k: (c.hits, c.trials) for k, c in counts.items()} == {1: (2, 6), 2: (1, 2), 3: (1, 1)}
    assert counts[1].value == pytest.approx(1 / 3)


def test_joint_generation_reports_agreement_across_views():
    views = _views([[3, 3, 3], [3, 1, 3]])
    observed = torch.zeros(2, 3, dtype=torch.bool)
    counts = coherence_counts(read_class, views, torch.tensor([0, 0]), observed)
    assert (counts[0].hits, counts[0].trials) == (1, 2)


def test_meter_pools_batches():
    meter = CoherenceMeter(read_class)
    obs = torch.tensor([[True, False]])
    meter.update(_views([[2, 2]]), torch.tensor([2]), obs)
    meter.update(_views([[2, 5]]), torch.tensor([2]), obs)
    meter.update(_views([[6, 6]]), torch.tensor([6]), obs)
    assert meter.compute() == {1: pytest.approx(2 / 3)}
    meter.reset()
    with pytest.raises(SemcomError, match="no samples"):
        meter.compute()


def test_bad_masks_are_rejected():
    views = _views([[1, 1]])
    with pytest.raises(SemcomError, match="every view observed"):
        coherence_counts(read_class, views, torch.tensor([1]), torch.ones(1, 2, dtype=torch.bool))
    with pytest.raises(SemcomError, match="bool mask"):
        coherence_counts(read_class, views, torch.tensor([1]), torch.ones(1, 2))
