"""Gaussian helpers against closed forms: products of experts, KL, sampling, subsets."""

import math

import pytest
import torch

from semcom.errors import SemcomError
from semcom.models.peers.gaussian import (
    kl_to_standard_normal,
    nonempty_subsets,
    product_of_experts,
    random_subset_masks,
    sample_gaussian,
)


def _log_normal(x, mu, var):
    return -0.5 * (x - mu) ** 2 / var - 0.5 * math.log(2 * math.pi * var)


@pytest.mark.parametrize("prior_expert", [False, True])
def test_poe_is_the_normalised_product_of_densities(prior_expert):
    """log prod_i N(x; mu_i, v_i) - log N(x; mu, v) must be constant in x (same shape)."""
    mu_e = torch.tensor([[[0.5], [-1.0], [2.0]]], dtype=torch.float64)  # [1, 3, 1]
    var_e = torch.tensor([[[0.3], [2.0], [0.7]]], dtype=torch.float64)
    mask = torch.tensor([[True, True, False]])
    mu, logvar = product_of_experts(mu_e, var_e.log(), mask, prior_expert=prior_expert)
    xs = torch.linspace(-4, 4, 41, dtype=torch.float64)
    log_prod = sum(_log_normal(xs, mu_e[0, i, 0], var_e[0, i, 0]) for i in range(2))
    if prior_expert:
        log_prod = log_prod + _log_normal(xs, 0.0, 1.0)
    diff = log_prod - _log_normal(xs, mu[0, 0], logvar[0, 0].exp())
    assert torch.allclose(diff, diff[0].expand_as(diff), atol=1e-9)


def test_poe_closed_form_precision_weighted_mean():
    mu_e = torch.randn(5, 4, 3, generator=torch.Generator().manual_seed(0))
    logvar_e = torch.randn(5, 4, 3, generator=torch.Generator().manual_seed(1))
    mask = torch.rand(5, 4, generator=torch.Generator().manual_seed(2)) < 0.6
    mu, logvar = product_of_experts(mu_e, logvar_e, mask, prior_expert=True)
    for b in range(5):
        t = [torch.ones(3)] + [torch.exp(-logvar_e[b, i]) for i in range(4) if mask[b, i]]
        m = [torch.zeros(3)] + [mu_e[b, i] for i in range(4) if mask[b, i]]
        total = sum(t)
        assert torch.allclose(logvar[b], -torch.log(total), atol=1e-6)
        assert torch.allclose(mu[b], sum(ti * mi for ti, mi in zip(t, m)) / total, atol=1e-6)


def test_poe_masked_expert_has_no_effect_and_empty_row_is_the_prior():
    mu_e, logvar_e = torch.randn(2, 3, 4), torch.randn(2, 3, 4)
    mask = torch.tensor([[True, False, True], [False, False, False]])
    mu, logvar = product_of_experts(mu_e, logvar_e, mask, prior_expert=False)
    mu_e2 = mu_e.clone()
    mu_e2[:, 1] = 100.0
    mu2, _ = product_of_experts(mu_e2, logvar_e, mask, prior_expert=False)
    assert torch.equal(mu, mu2)
    assert torch.equal(mu[1], torch.zeros(4)) and torch.equal(logvar[1], torch.zeros(4))
    # a single expert without the prior is that expert
    one = torch.tensor([[True, False, False]] * 2)
    m1, lv1 = product_of_experts(mu_e, logvar_e, one, prior_expert=False)
    assert torch.allclose(m1, mu_e[:, 0], atol=1e-6) and torch.allclose(
        lv1, logvar_e[:, 0], atol=1e-6
    )


def test_poe_rejects_bad_shapes():
    with pytest.raises(SemcomError, match="product_of_experts"):
        product_of_experts(
            torch.zeros(2, 3, 4),
            torch.zeros(2, 3, 4),
            torch.ones(2, 4, dtype=torch.bool),
            prior_expert=True,
        )


def test_kl_matches_torch_distributions():
    mu, logvar = torch.randn(6, 5), torch.randn(6, 5)
    q = torch.distributions.Normal(mu, (0.5 * logvar).exp())
    p = torch.distributions.Normal(torch.zeros(5), torch.ones(5))
    ref = torch.distributions.kl_divergence(q, p).sum(-1)
    assert torch.allclose(kl_to_standard_normal(mu, logvar), ref, atol=1e-5)


def test_sample_gaussian_moments_and_determinism():
    mu, logvar = torch.full((20000, 1), 1.5), torch.full((20000, 1), math.log(0.25))
    z = sample_gaussian(mu, logvar, torch.Generator().manual_seed(0))
    assert abs(z.mean().item() - 1.5) < 0.02 and abs(z.var().item() - 0.25) < 0.01
    assert torch.equal(z, sample_gaussian(mu, logvar, torch.Generator().manual_seed(0)))


def test_nonempty_subsets():
    s = nonempty_subsets(4)
    assert s.shape == (15, 4) and s.any(dim=1).all()
    assert len({tuple(r.tolist()) for r in s}) == 15


def test_random_subset_sizes_are_uniform_and_nonempty():
    masks = random_subset_masks(8000, 4, torch.Generator().manual_seed(0))
    sizes = masks.sum(dim=1)
    assert sizes.min() >= 1
    freq = torch.bincount(sizes, minlength=5)[1:].double() / 8000
    assert torch.allclose(freq, torch.full((4,), 0.25, dtype=torch.float64), atol=0.02)
    # every view is equally likely to be in the subset
    assert torch.allclose(
        masks.double().mean(0), torch.full((4,), 0.625, dtype=torch.float64), atol=0.02
    )
    assert torch.equal(masks, random_subset_masks(8000, 4, torch.Generator().manual_seed(0)))
