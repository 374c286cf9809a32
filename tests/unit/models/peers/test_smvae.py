"""SMVAE's set aggregator: permutation invariance, masking, empty sets."""

import torch

from semcom.models.peers import build_model
from semcom.models.peers.smvae import SetAttentionPool


def _pool():
    torch.manual_seed(0)
    return SetAttentionPool(16, 4).eval()


def test_pool_is_permutation_invariant():
    pool = _pool()
    x = torch.randn(6, 5, 16)
    mask = torch.rand(6, 5, generator=torch.Generator().manual_seed(1)) < 0.7
    mask[:, 0] = True
    out = pool(x, mask)
    for seed in range(3):
        perm = torch.randperm(5, generator=torch.Generator().manual_seed(seed))
        assert torch.allclose(pool(x[:, perm], mask[:, perm]), out, atol=1e-5)


def test_pool_ignores_masked_elements_and_matches_the_subset_alone():
    pool = _pool()
    x = torch.randn(3, 4, 16)
    mask = torch.tensor([[True, False, True, False]] * 3)
    out = pool(x, mask)
    x2 = x.clone()
    x2[:, [1, 3]] = 50.0
    assert torch.allclose(pool(x2, mask), out, atol=1e-5)
    # the same as giving only the present elements
    sub = pool(x[:, [0, 2]], torch.ones(3, 2, dtype=torch.bool))
    assert torch.allclose(sub, out, atol=1e-5)


def test_pool_empty_set_is_finite_and_uses_only_the_query():
    pool = _pool()
    mask = torch.zeros(2, 3, dtype=torch.bool)
    out = pool(torch.randn(2, 3, 16), mask)
    assert torch.isfinite(out).all()
    assert torch.allclose(out[0], out[1])


def test_smvae_posterior_any_subset_and_prior_when_empty():
    torch.manual_seed(0)
    model = build_model(
        "smvae",
        {
            "views": 3,
            "channels": 1,
            "image_size": 8,
            "widths": [4, 8],
            "latent_dim": 6,
            "embed_dim": 8,
            "heads": 2,
        },
    ).eval()
    x = torch.rand(4, 3, 1, 8, 8)
    observed = torch.tensor([[1, 0, 0], [0, 1, 1], [1, 1, 1], [0, 0, 0]], dtype=torch.bool)
    g = torch.Generator().manual_seed(0)
    mu, logvar = model.posterior(x, observed, g)
    assert mu.shape == (4, 6) and torch.isfinite(mu).all() and torch.isfinite(logvar).all()
    assert torch.equal(mu[3], torch.zeros(6)) and torch.equal(logvar[3], torch.zeros(6))
    x2 = x.clone()
    x2[~observed] = 1.0  # missing views' content must not matter
    mu2, _ = model.posterior(x2, observed, g)
    assert torch.allclose(mu, mu2, atol=1e-6)
