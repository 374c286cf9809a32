"""mvshapes: synthetic multi-view objects of 13 classes rendered with pybullet.

Each object is drawn from a seeded generator (class-specific proportions and optional parts,
an independent colour per part key including side-only parts, scale, camera elevation and
lighting) and rendered from the four canonical azimuths front, right, back, left (as DiMViDA
uses NMR). Object ``i`` of a split (its label and its drawing) depends only on
``(seed, split, i)``, so the arrays are byte-identical whatever the number of worker processes,
and the first m objects of a build of n >= m are those of a build of m.
"""

from __future__ import annotations

import multiprocessing
import os

import numpy as np

from semcom.data.base import SPLITS, DatasetInfo
from semcom.data.mvshapes.catalogue import CLASSES
from semcom.data.mvshapes.render import VIEW_AZIMUTHS, Renderer, draw_scene

INFO = DatasetInfo(
    name="mvshapes",
    description="13 classes of primitive-built 3D objects rendered by pybullet from 4 azimuths",
    view_names=tuple(VIEW_AZIMUTHS),
    class_names=tuple(CLASSES),
    sizes=(32, 64),
    default_size=32,
    default_counts={"train": 10000, "val": 1000, "test": 1000},
    background=(1.0, 1.0, 1.0),
)

SUPERSAMPLE = 2
_CHUNK = 200


def object_labels(split: str, n: int, seed: int) -> np.ndarray:
    """Balanced labels in a seeded random order. [n] int64

    Objects come in blocks of one object per class, each block a permutation of the classes
    drawn from ``(seed, split, block)``: label i does not depend on n, and the class counts of
    any prefix differ by at most one.
    """
    classes = INFO.num_classes
    blocks = [np.random.default_rng([seed, SPLITS.index(split), 0xC1A55, b]).permutation(classes)
              for b in range(-(-n // classes))]
    return np.concatenate(blocks or [np.empty(0, dtype=np.int64)])[:n].astype(np.int64)


def _render_chunk(args: tuple[str, int, int, int, int, np.ndarray]) -> np.ndarray:
    split, size, seed, start, stop, labels = args
    out = np.empty((stop - start, INFO.num_views, 3, size, size), dtype=np.uint8)
    with Renderer(size, SUPERSAMPLE) as renderer:
        for j, i in enumerate(range(start, stop)):
            rng = np.random.default_rng([seed, SPLITS.index(split), i])
            out[j] = renderer.render(draw_scene(int(labels[j]), rng))
    return out


def build_arrays(
    split: str, size: int, n: int, seed: int, *, workers: int | None = None, progress: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Render ``n`` objects. Returns images [n, 4, 3, size, size] uint8 and labels [n] int64."""
    from tqdm.auto import tqdm

    labels = object_labels(split, n, seed)
    jobs = [
        (split, size, seed, s, min(s + _CHUNK, n), labels[s : min(s + _CHUNK, n)])
        for s in range(0, n, _CHUNK)
    ]
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    images = np.empty((n, INFO.num_views, 3, size, size), dtype=np.uint8)
    bar = tqdm(total=n, desc=f"mvshapes {split} {size}px", unit="obj", disable=not progress)
    if workers <= 1:
        results = map(_render_chunk, jobs)
        pool = None
    else:
        pool = multiprocessing.get_context("spawn").Pool(workers)
        results = pool.imap(_render_chunk, jobs)
    try:
        for job, chunk in zip(jobs, results):
            images[job[3] : job[4]] = chunk
            bar.update(len(chunk))
    finally:
        bar.close()
        if pool is not None:
            pool.close()
            pool.join()
    return images, labels


def source_modules():
    """The modules whose source defines the rendered data (part of the cache key)."""
    import sys

    from semcom.data.mvshapes import catalogue, render

    return [sys.modules[__name__], catalogue, render]
