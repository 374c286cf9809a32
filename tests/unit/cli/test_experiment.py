"""`semcom experiment dimvida` end to end on a tiny config with a tiny random imputer."""

import pandas as pd
import pytest

from semcom.cli import main
from semcom.models.checkpoint import save_autoencoder, save_score_net
from tests.unit.experiments.conftest import make_tiny_imputer

TINY = """
dataset = "mvshapes"
pool_objects = 12
n_train = 8
n_test = 4
steps = 2
generation_batch = 5
architectures = ["resnet18_s2", "mobilenetv3_small"]
seeds = [0, 1, 2]
epochs = 1
batch_size = 16
workers = {workers}
output_dir = "{out}"
"""


@pytest.fixture
def tiny_models(tmp_path, monkeypatch):
    """A $SEMCOM_MODELS folder holding a tiny random MVLD model for mvshapes at 32px."""
    imputer = make_tiny_imputer()
    folder = tmp_path / "models" / "mvld" / "mvshapes-32px"
    save_autoencoder(folder / "autoencoder", imputer.autoencoder, imputer.stats)
    save_score_net(folder / "score_net", imputer.score_net)
    monkeypatch.setenv("SEMCOM_MODELS", str(tmp_path / "models"))


def run(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


@pytest.mark.parametrize("workers", [1, 2])
def test_command_writes_the_table_and_figure(isolated_cache, tiny_models, tmp_path, capsys, workers):
    out = tmp_path / "results"
    config = tmp_path / "tiny.toml"
    config.write_text(TINY.format(out=out, workers=workers))
    code, stdout, stderr = run(["experiment", "dimvida", "--config", str(config)], capsys)
    assert code == 0, stderr
    table = pd.read_csv(out / "table.csv")
    assert list(table.columns) == ["architecture", "train_set", "test_protocol", "mean_accuracy", "std_accuracy",
                                   "seeds", "n_train", "n_test"]
    assert len(table) == 8 and (table["seeds"] == 3).all() and (table["n_test"] == 4).all()
    assert sorted(set(table["n_train"])) == [8, 32]  # 8 real views; 8 objects x 4 views
    assert table["mean_accuracy"].between(0, 1).all() and (table["std_accuracy"] >= 0).all()
    runs = pd.read_csv(out / "runs.csv")
    mean = runs.groupby(["architecture", "train_set", "test_protocol"])["accuracy"].mean()
    for row in table.itertuples():
        assert mean[(row.architecture, row.train_set, row.test_protocol)] == pytest.approx(row.mean_accuracy, abs=1e-4)
    assert (out / "dimvida.png").stat().st_size > 0 and (out / "run.json").is_file()
    assert "mean_acc_%" in stdout and str(out / "table.csv") in stdout
    assert len(list((isolated_cache / "dimvida").glob("*.safetensors"))) == 2  # train and test parts


def test_missing_model_is_a_one_line_error(isolated_cache, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SEMCOM_MODELS", str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)  # nor a training run in ./runs
    config = tmp_path / "tiny.toml"
    config.write_text(TINY.format(out=tmp_path / "r", workers=1))
    code, _, stderr = run(["experiment", "dimvida", "--config", str(config)], capsys)
    assert code == 2 and "no trained mvld model" in stderr and len(stderr.strip().splitlines()) == 1


def test_bad_config_is_a_one_line_error(tmp_path, capsys):
    config = tmp_path / "bad.toml"
    config.write_text('average = "median"\n')
    code, _, stderr = run(["experiment", "dimvida", "--config", str(config)], capsys)
    assert code == 2 and "allowed: probs, logits" in stderr
