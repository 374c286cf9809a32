"""Training the per-view classifiers (``semcom train classifier --dataset D``).

All views of all training samples are pooled into one set of labelled images (see
:mod:`semcom.metrics.classifier` for why one network serves every view). AdamW with a one-cycle
learning-rate schedule and random translations of up to ``max_shift`` pixels; a few epochs reach
the accuracy the coherence metric needs on the synthetic datasets. Accuracy on the test split is
reported overall and per view, and on the test split blurred at :data:`REPORT_BLURS`.

Blur augmentation (``max_blur`` > 0): half of the training images get a Gaussian blur of a
standard deviation drawn uniformly from [0, max_blur] pixels. A judge trained on sharp images
only can be fooled by blur rather than by content: the first polymnist judge classified 97 % of
real test views correctly, but only 34 % of the china views after a 0.75-pixel blur that leaves
every digit legible (PSNR 21.6 dB). Generated and reconstructed views are blurred to some
degree, so such a judge scores their sharpness instead of their class.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from semcom.errors import SemcomError
from semcom.metrics.classifier import ClassifierConfig, ViewClassifier, save_classifier
from semcom.paths import atomic_write_bytes

#: largest blur augmentation (pixels): the kernel radius is 3 sigma
MAX_BLUR = 3.0
#: blur levels (pixels) of the robustness part of the report
REPORT_BLURS = (0.5, 0.75, 1.0, 1.5)


@dataclass(frozen=True)
class TrainClassifierConfig:
    """Hyper-parameters of :func:`fit_classifier` (sizes None = the whole split)."""

    epochs: int = 3
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-4
    max_shift: int = 2
    max_blur: float = 0.0  # Gaussian blur augmentation: std up to this many pixels (0: none)
    width: int = 32
    feature_dim: int = 128
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "width", "feature_dim"):
            if getattr(self, name) < 1:
                raise SemcomError(
                    f"classifier training: {name} must be >= 1, got {getattr(self, name)}"
                )
        if self.lr <= 0 or self.max_shift < 0 or not 0 <= self.max_blur <= MAX_BLUR:
            raise SemcomError(
                f"classifier training: need lr > 0, max_shift >= 0 and 0 <= max_blur <= {MAX_BLUR}, "
                f"got {self.lr}, {self.max_shift}, {self.max_blur}"
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
    blur_accuracy: dict[str, float] = field(default_factory=dict)  # sigma (px) -> test accuracy


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


def gaussian_blur(x: torch.Tensor, sigma: torch.Tensor | float) -> torch.Tensor:
    """Separable Gaussian blur with edge replication. x: [N, C, H, W]; sigma: a float or [N]
    per image (pixels; 0 leaves the image unchanged). Kernel radius ceil(3 max sigma)."""
    n, c = x.shape[:2]
    sigma = torch.as_tensor(sigma, dtype=x.dtype).expand(n)
    radius = math.ceil(3 * float(sigma.max()))
    if radius == 0:
        return x
    offsets = torch.arange(-radius, radius + 1, dtype=x.dtype)
    kernel = torch.exp(-0.5 * (offsets / sigma.clamp(min=1e-6)[:, None]) ** 2)  # [N, K]
    kernel = kernel / kernel.sum(1, keepdim=True)
    kernel = kernel.repeat_interleave(c, dim=0)  # one kernel per (image, channel)
    flat = x.reshape(1, n * c, *x.shape[2:])
    flat = F.conv2d(F.pad(flat, (radius, radius, 0, 0), mode="replicate"), kernel[:, None, None, :], groups=n * c)
    flat = F.conv2d(F.pad(flat, (0, 0, radius, radius), mode="replicate"), kernel[:, None, :, None], groups=n * c)
    return flat.reshape(x.shape)


def random_blur(x: torch.Tensor, max_blur: float, generator: torch.Generator) -> torch.Tensor:
    """Blur a random half of the images [N, C, H, W] with sigma ~ U(0, max_blur) pixels."""
    if max_blur == 0:
        return x
    sigma = torch.rand(x.shape[0], generator=generator) * max_blur
    sigma = sigma * (torch.rand(x.shape[0], generator=generator) < 0.5)
    return gaussian_blur(x, sigma)


def _pool_views(images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """images [N, V, C, H, W] uint8, labels [N] (per object) or [N, V] (per image)
    -> [N * V, C, H, W] uint8, [N * V]."""
    n, v = images.shape[:2]
    flat = labels.reshape(-1) if labels.ndim == 2 else labels.repeat_interleave(v)
    return images.reshape(n * v, *images.shape[2:]), flat


def camera_labels(images: torch.Tensor) -> torch.Tensor:
    """The label of a camera judge: each image's view index. images [N, V, ...] -> [N, V]."""
    n, v = images.shape[:2]
    return torch.arange(v).expand(n, v)


@torch.no_grad()
def view_accuracy(
    model: ViewClassifier,
    images: torch.Tensor,
    labels: torch.Tensor,
    batch_size: int = 512,
    blur: float = 0.0,
) -> torch.Tensor:
    """Accuracy per view. images: [N, V, C, H, W] uint8; labels: [N] (per object) or [N, V]
    (per image, e.g. :func:`camera_labels`) -> [V] float64.

    blur: judge the images after :func:`gaussian_blur` with this sigma (pixels)."""
    model.eval()
    hits = torch.zeros(images.shape[1], dtype=torch.float64)
    for start in range(0, images.shape[0], batch_size):
        batch = images[start : start + batch_size].float() / 255.0
        if blur:
            batch = gaussian_blur(batch.flatten(0, 1), blur).reshape(batch.shape)
        want = labels[start : start + batch_size]
        hits += (model.predict(batch) == (want if want.ndim == 2 else want[:, None])).double().sum(0)
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
    target: str = "class",
) -> tuple[ViewClassifier, ClassifierReport]:
    """Train a view classifier on in-memory splits.

    train, test: (images [N, V, C, H, W] uint8, labels [N] int64 in [0, K)).
    target "camera": a camera judge; the labels are ignored (each image's label is its view,
    the class names are the view names). Same config (seed included) -> same weights.
    """
    if target == "camera":
        train, test = ((x, camera_labels(x)) for x, _ in (train, test))
        class_names = tuple(view_names)
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
            target=target,
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
            batch = random_blur(batch, config.max_blur, generator)
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
        blur_accuracy={
            str(b): float(view_accuracy(model, *test, blur=b).mean()) for b in REPORT_BLURS
        },
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
    target: str = "class",
) -> ClassifierReport:
    """Train the classifier of a ``semcom.data`` dataset and write it into ``out_dir``.

    size: image side; train_n, test_n: objects per split (None: the dataset's defaults);
    root: folder of on-disk datasets (nmr); target: "class" or "camera" (a camera judge). Writes
    ``<dataset>_<size>[_camera].safetensors``, ``.json`` (model config) and ``.report.json``
    (test accuracy overall and per view, settings).
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
        target=target,
    )
    weights = save_classifier(model, out_dir)
    report_data = asdict(report) | {"train_n": len(train), "test_n": len(test)}
    atomic_write_bytes(
        weights.with_suffix(".report.json"), json.dumps(report_data, indent=2).encode()
    )
    return report
