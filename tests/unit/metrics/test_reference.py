"""Caching of reference features per dataset split and backbone (synthetic images)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from semcom.errors import SemcomError
from semcom.metrics.reference import ALL_VIEWS, ReferenceKey, cached_reference_features


class ChannelMeans:
    """A tiny feature extractor: per-channel means and squares, counting its calls."""

    backbone = "channel-means"
    dim = 6

    def __init__(self) -> None:
        self.images_seen = 0

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        self.images_seen += images.shape[0]
        m = images.mean(dim=(2, 3))
        return torch.cat([m, m**2], dim=1)


def _images(seed: int, n: int = 10, v: int = 3) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, v, 3, 8, 8), generator=gen, dtype=torch.uint8)


def test_features_are_computed_once_then_read_from_the_cache(isolated_cache):
    key = ReferenceKey("toy", "test", 8, 10, 0)
    extractor = ChannelMeans()
    images = _images(0)
    first = cached_reference_features(extractor, key, images, ("a", "b", "c"), progress=False)
    assert extractor.images_seen == 30 and first.path.is_file()
    assert first.path.parent == isolated_cache / "metrics" / "reference"
    second = cached_reference_features(extractor, key, images, ("a", "b", "c"), progress=False)
    assert extractor.images_seen == 30  # no recomputation
    assert torch.equal(first.features, second.features) and second.view_names == ("a", "b", "c")
    # the features are those of the images (uint8 -> [0, 1])
    want = extractor(images[:, 1].float() / 255)
    assert torch.allclose(second.view_features("b"), want)


def test_pooled_and_per_view_stats(isolated_cache):
    ref = cached_reference_features(
        ChannelMeans(),
        ReferenceKey("toy", "test", 8, 10, 0),
        _images(1),
        ("a", "b", "c"),
        progress=False,
    )
    pooled = ref.stats(ALL_VIEWS)
    assert pooled.n == 30 and pooled.backbone == "channel-means"
    flat = ref.features.reshape(30, 6).double().numpy()
    assert np.allclose(pooled.mu, flat.mean(0)) and np.allclose(pooled.sigma, np.cov(flat.T))
    assert ref.stats("c").n == 10
    with pytest.raises(SemcomError, match="unknown view 'd'.*allowed: all, a, b, c"):
        ref.stats("d")


def test_changed_images_invalidate_the_cache(isolated_cache):
    key = ReferenceKey("toy", "test", 8, 10, 0)
    extractor = ChannelMeans()
    cached_reference_features(extractor, key, _images(2), ("a", "b", "c"), progress=False)
    changed = cached_reference_features(extractor, key, _images(3), ("a", "b", "c"), progress=False)
    assert extractor.images_seen == 60
    assert torch.allclose(changed.view_features("a"), extractor(_images(3)[:, 0].float() / 255))


def test_reference_images_must_be_uint8_views(isolated_cache):
    with pytest.raises(SemcomError, match=r"uint8 \[N, V, C, H, W\]"):
        cached_reference_features(
            ChannelMeans(),
            ReferenceKey("toy", "test", 8, 2, 0),
            torch.rand(2, 3, 8, 8),
            ("a",),
            progress=False,
        )


def test_dataset_reference_features_come_from_semcom_data(isolated_cache):
    from semcom.data import load_dataset
    from semcom.metrics.reference import dataset_reference_features

    ref = dataset_reference_features(
        ChannelMeans(), "mvshapes", split="test", n=3, seed=0, progress=False
    )
    ds = load_dataset("mvshapes", "test", n=3, seed=0, progress=False)
    assert ref.view_names == ds.view_names and ref.key.n == 3 and ref.key.size == 32
    assert torch.allclose(ref.view_features("back"), ChannelMeans()(ds.batch(slice(None))[0][:, 2]))
    assert ref.path.name == "mvshapes_test_32px_n3_seed0_channel-means.safetensors"
