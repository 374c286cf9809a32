"""View classifier: training on a synthetic task, checkpoints, features for fd_clf."""

from __future__ import annotations

import pytest
import torch

from semcom.errors import SemcomError
from semcom.metrics.accumulate import ImageMetrics
from semcom.metrics.classifier import (
    ClassifierConfig,
    ClassifierFeatures,
    ViewClassifier,
    load_classifier,
    save_classifier,
)
from semcom.metrics.train_classifier import (
    REPORT_BLURS,
    TrainClassifierConfig,
    fit_classifier,
    gaussian_blur,
    random_blur,
    random_shift,
)


def bars(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """3 classes (bright bar at top, middle or bottom), 2 noisy views: [n, 2, 1, 12, 12] uint8."""
    gen = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 3, (n,), generator=gen)
    images = torch.rand(n, 2, 1, 12, 12, generator=gen) * 0.4
    for i, c in enumerate(labels.tolist()):
        images[i, :, :, 4 * c : 4 * c + 3, 2:10] += 0.6
    return (images.clamp(0, 1) * 255).to(torch.uint8), labels


TINY = TrainClassifierConfig(epochs=2, batch_size=32, lr=1e-2, width=8, feature_dim=16, seed=0)


def train_bars():
    classes, views = ("top", "middle", "bottom"), ("left", "right")
    return fit_classifier("bars", bars(96, 0), bars(60, 1), classes, views, TINY, progress=False)


@pytest.fixture(scope="module")
def trained():
    return train_bars()


def test_learns_a_simple_task_and_reports_accuracy_per_view(trained):
    model, report = trained
    assert report.test_accuracy >= 0.9
    assert set(report.view_accuracy) == {"left", "right"}
    assert report.n_train_images == 192 and report.n_test_images == 120
    images, labels = bars(60, 1)
    manual = (model.predict(images.float() / 255) == labels[:, None]).double().mean()
    assert report.test_accuracy == pytest.approx(float(manual))


def test_same_seed_same_weights(trained):
    again, _ = train_bars()
    model, _ = trained
    for a, b in zip(model.state_dict().values(), again.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_checkpoint_round_trip_and_feature_backbone(trained, tmp_path):
    model, _ = trained
    save_classifier(model, tmp_path)
    loaded = load_classifier("bars", 12, tmp_path)
    x = bars(5, 2)[0][:, 0].float() / 255
    assert torch.equal(loaded(x), model(x))
    feats = ClassifierFeatures(loaded)
    assert feats(x).shape == (5, 16) and feats.backbone == ClassifierFeatures(model).backbone
    assert feats.backbone.startswith("classifier-bars-")


def test_wrong_inputs_and_missing_checkpoints(tmp_path):
    model = ViewClassifier(ClassifierConfig("toy", 1, 12, ("a", "b"), ("v",)))
    with pytest.raises(SemcomError, match=r"takes images \[N, 1, 12, 12\]"):
        model(torch.rand(2, 3, 12, 12))
    with pytest.raises(SemcomError, match="semcom train classifier --dataset nope --size 12"):
        load_classifier("nope", 12, tmp_path)


def test_random_shift_moves_whole_images_within_the_bound():
    x = torch.zeros(50, 1, 9, 9)
    x[:, :, 4, 4] = 1.0
    shifted = random_shift(x, 2, torch.Generator().manual_seed(0))
    where = shifted[:, 0].flatten(1).argmax(1)
    rows, cols = where // 9, where % 9
    assert shifted.sum() == 50  # the dot is never cut off
    assert rows.min() >= 2 and rows.max() <= 6 and cols.min() >= 2 and cols.max() <= 6
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) > 10  # shifts vary


def test_gaussian_blur_of_a_dot_is_the_sampled_gaussian():
    x = torch.zeros(2, 1, 15, 15)
    x[:, :, 7, 7] = 1.0
    out = gaussian_blur(x, torch.tensor([0.0, 1.0]))
    assert torch.equal(out[0], x[0])  # sigma 0: unchanged
    d = torch.arange(-3, 4, dtype=torch.float32)
    g = torch.exp(-0.5 * d**2)
    g = g / g.sum()
    assert torch.allclose(out[1, 0, 4:11, 4:11], g[:, None] * g[None, :], atol=1e-7)
    assert out[1].sum() == pytest.approx(1.0, abs=1e-6)  # mass kept away from the edges
    flat = torch.full((1, 3, 6, 6), 0.3)
    assert torch.allclose(gaussian_blur(flat, 1.5), flat, atol=1e-6)  # edges replicated


