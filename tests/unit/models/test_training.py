"""Training loops: they learn, log, checkpoint, and resume to the very same weights."""

import csv

import pytest
import torch

from semcom.errors import SemcomError
from semcom.models.checkpoint import load_autoencoder, load_score_net, save_checkpoint
from semcom.models.imputer import MVLDImputer
from semcom.models.train_autoencoder import (
    AutoencoderTrainConfig,
    object_weights,
    train_autoencoder,
)
from semcom.models.train_config import RunConfig, learning_rate, load_toml_config
from semcom.models.train_diffusion import DiffusionTrainConfig, train_diffusion
from semcom.models.training import training_stages
from tests.conftest import EXPERIMENTS_DIR


def _toy_images(n, seed):
    """Two views of blobs whose brightness is shared across views (a learnable correlation)."""
    g = torch.Generator().manual_seed(seed)
    level = torch.rand(n, 1, 1, 1, 1, generator=g)
    base = torch.linspace(0, 1, 8).reshape(1, 1, 1, 1, 8)
    views = torch.cat([level * base, level * base.flip(-1)], dim=1).expand(n, 2, 1, 8, 8)
    return (views * 255).round().to(torch.uint8).contiguous()


AE_SMALL = dict(latent_dim=4, widths=(4, 8), groups=4, batch_size=16, lr=1e-2, val_every=20, n_val=16)


