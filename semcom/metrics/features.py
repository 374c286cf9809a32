"""The contract of a feature network used by the Frechet distance and KID.

A :class:`FeatureExtractor` maps images ``[N, C, H, W] float32 in [0, 1]`` to features
``[N, D] float32`` and has a ``backbone`` name that every result carries (so an FID on the TF-FID
Inception is never confused with a Frechet distance on a classifier's features) and that keys
the cached reference statistics.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import torch
from tqdm.auto import tqdm


@runtime_checkable
class FeatureExtractor(Protocol):
    backbone: str  #: e.g. "inception-v3-tf-fid" or "classifier-mvshapes"
    dim: int  #: feature size D

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """images: [N, C, H, W] float32 in [0, 1] -> features [N, D] float32."""
        ...


def extract_in_batches(
    extractor: FeatureExtractor,
    images: torch.Tensor,
    batch_size: int = 64,
    progress: bool = False,
) -> torch.Tensor:
    """Features of a large image set, ``batch_size`` images at a time.

    images: [N, C, H, W] float32 in [0, 1], or uint8 in [0, 255] (converted per batch, so a
    uint8 dataset never exists in memory as float). Returns [N, D] float32.
    """
    chunks = []
    starts = range(0, images.shape[0], batch_size)
    for start in tqdm(
        starts, desc=f"features ({extractor.backbone})", disable=not progress, unit="batch"
    ):
        batch = images[start : start + batch_size]
        if batch.dtype == torch.uint8:
            batch = batch.float() / 255.0
        chunks.append(extractor(batch))
    if not chunks:
        return torch.zeros(0, extractor.dim)
    return torch.cat(chunks)
