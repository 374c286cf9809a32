"""Models of the receiver: per-view autoencoder, multi-time score network, imputers, checkpoints.

Train with ``semcom train autoencoder`` then ``semcom train diffusion``; load with
:func:`~semcom.models.checkpoint.load_autoencoder` / :func:`~semcom.models.checkpoint.load_score_net`
and wrap them in :class:`~semcom.models.imputer.MVLDImputer`.
"""

from semcom.models.autoencoder import AutoencoderConfig, LatentStats, MultiViewAutoencoder
from semcom.models.checkpoint import (
    load_autoencoder,
    load_score_net,
    save_autoencoder,
    save_score_net,
)
from semcom.models.imputer import Imputer, LatentImputer, MVLDImputer
from semcom.models.score_net import ScoreNet, ScoreNetConfig

__all__ = [
    "AutoencoderConfig",
    "Imputer",
    "LatentImputer",
    "LatentStats",
    "MVLDImputer",
    "MultiViewAutoencoder",
    "ScoreNet",
    "ScoreNetConfig",
    "load_autoencoder",
    "load_score_net",
    "save_autoencoder",
    "save_score_net",
]
