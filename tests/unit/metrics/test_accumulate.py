"""ImageMetrics: batch accumulation equals one-shot computation; set metrics and references."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from semcom.errors import SemcomError
from semcom.metrics.accumulate import ImageMetrics, ImageMetricsConfig
from semcom.metrics.frechet import frechet_distance, gaussian_stats
from semcom.metrics.pixel import psnr
from semcom.metrics.reference import ReferenceKey, cached_reference_features


class PixelStats:
    """Stand-in for the Inception: 4 summary statistics per image (fast, deterministic)."""

    backbone = "pixel-stats"
    dim = 4

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        flat = images.flatten(1)
        return torch.stack(
            [flat.mean(1), flat.std(1), flat.amax(1), (flat > 0.5).float().mean(1)], 1
        )


def _pairs(seed: int, n: int = 12):
    gen = torch.Generator().manual_seed(seed)
    ref = torch.rand(n, 3, 16, 16, generator=gen)
    est = (ref + 0.05 * torch.randn(ref.shape, generator=gen)).clamp(0, 1)
    return ref, est


def test_accumulating_batches_equals_one_shot():
    ref, est = _pairs(0)
    whole = ImageMetrics(("psnr", "ssim", "fid"), inception=PixelStats())
    whole.update(ref, est)
    batched = ImageMetrics(("psnr", "ssim", "fid"), inception=PixelStats())
    for i in range(0, 12, 5):
        batched.update(ref[i : i + 5], est[i : i + 5])
    a, b = whole.compute(), batched.compute()
    assert a.keys() == b.keys() and a["n_images"] == b["n_images"] == 12
    for key in ("psnr", "ssim", "fid"):
        assert a[key] == pytest.approx(b[key], rel=1e-6)
    assert a["psnr"] == pytest.approx(float(psnr(ref, est).mean()), rel=1e-6)
    assert a["fid_backbone"] == "pixel-stats"


def test_fid_is_the_frechet_distance_of_the_two_feature_sets_and_zero_against_itself():
    ref, est = _pairs(1)
    meter = ImageMetrics(("fid",), inception=PixelStats())
    meter.update(ref, est)
    extractor = PixelStats()
    want = frechet_distance(
        gaussian_stats(extractor(ref), "pixel-stats"), gaussian_stats(extractor(est), "pixel-stats")
    )
    assert meter.compute()["fid"] == pytest.approx(want, rel=1e-9)
    meter.reset()
    meter.update(ref, ref)
    assert meter.compute()["fid"] == pytest.approx(0.0, abs=1e-9)


def test_multi_view_batches_are_flattened():
    ref, est = _pairs(2)
    flat = ImageMetrics(("psnr",))
    flat.update(ref, est)
    views = ImageMetrics(("psnr",))
    views.update(ref.view(3, 4, 3, 16, 16), est.view(3, 4, 3, 16, 16))
    assert views.compute() == flat.compute()


def test_cached_reference_replaces_the_passed_references(isolated_cache):
    real = torch.randint(
        0, 256, (6, 2, 3, 16, 16), dtype=torch.uint8, generator=torch.Generator().manual_seed(3)
    )
    reference = cached_reference_features(
        PixelStats(), ReferenceKey("toy", "test", 16, 6, 0), real, ("a", "b"), progress=False
    )
    ref, est = _pairs(4)
    config = ImageMetricsConfig(metrics=("fid", "kid"), kid_subset_size=5, kid_num_subsets=4)
    meter = ImageMetrics(config, inception=PixelStats(), references=[reference])
    meter.update(ref, est)
    got = meter.compute(generator=torch.Generator().manual_seed(0))
    want = frechet_distance(reference.stats(), gaussian_stats(PixelStats()(est), "pixel-stats"))
    assert got["fid"] == pytest.approx(want, rel=1e-9)
    assert got["fid_n_reference"] == 12 and got["kid_subset_size"] == 5
    assert np.isfinite(got["kid"]) and got["kid_backbone"] == "pixel-stats"


def test_bad_choices_raise_one_line_errors():
    with pytest.raises(SemcomError, match="unknown metric 'mse'; allowed: psnr, ssim, lpips"):
        ImageMetrics(("psnr", "mse"))
    with pytest.raises(SemcomError, match="needs a classifier"):
        ImageMetrics(("fd_clf",))
    with pytest.raises(SemcomError, match="kid_subset_size is too small"):
        ImageMetricsConfig(metrics=("kid",), kid_subset_size=1)
    with pytest.raises(SemcomError, match="no images accumulated"):
        ImageMetrics(("psnr",)).compute()


def test_missing_inception_weights_name_the_fetch_command(empty_cache):
    with pytest.raises(SemcomError, match="semcom assets fetch"):
        ImageMetrics(("psnr", "fid"))
