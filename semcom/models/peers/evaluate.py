"""Imputation quality of any :class:`~semcom.models.imputer.Imputer` per number of observed views.

:func:`imputer_table` is what ``semcom evaluate --imputer ...`` calls: for k = 0 .. V observed
views it draws, per test object, a uniformly random set of k observed views (from the caller's
generator), imputes the others and reports one row per k:

- k = 1 .. V-1: conditional coherence (the bundled view classifier's class of each generated
  view equals the object's class, :mod:`semcom.metrics.coherence`) and PSNR / L1 of the
  generated views against the true ones;
- k = 0: joint coherence (all generated views of an object get the same class) and the same
  pixel errors (against the true object, which the imputer never saw);
- k = V: every view observed; the imputer's *reconstructions* (``observed_output="decoded"``)
  are judged: coherence = their classification accuracy (the "fair baseline" check).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import torch
from tqdm import tqdm

from semcom.data.base import MultiViewDataset
from semcom.errors import SemcomError
from semcom.metrics.coherence import CoherenceMeter, Predictor
from semcom.models.imputer import Imputer
from semcom.models.peers.gaussian import masks_of_size

COLUMNS = (
    "method", "dataset", "observed_views", "n", "coherence", "coherence_hits",
    "coherence_trials", "psnr", "l1", "seconds",
)  # fmt: skip


@contextlib.contextmanager
def _decoded_observed(imputer: Imputer) -> Iterator[None]:
    """Temporarily make the imputer return reconstructions of observed views."""
    if not hasattr(imputer, "observed_output"):
        raise SemcomError(
            f"{type(imputer).__name__} cannot return reconstructions of observed views"
        )
    old = imputer.observed_output
    imputer.observed_output = "decoded"
    try:
        yield
    finally:
        imputer.observed_output = old


def default_predictor(dataset: str, size: int | None) -> Predictor:
    """The bundled view classifier of ``dataset`` at ``size`` px (None: the dataset's default
    size), as a predict function."""
    from semcom.metrics.classifier import load_classifier

    return load_classifier(dataset, image_size=size).predict


def imputer_table(
    imputer: Imputer,
    dataset: str | MultiViewDataset,
    n: int,
    generator: torch.Generator,
    *,
    method: str = "",
    size: int | None = None,
    split: str = "test",
    predict: Predictor | None = None,
    observed_counts: tuple[int, ...] | None = None,
    batch_size: int = 100,
    progress: bool = True,
) -> list[dict]:
    """Rows (dicts with :data:`COLUMNS`) per number of observed views, on n objects of a split.

    dataset: a dataset name (its ``split`` is loaded at ``size``, first n objects) or a loaded
    split; imputer: any Imputer for the dataset's V views; generator: draws the observed sets and
    drives the imputer (same seed, same rows); predict: images [..., C, H, W] -> classes
    (default: the bundled classifier); observed_counts: which k to evaluate (default 0 .. V).
    """
    if isinstance(dataset, str):
        from semcom.data import load_dataset

        ds = load_dataset(dataset, split, size=size, n=n, progress=progress)
    else:
        ds = dataset.subset(min(n, len(dataset)))
    name = ds.info.name
    v = ds.num_views
    if imputer.num_views != v:
        raise SemcomError(f"imputer is for {imputer.num_views} views, {dataset} has {v}")
    ks = tuple(range(v + 1)) if observed_counts is None else tuple(observed_counts)
    bad = [k for k in ks if not 0 <= k <= v]
    if bad:
        raise SemcomError(f"observed view counts {bad} out of range; allowed: 0 .. {v}")
    predict = predict or default_predictor(name, ds.images.shape[-1])
    rows = []
    for k in tqdm(ks, desc=f"{method or 'imputer'} on {name}", disable=not progress):
        rows.append(_row(imputer, ds, k, v, generator, predict, batch_size, method, name))
    return rows


@torch.no_grad()
def _row(imputer, ds, k, v, generator, predict, batch_size, method, dataset) -> dict:
    meter = CoherenceMeter(predict)
    hits = trials = 0
    abs_err = 0.0
    psnr_sum, psnr_count = 0.0, 0
    start = time.perf_counter()
    context = _decoded_observed(imputer) if k == v else contextlib.nullcontext()
    with context:
        for lo in range(0, len(ds.labels), batch_size):
            x = ds.images[lo : lo + batch_size].float() / 255.0
            labels = ds.labels[lo : lo + batch_size]
            observed = masks_of_size(torch.full((len(x), 1), k), v, generator)
            out = imputer.impute(x, observed, generator)
            judged = ~observed if k < v else torch.ones_like(observed)
            if k < v:
                meter.update(out, labels, observed)
            else:
                correct = predict(out) == labels[:, None]
                hits += int(correct.sum())
                trials += int(correct.numel())
            err = (out - x)[judged]  # [M, C, H, W]
            mse = err.pow(2).flatten(1).mean(1).clamp(min=1e-10)
            psnr_sum += float((-10 * torch.log10(mse)).sum())
            psnr_count += len(mse)
            abs_err += float(err.abs().flatten(1).mean(1).sum())
    if k < v:
        count = meter.counts()[k]
        hits, trials = count.hits, count.trials
    return {
        "method": method,
        "dataset": dataset,
        "observed_views": k,
        "n": len(ds.labels),
        "coherence": round(hits / trials, 5),
        "coherence_hits": hits,
        "coherence_trials": trials,
        "psnr": round(psnr_sum / psnr_count, 3),
        "l1": round(abs_err / psnr_count, 5),
        "seconds": round(time.perf_counter() - start, 2),
    }
