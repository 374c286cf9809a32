"""Frechet distance and KID against closed forms and an independent sqrtm computation."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg
import torch

from semcom.errors import SemcomError
from semcom.metrics.frechet import (
    GaussianStats,
    frechet_distance,
    frechet_distance_features,
    gaussian_stats,
    kernel_inception_distance,
    polynomial_mmd2_unbiased,
)


def _stats(mu, sigma, backbone="test"):
    return GaussianStats(np.asarray(mu, float), np.asarray(sigma, float), n=10, backbone=backbone)


def _scipy_frechet(a: GaussianStats, b: GaussianStats) -> float:
    """The classic formula with a general matrix square root (as TF-FID / pytorch-fid do)."""
    root = scipy.linalg.sqrtm(a.sigma @ b.sigma)
    return float(
        np.sum((a.mu - b.mu) ** 2) + np.trace(a.sigma) + np.trace(b.sigma) - 2 * np.trace(root.real)
    )


def test_diagonal_gaussians_match_the_closed_form():
    # diagonal: d^2 = |mu_a - mu_b|^2 + sum (sqrt(s_a) - sqrt(s_b))^2
    s_a, s_b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 4.0, 1.0])
    a, b = _stats([0, 0, 0], np.diag(s_a)), _stats([1, 2, 0], np.diag(s_b))
    want = 5.0 + np.sum((np.sqrt(s_a) - np.sqrt(s_b)) ** 2)
    assert frechet_distance(a, b) == pytest.approx(want, rel=1e-12)


def test_identical_stats_give_zero_and_the_distance_is_symmetric():
    gen = np.random.default_rng(0)
    feats = gen.normal(size=(50, 8))
    a = gaussian_stats(feats, "test")
    b = gaussian_stats(feats[::-1] * 1.5 + 0.3, "test")
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-10)


def test_agrees_with_scipy_sqrtm_on_full_rank_and_rank_deficient_covariances():
    gen = np.random.default_rng(1)
    for n, d in ((400, 16), (30, 64)):  # second case: fewer samples than dimensions (singular S)
        a = gaussian_stats(gen.normal(size=(n, d)), "test")
        b = gaussian_stats(gen.normal(size=(n, d)) * 1.3 + 0.2, "test")
        ours, ref = frechet_distance(a, b), _scipy_frechet(a, b)
        assert ours == pytest.approx(ref, rel=1e-3)


def test_feature_route_equals_the_covariance_route():
    gen = np.random.default_rng(4)
    for n_a, n_b, d in ((40, 25, 64), (300, 200, 8)):  # nuclear-norm route, then fallback
        x = gen.normal(size=(n_a, d))
        y = gen.normal(size=(n_b, d)) * 0.7 + 0.4
        want = frechet_distance(gaussian_stats(x, "t"), gaussian_stats(y, "t"))
        # the covariance route loses ~sqrt(eps) on the zero eigenvalues of singular S
        assert frechet_distance_features(x, y, "t") == pytest.approx(want, rel=1e-6)
    assert frechet_distance_features(x, x, "t") == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(SemcomError, match="feature sizes differ"):
        frechet_distance_features(x, x[:, :4], "t")


def test_different_backbones_are_not_compared():
    with pytest.raises(SemcomError, match="different backbones"):
        frechet_distance(_stats([0], [[1]], "a"), _stats([0], [[1]], "b"))


def test_gaussian_stats_needs_two_samples():
    with pytest.raises(SemcomError, match="at least 2"):
        gaussian_stats(np.zeros((1, 4)), "test")


def test_unbiased_mmd_matches_the_pairwise_definition():
    gen = np.random.default_rng(2)
    x, y = gen.normal(size=(5, 3)), gen.normal(size=(4, 3)) + 0.5

    def k(u, v):
        return (u @ v / 3 + 1) ** 3

    xx = sum(k(x[i], x[j]) for i in range(5) for j in range(5) if i != j) / (5 * 4)
    yy = sum(k(y[i], y[j]) for i in range(4) for j in range(4) if i != j) / (4 * 3)
    xy = sum(k(x[i], y[j]) for i in range(5) for j in range(4)) / (5 * 4)
    assert polynomial_mmd2_unbiased(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_kid_is_near_zero_for_one_distribution_and_positive_for_two():
    gen = torch.Generator().manual_seed(3)
    x, y = torch.randn(400, 16, generator=gen), torch.randn(400, 16, generator=gen)
    same = kernel_inception_distance(
        x, y, generator=torch.Generator().manual_seed(0), subset_size=100, num_subsets=50
    )
    shifted = kernel_inception_distance(
        x, y + 1.0, generator=torch.Generator().manual_seed(0), subset_size=100, num_subsets=50
    )
    assert abs(same.mean) < 3 * same.std
    assert shifted.mean > 10 * shifted.std > 0
    again = kernel_inception_distance(
        x, y, generator=torch.Generator().manual_seed(0), subset_size=100, num_subsets=50
    )
    assert again == same  # same seed, same subsets
