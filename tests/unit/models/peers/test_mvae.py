"""MVAE's objective: the batched loss is the paper's sum of per-subset ELBOs."""

import pytest
import torch

from semcom.errors import SemcomError
from semcom.models.peers import build_model
from semcom.models.peers.base import laplace_nll
from semcom.models.peers.gaussian import (
    kl_to_standard_normal,
    product_of_experts,
    sample_gaussian,
)

SMALL = {"views": 3, "channels": 1, "image_size": 8, "widths": [4, 8], "latent_dim": 6}


def _reference_loss(model, views, generator):
    """The objective written subset by subset: decode every view, keep the subset's ones."""
    mu_e, logvar_e = model.experts(views)
    recon = kl = 0.0
    for k, mask in enumerate(model.elbo_masks(views.shape[0], generator)):
        weight = model.config.joint_weight if k == 0 else 1.0
        mu, logvar = product_of_experts(mu_e, logvar_e, mask, prior_expert=True)
        x_hat = model.decode(sample_gaussian(mu, logvar, generator))
        nll = laplace_nll(x_hat, views, model.config.scale)  # [B, V]
        recon = recon + weight * (nll * mask).sum(dim=1).mean()
        kl = kl + weight * kl_to_standard_normal(mu, logvar).mean()
    return recon, kl


@pytest.mark.parametrize("joint_weight", [1.0, 4.0])
@pytest.mark.parametrize("shared", [True, False])
def test_loss_is_the_sum_of_subset_elbos(joint_weight, shared):
    torch.manual_seed(0)
    model = build_model(
        "mvae", {**SMALL, "shared": shared, "extra_subsets": 2, "joint_weight": joint_weight}
    )
    views = torch.rand(4, 3, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    terms = model.loss(views, torch.Generator().manual_seed(2))
    recon, kl = _reference_loss(model, views, torch.Generator().manual_seed(2))
    torch.testing.assert_close(terms["recon"], recon)
    torch.testing.assert_close(terms["kl"], kl)


def test_joint_weight_moves_only_the_full_set_term():
    torch.manual_seed(0)
    views = torch.rand(4, 3, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    losses = {}
    for w in (1.0, 2.0, 3.0):
        torch.manual_seed(0)
        model = build_model("mvae", {**SMALL, "joint_weight": w})
        losses[w] = model.loss(views, torch.Generator().manual_seed(2))["loss"]
    # linear in the weight: equal steps from 1 to 2 to 3
    torch.testing.assert_close(losses[3.0] - losses[2.0], losses[2.0] - losses[1.0])
    assert losses[2.0] > losses[1.0]


def test_joint_weight_must_be_positive():
    with pytest.raises(SemcomError, match="joint_weight must be > 0, got 0"):
        build_model("mvae", {**SMALL, "joint_weight": 0})
