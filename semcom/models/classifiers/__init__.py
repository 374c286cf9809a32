"""Image classifiers for the DiMViDA experiment, in plain PyTorch (no torchvision).

>>> from semcom.models.classifiers import build_classifier
>>> net = build_classifier("resnet18", num_classes=13)   # images [N, 3, H, W] -> logits [N, 13]

Architectures (:data:`ARCHITECTURES`): ``resnet18`` and ``mobilenetv3_small`` /
``mobilenetv3_large``, all with the small-input stems documented in their modules (3x3
stride-1 stem, no max-pool for ResNet18; stride-1 stem for MobileNetV3). ``imagenet=True``
builds the original 224px layout, whose parameter counts match the published ones.
"""

from __future__ import annotations

from torch import nn

from semcom.errors import check_choice
from semcom.models.classifiers.mobilenetv3 import MobileNetV3
from semcom.models.classifiers.resnet import ResNet18

ARCHITECTURES = ("resnet18", "resnet18_s2", "mobilenetv3_small", "mobilenetv3_large")


def build_classifier(name: str, num_classes: int, in_channels: int = 3, *, imagenet: bool = False) -> nn.Module:
    """A freshly initialised classifier ``name`` (call ``torch.manual_seed`` first for a fixed init).

    ``resnet18_s2`` is ResNet18 with a stride-2 3x3 stem (4x cheaper on 32x32 views).
    """
    check_choice("architecture", name, ARCHITECTURES)
    if name.startswith("resnet18"):
        stem = "imagenet" if imagenet else ("small_s2" if name == "resnet18_s2" else "small")
        return ResNet18(num_classes, in_channels, stem=stem)
    return MobileNetV3(num_classes, in_channels, variant=name.split("_")[1], small_input=not imagenet)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


__all__ = ["ARCHITECTURES", "MobileNetV3", "ResNet18", "build_classifier", "count_parameters"]
