"""The NMR loader on a tiny fixture written in the distributed layout."""

import numpy as np
import pytest
from PIL import Image

from semcom.data import load_dataset
from semcom.data.nmr import SYNSETS, VIEW_INDICES
from semcom.errors import SemcomError

AIRPLANE, CAR = "02691156", "02958343"


def write_fixture(root, objects_per_split=2):
    """<root>/<synset>/<object>/image/0000..0023.png (RGBA, 64x64) + softras_<split>.lst."""
    rng = np.random.default_rng(0)
    for synset in (AIRPLANE, CAR):
        for split in ("train", "val", "test"):
            names = [f"{split}{k}" for k in range(objects_per_split)]
            (root / synset).mkdir(parents=True, exist_ok=True)
            (root / synset / f"softras_{split}.lst").write_text("\n".join(names) + "\n")
            for name in names:
                folder = root / synset / name / "image"
                folder.mkdir(parents=True)
                for index in range(24):
                    rgba = np.zeros((64, 64, 4), dtype=np.uint8)
                    rgba[16:48, 16:48, :3] = rng.integers(0, 256, 3)
                    rgba[16:48, 16:48, 3] = 255
                    rgba[0, 0] = (index, 0, 0, 255)  # marks which azimuth the file is
                    Image.fromarray(rgba, "RGBA").save(folder / f"{index:04d}.png")
    return root


def test_loads_four_canonical_views_on_white(tmp_path):
    root = write_fixture(tmp_path / "NMR")
    ds = load_dataset("nmr", "test", root=root, progress=False)
    assert len(ds) == 4 and ds.view_names == ("front", "right", "back", "left")
    assert ds.images.shape == (4, 4, 3, 64, 64)
    assert [ds.class_names[int(y)] for y in ds.labels] == ["airplane"] * 2 + ["car"] * 2
    assert list(ds.images[0, :, 0, 0, 0]) == list(VIEW_INDICES.values())  # azimuth markers
    assert int(ds.images[0, 0, 0, 5, 5]) == 255  # transparent background -> white
    assert len(SYNSETS) == 13


def test_32px_option_and_subset(tmp_path):
    root = write_fixture(tmp_path / "NMR")
    ds = load_dataset("nmr", "train", root=root, size=32, n=3, seed=0, progress=False)
    assert ds.images.shape == (3, 4, 3, 32, 32)


def test_root_from_environment(tmp_path, monkeypatch):
    root = write_fixture(tmp_path / "NMR")
    monkeypatch.setenv("SEMCOM_NMR_ROOT", str(root))
    assert len(load_dataset("nmr", "val", progress=False)) == 4


@pytest.mark.parametrize(
    "breakage, message",
    [
        ("missing_root", "is not a folder"),
        ("no_synsets", "no ShapeNet synset folder"),
        ("no_list", "softras_test.lst is missing"),
        ("no_image", "0012.png is missing"),
    ],
)
def test_malformed_folders_give_one_line_errors(tmp_path, monkeypatch, breakage, message):
    monkeypatch.delenv("SEMCOM_NMR_ROOT", raising=False)
    root = write_fixture(tmp_path / "NMR", objects_per_split=1)
    if breakage == "missing_root":
        root = tmp_path / "absent"
    elif breakage == "no_synsets":
        root = tmp_path / "empty"
        root.mkdir()
    elif breakage == "no_list":
        (root / CAR / "softras_test.lst").unlink()
    else:
        (root / AIRPLANE / "test0" / "image" / "0012.png").unlink()
    with pytest.raises(SemcomError) as err:
        load_dataset("nmr", "test", root=root, progress=False)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_needs_a_root(monkeypatch):
    monkeypatch.delenv("SEMCOM_NMR_ROOT", raising=False)
    with pytest.raises(SemcomError, match="pass --root DIR or set"):
        load_dataset("nmr", "test")
