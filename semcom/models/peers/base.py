"""What the three multimodal VAEs share: config, likelihood, the model contract, the imputer.

Every model maps a set of observed views to a Gaussian posterior over one latent z: [B, D] for
the whole object and decodes z to all V views. They differ only in how the posterior is formed
from the observed views (:meth:`PeerVAE.posterior`) and in their training objective
(:meth:`PeerVAE.loss`):

- SMVAE: attention over per-view embeddings with a learned query (a set function),
- MoPoE-VAE: trained with a uniform mixture of products of experts over subsets of the views;
  given observed views, the product of their experts (the mixture component of that subset),
- MVAE: a product of the observed views' experts and a N(0, I) prior expert.

Likelihood: Laplace with a fixed scale b per pixel (the MVLD autoencoder's L1 loss is the same
family), NLL = sum over pixels of |x - x_hat| / b + log(2 b).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch
from torch import nn

from semcom.diffusion.sde import expand_like
from semcom.errors import SemcomError, check_choice
from semcom.models.imputer import Imputer, ObservedOutput, check_observed
from semcom.models.peers.backbone import ViewDecoders, ViewEncoders
from semcom.models.peers.gaussian import sample_gaussian
from semcom.models.train_config import positive


@dataclass(frozen=True)
class PeerConfig:
    """views, channels, image_size: V, C and H = W of the data; latent_dim: D of the joint z;
    widths: conv channels of the encoder/decoder trunks (as the MVLD autoencoder); shared: one
    trunk for all views (+ a learned per-view offset) instead of one per view; scale: Laplace
    scale b of the pixel likelihood; beta: weight of the KL terms."""

    views: int
    channels: int
    image_size: int
    latent_dim: int = 64
    widths: tuple[int, ...] = (32, 64, 128)
    shared: bool = True
    scale: float = 0.1
    beta: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "widths", tuple(int(w) for w in self.widths))
        positive(
            type(self).__name__,
            views=self.views,
            channels=self.channels,
            image_size=self.image_size,
            latent_dim=self.latent_dim,
            scale=self.scale,
        )
        if self.beta < 0:
            raise SemcomError(f"{type(self).__name__}: beta must be >= 0, got {self.beta}")


def laplace_nll(x_hat: torch.Tensor, x: torch.Tensor, scale: float) -> torch.Tensor:
    """Laplace NLL per image in nats: x_hat, x: [..., C, H, W] -> [...] (summed over pixels),
    e.g. [B, V, C, H, W] -> [B, V]."""
    per_pixel = (x_hat - x).abs() / scale + math.log(2.0 * scale)
    return per_pixel.flatten(-3).sum(dim=-1)


class PeerVAE(nn.Module, ABC):
    """A multimodal VAE over views [B, V, C, H, W] with one latent z: [B, D]."""

    config: PeerConfig
    method: str = ""

    def __init__(self, config: PeerConfig, encoder_dim: int) -> None:
        super().__init__()
        self.config = config
        c = config
        self.encoders = ViewEncoders(
            c.views, c.channels, c.image_size, encoder_dim, c.widths, c.shared
        )
        self.decoders = ViewDecoders(
            c.views, c.channels, c.image_size, c.latent_dim, c.widths, c.shared
        )

    def check_views(self, views: torch.Tensor) -> None:
        c = self.config
        want = (c.views, c.channels, c.image_size, c.image_size)
        if views.ndim != 5 or tuple(views.shape[1:]) != want:
            raise SemcomError(
                f"{self.method} expects views [B, {', '.join(map(str, want))}], got {tuple(views.shape)}"
            )

    @abstractmethod
    def posterior(
        self, views: torch.Tensor, observed: torch.Tensor, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """q(z | observed views): views [B, V, C, H, W], observed [B, V] bool -> (mu, logvar) [B, D].

        Only observed views are read. A row with no observed view gets the N(0, I) prior.
        The generator is for posteriors that draw at random; the three here are deterministic.
        """

    @abstractmethod
    def loss(self, views: torch.Tensor, generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Training objective on complete views [B, V, C, H, W]: {"loss", "recon", "kl"} scalars
        (negative ELBO terms in nats per object, averaged over the batch)."""

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """z: [B, D] -> views [B, V, C, H, W] in [0, 1]."""
        return self.decoders(z)


class PeerImputer(Imputer):
    """The :class:`~semcom.models.imputer.Imputer` contract for a :class:`PeerVAE`.

    latent: "sample" draws z from the posterior (a generative imputer), "mean" decodes its mean
    (deterministic). observed_output: "input" returns observed views unchanged, "decoded" their
    reconstructions.
    """

    def __init__(
        self,
        model: PeerVAE,
        *,
        latent: str = "sample",
        observed_output: ObservedOutput = "input",
    ) -> None:
        self.model = model.eval()
        self.latent = check_choice("latent", latent, ("sample", "mean"))
        self.observed_output = check_choice(
            "observed_output", observed_output, ("input", "decoded")
        )
        self.num_views = model.config.views

    @torch.no_grad()
    def impute(
        self, views: torch.Tensor, observed: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        """views: [B, V, C, H, W] in [0, 1] (missing entries ignored), observed: [B, V] bool
        -> all views [B, V, C, H, W] in [0, 1]."""
        check_observed(tuple(views.shape), observed, self.num_views)
        self.model.check_views(views)
        keep = expand_like(observed, views)
        clean = torch.where(keep, views, 0.0)
        mu, logvar = self.model.posterior(clean, observed, generator)
        z = sample_gaussian(mu, logvar, generator) if self.latent == "sample" else mu
        decoded = self.model.decode(z)
        if self.observed_output == "input":
            return torch.where(keep, views, decoded)
        return decoded
