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
    from semcom.models.checkpoint import load_checkpoint
    from semcom.models.export import export_checkpoint

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
    from semcom.models.export import export_checkpoint

    net = ScoreNet(ScoreNetConfig(views=2, latent_dim=4, width=32, levels=2, time_dim=16))
    with torch.no_grad():
        net.out.weight[0, 0] = 1e6
    save_score_net(tmp_path / "big", net)
    with pytest.raises(SemcomError, match="overflows float16"):
        export_checkpoint(tmp_path / "big", tmp_path / "out", half=True)
    assert not (tmp_path / "out.safetensors").exists()


# -- damaged files: one line naming the file and the problem, never a safetensors traceback -------
def _torch_save_bytes():
    import io

    buffer = io.BytesIO()
    torch.save({"model.w": torch.ones(2)}, buffer)
    return buffer.getvalue()


def _damage(path, how):
    """Replace the tensors file of checkpoint ``path`` by a damaged version."""
    import pickle

    data = path.read_bytes()
    damaged = {
        "truncated": lambda: data[: len(data) // 2],
        "header cut": lambda: data[:20],
        "tiny": lambda: data[:5],
        "empty": lambda: b"",
        "random": lambda: bytes(torch.randint(0, 256, (4096,), generator=torch.Generator().manual_seed(1),
                                              dtype=torch.uint8).tolist()),
        "pickle": lambda: pickle.dumps({"model.w": [1.0, 2.0]}),
        "torch.save": _torch_save_bytes,
        "trailing": lambda: data + b"\0" * 16,
    }[how]()
    path.write_bytes(damaged)


@pytest.mark.parametrize(
    "how, message",
    [
        ("truncated", "is truncated: its tensors need"),
        ("header cut", "is truncated: its header needs"),
        ("tiny", "is too short for a safetensors file (5 bytes"),
        ("empty", "is empty"),
        ("random", "is not a safetensors file"),
        ("pickle", "is a pickle, not a safetensors file (semcom never unpickles"),
        ("torch.save", "is a zip archive (torch.save?), not a safetensors file"),
        ("trailing", "is damaged: its tensors cover"),
    ],
)
def test_damaged_tensor_files_are_named_with_their_problem(saved_autoencoder, monkeypatch, how, message):
    import pickle

    _, _, path = saved_autoencoder
    _damage(path, how)
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    with pytest.raises(SemcomError) as err:
        load_autoencoder(path, views=3, channels=3, image_size=32)
    text = str(err.value)
    assert f"checkpoint file {path} {message}" in text and "\n" not in text


def test_damaged_or_odd_json_headers(saved_autoencoder):
    _, _, path = saved_autoencoder
    json_file = path.with_suffix(".json")
    for content, message in [
        (b"\xff\xfe garbage", "is not valid JSON (not UTF-8 text)"),
        (b"[1, 2]", "is not a JSON object"),
        (b'{"format": 1, "kind": "autoencoder", "config": [1]}', "'config' must be an object"),
        (b'{"format": 1, "config": {}}', "'kind' must be a string"),
    ]:
        json_file.write_bytes(content)
        with pytest.raises(SemcomError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load_autoencoder(path)
    path.with_suffix(".json").unlink()
    with pytest.raises(SemcomError, match=r"checkpoint file .*ae\.json not found"):
        load_autoencoder(path)


def test_missing_config_keys_are_named(saved_autoencoder):
    _, _, path = saved_autoencoder
    header = json.loads(path.with_suffix(".json").read_text())
    del header["config"]["views"]
    path.with_suffix(".json").write_text(json.dumps(header))
    with pytest.raises(SemcomError, match="missing key\\(s\\) views"):
        load_autoencoder(path)


def _resave(path, change):
    from safetensors.torch import load_file, save_file

    tensors = load_file(str(path))
    change(tensors)
    save_file(tensors, str(path))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.pop(next(k for k in t if k.startswith("model."))), "missing tensors model."),
        (lambda t: t.update({"model.extra": torch.zeros(1)}), "unexpected tensors model.extra"),
        (lambda t: t.update({"junk": torch.zeros(1)}), "unexpected tensors junk"),
        (lambda t: t.update({"stats.mean": torch.zeros(3, 9)}), "stats.mean has shape [3, 9], expected [3, 8]"),
        (lambda t: t.pop("stats.std"), "missing tensors stats.std"),
    ],
)
def test_wrong_or_missing_tensors_are_named(saved_autoencoder, change, message):
    _, _, path = saved_autoencoder
    _resave(path, change)
    with pytest.raises(SemcomError) as err:
        load_autoencoder(path)
    assert f"checkpoint {path} does not match its config" in str(err.value)
    assert message in str(err.value)


def test_a_wrong_shape_is_named_with_both_shapes(saved_autoencoder):
    _, _, path = saved_autoencoder

    def widen(tensors):
        name = next(k for k, v in tensors.items() if k.startswith("model.") and v.ndim == 4)
        tensors[name] = torch.zeros(*tensors[name].shape[:-1], tensors[name].shape[-1] + 1)
        widen.name, widen.shape = name, list(tensors[name].shape)

    _resave(path, widen)
    with pytest.raises(SemcomError, match=f"{widen.name} has shape \\{widen.shape}\\, expected"):
        load_autoencoder(path)


def test_peer_and_score_net_loaders_validate_too(tmp_path):
    from semcom.models.peers import build_model, load_peer, save_peer

    vae = build_model("mvae", {"views": 2, "channels": 1, "image_size": 28, "latent_dim": 4})
    path = save_peer(tmp_path / "mvae", vae)
    assert load_peer(path, "mvae")[0] is not None
    _damage(path, "truncated")
    with pytest.raises(SemcomError, match=f"checkpoint file {path} is truncated"):
        load_peer(path, "mvae")
    net = ScoreNet(ScoreNetConfig(views=2, latent_dim=4, width=32, levels=2, time_dim=16))
    path = save_score_net(tmp_path / "net", net)
    _resave(path, lambda t: t.pop(next(iter(t))))
    with pytest.raises(SemcomError, match="does not match its config: missing tensors model."):
        load_score_net(path)


def test_export_checks_its_source_before_writing(saved_autoencoder, tmp_path):
    from semcom.models.checkpoint import save_checkpoint
    from semcom.models.export import export_checkpoint

    _, _, path = saved_autoencoder
    _damage(path, "pickle")
    with pytest.raises(SemcomError, match="is a pickle"):
        export_checkpoint(path, tmp_path / "out")
    save_checkpoint(tmp_path / "state", "train_state", {"rng": torch.zeros(3, dtype=torch.uint8)}, {})
    with pytest.raises(SemcomError, match="holds a 'train_state', not a model; allowed: autoencoder, score_net"):
        export_checkpoint(tmp_path / "state", tmp_path / "out")
    assert not list(tmp_path.glob("out*"))
