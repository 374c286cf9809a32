import pytest
import torch

from semcom.data.base import DatasetInfo, MultiViewDataset
from semcom.evaluate import copy_nearest, fid_slot_generator, one_view_each, random_observed
from semcom.models.imputer import Imputer


def test_random_observed_has_k_views_per_row_and_is_seeded():
    g = lambda: torch.Generator().manual_seed(3)  # noqa: E731
    mask = random_observed(1000, 4, 2, g())
    assert (mask.sum(1) == 2).all()
    assert torch.equal(mask, random_observed(1000, 4, 2, g()))
    share = mask.float().mean(0)
    assert torch.allclose(share, torch.full((4,), 0.5), atol=0.07)


def test_copy_nearest_takes_the_closest_azimuth_with_ties_to_the_lower_index():
    views = torch.arange(4.0).reshape(1, 4, 1, 1, 1).expand(2, 4, 1, 2, 2).clone()
    observed = torch.tensor([[True, False, False, False], [False, True, False, True]])
    out = copy_nearest(views, observed)[:, :, 0, 0, 0]
    assert out[0].tolist() == [0, 0, 0, 0]  # only view 0 known
    # view 0 is 1 step from views 1 and 3 (circular): tie -> view 1; view 2 likewise -> 1
    assert out[1].tolist() == [1, 1, 1, 3]


def test_table_rows_cover_every_method_and_observed_count(isolated_cache):
    import math

    from semcom.evaluate import EvaluateConfig, evaluate_imputer
    from tests.unit.system.test_schemes import tiny_imputer

    rows = evaluate_imputer(tiny_imputer(), EvaluateConfig(n=4, batch_size=4, lpips=False, mean_objects=8), progress=False)
    keys = {(r["method"], r["observed_views"]) for r in rows}
    assert keys == {(m, k) for m in ("mvld", "copy_nearest", "mean_image") for k in (1, 2, 3)} | {("reconstruction", 4)}
    for r in rows:
        assert 0.0 <= r["coherence"] <= 1.0 and math.isfinite(r["psnr"])
        assert r["n_images"] == (4 * 4 if r["method"] == "reconstruction" else 4 * (4 - r["observed_views"]))
    assert all(r["nfe"] > 0 for r in rows if r["method"] == "mvld")


class _PooledPixels:
    """A cheap stand-in for Inception: 4x4 average-pooled pixels as features."""

    backbone = "pooled-pixels"
    dim = 48

    def __call__(self, images):
        return torch.nn.functional.adaptive_avg_pool2d(images, 4).flatten(1)


class _Oracle:
    """Imputes the true views; its autoencoder is the identity."""

    def encode(self, views):
        return views

    def decode(self, latents):
        return latents

    def impute(self, views, observed, generator):
        return views.clone()


def test_fid_rows_compare_equal_slots_and_copied_features_match_copied_images(isolated_cache):
    from semcom.data import load_dataset
    from semcom.evaluate import EvaluateConfig, evaluate_imputer
    from semcom.metrics.frechet import frechet_distance_features

    n, extractor = 12, _PooledPixels()
    config = EvaluateConfig(n=n, batch_size=n, lpips=False, mean_objects=8, fid=True, inception=extractor)
    rows = {(r["method"], r["observed_views"]): r
            for r in evaluate_imputer(_Oracle(), config, method="oracle", progress=False)}
    # the true views' features are the test split's cached reference features
    assert list((isolated_cache / "metrics" / "reference").glob("*pooled-pixels*"))
    for k in (1, 2, 3):  # imputing the truth: zero distance, as is the identity "reconstruction"
        assert rows[("oracle", k)]["fid"] < 1e-6 and rows[("oracle", k)]["fid_recon"] < 1e-6
        assert rows[("oracle", k)]["kid"] < rows[("mean_image", k)]["kid"]
    assert rows[("reconstruction", 4)]["fid"] < 1e-6
    # copy_nearest's features are gathered from the true views' features: same value as
    # extracting the copied images themselves (the first batch's mask and FID slots, k = 1)
    views = load_dataset("mvshapes", "test", n=n, progress=False).images.float() / 255.0
    observed = random_observed(n, 4, 1, torch.Generator().manual_seed(0 * 1_000_003 + 0 * 101 + 1))
    slots = one_view_each(~observed, fid_slot_generator(0, 0, 1))
    assert (slots.sum(1) == 1).all() and not (slots & observed).any()
    copied = copy_nearest(views, observed)[slots]
    expected = frechet_distance_features(extractor(copied), extractor(views[slots]), extractor.backbone)
    assert abs(rows[("copy_nearest", 1)]["fid"] - expected) < 1e-6 * max(1.0, expected)
    assert rows[("copy_nearest", 1)]["fid"] > 1e-3
    assert rows[("mean_image", 1)]["fid"] > rows[("copy_nearest", 1)]["fid"]


