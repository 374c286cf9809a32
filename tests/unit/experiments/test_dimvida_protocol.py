"""Test-time averaging and the augmented-view generation with its cache."""

import pytest
import torch
from torch import nn

from semcom.experiments.augment import generate_views, imputer_digest, load_or_generate
from semcom.experiments.classify import averaged_prediction, evaluate, view_outputs
from tests.unit.experiments.conftest import make_tiny_imputer


class MeanBrightness(nn.Module):
    """Toy classifier: logits = w * mean pixel + b for 3 classes."""

    def __init__(self):
        super().__init__()
        self.w, self.b = torch.tensor([-4.0, 0.0, 4.0]), torch.tensor([2.0, 0.0, -2.0])

    def forward(self, x):
        return x.mean((1, 2, 3))[:, None] * self.w + self.b


def test_view_outputs_average_the_softmax_probabilities_of_every_view():
    gen = torch.Generator().manual_seed(0)
    views = torch.randint(0, 256, (5, 4, 1, 3, 3), generator=gen, dtype=torch.uint8)
    model = MeanBrightness()
    manual = torch.stack([model(views[:, v].float() / 255).softmax(-1) for v in range(4)], 1).mean(1)
    outputs = view_outputs(model, views)
    assert torch.allclose(outputs.mean(1), manual, atol=1e-6)
    assert torch.equal(averaged_prediction(outputs), manual.argmax(-1))
    logits = view_outputs(model, views, average="logits")
    assert torch.allclose(logits.mean(1), torch.stack([model(views[:, v].float() / 255) for v in range(4)], 1).mean(1))


def test_averaging_can_overturn_the_single_view_decision():
    # real view dark (class 0); the three other views bright (class 2): the mean says class 2
    real = torch.full((1, 1, 2, 2), 20, dtype=torch.uint8)
    augmented = torch.cat([real[:, None], torch.full((1, 3, 1, 2, 2), 250, dtype=torch.uint8)], 1)
    scores = evaluate(MeanBrightness(), real, augmented, torch.tensor([2]))
    assert scores == {"single": 0.0, "averaged": 1.0}


def test_generated_views_keep_the_real_view_and_have_the_right_shape(tiny_imputer):
    gen = torch.Generator().manual_seed(0)
    real = torch.randint(0, 256, (6, 3, 32, 32), generator=gen, dtype=torch.uint8)
    views = torch.tensor([0, 1, 2, 3, 0, 2])
    out = generate_views(tiny_imputer, real, views, torch.Generator().manual_seed(1), batch_size=4, progress=False)
    assert out.shape == (6, 4, 3, 32, 32) and out.dtype == torch.uint8
    assert torch.equal(out[torch.arange(6), views], real)
    again = generate_views(tiny_imputer, real, views, torch.Generator().manual_seed(1), batch_size=4, progress=False)
    assert torch.equal(out, again)


def test_generation_is_cached_by_imputer_digest_and_split(isolated_cache, tiny_imputer, monkeypatch):
    real = torch.randint(0, 256, (3, 3, 32, 32), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    views = torch.tensor([1, 2, 3])
    key = {"split": "train", "dataset": "toy"}
    first, path, hit = load_or_generate(tiny_imputer, real, views, key, seed=0, progress=False)
    assert not hit and path.is_file() and path.is_relative_to(isolated_cache)
    import semcom.experiments.augment as augment

    with monkeypatch.context() as patch:
        patch.setattr(augment, "generate_views", lambda *a, **k: pytest.fail("regenerated a cached split"))
        second, path2, hit2 = load_or_generate(tiny_imputer, real, views, key, seed=0, progress=False)
    assert hit2 and path2 == path and torch.equal(first, second)
    # another imputer (other weights) or another split must not hit that file
    other = make_tiny_imputer(seed=1)
    assert imputer_digest(other) != imputer_digest(tiny_imputer)
    _, path3, hit3 = load_or_generate(other, real, views, key, seed=0, progress=False)
    _, path4, hit4 = load_or_generate(tiny_imputer, real, views, {**key, "split": "test"}, seed=0, progress=False)
    assert not hit3 and not hit4 and len({path, path3, path4}) == 3


def test_digest_sees_the_sampler_settings():
    a, b = make_tiny_imputer(), make_tiny_imputer()
    assert imputer_digest(a) == imputer_digest(b)
    b.sampler_name = "euler"
    assert imputer_digest(a) != imputer_digest(b)


def test_digest_sees_the_number_of_sampling_steps():
    from semcom.diffusion.schedules import make_schedule

    a, b = make_tiny_imputer(), make_tiny_imputer()
    b.schedule = make_schedule("logsnr_uniform", 3)
    assert imputer_digest(a) != imputer_digest(b)
