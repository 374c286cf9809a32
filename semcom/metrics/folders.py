"""Reading two folders of PNG images paired by file name (for ``semcom metrics``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from semcom.errors import SemcomError

IMAGE_SUFFIX = ".png"

#: Pillow modes of 16-bit or float images (not 8-bit grey levels)
_HIGH_DEPTH_MODES = ("I;16", "I;16B", "I;16L", "I", "F")


def read_png(path: Path) -> torch.Tensor:
    """One PNG as [C, H, W] float32 in [0, 1]: C = 1 for grey images, else 3 (alpha dropped)."""
    try:
        with Image.open(path) as img:
            img.load()
            source_mode = img.mode
            pixels = None
            if source_mode not in _HIGH_DEPTH_MODES:
                pixels = np.array(img.convert("L" if source_mode in ("1", "L") else "RGB"))
    except (OSError, ValueError) as err:
        raise SemcomError(f"cannot read image {path}: {err}") from None
    if pixels is None:
        raise SemcomError(f"{path}: only 8-bit PNGs are supported, got mode {source_mode}")
    tensor = torch.from_numpy(pixels)
    tensor = tensor[None] if tensor.ndim == 2 else tensor.permute(2, 0, 1)
    return tensor.float() / 255.0


def _png_names(folder: Path) -> list[str]:
    if not folder.exists():
        raise SemcomError(f"folder {folder} does not exist")
    if not folder.is_dir():
        raise SemcomError(f"{folder} is not a folder")
    names = sorted(
        p.name for p in folder.iterdir() if p.suffix.lower() == IMAGE_SUFFIX and p.is_file()
    )
    if not names:
        raise SemcomError(f"folder {folder} holds no {IMAGE_SUFFIX} files")
    return names


def paired_png_names(dir_a: Path, dir_b: Path) -> list[str]:
    """The sorted PNG file names two folders share; an error unless they hold the same names."""
    dir_a, dir_b = Path(dir_a), Path(dir_b)
    names_a, names_b = _png_names(dir_a), _png_names(dir_b)
    if names_a != names_b:
        only_a = sorted(set(names_a) - set(names_b))
        only_b = sorted(set(names_b) - set(names_a))
        detail = "; ".join(
            f"only in {folder}: {', '.join(only[:3])}{' ...' if len(only) > 3 else ''} "
            f"({len(only)})"
            for folder, only in ((dir_a, only_a), (dir_b, only_b))
            if only
        )
        raise SemcomError(f"the folders' PNG names do not pair up: {detail}")
    return names_a


def read_images(folder: Path, names: list[str], like: torch.Tensor | None = None) -> torch.Tensor:
    """Read ``names`` from ``folder`` as [N, C, H, W] float32 in [0, 1].

    All images must share the size and channels of the first one, or of ``like`` ([C, H, W]).
    """
    images = [read_png(Path(folder) / n) for n in names]
    first = like if like is not None else images[0]
    for name, img in zip(names, images, strict=True):
        if img.shape != first.shape:
            raise SemcomError(
                f"{Path(folder) / name} is {_describe(img)} but the first image is "
                f"{_describe(first)}; "
                "all images must have the same size and channels"
            )
    return torch.stack(images)


def read_paired_folders(dir_a: Path, dir_b: Path) -> tuple[list[str], torch.Tensor, torch.Tensor]:
    """All PNGs of two folders, paired by file name: (names, a, b), a, b: [N, C, H, W] in [0, 1]."""
    names = paired_png_names(dir_a, dir_b)
    a = read_images(dir_a, names)
    return names, a, read_images(dir_b, names, like=a[0])


def _describe(img: torch.Tensor) -> str:
    c, h, w = img.shape
    return f"{w}x{h} {'grey' if c == 1 else 'RGB'}"
