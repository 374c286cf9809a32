"""ResNet18 (He et al., 2016) in plain PyTorch, with a stem for small images.

The layers follow the torchvision layout (BasicBlock x [2, 2, 2, 2], widths 64-512, a 1x1
convolution + BatchNorm shortcut where the shape changes), so ``stem="imagenet"`` with 1000
classes has exactly torchvision's 11,689,512 parameters.

Small-input adaptation (``stem="small"``, the default for 32x32 and 64x64 views): the 7x7
stride-2 convolution and the 3x3 max-pool (which together divide the side by 4 before the first
residual stage) are replaced by one 3x3 stride-1 convolution, as is usual for CIFAR-size ResNets.
A 32x32 view then reaches the four stages at 32, 16, 8 and 4 pixels instead of 8, 4, 2 and 1.
``stem="small_s2"`` keeps the 3x3 stem but with stride 2 (stages at 16, 8, 4, 2 pixels): four
times fewer operations, for CPU budgets. The stem change removes 3x3x3x64 - 7x7x3x64 = -7,680
weights; nothing else changes.
"""

from __future__ import annotations

import torch
from torch import nn

from semcom.errors import check_choice

STEMS = ("small", "small_s2", "imagenet")


class BasicBlock(nn.Module):
    """Two 3x3 conv-BN layers with an identity (or 1x1 conv-BN) shortcut. [N, Cin, H, W] -> [N, Cout, H/s, W/s]"""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False), nn.BatchNorm2d(out_channels)
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


def _stem(kind: str, in_channels: int) -> nn.Sequential:
    if kind == "imagenet":
        return nn.Sequential(
            nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2, 1),
        )
    stride = 2 if kind == "small_s2" else 1
    return nn.Sequential(nn.Conv2d(in_channels, 64, 3, stride, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True))


class ResNet18(nn.Module):
    """ResNet18: images [N, C, H, W] float32 -> class logits [N, num_classes]."""

    def __init__(self, num_classes: int, in_channels: int = 3, stem: str = "small") -> None:
        super().__init__()
        check_choice("resnet18 stem", stem, STEMS)
        self.stem = _stem(stem, in_channels)
        stages, width = [], 64
        for out_channels, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            stages.append(nn.Sequential(BasicBlock(width, out_channels, stride), BasicBlock(out_channels, out_channels)))
            width = out_channels
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.stages(self.stem(x))).flatten(1))
