"""Checkpoints as safetensors (tensors) + JSON (kind, typed config, metadata); never pickles.

A checkpoint ``name`` is the pair ``name.safetensors`` and ``name.json``; the JSON holds
``{"format": 1, "kind": ..., "config": {...}, "meta": {...}}``. Model-specific helpers build
the module from its config and check that an autoencoder fits a dataset (views, channels,
image size) with a one-line :class:`~semcom.errors.SemcomError` otherwise.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from semcom.errors import SemcomError
from semcom.models.autoencoder import AutoencoderConfig, LatentStats, MultiViewAutoencoder
from semcom.models.score_net import ScoreNet, ScoreNetConfig, build_score_net
from semcom.models.train_config import config_from_mapping
from semcom.paths import atomic_write_bytes

FORMAT = 1
HALF_DTYPES = (torch.float16, torch.bfloat16)  # stored half precision, loaded as float32


def checkpoint_paths(path: str | Path) -> tuple[Path, Path]:
    """(tensors file, JSON file) of checkpoint ``path`` (with or without a suffix)."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".safetensors", ".json") else path
    return stem.with_name(stem.name + ".safetensors"), stem.with_name(stem.name + ".json")


def save_checkpoint(
    path: str | Path,
    kind: str,
    tensors: dict[str, torch.Tensor],
    config: dict[str, Any],
    meta: dict[str, Any] | None = None,
) -> Path:
    """Write ``path.safetensors`` and ``path.json`` atomically; returns the tensors file."""
    tensor_file, json_file = checkpoint_paths(path)
    flat = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    header = {"format": FORMAT, "kind": kind, "config": config, "meta": meta or {}}
    atomic_write_bytes(tensor_file, save_safetensors(flat))
    atomic_write_bytes(json_file, (json.dumps(header, indent=2, sort_keys=True) + "\n").encode())
    return tensor_file


