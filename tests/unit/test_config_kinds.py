"""Every file in experiments/ says its kind, lives in its kind's folder and loads with its command."""

import tomllib

import pytest

from semcom.config_kinds import KINDS
from semcom.errors import SemcomError
from tests.conftest import EXPERIMENTS_DIR


def _load(kind, path):
    from semcom.models.train_config import load_toml_config

    if kind == "sweep":
        from semcom.sweep.config import load_experiment

        return load_experiment(path)
    if kind == "dimvida":
        from semcom.experiments.dimvida import load_config

        return load_config(path)
    if kind == "peer":
        from semcom.models.peers.train import PeerTrainConfig as cls
    elif kind == "autoencoder":
        from semcom.models.train_autoencoder import AutoencoderTrainConfig as cls
    elif kind == "jscc":
        from semcom.models.train_jscc import JSCCTrainConfig as cls
    else:
        from semcom.models.train_diffusion import DiffusionTrainConfig as cls
    return load_toml_config(cls, path)


FILES = sorted(EXPERIMENTS_DIR.rglob("*.toml"))


def test_there_are_files_of_every_kind():
    kinds = {tomllib.loads(p.read_text()).get("kind") for p in FILES}
    assert kinds == set(KINDS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(EXPERIMENTS_DIR)))
def test_each_file_is_in_its_kinds_folder_and_loads(path):
    kind = tomllib.loads(path.read_text())["kind"]
    assert path.parent.name == KINDS[kind][0]
    _load(kind, path)


def test_a_file_of_another_kind_names_the_command_that_takes_it(tmp_path):
    training = EXPERIMENTS_DIR / "training" / "mvld_mvshapes_diffusion.toml"
    with pytest.raises(SemcomError, match="kind = 'diffusion' is a file for `semcom train diffusion`; "
                                          "this command takes kind = 'sweep'"):
        _load("sweep", training)
    with pytest.raises(SemcomError, match="this command takes kind = 'autoencoder'"):
        _load("autoencoder", training)
    odd = tmp_path / "odd.toml"
    odd.write_text('kind = "recipe"\n')
    with pytest.raises(SemcomError, match="unknown kind 'recipe'; allowed: sweep, autoencoder"):
        _load("peer", odd)
