"""A tiny randomly initialised MVLD imputer (quality needs trained weights; these tests check logic)."""

import pytest
import torch

from semcom.models.autoencoder import AutoencoderConfig, LatentStats, MultiViewAutoencoder
from semcom.models.imputer import MVLDImputer
from semcom.models.score_net import ScoreNet, ScoreNetConfig

torch.set_num_threads(1)
LATENT = 8


def make_tiny_imputer(seed: int = 0, views: int = 4) -> MVLDImputer:
    torch.manual_seed(seed)
    ae = MultiViewAutoencoder(AutoencoderConfig(views=views, channels=3, image_size=32, latent_dim=LATENT,
                                                widths=(8, 8, 8)))
    net = ScoreNet(ScoreNetConfig(views=views, latent_dim=LATENT, width=16, levels=1, time_dim=8, groups=4))
    stats = LatentStats(mean=torch.zeros(views, LATENT), std=torch.ones(views, LATENT))
    return MVLDImputer(ae, net, stats, steps=2)


@pytest.fixture
def tiny_imputer():
    return make_tiny_imputer()
