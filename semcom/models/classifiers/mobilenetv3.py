"""MobileNetV3 Small and Large (Howard et al., 2019) in plain PyTorch, with a small-input stem.

Block tables, squeeze-and-excitation widths (expanded / 4 rounded to a multiple of 8), the
last 1x1 convolution (6 x the last block width) and the two-layer head (1024 units for Small,
1280 for Large, hard-swish, dropout 0.2) follow the paper's Tables 1-2 as laid out by
torchvision, so with 1000 classes and ``small_input=False`` the parameter counts are
torchvision's: Small 2,542,856, Large 5,483,032.

Small-input adaptation (``small_input=True``, the default): the stride-2 stem convolution gets
stride 1, so the network's total stride is 16 instead of 32 and a 32x32 view ends in a 2x2 map
(not 1x1). No parameter changes. BatchNorm uses PyTorch's default momentum 0.1, not the
reference's 0.01: the running statistics must settle within the few hundred steps of a short
from-scratch training.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from semcom.errors import check_choice


class BlockSpec(NamedTuple):
    kernel: int
    expanded: int
    out: int
    se: bool
    hard_swish: bool
    stride: int


# (kernel, expanded, out, SE, hard-swish, stride); the input width is the previous block's out.
SMALL = (
    BlockSpec(3, 16, 16, True, False, 2), BlockSpec(3, 72, 24, False, False, 2),
    BlockSpec(3, 88, 24, False, False, 1), BlockSpec(5, 96, 40, True, True, 2),
    BlockSpec(5, 240, 40, True, True, 1), BlockSpec(5, 240, 40, True, True, 1),
    BlockSpec(5, 120, 48, True, True, 1), BlockSpec(5, 144, 48, True, True, 1),
    BlockSpec(5, 288, 96, True, True, 2), BlockSpec(5, 576, 96, True, True, 1),
    BlockSpec(5, 576, 96, True, True, 1),
)
LARGE = (
    BlockSpec(3, 16, 16, False, False, 1), BlockSpec(3, 64, 24, False, False, 2),
    BlockSpec(3, 72, 24, False, False, 1), BlockSpec(5, 72, 40, True, False, 2),
    BlockSpec(5, 120, 40, True, False, 1), BlockSpec(5, 120, 40, True, False, 1),
    BlockSpec(3, 240, 80, False, True, 2), BlockSpec(3, 200, 80, False, True, 1),
    BlockSpec(3, 184, 80, False, True, 1), BlockSpec(3, 184, 80, False, True, 1),
    BlockSpec(3, 480, 112, True, True, 1), BlockSpec(3, 672, 112, True, True, 1),
    BlockSpec(5, 672, 160, True, True, 2), BlockSpec(5, 960, 160, True, True, 1),
    BlockSpec(5, 960, 160, True, True, 1),
)
VARIANTS = {"small": (SMALL, 1024), "large": (LARGE, 1280)}


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round to the nearest multiple of ``divisor`` (at least ``divisor``), never below 90%."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def conv_bn_act(cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1,
                act: type[nn.Module] | None = nn.ReLU) -> nn.Sequential:
    """Conv (no bias) -> BatchNorm (eps 1e-3, PyTorch's default momentum 0.1) -> optional activation."""
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout, eps=1e-3),
    ]
    if act is not None:
        layers.append(act(inplace=True))
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    """Channel gating: x * hardsigmoid(fc2(relu(fc1(mean_hw(x))))). [N, C, H, W] -> same."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        squeezed = make_divisible(channels // 4)
        self.fc1 = nn.Conv2d(channels, squeezed, 1)
        self.fc2 = nn.Conv2d(squeezed, channels, 1)
        self.relu = nn.ReLU(inplace=True)
        self.gate = nn.Hardsigmoid(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = self.gate(self.fc2(self.relu(self.fc1(x.mean((2, 3), keepdim=True)))))
        return x * scale


class InvertedResidual(nn.Module):
    """1x1 expand -> kxk depthwise -> (SE) -> 1x1 project, residual when shapes allow."""

    def __init__(self, cin: int, spec: BlockSpec) -> None:
        super().__init__()
        act = nn.Hardswish if spec.hard_swish else nn.ReLU
        layers: list[nn.Module] = []
        if spec.expanded != cin:
            layers.append(conv_bn_act(cin, spec.expanded, 1, act=act))
        layers.append(conv_bn_act(spec.expanded, spec.expanded, spec.kernel, spec.stride,
                                  groups=spec.expanded, act=act))
        if spec.se:
            layers.append(SqueezeExcite(spec.expanded))
        layers.append(conv_bn_act(spec.expanded, spec.out, 1, act=None))
        self.block = nn.Sequential(*layers)
        self.residual = spec.stride == 1 and cin == spec.out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        return out + x if self.residual else out


class MobileNetV3(nn.Module):
    """MobileNetV3 ``variant`` ("small" or "large"): images [N, C, H, W] -> logits [N, num_classes]."""

    def __init__(self, num_classes: int, in_channels: int = 3, variant: str = "small",
                 small_input: bool = True, dropout: float = 0.2) -> None:
        super().__init__()
        check_choice("mobilenetv3 variant", variant, VARIANTS)
        blocks, head_width = VARIANTS[variant]
        layers: list[nn.Module] = [conv_bn_act(in_channels, 16, 3, 1 if small_input else 2, act=nn.Hardswish)]
        width = 16
        for spec in blocks:
            layers.append(InvertedResidual(width, spec))
            width = spec.out
        layers.append(conv_bn_act(width, 6 * width, 1, act=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Linear(6 * width, head_width), nn.Hardswish(inplace=True), nn.Dropout(dropout),
            nn.Linear(head_width, num_classes),
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.features(x)).flatten(1))
