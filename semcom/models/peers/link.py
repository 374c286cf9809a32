"""A view-space imputer (one of the VAEs) behind the semantic link of the MVLD autoencoder.

The semantic scheme sends latents of the sent views and the receiver calls
``decode(impute_latents(latents, observed))``. The VAEs have no per-view latent of their own
that the receiver could decode, so they are put behind the MVLD autoencoder ("codec"):

- transmitter: ``encode`` = the MVLD encoder, so the bandwidth of a sent view is exactly that
  of MVLD (D latent values per view, quantised, coded); the VAE adds no bits;
- receiver: the received latents are decoded to views by the MVLD decoder, the VAE generates
  the missing views from these decoded views, and their MVLD latents are returned, so a
  generated view passes once through the MVLD autoencoder before it is shown (an extra
  reconstruction error that MVLD's own generated views do not have).

``impute`` (view space: the hybrid receiver, :func:`~semcom.evaluate.evaluate_imputer`)
is the VAE's own, without the codec.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from semcom.diffusion.sde import expand_like
from semcom.models.imputer import Imputer, LatentImputer, check_observed


class ViewSpaceImputer(LatentImputer):
    """imputer: works on views; codec: a LatentImputer whose encode/decode carry the views over
    the link (or a function that loads it on first use, e.g. the bundled MVLD model)."""

    def __init__(self, imputer: Imputer, codec: LatentImputer | Callable[[], LatentImputer]):
        self.imputer = imputer
        self._codec = codec
        self.num_views = imputer.num_views
        self.last_nfe = 0

    @property
    def observed_output(self):  # type: ignore[override]
        return getattr(self.imputer, "observed_output", "input")

    @observed_output.setter
    def observed_output(self, value) -> None:
        self.imputer.observed_output = value

    @property
    def codec(self) -> LatentImputer:
        if not isinstance(self._codec, LatentImputer):
            self._codec = self._codec()
        return self._codec

    def encode(self, views: torch.Tensor) -> torch.Tensor:
        """views: [B, V, C, H, W] -> the codec's latents [B, V, ...]."""
        return self.codec.encode(views)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        """The codec's latents [B, V, ...] -> views [B, V, C, H, W]."""
        return self.codec.decode(latents)

    @torch.no_grad()
    def impute_latents(
        self, latents: torch.Tensor, observed: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        """latents: [B, V, ...] (missing rows ignored), observed: [B, V] bool -> all latents;
        observed rows returned unchanged, missing ones = codec.encode(VAE's generated views)."""
        check_observed(tuple(latents.shape), observed, self.num_views)
        if bool(observed.all()):
            return latents.clone()
        views = self.imputer.impute(self.decode(latents), observed, generator)
        return torch.where(expand_like(observed, latents), latents, self.encode(views))

    @torch.no_grad()
    def impute(
        self, views: torch.Tensor, observed: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        """The VAE's own view-space imputation (no codec)."""
        return self.imputer.impute(views, observed, generator)
