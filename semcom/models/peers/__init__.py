"""Peer imputers: multimodal VAEs behind the same :class:`~semcom.models.imputer.Imputer`.

- :mod:`~semcom.models.peers.smvae`: SMVAE (seeds/002), attention over the set of views,
- :mod:`~semcom.models.peers.mopoe`: MoPoE-VAE, mixture of products of experts over subsets,
- :mod:`~semcom.models.peers.mvae`: MVAE, product of experts with a prior expert.

All three use conv encoders/decoders of the MVLD autoencoder's size (:mod:`.backbone`), one
joint latent z per object, a Laplace pixel likelihood, and :class:`~.base.PeerImputer`
(observed views in, all views out; observed views passed through unchanged by default).

>>> from semcom.models.peers import build_model, PeerImputer          # doctest: +SKIP
>>> model = build_model("smvae", {"views": 4, "channels": 3, "image_size": 32})
>>> views = PeerImputer(model).impute(x, observed, torch.Generator().manual_seed(0))
"""

from semcom.models.peers.base import PeerConfig, PeerImputer, PeerVAE
from semcom.models.peers.registry import METHODS, build_model, load_peer, save_peer

__all__ = [
    "METHODS",
    "PeerConfig",
    "PeerImputer",
    "PeerVAE",
    "build_model",
    "load_peer",
    "save_peer",
]
