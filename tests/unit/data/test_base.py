import pytest
import torch

from semcom.data import DATASETS, SPLITS, dataset_info, load_dataset
from semcom.errors import SemcomError


def test_registry_lists_the_three_datasets():
    assert set(DATASETS) == {"mvshapes", "polymnist", "nmr"}
    assert SPLITS == ("train", "val", "test")


def test_item_contract_mvshapes(isolated_cache):
    ds = load_dataset("mvshapes", "val", n=13, seed=0, progress=False, workers=1)
    assert len(ds) == 13 and ds.num_views == 4
    views, label = ds[0]
    assert views.shape == (4, 3, 32, 32) and views.dtype == torch.float32
    assert 0.0 <= views.min() and views.max() <= 1.0
    assert isinstance(label, int) and ds.class_names[label]
    x, y = ds.batch(slice(0, 5))
    assert x.shape == (5, 4, 3, 32, 32) and y.shape == (5,)
    seen = sum(
        len(b[1]) for b in ds.batches(4, shuffle=True, generator=torch.Generator().manual_seed(0))
    )
    assert seen == 13


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "shapenet"}, "unknown dataset 'shapenet'; allowed: mvshapes, polymnist, nmr"),
        (
            {"name": "mvshapes", "split": "training"},
            "unknown split 'training'; allowed: train, val, test",
        ),
        (
            {"name": "mvshapes", "size": 48},
            "unsupported image size 48 for mvshapes; allowed: 32, 64",
        ),
        ({"name": "polymnist", "size": 32}, "allowed: 28"),
        ({"name": "mvshapes", "n": 0}, "number of objects must be >= 1"),
    ],
)
def test_bad_arguments_give_one_line_errors(kwargs, message):
    with pytest.raises(SemcomError) as err:
        load_dataset(**kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_dataset_info_sizes():
    assert dataset_info("mvshapes").sizes == (32, 64)
    assert dataset_info("polymnist").num_views == 5
