"""Train a multimodal VAE (SMVAE, MoPoE-VAE or MVAE) on complete multi-view objects.

Outputs in ``out_dir``: ``<method>.{safetensors,json}`` (weights, config, training metadata),
``train_log.csv`` (one row per validation) and ``resume.{safetensors,json}`` (continue an
interrupted run with the same command). Validation: the negative ELBO terms on the validation
objects and the pixel L1 of the views imputed (posterior mean) from all views and from one view;
given the validation labels and a view classifier (the command line passes the bundled one when
the dataset has one), also the coherence of both, so the log shows when the model becomes a fair
baseline (reconstruction coherence >= 90 %) without a separate evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import torch

from semcom.errors import SemcomError
from semcom.metrics.coherence import Predictor
from semcom.models.peers.base import PeerImputer, PeerVAE
from semcom.models.peers.registry import build_model, save_peer
from semcom.models.train_config import RunConfig
from semcom.models.training import (
    TrainState,
    check_view_images,
    optimiser_step,
    run_summary,
    run_training,
    try_resume,
)

VAL_OBJECTS = 256


@dataclass(frozen=True)
class PeerTrainConfig(RunConfig):
    """A VAE training run (loadable from TOML): :class:`RunConfig` plus ``model``, a table of
    the method's config fields other than views/channels/image_size (see :mod:`.registry`)."""

    KIND: ClassVar[str] = "peer"  # the experiments/ file kind (semcom.config_kinds)

    model: dict[str, Any] = field(default_factory=dict)


@torch.no_grad()
def validate_peer(
    model: PeerVAE,
    images: torch.Tensor,
    seed: int = 0,
    *,
    labels: torch.Tensor | None = None,
    predict: Predictor | None = None,
) -> dict[str, float]:
    """ELBO terms and imputation quality on uint8 images [N, V, C, H, W] (fixed seed, <= 256 objects).

    val_l1_all: mean |x - x_hat| of the reconstructions with every view observed;
    val_l1_one: the same over the missing views when only view 0 is observed.
    With labels [N] and predict (images [..., C, H, W] -> classes [...]) also
    val_coherence_all: fraction of those reconstructions classified as the object's class
    (the fair-baseline check of ``semcom peers table``), and val_coherence_one: the same for
    the views imputed from view 0 (conditional coherence with one observed view).
    """
    if (labels is None) != (predict is None):
        raise SemcomError("validate_peer: pass both labels and predict, or neither")
    model.eval()
    x = images[:VAL_OBJECTS].float() / 255.0
    terms = model.loss(x, torch.Generator().manual_seed(seed))
    imputer = PeerImputer(model, latent="mean", observed_output="decoded")
    full = torch.ones(x.shape[:2], dtype=torch.bool)
    one = torch.zeros_like(full)
    one[:, 0] = True
    gen = torch.Generator().manual_seed(seed)
    from_all = imputer.impute(x, full, gen)
    from_one = imputer.impute(x, one, gen)[:, 1:]
    metrics = {
        "val_loss": terms["loss"].item(),
        "val_recon": terms["recon"].item(),
        "val_kl": terms["kl"].item(),
        "val_l1_all": (from_all - x).abs().mean().item(),
        "val_l1_one": (from_one - x[:, 1:]).abs().mean().item(),
    }
    if predict is not None:
        y = labels[: len(x), None]
        metrics["val_coherence_all"] = (predict(from_all) == y).float().mean().item()
        metrics["val_coherence_one"] = (predict(from_one) == y).float().mean().item()
    model.train()
    return metrics


def train_peer(
    method: str,
    config: PeerTrainConfig,
    train_images: torch.Tensor,
    val_images: torch.Tensor,
    out_dir: str | Path,
    *,
    progress: bool = True,
    val_labels: torch.Tensor | None = None,
    predict: Predictor | None = None,
) -> Path:
    """Train ``method`` on uint8 images [N, V, C, H, W]; returns the final checkpoint's path.

    val_labels [N_val] and predict: also log validation coherence (see :func:`validate_peer`).
    """
    v, c, h = check_view_images(train_images, method)
    reserved = sorted({"views", "channels", "image_size"} & set(config.model))
    if reserved:
        raise SemcomError(f"[model] must not set {', '.join(reserved)}: they come from the data")
    out_dir = Path(out_dir)
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)  # weight initialisation
    model = build_model(
        method, {**config.model, "views": v, "channels": c, "image_size": h}, "[model]"
    ).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    state = TrainState({"model": model}, optimizer, torch.Generator().manual_seed(config.seed))
    try_resume(out_dir, state, config)

    def step() -> float:
        idx = torch.randint(0, len(train_images), (config.batch_size,), generator=state.generator)
        return optimiser_step(optimizer, model.loss(train_images[idx].float() / 255.0, state.generator)["loss"])

    rows = run_training(
        state=state,
        config=config,
        out_dir=out_dir,
        step_fn=step,
        validate=lambda: validate_peer(
            model, val_images, config.seed, labels=val_labels, predict=predict
        ),
        desc=method,
        progress=progress,
    )
    meta = run_summary(config, state, rows)
    meta["train_objects"] = int(len(train_images))
    return save_peer(out_dir / method, model.eval(), meta)
