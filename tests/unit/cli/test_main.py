"""The command line: help, and user mistakes as one line with exit code 2."""

import subprocess
import sys

import pytest

from semcom.cli import main


def run(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def test_help_lists_the_commands(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "assets" in out and "data" in out


@pytest.mark.parametrize(
    "argv, expected",
    [
        (
            ["data", "preview", "cifar", "--out", "x.png"],
            "unknown dataset 'cifar'; allowed: mvshapes, polymnist, nmr",
        ),
        (
            ["data", "preview", "mvshapes", "--split", "dev", "--out", "x.png"],
            "unknown split 'dev'; allowed: train, val, test",
        ),
        (["data", "preview", "mvshapes", "--size", "100", "--out", "x.png"], "allowed: 32, 64"),
        (["data", "build", "mvshapes", "--split", "everything"], "allowed: train, val, test, all"),
        (["data", "preview", "mvshapes"], "Missing option '--out'"),
        (["nonsense"], "No such command 'nonsense'"),
        (
            ["evaluate", "--dataset", "polymnist", "--score-net", "missing.safetensors"],
            "checkpoint file missing.safetensors not found",
        ),
        (
            ["evaluate", "--imputer", "mvld,smvae,mvae", "--vae-checkpoint", "x"],
            "--vae-checkpoint needs exactly one VAE (smvae, mopoe or mvae) in --imputer, got smvae, mvae",
        ),
        (
            ["evaluate", "--imputer", "mvld,mvae", "--vae-checkpoint", "missing"],
            "checkpoint file missing.safetensors not found",
        ),
    ],
)
def test_user_mistakes_are_one_line_exit_2(argv, expected, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], err
    assert "Traceback" not in err


def test_console_entry_point_runs_as_module():
    proc = subprocess.run(
        [sys.executable, "-m", "semcom", "data", "preview", "nope", "--out", "x.png"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "make, out, expected",
    [
        (None, "table.txt", "table.txt: unsupported file type '.txt'; allowed: .csv"),
        ("dir", "table.csv", "table.csv is a folder; give a file name"),
        ("garbage", "table.csv", "exists but is not an imputation table (no 'method' column)"),
    ],
)
def test_evaluate_checks_its_output_before_computing(tmp_path, monkeypatch, capsys, make, out, expected):
    """A bad --out is a one-line error before any model is loaded (a missing score net would
    otherwise be the error), and an existing file is left as it was."""
    monkeypatch.chdir(tmp_path)
    if make == "dir":
        (tmp_path / out).mkdir()
    elif make == "garbage":
        (tmp_path / out).write_bytes(b"\x00\x01 not a table")
    code, _, err = run(["evaluate", "--score-net", "missing.safetensors", "--out", out], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and expected in err, err
    if make == "garbage":
        assert (tmp_path / out).read_bytes() == b"\x00\x01 not a table"
