"""Object-aware fidelity: PSNR and CIEDE2000 colour error over the pixels that show the object.

Most of a rendered view is uniform background (79 % of an mvshapes view is white), so
whole-image PSNR stays high while the object itself loses its colour. These metrics look only
at the *object pixels* of the true view: those whose colour differs from the dataset's
background colour by more than :data:`FOREGROUND_THRESHOLD` in some channel. For a white
background that is "any channel below 0.9".

* :func:`psnr_fg`: ``10 log10(1 / MSE)`` with the MSE over the object pixels (all channels).
* :func:`delta_e`: the mean CIEDE2000 colour difference (Sharma et al. 2005, scikit-image's
  ``deltaE_ciede2000``, sRGB -> CIELAB under D65) over the object pixels. A difference of about
  2 is just noticeable; above 10 the colours are plainly different.

Images are ``[N, C, H, W] float32 in [0, 1]``; both return one value per image, NaN for an image
with no object pixel (averages skip them). Grey images are compared as grey RGB.
"""

from __future__ import annotations

import numpy as np
import torch

from semcom.errors import SemcomError
from semcom.metrics.images import check_pair, to_rgb
from semcom.metrics.pixel import PSNR_CAP_DB

#: a pixel is part of the object when some channel differs from the background by more than this
FOREGROUND_THRESHOLD = 0.1

#: the object-aware metrics (they need the dataset's background colour)
OBJECT_METRICS = ("psnr_fg", "delta_e")


def check_background(background: tuple[float, ...] | None, channels: int) -> torch.Tensor:
    """The background colour as a [C] tensor; a one-line error when there is none or it does
    not fit the images."""
    if background is None:
        raise SemcomError(
            "psnr_fg and delta_e need a uniform background colour, and this dataset has none "
            "(its views are photographs or textured); use psnr, ssim or lpips instead"
        )
    colour = torch.as_tensor(background, dtype=torch.float32)
    if colour.ndim != 1 or colour.numel() not in (1, channels):
        raise SemcomError(
            f"background colour {tuple(background)} does not fit images with {channels} channels"
        )
    if (colour < 0).any() or (colour > 1).any():
        raise SemcomError(f"background colour {tuple(background)} must lie in [0, 1]")
    return colour.expand(channels)


def foreground_mask(reference: torch.Tensor, background: tuple[float, ...]) -> torch.Tensor:
    """Object pixels of the true views. reference: [N, C, H, W] in [0, 1] -> [N, H, W] bool."""
    colour = check_background(background, reference.shape[1])
    distance = (reference - colour[None, :, None, None]).abs().amax(dim=1)
    return distance > FOREGROUND_THRESHOLD


def psnr_fg(
    reference: torch.Tensor, estimate: torch.Tensor, background: tuple[float, ...]
) -> torch.Tensor:
    """PSNR over the object pixels of ``reference``, in dB, data range 1.

    reference, estimate: [N, C, H, W] float32 in [0, 1]. Returns [N] float32 (NaN where the true
    view has no object pixel; capped at 100 dB for an exact copy, as :func:`~semcom.metrics.psnr`).
    """
    reference, estimate = check_pair(reference, estimate)
    mask = foreground_mask(reference, background)  # [N, H, W]
    sq = ((reference - estimate) ** 2).sum(dim=1).double()  # [N, H, W], summed over channels
    count = mask.sum(dim=(1, 2)) * reference.shape[1]
    mse = (sq * mask).sum(dim=(1, 2)) / count.clamp(min=1)
    values = (-10 * torch.log10(mse.clamp(min=10 ** (-PSNR_CAP_DB / 10)))).float()
    return torch.where(count > 0, values, torch.nan)


def delta_e(
    reference: torch.Tensor, estimate: torch.Tensor, background: tuple[float, ...]
) -> torch.Tensor:
    """Mean CIEDE2000 colour difference over the object pixels of ``reference``.

    reference, estimate: [N, C, H, W] float32 in [0, 1] (sRGB). Returns [N] float32 >= 0
    (0 for an exact copy; NaN where the true view has no object pixel).
    """
    from skimage.color import deltaE_ciede2000, rgb2lab

    reference, estimate = check_pair(reference, estimate)
    mask = foreground_mask(reference, background).numpy()  # [N, H, W]

    def lab(x: torch.Tensor) -> np.ndarray:
        return rgb2lab(to_rgb(x).permute(0, 2, 3, 1).double().numpy(), channel_axis=-1)

    diff = deltaE_ciede2000(lab(reference), lab(estimate), channel_axis=-1)  # [N, H, W]
    count = mask.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(count > 0, (diff * mask).sum(axis=(1, 2)) / count, np.nan)
    return torch.from_numpy(values).float()


#: each object-aware metric's per-image function (reference, estimate, background) -> [N]
OBJECT_METRIC_FUNCTIONS = {"psnr_fg": psnr_fg, "delta_e": delta_e}
