"""MemoFeatures: features computed once per distinct 8-bit image, identical to the extractor's."""

import torch

from semcom.metrics.features import MemoFeatures


class Sums:
    """A toy extractor: per-channel sums of the 8-bit levels (exact in float32)."""

    backbone = "sums"
    dim = 3

    def __call__(self, images):
        return (images * 255).round().sum(dim=(2, 3))


def test_each_distinct_image_is_computed_once_and_features_are_unchanged():
    gen = torch.Generator().manual_seed(0)
    images = torch.rand(5, 3, 4, 4, generator=gen)
    memo = MemoFeatures(Sums())
    batch = torch.cat([images, images[:2]])  # two repeats inside one call
    torch.testing.assert_close(memo(batch), Sums()(batch))
    assert memo.computed == 5
    again = torch.cat([images[3:], torch.rand(1, 3, 4, 4, generator=gen)])
    torch.testing.assert_close(memo(again), Sums()(again))
    assert memo.computed == 6  # only the new image
    assert memo.backbone == "sums" and memo(images[:0]).shape == (0, 3)


def test_images_equal_after_8_bit_rounding_share_their_features():
    memo = MemoFeatures(Sums())
    image = torch.full((1, 3, 4, 4), 0.5)
    memo(image)
    memo(image + 1e-4)  # the same 8-bit levels
    assert memo.computed == 1