def test_autoencoder_learns_and_resumes_identically(tmp_path):
    train, val = _toy_images(64, 0), _toy_images(16, 1)
    straight = AutoencoderTrainConfig(steps=80, checkpoint_every=40, **AE_SMALL)
    path = train_autoencoder(straight, train, val, tmp_path / "a", progress=False)
    rows = list(csv.DictReader((tmp_path / "a" / "train_log.csv").open()))
    assert [int(r["step"]) for r in rows] == [20, 40, 60, 80]
    assert float(rows[-1]["val_l1"]) < 0.5 * float(rows[0]["val_l1"])  # measured 0.04 vs 0.22

    first = AutoencoderTrainConfig(steps=40, checkpoint_every=40, **AE_SMALL)
    train_autoencoder(first, train, val, tmp_path / "b", progress=False)
    resumed = train_autoencoder(straight, train, val, tmp_path / "b", progress=False)
    a, stats_a, meta = load_autoencoder(path)
    b, stats_b, _ = load_autoencoder(resumed)
    for (name, pa), (_, pb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert torch.equal(pa, pb), name
    assert torch.equal(stats_a.mean, stats_b.mean) and meta["steps"] == 80

    changed = AutoencoderTrainConfig(steps=100, checkpoint_every=20, **{**AE_SMALL, "lr": 1e-3})
    with pytest.raises(SemcomError, match="different config \\(lr changed\\)"):
        train_autoencoder(changed, train, val, tmp_path / "b", progress=False)


def test_decoder_finetuning_keeps_the_encoder_and_the_latent_statistics(tmp_path):
    """train_part = 'decoder': the latents a score net was trained on do not move; the decoder
    reconstructs better."""
    train, val = _toy_images(64, 0), _toy_images(16, 1)
    first = train_autoencoder(AutoencoderTrainConfig(steps=20, **AE_SMALL), train, val, tmp_path / "a",
                              progress=False)
    tuned_config = AutoencoderTrainConfig(steps=60, init_from=str(first), train_part="decoder", **AE_SMALL)
    tuned = train_autoencoder(tuned_config, train, val, tmp_path / "b", progress=False)
    a, stats_a, _ = load_autoencoder(first)
    b, stats_b, _ = load_autoencoder(tuned)
    for name, value in a.state_dict().items():
        same = torch.equal(value, b.state_dict()[name])
        assert same == (".encoder." in name), name
    assert torch.equal(stats_a.mean, stats_b.mean) and torch.equal(stats_a.std, stats_b.std)
    x = val.float() / 255
    with torch.no_grad():
        assert float((b(x) - x).abs().mean()) < float((a(x) - x).abs().mean())
    with pytest.raises(SemcomError, match="train_part = 'decoder' needs init_from"):
        AutoencoderTrainConfig(train_part="decoder")
    with pytest.raises(SemcomError, match="allowed: a checkpoint of the same design"):
        wider = AutoencoderTrainConfig(steps=5, init_from=str(first), **{**AE_SMALL, "widths": (8, 8)})
        train_autoencoder(wider, train, val, tmp_path / "c", progress=False)


def test_bfloat16_autocast_trains_the_same_design_to_a_similar_loss(tmp_path):
    train, val = _toy_images(64, 0), _toy_images(16, 1)
    logs = {}
    for precision in ("float32", "bfloat16"):
        config = AutoencoderTrainConfig(steps=80, checkpoint_every=80, precision=precision, **AE_SMALL)
        path = train_autoencoder(config, train, val, tmp_path / precision, progress=False)
        logs[precision] = [float(r["val_l1"]) for r in csv.DictReader((tmp_path / precision / "train_log.csv").open())]
        ae, _, _ = load_autoencoder(path)
        assert all(p.dtype == torch.float32 for p in ae.parameters())  # weights stay float32
    assert logs["bfloat16"][-1] < 0.5 * logs["bfloat16"][0]
    # toy run, 80 steps: measured 0.046 (bfloat16) against 0.036 (float32)
    assert logs["bfloat16"][-1] == pytest.approx(logs["float32"][-1], rel=0.5)
    with pytest.raises(SemcomError, match="unknown AutoencoderTrainConfig: precision 'fp8'; allowed: float32, bfloat16"):
        AutoencoderTrainConfig(precision="fp8")


def test_object_weights_are_the_weight_on_object_pixels_and_one_elsewhere():
    x = torch.ones(1, 1, 3, 4, 4)
    x[0, 0, :, 1, 2] = 0.3
    w = object_weights(x, (1.0, 1.0, 1.0), 5.0)
    assert w.shape == (1, 1, 1, 4, 4) and w[0, 0, 0, 1, 2] == 5.0 and w.sum() == 15 + 5


def test_colour_terms_need_what_they_name(tmp_path):
    train, val = _toy_images(16, 0), _toy_images(4, 1)
    config = AutoencoderTrainConfig(steps=2, object_weight=3.0, **AE_SMALL)
    with pytest.raises(SemcomError, match="needs a dataset with a uniform background"):
        train_autoencoder(config, train, val, tmp_path / "x", progress=False)
    with pytest.raises(SemcomError, match="lab_weight must be >= 0"):
        AutoencoderTrainConfig(lab_weight=-1.0)
    with pytest.raises(SemcomError, match="unknown AutoencoderTrainConfig: loss 'huber'; allowed: l1, mse"):
        AutoencoderTrainConfig(loss="huber")
    lab = AutoencoderTrainConfig(steps=20, checkpoint_every=20, lab_weight=1.0, object_weight=2.0, **AE_SMALL)
    train_autoencoder(lab, train, val, tmp_path / "lab", progress=False, background=(0.0,))
    rows = list(csv.DictReader((tmp_path / "lab" / "train_log.csv").open()))
    assert float(rows[-1]["train_loss"]) < float(rows[0]["train_loss"]) or len(rows) == 1
    assert "val_delta_e" in rows[-1]


@pytest.mark.parametrize("design", [{}, {"arch": "view_tokens", "depth": 1, "heads": 2}],
                         ids=["mlp_unet", "view_tokens"])
def test_diffusion_training_runs_and_feeds_the_imputer(tmp_path, design):
    train, val = _toy_images(64, 0), _toy_images(16, 1)
    ae_path = train_autoencoder(
        AutoencoderTrainConfig(steps=40, checkpoint_every=40, **AE_SMALL),
        train,
        val,
        tmp_path / "ae",
        progress=False,
    )
    ae, stats, _ = load_autoencoder(ae_path)
    config = DiffusionTrainConfig(
        autoencoder=str(ae_path),
        width=32,
        levels=2,
        time_dim=16,
        batch_size=32,
        lr=1e-3,
        steps=30,
        val_every=10,
        checkpoint_every=30,
        n_val=16,
        ema_decay=0.9,
        **design,
    )
    net_path = train_diffusion(config, ae, stats, train, val, tmp_path / "diff", progress=False)
    rows = list(csv.DictReader((tmp_path / "diff" / "train_log.csv").open()))
    assert float(rows[-1]["val_loss"]) < float(rows[0]["val_loss"])
    net, meta = load_score_net(net_path, views=2, latent_dim=4)
    assert meta["weights"] == "ema" and meta["autoencoder"] == str(ae_path)
    assert net.config.arch == design.get("arch", "mlp_unet")
    imputer = MVLDImputer(ae, net, stats, steps=4)
    views = val[:4].float() / 255
    observed = torch.tensor([[True, False]] * 4)
    out = imputer.impute(views, observed, torch.Generator().manual_seed(0))
    assert torch.equal(out[:, 0], views[:, 0]) and torch.isfinite(out).all()


def test_a_score_net_can_start_from_a_trained_one_of_the_same_design(tmp_path):
    """init_from: network and EMA begin at the checkpoint's weights (a vanishing learning rate
    leaves them there, so the first validation loss is the checkpoint's); a design that differs
    is named in one line."""
    train, val = _toy_images(64, 0), _toy_images(16, 1)
    ae_path = train_autoencoder(AutoencoderTrainConfig(steps=20, checkpoint_every=20, **AE_SMALL),
                                train, val, tmp_path / "ae", progress=False)
    ae, stats, _ = load_autoencoder(ae_path)
    common = dict(autoencoder=str(ae_path), width=32, levels=2, time_dim=16, batch_size=32, n_val=16,
                  val_every=10, checkpoint_every=10, ema_decay=0.9)
    first = train_diffusion(DiffusionTrainConfig(lr=1e-3, steps=30, **common), ae, stats, train, val,
                            tmp_path / "first", progress=False)
    source, _ = load_score_net(first)
    start = DiffusionTrainConfig(lr=1e-12, lr_final=1e-12, steps=10, init_from=str(first), **common)
    warm = train_diffusion(start, ae, stats, train, val, tmp_path / "warm", progress=False)
    net, meta = load_score_net(warm)
    for name, value in source.state_dict().items():
        torch.testing.assert_close(net.state_dict()[name], value, atol=1e-6, rtol=0, msg=name)
    assert meta["train_config"]["init_from"] == str(first)
    assert [(stage["checkpoint"], stage["steps"]) for stage in meta["stages"]] == [(str(first), 30), ("", 10)]
    assert meta["stages"][-1]["train_seconds"] == meta["train_seconds"]
    logs = [list(csv.DictReader((tmp_path / run / "train_log.csv").open())) for run in ("first", "warm")]
    assert float(logs[1][0]["val_loss_ema"]) == pytest.approx(float(logs[0][-1]["val_loss_ema"]), abs=1e-5)
    wider = DiffusionTrainConfig(lr=1e-3, steps=5, init_from=str(first), **{**common, "width": 48})
    with pytest.raises(SemcomError, match="allowed: a checkpoint of the same design"):
        train_diffusion(wider, ae, stats, train, val, tmp_path / "wider", progress=False)


def test_training_stages_follow_the_init_from_chain_and_give_up_when_a_link_is_gone(tmp_path):
    first = {"steps": 100, "train_seconds": 60.0, "train_config": {"init_from": ""}}
    save_checkpoint(tmp_path / "first", "score_net", {"w": torch.zeros(1)}, {}, first)
    second = {"steps": 50, "train_seconds": 30.0, "train_config": {"init_from": str(tmp_path / "first")}}
    assert training_stages(second) == [{"checkpoint": str(tmp_path / "first"), "steps": 100, "train_seconds": 60.0},
                                       {"checkpoint": "", "steps": 50, "train_seconds": 30.0}]
    stored = {**second, "stages": [{"checkpoint": "elsewhere", "steps": 1, "train_seconds": 1.0}]}
    assert training_stages(stored) == stored["stages"]  # what the checkpoint recorded wins
    gone = {**second, "train_config": {"init_from": str(tmp_path / "gone")}}
    assert training_stages(gone) is None and training_stages({}) is None
    itself = {"steps": 1, "train_seconds": 1.0, "train_config": {"init_from": str(tmp_path / "loop")}}
    save_checkpoint(tmp_path / "loop", "score_net", {"w": torch.zeros(1)}, {}, itself)
    assert training_stages(itself) is None  # a chain that comes back to itself ends, unread


def test_a_view_token_score_net_can_start_from_a_shallower_one(tmp_path):
    """init_from a view-token checkpoint with fewer blocks: the run's extra blocks start as the
    identity, so its first validation loss is the checkpoint's; more blocks in the checkpoint
    than in the run is named in one line."""
    train, val = _toy_images(64, 0), _toy_images(16, 1)
    ae_path = train_autoencoder(AutoencoderTrainConfig(steps=20, checkpoint_every=20, **AE_SMALL),
                                train, val, tmp_path / "ae", progress=False)
    ae, stats, _ = load_autoencoder(ae_path)
    common = dict(autoencoder=str(ae_path), arch="view_tokens", width=32, heads=2, time_dim=16, batch_size=32,
                  n_val=16, val_every=10, checkpoint_every=10, ema_decay=0.9)
    first = train_diffusion(DiffusionTrainConfig(lr=1e-3, steps=30, depth=1, **common), ae, stats, train, val,
                            tmp_path / "first", progress=False)
    start = DiffusionTrainConfig(lr=1e-12, lr_final=1e-12, steps=10, depth=3, init_from=str(first), **common)
    deeper, _ = load_score_net(train_diffusion(start, ae, stats, train, val, tmp_path / "deep", progress=False))
    assert deeper.config.depth == 3
    logs = [list(csv.DictReader((tmp_path / run / "train_log.csv").open())) for run in ("first", "deep")]
    assert float(logs[1][0]["val_loss_ema"]) == pytest.approx(float(logs[0][-1]["val_loss_ema"]), abs=1e-5)
    shallower = DiffusionTrainConfig(lr=1e-3, steps=5, depth=1, init_from=str(tmp_path / "deep" / "score_net"),
                                     **common)
    with pytest.raises(SemcomError, match="allowed: a checkpoint of the same design or of fewer blocks and/or no"):
        train_diffusion(shallower, ae, stats, train, val, tmp_path / "shallow", progress=False)


def test_toml_configs_are_typed_and_validated(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('dataset = "polymnist"\nwidths = [8, 16]\nlr = 1\nsteps = 10\n')
    cfg = load_toml_config(AutoencoderTrainConfig, good, {"steps": 99, "n_train": None})
    assert (
        cfg.widths == (8, 16) and cfg.lr == 1.0 and cfg.steps == 99 and cfg.dataset == "polymnist"
    )
    bad_key = tmp_path / "bad_key.toml"
    bad_key.write_text("latent_dims = 3\n")
    with pytest.raises(SemcomError, match="unknown key\\(s\\) latent_dims; allowed: .*latent_dim"):
        load_toml_config(AutoencoderTrainConfig, bad_key)
    bad_type = tmp_path / "bad_type.toml"
    bad_type.write_text('steps = "many"\n')
    with pytest.raises(SemcomError, match="key 'steps' = 'many' is not of type int"):
        load_toml_config(AutoencoderTrainConfig, bad_type)
    with pytest.raises(SemcomError, match="DiffusionTrainConfig: batch_size must be > 0"):
        load_toml_config(DiffusionTrainConfig, None, {"batch_size": 0})
    with pytest.raises(SemcomError, match="not found"):
        load_toml_config(DiffusionTrainConfig, tmp_path / "none.toml")


@pytest.mark.parametrize("path", sorted((EXPERIMENTS_DIR / "training").glob("mvld_*.toml")), ids=lambda p: p.name)
def test_shipped_experiment_configs_load(path):
    import tomllib

    kind = tomllib.loads(path.read_text())["kind"]
    cls = DiffusionTrainConfig if kind == "diffusion" else AutoencoderTrainConfig
    config = load_toml_config(cls, path)
    assert config.dataset in path.stem


def test_learning_rate_is_constant_then_a_half_cosine():
    flat = RunConfig(lr=1e-3, steps=100)
    assert {learning_rate(flat, s) for s in (0, 50, 99)} == {1e-3}
    c = RunConfig(lr=1e-3, steps=100, lr_final=1e-5, lr_decay_from=60)
    assert learning_rate(c, 0) == learning_rate(c, 60) == 1e-3
    assert learning_rate(c, 80) == pytest.approx((1e-3 + 1e-5) / 2)
    assert learning_rate(c, 100) == pytest.approx(1e-5)
    assert learning_rate(c, 70) > learning_rate(c, 71) > learning_rate(c, 90)
    with pytest.raises(SemcomError, match="lr_final must be in"):
        RunConfig(lr=1e-3, lr_final=1e-2)
    with pytest.raises(SemcomError, match="lr_decay_from must be in"):
        RunConfig(steps=100, lr_decay_from=100)


def test_warm_restarts_start_a_new_cosine_from_lr():
    c = RunConfig(lr=1e-3, steps=200, lr_final=1e-5, lr_decay_from=60, lr_restarts=[100])
    plain = RunConfig(lr=1e-3, steps=100, lr_final=1e-5, lr_decay_from=60)
    assert c.lr_restarts == (100,)
    # the first cycle is the plain schedule that ended at step 100 ...
    assert all(learning_rate(c, s) == learning_rate(plain, s) for s in range(0, 100))
    # ... then the rate jumps back to lr and anneals to lr_final at steps
    assert learning_rate(c, 99) < 2e-5 and learning_rate(c, 100) == 1e-3
    assert learning_rate(c, 150) == pytest.approx((1e-3 + 1e-5) / 2)
    assert learning_rate(c, 200) == pytest.approx(1e-5)
    for bad in ([60], [100, 100], [200], [120, 110]):
        with pytest.raises(SemcomError, match="lr_restarts must rise strictly inside"):
            RunConfig(steps=200, lr_final=1e-5, lr_decay_from=60, lr_restarts=bad)
    with pytest.raises(SemcomError, match="need lr_final"):
        RunConfig(steps=200, lr_decay_from=60, lr_restarts=[100])


def test_a_finished_run_can_be_resumed_with_annealing(tmp_path):
    """Continue a constant-rate run with a cosine decay: allowed, the log gains an lr column, and
    the optimiser really uses the annealed rate (the weights differ from a constant-rate run)."""
    train, val = _toy_images(64, 0), _toy_images(16, 1)
    first = AutoencoderTrainConfig(steps=40, checkpoint_every=40, **AE_SMALL)
    for folder in ("const", "anneal"):
        train_autoencoder(first, train, val, tmp_path / folder, progress=False)
    longer = AutoencoderTrainConfig(steps=80, checkpoint_every=40, **AE_SMALL)
    annealed = AutoencoderTrainConfig(steps=80, checkpoint_every=40, lr_final=1e-4, lr_decay_from=40, **AE_SMALL)
    const = train_autoencoder(longer, train, val, tmp_path / "const", progress=False)
    anneal = train_autoencoder(annealed, train, val, tmp_path / "anneal", progress=False)
    rows = list(csv.DictReader((tmp_path / "anneal" / "train_log.csv").open()))
    assert rows[0]["lr"] == "" and float(rows[-1]["lr"]) == pytest.approx(learning_rate(annealed, 79))
    a, _, _ = load_autoencoder(const)
    b, _, _ = load_autoencoder(anneal)
    assert any(not torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


def test_diffusion_validation_logs_coherence_from_one_view_and_bf16_trains(tmp_path):
    """A judge that always names the object's class gives coherence 1, one that never does 0;
    the bfloat16 run's loss still falls."""
    from semcom.models.train_diffusion import validation_coherence

    train, val = _toy_images(64, 0), _toy_images(16, 1)
    labels = torch.arange(16) % 3
    ae_path = train_autoencoder(AutoencoderTrainConfig(steps=20, checkpoint_every=20, **AE_SMALL),
                                train, val, tmp_path / "ae", progress=False)
    ae, stats, _ = load_autoencoder(ae_path)
    config = DiffusionTrainConfig(autoencoder=str(ae_path), width=32, levels=2, time_dim=16, batch_size=32,
                                  lr=1e-3, steps=20, val_every=10, checkpoint_every=20, n_val=16,
                                  precision="bfloat16", val_coherence_objects=8)
    seen = []

    def oracle(views):  # [B, V, C, H, W] -> [B, V]: the true class of each object
        seen.append(views.shape)
        return labels[: len(views), None].expand(-1, views.shape[1])

    net_path = train_diffusion(config, ae, stats, train, val, tmp_path / "diff", progress=False,
                               val_labels=labels, predict=oracle)
    rows = list(csv.DictReader((tmp_path / "diff" / "train_log.csv").open()))
    assert [float(r["val_coherence_1"]) for r in rows] == [1.0, 1.0]
    assert seen[0] == (8, 2, 1, 8, 8)  # 8 objects, all views decoded
    assert float(rows[-1]["val_loss"]) < float(rows[0]["val_loss"]) + 0.05
    net, _ = load_score_net(net_path, views=2, latent_dim=4)
    z = torch.randn(6, 2, 4, generator=torch.Generator().manual_seed(0))
    wrong = lambda views: (labels[: len(views), None] + 1).expand(-1, views.shape[1])  # noqa: E731
    assert validation_coherence(net, ae, stats, z, labels[:6], wrong) == 0.0
    with pytest.raises(SemcomError, match="precision"):
        DiffusionTrainConfig(precision="float16")


def test_a_time_budget_ends_the_run_at_a_validation_and_a_larger_one_continues_it(tmp_path):
    train, val = _toy_images(64, 0), _toy_images(16, 1)
    short = AutoencoderTrainConfig(steps=80, checkpoint_every=80, max_minutes=1e-6, **AE_SMALL)
    train_autoencoder(short, train, val, tmp_path / "a", progress=False)
    rows = list(csv.DictReader((tmp_path / "a" / "train_log.csv").open()))
    assert [int(r["step"]) for r in rows] == [20]  # the first validation after the budget
    longer = AutoencoderTrainConfig(steps=80, checkpoint_every=80, **AE_SMALL)  # no budget
    train_autoencoder(longer, train, val, tmp_path / "a", progress=False)
    rows = list(csv.DictReader((tmp_path / "a" / "train_log.csv").open()))
    assert [int(r["step"]) for r in rows] == [20, 40, 60, 80]
    with pytest.raises(SemcomError, match="max_minutes must be > 0"):
        AutoencoderTrainConfig(max_minutes=0)


# -- a damaged resume state: one line naming the file and the problem -------------------------------
def _tiny_state(seed=0):
    from semcom.models.training import TrainState

    torch.manual_seed(seed)
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model(torch.randn(4, 3)).pow(2).sum().backward()
    optimizer.step()
    return TrainState({"model": model}, optimizer, torch.Generator().manual_seed(seed), step=7)


def test_resume_state_round_trips_and_refuses_damaged_files(tmp_path):
    import pickle

    from semcom.models.training import save_state, try_resume

    config = RunConfig(steps=10)
    saved = _tiny_state()
    path = save_state(tmp_path, saved, config)
    fresh = _tiny_state(seed=1)
    assert try_resume(tmp_path, fresh, config) and fresh.step == 7
    assert torch.equal(fresh.modules["model"].weight, saved.modules["model"].weight)
    good = path.read_bytes()
    for damaged, message in [
        (good[: len(good) - 10], "is truncated"),
        (pickle.dumps({"model.weight": 1}), "is a pickle"),
        (b"\x13" * 64, "is not a safetensors file"),
    ]:
        path.write_bytes(damaged)
        with pytest.raises(SemcomError) as err:
            try_resume(tmp_path, _tiny_state(), config)
        text = str(err.value)
        assert f"checkpoint file {path} {message}" in text and "resume.* to start the run over" in text
        assert "\n" not in text
    path.unlink()
    with pytest.raises(SemcomError, match="resume.safetensors not found .*start the run over"):
        try_resume(tmp_path, _tiny_state(), config)


def test_resume_state_that_does_not_fit_the_run_is_named(tmp_path):
    from safetensors.torch import load_file, save_file

    from semcom.models.training import save_state, try_resume

    config = RunConfig(steps=10)
    path = save_state(tmp_path, _tiny_state(), config)
    good = load_file(str(path))
    for change, message in [
        (lambda t: t.update({"model.weight": torch.zeros(2, 4)}), "model.weight has shape [2, 4], expected [2, 3]"),
        (lambda t: t.pop("model.bias"), "missing tensors model.bias"),
        (lambda t: t.pop("rng"), "no rng tensor"),
        (lambda t: t.update({"optim.0.exp_avg": torch.zeros(5)}), "optim.0.exp_avg has shape [5], expected [2, 3]"),
        (lambda t: t.update({"optim.9.exp_avg": torch.zeros(5)}), "unexpected tensor optim.9.exp_avg"),
        (lambda t: t.update({"other.x": torch.zeros(1)}), "unexpected tensors other.x"),
    ]:
        tensors = dict(good)
        change(tensors)
        save_file(tensors, str(path))
        with pytest.raises(SemcomError) as err:
            try_resume(tmp_path, _tiny_state(), config)
        assert "resume.safetensors is damaged or does not fit this run" in str(err.value)
        assert message in str(err.value), str(err.value)
    save_file(good, str(path))
    bigger = _tiny_state()
    bigger.optimizer.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))]})
    with pytest.raises(SemcomError, match="optimiser parameter groups do not match"):
        try_resume(tmp_path, bigger, config)


def test_a_run_saved_before_a_config_field_existed_resumes_when_the_field_is_at_its_default(tmp_path):
    """A resume state written by an older version lacks the fields added since: they count as
    their defaults, so the run continues; set to something else, the run is another one."""
    import json

    from semcom.models.training import RESUME_NAME, save_state, try_resume

    save_state(tmp_path, _tiny_state(), DiffusionTrainConfig(steps=10))
    header_path = tmp_path / f"{RESUME_NAME}.json"
    header = json.loads(header_path.read_text())
    del header["config"]["init_from"]  # as saved before init_from existed
    header_path.write_text(json.dumps(header))
    assert try_resume(tmp_path, _tiny_state(), DiffusionTrainConfig(steps=20))
    with pytest.raises(SemcomError, match="different config \\(init_from changed\\)"):
        try_resume(tmp_path, _tiny_state(), DiffusionTrainConfig(steps=20, init_from="runs/x/score_net"))
