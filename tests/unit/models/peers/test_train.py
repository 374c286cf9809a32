"""A tiny training run per method: ELBO terms finite and decreasing, checkpoint written."""

import csv

import pytest
import torch

from semcom.models.peers import load_peer
from semcom.models.peers.train import PeerTrainConfig, train_peer
from tests.conftest import EXPERIMENTS_DIR

#: configs of the MVAE runs tried on polymnist, kept beside their logs
MVAE_TRIES_DIR = EXPERIMENTS_DIR.parent / "results" / "polymnist" / "peers" / "mvae_tries"


def _toy_images(n, seed):
    """uint8 [N, 3, 1, 8, 8]: a bright square whose position (the class) is shared by all views."""
    g = torch.Generator().manual_seed(seed)
    cls = torch.randint(0, 4, (n,), generator=g)
    x = torch.zeros(n, 3, 1, 8, 8)
    for i, c in enumerate(cls.tolist()):
        r, col = divmod(c, 2)
        x[i, :, :, 4 * r : 4 * r + 4, 4 * col : 4 * col + 4] = 1.0
        x[i, 1] = x[i, 1].flip(-1)  # the views differ
    return (x * 255).to(torch.uint8)


@pytest.mark.parametrize("method", ["smvae", "mopoe", "mvae"])
def test_tiny_run_decreases_the_negative_elbo(method, tmp_path):
    model = {"widths": [4, 8], "latent_dim": 4}
    if method == "smvae":
        model.update(embed_dim=8, heads=2)
    config = PeerTrainConfig(
        batch_size=16, lr=1e-2, steps=60, val_every=20, checkpoint_every=60, threads=1, model=model
    )
    path = train_peer(
        method, config, _toy_images(64, 0), _toy_images(32, 1), tmp_path, progress=False
    )
    rows = list(csv.DictReader((tmp_path / "train_log.csv").open()))
    assert [int(r["step"]) for r in rows] == [20, 40, 60]
    for key in ("val_loss", "val_recon", "val_kl", "val_l1_all", "val_l1_one"):
        assert all(torch.isfinite(torch.tensor(float(r[key]))) for r in rows)
    assert float(rows[-1]["val_loss"]) < float(rows[0]["val_loss"])
    assert float(rows[-1]["val_l1_all"]) < float(rows[0]["val_l1_all"])
    loaded, meta = load_peer(path, method, views=3)
    assert meta["steps"] == 60


def _quadrant(images):
    """Toy judge: the 4x4 quadrant (class of :func:`_toy_images`) with the most light."""
    q = images.unflatten(-2, (2, 4)).unflatten(-1, (2, 4)).sum(dim=(-5, -3, -1))  # [..., 2, 2]
    return q.flatten(-2).argmax(-1)


def test_the_toy_judge_reads_the_true_class():
    x = _toy_images(32, 3).float() / 255.0
    x[:, 1] = x[:, 1].flip(-1)  # undo the flip of view 1
    g = torch.Generator().manual_seed(3)
    assert torch.equal(_quadrant(x)[:, 0], torch.randint(0, 4, (32,), generator=g))


def test_validation_coherence_against_constant_judges():
    model = {"widths": [4, 8], "latent_dim": 4}
    from semcom.models.peers.registry import build_model
    from semcom.models.peers.train import validate_peer

    vae = build_model("mopoe", {**model, "views": 3, "channels": 1, "image_size": 8})
    images, labels = _toy_images(40, 1), torch.arange(40) % 4
    for cls in range(4):
        judge = lambda v, c=cls: torch.full(v.shape[:-3], c)  # noqa: E731
        m = validate_peer(vae, images, labels=labels, predict=judge)
        assert m["val_coherence_all"] == m["val_coherence_one"] == 0.25
    with pytest.raises(Exception, match="both labels and predict"):
        validate_peer(vae, images, labels=labels)


def test_training_logs_coherence_and_resumes_an_older_log(tmp_path):
    """A run resumed from a log without coherence columns keeps the old rows, blank there."""
    model = {"widths": [4, 8], "latent_dim": 4}
    images = _toy_images(64, 0)
    val = _toy_images(32, 1)
    labels = _quadrant(val.float()[:, 0] / 255.0)
    config = PeerTrainConfig(
        batch_size=16, lr=1e-2, steps=20, val_every=20, checkpoint_every=20, threads=1, model=model
    )
    train_peer("mopoe", config, images, val, tmp_path, progress=False)
    longer = PeerTrainConfig(**{**config.__dict__, "steps": 40})
    train_peer("mopoe", longer, images, val, tmp_path, progress=False, val_labels=labels, predict=_quadrant)
    rows = list(csv.DictReader((tmp_path / "train_log.csv").open()))
    assert [int(r["step"]) for r in rows] == [20, 40]
    assert rows[0]["val_coherence_all"] == ""
    assert 0.0 <= float(rows[1]["val_coherence_all"]) <= 1.0


@pytest.mark.parametrize(
    "path",
    sorted(p for m in ("smvae", "mopoe", "mvae") for p in (EXPERIMENTS_DIR / "training").glob(f"{m}_*.toml"))
    + sorted(MVAE_TRIES_DIR.glob("*.toml")),
    ids=lambda p: p.name,
)
def test_shipped_peer_configs_load_and_build(path):
    from semcom.data import dataset_info
    from semcom.models.peers import build_model
    from semcom.models.train_config import load_toml_config

    config = load_toml_config(PeerTrainConfig, path)
    info = dataset_info(config.dataset)
    method = path.stem.split("_")[0]
    size = info.check_size(config.image_size)
    model = build_model(
        method, {"views": info.num_views, "channels": info.channels, "image_size": size, **config.model}
    )
    assert model.method == method and (config.dataset in path.stem or path.parent == MVAE_TRIES_DIR)
