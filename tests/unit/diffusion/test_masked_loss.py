"""Subset sampling, the multi-time vector and the masked loss against their definitions."""

import itertools

import pytest
import torch

from semcom.diffusion.masked import masked_diffusion_loss, multi_time, sample_observed_mask
from semcom.errors import SemcomError


def test_joint_probability_and_uniform_proper_subsets():
    g = torch.Generator().manual_seed(0)
    n, v, d = 40000, 3, 0.2
    obs = sample_observed_mask(n, v, g, joint_prob=d)
    joint = ~obs.any(1)
    assert abs(joint.float().mean().item() - d) < 0.01
    assert not obs.all(1).any(), "a sample must always have at least one diffused view"
    cond = obs[~joint]
    codes = (cond.long() * (2 ** torch.arange(v))).sum(1)
    counts = torch.bincount(codes, minlength=2**v)
    assert counts[0] == 0 and counts[-1] == 0
    expected = len(cond) / (2**v - 2)
    # six non-empty proper subsets, each within 5 binomial standard deviations
    assert torch.all((counts[1:-1] - expected).abs() < 5 * expected**0.5)


def test_uniform_count_draws_each_count_equally_then_a_uniform_subset_of_it():
    g = torch.Generator().manual_seed(0)
    n, v, d = 60000, 5, 0.2
    obs = sample_observed_mask(n, v, g, joint_prob=d, subsets="uniform_count")
    joint = ~obs.any(1)
    assert abs(joint.float().mean().item() - d) < 0.01
    assert not obs.all(1).any()
    cond = obs[~joint]
    sizes = torch.bincount(cond.sum(1), minlength=v + 1)
    assert sizes[0] == 0 and sizes[v] == 0
    per_count = len(cond) / (v - 1)  # |C| = 1 .. 4 each a quarter
    assert torch.all((sizes[1:v] - per_count).abs() < 5 * per_count**0.5)
    codes = (cond.long() * (2 ** torch.arange(v))).sum(1)
    counts = torch.bincount(codes, minlength=2**v)
    for k in range(1, v):  # within a count, each of the C(v, k) subsets equally often
        members = [c for c in range(2**v) if bin(c).count("1") == k]
        expected = per_count / len(members)
        assert all(abs(counts[c] - expected) < 5 * expected**0.5 for c in members)


def test_unknown_subset_draw_is_a_one_line_error():
    with pytest.raises(SemcomError, match="uniform_count"):
        sample_observed_mask(4, 3, torch.Generator(), subsets="uniform")


