"""The one evaluation engine of an imputer: quality of the views it returns, per number of
observed views k (DiMViDA's Table I; ``semcom evaluate`` and ``semcom peers table``).

For every test object and every chosen k (default 1 .. V-1; any of 0 .. V) k views are drawn at
random (seeded per batch and k) as observed; the imputer returns all V views and the *judged*
ones are compared with the true ones:

- 1 <= k < V: the generated (not observed) views; coherence is the conditional coherence of
  MLD, MoPoE and DiMViDA (the fraction classified as the object's class);
- k = 0 (joint generation, no conditioning class): all V generated views, judged against the
  true object the imputer never saw; coherence is the *joint* coherence of
  :mod:`semcom.metrics.coherence` (the fraction of objects whose generated views all get one
  class), so its trials are objects, not views;
- k = V: every view observed; the imputer's own reconstructions (``observed_output="decoded"``,
  the "fair baseline" check of the peer VAEs) are judged, all V views.

Metrics: coherence, camera_acc (fraction that the dataset's camera judge, where one is bundled,
assigns to the camera of the slot they fill), PSNR, SSIM, LPIPS, fd_clf, psnr_fg and delta_e
(object pixels only, where the dataset has a uniform background) and, on request, FID and KID
(Inception, slow on CPU). Coherence alone cannot tell a copy of another real view from an
imputed view, since both show the object's class; camera_acc can (a copy shows the wrong camera). Rows are added
for the autoencoder reconstruction of all views (the ceiling, method ``reconstruction``, for
imputers with ``encode``/``decode``) and, for 1 <= k < V, two naive imputers: copy the
nearest observed view (by azimuth, views being equally spaced around the object), and the mean
training image of the missing view.

FID is biased upwards at small sample sizes (about 60 between two halves of 250 real mvshapes
images), so every FID row uses the same number of images: one of the row's judged views per
object (drawn uniformly, seeded), n images in all, compared with the true images of the same
(object, view) slots. ``fid_recon`` is the FID of the autoencoder's reconstructions of exactly
those slots (the ceiling at the same size), and KID (unbiased) is reported beside FID. The
Inception features of the true views are the cached reference features of the test split
(computed once per dataset, size and n, shared by all rows, imputers and later runs); those of
copied views are gathered from them.

One column list, :data:`COLUMNS`: the row's identity (:data:`KEY_COLUMNS`), the metrics
(:data:`METRIC_COLUMNS`) and the coherence counts (:data:`COUNT_COLUMNS`: hits and trials, for
confidence intervals; every row has them). ``semcom peers table`` is this engine with k = 0 .. V,
no baselines and no autoencoder row. Of the columns its former engine had, ``dataset`` was
dropped (one table is one dataset: the config names it, the file lies under
``results/<dataset>/``), ``l1`` too (a pixel error of the same views, as PSNR is; the metrics
package has no L1), and ``seconds`` (a wall time makes the table differ between runs of the
same seed; a caller that wants it times the call).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from semcom.data.base import MultiViewDataset
from semcom.errors import SemcomError
from semcom.metrics.coherence import coherence_counts
from semcom.metrics.objects import OBJECT_METRICS

#: the row's identity, then the metrics of the judged views, then the coherence counts
KEY_COLUMNS = ("method", "sampler", "guidance", "guidance_max_t", "nfe", "observed_views", "n")
METRIC_COLUMNS = ("coherence", "camera_acc", "fid", "fd_clf",
                  "lpips", "ssim", "psnr", "psnr_fg", "delta_e", "fid_recon", "kid")
COUNT_COLUMNS = ("coherence_hits", "coherence_trials")
COLUMNS = KEY_COLUMNS + METRIC_COLUMNS + COUNT_COLUMNS

#: the naive imputers compared at 1 <= k < V
BASELINES = ("copy_nearest", "mean_image")


@dataclass(frozen=True)
class EvaluateConfig:
    """What :func:`evaluate_imputer` measures.

    observed_views: the counts k to evaluate, each in 0 .. V (None: 1 .. V-1, Table I).
    baselines: also the rows of :data:`BASELINES` (at the chosen k with 1 <= k < V).
    fid, lpips, fd_clf: compute these metrics (their columns stay empty otherwise).
    mean_objects: training objects averaged for the mean-image baseline.
    inception: injected feature extractor for FID (default: TF-FID Inception).
    classifier: injected class judge, an object with a ``predict`` (a
    :data:`~semcom.metrics.coherence.Predictor`: images [..., C, H, W] -> classes [...]; default:
    the bundled judge of the dataset and size); fd_clf needs a
    :class:`~semcom.metrics.classifier.ViewClassifier`.
    test_split: injected test split (default: the first n test objects of ``dataset`` at
    ``size``); its first n objects are used, and ``dataset`` and ``size`` are its own.
    """

    dataset: str = "mvshapes"
    size: int | None = None
    n: int = 1000
    seed: int = 0
    batch_size: int = 100
    observed_views: tuple[int, ...] | None = None
    baselines: bool = True
    fid: bool = False
    lpips: bool = True
    fd_clf: bool = True
    mean_objects: int = 2000
    inception: object | None = None
    classifier: object | None = None
    test_split: MultiViewDataset | None = None

    def __post_init__(self) -> None:
        if self.observed_views is not None:
            object.__setattr__(self, "observed_views", tuple(int(k) for k in self.observed_views))


def observed_counts(chosen: tuple[int, ...] | None, num_views: int) -> tuple[int, ...]:
    """The counts k to evaluate for V = ``num_views`` views: ``chosen`` (checked) or 1 .. V-1."""
    if chosen is None:
        return tuple(range(1, num_views))
    if not chosen:
        raise SemcomError(f"no observed view count chosen; allowed: 0 .. {num_views}")
    bad = [k for k in chosen if not 0 <= k <= num_views]
    if bad:
        raise SemcomError(f"observed view counts {bad} out of range; allowed: 0 .. {num_views}")
    return tuple(dict.fromkeys(chosen))


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
    """The metrics of one table row, accumulated over batches."""

    def __init__(self, classifier, metric_names, shared, camera_judge=None, background=None):
        from semcom.metrics import ImageMetrics, ImageMetricsConfig

        self.classifier = classifier
        self.camera_judge = camera_judge
        self.images = ImageMetrics(ImageMetricsConfig(metrics=tuple(metric_names), background=background),
                                   **shared)
        self.hits = self.trials = self.camera_hits = 0

    def update(self, views: torch.Tensor, estimate: torch.Tensor, labels: torch.Tensor,
               judged: torch.Tensor, *, joint: bool = False) -> None:
        """views, estimate: [B, V, C, H, W] true and returned views; labels: [B] classes; judged:
        [B, V] bool, the views scored. joint: coherence counts objects whose judged views all get
        one class (k = 0; every view judged) instead of views given the object's class."""
        if joint:  # k = 0: the joint coherence of semcom.metrics.coherence, over objects
            count = coherence_counts(self.classifier.predict, estimate.clamp(0, 1), labels, ~judged)[0]
            self.hits += count.hits
            self.trials += count.trials
        estimate = estimate[judged].clamp(0, 1)  # [N, C, H, W], row-major (object, view) order
        self.images.update(views[judged], estimate)
        if not joint:
            predicted = self.classifier.predict(estimate)  # [N]
            self.hits += int((predicted == labels[:, None].expand_as(judged)[judged]).sum())
            self.trials += len(predicted)
        if self.camera_judge is not None:
            cameras = torch.arange(judged.shape[1]).expand_as(judged)[judged]  # the slot each fills
            self.camera_hits += int((self.camera_judge.predict(estimate) == cameras).sum())

    def compute(self) -> dict[str, object]:
        values = self.images.compute()
        n_images = values["n_images"]
        camera = self.camera_hits / n_images if self.camera_judge is not None else None
        return {"n_images": n_images, "coherence": self.hits / self.trials, "camera_acc": camera,
                "coherence_hits": self.hits, "coherence_trials": self.trials,
                **{k: values.get(k) for k in ("fid", "fd_clf", "lpips", "ssim", "psnr", *OBJECT_METRICS)}}


