"""MVAE (Wu & Goodman, 2018): product of Gaussian experts with a prior expert.

q(z | X_s) = N(0, I) * prod_{v in s} q_v(z | x_v) (normalised), which is Gaussian in closed
form (:func:`~semcom.models.peers.gaussian.product_of_experts`). Training uses the paper's
sub-sampled objective: the ELBO of the full set, plus the ELBO of every single view, plus
``extra_subsets`` ELBOs of random subsets; each subset's ELBO reconstructs the views of that
subset only. ``joint_weight`` scales the full set's ELBO (1 in the paper).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.errors import SemcomError
from semcom.models.peers.base import PeerConfig, PeerVAE, laplace_nll
from semcom.models.peers.gaussian import (
    kl_to_standard_normal,
    product_of_experts,
    random_subset_masks,
    sample_gaussian,
)

LOGVAR_RANGE = (-8.0, 8.0)


@dataclass(frozen=True)
class MVAEConfig(PeerConfig):
    """:class:`PeerConfig` plus extra_subsets: random-subset ELBO terms per step, and
    joint_weight: the weight of the full set's ELBO among them (the others weigh 1)."""

    extra_subsets: int = 1
    joint_weight: float = 1.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.extra_subsets < 0:
            raise SemcomError(f"MVAEConfig: extra_subsets must be >= 0, got {self.extra_subsets}")
        if not self.joint_weight > 0:
            raise SemcomError(f"MVAEConfig: joint_weight must be > 0, got {self.joint_weight}")


class MVAE(PeerVAE):
    """Product-of-experts multimodal VAE (one Gaussian expert per view plus the prior)."""

    method = "mvae"

    def __init__(self, config: MVAEConfig) -> None:
        super().__init__(config, 2 * config.latent_dim)

    def experts(self, views: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """views [B, V, C, H, W] -> per-view experts (mu, logvar): [B, V, D] each."""
        mu, logvar = self.encoders(views).chunk(2, dim=-1)
        return mu, logvar.clamp(*LOGVAR_RANGE)

    def posterior(self, views, observed, generator):
        self.check_views(views)
        mu, logvar = self.experts(views)
        return product_of_experts(mu, logvar, observed, prior_expert=True)

    def elbo_masks(self, batch: int, generator: torch.Generator) -> list[torch.Tensor]:
        """The subsets of one training step: full (first), each single view, random ones ([B, V] bool)."""
        v = self.config.views
        full = torch.ones(batch, v, dtype=torch.bool)
        singles = [
            torch.zeros(batch, v, dtype=torch.bool).index_fill_(1, torch.tensor([i]), True)
            for i in range(v)
        ]
        extra = [random_subset_masks(batch, v, generator) for _ in range(self.config.extra_subsets)]
        return [full, *singles, *extra]

    def loss(self, views, generator):
        self.check_views(views)
        b = views.shape[0]
        mu_e, logvar_e = self.experts(views)
        masks = [mask.to(views.device) for mask in self.elbo_masks(b, generator)]
        weights = torch.ones(len(masks), dtype=views.dtype, device=views.device)
        weights[0] = self.config.joint_weight  # the full set's term
        z, kl = [], torch.zeros((), dtype=views.dtype)
        for mask, weight in zip(masks, weights, strict=True):
            mu, logvar = product_of_experts(mu_e, logvar_e, mask, prior_expert=True)
            z.append(sample_gaussian(mu, logvar, generator))
            kl = kl + weight * kl_to_standard_normal(mu, logvar).mean()
        # One decoder pass over just the views the subsets reconstruct (with V = 5 and one random
        # subset, 13 on average of the 35 that decoding every subset's z would draw): same sum.
        mask_all = torch.cat(masks)  # [K * B, V]
        rows, cols = mask_all.nonzero(as_tuple=True)  # row = k * B + b: view cols of object b
        x_hat = self.decoders.decode_selected(torch.cat(z), mask_all)  # [N, C, H, W]
        nll = laplace_nll(x_hat, views[rows % b, cols], self.config.scale)  # [N]
        recon = (weights[rows // b] * nll).sum() / b
        return {"loss": recon + self.config.beta * kl, "recon": recon, "kl": kl}
