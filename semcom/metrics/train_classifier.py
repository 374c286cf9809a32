"""Training the per-view classifiers (``semcom train classifier --dataset D``).

All views of all training samples are pooled into one set of labelled images (see
:mod:`semcom.metrics.classifier` for why one network serves every view). AdamW with a one-cycle
learning-rate schedule and random translations of up to ``max_shift`` pixels; a few epochs reach
the accuracy the coherence metric needs on the synthetic datasets. Accuracy on the test split is
reported overall and per view.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from semcom.errors import SemcomError
from semcom.metrics.classifier import ClassifierConfig, ViewClassifier, save_classifier
from semcom.paths import atomic_write_bytes


@dataclass(frozen=True)
class TrainClassifierConfig:
    """Hyper-parameters of :func:`fit_classifier` (sizes None = the whole split)."""

    epochs: int = 3
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    max_shift: int = 2
    width: int = 32
    feature_dim: int = 128
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "width", "feature_dim"):
            if getattr(self, name) < 1:
                raise SemcomError(
                    f"classifier training: {name} must be >= 1, got {getattr(self, name)}"
                )
        if self.lr <= 0 or self.max_shift < 0:
            raise SemcomError(
                "classifier training: need lr > 0 and max_shift >= 0, "
                f"got {self.lr}, {self.max_shift}"
            )


@dataclass(frozen=True)
class ClassifierReport:
    """Test accuracy of a trained classifier, overall and per view."""

    dataset: str
    image_size: int
    test_accuracy: float
    view_accuracy: dict[str, float]
    n_train_images: int
    n_test_images: int
    train_seconds: float
    config: dict = field(default_factory=dict)


def random_shift(x: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Translate each image by up to ``max_shift`` pixels (zero fill). x: [N, C, H, W]."""
    if max_shift == 0:
        return x
    n, _, h, w = x.shape
    padded = F.pad(x, (max_shift,) * 4)
    dy = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    dx = torch.randint(0, 2 * max_shift + 1, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(h))[:, None, :, None].expand(
        n, x.shape[1], h, w + 2 * max_shift
    )
    shifted = padded.gather(2, rows)
    cols = (dx[:, None] + torch.arange(w))[:, None, None, :].expand(n, x.shape[1], h, w)
    return shifted.gather(3, cols)


def _pool_views(images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """images [N, V, C, H, W] uint8, labels [N] -> [N * V, C, H, W] uint8, [N * V]."""
    n, v = images.shape[:2]
    return images.reshape(n * v, *images.shape[2:]), labels.repeat_interleave(v)


@torch.no_grad()
def view_accuracy(
    model: ViewClassifier, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 512
) -> torch.Tensor:
    """Accuracy per view. images: [N, V, C, H, W] uint8; labels: [N] -> [V] float64."""
    model.eval()
    hits = torch.zeros(images.shape[1], dtype=torch.float64)
    for start in range(0, images.shape[0], batch_size):
        batch = images[start : start + batch_size].float() / 255.0
        hits += (model.predict(batch) == labels[start : start + batch_size, None]).double().sum(0)
    return hits / images.shape[0]


def fit_classifier(
    dataset: str,
    train: tuple[torch.Tensor, torch.Tensor],
    test: tuple[torch.Tensor, torch.Tensor],
    class_names: tuple[str, ...],
    view_names: tuple[str, ...],
    config: TrainClassifierConfig = TrainClassifierConfig(),
    *,
    progress: bool = True,
) -> tuple[ViewClassifier, ClassifierReport]:
    """Train a view classifier on in-memory splits.

    train, test: (images [N, V, C, H, W] uint8, labels [N] int64 in [0, K)).
    Same config (seed included) -> same weights.
    """
    images, labels = train
    if images.dtype != torch.uint8 or images.ndim != 5:
        raise SemcomError(
            f"training images must be uint8 [N, V, C, H, W], "
            f"got {images.dtype} {list(images.shape)}"
        )
    if images.shape[-1] != images.shape[-2]:
        raise SemcomError(
            f"classifier images must be square, got {images.shape[-2]}x{images.shape[-1]}"
        )
    generator = torch.Generator().manual_seed(config.seed)
    torch.manual_seed(config.seed)  # parameter initialisation uses the global generator
    model = ViewClassifier(
        ClassifierConfig(
            dataset=dataset,
            channels=images.shape[2],
            image_size=images.shape[-1],
            class_names=tuple(class_names),
            view_names=tuple(view_names),
            width=config.width,
            feature_dim=config.feature_dim,
        )
    )
    x, y = _pool_views(images, labels)
    steps_per_epoch = -(-x.shape[0] // config.batch_size)
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=config.lr, total_steps=config.epochs * steps_per_epoch
    )
    start = time.perf_counter()
    bar = tqdm(
        total=config.epochs * steps_per_epoch,
        desc=f"train classifier ({dataset})",
        unit="step",
        disable=not progress,
    )
    model.train()
    for _ in range(config.epochs):
        order = torch.randperm(x.shape[0], generator=generator)
        for i in range(steps_per_epoch):
            idx = order[i * config.batch_size : (i + 1) * config.batch_size]
            batch = random_shift(x[idx].float() / 255.0, config.max_shift, generator)
            loss = F.cross_entropy(model(batch), y[idx])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            bar.update()
            bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
    bar.close()
    seconds = time.perf_counter() - start
    per_view = view_accuracy(model, *test)
    report = ClassifierReport(
        dataset=dataset,
        image_size=model.config.image_size,
        test_accuracy=float(per_view.mean()),
        view_accuracy={name: float(a) for name, a in zip(view_names, per_view, strict=True)},
        n_train_images=int(x.shape[0]),
        n_test_images=int(test[0].shape[0] * test[0].shape[1]),
        train_seconds=round(seconds, 1),
        config=asdict(config),
    )
    return model.eval(), report


def train_classifier(
    dataset: str,
    out_dir: Path,
    config: TrainClassifierConfig = TrainClassifierConfig(),
    *,
    size: int | None = None,
    train_n: int | None = None,
    test_n: int | None = None,
    root: Path | None = None,
    progress: bool = True,
) -> ClassifierReport:
    """Train the classifier of a ``semcom.data`` dataset and write it into ``out_dir``.

    size: image side; train_n, test_n: objects per split (None: the dataset's defaults);
    root: folder of on-disk datasets (nmr). Writes ``<dataset>_<size>.safetensors``, ``.json``
    (model config) and ``.report.json`` (test accuracy overall and per view, settings).
    """
    from semcom.data import load_dataset

    splits = {
        split: load_dataset(
            dataset, split, size=size, n=n, seed=config.seed, root=root, progress=progress
        )
        for split, n in (("train", train_n), ("test", test_n))
    }
    train, test = splits["train"], splits["test"]
    model, report = fit_classifier(
        dataset,
        (train.images, train.labels),
        (test.images, test.labels),
        tuple(train.class_names),
        tuple(train.view_names),
        config,
        progress=progress,
    )
    weights = save_classifier(model, out_dir)
    report_data = asdict(report) | {"train_n": len(train), "test_n": len(test)}
    atomic_write_bytes(
        weights.with_suffix(".report.json"), json.dumps(report_data, indent=2).encode()
    )
    return report
