"""Train the per-view autoencoder (L1 / Laplace loss), then store latent statistics with it.

Outputs in ``out_dir``: ``autoencoder.{safetensors,json}`` (weights, config, latent mean/std
over the whole training set, training metadata), ``train_log.csv`` (one row per validation)
and ``resume.{safetensors,json}`` (to continue an interrupted run with the same command).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import torch

from semcom.errors import SemcomError, check_choice
from semcom.models.autoencoder import (
    ELEMENT_LOSSES,
    AutoencoderConfig,
    MultiViewAutoencoder,
    compute_latent_stats,
    reconstruction_loss,
)
from semcom.models.checkpoint import save_autoencoder
from semcom.models.colour import srgb_to_lab
from semcom.models.train_config import RunConfig, check_init_design, positive
from semcom.models.training import (
    PRECISIONS,
    TrainState,
    autocast,
    check_view_images,
    optimiser_step,
    run_summary,
    run_training,
    try_resume,
)

AUTOENCODER_NAME = "autoencoder"
#: what a run trains: everything, or only the decoders (a better decoder for latents, and a
#: score network trained on them, that stay the same)
TRAIN_PARTS = ("all", "decoder")


@dataclass(frozen=True)
class AutoencoderTrainConfig(RunConfig):
    """An autoencoder training run (loadable from TOML): :class:`RunConfig` plus the model."""

    KIND: ClassVar[str] = "autoencoder"  # the experiments/ file kind (semcom.config_kinds)

    latent_dim: int = 64
    widths: tuple[int, ...] = (32, 64, 128)
    shared: bool = True
    arch: str = "resnet"  # see semcom.models.autoencoder.ARCHITECTURES
    blocks: int = 1  # residual blocks per stage ("resnet")
    groups: int = 8  # GroupNorm groups ("resnet")
    spatial: bool = False  # a spatial latent: latent_dim / s^2 channels on the last s x s map ("resnet")
    precision: str = "float32"  # or "bfloat16": autocast of the forward pass (CPU AMX/AVX512-BF16)
    loss: str = "l1"  # per-element error: see semcom.models.autoencoder.ELEMENT_LOSSES
    object_weight: float = 1.0  # loss weight of object pixels against background ones (needs a background colour)
    lab_weight: float = 0.0  # weight of an added L1 loss on CIELAB / 100 (semcom.models.colour)
    init_from: str = ""  # start from this autoencoder checkpoint (same design) instead of at random
    train_part: str = "all"  # or "decoder": the encoder (and the latents, their statistics) stay as they are

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("AutoencoderTrainConfig: train_part", self.train_part, TRAIN_PARTS)
        if self.train_part == "decoder" and not self.init_from:
            raise SemcomError("AutoencoderTrainConfig: train_part = 'decoder' needs init_from (the encoder to keep)")
        self._check()

    def _check(self) -> None:
        positive("AutoencoderTrainConfig", latent_dim=self.latent_dim)
        check_choice("AutoencoderTrainConfig: precision", self.precision, PRECISIONS)
        check_choice("AutoencoderTrainConfig: loss", self.loss, tuple(ELEMENT_LOSSES))
        positive("AutoencoderTrainConfig", object_weight=self.object_weight)
        if not self.lab_weight >= 0:
            raise SemcomError(f"AutoencoderTrainConfig: lab_weight must be >= 0, got {self.lab_weight}")
        self.model_config(views=1, channels=1, image_size=2 ** len(self.widths))  # checks arch etc.

    def model_config(self, views: int, channels: int, image_size: int) -> AutoencoderConfig:
        """The :class:`AutoencoderConfig` this run trains, for views of the given shape."""
        return AutoencoderConfig(
            views=views,
            channels=channels,
            image_size=image_size,
            latent_dim=self.latent_dim,
            widths=self.widths,
            shared=self.shared,
            arch=self.arch,
            blocks=self.blocks,
            groups=self.groups,
            spatial=self.spatial,
        )


def _initial_model(config: AutoencoderTrainConfig, views: int, channels: int, size: int):
    """(model, latent stats) of ``config.init_from``, which must have this run's design."""
    from semcom.models.checkpoint import load_autoencoder

    model, stats, _ = load_autoencoder(config.init_from, views=views, channels=channels, image_size=size)
    check_init_design(config.init_from, model.config, config.model_config(views, channels, size))
    return model.train(), stats


def object_weights(x: torch.Tensor, background: tuple[float, ...], object_weight: float) -> torch.Tensor:
    """Per-pixel loss weights: ``object_weight`` on the object pixels of ``x``
    (:func:`~semcom.metrics.objects.foreground_mask`), 1 on the background.
    x: [B, V, C, H, W] in [0, 1] -> [B, V, 1, H, W]."""
    from semcom.metrics.objects import foreground_mask

    mask = foreground_mask(x.flatten(0, 1), background).reshape(*x.shape[:2], 1, *x.shape[-2:])
    return 1.0 + (object_weight - 1.0) * mask.to(x.dtype)


