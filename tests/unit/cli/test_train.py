"""The ``train`` command group: user mistakes surface as SemcomError before any work starts."""

import click
import pytest

from semcom.cli.train import train
from semcom.errors import SemcomError


def _run(args):
    return train.main(args, prog_name="semcom train", standalone_mode=False)


def test_diffusion_without_autoencoder_is_a_user_error():
    with pytest.raises(SemcomError, match="no autoencoder checkpoint: pass --autoencoder"):
        _run(["diffusion", "--dataset", "mvshapes", "--steps", "1"])


def test_bad_config_file_is_a_user_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("latent = 3\n")
    with pytest.raises(SemcomError, match="unknown key\\(s\\) latent"):
        _run(["autoencoder", "--config", str(bad)])
    with pytest.raises(click.BadParameter, match="0 is not in the range x>=1"):
        _run(["autoencoder", "--steps", "0"])  # refused by the option type


def test_unknown_dataset_is_a_user_error(tmp_path):
    with pytest.raises(SemcomError, match="unknown dataset 'cifar'"):
        _run(["autoencoder", "--dataset", "cifar", "--out", str(tmp_path)])


def test_curves_writes_the_plot_and_the_chained_table(tmp_path):
    import pandas as pd

    log = tmp_path / "train_log.csv"
    pd.DataFrame({"step": [100, 200], "elapsed_s": [36.0, 72.0], "val_loss_ema": [0.3, 0.2]}).to_csv(log, index=False)
    out = tmp_path / "curves.png"
    _run(["curves", "--model", f"run={log},{log}", "--metric", "val_loss_ema", "--out", str(out)])
    table = pd.read_csv(out.with_suffix(".csv"))
    assert out.stat().st_size > 0
    assert table["step"].tolist() == [100, 200, 300, 400] and table["hours"].tolist() == [0.01, 0.02, 0.03, 0.04]
    with pytest.raises(SemcomError, match="expected LABEL=LOG"):
        _run(["curves", "--model", str(log), "--out", str(out)])
