"""The variance-preserving (VP) SDE of score_sde / MLD, on t in [0, 1].

Forward:  dx = -beta(t) x / 2 dt + sqrt(beta(t)) dW,   beta(t) = beta_min + t (beta_max - beta_min).
Marginal: x_t = m(t) x_0 + s(t) eps,  m(t) = exp(-t^2 (beta_max - beta_min) / 4 - beta_min t / 2),
          s(t) = sqrt(1 - m(t)^2).

Every method is shape-agnostic: ``t`` may be a Python float, a [B] tensor (one time per sample)
or a [B, V] tensor (one time per view, the multi-time vector); it is broadcast against ``x`` by
appending trailing singleton dimensions (:func:`expand_like`).

Two derived quantities let ODE solvers work in the "variance-exploding" view of the same
process (EDM / DPM-Solver): sigma(t) = s(t) / m(t) (noise-to-signal ratio, x_t / m = x_0 +
sigma eps) and the half log-SNR lambda(t) = -log sigma(t).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from semcom.errors import SemcomError


def expand_like(t: torch.Tensor | float, x: torch.Tensor) -> torch.Tensor:
    """Broadcast ``t`` (scalar, [B] or [B, V]) against ``x`` ([B, V, ...]) by appending dims.

    Float times are cast to ``x``'s dtype; boolean masks stay boolean.
    """
    t = torch.as_tensor(t, device=x.device)
    if t.dtype != torch.bool:
        t = t.to(x.dtype)
    if t.ndim > x.ndim or tuple(t.shape) != tuple(x.shape[: t.ndim]):
        raise SemcomError(
            f"time tensor of shape {tuple(t.shape)} does not match the leading dims of "
            f"x {tuple(x.shape)}"
        )
    return t.reshape(tuple(t.shape) + (1,) * (x.ndim - t.ndim))


@dataclass(frozen=True)
class VPSDE:
    """VP SDE with a linear beta schedule; ``beta_min``/``beta_max`` as in score_sde (0.1, 20)."""

    beta_min: float = 0.1
    beta_max: float = 20.0

    def __post_init__(self) -> None:
        if not 0 <= self.beta_min < self.beta_max:
            raise SemcomError(
                f"VP SDE needs 0 <= beta_min < beta_max, got {self.beta_min}, {self.beta_max}"
            )

    # -- schedule -----------------------------------------------------------------------------
    def beta(self, t: torch.Tensor) -> torch.Tensor:
        """beta(t) = beta_min + t (beta_max - beta_min); same shape as ``t``."""
        return self.beta_min + t * (self.beta_max - self.beta_min)

    def log_mean_coeff(self, t: torch.Tensor) -> torch.Tensor:
        """log m(t) = -t^2 (beta_max - beta_min) / 4 - beta_min t / 2."""
        return -0.25 * t**2 * (self.beta_max - self.beta_min) - 0.5 * t * self.beta_min

    def mean_coeff(self, t: torch.Tensor) -> torch.Tensor:
        """m(t): the signal scale of the marginal."""
        return torch.exp(self.log_mean_coeff(t))

    def std(self, t: torch.Tensor) -> torch.Tensor:
        """s(t) = sqrt(1 - m(t)^2): the noise scale of the marginal (0 at t = 0)."""
        return torch.sqrt(-torch.expm1(2.0 * self.log_mean_coeff(t)))

    def sigma(self, t: torch.Tensor) -> torch.Tensor:
        """sigma(t) = s(t) / m(t) = sqrt(exp(-2 log m) - 1): the VE-equivalent noise level."""
        return torch.sqrt(torch.expm1(-2.0 * self.log_mean_coeff(t)))

    def t_from_sigma(self, sigma: torch.Tensor) -> torch.Tensor:
        """Inverse of :meth:`sigma`: solve a t^2 + b t = log(1 + sigma^2) for t >= 0."""
        a = 0.5 * (self.beta_max - self.beta_min)
        b = self.beta_min
        c = torch.log1p(sigma**2)
        return 2.0 * c / (b + torch.sqrt(b * b + 4.0 * a * c))

    # -- SDE terms ------------------------------------------------------------------------------
    def drift(self, x: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
        """f(x, t) = -beta(t) x / 2; x: [B, V, ...], t: scalar, [B] or [B, V]."""
        return -0.5 * self.beta(expand_like(t, x)) * x

    def diffusion(self, t: torch.Tensor) -> torch.Tensor:
        """g(t) = sqrt(beta(t)); same shape as ``t``."""
        return torch.sqrt(self.beta(t))

    def marginal(
        self, x0: torch.Tensor, t: torch.Tensor | float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean m(t) x0 and std s(t) of x_t given x0, both broadcast to ``x0``'s shape."""
        tt = expand_like(t, x0)
        return self.mean_coeff(tt) * x0, self.std(tt).expand_as(x0)

    def perturb(
        self, x0: torch.Tensor, t: torch.Tensor | float, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw x_t = m x0 + s eps; returns (x_t, eps), both shaped like ``x0``."""
        eps = torch.randn(x0.shape, generator=generator, dtype=x0.dtype, device=x0.device)
        mean, std = self.marginal(x0, t)
        return mean + std * eps, eps

    def prior_sample(
        self,
        shape: tuple[int, ...],
        generator: torch.Generator,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
    ) -> torch.Tensor:
        """A draw of the prior N(0, I) (the marginal at t = 1 is within 1e-4 of it)."""
        return torch.randn(shape, generator=generator, dtype=dtype, device=device)

    @property
    def prior_gap(self) -> float:
        """m(1): how far the t = 1 marginal is from the N(0, I) prior (about 6.6e-3)."""
        return math.exp(-0.25 * (self.beta_max - self.beta_min) - 0.5 * self.beta_min)
