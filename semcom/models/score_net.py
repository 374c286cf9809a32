"""The MLD score network: a residual MLP U-Net over the concatenated latents of all views.

Input: z_t: [B, V, D] (flattened to [B, V*D]) and the multi-time vector tau: [B, V]. tau is
embedded as a raw vector by Linear(V, d) - GELU - Linear(d, d) and the embedding is added
(through a per-block Linear) inside every residual block. Blocks are GroupNorm - SiLU - Linear
twice with a residual shortcut; the encoder halves the width at each level, the decoder mirrors
it and concatenates the encoder's activations (U-Net skips). The output layer is
zero-initialised, so the untrained network predicts -eps = 0.

Output: [B, V, D], the prediction of -eps (score = output / s(t)).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from semcom.errors import SemcomError, check_choice
from semcom.models.view_tokens import ViewTokenScoreNet

#: score network designs: the MLD residual MLP U-Net over all views' latents, or a transformer
#: over one token per view (:mod:`semcom.models.view_tokens`)
ARCHITECTURES = ("mlp_unet", "view_tokens")


@dataclass(frozen=True)
class ScoreNetConfig:
    """Shape and size of the score network.

    views, latent_dim: V and D of the latents; arch: one of :data:`ARCHITECTURES`;
    width: channels of the first level (``mlp_unet``) or of each token (``view_tokens``);
    levels: number of down/up levels, the width halving per level (``mlp_unet``);
    depth, heads: transformer blocks and attention heads (``view_tokens``); embed_hidden: hidden
    units of the nonlinear token reader added to the linear one (``view_tokens``; 0 = none);
    time_dim: size of the time embedding; groups: GroupNorm groups (``mlp_unet``);
    dropout: inside the blocks. ``arch`` defaults to ``mlp_unet`` so that checkpoints written
    before it existed load as the design they hold.
    """

    views: int
    latent_dim: int
    width: int = 512
    levels: int = 3
    time_dim: int = 128
    groups: int = 8
    dropout: float = 0.0
    arch: str = "mlp_unet"
    depth: int = 6
    heads: int = 4
    embed_hidden: int = 0

    def __post_init__(self) -> None:
        if self.views < 1 or self.latent_dim < 1:
            raise SemcomError(f"score net needs views >= 1 and latent_dim >= 1, got {self}")
        check_choice("score net arch", self.arch, ARCHITECTURES)
        if self.arch == "view_tokens":
            if self.depth < 1 or self.heads < 1 or self.width % self.heads or self.time_dim % 2 \
                    or self.embed_hidden < 0:
                raise SemcomError(
                    f"view-token score net needs depth >= 1, width divisible by heads, an even "
                    f"time_dim and embed_hidden >= 0; got depth {self.depth}, width {self.width}, "
                    f"heads {self.heads}, time_dim {self.time_dim}, embed_hidden {self.embed_hidden}"
                )
            return
        if self.levels < 1:
            raise SemcomError(f"score net levels must be >= 1, got {self.levels}")
        for w in self.level_widths:
            if w % self.groups:
                raise SemcomError(
                    f"score net width per level {self.level_widths} must be divisible by "
                    f"groups={self.groups}"
                )

    @property
    def level_widths(self) -> tuple[int, ...]:
        """Width of each level, e.g. (512, 256, 128)."""
        return tuple(max(self.width // 2**i, self.groups) for i in range(self.levels))


class ResidualBlock(nn.Module):
    """GroupNorm-SiLU-Linear, + time embedding, GroupNorm-SiLU-(Dropout)-Linear, + shortcut."""

    def __init__(self, d_in: int, d_out: int, time_dim: int, groups: int, dropout: float):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, d_in)
        self.lin1 = nn.Linear(d_in, d_out)
        self.time = nn.Linear(time_dim, d_out)
        self.norm2 = nn.GroupNorm(groups, d_out)
        self.drop = nn.Dropout(dropout)
        self.lin2 = nn.Linear(d_out, d_out)
        self.act = nn.SiLU()
        self.shortcut = nn.Identity() if d_in == d_out else nn.Linear(d_in, d_out)

    def forward(self, h: torch.Tensor, temb: torch.Tensor) -> torch.Tensor:
        """h: [B, d_in], temb: [B, time_dim] -> [B, d_out]."""
        x = self.lin1(self.act(self.norm1(h))) + self.time(temb)
        x = self.lin2(self.drop(self.act(self.norm2(x))))
        return x + self.shortcut(h)


class ScoreNet(nn.Module):
    """Residual MLP U-Net predicting -eps for all views from (z_t, tau)."""

    def __init__(self, config: ScoreNetConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        widths = c.level_widths
        self.time_embed = nn.Sequential(
            nn.Linear(c.views, c.time_dim), nn.GELU(), nn.Linear(c.time_dim, c.time_dim)
        )
        self.stem = nn.Linear(c.views * c.latent_dim, widths[0])
        self.down = nn.ModuleList()
        d_prev = widths[0]
        for w in widths:
            self.down.append(ResidualBlock(d_prev, w, c.time_dim, c.groups, c.dropout))
            d_prev = w
        self.mid = ResidualBlock(d_prev, d_prev, c.time_dim, c.groups, c.dropout)
        self.up = nn.ModuleList()
        for w in reversed(widths):
            self.up.append(ResidualBlock(d_prev + w, w, c.time_dim, c.groups, c.dropout))
            d_prev = w
        self.out_norm = nn.GroupNorm(c.groups, d_prev)
        self.out = nn.Linear(d_prev, c.views * c.latent_dim)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, z_t: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
        """z_t: [B, V, D], tau: [B, V] -> -eps prediction [B, V, D]."""
        c = self.config
        if z_t.shape[1:] != (c.views, c.latent_dim) or tau.shape != z_t.shape[:2]:
            raise SemcomError(
                f"score net expects z_t [B, {c.views}, {c.latent_dim}] and tau [B, {c.views}], "
                f"got {tuple(z_t.shape)} and {tuple(tau.shape)}"
            )
        temb = self.time_embed(tau.to(z_t.dtype))
        h = self.stem(z_t.flatten(1))
        skips = []
        for block in self.down:
            h = block(h, temb)
            skips.append(h)
        h = self.mid(h, temb)
        for block in self.up:
            h = block(torch.cat([h, skips.pop()], dim=1), temb)
        return self.out(torch.nn.functional.silu(self.out_norm(h))).view_as(z_t)


def build_score_net(config: ScoreNetConfig) -> nn.Module:
    """The score network ``config`` describes (its ``config`` attribute set), untrained.
    Either design maps (z_t [B, V, D], tau [B, V]) to the -eps prediction [B, V, D]."""
    if config.arch == "mlp_unet":
        return ScoreNet(config)
    net = ViewTokenScoreNet(
        config.views,
        config.latent_dim,
        width=config.width,
        depth=config.depth,
        heads=config.heads,
        time_dim=config.time_dim,
        dropout=config.dropout,
        embed_hidden=config.embed_hidden,
    )
    net.config = config
    return net
