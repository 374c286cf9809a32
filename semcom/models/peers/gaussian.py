"""Diagonal Gaussians for the multimodal VAEs: products of experts, KL, sampling, view subsets.

A Gaussian is a pair ``(mu, logvar)`` of tensors of the same shape ``[..., D]``. All functions
are pure; the only randomness comes from the ``torch.Generator`` passed in.
"""

from __future__ import annotations

import itertools

import torch

from semcom.errors import SemcomError


def product_of_experts(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    mask: torch.Tensor,
    *,
    prior_expert: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Product of the Gaussian experts selected by ``mask`` (optionally times N(0, I)).

    mu, logvar: [B, E, D] the experts; mask: [B, E] bool, True where an expert takes part.
    Returns (mu, logvar): [B, D]. The product of Gaussians N(mu_i, 1/T_i) is Gaussian with
    precision T = sum_i T_i and mean sum_i T_i mu_i / T (the prior expert adds T = 1, mean 0).
    A row with no expert (and no prior expert) gets the standard normal prior.
    """
    if mu.shape != logvar.shape or mu.ndim != 3 or tuple(mask.shape) != tuple(mu.shape[:2]):
        raise SemcomError(
            f"product_of_experts needs mu, logvar [B, E, D] and mask [B, E]; got "
            f"{tuple(mu.shape)}, {tuple(logvar.shape)}, {tuple(mask.shape)}"
        )
    weight = mask.to(mu.dtype).unsqueeze(-1)  # [B, E, 1]
    precision = torch.exp(-logvar) * weight  # [B, E, D]
    total = precision.sum(dim=1)  # [B, D]
    weighted = (precision * mu).sum(dim=1)
    if prior_expert:
        total = total + 1.0
    empty = ~mask.any(dim=1, keepdim=True)  # [B, 1]
    total = torch.where(empty, torch.ones_like(total), total) if not prior_expert else total
    mean = weighted / total
    return mean, -torch.log(total)


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) summed over the last dim: [..., D] -> [...] (nats)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(dim=-1)


def sample_gaussian(
    mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """Reparameterised draw z = mu + exp(logvar / 2) * eps with eps from ``generator``."""
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)
    return mu + torch.exp(0.5 * logvar) * eps


def nonempty_subsets(num_views: int) -> torch.Tensor:
    """All 2^V - 1 non-empty subsets of V views as masks [S, V] bool (ordered by size)."""
    rows = [
        [v in combo for v in range(num_views)]
        for k in range(1, num_views + 1)
        for combo in itertools.combinations(range(num_views), k)
    ]
    return torch.tensor(rows, dtype=torch.bool)


def random_subset_masks(
    batch: int, num_views: int, generator: torch.Generator, device=None
) -> torch.Tensor:
    """One random non-empty subset per sample: [B, V] bool.

    The subset size k is uniform on 1..V, then a uniform subset of that size; this gives the full
    set and single views as much weight as any other size.
    """
    sizes = torch.randint(1, num_views + 1, (batch, 1), generator=generator)
    return masks_of_size(sizes, num_views, generator).to(device)


def masks_of_size(
    sizes: torch.Tensor | int, num_views: int, generator: torch.Generator
) -> torch.Tensor:
    """Uniformly random subsets of given sizes: sizes [B, 1] (or an int with B = 1) -> [B, V] bool.

    Each row is True at the first ``size`` positions of a random permutation of the views.
    """
    sizes = torch.as_tensor(sizes).reshape(-1, 1)
    ranks = torch.rand(len(sizes), num_views, generator=generator).argsort(dim=1).argsort(dim=1)
    return ranks < sizes
