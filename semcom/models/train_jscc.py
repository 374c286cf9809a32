"""Train a per-view DeepJSCC (:mod:`semcom.models.jscc`) through the simulated channels.

Each step draws single views from the training objects, splits the batch evenly over the
training ``channels`` (AWGN and block Rayleigh by default: one fading gain per view, perfect
CSI, scalar LMMSE equalisation: the conventions of :class:`channels.analog.AnalogLink`, which the
sweeps use) and draws each view's SNR uniformly in [snr_min_db, snr_max_db]. Loss: mean squared
error of the decoded pixels (PSNR is what DeepJSCC is compared on).

Outputs in ``out_dir``: ``jscc.{safetensors,json}``, ``train_log.csv`` (validation PSNR on
AWGN at 0, 10 and 20 dB and on block Rayleigh at 10 dB; the colour error on AWGN at 10 dB) and
``resume.{safetensors,json}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import torch

from channels.analog import AnalogLink, received_snr_db
from channels.registry import channel_names
from semcom.errors import SemcomError, check_choice
from semcom.models.jscc import DeepJSCC, JSCCConfig
from semcom.models.train_config import RunConfig, check_init_design
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

JSCC_NAME = "jscc"
#: the validation points: (channel, SNR dB) -> the log column of its PSNR
VALIDATION_POINTS = {("awgn", 0.0): "val_psnr_awgn_0", ("awgn", 10.0): "val_psnr_awgn_10",
                     ("awgn", 20.0): "val_psnr_awgn_20", ("rayleigh-block", 10.0): "val_psnr_rayleigh_10"}


@dataclass(frozen=True)
class JSCCTrainConfig(RunConfig):
    """A DeepJSCC training run (loadable from TOML): :class:`RunConfig` plus the model and the
    channels it is trained through. ``batch_size`` counts views."""

    KIND: ClassVar[str] = "jscc"  # the experiments/ file kind (semcom.config_kinds)

    symbols: int = 192  # complex channel symbols per view
    widths: tuple[int, ...] = (32, 64, 128)
    blocks: int = 1
    groups: int = 8
    channels: tuple[str, ...] = ("awgn", "rayleigh-block")
    snr_min_db: float = -5.0  # training SNRs, uniform; also the side information's range
    snr_max_db: float = 25.0
    precision: str = "float32"
    lab_weight: float = 1.0  # weight of an added L1 loss on CIELAB / 100 (semcom.models.colour)
    object_weight: float = 4.0  # loss weight of object pixels against background ones (needs a background colour)
    init_from: str = ""  # start from this DeepJSCC checkpoint (same design) instead of at random

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("JSCCTrainConfig: precision", self.precision, PRECISIONS)
        if not (self.lab_weight >= 0 and self.object_weight > 0):
            raise SemcomError(f"JSCCTrainConfig: lab_weight must be >= 0 and object_weight > 0, got "
                              f"{self.lab_weight} and {self.object_weight}")
        object.__setattr__(self, "channels", tuple(self.channels))
        if not self.channels:
            raise SemcomError("JSCCTrainConfig: channels must name at least one channel; allowed: "
                              + ", ".join(channel_names()))
        for name in self.channels:
            check_choice("JSCCTrainConfig: channels", name, channel_names())
        if self.batch_size % len(self.channels):
            raise SemcomError(f"JSCCTrainConfig: batch_size = {self.batch_size} must split evenly over "
                              f"the {len(self.channels)} channels")
        self.model_config(channels=3, image_size=2 ** len(self.widths))  # widths, the SNR range; symbols at train time

    def model_config(self, channels: int, image_size: int) -> JSCCConfig:
        return JSCCConfig(channels=channels, image_size=image_size, symbols=self.symbols, widths=self.widths,
                          blocks=self.blocks, groups=self.groups, snr_min_db=self.snr_min_db,
                          snr_max_db=self.snr_max_db)


def through_channel(model: DeepJSCC, views: torch.Tensor, channel: str, snr_db: torch.Tensor,
                    generator: torch.Generator, *, clamp: bool = True) -> torch.Tensor:
    """Encode ``views`` [N, C, H, W] at nominal ``snr_db`` [N], send them over ``channel`` (one
    fading block per view, perfect CSI, LMMSE: :class:`~channels.analog.AnalogLink`) and decode
    at the SNR each view was received at. Differentiable; returns [N, C, H, W]."""
    link = AnalogLink()
    z = model.encode(views, snr_db)
    realization = link.draw_realization(channel, z.shape, generator)
    received, _ = link.transmit(z, channel, snr_db, generator, realization=realization)
    return model.decode(received, received_snr_db(realization, snr_db), clamp=clamp)


@torch.no_grad()
def evaluate_jscc(model: DeepJSCC, views: torch.Tensor, seed: int = 0, batch_size: int = 256,
                  background: tuple[float, ...] | None = None) -> dict[str, float]:
    """Mean PSNR (dB, per view then averaged) of uint8 views [N, C, H, W] through each of
    :data:`VALIDATION_POINTS` (the same noise for every validation of a run); with the dataset's
    ``background`` also ``val_delta_e_awgn_10``, the mean CIEDE2000 over object pixels on AWGN
    at 10 dB (:func:`semcom.metrics.objects.delta_e`: grey objects show here, not in PSNR)."""
    from semcom.metrics.objects import delta_e

    model.eval()
    out = {}
    for (channel, snr), column in VALIDATION_POINTS.items():
        generator = torch.Generator().manual_seed(seed)
        total = 0.0
        colour: list[torch.Tensor] = []
        for start in range(0, len(views), batch_size):
            x = views[start : start + batch_size].float() / 255.0
            x_hat = through_channel(model, x, channel, torch.full((len(x),), snr), generator)
            mse = ((x_hat - x) ** 2).mean(dim=(1, 2, 3)).clamp_min(1e-10)
            total += float((-10.0 * torch.log10(mse)).sum())
            if background is not None and (channel, snr) == ("awgn", 10.0):
                colour.append(delta_e(x, x_hat, background))
        out[column] = total / len(views)
        if colour:
            out["val_delta_e_awgn_10"] = float(torch.cat(colour).nanmean())
    model.train()
    return out


def jscc_loss(decoded: torch.Tensor, views: torch.Tensor, config: JSCCTrainConfig,
              background: tuple[float, ...] | None) -> torch.Tensor:
    """decoded, views: [N, C, H, W] -> MSE + lab_weight x L1(CIELAB / 100), both with the object
    pixels weighted ``object_weight`` x (:func:`~semcom.models.train_autoencoder.object_weights`)."""
    from semcom.models.colour import srgb_to_lab
    from semcom.models.train_autoencoder import object_weights

    weight = torch.ones_like(views[:, :1])
    if config.object_weight != 1.0:
        if background is None:
            raise SemcomError(f"object_weight = {config.object_weight} needs a dataset with a uniform "
                              "background colour (mvshapes, nmr); use object_weight = 1")
        weight = object_weights(views[:, None], background, config.object_weight)[:, 0]
    loss = (weight * (decoded - views) ** 2).mean() / weight.mean()
    if config.lab_weight > 0:
        lab_error = (srgb_to_lab(decoded) - srgb_to_lab(views)).abs() / 100.0
        loss = loss + config.lab_weight * (weight * lab_error).mean() / weight.mean()
    return loss


def train_jscc(config: JSCCTrainConfig, train_images: torch.Tensor, val_images: torch.Tensor,
               out_dir: str | Path, *, progress: bool = True, background: tuple[float, ...] | None = None) -> Path:
    """Train on uint8 multi-view images [N, V, C, H, W] (single views drawn at random); returns
    the path of the final checkpoint. background: the dataset's uniform background colour (for
    ``object_weight``). Sets torch's intra-op threads to ``config.threads``."""
    from semcom.models.checkpoint import load_jscc, save_jscc

    _, c, h = check_view_images(train_images, "DeepJSCC")
    views = train_images.flatten(0, 1)  # [N V, C, H, W] uint8
    val_views = val_images.flatten(0, 1)
    out_dir = Path(out_dir)
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)  # weight initialisation
    model = DeepJSCC(config.model_config(c, h)).train()
    if config.init_from:
        start, _ = load_jscc(config.init_from, channels=c, image_size=h)
        check_init_design(config.init_from, start.config, model.config)
        model.load_state_dict(start.state_dict())
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    state = TrainState({"model": model}, optimizer, torch.Generator().manual_seed(config.seed))
    try_resume(out_dir, state, config)
    per_channel = config.batch_size // len(config.channels)

    def step() -> float:
        gen = state.generator
        idx = torch.randint(0, len(views), (config.batch_size,), generator=gen)
        x = views[idx].float() / 255.0
        snr = config.snr_min_db + (config.snr_max_db - config.snr_min_db) * torch.rand(config.batch_size, generator=gen)
        parts = []
        with autocast(config.precision):
            for k, channel in enumerate(config.channels):
                part = slice(k * per_channel, (k + 1) * per_channel)
                parts.append(through_channel(model, x[part], channel, snr[part], gen, clamp=False).float())
        return optimiser_step(optimizer, jscc_loss(torch.cat(parts), x, config, background))

    rows = run_training(state=state, config=config, out_dir=out_dir, step_fn=step,
                        validate=lambda: evaluate_jscc(model, val_views, background=background), desc="jscc", progress=progress)
    model.eval()
    meta = run_summary(config, state, rows)
    meta["train_views"] = int(len(views))
    return save_jscc(out_dir / JSCC_NAME, model, meta)