def load_checkpoint(
    path: str | Path, kind: str | None = None
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a checkpoint: (tensors, header). Checks both files exist and the kind matches."""
    tensor_file, json_file = checkpoint_paths(path)
    for f in (tensor_file, json_file):
        if not f.is_file():
            raise SemcomError(f"checkpoint file {f} not found")
    try:
        header = json.loads(json_file.read_text())
    except json.JSONDecodeError as err:
        raise SemcomError(f"checkpoint config {json_file} is not valid JSON: {err}") from None
    if header.get("format") != FORMAT:
        raise SemcomError(
            f"checkpoint {json_file} has format {header.get('format')!r}; expected {FORMAT}"
        )
    if kind is not None and header.get("kind") != kind:
        raise SemcomError(f"checkpoint {json_file} holds a {header.get('kind')!r}, not a {kind!r}")
    tensors = load_safetensors(tensor_file.read_bytes())
    # weights stored in half precision (export_checkpoint) compute in float32
    return {k: v.float() if v.dtype in HALF_DTYPES else v for k, v in tensors.items()}, header


def export_checkpoint(source: str | Path, dest: str | Path, *, half: bool = False) -> Path:
    """Copy checkpoint ``source`` to ``dest`` (e.g. into the bundled models), optionally with its
    float32 weights stored as float16 (half the size; rounding error about 5e-4 relative).
    Latent statistics (``stats.*``) and non-float tensors keep their type. The JSON's meta
    records ``stored_dtype``. Returns the tensors file."""
    tensors, header = load_checkpoint(source)
    if half:
        for key, value in tensors.items():
            if value.dtype == torch.float32 and not key.startswith("stats."):
                if value.abs().max() > torch.finfo(torch.float16).max:
                    raise SemcomError(f"checkpoint {source}: tensor {key} overflows float16")
                tensors[key] = value.half()
    meta = dict(header.get("meta") or {}, stored_dtype="float16" if half else "float32")
    return save_checkpoint(dest, header["kind"], tensors, header["config"], meta)


def _load_state(module: torch.nn.Module, tensors: dict[str, torch.Tensor], prefix: str, where: str):
    state = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
    try:
        module.load_state_dict(state)
    except RuntimeError as err:
        first = str(err).splitlines()[0]
        raise SemcomError(f"checkpoint {where} does not match its config: {first}") from None


# -- autoencoder -----------------------------------------------------------------------------------
def save_autoencoder(
    path: str | Path,
    autoencoder: MultiViewAutoencoder,
    stats: LatentStats | None,
    meta: dict | None = None,
) -> Path:
    """Save weights (``model.*``) and latent statistics (``stats.mean``/``stats.std`` [V, D])."""
    tensors = {f"model.{k}": v for k, v in autoencoder.state_dict().items()}
    if stats is not None:
        tensors["stats.mean"], tensors["stats.std"] = stats.mean, stats.std
    return save_checkpoint(
        path, "autoencoder", tensors, dataclasses.asdict(autoencoder.config), meta
    )


def load_autoencoder(
    path: str | Path,
    *,
    views: int | None = None,
    channels: int | None = None,
    image_size: int | None = None,
    dataset: str = "the dataset",
    require_stats: bool = False,
) -> tuple[MultiViewAutoencoder, LatentStats | None, dict[str, Any]]:
    """Load (autoencoder in eval mode, latent stats or None, meta), checking it fits the data;
    require_stats: a one-line error if the checkpoint has no latent statistics."""
    tensors, header = load_checkpoint(path, kind="autoencoder")
    config = config_from_mapping(
        AutoencoderConfig, header["config"], f"autoencoder checkpoint {path}"
    )
    check_fits(
        config, views=views, channels=channels, image_size=image_size, dataset=dataset, path=path
    )
    model = MultiViewAutoencoder(config)
    _load_state(model, tensors, "model.", str(path))
    stats = None
    if "stats.mean" in tensors:
        stats = LatentStats(mean=tensors["stats.mean"], std=tensors["stats.std"])
    elif require_stats:
        raise SemcomError(f"autoencoder checkpoint {path} has no latent statistics")
    return model.eval(), stats, header["meta"]


def check_fits(
    config: AutoencoderConfig,
    *,
    views: int | None,
    channels: int | None,
    image_size: int | None,
    dataset: str = "the dataset",
    path: str | Path = "",
) -> None:
    """Raise a one-line SemcomError if the checkpoint's views/channels/image size differ."""
    want = {"views": views, "channels": channels, "image size": image_size}
    have = {"views": config.views, "channels": config.channels, "image size": config.image_size}
    bad = [k for k, v in want.items() if v is not None and v != have[k]]
    if bad:
        got = ", ".join(f"{k} {have[k]}" for k in bad)
        need = ", ".join(f"{k} {want[k]}" for k in bad)
        raise SemcomError(
            f"checkpoint {path} does not fit {dataset}: it was trained for {got}, the data has "
            f"{need} (train one with `semcom train autoencoder` or pick a matching --size)"
        )


# -- score network ---------------------------------------------------------------------------------
def save_score_net(path: str | Path, net: ScoreNet, meta: dict | None = None) -> Path:
    """Save the (EMA) score network's weights (``model.*``) and config."""
    tensors = {f"model.{k}": v for k, v in net.state_dict().items()}
    return save_checkpoint(path, "score_net", tensors, dataclasses.asdict(net.config), meta)


def load_score_net(
    path: str | Path, *, views: int | None = None, latent_dim: int | None = None
) -> tuple[ScoreNet, dict[str, Any]]:
    """Load (score net in eval mode, meta), checking V and D against the autoencoder's."""
    tensors, header = load_checkpoint(path, kind="score_net")
    config = config_from_mapping(ScoreNetConfig, header["config"], f"score net checkpoint {path}")
    for name, want, have in (
        ("views", views, config.views),
        ("latent_dim", latent_dim, config.latent_dim),
    ):
        if want is not None and want != have:
            raise SemcomError(
                f"score net checkpoint {path} was trained for {name} {have}, but the autoencoder "
                f"gives {name} {want}"
            )
    net = build_score_net(config)
    _load_state(net, tensors, "model.", str(path))
    return net.eval(), header["meta"]


# -- optimiser state (for resumable training) ------------------------------------------------------
def optimizer_to_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict]:
    """Split an optimiser state_dict into tensors (``optim.<param>.<key>``) and JSON data."""
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for idx, entry in state["state"].items():
        for key, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim.{idx}.{key}"] = value
            else:
                scalars.setdefault(str(idx), {})[key] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def optimizer_from_tensors(
    optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], data: dict
) -> None:
    """Inverse of :func:`optimizer_to_tensors`: load the state into ``optimizer``."""
    state: dict[int, dict[str, Any]] = {}
    for name, value in tensors.items():
        if name.startswith("optim."):
            _, idx, key = name.split(".", 2)
            state.setdefault(int(idx), {})[key] = value
    for idx, entry in data.get("scalars", {}).items():
        state.setdefault(int(idx), {}).update(entry)
    # JSON turned tuples (Adam's betas) into lists; 'params' is a list of indices
    groups = [
        {k: tuple(v) if isinstance(v, list) and k != "params" else v for k, v in group.items()}
        for group in data["param_groups"]
    ]
    optimizer.load_state_dict({"state": state, "param_groups": groups})
