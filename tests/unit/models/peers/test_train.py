"""A tiny training run per method: ELBO terms finite and decreasing, checkpoint written."""

import csv

import pytest
import torch

from semcom.models.peers import load_peer
from semcom.models.peers.train import PeerTrainConfig, train_peer


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
