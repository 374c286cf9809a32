"""Image metrics accumulated over batches: ``update`` / ``compute`` / ``reset``.

>>> m = ImageMetrics(("psnr", "ssim"))
>>> for ref, est in batches:            # doctest: +SKIP
...     m.update(ref, est)              # [N, C, H, W] or [B, V, C, H, W] in [0, 1]
>>> m.compute()                         # doctest: +SKIP
{'n_images': 512, 'psnr': 27.1, 'ssim': 0.88}

Paired metrics (PSNR, SSIM, LPIPS, and the object-aware psnr_fg and delta_e of
:mod:`~semcom.metrics.objects`) are means of per-image values. Set metrics (FID, KID,
fd_clf) compare the features of all estimates seen with those of all references seen, or with
cached real-split features passed as ``references`` (matched by backbone; the references given
to ``update`` then serve only the other metrics). Every feature-based value is reported with its
backbone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from semcom.errors import SemcomError, check_choice
from semcom.metrics.features import FeatureExtractor, extract_in_batches
from semcom.metrics.frechet import frechet_distance_features, kernel_inception_distance
from semcom.metrics.images import check_pair
from semcom.metrics.objects import OBJECT_METRIC_FUNCTIONS, OBJECT_METRICS, check_background
from semcom.metrics.reference import ReferenceFeatures

PAIRED_METRICS = ("psnr", "ssim", "lpips", *OBJECT_METRICS)
SET_METRICS = ("fid", "kid", "fd_clf")
METRIC_NAMES = PAIRED_METRICS + SET_METRICS


def flatten_views(x: torch.Tensor) -> torch.Tensor:
    """[B, V, C, H, W] -> [B * V, C, H, W]; [N, C, H, W] unchanged."""
    return x.reshape(-1, *x.shape[-3:]) if x.ndim == 5 else x


@dataclass(frozen=True)
class ImageMetricsConfig:
    """Which metrics :class:`ImageMetrics` computes, and how.

    metrics: names from :data:`METRIC_NAMES`.
    lpips_resize_to: see :class:`~semcom.metrics.lpips.LPIPS` (needed below 31x31 pixels).
    kid_subset_size, kid_num_subsets: KID subsets (the size is capped by the number of images).
    feature_batch_size: images per forward pass of the feature networks.
    background: the dataset's uniform background colour (:attr:`DatasetInfo.background`), which
    ``psnr_fg`` and ``delta_e`` need to find the object pixels.
    """

    metrics: tuple[str, ...] = ("psnr", "ssim")
    lpips_resize_to: int | None = None
    kid_subset_size: int = 1000
    kid_num_subsets: int = 100
    feature_batch_size: int = 64
    background: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        metrics = (self.metrics,) if isinstance(self.metrics, str) else tuple(self.metrics)
        if not metrics:
            raise SemcomError(f"no metric chosen; allowed: {', '.join(METRIC_NAMES)}")
        for name in metrics:
            check_choice("metric", name, METRIC_NAMES)
        object.__setattr__(self, "metrics", tuple(dict.fromkeys(metrics)))
        if any(m in OBJECT_METRICS for m in self.metrics):
            check_background(self.background, 3)
        for name in ("kid_subset_size", "kid_num_subsets", "feature_batch_size"):
            if getattr(self, name) < (2 if name == "kid_subset_size" else 1):
                raise SemcomError(f"metrics config: {name} is too small ({getattr(self, name)})")


class ImageMetrics:
    """Accumulates PSNR, SSIM, LPIPS, FID, KID and fd_clf over batches.

    config: an :class:`ImageMetricsConfig`, or just the metric names.
    classifier: feature extractor for ``fd_clf``
    (e.g. :class:`~semcom.metrics.classifier.ClassifierFeatures`).
    references: cached real features (:class:`~semcom.metrics.reference.ReferenceFeatures`) to
    compare the estimates with, instead of the references passed to :meth:`update`; each one's
    backbone must be the Inception's (FID/KID) or the classifier's (fd_clf).
    inception, lpips: injected networks (default: loaded from the fetched assets).
    """

    def __init__(
        self,
        config: ImageMetricsConfig | Sequence[str] = ImageMetricsConfig(),
        *,
        classifier: FeatureExtractor | None = None,
        references: Sequence[ReferenceFeatures] = (),
        inception: FeatureExtractor | None = None,
        lpips: torch.nn.Module | None = None,
    ) -> None:
        if not isinstance(config, ImageMetricsConfig):
            config = ImageMetricsConfig(
                metrics=tuple(config) if not isinstance(config, str) else config
            )
        self.config = config
        self.metrics = config.metrics
        self.extractors: dict[str, FeatureExtractor] = {}
        if "fid" in self.metrics or "kid" in self.metrics:
            if inception is None:
                from semcom.metrics.inception import InceptionFeatures

                inception = InceptionFeatures()
            self.extractors["inception"] = inception
        if "fd_clf" in self.metrics:
            if classifier is None:
                raise SemcomError(
                    "metric 'fd_clf' needs a classifier (see semcom.metrics.classifier)"
                )
            self.extractors["classifier"] = classifier
        self.lpips = None
        if "lpips" in self.metrics:
            if lpips is None:
                from semcom.metrics.lpips import load_lpips

                lpips = load_lpips(resize_to=config.lpips_resize_to)
            self.lpips = lpips
        backbones = {e.backbone for e in self.extractors.values()}
        self.references = {r.backbone: r for r in references}
        for backbone in self.references:
            if backbone not in backbones:
                raise SemcomError(
                    f"reference features are on backbone {backbone!r}, but the chosen set "
                    f"metrics use {', '.join(sorted(backbones)) or 'no backbone'}"
                )
        self.reset()

    def reset(self) -> None:
        """Forget everything accumulated."""
        self._paired: dict[str, list[torch.Tensor]] = {
            m: [] for m in PAIRED_METRICS if m in self.metrics
        }
        self._ref_feats: dict[str, list[torch.Tensor]] = {k: [] for k in self.extractors}
        self._est_feats: dict[str, list[torch.Tensor]] = {k: [] for k in self.extractors}
        self.n_images = 0

    def _uses_given_reference(self, extractor: FeatureExtractor) -> bool:
        return extractor.backbone in self.references

    @torch.no_grad()
    def update(self, reference: torch.Tensor, estimate: torch.Tensor) -> None:
        """Add a batch. reference, estimate: [N, C, H, W] or [B, V, C, H, W] float32 in [0, 1]."""
        reference, estimate = check_pair(flatten_views(reference), flatten_views(estimate))
        if "psnr" in self._paired:
            from semcom.metrics.pixel import psnr

            self._paired["psnr"].append(psnr(reference, estimate))
        if "ssim" in self._paired:
            from semcom.metrics.pixel import ssim

            self._paired["ssim"].append(ssim(reference, estimate))
        if self.lpips is not None:
            self._paired["lpips"].append(self.lpips(reference, estimate))
        for name, fn in OBJECT_METRIC_FUNCTIONS.items():
            if name in self._paired:
                self._paired[name].append(fn(reference, estimate, self.config.background))
        for key, extractor in self.extractors.items():
            batch = self.config.feature_batch_size
            self._est_feats[key].append(extract_in_batches(extractor, estimate, batch_size=batch))
            if not self._uses_given_reference(extractor):
                self._ref_feats[key].append(
                    extract_in_batches(extractor, reference, batch_size=batch)
                )
        self.n_images += reference.shape[0]

    def _reference_features(self, key: str) -> torch.Tensor:
        extractor = self.extractors[key]
        if self._uses_given_reference(extractor):
            return self.references[extractor.backbone].view_features()
        return torch.cat(self._ref_feats[key])

    def compute(self, generator: torch.Generator | None = None) -> dict[str, float | int | str]:
        """Metric values over everything since the last reset.

        generator: draws the KID subsets (default: seeded with 0, so results repeat).
        Keys: n_images, then per metric its value, plus ``<metric>_backbone`` for the
        feature-based ones, ``kid_std`` and ``fid_n_reference``.
        """
        if self.n_images == 0:
            raise SemcomError("no images accumulated: call update() before compute()")
        out: dict[str, float | int | str] = {"n_images": self.n_images}
        for name, values in self._paired.items():
            out[name] = float(torch.cat(values).double().nanmean())  # NaN: view without object
        if self.lpips is not None:
            from semcom.metrics.lpips import LPIPS_BACKBONE

            out["lpips_backbone"] = LPIPS_BACKBONE
        for metric, key in (("fid", "inception"), ("fd_clf", "classifier")):
            if metric in self.metrics:
                backbone = self.extractors[key].backbone
                ref = self._reference_features(key)
                est = torch.cat(self._est_feats[key])
                out[metric] = frechet_distance_features(ref, est, backbone)
                out[f"{metric}_backbone"] = backbone
                out[f"{metric}_n_reference"] = int(ref.shape[0])
        if "kid" in self.metrics:
            gen = generator if generator is not None else torch.Generator().manual_seed(0)
            kid = kernel_inception_distance(
                self._reference_features("inception"),
                torch.cat(self._est_feats["inception"]),
                generator=gen,
                subset_size=self.config.kid_subset_size,
                num_subsets=self.config.kid_num_subsets,
            )
            out.update(
                kid=kid.mean,
                kid_std=kid.std,
                kid_subset_size=kid.subset_size,
                kid_backbone=self.extractors["inception"].backbone,
            )
        return {k: (float(v) if isinstance(v, np.floating) else v) for k, v in out.items()}
