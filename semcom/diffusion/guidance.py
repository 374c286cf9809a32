"""Guidance from the joint mode: classifier-free guidance without a second network.

A multi-time masked score network is trained both conditionally (some views clean, t_v = 0) and
jointly (every view diffused to the same t, probability ``joint_prob``). Its joint mode is an
unconditional model of the same views, so it can serve as the unconditional branch of
classifier-free guidance (Ho and Salimans 2022) at no training cost:

    D_guided = D_cond + w (D_cond - D_joint)          (for the missing views only)

D_cond: the denoiser with the observed views clean and tau = (0 for observed, t for missing);
D_joint: the denoiser with the observed views noised to the same t (fresh noise from the
sampler's generator at each call) and tau = t for every view. w = 0 is the plain conditional
sampler; w > 0 pushes the missing views towards what the observed ones make more likely than
the prior does. Both branches are network passes: a guided denoiser costs 2 NFE per call, and
an :class:`~semcom.diffusion.samplers.NFECounter` wrapped around the plain denoiser counts
both. Guidance in the denoised (x0) space equals guidance on -eps: x0 is affine in the network
output with the same x_t and tau for the missing views in both branches.
"""

from __future__ import annotations

import torch

from semcom.diffusion.samplers import Denoiser
from semcom.diffusion.sde import VPSDE, expand_like
from semcom.errors import SemcomError


def check_guidance(weight: float) -> float:
    """One-line error for a guidance weight outside [0, 20]."""
    weight = float(weight)
    if not 0.0 <= weight <= 20.0:  # also rejects NaN
        raise SemcomError(f"guidance weight must be in [0, 20] (0 = none), got {weight}")
    return weight


def joint_guided_denoiser(
    denoiser: Denoiser,
    weight: float,
    *,
    observed_mask: torch.Tensor,
    known: torch.Tensor,
    generator: torch.Generator,
    sde: VPSDE | None = None,
) -> Denoiser:
    """The guided denoiser (x_t [B, V, ...], tau [B, V]) -> x0_hat [B, V, ...].

    observed_mask: [B, V] bool; known: [B, V, ...] clean latents of the observed views (what
    the joint branch noises); generator: draws that noise. ``weight`` = 0 returns ``denoiser``
    itself (1 NFE per call). Observed views of the output are the conditional branch's.
    """
    weight = check_guidance(weight)
    if weight == 0.0:
        return denoiser
    if generator is None:
        raise SemcomError("guidance noises the observed views: pass a seeded torch.Generator")
    sde = sde or VPSDE()
    keep = expand_like(observed_mask, known)

    def guided(x: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
        cond = denoiser(x, tau)
        t = tau.max(dim=1, keepdim=True).values.expand_as(tau)  # the missing views' time, per sample
        noised, _ = sde.perturb(known, t, generator)
        joint = denoiser(torch.where(keep, noised, x), t)
        return torch.where(keep, cond, cond + weight * (cond - joint))

    return guided
