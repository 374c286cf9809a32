"""Differentiable sRGB -> CIELAB (D65), for colour-aware training losses.

The same conversion as scikit-image's ``rgb2lab`` (IEC 61966-2-1 sRGB transfer curve, sRGB to
XYZ under D65, CIE 1976 L*a*b* with the linear segment below (6/29)^3), written in torch so a
loss on it back-propagates. A Euclidean distance in this space is the CIE76 colour difference;
CIEDE2000 (:func:`semcom.metrics.objects.delta_e`) refines it, so an L1 loss on L*a*b* weighs
colour errors much as the evaluation does, where an RGB loss lets a grey of the right lightness
pass for a saturated colour.
"""

from __future__ import annotations

import torch

#: sRGB (linear) -> XYZ, D65 (IEC 61966-2-1), rows X, Y, Z
_RGB_TO_XYZ = torch.tensor(
    [[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]]
)
#: the D65 white point (2 degree observer), as scikit-image uses it
_WHITE = torch.tensor([0.95047, 1.0, 1.08883])
_EPS = (6 / 29) ** 3


def srgb_to_lab(x: torch.Tensor) -> torch.Tensor:
    """x: [..., 3, H, W] sRGB in [0, 1] (values outside are clamped; a grey [..., 1, H, W] image
    is taken as R = G = B) -> [..., 3, H, W] L*a*b* (L* in [0, 100], a*, b* about [-128, 127])."""
    if x.shape[-3] == 1:
        x = x.expand(*x.shape[:-3], 3, *x.shape[-2:])
    x = x.clamp(0.0, 1.0)
    linear = torch.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055).clamp(min=1e-12) ** 2.4)
    matrix = (_RGB_TO_XYZ / _WHITE[:, None]).to(x)
    xyz = torch.einsum("ij,...jhw->...ihw", matrix, linear)
    f = torch.where(xyz > _EPS, xyz.clamp(min=_EPS) ** (1 / 3), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    fx, fy, fz = f.unbind(dim=-3)
    return torch.stack((116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)), dim=-3)
