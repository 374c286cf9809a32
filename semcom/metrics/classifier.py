"""Per-view image classifiers: coherence judges and the ``fd_clf`` feature network.

One small CNN per dataset is shared by all views (no view input). Reasons: the class of a sample
is the same in every view, so pooling the views gives the network V times more training images
of each class; the classifier can then judge any generated image without being told which
camera it is meant to be; and its penultimate features mean the same thing for every view, so
one set of reference statistics serves ``fd_clf`` for any view or all views pooled. Accuracy is
reported per view to show that no view is left behind.

A *camera judge* is the same network with the camera as its label (``target = "camera"``, class
names = the view names, checkpoint ``<dataset>_<image size>_camera``). It answers "which camera
took this view?", which coherence cannot: a copy of another real view of the same object always
has the object's class, but not the camera of the slot it fills.

Architecture: four 3x3 conv blocks (BatchNorm, ReLU; the last three with stride 2), global
average pooling, a ``feature_dim`` ReLU layer (the features of ``fd_clf``) and a linear layer to
the class logits. Checkpoints are a safetensors file and a JSON file holding
:class:`ClassifierConfig`, named ``<dataset>_<image size>``; trained ones are bundled in
``semcom/assets/bundled/classifiers/`` (class judges mvshapes_32, mvshapes_64, polymnist_28;
camera judges mvshapes_32_camera, polymnist_28_camera), each with a ``.report.json`` giving its
test accuracy per view, on blurred test views, and its training settings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from semcom.errors import SemcomError, check_choice
from semcom.metrics.images import check_images
from semcom.paths import atomic_write_bytes

BUNDLED_DIR = Path(__file__).resolve().parents[1] / "assets" / "bundled" / "classifiers"
#: what a classifier predicts: the object's class, or the camera (view) an image was taken from
TARGETS = ("class", "camera")


@dataclass(frozen=True)
class ClassifierConfig:
    """Shape of a view classifier and what it was trained on.

    channels, image_size: input [N, channels, image_size, image_size]; class_names: K names;
    view_names: the dataset's views (all classified by the same network); target: "class" (the
    object's class) or "camera" (the view a image was taken from; class_names = view_names).
    """

    dataset: str
    channels: int
    image_size: int
    class_names: tuple[str, ...]
    view_names: tuple[str, ...]
    width: int = 32
    feature_dim: int = 128
    target: str = "class"

    def __post_init__(self) -> None:
        check_choice("classifier target", self.target, TARGETS)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @classmethod
    def from_json(cls, text: str) -> ClassifierConfig:
        raw = json.loads(text)
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(raw) - known)
        if unknown:
            raise SemcomError(f"unknown classifier config keys {unknown}; allowed: {sorted(known)}")
        raw["class_names"] = tuple(raw["class_names"])
        raw["view_names"] = tuple(raw["view_names"])
        return cls(**raw)


def _block(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class ViewClassifier(nn.Module):
    """CNN classifier for single views. x: [N, C, H, W] float32 in [0, 1] -> logits [N, K]."""

    def __init__(self, config: ClassifierConfig) -> None:
        super().__init__()
        self.config = config
        w = config.width
        self.trunk = nn.Sequential(
            _block(config.channels, w, 1),
            _block(w, 2 * w, 2),
            _block(2 * w, 4 * w, 2),
            _block(4 * w, 4 * w, 2),
        )
        self.embed = nn.Linear(4 * w, config.feature_dim)
        self.head = nn.Linear(config.feature_dim, config.num_classes)

    def _check(self, x: torch.Tensor) -> torch.Tensor:
        x = check_images(x)
        want = (self.config.channels, self.config.image_size, self.config.image_size)
        if tuple(x.shape[1:]) != want:
            raise SemcomError(
                f"the {self.config.dataset} classifier takes images "
                f"[N, {want[0]}, {want[1]}, {want[2]}], "
                f"got {list(x.shape)}"
            )
        return x

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate features. x: [N, C, H, W] in [0, 1] -> [N, feature_dim] float32 (>= 0)."""
        pooled = self.trunk(self._check(x) * 2.0 - 1.0).mean(dim=(2, 3))
        return F.relu(self.embed(pooled))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: [N, C, H, W] in [0, 1] -> logits [N, K]."""
        return self.head(self.features(x))

    @torch.no_grad()
    def predict(self, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        """Predicted classes. x: [..., C, H, W] in [0, 1] -> [...] int64 (eval mode)."""
        was_training = self.training
        self.eval()
        flat = x.reshape(-1, *x.shape[-3:])
        preds = [
            self(flat[i : i + batch_size]).argmax(dim=1)
            for i in range(0, flat.shape[0], batch_size)
        ]
        out = torch.cat(preds) if preds else torch.zeros(0, dtype=torch.long)
        self.train(was_training)
        return out.reshape(x.shape[:-3])


def weights_digest(model: nn.Module) -> str:
    """First 8 hex digits of the SHA-256 of the state dict (names and bytes)."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:8]