def check_reconstructs(imputer) -> None:
    """One-line error unless the imputer can return reconstructions of its observed views."""
    if not hasattr(imputer, "observed_output"):
        raise SemcomError(f"{type(imputer).__name__} cannot return reconstructions of observed views "
                          "(no observed_output), so k = V cannot be judged; allowed counts: 0 .. V-1")


@contextlib.contextmanager
def decoded_observed(imputer) -> Iterator[None]:
    """Within the block, the imputer returns reconstructions of its observed views
    (``observed_output="decoded"``) instead of the views themselves."""
    check_reconstructs(imputer)
    old = imputer.observed_output
    imputer.observed_output = "decoded"
    try:
        yield
    finally:
        imputer.observed_output = old


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
    """Rows of the imputation table (see module doc): dicts with :data:`COLUMNS` and
    ``n_images`` (the images each metric averages over), one per (method, k), the imputer's
    rows first, then the baselines', then the autoencoder's.

    imputer: ``impute(views [B, V, C, H, W], observed [B, V] bool, generator)`` -> [B, V, C, H, W];
    k = V needs its ``observed_output``. reconstruction: also the autoencoder-reconstruction row
    (and ``fid_recon``), for imputers with ``encode``/``decode``; off for the view-space VAEs
    compared beside mvld, whose codec is the same MVLD autoencoder (same row).
    """
    from tqdm.auto import tqdm

    from semcom.data import load_dataset
    from semcom.metrics.classifier import ClassifierFeatures, load_classifier
    from semcom.metrics.lpips import load_lpips_for

    # object i of a split does not depend on how many are built: n objects = the first n
    if config.test_split is None:
        dataset = config.dataset
        test = load_dataset(dataset, "test", size=config.size, n=config.n, progress=progress)
    else:
        dataset = config.test_split.name
        test = config.test_split.subset(min(config.n, len(config.test_split)))
    num_views = test.num_views
    if getattr(imputer, "num_views", num_views) != num_views:
        raise SemcomError(f"the imputer is for {imputer.num_views} views, {dataset} has {num_views}")
    ks = observed_counts(config.observed_views, num_views)
    if num_views in ks:
        check_reconstructs(imputer)  # a one-line error now, not after the other rows
    baseline_ks = [k for k in ks if 0 < k < num_views] if config.baselines else []
    if baseline_ks:
        train = load_dataset(dataset, "train", size=config.size, n=config.mean_objects, progress=progress)
        mean_image = train.images.float().mean(0) / 255.0  # [V, C, H, W]
    size = test.image_shape[-1]
    classifier = load_classifier(dataset, size) if config.classifier is None else config.classifier
    camera_judge = load_camera_judge(dataset, size)
    names = ["psnr", "ssim"] + (["fd_clf"] if config.fd_clf else []) + (["lpips"] if config.lpips else [])
    background = test.info.background  # psnr_fg and delta_e where the views have a uniform background
    if background is not None:
        names += list(OBJECT_METRICS)
    shared = {"classifier": ClassifierFeatures(classifier)} if config.fd_clf else {}
    if config.lpips:
        shared["lpips"] = load_lpips_for(size)
    bank = None
    if config.fid:
        from semcom.metrics.inception import InceptionFeatures
        from semcom.metrics.reference import dataset_reference_features

        extractor = config.inception or InceptionFeatures()
        if config.test_split is None:
            reference = dataset_reference_features(extractor, dataset, split="test", size=config.size,
                                                   n=config.n, progress=progress).features
            bank = _InceptionBank(extractor, reference)
        else:  # an injected split has no cached features: [N, V, D] from its images
            from semcom.metrics.features import extract_in_batches

            reference = extract_in_batches(extractor, test.images.flatten(0, 1), batch_size=50)
            bank = _InceptionBank(extractor, reference.reshape(len(test), num_views, -1))
        if baseline_ks:
            mean_features = bank.features(mean_image)  # [V, D]
    acc = {(method, k): _Accumulator(classifier, names, shared, camera_judge, background) for k in ks}
    for m in BASELINES:
        for k in baseline_ks:
            acc[(m, k)] = _Accumulator(classifier, names, shared, camera_judge, background)
    reconstruction = reconstruction and hasattr(imputer, "encode")
    if reconstruction:
        acc[("reconstruction", num_views)] = _Accumulator(classifier, names, shared, camera_judge, background)
    every_view = torch.ones(1, num_views, dtype=torch.bool)
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
                acc[("reconstruction", num_views)].update(views, recon, labels, every_view.expand(len(labels), -1))
                if bank is not None:
                    f_recon = bank.features(recon)
                    slots = one_view_each(every_view.expand(len(labels), -1),
                                          fid_slot_generator(config.seed, b, num_views))
                    bank.add(("reconstruction", num_views), f_recon[slots], f_true[slots], None)
            for k in ks:
                generator = torch.Generator().manual_seed(config.seed * 1_000_003 + b * 101 + k)
                observed = random_observed(len(labels), num_views, k, generator)
                judged = ~observed if k < num_views else observed  # generated views; all at k = V
                with decoded_observed(imputer) if k == num_views else contextlib.nullcontext():
                    imputed = imputer.impute(views, observed, generator)
                nfe = max(nfe, getattr(imputer, "last_nfe", 0))
                estimates = {method: imputed}
                if k in baseline_ks:
                    source = nearest_observed(observed)
                    estimates.update({"copy_nearest": copy_nearest(views, observed),
                                      "mean_image": mean_image.expand_as(views)})
                for m, estimate in estimates.items():
                    acc[(m, k)].update(views, estimate, labels, judged, joint=k == 0)
                if bank is not None:  # one judged view per object (see module doc)
                    slots = one_view_each(judged, fid_slot_generator(config.seed, b, k))
                    feature_estimates = {method: bank.features(imputed[slots])}
                    if k in baseline_ks:
                        f_copy = torch.gather(f_true, 1, source[:, :, None].expand_as(f_true))
                        feature_estimates.update({"copy_nearest": f_copy[slots],
                                                  "mean_image": mean_features.expand_as(f_true)[slots]})
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
                     "guidance_max_t": getattr(imputer, "guidance_max_t", None) if ours else None,
                     "nfe": nfe if ours else 0, "observed_views": k, "n": len(test),
                     **{c: values.get(c) for c in METRIC_COLUMNS + COUNT_COLUMNS}, "n_images": values["n_images"]})
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
