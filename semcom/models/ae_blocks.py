"""Building blocks of the ``"resnet"`` per-view autoencoder (:mod:`semcom.models.autoencoder`).

Encoder ``[N, C, H, W] -> [N, D]``::

    conv3x3(C -> w0)
    for each stage i:  blocks x ResBlock(w_i), conv3x3 stride 2 (w_i -> w_{i+1})   # H -> ceil(H/2)
    blocks x ResBlock(w_last), GroupNorm, SiLU, flatten, Linear(w_last s^2 -> D)

Decoder ``[N, D] -> [N, C, H, W]`` mirrors it::

    Linear(D -> w_last s^2), unflatten, blocks x ResBlock(w_last)
    for each stage, deepest first: resize (nearest) to the encoder's size, conv3x3, blocks x ResBlock
    GroupNorm, SiLU, conv3x3(w0 -> C)                                    # linear output

Upsampling is nearest-neighbour resizing then a 3x3 conv (Odena et al. 2016, "Deconvolution and
checkerboard artifacts"): every output pixel sees the same number of kernel taps, so there is no
checkerboard. The resize lands on the encoder's exact sizes (e.g. 4 -> 7 -> 14 -> 28 for
polymnist). The last conv of each residual branch starts at zero, so every block starts as the
identity (as in Goyal et al. 2017's zero-init of the last BatchNorm).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class ResBlock(nn.Module):
    """x + conv(SiLU(GN(conv(SiLU(GN(x)))))) at constant width. [N, W, H, W'] -> same shape."""

    def __init__(self, width: int, groups: int) -> None:
        super().__init__()
        self.branch = nn.Sequential(
            nn.GroupNorm(groups, width),
            nn.SiLU(),
            nn.Conv2d(width, width, 3, padding=1),
            nn.GroupNorm(groups, width),
            nn.SiLU(),
            nn.Conv2d(width, width, 3, padding=1),
        )
        nn.init.zeros_(self.branch[-1].weight)
        nn.init.zeros_(self.branch[-1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.branch(x)


class ResizeConv(nn.Module):
    """Nearest-neighbour resize to ``size`` x ``size``, then a 3x3 conv. [N, Ci, h, h] -> [N, Co, size, size]."""

    def __init__(self, c_in: int, c_out: int, size: int) -> None:
        super().__init__()
        self.size = size
        self.conv = nn.Conv2d(c_in, c_out, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.interpolate(x, size=(self.size, self.size), mode="nearest"))


def _blocks(width: int, blocks: int, groups: int) -> list[nn.Module]:
    return [ResBlock(width, groups) for _ in range(blocks)]


def resnet_encoder(
    channels: int,
    latent_dim: int,
    widths: tuple[int, ...],
    sizes: tuple[int, ...],
    *,
    blocks: int,
    groups: int,
    spatial: bool = False,
) -> nn.Sequential:
    """[N, C, H, W] float -> [N, D]. ``widths``: one stride-2 stage each; ``sizes``: the
    feature-map side before the first and after each stage (e.g. (32, 16, 8, 4)).
    spatial: the latent is a 1x1 conv to D / s^2 channels on the last s x s map, flattened
    (each value describes its own patch of the view); otherwise a Linear of the whole map."""
    w = (widths[0], *widths)
    side = sizes[-1]
    layers: list[nn.Module] = [nn.Conv2d(channels, w[0], 3, padding=1)]
    for c_in, c_out in zip(w[:-1], w[1:], strict=True):
        layers += [*_blocks(c_in, blocks, groups), nn.Conv2d(c_in, c_out, 3, stride=2, padding=1)]
    layers += [*_blocks(w[-1], blocks, groups), nn.GroupNorm(groups, w[-1]), nn.SiLU()]
    if spatial:
        layers += [nn.Conv2d(w[-1], latent_dim // side**2, 1), nn.Flatten()]
    else:
        layers += [nn.Flatten(), nn.Linear(w[-1] * side * side, latent_dim)]
    return nn.Sequential(*layers)


def resnet_decoder(
    channels: int,
    latent_dim: int,
    widths: tuple[int, ...],
    sizes: tuple[int, ...],
    *,
    blocks: int,
    groups: int,
    spatial: bool = False,
) -> nn.Sequential:
    """[N, D] -> [N, C, H, W] float (unclamped, linear output); arguments as the encoder's."""
    w = (widths[0], *widths)
    side = sizes[-1]
    if spatial:
        head: list[nn.Module] = [
            nn.Unflatten(1, (latent_dim // side**2, side, side)),
            nn.Conv2d(latent_dim // side**2, w[-1], 3, padding=1),
        ]
    else:
        head = [nn.Linear(latent_dim, w[-1] * side**2), nn.Unflatten(1, (w[-1], side, side))]
    layers: list[nn.Module] = [*head, *_blocks(w[-1], blocks, groups)]
    for k in range(len(widths), 0, -1):
        layers += [ResizeConv(w[k], w[k - 1], sizes[k - 1]), *_blocks(w[k - 1], blocks, groups)]
    layers += [nn.GroupNorm(groups, w[0]), nn.SiLU(), nn.Conv2d(w[0], channels, 3, padding=1)]
    return nn.Sequential(*layers)
