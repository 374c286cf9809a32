"""Checks and conversions shared by the image metrics.

Every metric in :mod:`semcom.metrics` takes image batches ``[N, C, H, W] float32 in [0, 1]``
with ``C`` = 1 (grey) or 3 (RGB). A wrong shape, dtype or range is a user mistake and raises a
one-line :class:`~semcom.errors.SemcomError`.
"""

from __future__ import annotations

import torch

from semcom.errors import SemcomError

#: values this far outside [0, 1] are accepted (float round-off from decoders) and clamped
RANGE_TOLERANCE = 1e-4


def check_images(x: torch.Tensor, name: str = "images") -> torch.Tensor:
    """Validate an image batch and return it as float32, clamped to [0, 1].

    x: [N, C, H, W] floating point in [0, 1], C in {1, 3}.
    """
    if not isinstance(x, torch.Tensor):
        raise SemcomError(f"{name} must be a torch.Tensor [N, C, H, W], got {type(x).__name__}")
    if x.ndim != 4:
        raise SemcomError(f"{name} must have shape [N, C, H, W], got {list(x.shape)}")
    if x.shape[1] not in (1, 3):
        raise SemcomError(f"{name} must have 1 or 3 channels (dim 1), got {x.shape[1]}")
    if not x.is_floating_point():
        raise SemcomError(
            f"{name} must be floating point in [0, 1], got {x.dtype} (divide uint8 by 255)"
        )
    if not torch.isfinite(x).all():
        raise SemcomError(f"{name} contain NaN or infinite values")
    if x.numel() and (x.min() < -RANGE_TOLERANCE or x.max() > 1 + RANGE_TOLERANCE):
        lo, hi = float(x.min()), float(x.max())
        raise SemcomError(f"{name} must lie in [0, 1], got values in [{lo:.4g}, {hi:.4g}]")
    return x.float().clamp(0.0, 1.0)


def check_pair(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate two batches that are compared image by image (same shape).

    a, b: [N, C, H, W] float in [0, 1].
    """
    a, b = check_images(a, "reference images"), check_images(b, "compared images")
    if a.shape != b.shape:
        raise SemcomError(f"image batches differ in shape: {list(a.shape)} vs {list(b.shape)}")
    return a, b


def to_rgb(x: torch.Tensor) -> torch.Tensor:
    """Grey images repeated to three channels; RGB returned unchanged.

    x: [N, 1 or 3, H, W] -> [N, 3, H, W].
    """
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x
