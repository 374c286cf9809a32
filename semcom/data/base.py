"""The one dataset interface every semcom dataset implements.

An item is ``(views, label)`` with ``views: [V, C, H, W] float32 in [0, 1]`` and ``label: int``;
the dataset carries ``view_names`` and ``class_names``. Whole splits are held in memory as
``images: [N, V, C, H, W] uint8`` and ``labels: [N] int64`` (tens to hundreds of MB), which
makes training loops and metrics fast and lets :meth:`MultiViewDataset.batch` hand out float
batches without a DataLoader.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from semcom.errors import SemcomError, check_choice

SPLITS: tuple[str, ...] = ("train", "val", "test")


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is: its views, classes, image sizes and default split sizes."""

    name: str
    description: str
    view_names: tuple[str, ...]
    class_names: tuple[str, ...]
    sizes: tuple[int, ...]
    default_size: int
    default_counts: dict[str, int] = field(default_factory=dict)
    channels: int = 3
    #: uniform background colour in [0, 1] per channel (renders on white: (1, 1, 1)), or None
    #: for views without one (photographs); the object-aware metrics need it
    background: tuple[float, ...] | None = None

    @property
    def num_views(self) -> int:
        return len(self.view_names)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def check_split(self, split: str) -> str:
        return check_choice("split", split, SPLITS)  # type: ignore[return-value]

    def check_size(self, size: int | None) -> int:
        size = self.default_size if size is None else int(size)
        if size not in self.sizes:
            allowed = ", ".join(str(s) for s in self.sizes)
            raise SemcomError(f"unsupported image size {size} for {self.name}; allowed: {allowed}")
        return size

    def check_count(self, split: str, n: int | None) -> int:
        n = self.default_counts[split] if n is None else int(n)
        if n < 1:
            raise SemcomError(f"number of objects must be >= 1, got {n}")
        return n


class MultiViewDataset(torch.utils.data.Dataset):
    """A split of a multi-view dataset held in memory.

    images: [N, V, C, H, W] uint8; labels: [N] int64. ``ds[i]`` gives
    ``(views [V, C, H, W] float32 in [0, 1], label int)``.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        info: DatasetInfo,
        split: str,
        *,
        meta: dict | None = None,
    ):
        if images.dtype != torch.uint8 or images.ndim != 5:
            raise ValueError(f"images must be uint8 [N, V, C, H, W], got {images.dtype} {tuple(images.shape)}")
        if labels.shape != images.shape[:1]:
            raise ValueError(f"labels {tuple(labels.shape)} do not match images {tuple(images.shape)}")
        if images.shape[1] != info.num_views:
            raise ValueError(f"{info.name} has {info.num_views} views, images have {images.shape[1]}")
        self.images = images
        self.labels = labels.to(torch.int64)
        self.info = info
        self.split = split
        self.meta = dict(meta or {})

    # -- the contract ------------------------------------------------------------------------
    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.images[index].float().div_(255.0), int(self.labels[index])

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def view_names(self) -> tuple[str, ...]:
        return self.info.view_names

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.info.class_names

    @property
    def num_views(self) -> int:
        return self.info.num_views

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one view."""
        return tuple(self.images.shape[2:])  # type: ignore[return-value]

    # -- conveniences ------------------------------------------------------------------------
    def batch(self, index: torch.Tensor | slice | list[int]) -> tuple[torch.Tensor, torch.Tensor]:
        """views [B, V, C, H, W] float32 in [0, 1] and labels [B] int64 for ``index``."""
        return self.images[index].float().div_(255.0), self.labels[index]

    def batches(
        self, batch_size: int, *, shuffle: bool = False, generator: torch.Generator | None = None
    ):
        """Iterate over (views, labels) batches; shuffled with ``generator`` if asked."""
        order = torch.randperm(len(self), generator=generator) if shuffle else torch.arange(len(self))
        for start in range(0, len(self), batch_size):
            yield self.batch(order[start : start + batch_size])

    def subset(self, n: int) -> MultiViewDataset:
        """The first ``n`` objects (a view of the same memory)."""
        return MultiViewDataset(self.images[:n], self.labels[:n], self.info, self.split, meta=self.meta)

    def __repr__(self) -> str:
        n, v, c, h, w = self.images.shape
        return (
            f"MultiViewDataset({self.name!r}, split={self.split!r}, n={n}, views={v}"
            f" {list(self.view_names)}, image={c}x{h}x{w}, classes={self.info.num_classes})"
        )
