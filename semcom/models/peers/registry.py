"""Method name -> (config class, model class), and safetensors + JSON checkpoints of the VAEs.

A checkpoint's JSON holds ``kind`` = the method name and the typed model config; the tensors
are the model's state_dict under ``model.``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from semcom.errors import SemcomError, check_choice
from semcom.models.checkpoint import (
    checkpoint_paths,
    load_checkpoint,
    load_module_state,
    save_checkpoint,
)
from semcom.models.peers.base import PeerConfig, PeerVAE
from semcom.models.peers.mopoe import MoPoEConfig, MoPoEVAE
from semcom.models.peers.mvae import MVAE, MVAEConfig
from semcom.models.peers.smvae import SMVAE, SMVAEConfig
from semcom.models.train_config import config_from_mapping

#: method -> (config class, model class)
METHODS: dict[str, tuple[type[PeerConfig], type[PeerVAE]]] = {
    "smvae": (SMVAEConfig, SMVAE),
    "mopoe": (MoPoEConfig, MoPoEVAE),
    "mvae": (MVAEConfig, MVAE),
}


def build_model(method: str, config: dict[str, Any], where: str = "model config") -> PeerVAE:
    """A fresh model of ``method`` from a mapping of its config fields (validated)."""
    check_choice("method", method, METHODS)
    config_cls, model_cls = METHODS[method]
    return model_cls(config_from_mapping(config_cls, config, where))


def save_peer(path: str | Path, model: PeerVAE, meta: dict | None = None) -> Path:
    """Write ``path.safetensors`` + ``path.json``; returns the tensors file."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    return save_checkpoint(path, model.method, tensors, dataclasses.asdict(model.config), meta)


def load_peer(
    path: str | Path,
    method: str,
    *,
    views: int | None = None,
    channels: int | None = None,
    image_size: int | None = None,
) -> tuple[PeerVAE, dict[str, Any]]:
    """Load (model in eval mode, meta), checking the method and that it fits the data."""
    check_choice("method", method, METHODS)
    tensors, header = load_checkpoint(path, kind=method)
    model = build_model(method, header["config"], f"{method} checkpoint {path}")
    c = model.config
    for name, want, have in (
        ("views", views, c.views),
        ("channels", channels, c.channels),
        ("image size", image_size, c.image_size),
    ):
        if want is not None and want != have:
            raise SemcomError(
                f"{method} checkpoint {path} was trained for {name} {have}, the data has {want}"
            )
    load_module_state(model, tensors, "model.", str(checkpoint_paths(path)[0]))
    return model.eval(), header["meta"]
