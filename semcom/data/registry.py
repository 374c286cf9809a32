"""Dataset names -> their modules, and :func:`load_dataset`, the one way to get a split.

A dataset module provides ``INFO`` (:class:`~semcom.data.base.DatasetInfo`) and
``build_arrays(split, size, n, seed, *, workers, progress, ...)``; synthetic ones also provide
``source_modules()`` and are cached by content hash (:mod:`semcom.data.cache`).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import torch

from semcom.data.base import DatasetInfo, MultiViewDataset
from semcom.errors import SemcomError, check_choice

#: dataset name -> its module, or the module's import path
DATASETS: dict[str, str | ModuleType] = {
    "mvshapes": "semcom.data.mvshapes",
    "polymnist": "semcom.data.polymnist",
    "nmr": "semcom.data.nmr",
}
_BUILTIN_DATASETS = tuple(DATASETS)
CACHE_VERSION = 1


def register_dataset(name: str, module: str | ModuleType) -> None:
    """Register a dataset module (or its import path): it provides ``INFO`` and ``build_arrays``
    (see the module doc)."""
    if name in _BUILTIN_DATASETS:
        raise SemcomError(f"dataset name {name!r} is a built-in dataset; choose another name")
    DATASETS[name] = module


def dataset_module(name: str) -> ModuleType:
    check_choice("dataset", name, DATASETS)
    module = DATASETS[name]
    return module if isinstance(module, ModuleType) else importlib.import_module(module)


def dataset_info(name: str) -> DatasetInfo:
    """The :class:`DatasetInfo` of ``name`` (one-line error listing the names otherwise)."""
    return dataset_module(name).INFO


def load_dataset(
    name: str,
    split: str = "train",
    *,
    size: int | None = None,
    n: int | None = None,
    seed: int = 0,
    root: str | Path | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> MultiViewDataset:
    """Load (building and caching if needed) one split of a dataset.

    name: one of :data:`DATASETS`; split: train, val or test; size: image side (the dataset's
    default if None); n: number of objects (the dataset's default if None); seed: which objects
    (same seed, byte-identical arrays); root: the folder of on-disk datasets (nmr);
    workers: render processes for synthetic datasets (default: all cores).
    """
    module = dataset_module(name)
    info: DatasetInfo = module.INFO
    info.check_split(split)
    size = info.check_size(size)
    if hasattr(module, "source_modules"):
        from semcom.data.cache import load_or_build, source_digest

        n = info.check_count(split, n)
        params = {
            "dataset": name, "split": split, "size": size, "n": n, "seed": int(seed),
            "cache_version": CACHE_VERSION, "source": source_digest(module.source_modules()),
        }
        images, labels, path = load_or_build(
            name, params,
            lambda: module.build_arrays(split, size, n, seed, workers=workers, progress=progress),
        )
        meta = {"cache_file": str(path), **params}
    else:
        images, labels = module.build_arrays(
            split, size, n, seed, root=root, workers=workers, progress=progress
        )
        meta = {"dataset": name, "split": split, "size": size, "n": len(labels), "root": str(root)}
    return MultiViewDataset(torch.from_numpy(images), torch.from_numpy(labels), info, split, meta=meta)
