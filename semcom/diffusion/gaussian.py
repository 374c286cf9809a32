"""A linear-Gaussian multi-view toy whose multi-time denoiser is known in closed form.

Latents x0: [V, D] flattened to N = V * D are jointly Gaussian N(mu, Sigma). Under the
multi-time VP marginal each element is x_t = a x0 + s eps with per-view (a, s) = (m(t_v),
s(t_v)), so with A = diag(a), S = diag(s):

    E[x0 | x_t] = mu + Sigma A (A Sigma A + S^2)^-1 (x_t - A mu),

which is the exact denoiser a perfectly trained network would learn. The exact conditional
p(x_M | x_C) is Gaussian with mean mu_M + Sigma_MC Sigma_CC^-1 (x_C - mu_C) and covariance
Sigma_MM - Sigma_MC Sigma_CC^-1 Sigma_CM. Used to test samplers against theory (no training)
and to benchmark their accuracy against NFE.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.diffusion.sde import VPSDE


@dataclass(frozen=True)
class GaussianViews:
    """mean: [V*D], cov: [V*D, V*D] (positive definite), float64; views = V."""

    mean: torch.Tensor
    cov: torch.Tensor
    views: int

    @property
    def latent_dim(self) -> int:
        return self.mean.numel() // self.views

    @staticmethod
    def random(views: int, latent_dim: int, generator: torch.Generator, correlation: float = 0.8):
        """A random positive-definite toy whose views are strongly correlated.

        Each view is a noisy linear map of a shared latent factor, so observing views
        shrinks the conditional covariance of the others (``correlation`` sets how much).
        """
        n = views * latent_dim
        shared = torch.randn(latent_dim, latent_dim, generator=generator, dtype=torch.float64)
        maps = torch.randn(views, latent_dim, latent_dim, generator=generator, dtype=torch.float64)
        load = correlation * shared[None] + (1 - correlation) * maps  # [V, D, D]
        factor = load.reshape(n, latent_dim) / latent_dim**0.5
        cov = factor @ factor.T + 0.1 * torch.eye(n, dtype=torch.float64)
        mean = 0.5 * torch.randn(n, generator=generator, dtype=torch.float64)
        return GaussianViews(mean=mean, cov=cov, views=views)

    def sample(self, batch: int, generator: torch.Generator) -> torch.Tensor:
        """Draws of x0: [B, V, D] float32."""
        chol = torch.linalg.cholesky(self.cov)
        eps = torch.randn(batch, self.mean.numel(), generator=generator, dtype=torch.float64)
        x = self.mean + eps @ chol.T
        return x.reshape(batch, self.views, -1).float()

    def denoiser(self, sde: VPSDE | None = None):
        """The exact denoiser (x_t: [B, V, D], tau: [B, V]) -> E[x0 | x_t]: [B, V, D]."""
        sde = sde or VPSDE()
        mu, sigma = self.mean, self.cov
        d = self.latent_dim

        def denoise(x: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
            # one linear map per distinct multi-time row (a batch has few distinct patterns)
            if bool((tau == tau[:1]).all()):  # fast path: one pattern for the whole batch
                rows, which = tau[:1].double(), torch.zeros(len(tau), dtype=torch.long)
            else:
                rows, which = torch.unique(tau.double(), dim=0, return_inverse=True)
            a = sde.mean_coeff(rows).repeat_interleave(d, dim=1)  # [U, N]
            s = sde.std(rows).repeat_interleave(d, dim=1)
            k = a[:, :, None] * sigma[None] * a[:, None, :] + torch.diag_embed(s**2)
            # x0 = mu + Sigma A K^-1 (x - A mu) = mu + W (x - A mu), W: [U, N, N]
            w = sigma[None] * a[:, None, :] @ torch.linalg.inv(k)
            xf = x.reshape(x.shape[0], -1).double()
            resid = xf - a[which] * mu
            x0 = mu + (w[which] @ resid[:, :, None])[:, :, 0]
            return x0.reshape(x.shape).to(x.dtype)

        return denoise

    def conditional(
        self, observed: torch.Tensor, x_obs: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Exact p(x_M | x_C) for one pattern: observed [V] bool, x_obs [V, D] (C rows used).

        Returns (mean [|M| * D], cov [|M| * D, |M| * D]) float64, in view order.
        """
        elem = observed.repeat_interleave(self.latent_dim)
        c, m = elem.nonzero()[:, 0], (~elem).nonzero()[:, 0]
        x_c = x_obs.reshape(-1).double()[c]
        s_mc = self.cov[m][:, c]
        s_cc = self.cov[c][:, c]
        gain = torch.linalg.solve(s_cc, s_mc.T).T
        mean = self.mean[m] + gain @ (x_c - self.mean[c])
        cov = self.cov[m][:, m] - gain @ s_mc.T
        return mean, cov