@torch.no_grad()
def evaluate_autoencoder(
    model: MultiViewAutoencoder,
    images: torch.Tensor,
    batch_size: int = 256,
    background: tuple[float, ...] | None = None,
) -> dict[str, float]:
    """Mean L1 and PSNR (dB, per image then averaged) of the reconstructions of uint8 images
    [N, V, C, H, W]; with the dataset's ``background`` colour also ``val_psnr_fg`` and
    ``val_delta_e`` over the object pixels (:mod:`semcom.metrics.objects`)."""
    from semcom.metrics.objects import delta_e, psnr_fg

    model.eval()
    l1 = psnr = 0.0
    fg: list[torch.Tensor] = []
    de: list[torch.Tensor] = []
    for start in range(0, len(images), batch_size):
        x = images[start : start + batch_size].float() / 255.0
        x_hat = model(x)
        l1 += (x_hat - x).abs().mean(dim=(2, 3, 4)).sum().item()
        mse = ((x_hat - x) ** 2).mean(dim=(2, 3, 4)).clamp(min=1e-10)
        psnr += (-10 * torch.log10(mse)).sum().item()
        if background is not None:
            fg.append(psnr_fg(x.flatten(0, 1), x_hat.flatten(0, 1), background))
            de.append(delta_e(x.flatten(0, 1), x_hat.flatten(0, 1), background))
    model.train()
    n = images.shape[0] * images.shape[1]
    out = {"val_l1": l1 / n, "val_psnr": psnr / n}
    if background is not None:
        out["val_psnr_fg"] = float(torch.cat(fg).nanmean())
        out["val_delta_e"] = float(torch.cat(de).nanmean())
    return out


def train_autoencoder(
    config: AutoencoderTrainConfig,
    train_images: torch.Tensor,
    val_images: torch.Tensor,
    out_dir: str | Path,
    *,
    progress: bool = True,
    background: tuple[float, ...] | None = None,
) -> Path:
    """Train on uint8 images [N, V, C, H, W]; returns the path of the final checkpoint.
    background: the dataset's uniform background colour, for psnr_fg and delta_e in the log.

    Sets torch's intra-op threads to ``config.threads`` (process-wide).
    """
    v, c, h = check_view_images(train_images, "autoencoder")
    out_dir = Path(out_dir)
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)  # weight initialisation
    model = MultiViewAutoencoder(config.model_config(v, c, h)).train()
    kept_stats = None
    if config.init_from:
        model, kept_stats = _initial_model(config, v, c, h)
    params = model.parameters()
    if config.train_part == "decoder":
        for net in model.nets:
            net.encoder.requires_grad_(False)
        params = [q for net in model.nets for q in net.decoder.parameters()]
    optimizer = torch.optim.Adam(params, lr=config.lr)
    state = TrainState({"model": model}, optimizer, torch.Generator().manual_seed(config.seed))
    try_resume(out_dir, state, config)

    if config.object_weight != 1.0 and background is None:
        raise SemcomError(
            f"object_weight = {config.object_weight} needs a dataset with a uniform background "
            "colour (mvshapes, nmr); use object_weight = 1"
        )

    def step() -> float:
        idx = torch.randint(0, len(train_images), (config.batch_size,), generator=state.generator)
        x = train_images[idx].float() / 255.0
        with autocast(config.precision):
            x_hat = model(x, clamp=False).float()
        weight = None
        if config.object_weight != 1.0:
            weight = object_weights(x, background, config.object_weight)
        loss = reconstruction_loss(x_hat, x, config.loss, weight)
        if config.lab_weight > 0:
            lab_hat, lab = srgb_to_lab(x_hat) / 100.0, srgb_to_lab(x) / 100.0
            loss = loss + config.lab_weight * reconstruction_loss(lab_hat, lab, "l1", weight)
        return optimiser_step(optimizer, loss)

    rows = run_training(
        state=state,
        config=config,
        out_dir=out_dir,
        step_fn=step,
        validate=lambda: evaluate_autoencoder(model, val_images, background=background),
        desc="autoencoder",
        progress=progress,
    )
    model.eval()
    if config.train_part == "decoder" and kept_stats is not None:
        stats = kept_stats  # the encoder did not change: the latents the score net knows
    else:
        stats = compute_latent_stats(model, train_images)
    meta = run_summary(config, state, rows)
    meta["train_objects"] = int(len(train_images))
    return save_autoencoder(out_dir / AUTOENCODER_NAME, model, stats, meta)
