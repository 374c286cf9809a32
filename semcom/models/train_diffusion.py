"""Train the multi-time masked score network on the frozen autoencoder's standardised latents.

The training set is encoded once (latents [N, V, D], standardised with the statistics stored
in the autoencoder checkpoint). Each step draws a batch, a per-sample conditioning subset
(joint with probability ``joint_prob``), t ~ U(t_min, 1), and minimises the masked loss of
:func:`semcom.diffusion.masked.masked_diffusion_loss`; an EMA of the weights is kept and is
what gets saved for sampling.

Validation (every ``val_every`` steps): the masked loss of the network and of its EMA on fixed
masks, times and noise, and, given a class judge (``predict``) and ``val_coherence_objects`` > 0,
``val_coherence_1``: the share of views imputed by the EMA network from one observed view (view
i mod V of object i; the receiver's default sampler, a fixed seed) that the judge gives the
object's class, the number the receiver is judged by.

Outputs in ``out_dir``: ``score_net.{safetensors,json}`` (EMA weights, config, metadata naming
the autoencoder), ``train_log.csv`` and ``resume.{safetensors,json}``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import torch

from semcom.diffusion.ema import EMA
from semcom.diffusion.masked import (
    SUBSET_DRAWS,
    masked_diffusion_loss,
    sample_observed_mask,
    sample_training_times,
)
from semcom.errors import SemcomError, check_choice
from semcom.models.autoencoder import LatentStats, MultiViewAutoencoder
from semcom.models.checkpoint import save_score_net
from semcom.models.score_net import ScoreNetConfig, build_score_net
from semcom.models.train_config import RunConfig, check_init_design, positive
from semcom.models.training import (
    PRECISIONS,
    TrainState,
    autocast,
    optimiser_step,
    run_summary,
    run_training,
    try_resume,
)
from semcom.models.view_tokens import grow
from semcom.sampler_defaults import DEFAULT_GUIDANCE

SCORE_NET_NAME = "score_net"


@dataclass(frozen=True)
class DiffusionTrainConfig(RunConfig):
    """A score-network training run (loadable from TOML): :class:`RunConfig` plus the model."""

    KIND: ClassVar[str] = "diffusion"  # the experiments/ file kind (semcom.config_kinds)

    autoencoder: str = ""  # path of the autoencoder checkpoint (required)
    arch: str = "mlp_unet"  # see semcom.models.score_net.ARCHITECTURES
    width: int = 512
    depth: int = 6  # transformer blocks (view_tokens)
    heads: int = 4  # attention heads (view_tokens)
    embed_hidden: int = 0  # hidden units of the nonlinear token reader (view_tokens; 0 = none)
    levels: int = 3
    time_dim: int = 128
    groups: int = 8
    dropout: float = 0.0
    joint_prob: float = 0.2
    subsets: str = "uniform_subset"  # how conditioning sets are drawn (semcom.diffusion.masked.SUBSET_DRAWS)
    t_min: float = 1e-3
    batch_size: int = 256
    lr: float = 1e-4
    ema_decay: float = 0.999
    steps: int = 50000
    val_every: int = 1000
    checkpoint_every: int = 5000
    precision: str = "float32"  # or "bfloat16": autocast of the forward pass
    min_snr_gamma: float = 0.0  # Min-SNR-gamma loss weights (semcom.diffusion.masked); 0 = plain
    val_coherence_objects: int = 200  # validation objects imputed from one view (0 = off)
    val_guidance: float = DEFAULT_GUIDANCE  # guidance weight of that imputation (0: unguided)
    init_from: str = ""  # start from this score net checkpoint instead of at random: net and EMA (same design;
    # view tokens: or fewer blocks and/or no token reader, the new parts starting as the identity)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("DiffusionTrainConfig: precision", self.precision, PRECISIONS)
        check_choice("DiffusionTrainConfig: subsets", self.subsets, SUBSET_DRAWS)
        if self.val_coherence_objects < 0 or self.min_snr_gamma < 0:
            raise SemcomError(f"DiffusionTrainConfig: val_coherence_objects and min_snr_gamma must be >= 0, "
                              f"got {self.val_coherence_objects}, {self.min_snr_gamma}")
        positive("DiffusionTrainConfig", width=self.width, levels=self.levels, depth=self.depth,
                 heads=self.heads)
        self.net_config(views=1, latent_dim=1)  # one-line errors for a bad design now, not after encoding
        if not 0 <= self.joint_prob <= 1 or not 0 <= self.ema_decay < 1:
            raise SemcomError(
                f"DiffusionTrainConfig: joint_prob must be in [0, 1] and ema_decay in [0, 1), "
                f"got {self.joint_prob}, {self.ema_decay}"
            )

    def net_config(self, views: int, latent_dim: int) -> ScoreNetConfig:
        """The :class:`ScoreNetConfig` this run trains, for latents [V, D]."""
        return ScoreNetConfig(
            views=views,
            latent_dim=latent_dim,
            width=self.width,
            levels=self.levels,
            time_dim=self.time_dim,
            groups=self.groups,
            dropout=self.dropout,
            arch=self.arch,
            depth=self.depth,
            heads=self.heads,
            embed_hidden=self.embed_hidden,
        )


@torch.no_grad()
def encode_latents(
    autoencoder: MultiViewAutoencoder,
    stats: LatentStats,
    images: torch.Tensor,
    batch_size: int = 256,
) -> torch.Tensor:
    """Standardised latents [N, V, D] of uint8 images [N, V, C, H, W]."""
    autoencoder.eval()
    parts = [
        stats.standardise(autoencoder.encode(images[i : i + batch_size].float() / 255.0))
        for i in range(0, len(images), batch_size)
    ]
    return torch.cat(parts)


@torch.no_grad()
def validation_loss(
    net: torch.nn.Module, latents: torch.Tensor, config: DiffusionTrainConfig
) -> float:
    """Masked loss on fixed masks, times and noise (seed 0), so rows are comparable."""
    g = torch.Generator().manual_seed(0)
    observed = sample_observed_mask(len(latents), latents.shape[1], g, config.joint_prob)
    t = sample_training_times(len(latents), g, config.t_min)
    was_training = net.training
    net.eval()
    loss = masked_diffusion_loss(net, latents, observed, t, g).item()
    net.train(was_training)
    return loss


@torch.no_grad()
def validation_coherence(
    net: torch.nn.Module,
    autoencoder: MultiViewAutoencoder,
    stats: LatentStats,
    latents: torch.Tensor,
    labels: torch.Tensor,
    predict,
    guidance: float = DEFAULT_GUIDANCE,
) -> float:
    """Share of the views imputed from one observed view (view i mod V of object i) that
    ``predict`` (views [B, V, C, H, W] -> classes [B, V]) gives the object's class.

    latents: [N, V, D] standardised; labels: [N] classes. The receiver's default sampler (with
    guidance weight ``guidance``) and a fixed seed, so rows are comparable.
    """
    from semcom.models.imputer import MVLDImputer

    n, views = latents.shape[:2]
    observed = torch.zeros(n, views, dtype=torch.bool)
    observed[torch.arange(n), torch.arange(n) % views] = True
    was_training = net.training
    imputer = MVLDImputer(autoencoder, net.eval(), stats, guidance=guidance)
    z = imputer.impute_latents(latents, observed, torch.Generator().manual_seed(0))
    predicted = predict(imputer.decode(z))
    net.train(was_training)
    hits = (predicted == labels[:, None]) & ~observed
    return float(hits.sum()) / float((~observed).sum())


def check_width_covers_latents(width: int, views: int, latent_dim: int) -> None:
    """One-line error when the score net's output path (``width`` units before the last linear
    layer) is narrower than the V * D latent dimensions: its -eps prediction would then have rank
    at most ``width`` and the loss a floor near 1 - width / (V * D) of the noise variance (a
    polymnist run with 5 x 160 latents and width 320 stalled at 0.64 and its samples diverged)."""
    if width < views * latent_dim:
        raise SemcomError(
            f"score net width {width} is below the latent size {views} x {latent_dim} = {views * latent_dim}: "
            f"use width >= {views * latent_dim} or a smaller autoencoder latent_dim"
        )


def _initial_net(config: DiffusionTrainConfig, views: int, latent_dim: int) -> torch.nn.Module:
    """The score net of ``config.init_from`` in training mode; it must have this run's design, or
    (view tokens) the same design with fewer blocks and/or without the token reader: the run's
    new parts then start as the identity (:func:`~semcom.models.view_tokens.grow`)."""
    from semcom.models.checkpoint import load_score_net

    net, _ = load_score_net(config.init_from, views=views, latent_dim=latent_dim)
    want = config.net_config(views, latent_dim)
    have = net.config
    if want.arch == "view_tokens" and have != want \
            and have == dataclasses.replace(want, depth=have.depth, embed_hidden=have.embed_hidden) \
            and have.depth <= want.depth and have.embed_hidden in (0, want.embed_hidden):
        net = grow(net, build_score_net(want))
    allowed = "a checkpoint of the same design" + (
        " or of fewer blocks and/or no token reader" if want.arch == "view_tokens" else "")
    check_init_design(config.init_from, net.config, want, allowed)
    return net.train()


def train_diffusion(
    config: DiffusionTrainConfig,
    autoencoder: MultiViewAutoencoder,
    stats: LatentStats,
    train_images: torch.Tensor,
    val_images: torch.Tensor,
    out_dir: str | Path,
    *,
    progress: bool = True,
    val_labels: torch.Tensor | None = None,
    predict=None,
) -> Path:
    """Train the score net on the latents of uint8 images; returns the final checkpoint path.

    val_labels: [N_val] classes of the validation objects and ``predict`` a class judge (views
    [B, V, C, H, W] -> [B, V]): with both, validation also logs ``val_coherence_1`` (see the
    module notes). Sets torch's intra-op threads to ``config.threads`` (process-wide).
    """
    out_dir = Path(out_dir)
    per_view = config.arch == "view_tokens"  # one token per view: its width covers one view's D
    check_width_covers_latents(config.width, 1 if per_view else autoencoder.config.views,
                               autoencoder.config.latent_dim)
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    initial = None
    if config.init_from:  # before the encoding: a checkpoint that does not fit fails in a second
        initial = _initial_net(config, autoencoder.config.views, autoencoder.config.latent_dim)
    train_z = encode_latents(autoencoder, stats, train_images)
    val_z = encode_latents(autoencoder, stats, val_images)
    views, dim = train_z.shape[1:]
    net = initial if initial is not None else build_score_net(config.net_config(views, dim)).train()
    ema = EMA(net, config.ema_decay)
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr)
    state = TrainState(
        {"model": net, "ema": ema.model}, optimizer, torch.Generator().manual_seed(config.seed)
    )
    try_resume(out_dir, state, config)
    g = state.generator

    def step() -> float:
        idx = torch.randint(0, len(train_z), (config.batch_size,), generator=g)
        observed = sample_observed_mask(config.batch_size, views, g, config.joint_prob, config.subsets)
        t = sample_training_times(config.batch_size, g, config.t_min)
        with autocast(config.precision):
            loss = masked_diffusion_loss(net, train_z[idx], observed, t, g,
                                         min_snr_gamma=config.min_snr_gamma)
        value = optimiser_step(optimizer, loss)
        ema.update(net, step=state.step)  # state.step counts the steps done before this one
        return value

    judged = config.val_coherence_objects if (predict is not None and val_labels is not None) else 0

    def validate() -> dict[str, float]:
        row = {
            "val_loss": validation_loss(net, val_z, config),
            "val_loss_ema": validation_loss(ema.model, val_z, config),
        }
        if judged:
            row["val_coherence_1"] = validation_coherence(
                ema.model, autoencoder, stats, val_z[:judged], val_labels[:judged], predict,
                guidance=config.val_guidance,
            )
        return row

    rows = run_training(
        state=state,
        config=config,
        out_dir=out_dir,
        step_fn=step,
        validate=validate,
        desc="diffusion",
        progress=progress,
    )
    meta = run_summary(config, state, rows)
    meta.update(autoencoder=config.autoencoder, weights="ema")
    return save_score_net(out_dir / SCORE_NET_NAME, ema.model, meta)
