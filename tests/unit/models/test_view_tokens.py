"""The view-token score network: identity at init, shared weights, cross-view attention, checkpoints."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from semcom.errors import SemcomError
from semcom.models.checkpoint import load_score_net, save_score_net
from semcom.models.score_net import ScoreNetConfig, build_score_net
from semcom.models.view_tokens import fourier_features, grow

CFG = ScoreNetConfig(views=3, latent_dim=4, width=32, time_dim=16, arch="view_tokens", depth=2, heads=4)


def _randomise(net):
    torch.manual_seed(1)
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.2)
    return net


def test_output_is_zero_at_init_and_shaped_like_input():
    net = build_score_net(CFG)
    z = torch.randn(5, 3, 4)
    out = net(z, torch.rand(5, 3))
    assert out.shape == z.shape and torch.all(out == 0)


def test_permuting_views_with_their_embeddings_permutes_the_output():
    net = _randomise(build_score_net(CFG)).eval()
    z, tau = torch.randn(2, 3, 4), torch.rand(2, 3)
    perm = torch.tensor([2, 0, 1])
    out = net(z, tau)
    with torch.no_grad():
        net.view_embed.copy_(net.view_embed[perm])
    assert torch.allclose(net(z[:, perm], tau[:, perm]), out[:, perm], atol=1e-5)


def test_each_view_sees_the_others_and_its_own_time():
    net = _randomise(build_score_net(CFG)).eval()
    z, tau = torch.randn(1, 3, 4), torch.full((1, 3), 0.5)
    other = z.clone()
    other[0, 2] += 1.0  # change view 2 only
    assert not torch.allclose(net(z, tau)[0, 0], net(other, tau)[0, 0])  # view 0 attends to view 2
    later = tau.clone()
    later[0, 1] = 0.9
    changed = (net(z, tau) - net(z, later)).abs().sum(-1)[0]
    assert changed[1] > 0  # its own time moves a view's prediction


def test_fourier_features_are_bounded_and_distinguish_times():
    f = fourier_features(torch.tensor([0.0, 0.001, 0.5, 1.0]), 16)
    assert f.shape == (4, 16) and f.abs().max() <= 1.0
    assert torch.equal(f[0, :8], torch.zeros(8)) and torch.equal(f[0, 8:], torch.ones(8))
    assert not torch.allclose(f[0], f[1], atol=1e-3)


def test_config_errors_and_shape_errors():
    with pytest.raises(SemcomError, match="unknown score net arch 'rnn'; allowed: mlp_unet, view_tokens"):
        ScoreNetConfig(views=2, latent_dim=3, arch="rnn")
    with pytest.raises(SemcomError, match="width divisible by heads"):
        ScoreNetConfig(views=2, latent_dim=3, width=30, heads=4, arch="view_tokens")
    with pytest.raises(SemcomError, match=r"expects z_t \[B, 3, 4\]"):
        build_score_net(CFG)(torch.zeros(1, 2, 4), torch.zeros(1, 2))


def test_checkpoint_round_trip_keeps_the_design(tmp_path):
    net = _randomise(build_score_net(CFG)).eval()
    save_score_net(tmp_path / "net", net)
    loaded, _ = load_score_net(tmp_path / "net", views=3, latent_dim=4)
    z, tau = torch.randn(2, 3, 4), torch.rand(2, 3)
    assert loaded.config.arch == "view_tokens" and torch.equal(loaded(z, tau), net(z, tau))


@pytest.mark.parametrize("bigger", [dict(depth=4), dict(embed_hidden=8), dict(depth=3, embed_hidden=8)])
def test_a_grown_net_computes_the_same_function_and_its_new_parts_train(bigger):
    """grow: the extra blocks start with zero adaLN gates and the token reader with a zero output
    layer, so the output is unchanged to the last bit; a gradient step reaches the new parts."""
    small = _randomise(build_score_net(CFG)).eval()
    big = grow(small, build_score_net(replace(CFG, **bigger))).eval()
    z, tau = torch.randn(6, 3, 4), torch.rand(6, 3)
    assert torch.equal(big(z, tau), small(z, tau))
    big.train()
    big(z, tau).square().sum().backward()
    new = big.blocks[-1].modulation if "depth" in bigger else big.embed_mlp[-1]
    assert new.weight.grad.abs().sum() > 0


def test_grow_names_what_does_not_fit():
    small = build_score_net(CFG)
    with pytest.raises(SemcomError, match="allowed depths >= 2"):
        grow(small, build_score_net(replace(CFG, depth=1)))
    with pytest.raises(SemcomError, match="differ beyond their depth and token reader"):
        grow(small, build_score_net(replace(CFG, depth=3, width=64)))
    with pytest.raises(SemcomError, match="into one without"):
        grow(build_score_net(replace(CFG, embed_hidden=8)), small)