def test_random_blur_leaves_about_half_the_images_sharp():
    x = torch.rand(400, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    out = random_blur(x, 1.5, torch.Generator().manual_seed(2))
    sharp = (out - x).flatten(1).abs().amax(1) == 0
    assert 150 < int(sharp.sum()) < 250
    assert torch.equal(random_blur(x, 0.0, torch.Generator()), x)
    with pytest.raises(SemcomError, match="max_blur"):
        TrainClassifierConfig(max_blur=-1.0)


def test_blur_augmentation_makes_a_judge_robust_to_blur():
    """The report's blurred accuracy: a judge trained on sharp bars only is read off by blur
    more than one trained with blurred copies."""
    gen = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 3, (300,), generator=gen)
    images = torch.zeros(300, 1, 1, 12, 12)
    for i, c in enumerate(labels.tolist()):  # one-pixel lines: blur spreads them over 3 rows
        images[i, 0, 0, 4 * c + 1, 2:10] = 1.0
    data = ((images * 255).to(torch.uint8), labels)
    base = TrainClassifierConfig(epochs=3, batch_size=32, lr=1e-2, width=8, feature_dim=16, max_shift=0)
    _, sharp = fit_classifier("lines", data, data, ("a", "b", "c"), ("v",), base, progress=False)
    robust_config = TrainClassifierConfig(**{**base.__dict__, "max_blur": 1.5})
    _, robust = fit_classifier("lines", data, data, ("a", "b", "c"), ("v",), robust_config, progress=False)
    assert set(sharp.blur_accuracy) == {str(b) for b in REPORT_BLURS}
    assert robust.test_accuracy == 1.0
    assert sharp.test_accuracy == 1.0 and sharp.blur_accuracy["1.5"] < 0.8
    assert robust.blur_accuracy["1.5"] == 1.0


def test_fd_clf_uses_the_classifier_features(trained):
    model, _ = trained
    a, b = (bars(40, seed)[0].float() / 255 for seed in (3, 4))
    meter = ImageMetrics(("fd_clf",), classifier=ClassifierFeatures(model))
    meter.update(a, a)
    same = meter.compute()
    meter.reset()
    meter.update(a, 1 - b)  # inverted images: far from the real ones in feature space
    far = meter.compute()
    assert same["fd_clf"] == pytest.approx(0.0, abs=1e-6)
    assert far["fd_clf"] > 1e-2 and far["fd_clf_backbone"] == ClassifierFeatures(model).backbone


def test_camera_judge_learns_which_view_an_image_shows(tmp_path):
    """target "camera": the label of each image is its view; saved as <dataset>_<size>_camera."""
    gen = torch.Generator().manual_seed(5)
    images = torch.rand(80, 2, 1, 12, 12, generator=gen) * 0.3
    images[:, 0, :, 1:3, :] += 0.7  # the "top" camera sees a bar at the top
    images[:, 1, :, 9:11, :] += 0.7
    data = ((images.clamp(0, 1) * 255).to(torch.uint8), torch.zeros(80, dtype=torch.long))
    judge, report = fit_classifier("toy", data, data, ("unused",), ("top", "bottom"), TINY,
                                   progress=False, target="camera")
    assert judge.config.target == "camera" and judge.config.class_names == ("top", "bottom")
    assert report.view_accuracy == {"top": 1.0, "bottom": 1.0}
    path = save_classifier(judge, tmp_path)
    assert path.name == "toy_12_camera.safetensors"
    loaded = load_classifier("toy", 12, tmp_path, target="camera")
    assert torch.equal(loaded.predict(images[:4]), torch.tensor([[0, 1]] * 4))
    with pytest.raises(SemcomError, match="--target camera"):
        load_classifier("toy", 16, tmp_path, target="camera")
    with pytest.raises(SemcomError, match="classifier target"):
        load_classifier("toy", 12, tmp_path, target="pose")