class ClassifierFeatures:
    """A classifier's penultimate features as a :class:`~semcom.metrics.features.FeatureExtractor`.

    backbone: ``classifier-<dataset>-<weights digest>``, so cached reference statistics of one
    set of weights are never used with another.
    """

    def __init__(self, model: ViewClassifier) -> None:
        self.model = model.eval()
        self.dim = model.config.feature_dim
        self.backbone = f"classifier-{model.config.dataset}-{weights_digest(model)}"

    @torch.no_grad()
    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """images: [N, C, H, W] float32 in [0, 1] -> [N, feature_dim] float32."""
        return self.model.features(images)


def checkpoint_name(dataset: str, image_size: int, target: str = "class") -> str:
    """File stem of a classifier checkpoint, e.g. ``mvshapes_32`` or ``mvshapes_32_camera``."""
    check_choice("classifier target", target, TARGETS)
    return f"{dataset}_{image_size}" + ("" if target == "class" else f"_{target}")


def save_classifier(model: ViewClassifier, folder: Path) -> Path:
    """Write ``<dataset>_<size>[_camera].safetensors`` and ``.json`` (config) into ``folder``.

    Returns the path of the weights.
    """
    from safetensors.torch import save

    name = checkpoint_name(model.config.dataset, model.config.image_size, model.config.target)
    folder = Path(folder)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    atomic_write_bytes(folder / f"{name}.safetensors", save(state))
    atomic_write_bytes(folder / f"{name}.json", json.dumps(asdict(model.config), indent=2).encode())
    return folder / f"{name}.safetensors"


def _classifier_files(dataset: str, image_size: int | None, folder: Path | None, target: str):
    """(folder, checkpoint name, weights path, config path) of a classifier (see load_classifier)."""
    if image_size is None:
        from semcom.data import dataset_info

        image_size = dataset_info(dataset).default_size
    folder = Path(folder) if folder is not None else BUNDLED_DIR
    name = checkpoint_name(dataset, image_size, target)
    return folder, name, folder / f"{name}.safetensors", folder / f"{name}.json"


def find_classifier(
    dataset: str, image_size: int | None = None, folder: Path | None = None, target: str = "class"
) -> ViewClassifier | None:
    """:func:`load_classifier`, or None when that classifier's files are absent (an optional
    judge); a present but broken checkpoint still raises."""
    _, _, weights, config_path = _classifier_files(dataset, image_size, folder, target)
    if not (weights.is_file() and config_path.is_file()):
        return None
    return load_classifier(dataset, image_size, folder, target)


def judge_predictor(dataset: str, image_size: int | None = None):
    """The bundled class judge's ``predict`` (views [B, V, C, H, W] -> classes [B, V]) for
    validation during training, or None when ``dataset`` has none at ``image_size``."""
    model = find_classifier(dataset, image_size)
    return None if model is None else model.predict


def load_classifier(
    dataset: str, image_size: int | None = None, folder: Path | None = None, target: str = "class"
) -> ViewClassifier:
    """The classifier of ``dataset`` at ``image_size`` (default: the dataset's default size)
    from ``folder`` (default: the bundled ones), in eval mode; target "camera": the camera judge."""
    from semcom.models.checkpoint import load_module_state, read_tensor_file

    folder, name, weights, config_path = _classifier_files(dataset, image_size, folder, target)
    if not (weights.is_file() and config_path.is_file()):
        have = sorted(p.stem for p in folder.glob("*.safetensors")) if folder.is_dir() else []
        raise SemcomError(
            f"no classifier {name!r} in {folder} (have: {', '.join(have) or 'none'}); "
            f"train one with `semcom train classifier --dataset {dataset}"
            + (f" --size {image_size}" if image_size is not None else "")
            + ("`" if target == "class" else f" --target {target}`")
        )
    model = ViewClassifier(ClassifierConfig.from_json(config_path.read_text()))
    load_module_state(model, read_tensor_file(weights), "", str(weights))  # checked, one line
    return model.eval()