def test_one_view_each_picks_uniformly_among_the_candidates():
    candidates = torch.tensor([[False, True, True, False]]).expand(3000, 4)
    picks = one_view_each(candidates, torch.Generator().manual_seed(0))
    assert (picks.sum(1) == 1).all() and not (picks & ~candidates).any()
    assert abs(picks[:, 1].float().mean().item() - 0.5) < 0.04  # 5 sigma of 3000 fair draws


def test_camera_accuracy_catches_a_copied_view(isolated_cache):
    """The oracle's imputed views are the real ones: its camera_acc is the bundled camera judge's
    accuracy on those real views; a copy of another view fills the slot with the wrong camera."""
    from semcom.data import load_dataset
    from semcom.evaluate import EvaluateConfig, evaluate_imputer, load_camera_judge

    n = 24
    config = EvaluateConfig(n=n, batch_size=n, lpips=False, mean_objects=8)
    rows = {(r["method"], r["observed_views"]): r
            for r in evaluate_imputer(_Oracle(), config, method="oracle", progress=False)}
    judge = load_camera_judge("mvshapes", 32)
    views = load_dataset("mvshapes", "test", n=n, progress=False).images.float() / 255.0
    right = judge.predict(views) == torch.arange(4)  # [n, 4]
    assert rows[("reconstruction", 4)]["camera_acc"] == pytest.approx(right.double().mean().item())
    observed = random_observed(n, 4, 1, torch.Generator().manual_seed(1))  # batch 0, k = 1
    assert rows[("oracle", 1)]["camera_acc"] == pytest.approx(right[~observed].double().mean().item())
    for k in (1, 2, 3):
        assert rows[("copy_nearest", k)]["camera_acc"] < rows[("oracle", k)]["camera_acc"] - 0.25
    assert load_camera_judge("polymnist", 99) is None  # none bundled: the column stays empty


def test_merging_into_an_older_table_keeps_other_methods_and_the_column_order():
    import pandas as pd

    from semcom.cli.evaluate import merge_table
    from semcom.evaluate import COLUMNS

    old_columns = [c for c in COLUMNS if c != "camera_acc"]
    old = pd.DataFrame([{c: 0.5 for c in old_columns} | {"method": m} for m in ("smvae", "mvld")])
    new = pd.DataFrame([{c: 0.9 for c in COLUMNS} | {"method": "mvld"}])
    merged = merge_table(old, new)
    assert list(merged.columns) == list(COLUMNS)
    assert merged["method"].tolist() == ["smvae", "mvld"]
    assert pd.isna(merged.loc[0, "camera_acc"]) and merged.loc[1, "camera_acc"] == 0.9


# -- known answers on a toy dataset: k = 0 .. V, an oracle, a constant imputer, reconstructions --

V, K = 3, 4  # views, classes
TOY = DatasetInfo("toy", "toy", ("a", "b", "c"), tuple("wxyz"), sizes=(16,), default_size=16)


def _toy(n=40):
    """Object i is class i % K; all its pixels are 60 * class + 10 (16 px: SSIM's window fits)."""
    labels = torch.arange(n) % K
    images = (labels * 60 + 10).to(torch.uint8)[:, None, None, None, None].expand(n, V, 3, 16, 16)
    return MultiViewDataset(images.contiguous(), labels, TOY, "test")


class _Brightness:
    """The toy data's class judge: an image's class is its brightness level."""

    def predict(self, x):
        return (x.mean(dim=(-3, -2, -1)) * 255 / 60).round().long().clamp(0, K - 1)


class _ToyOracle(Imputer):
    """Returns the true views (it reads the missing ones too); its reconstructions are exact."""

    num_views = V
    observed_output = "input"

    def impute(self, views, observed, generator):
        return views.clone()


