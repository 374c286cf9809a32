"""Pixel-fidelity metrics: PSNR and SSIM, per image (torchmetrics' functional API).

Both take ``[N, C, H, W] float32 in [0, 1]`` (data range 1) and return one value per image,
so callers can average, take percentiles or keep per-view values.
"""

from __future__ import annotations

import torch
from torchmetrics.functional.image import (
    peak_signal_noise_ratio,
    structural_similarity_index_measure,
)

from semcom.errors import SemcomError
from semcom.metrics.images import check_pair

#: side of SSIM's Gaussian window; images must be at least this large
SSIM_WINDOW = 11

#: PSNR reported for a pixel-exact copy (MSE = 0 would give +inf)
PSNR_CAP_DB = 100.0


def psnr(reference: torch.Tensor, estimate: torch.Tensor) -> torch.Tensor:
    """Peak signal-to-noise ratio per image, in dB, data range 1.

    reference, estimate: [N, C, H, W] float32 in [0, 1].
    Returns [N] float32: 10 log10(1 / MSE_n), capped at :data:`PSNR_CAP_DB` for identical images.
    """
    reference, estimate = check_pair(reference, estimate)
    values = peak_signal_noise_ratio(
        estimate, reference, data_range=1.0, reduction="none", dim=(1, 2, 3)
    )
    return values.clamp(max=PSNR_CAP_DB).float()


def ssim(reference: torch.Tensor, estimate: torch.Tensor) -> torch.Tensor:
    """Structural similarity per image (Gaussian window 11, sigma 1.5, K = (0.01, 0.03)).

    reference, estimate: [N, C, H, W] float32 in [0, 1], H and W >= 11.
    Returns [N] float32 in [-1, 1] (channels averaged), 1 for identical images.
    """
    reference, estimate = check_pair(reference, estimate)
    if min(reference.shape[-2:]) < SSIM_WINDOW:
        raise SemcomError(
            f"SSIM needs images of at least {SSIM_WINDOW}x{SSIM_WINDOW} pixels, "
            f"got {reference.shape[-2]}x{reference.shape[-1]}"
        )
    values = structural_similarity_index_measure(
        estimate, reference, data_range=1.0, kernel_size=SSIM_WINDOW, sigma=1.5, reduction="none"
    )
    return values.float()
