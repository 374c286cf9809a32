"""ResNet18 and MobileNetV3: published parameter counts, shapes at small inputs, and learning."""

import pytest
import torch
import torch.nn.functional as F

from semcom.errors import SemcomError
from semcom.models.classifiers import ARCHITECTURES, build_classifier, count_parameters
from semcom.models.classifiers.mobilenetv3 import make_divisible

# torchvision's resnet18 / mobilenet_v3_large / mobilenet_v3_small, 1000 classes
PUBLISHED = {"resnet18": 11_689_512, "mobilenetv3_large": 5_483_032, "mobilenetv3_small": 2_542_856}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_imagenet_layout_has_the_published_parameter_count(name):
    assert count_parameters(build_classifier(name, 1000, imagenet=True)) == PUBLISHED[name]


def test_small_stems_change_only_the_first_convolution():
    # ResNet18: 7x7 -> 3x3 stem (64 x 3 x (49 - 9) fewer weights); 13 classes: fc 513 x (1000 - 13) fewer
    small = count_parameters(build_classifier("resnet18", 13))
    assert small == PUBLISHED["resnet18"] - 64 * 3 * 40 - 513 * 987
    assert count_parameters(build_classifier("resnet18_s2", 13)) == small
    # MobileNetV3: only the stride changes; head Linear(1024, K)
    assert count_parameters(build_classifier("mobilenetv3_small", 13)) == PUBLISHED["mobilenetv3_small"] - 1025 * 987


def test_make_divisible_matches_the_reference_rounding():
    assert [make_divisible(v) for v in (4, 16 // 4, 96 // 4, 240 // 4, 120 // 4, 576 // 4, 10)] == [8, 8, 24, 64, 32, 144, 16]


@pytest.mark.parametrize("name", ARCHITECTURES)
@pytest.mark.parametrize("size", [32, 64])
def test_forward_gives_one_logit_per_class(name, size):
    net = build_classifier(name, 13).eval()
    with torch.no_grad():
        out = net(torch.rand(2, 3, size, size))
    assert out.shape == (2, 13) and torch.isfinite(out).all()


def test_resnet_small_stem_keeps_the_resolution_into_the_first_stage():
    net = build_classifier("resnet18", 13)
    assert net.stem(torch.rand(1, 3, 32, 32)).shape[-1] == 32
    assert build_classifier("resnet18_s2", 13).stem(torch.rand(1, 3, 32, 32)).shape[-1] == 16


def test_unknown_architecture_is_a_one_line_error():
    with pytest.raises(SemcomError, match="allowed: resnet18"):
        build_classifier("vgg16", 13)


@pytest.mark.parametrize(("name", "steps"), [("resnet18_s2", 40), ("mobilenetv3_small", 100)])
def test_overfits_a_tiny_batch(name, steps):
    torch.manual_seed(0)
    net = build_classifier(name, 4)
    x, y = torch.rand(8, 3, 16, 16), torch.arange(8) % 4
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    for _ in range(steps):  # enough for the BatchNorm running statistics to settle
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        assert (net(x).argmax(-1) == y).all()
