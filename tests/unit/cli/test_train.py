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
