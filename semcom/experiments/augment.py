"""Multi-view augmentation of a single-view set: the imputer generates the missing views.

Each object of a single-view split is given to the imputer with only its real view observed;
the imputer returns all V views, the real one passed through unchanged. Generation runs once
per split and is cached as safetensors in ``<cache>/dimvida/``, keyed by the imputer's weights
digest, its sampler settings and the split (which objects, which views, generation seed).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save

from semcom.models.imputer import Imputer
from semcom.paths import atomic_write_bytes, cache_dir


def imputer_digest(imputer: Imputer) -> str:
    """sha256 (16 hex) of every weight tensor the imputer holds and of its sampler settings.

    Hashed: the state of every ``nn.Module`` attribute, every str/int/float/bool attribute but
    the per-call records (``last_*``, e.g. ``last_nfe``), the latent statistics and the schedule.
    """
    h = hashlib.sha256(type(imputer).__name__.encode())
    for attr in sorted(vars(imputer)):
        value = vars(imputer)[attr]
        if isinstance(value, torch.nn.Module):
            for name, tensor in sorted(value.state_dict().items()):
                h.update(f"{attr}.{name}{tuple(tensor.shape)}{tensor.dtype}".encode())
                h.update(tensor.detach().cpu().contiguous().view(torch.uint8).numpy().tobytes())
        elif isinstance(value, str | int | float | bool) and not attr.startswith("last_"):
            h.update(f"{attr}={value!r}".encode())
    stats = getattr(imputer, "stats", None)
    for tensor in (getattr(stats, "mean", None), getattr(stats, "std", None)):
        if isinstance(tensor, torch.Tensor):
            h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    schedule = getattr(imputer, "schedule", None)
    if isinstance(schedule, torch.Tensor):
        h.update(schedule.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """float images in [0, 1] -> uint8 (rounded, clamped)."""
    return images.clamp(0, 1).mul(255).round().to(torch.uint8)


@torch.no_grad()
def generate_views(
    imputer: Imputer,
    real: torch.Tensor,
    view_index: torch.Tensor,
    generator: torch.Generator,
    *,
    batch_size: int = 100,
    progress: bool = True,
) -> torch.Tensor:
    """All V views of each object given its one real view.

    real: [N, C, H, W] uint8, the real view of each object; view_index: [N] int64 in [0, V),
    which camera it is. Returns [N, V, C, H, W] uint8 whose row ``view_index[i]`` is ``real[i]``
    and whose other rows are generated. Batches run in order with one generator: same
    generator seed and batch size -> same output.
    """
    from tqdm.auto import tqdm

    n, views = real.shape[0], imputer.num_views
    out = torch.empty((n, views, *real.shape[1:]), dtype=torch.uint8)
    starts = range(0, n, batch_size)
    for start in tqdm(starts, desc="generating views", unit="batch", disable=not progress):
        stop = min(start + batch_size, n)
        observed = torch.nn.functional.one_hot(view_index[start:stop], views).bool()
        full = torch.zeros((stop - start, views, *real.shape[1:]), dtype=torch.float32)
        full[observed] = real[start:stop].float() / 255.0
        out[start:stop] = to_uint8(imputer.impute(full, observed, generator))
        out[start:stop][observed] = real[start:stop]  # the real view exactly, whatever the imputer does
    return out


def augmented_cache_path(key: dict) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return cache_dir("dimvida") / f"{key['split']}-n{key['n']}-{digest}.safetensors"


def load_or_generate(
    imputer: Imputer,
    real: torch.Tensor,
    view_index: torch.Tensor,
    key: dict,
    *,
    seed: int,
    batch_size: int = 100,
    progress: bool = True,
) -> tuple[torch.Tensor, Path, bool]:
    """:func:`generate_views` through the cache. Returns (views [N, V, C, H, W] uint8, file, hit).

    key: what identifies the split (dataset, objects, views, ...); the imputer digest, the
    seed, the batch size and a digest of ``real`` and ``view_index`` are added to it.
    """
    full_key = {
        **key, "n": int(real.shape[0]), "imputer": imputer_digest(imputer), "seed": int(seed),
        "batch_size": int(batch_size),
        "inputs": hashlib.sha256(real.numpy().tobytes() + view_index.numpy().tobytes()).hexdigest()[:16],
    }
    full_key.setdefault("split", "split")
    path = augmented_cache_path(full_key)
    if path.is_file():
        return load_file(path)["views"], path, True
    generator = torch.Generator().manual_seed(int(seed))
    views = generate_views(imputer, real, view_index, generator, batch_size=batch_size, progress=progress)
    atomic_write_bytes(path, save({"views": views.contiguous()}, metadata={"key": json.dumps(full_key, sort_keys=True)}))
    return views, path, False
