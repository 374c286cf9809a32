"""TF-FID preprocessing (legacy bilinear resize, input range) and the Inception features."""

from __future__ import annotations

import pytest
import torch

from semcom.errors import AssetMissingError
from semcom.metrics.inception import (
    InceptionFeatures,
    tf_fid_preprocess,
    tf_resize_bilinear,
)


def test_legacy_resize_samples_input_coordinate_i_times_in_over_out():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    up = tf_resize_bilinear(x, size=8)  # factor 2: even outputs copy, odd ones average neighbours
    assert torch.equal(up[..., ::2, ::2], x)
    assert torch.allclose(up[0, 0, 0, 1:7:2], (x[0, 0, 0, :3] + x[0, 0, 0, 1:]) / 2)
    assert up[0, 0, 0, 7] == x[0, 0, 0, 3]  # the last column clamps to the edge pixel
    assert torch.equal(tf_resize_bilinear(x, size=4), x)


def test_preprocess_quantises_to_8_bit_and_scales_to_tf_fid_range():
    x = torch.tensor([0.0, 1.0, 0.5, 0.5 + 0.4 / 255]).view(1, 1, 2, 2)
    out = tf_fid_preprocess(x)
    assert out.shape == (1, 3, 299, 299)
    corners = out[0, 0, [0, 0, -1, -1], [0, -1, 0, -1]]
    # grey levels 0, 255, 128 (127.5 rounds to even 128), 128 -> v / 128 - 1
    assert torch.allclose(corners[:2], torch.tensor([-1.0, 255 / 128 - 1]))
    assert out.min() >= -1 and out.max() <= 255 / 128 - 1


@pytest.fixture()
def inception(require_asset):
    require_asset("fid_inception")
    return InceptionFeatures()


def test_features_are_batch_independent_and_see_grey_as_rgb(inception):
    gen = torch.Generator().manual_seed(0)
    grey = torch.rand(3, 1, 32, 32, generator=gen)
    feats = inception(grey)
    assert feats.shape == (3, 2048) and (feats >= 0).all()  # pool3 follows a ReLU
    assert torch.allclose(feats[:1], inception(grey[:1].repeat(1, 3, 1, 1)), atol=1e-4)
    assert not torch.allclose(feats[0], feats[1], atol=1e-2)  # different images, different features


def test_missing_weights_name_the_fetch_command(empty_cache):
    with pytest.raises(AssetMissingError, match="semcom assets fetch"):
        InceptionFeatures()


def test_bfloat16_features_are_close_and_carry_their_own_backbone(inception):
    fast = InceptionFeatures("bfloat16")
    assert fast.backbone == "inception-v3-tf-fid-bf16" != inception.backbone
    images = torch.rand(4, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    ref, got = inception(images), fast(images)
    assert float((got - ref).norm() / ref.norm()) < 0.05  # bfloat16 keeps ~3 significant digits
    from semcom.errors import SemcomError

    with pytest.raises(SemcomError, match="allowed: float32, bfloat16"):
        InceptionFeatures("float16")
