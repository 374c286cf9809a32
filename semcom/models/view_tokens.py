"""A score network over view tokens: each view's latent is one token of a small transformer.

Input: z_t [B, V, D] and the multi-time vector tau [B, V] (each view's own diffusion time; 0 for
an observed view). Each view's latent becomes a token ``Linear(D -> W)`` plus a learned view
embedding; each view's time enters its own token through adaptive layer norm (DiT's adaLN-Zero,
Peebles and Xie 2023): Fourier features of tau_v -> MLP -> per-token shift, scale and gate of
every block (with ``embed_hidden``, a GELU MLP of the latent is added to the token: a
nonlinear reader of the view). Blocks are pre-norm self-attention across the V tokens and a GELU
MLP, weights shared across views. The gates and the output layer start at zero, so every block starts as the
identity and the untrained network predicts -eps = 0 (as :class:`~semcom.models.score_net.ScoreNet`).

Output: [B, V, D], the prediction of -eps. Permuting the views together with their embeddings
permutes the output: the view embedding is the only thing that tells the views apart.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from semcom.errors import SemcomError


def fourier_features(t: torch.Tensor, size: int, max_period: float = 1000.0) -> torch.Tensor:
    """Sinusoidal features of times in [0, 1]: t [...] -> [..., size] (size even): sin and cos
    of 2 pi t f for ``size / 2`` frequencies f log-spaced from 1 to ``max_period`` / (2 pi)."""
    half = size // 2
    freqs = torch.exp(torch.linspace(0.0, math.log(max_period / (2 * math.pi)), half, device=t.device))
    angles = 2 * math.pi * t[..., None].to(torch.float32) * freqs
    return torch.cat([angles.sin(), angles.cos()], dim=-1)


class AdaptiveBlock(nn.Module):
    """adaLN-Zero transformer block over tokens h [B, V, W] with per-token conditioning c [B, V, T]."""

    def __init__(self, width: int, heads: int, time_dim: int, mlp_ratio: int = 4, dropout: float = 0.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(width, elementwise_affine=False)
        self.attn = nn.MultiheadAttention(width, heads, dropout=dropout, batch_first=True)
        self.norm2 = nn.LayerNorm(width, elementwise_affine=False)
        self.mlp = nn.Sequential(
            nn.Linear(width, mlp_ratio * width), nn.GELU(), nn.Dropout(dropout), nn.Linear(mlp_ratio * width, width)
        )
        self.modulation = nn.Linear(time_dim, 6 * width)
        nn.init.zeros_(self.modulation.weight)
        nn.init.zeros_(self.modulation.bias)

    def forward(self, h: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        shift1, scale1, gate1, shift2, scale2, gate2 = self.modulation(c).chunk(6, dim=-1)
        x = self.norm1(h) * (1 + scale1) + shift1
        h = h + gate1 * self.attn(x, x, x, need_weights=False)[0]
        x = self.norm2(h) * (1 + scale2) + shift2
        return h + gate2 * self.mlp(x)


class ViewTokenScoreNet(nn.Module):
    """Predicts -eps for all views from (z_t [B, V, D], tau [B, V]) with V tokens of width W."""

    def __init__(
        self,
        views: int,
        latent_dim: int,
        *,
        width: int,
        depth: int,
        heads: int,
        time_dim: int,
        dropout: float = 0.0,
        embed_hidden: int = 0,
    ) -> None:
        super().__init__()
        self.views, self.latent_dim, self.time_dim = views, latent_dim, time_dim
        self.embed = nn.Linear(latent_dim, width)
        # a nonlinear reader of each view's latent beside the linear one (0: none); its output
        # layer starts at zero, so adding it to a trained net leaves the net's function unchanged
        self.embed_mlp = None
        if embed_hidden:
            self.embed_mlp = nn.Sequential(nn.Linear(latent_dim, embed_hidden), nn.GELU(),
                                           nn.Linear(embed_hidden, width))
            nn.init.zeros_(self.embed_mlp[-1].weight)
            nn.init.zeros_(self.embed_mlp[-1].bias)
        self.view_embed = nn.Parameter(torch.randn(views, width) * 0.02)
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, time_dim), nn.SiLU(), nn.Linear(time_dim, time_dim))
        self.blocks = nn.ModuleList(AdaptiveBlock(width, heads, time_dim, dropout=dropout) for _ in range(depth))
        self.out_norm = nn.LayerNorm(width, elementwise_affine=False)
        self.out_modulation = nn.Linear(time_dim, 2 * width)
        self.out = nn.Linear(width, latent_dim)
        for layer in (self.out_modulation, self.out):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, z_t: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
        """z_t: [B, V, D], tau: [B, V] -> [B, V, D]."""
        if z_t.shape[1:] != (self.views, self.latent_dim) or tau.shape != z_t.shape[:2]:
            raise SemcomError(
                f"score net expects z_t [B, {self.views}, {self.latent_dim}] and tau [B, {self.views}], "
                f"got {tuple(z_t.shape)} and {tuple(tau.shape)}"
            )
        c = torch.nn.functional.silu(self.time_mlp(fourier_features(tau, self.time_dim).to(z_t.dtype)))
        h = self.embed(z_t) + self.view_embed
        if self.embed_mlp is not None:
            h = h + self.embed_mlp(z_t)
        for block in self.blocks:
            h = block(h, c)
        shift, scale = self.out_modulation(c).chunk(2, dim=-1)
        return self.out(self.out_norm(h) * (1 + scale) + shift)


@torch.no_grad()
def grow(net: ViewTokenScoreNet, bigger: ViewTokenScoreNet) -> ViewTokenScoreNet:
    """Copy every weight of ``net`` into ``bigger``: the same design with more blocks (after the
    copied ones) and/or a nonlinear token reader (``embed_hidden``) where ``net`` has none. The
    new parts keep their zero output layers (adaLN-Zero gates, the reader's last layer), so
    ``bigger`` computes exactly the function of ``net`` and trains on from it (progressive
    growing with the identity as the new parts' start). Returns ``bigger``."""
    have, want = len(net.blocks), len(bigger.blocks)
    if want < have:
        raise SemcomError(f"cannot grow a score net of {have} blocks to {want}: allowed depths >= {have}")
    if net.embed_mlp is not None and bigger.embed_mlp is None:
        raise SemcomError("cannot grow a score net with a token reader (embed_hidden) into one without")
    source, target = net.state_dict(), bigger.state_dict()
    new = (*(f"blocks.{i}." for i in range(have, want)), *(("embed_mlp.",) if net.embed_mlp is None else ()))
    differ = [name for name in target if not name.startswith(new)
              and (name not in source or source[name].shape != target[name].shape)]
    differ += [name for name in source if name not in target]
    if differ:
        raise SemcomError(f"cannot grow: the two score nets differ beyond their depth and token reader "
                          f"(in {', '.join(differ[:3])})")
    bigger.load_state_dict(source, strict=False)
    return bigger