def test_mask_is_seeded_and_checks_views():
    a = sample_observed_mask(16, 4, torch.Generator().manual_seed(1))
    b = sample_observed_mask(16, 4, torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    with pytest.raises(SemcomError, match="at least 2 views"):
        sample_observed_mask(4, 1, torch.Generator())


def test_multi_time_vector():
    obs = torch.tensor([[True, False, False], [False, False, False]])
    tau = multi_time(torch.tensor([0.3, 0.9]), obs)
    assert torch.allclose(tau, torch.tensor([[0.0, 0.3, 0.3], [0.9, 0.9, 0.9]]))


class Probe(torch.nn.Module):
    """Ignores its input's noise level, records what it saw, outputs a learnable tensor."""

    def __init__(self, shape):
        super().__init__()
        self.out = torch.nn.Parameter(torch.randn(shape))
        self.seen = None

    def forward(self, z_t, tau):
        self.seen = (z_t.detach().clone(), tau.clone())
        return self.out


def test_observed_views_enter_clean_and_get_no_gradient():
    g = torch.Generator().manual_seed(0)
    z0 = torch.randn(4, 3, 5, generator=g)
    obs = torch.tensor(
        [[True, False, False], [False, True, True], [False] * 3, [True, True, False]]
    )
    t = torch.full((4,), 0.6)
    probe = Probe(z0.shape)
    loss = masked_diffusion_loss(probe, z0, obs, t, g)
    loss.backward()
    z_t, tau = probe.seen
    assert torch.equal(z_t[obs], z0[obs]), "observed latents must be fed clean"
    assert not torch.allclose(z_t[~obs], z0[~obs])
    assert torch.all(tau[obs] == 0) and torch.allclose(tau[~obs], torch.tensor(0.6))
    grad = probe.out.grad
    assert torch.all(grad[obs] == 0), "no gradient may flow from observed views"
    assert torch.all(grad[~obs].abs().sum(-1) > 0)


@pytest.mark.parametrize("n_obs", [0, 1, 2, 3])
def test_weighting_makes_each_sample_count_equally(n_obs):
    # A zero prediction has squared error eps^2; with lambda(M, C) = V / |M| the loss is the
    # mean over diffused elements, so its expectation is 1 whatever the number of observed views.
    g = torch.Generator().manual_seed(n_obs)
    b, v, d = 4000, 4, 8
    obs = torch.zeros(b, v, dtype=torch.bool)
    obs[:, :n_obs] = True

    def zero(z, tau):
        return torch.zeros_like(z)

    loss = masked_diffusion_loss(zero, torch.randn(b, v, d, generator=g), obs, torch.rand(b), g)
    assert abs(loss.item() - 1.0) < 0.02


def test_fully_observed_sample_contributes_zero():
    obs = torch.ones(2, 3, dtype=torch.bool)
    loss = masked_diffusion_loss(
        lambda z, tau: torch.ones_like(z),
        torch.randn(2, 3, 4),
        obs,
        torch.rand(2),
        torch.Generator(),
    )
    assert loss.item() == 0.0


def test_all_subset_patterns_are_reachable():
    obs = sample_observed_mask(2000, 3, torch.Generator().manual_seed(5))
    seen = {tuple(row.tolist()) for row in obs}
    proper = {p for p in itertools.product([False, True], repeat=3) if not all(p)}
    assert seen == proper


def test_loss_of_the_exact_predictor_equals_the_posterior_noise_variance():
    # On the Gaussian toy the optimal -eps predictor is (m D - x_t) / s with the exact denoiser
    # D; its expected loss is the posterior variance of eps averaged over diffused elements:
    # Var(eps_i | x_t) = (m_i / s_i)^2 Var(x0_i | x_t). This pins the sign and scale of the
    # network output convention shared by the loss and denoiser_from_score_net.
    from semcom.diffusion.gaussian import GaussianViews
    from semcom.diffusion.samplers import denoiser_from_score_net
    from semcom.diffusion.sde import VPSDE

    sde = VPSDE()
    g = torch.Generator().manual_seed(0)
    toy = GaussianViews.random(3, 2, g)
    exact = toy.denoiser(sde)

    def predictor(z_t, tau):
        tt = tau[:, :, None]
        m, s = sde.mean_coeff(tt), sde.std(tt)
        out = (m * exact(z_t, tau) - z_t) / s.clamp(min=1e-12)
        return torch.where(tau[:, :, None] > 0, out, torch.zeros(()))

    n, t = 20000, 0.3
    observed = torch.tensor([True, False, False]).expand(n, 3).clone()
    loss = masked_diffusion_loss(predictor, toy.sample(n, g), observed, torch.full((n,), t), g)

    tau = torch.tensor([[0.0, t, t]], dtype=torch.float64).repeat_interleave(2, dim=1)[0]
    m, s = sde.mean_coeff(tau), sde.std(tau)
    k = m[:, None] * toy.cov * m[None, :] + torch.diag(s**2)
    post = toy.cov - toy.cov * m[None, :] @ torch.linalg.solve(k, m[:, None] * toy.cov)
    diffused = slice(2, 6)
    theory = ((m / s)[diffused] ** 2 * post.diag()[diffused]).mean().item()
    assert loss.item() == pytest.approx(theory, rel=0.03)
    assert theory < 0.9  # far from the zero predictor's loss of 1

    # and the denoiser rebuilt from this predictor is the exact one on the diffused views
    z_t = torch.randn(5, 3, 2, generator=g)
    tau5 = torch.tensor([[0.0, t, t]]).expand(5, 3)
    rebuilt = denoiser_from_score_net(predictor, sde)(z_t, tau5)
    assert torch.allclose(rebuilt[:, 1:], exact(z_t, tau5)[:, 1:], atol=1e-5)


def test_training_refuses_a_score_net_narrower_than_the_latents():
    from semcom.errors import SemcomError
    from semcom.models.train_diffusion import check_width_covers_latents

    check_width_covers_latents(320, 5, 64)  # 320 >= 5 x 64: fine
    with pytest.raises(SemcomError, match="width 320 is below the latent size 5 x 160 = 800"):
        check_width_covers_latents(320, 5, 160)


@pytest.mark.parametrize("t, gamma", [(0.05, 5.0), (0.3, 5.0), (0.9, 5.0), (0.3, 0.5)])
def test_min_snr_weights_are_min_of_one_and_gamma_sigma_squared(t, gamma):
    """With a zero prediction the plain loss is E[eps^2] = 1; Min-SNR-gamma scales it by
    min(SNR, gamma) / SNR = min(1, gamma sigma(t)^2) (1 at high noise, small near t = 0)."""
    from semcom.diffusion.sde import VPSDE

    g = torch.Generator().manual_seed(0)
    b, v, d = 4000, 3, 8
    obs = torch.zeros(b, v, dtype=torch.bool)
    obs[:, 0] = True
    times = torch.full((b,), t)
    zero = lambda z, tau: torch.zeros_like(z)  # noqa: E731
    z0 = torch.randn(b, v, d, generator=g)
    plain = masked_diffusion_loss(zero, z0, obs, times, torch.Generator().manual_seed(1)).item()
    weighted = masked_diffusion_loss(zero, z0, obs, times, torch.Generator().manual_seed(1),
                                     min_snr_gamma=gamma).item()
    expected = min(1.0, gamma * float(VPSDE().sigma(torch.tensor(t))) ** 2)
    assert weighted == pytest.approx(plain * expected, rel=1e-5)
    assert plain == pytest.approx(1.0, abs=0.03)
