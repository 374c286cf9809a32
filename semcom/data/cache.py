"""Built dataset arrays cached on disk, keyed by a content hash of everything that made them.

The key hashes the dataset name, split, image size, object count, seed, extra parameters and the
source code of the modules that generate the data, so changing the generator never reuses a
stale cache. Files are safetensors (``images`` uint8, ``labels`` int64) written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

import numpy as np

from semcom.paths import cache_root


def source_digest(modules: Iterable[ModuleType]) -> str:
    """SHA-256 over the source files of ``modules``."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def cache_key(params: dict) -> str:
    """First 16 hex digits of the SHA-256 of ``params`` as canonical JSON."""
    blob = json.dumps(params, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def cache_file(name: str, params: dict) -> Path:
    """Where the arrays for ``params`` live: <cache>/datasets/<name>/<split>-<size>px-n<n>-seed<seed>-<key>.safetensors"""
    stem = f"{params['split']}-{params['size']}px-n{params['n']}-seed{params['seed']}-{cache_key(params)}"
    return cache_root() / "datasets" / name / f"{stem}.safetensors"


def load_or_build(
    name: str,
    params: dict,
    build: Callable[[], tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray, Path]:
    """Return (images, labels, path) from the cache, building and saving them if absent."""
    from safetensors.numpy import load_file, save_file

    path = cache_file(name, params)
    if path.is_file():
        arrays = load_file(str(path))
        return arrays["images"], arrays["labels"], path
    images, labels = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    save_file(
        {"images": np.ascontiguousarray(images), "labels": np.ascontiguousarray(labels)},
        str(tmp),
        metadata={"params": json.dumps(params, sort_keys=True)},
    )
    os.replace(tmp, path)
    return images, labels, path
