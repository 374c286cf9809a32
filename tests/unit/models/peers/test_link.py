"""ViewSpaceImputer: a VAE behind a codec's latents (the semantic link)."""

import torch

from semcom.models.imputer import LatentImputer
from semcom.models.peers import PeerImputer, build_model
from semcom.models.peers.link import ViewSpaceImputer


class DoublingCodec(LatentImputer):
    """An exact codec: latents = 2 * flattened views."""

    num_views = 3

    def encode(self, views):
        return 2 * views.flatten(2)

    def decode(self, latents):
        return (latents / 2).reshape(*latents.shape[:2], 1, 8, 8)

    def impute_latents(self, latents, observed, generator):
        raise AssertionError("the codec's own imputation must not be used")


def _peer():
    torch.manual_seed(0)
    cfg = {"views": 3, "channels": 1, "image_size": 8, "widths": [4, 8], "latent_dim": 4}
    return PeerImputer(build_model("mvae", cfg))


def test_latents_of_missing_views_are_the_vae_views_encoded():
    loads = []

    def load():
        loads.append(1)
        return DoublingCodec()

    imputer = ViewSpaceImputer(_peer(), load)
    assert loads == []  # the codec is loaded on first use only
    x = torch.rand(4, 3, 1, 8, 8)
    observed = torch.tensor([[1, 0, 0], [0, 1, 1], [1, 1, 1], [0, 0, 0]], dtype=torch.bool)
    latents = imputer.encode(x)
    out = imputer.impute_latents(latents, observed, torch.Generator().manual_seed(0))
    ref = _peer().impute(x, observed, torch.Generator().manual_seed(0))
    assert torch.allclose(imputer.decode(out), ref, atol=1e-6)
    assert torch.equal(out[observed], latents[observed])
    assert loads == [1]
    # view space: the VAE alone
    assert torch.equal(
        imputer.impute(x, observed, torch.Generator().manual_seed(0)),
        _peer().impute(x, observed, torch.Generator().manual_seed(0)),
    )
    imputer.observed_output = "decoded"
    assert imputer.imputer.observed_output == "decoded"
