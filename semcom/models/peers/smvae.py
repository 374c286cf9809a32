"""SMVAE (set multimodal VAE, seeds/002): attention over the set of observed view embeddings.

Each view has an embedding E_v(x_v): [d]; a learned query I: [1, d] attends over the set of
observed embeddings (no positional encoding, so the result does not depend on their order):

    H = I + MultiHead(I, X_s, X_s),    g = H + FC(H),    (mu, log sigma^2) = Linear(g)

and z = mu + sigma * eps decodes to all views with per-view decoders. Training draws one random
non-empty subset of views per sample (Eq. 4 of the seed). ``reconstruct`` picks which views the
subset's ELBO reconstructs: "subset" is the seed's Eq. 3 (only the views in X_s); "all" (the
default) also asks the subset's posterior to explain the missing views, which is what an
imputer is used for (as MoPoE's objective does).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from semcom.errors import SemcomError, check_choice
from semcom.models.peers.base import PeerConfig, PeerVAE, laplace_nll
from semcom.models.peers.gaussian import (
    kl_to_standard_normal,
    random_subset_masks,
    sample_gaussian,
)
from semcom.models.peers.mvae import LOGVAR_RANGE


@dataclass(frozen=True)
class SMVAEConfig(PeerConfig):
    """:class:`PeerConfig` plus embed_dim: d of the view embeddings and the attention; heads:
    attention heads h; reconstruct: "all" or "subset" (see the module notes)."""

    embed_dim: int = 128
    heads: int = 4
    reconstruct: str = "all"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("reconstruct", self.reconstruct, ("all", "subset"))
        if self.embed_dim < 1 or self.heads < 1 or self.embed_dim % self.heads:
            raise SemcomError(
                f"SMVAEConfig: embed_dim ({self.embed_dim}) must be a positive multiple of heads "
                f"({self.heads})"
            )


class SetAttentionPool(nn.Module):
    """Permutation-invariant pooling of a masked set with a learned query.

    x: [B, N, d] set elements, mask: [B, N] bool (True = element present) -> g: [B, d].
    Rows with an empty set get g = I + FC(I) (callers replace their posterior by the prior).
    """

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.query = nn.Parameter(torch.randn(1, 1, dim) / dim**0.5)
        self.attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.fc = nn.Sequential(nn.Linear(dim, dim), nn.SiLU())

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        empty = ~mask.any(dim=1)  # [B]
        # an all-masked row would give NaN softmax weights: let it attend, then drop the result
        ignore = ~mask & ~empty[:, None]
        query = self.query.expand(b, 1, -1)
        attended, _ = self.attention(query, x, x, key_padding_mask=ignore, need_weights=False)
        h = query + attended * (~empty).to(x.dtype)[:, None, None]
        return (h + self.fc(h)).squeeze(1)


class SMVAE(PeerVAE):
    """Set multimodal VAE: view embeddings -> attention pooling -> Gaussian posterior."""

    method = "smvae"

    def __init__(self, config: SMVAEConfig) -> None:
        super().__init__(config, config.embed_dim)
        self.pool = SetAttentionPool(config.embed_dim, config.heads)
        self.head = nn.Linear(config.embed_dim, 2 * config.latent_dim)

    def posterior(self, views, observed, generator):
        self.check_views(views)
        g = self.pool(self.encoders(views), observed)
        mu, logvar = self.head(g).chunk(2, dim=-1)
        logvar = logvar.clamp(*LOGVAR_RANGE)
        empty = ~observed.any(dim=1, keepdim=True)
        return torch.where(empty, 0.0, mu), torch.where(empty, 0.0, logvar)

    def loss(self, views, generator):
        self.check_views(views)
        b, v = views.shape[:2]
        mask = random_subset_masks(b, v, generator, device=views.device)
        mu, logvar = self.posterior(views, mask, generator)
        nll = laplace_nll(
            self.decode(sample_gaussian(mu, logvar, generator)), views, self.config.scale
        )
        if self.config.reconstruct == "subset":
            nll = nll * mask
        recon = nll.sum(dim=1).mean()
        kl = kl_to_standard_normal(mu, logvar).mean()
        return {"loss": recon + self.config.beta * kl, "recon": recon, "kl": kl}
