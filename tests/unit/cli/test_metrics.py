"""`semcom metrics DIR_A DIR_B`: JSON output, and one-line errors for bad folders."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from semcom.cli import main


def _write(folder, name, array):
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(folder / name)


@pytest.fixture()
def folders(tmp_path):
    gen = np.random.default_rng(0)
    for i in range(3):
        ref = gen.integers(0, 256, (32, 32, 3), dtype=np.uint8)
        noisy = np.clip(ref.astype(int) + gen.integers(-8, 9, ref.shape), 0, 255).astype(np.uint8)
        _write(tmp_path / "a", f"{i}.png", ref)
        _write(tmp_path / "b", f"{i}.png", noisy)
    return tmp_path / "a", tmp_path / "b"


def _run(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        main(["metrics", *map(str, args)])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def test_json_prints_one_object_with_psnr_and_ssim(folders, capsys):
    code, out, _ = _run(capsys, *folders, "--json")
    assert code == 0
    values = json.loads(out)  # exactly one JSON document on stdout
    assert values["n_images"] == 3 and set(values) == {"n_images", "psnr", "ssim"}
    # uniform noise on {-8..8} (clipping aside): MSE ~ (17^2 - 1) / 12 grey levels^2
    want = 10 * np.log10(255**2 / ((17**2 - 1) / 12))
    assert values["psnr"] == pytest.approx(want, abs=0.3)


def test_identical_folders_give_capped_psnr_and_unit_ssim(folders, capsys):
    a, _ = folders
    code, out, _ = _run(capsys, a, a, "--json")
    values = json.loads(out)
    assert code == 0 and values["psnr"] == 100.0 and values["ssim"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "does not exist"),
        ("empty", "holds no .png files"),
        ("unpaired", "do not pair up: only in"),
        ("size", "all images must have the same size"),
    ],
)
def test_bad_folders_give_one_line_and_exit_code_2(folders, tmp_path, capsys, setup, message):
    a, b = folders
    if setup == "missing":
        b = tmp_path / "nowhere"
    elif setup == "empty":
        b = tmp_path / "empty"
        b.mkdir()
    elif setup == "unpaired":
        (b / "2.png").rename(b / "9.png")
    elif setup == "size":
        _write(b, "1.png", np.zeros((16, 16, 3), np.uint8))
    code, out, err = _run(capsys, a, b)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_missing_lpips_weights_name_the_fetch_command(folders, empty_cache, capsys):
    code, _, err = _run(capsys, *folders, "--lpips")
    assert code == 2 and "semcom assets fetch" in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_fid_kid_lpips_keys_name_their_backbones(folders, capsys, require_asset):
    for name in ("fid_inception", "lpips_alexnet", "lpips_lin"):
        require_asset(name)
    code, out, _ = _run(
        capsys, *folders, "--fid", "--kid", "--lpips", "--kid-subsets", "3", "--json"
    )
    values = json.loads(out)
    assert code == 0 and values["n_images"] == 3
    assert values["fid_backbone"] == values["kid_backbone"] == "inception-v3-tf-fid"
    assert values["lpips_backbone"] == "lpips-v0.1-alexnet"
    assert values["fid"] > 0 and values["lpips"] > 0 and values["kid_subset_size"] == 3


def test_objects_adds_psnr_fg_over_object_pixels_only(tmp_path, capsys):
    # a white view with a red square; the estimate darkens the square by 10 levels and
    # blackens a background corner, which psnr_fg must not see
    ref = np.full((32, 32, 3), 255, dtype=np.uint8)
    ref[8:20, 8:20] = (200, 40, 30)
    est = ref.copy()
    est[8:20, 8:20] -= 10
    est[:4, :4] = 0
    _write(tmp_path / "a", "0.png", ref)
    _write(tmp_path / "b", "0.png", est)
    code, out, _ = _run(capsys, tmp_path / "a", tmp_path / "b", "--objects", "--json")
    values = json.loads(out)
    assert code == 0 and values["psnr_fg"] == pytest.approx(20 * np.log10(255 / 10), abs=1e-3)
    assert values["psnr"] < values["psnr_fg"] and values["delta_e"] > 0


def test_a_bad_background_is_one_line_with_the_allowed_forms(folders, capsys):
    code, _, err = _run(capsys, *folders, "--objects", "--background", "pink")
    assert code == 2 and "expected white, black or three values" in err and len(err.strip().splitlines()) == 1
