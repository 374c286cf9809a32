"""Training a classifier from scratch on views, and the two test protocols.

Test protocols on a single-view evaluation set:

* ``single``: classify the real view alone;
* ``averaged``: classify every view of the augmented object (the real one and the V - 1
  generated ones) and take the argmax of the mean of the V outputs. The outputs averaged are
  softmax probabilities by default (``average="probs"``), or raw logits (``average="logits"``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from semcom.errors import check_choice
from semcom.models.classifiers import build_classifier

AVERAGES = ("probs", "logits")


@dataclass(frozen=True)
class TrainSettings:
    """Optimisation of one classifier: Adam(lr, weight_decay), ``epochs`` passes, ``batch_size``."""

    epochs: int = 20
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0


def train_classifier(
    architecture: str,
    images: torch.Tensor,
    labels: torch.Tensor,
    num_classes: int,
    settings: TrainSettings,
    seed: int,
    *,
    progress: bool = False,
) -> nn.Module:
    """A classifier trained from scratch (init and batch order seeded by ``seed``).

    images: [N, C, H, W] uint8; labels: [N] int64. Returns the model in eval mode.
    """
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    model = build_classifier(architecture, num_classes, images.shape[1])
    optimiser = torch.optim.Adam(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for _ in tqdm(range(settings.epochs), desc=f"{architecture} seed {seed}", disable=not progress):
        order = torch.randperm(len(labels), generator=generator)
        for start in range(0, len(labels), settings.batch_size):
            index = order[start : start + settings.batch_size]
            if len(index) < 2:  # BatchNorm needs two samples
                continue
            loss = F.cross_entropy(model(images[index].float() / 255.0), labels[index])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
    return model.eval()


@torch.no_grad()
def view_outputs(model: nn.Module, views: torch.Tensor, *, average: str = "probs",
                 batch_size: int = 256) -> torch.Tensor:
    """Per-view outputs. views: [N, V, C, H, W] uint8 -> [N, V, K] (softmax probs or logits)."""
    check_choice("average", average, AVERAGES)
    n, v = views.shape[:2]
    flat = views.reshape(n * v, *views.shape[2:])
    logits = torch.cat([model(flat[s : s + batch_size].float() / 255.0) for s in range(0, n * v, batch_size)])
    out = logits.softmax(-1) if average == "probs" else logits
    return out.reshape(n, v, -1)


def averaged_prediction(outputs: torch.Tensor) -> torch.Tensor:
    """outputs: [N, V, K] -> predicted class [N]: argmax of the mean over the V views."""
    return outputs.mean(1).argmax(-1)


def accuracy(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of ``predictions`` [N] equal to ``labels`` [N]."""
    return float((predictions == labels).float().mean())


def evaluate(model: nn.Module, real: torch.Tensor, augmented: torch.Tensor, labels: torch.Tensor, *,
             average: str = "probs") -> dict[str, float]:
    """Accuracy under both protocols.

    real: [N, C, H, W] uint8; augmented: [N, V, C, H, W] uint8 (one row of each is ``real``);
    labels: [N]. Returns {"single": acc, "averaged": acc}.
    """
    single = view_outputs(model, real[:, None], average=average)[:, 0].argmax(-1)
    return {
        "single": accuracy(single, labels),
        "averaged": accuracy(averaged_prediction(view_outputs(model, augmented, average=average)), labels),
    }