class _Constant(Imputer):
    """Fills every missing view with class 0's image; with decoded observed views, every view."""

    num_views = V
    observed_output = "input"

    def impute(self, views, observed, generator):
        fill = torch.full_like(views, 10 / 255)
        if self.observed_output == "decoded":
            return fill
        return torch.where(observed[:, :, None, None, None], views, fill)


class _FirstViewTrue(_Constant):
    """View 0 true, the others class 0's image: only class-0 objects get one class throughout."""

    def impute(self, views, observed, generator):
        return torch.cat([views[:, :1], torch.full_like(views[:, 1:], 10 / 255)], dim=1)


class _NoReconstructions(Imputer):
    num_views = V

    def impute(self, views, observed, generator):
        return views.clone()


def _toy_rows(imputer, *, n=40, batch_size=40, observed_views=tuple(range(V + 1)), seed=0):
    from semcom.evaluate import EvaluateConfig, evaluate_imputer

    config = EvaluateConfig(n=n, seed=seed, batch_size=batch_size, observed_views=observed_views, baselines=False,
                            lpips=False, fd_clf=False, classifier=_Brightness(), test_split=_toy(n))
    return evaluate_imputer(imputer, config, method="toy", reconstruction=False, progress=False)


def test_oracle_is_perfect_on_every_observed_count():
    from semcom.evaluate import COLUMNS
    from semcom.metrics.pixel import PSNR_CAP_DB

    rows = _toy_rows(_ToyOracle())
    assert [(r["method"], r["observed_views"]) for r in rows] == [("toy", k) for k in range(V + 1)]
    assert all(set(COLUMNS) <= set(r) for r in rows)
    for r in rows:
        assert r["coherence"] == 1.0 and r["coherence_hits"] == r["coherence_trials"]
        assert r["psnr"] == PSNR_CAP_DB and r["ssim"] == pytest.approx(1.0, abs=1e-3) and r["n"] == 40
        assert r["camera_acc"] is None and r["psnr_fg"] is None  # no camera judge, no background
    # trials: objects for k = 0 (joint), missing views for 0 < k < V, all views for k = V
    assert [r["coherence_trials"] for r in rows] == [40, 80, 40, 120]
    assert [r["n_images"] for r in rows] == [120, 80, 40, 120]  # the judged views


def test_constant_imputer_scores_the_class_frequency_and_its_known_psnr():
    import math

    imputer = _Constant()
    by_k = {r["observed_views"]: r for r in _toy_rows(imputer, batch_size=16)}
    assert by_k[0]["coherence"] == 1.0  # joint coherence: all views agree (on class 0)
    assert by_k[1]["coherence"] == pytest.approx(1 / K)  # class 0 objects only
    assert by_k[V]["coherence"] == pytest.approx(1 / K)  # k = V judges the reconstructions
    assert imputer.observed_output == "input"  # restored after k = V
    # a class-c object's fill is off by 60 c / 255 at every pixel; class 0 is exact (capped)
    expected = (100.0 + sum(-20 * math.log10(60 * c / 255) for c in range(1, K))) / K
    for k in range(V + 1):
        assert by_k[k]["psnr"] == pytest.approx(expected, rel=1e-5)


def test_k0_is_joint_coherence_not_the_share_of_views_in_the_class():
    rows = _toy_rows(_FirstViewTrue(), observed_views=(0,))
    assert rows[0]["coherence"] == pytest.approx(1 / K)  # class-0 objects; per view it would be 1/2
    assert (rows[0]["coherence_hits"], rows[0]["coherence_trials"]) == (10, 40)


def test_same_seed_same_rows_and_one_line_errors():
    from semcom.errors import SemcomError

    assert _toy_rows(_Constant(), observed_views=(1, 2), seed=3) == _toy_rows(_Constant(), observed_views=(1, 2),
                                                                               seed=3)
    with pytest.raises(SemcomError, match=r"out of range; allowed: 0 \.\. 3"):
        _toy_rows(_Constant(), n=4, observed_views=(4,))
    with pytest.raises(SemcomError, match="no observed view count"):
        _toy_rows(_Constant(), n=4, observed_views=())
    with pytest.raises(SemcomError, match="cannot return reconstructions"):
        _toy_rows(_NoReconstructions(), n=4, observed_views=(1, V))
