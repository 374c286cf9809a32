"""The quality columns of a cell: image metrics over all shown views, and coherence.

Networks (LPIPS, Inception, the dataset's view classifier) are loaded once per process and
shared by all cells through the sweep context; the accumulators are new for every cell.
"""

from __future__ import annotations

import torch


def _inception(context):
    """(the sweep's memoised Inception, the cached reference features of the whole split), loaded
    once per process."""
    from semcom.metrics.features import MemoFeatures
    from semcom.metrics.inception import InceptionFeatures
    from semcom.metrics.reference import dataset_reference_features

    data, precision = context.config.data, context.config.metrics.inception_precision
    inception = context.cached(("inception", precision), lambda: MemoFeatures(InceptionFeatures(precision)))
    reference = context.cached(("fid_reference", precision), lambda: dataset_reference_features(
        inception.extractor, data.dataset, split=data.split, size=data.size, progress=True))
    return inception, reference


class CellEvaluation:
    """Accumulates one cell's metrics over batches.

    metrics: names from the experiment's [metrics] table that are switched on;
    classifier: the dataset's view classifier (fd_clf and coherence), or None.
    """

    def __init__(self, metrics: tuple[str, ...], *, classifier=None, image_metrics=None):
        self.metrics = metrics
        self.classifier = classifier
        self.image_metrics = image_metrics
        self.hits = self.trials = self.hits_missing = self.trials_missing = 0

    @classmethod
    def from_context(cls, context) -> CellEvaluation:
        from semcom.metrics import ImageMetrics, ImageMetricsConfig
        from semcom.metrics.objects import OBJECT_METRICS

        config = context.config
        from semcom.data import dataset_info

        background = dataset_info(config.data.dataset).background
        wanted = tuple(m for m in ("psnr", "ssim", "lpips", "psnr_fg", "delta_e", "fid", "kid", "fd_clf", "coherence")
                       if getattr(config.metrics, m) and (background is not None or m not in OBJECT_METRICS))
        classifier = None
        if "fd_clf" in wanted or "coherence" in wanted:
            from semcom.metrics.classifier import load_classifier

            classifier = context.cached("classifier", lambda: load_classifier(config.data.dataset, config.data.size))
        image_names = tuple(m for m in wanted if m != "coherence")
        image_metrics = None
        if image_names:
            shared: dict[str, object] = {}
            if "lpips" in image_names:
                from semcom.data import dataset_info
                from semcom.metrics.lpips import load_lpips_for

                size = dataset_info(config.data.dataset).check_size(config.data.size)
                shared["lpips"] = context.cached("lpips", lambda: load_lpips_for(size))
            if "fid" in image_names or "kid" in image_names:
                shared["inception"], reference = _inception(context)
                shared["references"] = (reference,)
            if "fd_clf" in image_names:
                from semcom.metrics.classifier import ClassifierFeatures

                shared["classifier"] = context.cached("classifier_features", lambda: ClassifierFeatures(classifier))
            image_metrics = ImageMetrics(ImageMetricsConfig(metrics=image_names, background=background), **shared)
        return cls(wanted, classifier=classifier, image_metrics=image_metrics)

    @torch.no_grad()
    def update(self, views: torch.Tensor, shown: torch.Tensor, labels: torch.Tensor, observed: torch.Tensor) -> None:
        """views, shown: [B, V, C, H, W] in [0, 1]; labels: [B]; observed: [B, V] bool."""
        if self.image_metrics is not None:
            self.image_metrics.update(views, shown.clamp(0, 1))
        if "coherence" in self.metrics:
            predicted = self.classifier.predict(shown.flatten(0, 1)).reshape(observed.shape)
            correct = predicted == labels.unsqueeze(1)
            self.hits += int(correct.sum())
            self.trials += correct.numel()
            self.hits_missing += int(correct[~observed].sum())
            self.trials_missing += int((~observed).sum())

    def compute(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.image_metrics is not None:
            values = self.image_metrics.compute()
            out.update({k: v for k, v in values.items() if k != "n_images"})
        if "coherence" in self.metrics:
            out["coherence"] = self.hits / self.trials if self.trials else None
            out["coherence_missing"] = self.hits_missing / self.trials_missing if self.trials_missing else None
        return out
