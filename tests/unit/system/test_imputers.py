"""load_imputer for the peer VAEs: folder layout, one-line errors, view-space wrapper."""

import pytest
import torch

from semcom.errors import SemcomError
from semcom.models.peers import build_model, save_peer
from semcom.models.peers.link import ViewSpaceImputer
from semcom.system.imputers import load_imputer, peer_folder


def test_missing_peer_model_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMCOM_MODELS", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no runs/ folder either
    with pytest.raises(SemcomError, match="no trained smvae model for mvshapes at 32px"):
        load_imputer("smvae", "mvshapes", size=32)
    with pytest.raises(SemcomError, match="allowed: mvld, smvae, mopoe, mvae"):
        load_imputer("mmvae", "mvshapes")


def test_loads_a_peer_model_from_the_models_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMCOM_MODELS", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    torch.manual_seed(0)
    cfg = {"views": 4, "channels": 3, "image_size": 32, "widths": [4, 8], "latent_dim": 4}
    save_peer(peer_folder("mopoe", "mvshapes", 32) / "mopoe", build_model("mopoe", cfg))
    imputer = load_imputer("mopoe", "mvshapes", size=32)
    assert isinstance(imputer, ViewSpaceImputer) and imputer.num_views == 4
    x = torch.rand(2, 4, 3, 32, 32)
    observed = torch.tensor([[True, False, False, False]] * 2)
    out = imputer.impute(x, observed, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and torch.equal(out[:, 0], x[:, 0])
    with pytest.raises(SemcomError, match="no trained mvld model"):
        imputer.encode(x)  # the semantic link needs the MVLD autoencoder


def test_a_model_in_the_training_runs_folder_is_found_when_none_is_bundled(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMCOM_MODELS", str(tmp_path / "models"))
    monkeypatch.chdir(tmp_path)
    cfg = {"views": 4, "channels": 3, "image_size": 32, "widths": [4, 8], "latent_dim": 4}
    save_peer(tmp_path / "runs" / "mvshapes" / "mvae" / "mvae", build_model("mvae", cfg))
    assert load_imputer("mvae", "mvshapes", size=32).num_views == 4
    with pytest.raises(SemcomError, match="trained for image size 32, the data has 64"):
        load_imputer("mvae", "mvshapes", size=64)  # no silent fallback to another size


def test_a_given_peer_checkpoint_is_loaded_in_place_of_the_default(tmp_path, capsys):
    """peer_path wins over the bundled model; semcom peers table --checkpoint passes it."""
    from semcom.cli import main

    cfg = {"views": 4, "channels": 3, "image_size": 32, "widths": [4, 8], "latent_dim": 7}
    torch.manual_seed(0)
    model = build_model("mvae", cfg)
    save_peer(tmp_path / "elsewhere" / "mvae", model)
    imputer = load_imputer("mvae", "mvshapes", size=32, peer_path=tmp_path / "elsewhere" / "mvae")
    loaded = imputer.imputer.model
    assert loaded.config.latent_dim == 7  # not the bundled mvshapes MVAE (latent 64)
    assert all(torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), model.state_dict().values(), strict=True))
    with pytest.raises(SemcomError, match="a VAE checkpoint was given for mvld"):
        load_imputer("mvld", "mvshapes", peer_path=tmp_path / "elsewhere" / "mvae")
    with pytest.raises(SystemExit) as exit_info:
        main(["peers", "table", "--checkpoint", str(tmp_path / "x")])  # three VAEs by default
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "--checkpoint needs exactly one VAE in --imputer" in err


def test_the_bundled_half_precision_polymnist_model_loads_as_float32():
    from semcom.system.imputers import mvld_folder

    if not (mvld_folder("polymnist", 28) / "score_net.json").is_file():
        pytest.skip("no bundled polymnist model")
    imputer = load_imputer("mvld", "polymnist", steps=2)
    params = list(imputer.score_net.parameters()) + list(imputer.autoencoder.parameters())
    assert {p.dtype for p in params} == {torch.float32}
    views = torch.rand(2, 5, 3, 28, 28)
    observed = torch.tensor([[True, False, False, False, False]] * 2)
    out = imputer.impute(views, observed, torch.Generator().manual_seed(0))
    assert out.shape == views.shape and torch.isfinite(out).all()


def test_a_guidance_interval_for_a_vae_is_a_one_line_error():
    with pytest.raises(SemcomError, match="guidance_max_t is an option of mvld's sampler; mopoe has none"):
        load_imputer("mopoe", "mvshapes", guidance_max_t=0.5)


def test_the_guidance_interval_reaches_the_mvld_sampler():
    imputer = load_imputer("mvld", "mvshapes", steps=3, guidance=1.0, guidance_max_t=0.5)
    assert imputer.guidance_max_t == 0.5
    views = torch.rand(2, 4, 3, 32, 32)
    observed = torch.tensor([[True, False, False, False]] * 2)
    imputer.impute(views, observed, torch.Generator().manual_seed(0))
    # 4 calls at the times of a 3-step schedule, those at t <= 0.5 guided
    from semcom.diffusion.samplers import expected_nfe

    want = expected_nfe("dpmpp_2m_sde", 3, 1.0, guidance_max_t=0.5, schedule=imputer.schedule)
    assert imputer.last_nfe == want and 4 < want < 8
