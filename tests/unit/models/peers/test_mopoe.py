"""MoPoE: the mixture component selection of training, the conditional posterior of imputation."""

import torch

from semcom.models.peers import build_model
from semcom.models.peers.gaussian import nonempty_subsets, product_of_experts
from semcom.models.peers.mopoe import select_components, valid_components


def test_valid_components_are_subsets_of_the_observed_views():
    subsets = nonempty_subsets(3)
    observed = torch.tensor([[True, False, True], [False, False, False], [True, True, True]])
    valid = valid_components(subsets, observed)
    assert valid.sum(dim=1).tolist() == [3, 0, 7]  # 2^k - 1 components for k observed views
    for b in range(3):
        for s in range(7):
            assert bool(valid[b, s]) == bool((subsets[s] <= observed[b]).all())


def test_selection_is_uniform_over_valid_components_and_deterministic():
    valid = torch.tensor([[True, False, True, True, False]] * 30000)
    pick = select_components(valid, torch.Generator().manual_seed(0))
    counts = torch.bincount(pick, minlength=5).double() / len(pick)
    assert counts[1] == 0 and counts[4] == 0
    assert torch.allclose(
        counts[[0, 2, 3]], torch.full((3,), 1 / 3, dtype=torch.float64), atol=0.01
    )
    assert torch.equal(pick, select_components(valid, torch.Generator().manual_seed(0)))
    none = select_components(torch.zeros(2, 5, dtype=torch.bool), torch.Generator().manual_seed(0))
    assert none.tolist() == [-1, -1]


def test_posterior_is_the_trained_component_of_exactly_the_observed_subset():
    torch.manual_seed(0)
    model = build_model(
        "mopoe", {"views": 3, "channels": 1, "image_size": 8, "widths": [4, 8], "latent_dim": 5}
    ).eval()
    x = torch.rand(4, 3, 1, 8, 8)
    observed = torch.tensor([[True, True, False], [False, False, True], [True, True, True],
                             [True, False, True]])  # fmt: skip
    mu, logvar = model.posterior(x, observed, torch.Generator().manual_seed(3))
    comp_mu, comp_lv = model.all_components(*model.experts(x))  # [B, S, D]
    for b in range(4):
        s = [tuple(m.tolist()) for m in model.subsets].index(tuple(observed[b].tolist()))
        assert torch.allclose(mu[b], comp_mu[b, s], atol=1e-6)
        assert torch.allclose(logvar[b], comp_lv[b, s], atol=1e-6)
    # deterministic: the generator plays no part
    again = model.posterior(x, observed, torch.Generator().manual_seed(99))
    assert torch.equal(mu, again[0]) and torch.equal(logvar, again[1])
    # more observed views, a sharper posterior (precisions add)
    full_lv = logvar[2]
    _, single_lv = model.posterior(x[2:3], torch.tensor([[True, False, False]]), torch.Generator())
    assert (full_lv < single_lv[0]).all()
    # no observed view: the prior
    mu0, lv0 = model.posterior(x[:2], torch.zeros(2, 3, dtype=torch.bool), torch.Generator())
    assert torch.equal(mu0, torch.zeros(2, 5)) and torch.equal(lv0, torch.zeros(2, 5))


def test_all_components_match_per_subset_products():
    torch.manual_seed(0)
    model = build_model(
        "mopoe", {"views": 3, "channels": 1, "image_size": 8, "widths": [4, 8], "latent_dim": 5}
    )
    mu_e, logvar_e = torch.randn(2, 3, 5), torch.randn(2, 3, 5)
    mu, logvar = model.all_components(mu_e, logvar_e)
    for s, subset in enumerate(model.subsets):
        m, lv = product_of_experts(mu_e, logvar_e, subset.expand(2, 3), prior_expert=False)
        assert torch.allclose(mu[:, s], m) and torch.allclose(logvar[:, s], lv)
