"""Option types refuse a bad value at parse time, naming the option and what is allowed."""

import click
import pytest
from click.testing import CliRunner

from semcom.cli.types import COUNT, SEED, FiniteFloat, OutputFile, OutputFolder


@click.command()
@click.option("--out", type=OutputFile(".csv", ".png"))
@click.option("--folder", type=OutputFolder())
@click.option("--weight", type=FiniteFloat(0.0, 20.0))
@click.option("--n", type=COUNT)
@click.option("--seed", type=SEED)
def command(out, folder, weight, n, seed):
    click.echo(f"ok {out} {folder} {weight} {n} {seed}")


@pytest.mark.parametrize("args, message", [
    (["--out", "table.txt"], "unsupported file type '.txt'; allowed: .csv, .png"),
    (["--out", "noext"], "unsupported file type '(none)'"),
    (["--out", "{tmp}/folder.csv"], "is a folder; give a file name"),
    (["--out", "{tmp}/a_file.csv/x.csv"], "not a writable folder"),
    (["--folder", "{tmp}/a_file.csv"], "is a file; give a folder"),
    (["--weight", "nan"], "allowed: a finite number in [0.0, 20.0]"),
    (["--weight", "21"], "allowed: a finite number in [0.0, 20.0]"),
    (["--weight", "heavy"], "'heavy' is not a number"),
    (["--n", "0"], "0 is not in the range x>=1"),
    (["--seed", "-1"], "-1 is not in the range"),
])
def test_bad_values_are_refused_before_the_command_runs(tmp_path, args, message):
    (tmp_path / "a_file.csv").write_text("x")
    (tmp_path / "folder.csv").mkdir()
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 2 and "ok" not in result.output
    assert message in result.output


def test_good_values_pass_through(tmp_path):
    args = ["--out", str(tmp_path / "new" / "t.CSV"), "--folder", str(tmp_path / "runs"), "--weight", "2",
            "--n", "3", "--seed", "7"]
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 0 and result.output.startswith("ok ") and " 2.0 3 7" in result.output
    assert not (tmp_path / "new").exists()  # checking makes nothing
