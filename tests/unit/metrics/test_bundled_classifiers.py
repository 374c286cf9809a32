"""Acceptance of the bundled classifiers on the real test splits (builds the splits: slow)."""

from __future__ import annotations

import pytest
import torch

from semcom.metrics.classifier import load_classifier
from semcom.metrics.coherence import CoherenceMeter
from semcom.metrics.train_classifier import view_accuracy

#: issue 4 acceptance: accuracy on real test views
REQUIRED_ACCURACY = {"mvshapes": 0.95, "polymnist": 0.97}
BUNDLED = [("mvshapes", 32), ("mvshapes", 64), ("polymnist", 28)]


@pytest.mark.slow
@pytest.mark.parametrize(("dataset", "size"), BUNDLED)
def test_bundled_classifier_accuracy_on_real_test_views(dataset, size):
    from semcom.data import load_dataset

    model = load_classifier(dataset, size)
    test = load_dataset(dataset, "test", size=size, progress=False)
    per_view = view_accuracy(model, test.images, test.labels)
    assert float(per_view.mean()) >= REQUIRED_ACCURACY[dataset], dict(
        zip(test.view_names, per_view.tolist(), strict=True)
    )
    # coherence of real views given one observed view is the accuracy on the other views
    views, labels = test.batch(slice(0, 200))
    observed = torch.zeros(views.shape[:2], dtype=torch.bool)
    observed[:, 0] = True
    meter = CoherenceMeter(model.predict)
    meter.update(views, labels, observed)
    on_others = view_accuracy(model, test.images[:200], test.labels[:200])[1:].mean()
    assert meter.compute()[1] == pytest.approx(float(on_others), abs=1e-9)
