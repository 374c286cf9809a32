"""Evaluation metrics: PSNR, SSIM, LPIPS, FID/KID, classifier Frechet distance, coherence.

Images are ``[N, C, H, W] float32 in [0, 1]`` (C = 1 or 3) everywhere; multi-view batches
``[B, V, C, H, W]`` are flattened by :class:`ImageMetrics`. Every distance computed on learned
features names its backbone (``lpips_backbone``, ``fid_backbone``, ``fd_clf_backbone``, ...).

Modules: :mod:`~semcom.metrics.pixel` (PSNR, SSIM), :mod:`~semcom.metrics.lpips`,
:mod:`~semcom.metrics.inception` (TF-FID features), :mod:`~semcom.metrics.frechet` (FID, KID),
:mod:`~semcom.metrics.reference` (cached real-split features), :mod:`~semcom.metrics.classifier`
and :mod:`~semcom.metrics.train_classifier` (view classifiers), :mod:`~semcom.metrics.coherence`,
:mod:`~semcom.metrics.accumulate` (:class:`ImageMetrics`).
"""

from semcom.metrics.accumulate import METRIC_NAMES, ImageMetrics, ImageMetricsConfig
from semcom.metrics.coherence import CoherenceMeter, coherence_counts
from semcom.metrics.frechet import (
    GaussianStats,
    frechet_distance,
    gaussian_stats,
    kernel_inception_distance,
)
from semcom.metrics.pixel import psnr, ssim

__all__ = [
    "METRIC_NAMES",
    "CoherenceMeter",
    "GaussianStats",
    "ImageMetrics",
    "ImageMetricsConfig",
    "coherence_counts",
    "frechet_distance",
    "gaussian_stats",
    "kernel_inception_distance",
    "psnr",
    "ssim",
]
