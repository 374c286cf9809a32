"""imputer_table against known answers: an oracle imputer, a constant one, reconstructions."""

import pytest
import torch

from semcom.data.base import DatasetInfo, MultiViewDataset
from semcom.errors import SemcomError
from semcom.models.imputer import Imputer
from semcom.models.peers.evaluate import COLUMNS, imputer_table

V, K = 3, 4  # views, classes
INFO = DatasetInfo("toy", "toy", ("a", "b", "c"), tuple("wxyz"), sizes=(4,), default_size=4)


def _dataset(n=40):
    labels = torch.arange(n) % K
    images = (labels * 60 + 10).to(torch.uint8)[:, None, None, None, None].expand(n, V, 3, 4, 4)
    return MultiViewDataset(images.contiguous(), labels, INFO, "test")


def predict(x):
    """The class is the image's brightness level (the toy data's construction)."""
    return (x.mean(dim=(-3, -2, -1)) * 255 / 60).round().long().clamp(0, K - 1)


class Oracle(Imputer):
    """Returns the true views (knows the data); reconstructions are exact too."""

    num_views = V
    observed_output = "input"

    def __init__(self, truth):
        self.truth = truth

    def impute(self, views, observed, generator):
        return self.truth[: len(views)].float() / 255.0


class Constant(Imputer):
    """Fills every missing view with class 0's image; decoded observed views too."""

    num_views = V
    observed_output = "input"

    def impute(self, views, observed, generator):
        fill = torch.full_like(views, 10 / 255)
        if self.observed_output == "decoded":
            return fill
        return torch.where(observed[:, :, None, None, None], views, fill)


def test_oracle_is_perfect_on_every_row():
    ds = _dataset()
    rows = imputer_table(
        Oracle(ds.images),
        ds,
        40,
        torch.Generator().manual_seed(0),
        predict=predict,
        batch_size=40,
        progress=False,
        method="oracle",
    )
    assert [r["observed_views"] for r in rows] == [0, 1, 2, 3]
    assert all(set(r) == set(COLUMNS) for r in rows)
    assert all(r["coherence"] == 1.0 and r["l1"] == 0.0 for r in rows)
    # trials: samples for k = 0, missing views for 0 < k < V, all views for k = V
    assert [r["coherence_trials"] for r in rows] == [40, 80, 40, 120]


def test_constant_imputer_scores_the_class_frequency():
    ds = _dataset()
    rows = imputer_table(
        Constant(),
        ds,
        40,
        torch.Generator().manual_seed(0),
        predict=predict,
        batch_size=16,
        progress=False,
    )
    by_k = {r["observed_views"]: r for r in rows}
    assert by_k[0]["coherence"] == 1.0  # joint coherence: all views agree (on class 0)
    assert by_k[1]["coherence"] == pytest.approx(1 / K)  # class 0 objects only
    assert by_k[3]["coherence"] == pytest.approx(1 / K)  # k = V judges the reconstructions
    assert by_k[1]["n"] == 40


def test_same_seed_same_rows_and_bad_counts():
    ds = _dataset()
    def run():
        return imputer_table(
            Constant(),
            ds,
            40,
            torch.Generator().manual_seed(3),  # noqa: E731
            predict=predict,
            progress=False,
            observed_counts=(1, 2),
        )
    a, b = run(), run()
    assert [{k: v for k, v in r.items() if k != "seconds"} for r in a] == [
        {k: v for k, v in r.items() if k != "seconds"} for r in b
    ]
    with pytest.raises(SemcomError, match="out of range"):
        imputer_table(
            Constant(),
            ds,
            4,
            torch.Generator(),
            predict=predict,
            observed_counts=(4,),
            progress=False,
        )
