"""Reference features and statistics of real dataset splits, cached per backbone.

Computing Inception features of a real split takes minutes on a CPU, and every FID in a sweep
compares against the same split, so they are computed once and stored under
``<cache>/metrics/reference/`` as safetensors holding

- ``features`` [N, V, D] float32: one feature vector per sample and view (KID and per-view FID
  need the vectors, not only the moments);
- ``mu`` [D] and ``sigma`` [D, D] float64: the Gaussian fitted to all N x V views pooled;

and, as metadata, the backbone, the dataset key, the view names and the SHA-256 of the images
the features came from. The file name carries the key (dataset, split, image size, object
count, seed, backbone); the content hash is checked on load, so a rebuilt dataset never reuses
stale statistics.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from semcom.errors import SemcomError
from semcom.metrics.features import FeatureExtractor, extract_in_batches
from semcom.metrics.frechet import GaussianStats, gaussian_stats
from semcom.paths import atomic_write_bytes, cache_dir

#: select every view (pooled) in :meth:`ReferenceFeatures.stats`
ALL_VIEWS = "all"


@dataclass(frozen=True)
class ReferenceKey:
    """What a set of reference features is of: a dataset split, as ``semcom.data`` builds it.

    size: image side in pixels; n: number of objects (None: the dataset's defaults).
    """

    dataset: str
    split: str
    size: int | None
    n: int | None
    seed: int

    def file_name(self, backbone: str) -> str:
        size = "default" if self.size is None else f"{self.size}px"
        n = "default" if self.n is None else str(self.n)
        return f"{self.dataset}_{self.split}_{size}_n{n}_seed{self.seed}_{backbone}.safetensors"


@dataclass(frozen=True)
class ReferenceFeatures:
    """Features of a real split. features: [N, V, D] float32; view_names: V names."""

    key: ReferenceKey
    backbone: str
    features: torch.Tensor
    view_names: tuple[str, ...]
    content_sha256: str
    path: Path

    def view_features(self, view: str = ALL_VIEWS) -> torch.Tensor:
        """[N * V, D] for ``view="all"`` (views pooled) or [N, D] for one named view."""
        if view == ALL_VIEWS:
            return self.features.reshape(-1, self.features.shape[-1])
        if view not in self.view_names:
            allowed = ", ".join((ALL_VIEWS, *self.view_names))
            raise SemcomError(f"unknown view {view!r} of {self.key.dataset}; allowed: {allowed}")
        return self.features[:, self.view_names.index(view)]

    def stats(self, view: str = ALL_VIEWS) -> GaussianStats:
        """Gaussian statistics of one view or all views pooled."""
        return gaussian_stats(self.view_features(view), self.backbone)


def images_sha256(images: torch.Tensor) -> str:
    """SHA-256 of a uint8 image tensor's shape and bytes."""
    array = np.ascontiguousarray(images.cpu().numpy())
    digest = hashlib.sha256(str(tuple(array.shape)).encode())
    digest.update(array.tobytes())
    return digest.hexdigest()


def _read(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as fh:
        return {k: fh.get_tensor(k) for k in fh.keys()}, dict(fh.metadata() or {})  # noqa: SIM118


def cached_reference_features(
    extractor: FeatureExtractor,
    key: ReferenceKey,
    images: torch.Tensor,
    view_names: tuple[str, ...],
    *,
    batch_size: int = 64,
    progress: bool = True,
) -> ReferenceFeatures:
    """Features of ``images`` (a real split), computed once per backbone and cached.

    images: [N, V, C, H, W] uint8 (as ``semcom.data`` stores them). A cached file is used only
    if its backbone and content hash match; otherwise it is recomputed and replaced.
    """
    from safetensors.torch import save

    if images.dtype != torch.uint8 or images.ndim != 5:
        raise SemcomError(
            f"reference images must be uint8 [N, V, C, H, W], "
            f"got {images.dtype} {list(images.shape)}"
        )
    if images.shape[1] != len(view_names):
        raise SemcomError(f"{images.shape[1]} views but {len(view_names)} view names")
    path = cache_dir("metrics", "reference") / key.file_name(extractor.backbone)
    content = images_sha256(images)
    if path.is_file():
        tensors, meta = _read(path)
        if meta.get("content_sha256") == content and meta.get("backbone") == extractor.backbone:
            return ReferenceFeatures(
                key,
                extractor.backbone,
                tensors["features"],
                tuple(json.loads(meta["view_names"])),
                content,
                path,
            )
    n, v = images.shape[:2]
    flat = extract_in_batches(
        extractor,
        images.reshape(n * v, *images.shape[2:]),
        batch_size=batch_size,
        progress=progress,
    )
    features = flat.reshape(n, v, -1).contiguous()
    pooled = gaussian_stats(flat, extractor.backbone)
    meta = {
        "backbone": extractor.backbone,
        "content_sha256": content,
        "view_names": json.dumps(list(view_names)),
        "key": json.dumps(key.__dict__),
    }
    tensors = {
        "features": features,
        "mu": torch.from_numpy(pooled.mu),
        "sigma": torch.from_numpy(pooled.sigma),
    }
    atomic_write_bytes(path, save(tensors, metadata=meta))
    return ReferenceFeatures(key, extractor.backbone, features, tuple(view_names), content, path)


def dataset_reference_features(
    extractor: FeatureExtractor,
    dataset: str,
    *,
    split: str = "test",
    size: int | None = None,
    n: int | None = None,
    seed: int = 0,
    batch_size: int = 64,
    progress: bool = True,
) -> ReferenceFeatures:
    """Cached reference features of a ``semcom.data`` split (builds or loads the dataset).

    size: image side; n: number of objects (None: the dataset's defaults); seed: which objects.
    """
    from semcom.data import load_dataset

    ds = load_dataset(dataset, split=split, size=size, n=n, seed=seed, progress=progress)
    key = ReferenceKey(dataset=dataset, split=split, size=ds.image_shape[-1], n=len(ds), seed=seed)
    return cached_reference_features(
        extractor, key, ds.images, tuple(ds.view_names), batch_size=batch_size, progress=progress
    )
