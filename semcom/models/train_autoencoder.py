"""Train the per-view autoencoder (L1 / Laplace loss), then store latent statistics with it.

Outputs in ``out_dir``: ``autoencoder.{safetensors,json}`` (weights, config, latent mean/std
over the whole training set, training metadata), ``train_log.csv`` (one row per validation)
and ``resume.{safetensors,json}`` (to continue an interrupted run with the same command).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from semcom.models.autoencoder import (
    AutoencoderConfig,
    MultiViewAutoencoder,
    compute_latent_stats,
    laplace_loss,
)
from semcom.models.checkpoint import save_autoencoder
from semcom.models.train_config import RunConfig, positive
from semcom.models.training import (
    TrainState,
    check_view_images,
    optimiser_step,
    run_summary,
    run_training,
    try_resume,
)

AUTOENCODER_NAME = "autoencoder"


@dataclass(frozen=True)
class AutoencoderTrainConfig(RunConfig):
    """An autoencoder training run (loadable from TOML): :class:`RunConfig` plus the model."""

    latent_dim: int = 64
    widths: tuple[int, ...] = (32, 64, 128)
    shared: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        positive("AutoencoderTrainConfig", latent_dim=self.latent_dim)


@torch.no_grad()
def evaluate_autoencoder(
    model: MultiViewAutoencoder, images: torch.Tensor, batch_size: int = 256
) -> dict[str, float]:
    """Mean L1 and PSNR (dB, per image then averaged) of the reconstructions of uint8 images."""
    model.eval()
    l1 = psnr = 0.0
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].float() / 255.0
        x_hat = model(x)
        l1 += (x_hat - x).abs().mean(dim=(2, 3, 4)).sum().item()
        mse = ((x_hat - x) ** 2).mean(dim=(2, 3, 4)).clamp(min=1e-10)
        psnr += (-10 * torch.log10(mse)).sum().item()
    model.train()
    n = images.shape[0] * images.shape[1]
    return {"val_l1": l1 / n, "val_psnr": psnr / n}


def train_autoencoder(
    config: AutoencoderTrainConfig,
    train_images: torch.Tensor,
    val_images: torch.Tensor,
    out_dir: str | Path,
    *,
    progress: bool = True,
) -> Path:
    """Train on uint8 images [N, V, C, H, W]; returns the path of the final checkpoint.

    Sets torch's intra-op threads to ``config.threads`` (process-wide).
    """
    v, c, h = check_view_images(train_images, "autoencoder")
    out_dir = Path(out_dir)
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)  # weight initialisation
    ae_config = AutoencoderConfig(
        views=v,
        channels=c,
        image_size=h,
        latent_dim=config.latent_dim,
        widths=config.widths,
        shared=config.shared,
    )
    model = MultiViewAutoencoder(ae_config).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    state = TrainState({"model": model}, optimizer, torch.Generator().manual_seed(config.seed))
    try_resume(out_dir, state, config)

    def step() -> float:
        idx = torch.randint(0, len(train_images), (config.batch_size,), generator=state.generator)
        x = train_images[idx].float() / 255.0
        return optimiser_step(optimizer, laplace_loss(model(x, clamp=False), x))

    rows = run_training(
        state=state,
        config=config,
        out_dir=out_dir,
        step_fn=step,
        validate=lambda: evaluate_autoencoder(model, val_images),
        desc="autoencoder",
        progress=progress,
    )
    model.eval()
    stats = compute_latent_stats(model, train_images)
    meta = run_summary(config, state, rows)
    meta["train_objects"] = int(len(train_images))
    return save_autoencoder(out_dir / AUTOENCODER_NAME, model, stats, meta)
