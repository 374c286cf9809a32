"""Exporting a trained checkpoint (into the bundled models): checked against the model it
describes, any kind: the MVLD autoencoder and score net, or a peer VAE.

Kept apart from :mod:`semcom.models.checkpoint` because it needs every model family
(:mod:`semcom.models.peers.registry` builds the VAEs and itself loads through the checkpoint
module), so the checkpoint module stays below the models that use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from semcom.errors import SemcomError
from semcom.models.checkpoint import (
    _autoencoder_from,
    _jscc_from,
    _score_net_from,
    checkpoint_paths,
    load_checkpoint,
    load_module_state,
    save_checkpoint,
)
from semcom.models.peers.registry import METHODS, build_model


def export_checkpoint(source: str | Path, dest: str | Path, *, half: bool = False) -> Path:
    """Copy checkpoint ``source`` to ``dest`` (e.g. into the bundled models), optionally with its
    float32 weights stored as float16 (half the size; rounding error about 5e-4 relative).
    Latent statistics (``stats.*``) and non-float tensors keep their type. The JSON's meta
    records ``stored_dtype``. Returns the tensors file.

    The source must be a model (:data:`MODEL_KINDS`) whose tensors fit its config: a damaged
    or mismatched file is refused before anything is written."""
    tensors, header = load_checkpoint(source)
    check_model_checkpoint(source, tensors, header)
    if half:
        for key, value in tensors.items():
            if value.dtype == torch.float32 and not key.startswith("stats."):
                if value.abs().max() > torch.finfo(torch.float16).max:
                    raise SemcomError(f"checkpoint {source}: tensor {key} overflows float16")
                tensors[key] = value.half()
    meta = dict(header.get("meta") or {}, stored_dtype="float16" if half else "float32")
    return save_checkpoint(dest, header["kind"], tensors, header["config"], meta)


#: kinds of checkpoint that hold a model (the peer VAEs are named by their method)
MODEL_KINDS = ("autoencoder", "score_net", "jscc", "smvae", "mopoe", "mvae")


def check_model_checkpoint(
    path: str | Path, tensors: dict[str, torch.Tensor], header: dict[str, Any]
) -> torch.nn.Module:
    """Build the model a checkpoint's header describes and load its tensors into it (checked);
    returns the model. A one-line :class:`SemcomError` for another kind or a mismatch."""
    kind = header["kind"]
    if kind == "autoencoder":
        return _autoencoder_from(path, tensors, header)[0]
    if kind == "score_net":
        return _score_net_from(path, tensors, header)
    if kind == "jscc":
        return _jscc_from(path, tensors, header)
    if kind in METHODS:
        model = build_model(kind, header["config"], f"{kind} checkpoint {path}")
        load_module_state(model, tensors, "model.", str(checkpoint_paths(path)[0]))
        return model
    raise SemcomError(
        f"checkpoint {checkpoint_paths(path)[1]} holds a {kind!r}, not a model; allowed: "
        + ", ".join(MODEL_KINDS)
    )
