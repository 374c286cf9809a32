"""PSNR and SSIM against their closed forms and scikit-image."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity

from semcom.errors import SemcomError
from semcom.metrics.pixel import PSNR_CAP_DB, psnr, ssim


def test_psnr_of_a_constant_offset_is_minus_20_log10_of_it():
    ref = torch.full((3, 3, 16, 16), 0.25)
    for d in (0.5, 0.1, 0.01):
        got = psnr(ref, ref + d)
        assert torch.allclose(got, torch.full((3,), -20 * math.log10(d)), atol=1e-4)


def test_psnr_is_per_image_and_capped_for_identical_images():
    gen = torch.Generator().manual_seed(0)
    ref = torch.rand(2, 1, 16, 16, generator=gen)
    est = ref.clone()
    est[1] = (est[1] + 0.1).clamp(0, 1)
    got = psnr(ref, est)
    assert got[0] == PSNR_CAP_DB
    mse = float(((est[1] - ref[1]) ** 2).mean())
    assert got[1].item() == pytest.approx(10 * math.log10(1 / mse), abs=1e-4)


def test_ssim_of_constant_images_is_the_luminance_term():
    # zero variance: contrast-structure term is C2 / C2 = 1, SSIM = (2ab + C1) / (a^2 + b^2 + C1)
    c1 = 0.01**2
    for a, b in ((0.2, 0.7), (0.5, 0.55), (0.9, 0.1)):
        got = ssim(torch.full((1, 3, 32, 32), a), torch.full((1, 3, 32, 32), b))
        want = (2 * a * b + c1) / (a * a + b * b + c1)
        assert got.item() == pytest.approx(want, rel=5e-4)  # float32 round-off in the variances


def test_ssim_agrees_with_scikit_image_and_is_one_for_identical_images():
    gen = torch.Generator().manual_seed(1)
    ref = torch.rand(2, 3, 48, 48, generator=gen)
    est = (ref + 0.1 * torch.randn(ref.shape, generator=gen)).clamp(0, 1)
    got = ssim(ref, est)
    want = [
        structural_similarity(
            ref[i].numpy(),
            est[i].numpy(),
            channel_axis=0,
            data_range=1.0,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
        )
        for i in range(2)
    ]
    # torchmetrics and scikit-image treat the borders differently: agree to ~1e-3
    assert np.allclose(got.numpy(), want, atol=3e-3)
    assert torch.allclose(ssim(ref, ref), torch.ones(2), atol=1e-5)


@pytest.mark.parametrize(
    ("ref", "est", "message"),
    [
        (torch.rand(3, 16, 16), torch.rand(3, 16, 16), r"\[N, C, H, W\]"),
        (torch.rand(1, 2, 16, 16), torch.rand(1, 2, 16, 16), "1 or 3 channels"),
        (torch.rand(1, 3, 16, 16) * 255, torch.rand(1, 3, 16, 16), r"\[0, 1\]"),
        (torch.zeros(1, 3, 16, 16, dtype=torch.uint8), torch.rand(1, 3, 16, 16), "floating point"),
        (torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 17), "differ in shape"),
        (torch.full((1, 3, 16, 16), float("nan")), torch.rand(1, 3, 16, 16), "NaN"),
    ],
)
def test_bad_inputs_raise_one_line_errors(ref, est, message):
    with pytest.raises(SemcomError, match=message):
        psnr(ref, est)


def test_ssim_refuses_images_smaller_than_its_window():
    with pytest.raises(SemcomError, match="at least 11x11"):
        ssim(torch.rand(1, 1, 8, 8), torch.rand(1, 1, 8, 8))
