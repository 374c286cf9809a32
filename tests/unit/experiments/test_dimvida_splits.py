"""The paper's splits: disjoint parts, one view per object, seeded; config validation."""

import pytest
import torch

from semcom.errors import SemcomError
from semcom.experiments.dimvida import (
    DimvidaConfig,
    load_config,
    make_splits,
    real_views,
    training_set,
)


def test_parts_are_disjoint_and_keep_one_valid_view_per_object():
    train, test = make_splits(100, 60, 30, 4, seed=3)
    assert len(train.objects) == 60 and len(test.objects) == 30
    assert len(set(train.objects.tolist())) == 60 and len(set(test.objects.tolist())) == 30
    assert not set(train.objects.tolist()) & set(test.objects.tolist())
    for part in (train, test):
        assert part.views.shape == part.objects.shape
        assert int(part.views.min()) >= 0 and int(part.views.max()) < 4


def test_splits_are_deterministic_and_depend_on_the_seed():
    a, b = make_splits(100, 60, 30, 4, seed=3), make_splits(100, 60, 30, 4, seed=3)
    c = make_splits(100, 60, 30, 4, seed=4)
    assert all(torch.equal(x, y) for x, y in zip(a[0] + a[1], b[0] + b[1], strict=True))
    assert not torch.equal(a[0].objects, c[0].objects)


def test_views_are_uniform_over_the_cameras():
    train, _ = make_splits(8000, 8000, 0, 4, seed=0)
    counts = torch.bincount(train.views, minlength=4).float()
    # binomial std for n = 8000, p = 1/4 is 39; 5 sigma
    assert (counts - 2000).abs().max() < 5 * 39


def test_real_views_picks_the_kept_camera():
    images = torch.arange(5 * 4).reshape(5, 4, 1, 1, 1).to(torch.uint8)
    train, _ = make_splits(5, 3, 2, 4, seed=1)
    assert real_views(images, train).flatten().tolist() == (train.objects * 4 + train.views).tolist()


def test_augmented_training_set_repeats_each_label_per_view():
    real = torch.zeros(3, 1, 2, 2, dtype=torch.uint8)
    augmented = torch.arange(3 * 4).reshape(3, 4, 1, 1, 1).expand(3, 4, 1, 2, 2).to(torch.uint8)
    labels = torch.tensor([7, 8, 9])
    images, lab = training_set(real, augmented, labels, "augmented")
    assert images.shape == (12, 1, 2, 2) and lab.tolist() == [7] * 4 + [8] * 4 + [9] * 4
    assert images[:, 0, 0, 0].tolist() == list(range(12))
    assert training_set(real, augmented, labels, "single")[0] is real


def test_too_many_objects_is_a_one_line_error():
    with pytest.raises(SemcomError, match="exceeds"):
        make_splits(10, 8, 3, 4, seed=0)
    with pytest.raises(SemcomError, match="exceeds pool_objects"):
        DimvidaConfig(pool_objects=100, n_train=80, n_test=30)


def test_classifier_objects_must_come_from_a_split_the_imputer_did_not_see():
    with pytest.raises(SemcomError, match="must differ from diffusion_split"):
        DimvidaConfig(pool_split="train", diffusion_split="train")


def test_config_file_rejects_unknown_keys_and_bad_values(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('architectures = ["vgg"]\n')
    with pytest.raises(SemcomError, match="allowed: resnet18"):
        load_config(path)
    path.write_text("epoch = 3\n")
    with pytest.raises(SemcomError, match="unknown key"):
        load_config(path)


def test_the_committed_config_loads_with_three_seeds_or_more():
    config = load_config("experiments/dimvida/dimvida.toml")
    assert len(config.seeds) >= 3 and config.output_dir == "results/dimvida"


def test_oracle_views_are_the_objects_real_other_views(isolated_cache):
    from semcom.data import load_dataset
    from semcom.experiments.dimvida import prepare

    config = DimvidaConfig(imputer="oracle", pool_objects=12, n_train=8, n_test=4)
    data = prepare(config, progress=False)
    pool = load_dataset("mvshapes", "test", n=12, progress=False)
    train, test = make_splits(12, 8, 4, 4, seed=config.split_seed)
    assert torch.equal(data.train_augmented, pool.images[train.objects])
    assert torch.equal(data.test_augmented, pool.images[test.objects])
    assert torch.equal(data.train_real, pool.images[train.objects, train.views])
    assert torch.equal(data.test_labels, pool.labels[test.objects]) and data.num_classes == 13
    assert not (isolated_cache / "dimvida").exists()  # nothing generated, nothing cached
