"""DiMViDA's Table I for an imputer: quality of the imputed views per number of observed views.

For every test object and every k = 1 .. V-1, k views are drawn at random (seeded) as
observed; the imputer generates the others; metrics compare the *imputed* views with the true
ones: coherence (fraction classified as the object's class: the seeds' conditional coherence),
camera_acc (fraction that the dataset's camera judge, where one is bundled, assigns to the
camera of the slot they fill), PSNR, SSIM, LPIPS, fd_clf, psnr_fg and delta_e (object pixels
only, where the dataset has a uniform background) and, on request, FID and KID
(Inception, slow on CPU). Coherence alone cannot tell a copy of another real view from an
imputed view, since both show the object's class; camera_acc can (a copy shows the wrong camera). Rows are added
for the autoencoder reconstruction of all views (the ceiling) and two naive imputers: copy the
nearest observed view (by azimuth, views being equally spaced around the object), and the mean
training image of the missing view.

FID is biased upwards at small sample sizes (about 60 between two halves of 250 real mvshapes
images), so every FID row uses the same number of images: one of the row's imputed views per
object (drawn uniformly, seeded), n images in all, compared with the true images of the same
(object, view) slots. ``fid_recon`` is the FID of the autoencoder's reconstructions of exactly
those slots (the ceiling at the same size), and KID (unbiased) is reported beside FID. The
Inception features of the true views are the cached reference features of the test split
(computed once per dataset, size and n, shared by all rows, imputers and later runs); those of
copied views are gathered from them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from semcom.metrics.objects import OBJECT_METRICS

#: the row's identity, then the metrics of the imputed views
KEY_COLUMNS = ("method", "sampler", "guidance", "nfe", "observed_views", "n")
METRIC_COLUMNS = ("coherence", "camera_acc", "fid", "fd_clf",
                  "lpips", "ssim", "psnr", "psnr_fg", "delta_e", "fid_recon", "kid")
COLUMNS = KEY_COLUMNS + METRIC_COLUMNS


@dataclass(frozen=True)
class EvaluateConfig:
    dataset: str = "mvshapes"
    size: int | None = None
    n: int = 1000
    seed: int = 0
    batch_size: int = 100
    fid: bool = False
    lpips: bool = True
    mean_objects: int = 2000  # training objects averaged for the mean-image baseline
    inception: object | None = None  # injected feature extractor for FID (default: TF-FID Inception)


def random_observed(batch: int, num_views: int, k: int, generator: torch.Generator) -> torch.Tensor:
    """[batch, num_views] bool with exactly k True per row, uniformly chosen."""
    order = torch.rand(batch, num_views, generator=generator).argsort(dim=1)[:, :k]
    mask = torch.zeros(batch, num_views, dtype=torch.bool)
    return mask.scatter_(1, order, True)


def nearest_observed(observed: torch.Tensor) -> torch.Tensor:
    """[B, V] long: for every view, the observed view nearest in azimuth (circular index
    distance, ties to the lower index); an observed view is its own source. observed: [B, V] bool."""
    num_views = observed.shape[1]
    index = torch.arange(num_views)
    gap = (index[:, None] - index[None, :]).abs()
    distance = torch.minimum(gap, num_views - gap).float()  # [V, V]
    cost = distance[None] + torch.where(observed[:, None, :], 0.0, math.inf)  # [B, V, V]
    cost = cost + index[None, None, :] * 1e-3  # ties -> lower index
    return cost.argmin(dim=2)


def one_view_each(candidates: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """[B, V] bool with exactly one True per row, drawn uniformly among the row's True entries.
    candidates: [B, V] bool, at least one True per row."""
    scores = torch.rand(candidates.shape, generator=generator).masked_fill(~candidates, -1.0)
    return torch.nn.functional.one_hot(scores.argmax(1), candidates.shape[1]).bool()


def fid_slot_generator(seed: int, batch_index: int, observed_views: int) -> torch.Generator:
    """The stream that picks the FID slots of one batch and row (apart from the imputation's)."""
    return torch.Generator().manual_seed(2**40 + seed * 1_000_003 + batch_index * 101 + observed_views)


def copy_nearest(views: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
    """Each missing view replaced by the observed view nearest in azimuth (:func:`nearest_observed`).
    views: [B, V, C, H, W]; observed: [B, V] bool."""
    source = nearest_observed(observed)  # [B, V]
    return torch.gather(views, 1, source[:, :, None, None, None].expand_as(views))


class _Accumulator:
    def __init__(self, classifier, metric_names, shared, camera_judge=None, background=None):
        from semcom.metrics import ImageMetrics, ImageMetricsConfig

        self.classifier = classifier
        self.camera_judge = camera_judge
        self.images = ImageMetrics(ImageMetricsConfig(metrics=tuple(metric_names), background=background),
                                   **shared)
        self.hits = self.trials = self.camera_hits = 0

    def update(self, true: torch.Tensor, estimate: torch.Tensor, labels: torch.Tensor,
               cameras: torch.Tensor) -> None:
        """true, estimate: [N, C, H, W] judged views; labels: [N] classes; cameras: [N] the view
        (slot) each estimate fills."""
        estimate = estimate.clamp(0, 1)
        self.images.update(true, estimate)
        self.hits += int((self.classifier.predict(estimate) == labels).sum())
        if self.camera_judge is not None:
            self.camera_hits += int((self.camera_judge.predict(estimate) == cameras).sum())
        self.trials += len(labels)

    def compute(self) -> dict[str, object]:
        values = self.images.compute()
        camera = self.camera_hits / self.trials if self.camera_judge is not None else None
        return {"n_images": values["n_images"], "coherence": self.hits / self.trials, "camera_acc": camera,
                **{k: values.get(k) for k in ("fid", "fd_clf", "lpips", "ssim", "psnr", *OBJECT_METRICS)}}


def load_camera_judge(dataset: str, size: int):
    """The bundled camera judge of ``dataset`` at ``size`` px, or None if none is bundled."""
    from semcom.metrics.classifier import find_classifier

    return find_classifier(dataset, size, target="camera")


class _InceptionBank:
    """Inception features of estimates and of the true views at the same slots, per table row;
    FID, KID and the same-slot reconstruction FID at the end (see module doc)."""

    def __init__(self, extractor, true_features: torch.Tensor, batch_size: int = 50) -> None:
        """true_features: [N, V, D] of the test objects, in order."""
        self.extractor = extractor
        self.true = true_features
        self.batch_size = batch_size
        self.estimates: dict[tuple[str, int], list[torch.Tensor]] = {}
        self.truths: dict[tuple[str, int], list[torch.Tensor]] = {}
        self.recons: dict[tuple[str, int], list[torch.Tensor]] = {}

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """images [..., C, H, W] in [0, 1] -> [..., D]."""
        from semcom.metrics.features import extract_in_batches

        flat = images.reshape(-1, *images.shape[-3:]).clamp(0, 1)
        feats = extract_in_batches(self.extractor, flat, batch_size=self.batch_size)
        return feats.reshape(*images.shape[:-3], feats.shape[-1])

    def add(self, row, estimate: torch.Tensor, truth: torch.Tensor, recon: torch.Tensor | None) -> None:
        """Features [N, D] of one batch's estimates, true views and reconstructions, same slots."""
        self.estimates.setdefault(row, []).append(estimate)
        self.truths.setdefault(row, []).append(truth)
        if recon is not None:
            self.recons.setdefault(row, []).append(recon)

    def compute(self, row, generator: torch.Generator) -> dict[str, float]:
        from semcom.metrics.frechet import frechet_distance_features, kernel_inception_distance

        backbone = self.extractor.backbone
        estimate, truth = torch.cat(self.estimates[row]), torch.cat(self.truths[row])
        out = {"fid": frechet_distance_features(estimate, truth, backbone),
               "kid": kernel_inception_distance(estimate, truth, generator=generator).mean}
        if row in self.recons:
            out["fid_recon"] = frechet_distance_features(torch.cat(self.recons[row]), truth, backbone)
        return out


def evaluate_imputer(imputer, config: EvaluateConfig, *, method: str = "mvld", progress: bool = True,
                     reconstruction: bool = True) -> list[dict]:
    """Rows of the imputation table (see module doc).

    reconstruction: also the autoencoder-reconstruction row (and ``fid_recon``), for imputers
    with ``encode``/``decode``; off for the view-space VAEs compared beside mvld, whose codec is
    the same MVLD autoencoder (same row).
    """
    from tqdm.auto import tqdm

    from semcom.data import load_dataset
    from semcom.metrics.classifier import ClassifierFeatures, load_classifier
    from semcom.metrics.lpips import load_lpips_for

    # object i of a split does not depend on how many are built: n objects = the first n
    test = load_dataset(config.dataset, "test", size=config.size, n=config.n, progress=progress)
    train = load_dataset(config.dataset, "train", size=config.size, n=config.mean_objects, progress=progress)
    mean_image = train.images.float().mean(0) / 255.0  # [V, C, H, W]
    classifier = load_classifier(config.dataset, test.image_shape[-1])
    camera_judge = load_camera_judge(config.dataset, test.image_shape[-1])
    names = ["psnr", "ssim", "fd_clf"] + (["lpips"] if config.lpips else [])
    background = test.info.background  # psnr_fg and delta_e where the views have a uniform background
    if background is not None:
        names += list(OBJECT_METRICS)
    shared = {"classifier": ClassifierFeatures(classifier)}
    if config.lpips:
        shared["lpips"] = load_lpips_for(test.image_shape[-1])
    bank = None
    if config.fid:
        from semcom.metrics.inception import InceptionFeatures
        from semcom.metrics.reference import dataset_reference_features

        extractor = config.inception or InceptionFeatures()
        reference = dataset_reference_features(extractor, config.dataset, split="test", size=config.size,
                                               n=config.n, progress=progress)
        bank = _InceptionBank(extractor, reference.features)
        mean_features = bank.features(mean_image)  # [V, D]
    num_views = test.num_views
    methods = (method, "copy_nearest", "mean_image")
    acc = {(m, k): _Accumulator(classifier, names, shared, camera_judge, background)
           for m in methods for k in range(1, num_views)}
    reconstruction = reconstruction and hasattr(imputer, "encode")
    if reconstruction:
        acc[("reconstruction", num_views)] = _Accumulator(classifier, names, shared, camera_judge, background)
    nfe = 0
    batches = list(test.batches(config.batch_size))
    start = 0
    for b, (views, labels) in enumerate(tqdm(batches, desc=f"evaluate {method}", disable=not progress)):
        with torch.no_grad():
            recon = f_recon = f_true = None
            if bank is not None:
                f_true = bank.true[start:start + len(labels)]  # [B, V, D]
            start += len(labels)
            if reconstruction:
                recon = imputer.decode(imputer.encode(views))
                acc[("reconstruction", num_views)].update(views.flatten(0, 1), recon.flatten(0, 1),
                                                          labels.repeat_interleave(num_views),
                                                          torch.arange(num_views).repeat(len(labels)))
                if bank is not None:
                    f_recon = bank.features(recon)
                    slots = one_view_each(torch.ones(len(labels), num_views, dtype=torch.bool),
                                          fid_slot_generator(config.seed, b, num_views))
                    bank.add(("reconstruction", num_views), f_recon[slots], f_true[slots], None)
            for k in range(1, num_views):
                generator = torch.Generator().manual_seed(config.seed * 1_000_003 + b * 101 + k)
                observed = random_observed(len(labels), num_views, k, generator)
                missing = ~observed
                per_view_labels = labels[:, None].expand(-1, num_views)[missing]
                slot_cameras = torch.arange(num_views).expand(len(labels), -1)[missing]
                imputed = imputer.impute(views, observed, generator)
                nfe = max(nfe, getattr(imputer, "last_nfe", 0))
                source = nearest_observed(observed)
                estimates = {method: imputed, "copy_nearest": copy_nearest(views, observed),
                             "mean_image": mean_image.expand_as(views)}
                for m, estimate in estimates.items():
                    acc[(m, k)].update(views[missing], estimate[missing], per_view_labels, slot_cameras)
                if bank is not None:  # one imputed view per object (see module doc)
                    slots = one_view_each(missing, fid_slot_generator(config.seed, b, k))
                    f_copy = torch.gather(f_true, 1, source[:, :, None].expand_as(f_true))
                    feature_estimates = {method: bank.features(imputed[slots]), "copy_nearest": f_copy[slots],
                                         "mean_image": mean_features.expand_as(f_true)[slots]}
                    for m, feats in feature_estimates.items():
                        bank.add((m, k), feats, f_true[slots], None if f_recon is None else f_recon[slots])
    rows = []
    kid_generator = torch.Generator().manual_seed(config.seed)
    for (m, k), accumulator in acc.items():
        values = accumulator.compute()
        if bank is not None:
            values.update(bank.compute((m, k), kid_generator))
        ours = m == method
        rows.append({"method": m, "sampler": getattr(imputer, "sampler_name", "") if ours else "",
                     "guidance": getattr(imputer, "guidance", None) if ours else None,
                     "nfe": nfe if ours else 0, "observed_views": k, "n": len(test),
                     **{c: values.get(c) for c in METRIC_COLUMNS}, "n_images": values["n_images"]})
    return rows


def plot_table(rows: list[dict], out) -> list:
    """One panel per metric: value of the imputed views against observed views, a line per method,
    the reconstruction as a dashed horizontal line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from semcom.plots import save_figure

    df = pd.DataFrame(rows)
    metrics = [m for m in ("coherence", "camera_acc", "fid", "fd_clf", "lpips", "ssim", "psnr", *OBJECT_METRICS)
               if m in df and df[m].notna().any()]
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.3 * len(metrics), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for method, part in df[df["method"] != "reconstruction"].groupby("method", sort=False):
            part = part.sort_values("observed_views")
            ax.plot(part["observed_views"], part[metric], marker="o", label=method)
        recon = df[df["method"] == "reconstruction"]
        same_slots = df[df["fid_recon"].notna()].groupby("observed_views")["fid_recon"].first() \
            if metric == "fid" and "fid_recon" in df else None
        if same_slots is not None and not same_slots.empty:  # the ceiling at the same sizes
            ax.plot(same_slots.index, same_slots.values, color="grey", linestyle="--", marker=".",
                    label="reconstruction (same views)")
        elif not recon.empty and recon[metric].notna().any():
            ax.axhline(float(recon[metric].iloc[0]), color="grey", linestyle="--", label="reconstruction")
        ax.set_xlabel("observed views")
        ax.set_xticks(sorted(df.loc[df["method"] != "reconstruction", "observed_views"].unique()))
        if metric in ("fid", "fd_clf"):  # the mean image is orders of magnitude away
            ax.set_yscale("log")
        ax.set_title(metric + (" (log)" if metric in ("fid", "fd_clf") else ""))
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    from pathlib import Path

    return save_figure(fig, Path(out))
