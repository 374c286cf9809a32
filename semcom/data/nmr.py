"""NMR: the Neural 3D Mesh Renderer renders of ShapeNet (13 classes, 24 azimuths, 64x64).

The data is not redistributable here; point semcom at a copy on disk with ``root=`` (CLI
``--root``) or ``$SEMCOM_NMR_ROOT``. Expected layout (as distributed)::

    <root>/<synset>/softras_{train,val,test}.lst     object ids, one per line
    <root>/<synset>/<object>/image/0000.png .. 0023.png

The four canonical views are the azimuth indices in :data:`VIEW_INDICES` (front, right, back,
left at 90-degree steps). RGBA images are composited on white, like the mvshapes renders.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from semcom.data.base import DatasetInfo
from semcom.errors import SemcomError

ROOT_ENV = "SEMCOM_NMR_ROOT"
SYNSETS: dict[str, str] = {
    "02691156": "airplane", "02828884": "bench", "02933112": "cabinet", "02958343": "car",
    "03001627": "chair", "03211117": "display", "03636649": "lamp", "03691459": "loudspeaker",
    "04090263": "rifle", "04256520": "sofa", "04379243": "table", "04401088": "telephone",
    "04530566": "watercraft",
}
#: view name -> image index among the 24 azimuths (15-degree steps).
VIEW_INDICES: dict[str, int] = {"front": 0, "right": 6, "back": 12, "left": 18}
NATIVE_SIZE = 64

INFO = DatasetInfo(
    name="nmr",
    description="ShapeNet NMR renders (13 classes) from disk, 4 canonical azimuths",
    view_names=tuple(VIEW_INDICES),
    class_names=tuple(SYNSETS.values()),
    sizes=(64, 32),
    default_size=64,
    default_counts={},
    background=(1.0, 1.0, 1.0),
)


def resolve_root(root: str | Path | None) -> Path:
    """The NMR root from the argument or $SEMCOM_NMR_ROOT, checked to exist."""
    root = root or os.environ.get(ROOT_ENV)
    if not root:
        raise SemcomError(f"the nmr dataset needs its folder: pass --root DIR or set ${ROOT_ENV}")
    path = Path(root).expanduser()
    if not path.is_dir():
        raise SemcomError(f"NMR root {path} is not a folder; expected <root>/<synset>/<object>/image/0000.png")
    return path


def list_objects(root: Path, split: str) -> list[tuple[Path, int]]:
    """(object folder, label) for every object of ``split`` under ``root``, synsets in label order."""
    objects: list[tuple[Path, int]] = []
    present = [s for s in SYNSETS if (root / s).is_dir()]
    if not present:
        known = ", ".join(SYNSETS)
        raise SemcomError(f"no ShapeNet synset folder under {root} (expected some of: {known})")
    for label, synset in enumerate(SYNSETS):
        if synset not in present:
            continue
        listing = root / synset / f"softras_{split}.lst"
        if not listing.is_file():
            raise SemcomError(f"malformed NMR folder: {listing} is missing")
        for line in listing.read_text().split():
            objects.append((root / synset / line.strip(), label))
    if not objects:
        raise SemcomError(f"the {split} lists under {root} name no objects")
    return objects


def _load_view(path: Path, size: int) -> np.ndarray:
    """One view as [3, size, size] uint8, alpha composited on white."""
    from PIL import Image

    if not path.is_file():
        raise SemcomError(f"malformed NMR folder: {path} is missing")
    try:
        image = Image.open(path)
        image.load()
    except OSError as err:
        raise SemcomError(f"cannot read {path}: {err}") from err
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32)
    if rgba.shape[:2] != (NATIVE_SIZE, NATIVE_SIZE):
        raise SemcomError(f"{path} is {rgba.shape[1]}x{rgba.shape[0]}, expected {NATIVE_SIZE}x{NATIVE_SIZE}")
    alpha = rgba[..., 3:] / 255.0
    rgb = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
    if size != NATIVE_SIZE:
        f = NATIVE_SIZE // size
        rgb = rgb.reshape(size, f, size, f, 3).mean(axis=(1, 3))
    return np.rint(rgb).astype(np.uint8).transpose(2, 0, 1)


def build_arrays(
    split: str,
    size: int,
    n: int | None,
    seed: int,
    *,
    root: str | Path | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Read a split from disk. ``n`` takes a seeded random subset. Returns images
    [N, 4, 3, size, size] uint8 and labels [N] int64."""
    from tqdm.auto import tqdm

    objects = list_objects(resolve_root(root), split)
    if n is not None and n < len(objects):
        keep = np.sort(np.random.default_rng(seed).choice(len(objects), size=n, replace=False))
        objects = [objects[i] for i in keep]
    images = np.empty((len(objects), INFO.num_views, 3, size, size), dtype=np.uint8)
    labels = np.array([label for _, label in objects], dtype=np.int64)
    for i, (folder, _) in enumerate(tqdm(objects, desc=f"nmr {split}", unit="obj", disable=not progress)):
        for v, index in enumerate(VIEW_INDICES.values()):
            images[i, v] = _load_view(folder / "image" / f"{index:04d}.png", size)
    return images, labels
