"""The VP SDE against its closed form and a direct simulation of the forward SDE."""

import math

import pytest
import torch

from semcom.diffusion.sde import VPSDE, expand_like
from semcom.errors import SemcomError

SDE = VPSDE()


def test_marginal_coefficients_match_reference_formula():
    t = torch.linspace(0, 1, 11, dtype=torch.float64)
    m_ref = torch.exp(-(t**2) * (20 - 0.1) / 4 - 0.1 * t / 2)
    assert torch.allclose(SDE.mean_coeff(t), m_ref)
    assert torch.allclose(SDE.std(t), torch.sqrt(1 - m_ref**2))
    assert SDE.std(torch.tensor(0.0)) == 0.0 and SDE.mean_coeff(torch.tensor(0.0)) == 1.0
    assert math.isclose(SDE.prior_gap, float(m_ref[-1]))


def test_mean_coeff_solves_its_ode():
    # d m / dt = -beta(t) m / 2 (central differences)
    t = torch.linspace(0.05, 0.95, 19, dtype=torch.float64)
    h = 1e-5
    dm = (SDE.mean_coeff(t + h) - SDE.mean_coeff(t - h)) / (2 * h)
    assert torch.allclose(dm, -0.5 * SDE.beta(t) * SDE.mean_coeff(t), rtol=1e-6)


def test_sigma_and_its_inverse():
    t = torch.linspace(1e-3, 1, 50, dtype=torch.float64)
    sigma = SDE.sigma(t)
    assert torch.allclose(sigma, SDE.std(t) / SDE.mean_coeff(t))
    assert torch.allclose(SDE.t_from_sigma(sigma), t, atol=1e-10)


def test_forward_simulation_matches_marginal():
    # Euler-Maruyama of dx = -beta x / 2 dt + sqrt(beta) dW from x0 = 2 up to t = 0.5
    g = torch.Generator().manual_seed(0)
    n, steps, t_end = 20000, 400, 0.5
    x = torch.full((n,), 2.0, dtype=torch.float64)
    dt = t_end / steps
    for i in range(steps):
        t = torch.tensor(i * dt, dtype=torch.float64)
        noise = torch.randn(n, generator=g, dtype=torch.float64)
        x = x + SDE.drift(x, t) * dt + SDE.diffusion(t) * math.sqrt(dt) * noise
    mean, std = SDE.marginal(torch.tensor([2.0], dtype=torch.float64), t_end)
    assert abs(x.mean().item() - mean.item()) < 4 * std.item() / math.sqrt(n) + 5e-3
    assert abs(x.std().item() - std.item()) < 0.02


def test_per_view_times_broadcast():
    x0 = torch.ones(2, 3, 4)
    tau = torch.tensor([[0.0, 0.5, 1.0], [0.2, 0.0, 0.0]])
    mean, std = SDE.marginal(x0, tau)
    assert mean.shape == std.shape == x0.shape
    assert torch.allclose(mean[1, 1], torch.ones(4)) and torch.all(std[0, 0] == 0)
    assert torch.allclose(mean[0, 2], SDE.mean_coeff(torch.tensor(1.0)).expand(4))


def test_perturb_is_seeded():
    x0 = torch.zeros(5, 2, 3)
    a, _ = SDE.perturb(x0, 0.7, torch.Generator().manual_seed(3))
    b, _ = SDE.perturb(x0, 0.7, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_bad_shapes_and_parameters():
    with pytest.raises(SemcomError, match="does not match"):
        expand_like(torch.zeros(3), torch.zeros(2, 3))
    with pytest.raises(SemcomError, match="beta_min"):
        VPSDE(beta_min=5.0, beta_max=1.0)
