"""The Imputer contract for the three VAEs, MVAE's ELBO terms, and checkpoints."""

import pytest
import torch

from semcom.errors import SemcomError
from semcom.models.peers import METHODS, PeerImputer, build_model, load_peer, save_peer

SMALL = {"views": 3, "channels": 1, "image_size": 8, "widths": [4, 8], "latent_dim": 6}
EXTRA = {"smvae": {"embed_dim": 8, "heads": 2}, "mopoe": {}, "mvae": {}}


def _model(method, **kw):
    torch.manual_seed(0)
    return build_model(method, {**SMALL, **EXTRA[method], **kw})


def _batch():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(5, 3, 1, 8, 8, generator=g)
    observed = torch.tensor(
        [[1, 0, 0], [0, 1, 1], [1, 1, 1], [0, 0, 0], [0, 0, 1]], dtype=torch.bool
    )
    return x, observed


@pytest.mark.parametrize("method", sorted(METHODS))
def test_impute_contract(method):
    imputer = PeerImputer(_model(method))
    x, observed = _batch()
    out = imputer.impute(x, observed, torch.Generator().manual_seed(1))
    assert out.shape == x.shape and out.dtype == torch.float32
    assert out.min() >= 0 and out.max() <= 1
    keep = observed[:, :, None, None, None].expand_as(x)
    assert torch.equal(out[keep], x[keep])  # observed views pass through bit-exactly
    again = imputer.impute(x, observed, torch.Generator().manual_seed(1))
    assert torch.equal(out, again)
    other = imputer.impute(x, observed, torch.Generator().manual_seed(2))
    assert not torch.equal(out[~keep], other[~keep])  # sampled latents differ with the seed
    x2 = torch.where(keep, x, torch.rand(x.shape))  # what missing entries hold must not matter
    assert torch.equal(imputer.impute(x2, observed, torch.Generator().manual_seed(1)), out)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_decoded_and_mean_modes(method):
    x, observed = _batch()
    decoded = PeerImputer(_model(method), observed_output="decoded", latent="mean")
    out = decoded.impute(x, observed, torch.Generator().manual_seed(1))
    keep = observed[:, :, None, None, None].expand_as(x)
    assert not torch.equal(out[keep], x[keep])
    if method != "mopoe":  # the mean of a single Gaussian posterior needs no randomness
        assert torch.equal(out, decoded.impute(x, observed, torch.Generator().manual_seed(9)))


def test_impute_rejects_bad_masks_and_shapes():
    imputer = PeerImputer(_model("mvae"))
    x, observed = _batch()
    with pytest.raises(SemcomError, match="bool"):
        imputer.impute(x, observed.int(), torch.Generator())
    with pytest.raises(SemcomError, match="expects views"):
        imputer.impute(torch.rand(5, 3, 1, 6, 6), observed, torch.Generator())
    with pytest.raises(SemcomError, match="latent"):
        PeerImputer(_model("mvae"), latent="mode")


def test_mvae_objective_has_the_papers_terms():
    model = _model("mvae", extra_subsets=2)
    masks = model.elbo_masks(4, torch.Generator().manual_seed(0))
    assert len(masks) == 1 + 3 + 2
    assert masks[0].all() and all(m.sum(1).eq(1).all() for m in masks[1:4])


@pytest.mark.parametrize("method", sorted(METHODS))
def test_loss_terms_finite(method):
    x, _ = _batch()
    terms = _model(method).loss(x, torch.Generator().manual_seed(0))
    assert set(terms) == {"loss", "recon", "kl"}
    assert all(torch.isfinite(v) for v in terms.values()) and terms["kl"] >= 0
    assert torch.allclose(terms["loss"], terms["recon"] + terms["kl"])  # beta = 1


@pytest.mark.parametrize("method", sorted(METHODS))
def test_checkpoint_round_trip(method, tmp_path):
    model = _model(method)
    save_peer(tmp_path / method, model, {"note": "x"})
    loaded, meta = load_peer(tmp_path / method, method, views=3, channels=1, image_size=8)
    assert meta == {"note": "x"} and loaded.config == model.config
    x, observed = _batch()
    a = PeerImputer(model).impute(x, observed, torch.Generator().manual_seed(0))
    b = PeerImputer(loaded).impute(x, observed, torch.Generator().manual_seed(0))
    assert torch.equal(a, b)
    with pytest.raises(SemcomError, match="image size 8, the data has 16"):
        load_peer(tmp_path / method, method, image_size=16)
    wrong = "mvae" if method != "mvae" else "mopoe"
    with pytest.raises(SemcomError, match="not a"):
        load_peer(tmp_path / method, wrong)


def test_config_errors_are_one_line():
    with pytest.raises(SemcomError, match="unknown key"):
        build_model("mvae", {**SMALL, "heads": 2})
    with pytest.raises(SemcomError, match="embed_dim"):
        build_model("smvae", {**SMALL, "embed_dim": 10, "heads": 4})
    with pytest.raises(SemcomError, match="reconstruct"):
        build_model("smvae", {**SMALL, "reconstruct": "some"})
    with pytest.raises(SemcomError, match="allowed: smvae, mopoe, mvae"):
        build_model("mmvae", SMALL)
