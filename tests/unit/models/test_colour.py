"""The differentiable sRGB -> CIELAB conversion against scikit-image's."""

from __future__ import annotations

import torch
from skimage.color import rgb2lab

from semcom.models.colour import srgb_to_lab


def test_matches_scikit_image_on_random_colours_and_the_extremes():
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(2, 3, 3, 8, 8, generator=gen, dtype=torch.float64)
    x[0, 0, :, 0, 0] = 0.0  # black: the linear segment
    x[0, 0, :, 0, 1] = 1.0  # white: L* = 100, a* = b* = 0
    want = rgb2lab(x.movedim(-3, -1).numpy(), channel_axis=-1)
    got = srgb_to_lab(x).movedim(-3, -1).numpy()
    assert abs(got - want).max() < 1e-3
    assert abs(got[0, 0, 0, 1] - [100, 0, 0]).max() < 1e-2


def test_gradients_are_finite_everywhere_including_black_and_out_of_range():
    x = torch.tensor([0.0, 1e-6, 0.5, 1.0, 1.2, -0.1]).reshape(2, 3, 1, 1).repeat(1, 1, 2, 2)
    x.requires_grad_(True)
    srgb_to_lab(x).sum().backward()
    assert torch.isfinite(x.grad).all()
