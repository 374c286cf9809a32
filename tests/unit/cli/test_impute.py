import pytest
import torch

from semcom.cli.impute import parse_observed, save_impute_grid
from semcom.errors import SemcomError

NAMES = ("front", "right", "back", "left")


def test_parse_observed_accepts_indices_and_names():
    assert parse_observed("2,0", NAMES) == [0, 2]
    assert parse_observed("front, left", NAMES) == [0, 3]


@pytest.mark.parametrize(
    "text,message",
    [
        ("4", "unknown view '4'"),
        ("top", "allowed: 0=front"),
        ("", "at least one"),
        ("0,1,2,3", "at most 3"),
    ],
)
def test_parse_observed_rejects_bad_choices(text, message):
    with pytest.raises(SemcomError, match=message):
        parse_observed(text, NAMES)


def test_grid_is_written(tmp_path):
    true = torch.rand(2, 4, 3, 8, 8)
    path = save_impute_grid(true, true, [0, 2], NAMES, ["a", "b"], tmp_path / "g.png")
    assert path.is_file() and path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("argv, expected", [
    (["--out", "grid.txt"], "grid.txt: unsupported file type '.txt'; allowed: .png, .pdf, .svg, .jpg"),
    (["--n", "0", "--out", "grid.png"], "Invalid value for '--n'"),
    (["--guidance-max-t", "1.5", "--out", "grid.png"], "Invalid value for '--guidance-max-t'"),
])
def test_bad_output_or_count_is_one_line_before_any_work(argv, expected, capsys):
    from semcom.cli import main

    with pytest.raises(SystemExit) as info:
        main(["impute", "--observed", "0", *argv])
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.strip().splitlines()) == 1 and expected in err, err
