import json

import pytest
import torch

from semcom.errors import SemcomError
from semcom.models.autoencoder import AutoencoderConfig, LatentStats, MultiViewAutoencoder
from semcom.models.checkpoint import (
    load_autoencoder,
    load_score_net,
    optimizer_from_tensors,
    optimizer_to_tensors,
    save_autoencoder,
    save_score_net,
)
from semcom.models.score_net import ScoreNet, ScoreNetConfig


@pytest.fixture()
def saved_autoencoder(tmp_path):
    torch.manual_seed(0)
    ae = MultiViewAutoencoder(
        AutoencoderConfig(views=3, channels=3, image_size=32, latent_dim=8, shared=False)
    )
    stats = LatentStats(mean=torch.randn(3, 8), std=torch.rand(3, 8) + 0.5)
    path = save_autoencoder(tmp_path / "ae", ae, stats, {"note": "test"})
    return ae, stats, path


def test_autoencoder_round_trip(saved_autoencoder):
    ae, stats, path = saved_autoencoder
    assert path.suffix == ".safetensors" and path.with_suffix(".json").is_file()
    assert path.read_bytes()[8:9] == b"{", "tensors must be safetensors (JSON header), not a pickle"
    loaded, loaded_stats, meta = load_autoencoder(path, views=3, channels=3, image_size=32)
    x = torch.rand(2, 3, 3, 32, 32)
    assert torch.equal(loaded.encode(x), ae.eval().encode(x))
    assert torch.equal(loaded_stats.mean, stats.mean) and torch.equal(loaded_stats.std, stats.std)
    assert meta == {"note": "test"} and not loaded.config.shared


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"views": 4}, "trained for views 3, the data has views 4"),
        ({"image_size": 64}, "trained for image size 32, the data has image size 64"),
        ({"channels": 1, "views": 2}, "views 3, channels 3"),
    ],
)
def test_checkpoint_that_does_not_fit_the_dataset(saved_autoencoder, kwargs, message):
    _, _, path = saved_autoencoder
    with pytest.raises(SemcomError, match=message):
        load_autoencoder(path, dataset="mvshapes", **kwargs)


def test_broken_checkpoints_give_one_line_errors(saved_autoencoder, tmp_path):
    _, _, path = saved_autoencoder
    with pytest.raises(SemcomError, match="not found"):
        load_autoencoder(tmp_path / "missing")
    with pytest.raises(SemcomError, match="holds a 'autoencoder', not a 'score_net'"):
        load_score_net(path)
    header = json.loads(path.with_suffix(".json").read_text())
    header["config"]["colour"] = "red"
    path.with_suffix(".json").write_text(json.dumps(header))
    with pytest.raises(SemcomError, match="unknown key"):
        load_autoencoder(path)


def test_score_net_round_trip_and_dimension_check(tmp_path):
    torch.manual_seed(0)
    net = ScoreNet(ScoreNetConfig(views=2, latent_dim=4, width=32, levels=2, time_dim=16))
    torch.nn.init.normal_(net.out.weight)
    path = save_score_net(tmp_path / "net", net, {"steps": 3})
    loaded, meta = load_score_net(path, views=2, latent_dim=4)
    z, tau = torch.randn(3, 2, 4), torch.rand(3, 2)
    assert torch.equal(loaded(z, tau), net.eval()(z, tau)) and meta == {"steps": 3}
    with pytest.raises(SemcomError, match="latent_dim 4, but the autoencoder gives latent_dim 8"):
        load_score_net(path, latent_dim=8)


def test_optimizer_state_round_trip():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(3):
        opt.zero_grad()
        model(torch.randn(4, 3)).pow(2).sum().backward()
        opt.step()
    tensors, data = optimizer_to_tensors(opt)
    fresh = torch.optim.Adam(model.parameters(), lr=1.0)
    optimizer_from_tensors(fresh, tensors, json.loads(json.dumps(data)))
    a, b = opt.state_dict(), fresh.state_dict()
    assert a["param_groups"] == b["param_groups"]
    for idx in a["state"]:
        for key in a["state"][idx]:
            assert torch.equal(
                torch.as_tensor(a["state"][idx][key]), torch.as_tensor(b["state"][idx][key])
            )


def test_half_precision_export_halves_the_file_and_loads_as_float32(saved_autoencoder, tmp_path):
    from semcom.models.checkpoint import export_checkpoint, load_checkpoint

    ae, stats, path = saved_autoencoder
    half = export_checkpoint(path.with_suffix(""), tmp_path / "half" / "ae", half=True)
    assert half.stat().st_size < 0.55 * path.stat().st_size
    tensors, header = load_checkpoint(half)
    assert header["meta"]["stored_dtype"] == "float16" and header["meta"]["note"] == "test"
    assert all(v.dtype != torch.float16 for v in tensors.values())
    loaded, loaded_stats, _ = load_autoencoder(half, views=3, channels=3, image_size=32)
    assert torch.equal(loaded_stats.mean, stats.mean)  # statistics stay float32, exactly
    for name, weight in ae.state_dict().items():  # weights rounded to float16: 2^-11 relative
        got = loaded.state_dict()[name]
        assert got.dtype == weight.dtype
        assert torch.allclose(got, weight, rtol=2.0**-11, atol=1e-7)
    x = torch.rand(2, 3, 3, 32, 32)
    assert torch.allclose(loaded.encode(x), ae.eval().encode(x), atol=1e-2)


def test_export_refuses_weights_that_overflow_float16(tmp_path):
    from semcom.models.checkpoint import export_checkpoint, save_checkpoint

    save_checkpoint(tmp_path / "big", "autoencoder", {"model.w": torch.tensor([1e6])}, {})
    with pytest.raises(SemcomError, match="overflows float16"):
        export_checkpoint(tmp_path / "big", tmp_path / "out", half=True)
