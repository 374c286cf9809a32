"""Frechet distance between Gaussians fitted to features (FID, fd_clf) and KID.

FID (Heusel et al., 2017): d^2 = |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a S_b)^{1/2}).
The trace of the matrix square root is computed in float64 from symmetric eigen-decompositions:
tr((S_a S_b)^{1/2}) = sum_i sqrt(lambda_i(S_a^{1/2} S_b S_a^{1/2})), which is exact for the
positive semi-definite covariances of any sample size (including fewer samples than feature
dimensions, where S is singular and a general ``sqrtm(S_a S_b)`` may turn complex).

KID (Binkowski et al., 2018): the unbiased estimate of the squared MMD with the polynomial
kernel k(x, y) = (x . y / D + 1)^3, averaged over random subsets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from semcom.errors import SemcomError


@dataclass(frozen=True)
class GaussianStats:
    """Mean and covariance of a feature set.

    mu: [D] float64; sigma: [D, D] float64 (unbiased, ddof = 1); n: number of samples;
    backbone: the feature network's name.
    """

    mu: np.ndarray
    sigma: np.ndarray
    n: int
    backbone: str


def _feature_matrix(features: torch.Tensor | np.ndarray) -> np.ndarray:
    """features [N, D] (N >= 2) as float64 numpy; a one-line error otherwise."""
    feats = np.asarray(
        features.detach().cpu() if isinstance(features, torch.Tensor) else features,
        dtype=np.float64,
    )
    if feats.ndim != 2 or feats.shape[0] < 2:
        raise SemcomError(
            f"Frechet statistics need at least 2 feature vectors [N, D], got {list(feats.shape)}"
        )
    return feats


def gaussian_stats(features: torch.Tensor | np.ndarray, backbone: str) -> GaussianStats:
    """Fit mean and covariance. features: [N, D], N >= 2."""
    feats = _feature_matrix(features)
    return GaussianStats(
        mu=feats.mean(axis=0),
        sigma=np.cov(feats, rowvar=False),
        n=feats.shape[0],
        backbone=backbone,
    )


def _psd_sqrt(sym: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix (negative round-off clipped)."""
    vals, vecs = np.linalg.eigh((sym + sym.T) / 2.0)
    return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T


def trace_sqrt_product(sigma_a: np.ndarray, sigma_b: np.ndarray) -> float:
    """tr((S_a S_b)^{1/2}) for PSD S_a, S_b: [D, D] float64."""
    root_a = _psd_sqrt(sigma_a)
    middle = root_a @ sigma_b @ root_a
    vals = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    return float(np.sqrt(np.clip(vals, 0.0, None)).sum())


def frechet_distance(a: GaussianStats, b: GaussianStats) -> float:
    """Squared Frechet distance between N(a.mu, a.sigma) and N(b.mu, b.sigma) (>= 0)."""
    if a.backbone != b.backbone:
        raise SemcomError(
            f"cannot compare statistics of different backbones: {a.backbone!r} vs {b.backbone!r}"
        )
    if a.mu.shape != b.mu.shape:
        raise SemcomError(f"feature sizes differ: {a.mu.shape[0]} vs {b.mu.shape[0]}")
    mean_term = float(np.sum((a.mu - b.mu) ** 2))
    cov_term = float(np.trace(a.sigma) + np.trace(b.sigma)) - 2.0 * trace_sqrt_product(
        a.sigma, b.sigma
    )
    return max(mean_term + cov_term, 0.0)


def frechet_distance_features(
    features_a: torch.Tensor | np.ndarray, features_b: torch.Tensor | np.ndarray, backbone: str
) -> float:
    """:func:`frechet_distance` of the Gaussians fitted to two feature sets, from the features.

    features_a: [N_a, D], features_b: [N_b, D]. With A, B the centred features divided by
    sqrt(N - 1) (so S_a = A^T A), the nonzero eigenvalues of S_a S_b are the squared singular
    values of A B^T, hence tr((S_a S_b)^{1/2}) = ||A B^T||_* (nuclear norm): O(N_a N_b D) work
    instead of O(D^3), much faster for the usual N < D = 2048. Falls back to the covariance
    route when N_a N_b > D^2.
    """
    xa, xb = _feature_matrix(features_a), _feature_matrix(features_b)
    if xa.shape[1] != xb.shape[1]:
        raise SemcomError(f"feature sizes differ: {xa.shape[1]} vs {xb.shape[1]}")
    if xa.shape[0] * xb.shape[0] > xa.shape[1] ** 2:
        return frechet_distance(gaussian_stats(xa, backbone), gaussian_stats(xb, backbone))
    mu_a, mu_b = xa.mean(axis=0), xb.mean(axis=0)
    a = (xa - mu_a) / np.sqrt(xa.shape[0] - 1)
    b = (xb - mu_b) / np.sqrt(xb.shape[0] - 1)
    nuclear = float(np.linalg.svd(a @ b.T, compute_uv=False).sum())
    value = float(np.sum((mu_a - mu_b) ** 2) + np.sum(a * a) + np.sum(b * b)) - 2.0 * nuclear
    return max(value, 0.0)


@dataclass(frozen=True)
class KIDResult:
    """KID estimate: mean and standard deviation over subsets of the unbiased MMD^2."""

    mean: float
    std: float
    subset_size: int
    num_subsets: int


def polynomial_mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 with k(u, v) = (u . v / D + 1)^3.

    x: [m, D], y: [m', D] float64 with m, m' >= 2.
    """
    dim = x.shape[1]
    k_xx = (x @ x.T / dim + 1.0) ** 3
    k_yy = (y @ y.T / dim + 1.0) ** 3
    k_xy = (x @ y.T / dim + 1.0) ** 3
    m, n = x.shape[0], y.shape[0]
    term_xx = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    term_yy = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    return float(term_xx + term_yy - 2.0 * k_xy.mean())


def kernel_inception_distance(
    features_a: torch.Tensor,
    features_b: torch.Tensor,
    *,
    generator: torch.Generator,
    subset_size: int = 1000,
    num_subsets: int = 100,
) -> KIDResult:
    """KID between two feature sets: features_a [N_a, D], features_b [N_b, D].

    Each of ``num_subsets`` rounds draws ``min(subset_size, N_a, N_b)`` rows from each set
    without replacement (with ``generator``) and computes the unbiased MMD^2.
    """
    n_a, n_b = features_a.shape[0], features_b.shape[0]
    m = min(subset_size, n_a, n_b)
    if m < 2:
        raise SemcomError(f"KID needs at least 2 images per set, got {n_a} and {n_b}")
    xa = np.asarray(features_a.detach().cpu(), dtype=np.float64)
    xb = np.asarray(features_b.detach().cpu(), dtype=np.float64)
    values = []
    for _ in range(num_subsets):
        ia = torch.randperm(n_a, generator=generator)[:m].numpy()
        ib = torch.randperm(n_b, generator=generator)[:m].numpy()
        values.append(polynomial_mmd2_unbiased(xa[ia], xb[ib]))
    arr = np.asarray(values)
    return KIDResult(
        mean=float(arr.mean()), std=float(arr.std()), subset_size=m, num_subsets=num_subsets
    )
