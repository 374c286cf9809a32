import pytest
import torch

from semcom.diffusion.samplers import expected_nfe
from semcom.errors import SemcomError
from semcom.models.autoencoder import AutoencoderConfig, LatentStats, MultiViewAutoencoder
from semcom.models.imputer import Imputer, LatentImputer, MVLDImputer
from semcom.models.score_net import ScoreNet, ScoreNetConfig

V, D = 3, 8


@pytest.fixture(scope="module")
def parts():
    torch.manual_seed(0)
    ae = MultiViewAutoencoder(AutoencoderConfig(views=V, channels=3, image_size=28, latent_dim=D))
    net = ScoreNet(ScoreNetConfig(views=V, latent_dim=D, width=32, levels=2, time_dim=16))
    torch.nn.init.normal_(net.out.weight, std=0.1)  # a non-trivial (untrained) network
    stats = LatentStats(mean=torch.randn(V, D) * 0.1, std=torch.rand(V, D) + 0.5)
    return ae, net, stats


def _views_and_mask():
    g = torch.Generator().manual_seed(1)
    views = torch.rand(4, V, 3, 28, 28, generator=g)
    observed = torch.tensor(
        [[True, False, False], [False, True, True], [True, True, False], [False] * 3]
    )
    return views, observed


@pytest.mark.parametrize(
    "sampler,steps", [("dpmpp_2m_sde", 6), ("dpmpp_2m", 6), ("euler_maruyama", 6), ("heun", 3)]
)
def test_observed_views_pass_through_and_nfe_is_reported(parts, sampler, steps):
    imputer = MVLDImputer(*parts, sampler=sampler, steps=steps)
    assert isinstance(imputer, Imputer) and isinstance(imputer, LatentImputer)
    views, observed = _views_and_mask()
    out = imputer.impute(views, observed, torch.Generator().manual_seed(0))
    assert out.shape == views.shape
    assert torch.equal(out[observed], views[observed])
    assert not torch.allclose(out[~observed], views[~observed])
    assert imputer.last_nfe == expected_nfe(sampler, steps, imputer.guidance)


def test_decoded_mode_returns_reconstructions_of_observed_views(parts):
    ae, net, stats = parts
    imputer = MVLDImputer(ae, net, stats, steps=4, observed_output="decoded")
    views, observed = _views_and_mask()
    out = imputer.impute(views, observed, torch.Generator().manual_seed(0))
    with torch.no_grad():
        recon = ae(views)
    assert torch.allclose(out[observed], recon[observed], atol=1e-5)


def test_latent_path_keeps_observed_latents_and_is_seeded(parts):
    imputer = MVLDImputer(*parts, steps=4)
    views, observed = _views_and_mask()
    z = imputer.encode(views)
    a = imputer.impute_latents(z, observed, torch.Generator().manual_seed(5))
    b = imputer.impute_latents(z, observed, torch.Generator().manual_seed(5))
    c = imputer.impute_latents(z, observed, torch.Generator().manual_seed(6))
    assert torch.equal(a, b) and not torch.equal(a[~observed], c[~observed])
    assert torch.equal(a[observed], z[observed])
    # the latent interface is standardised: decode(encode(x)) is the plain reconstruction
    with torch.no_grad():
        assert torch.allclose(imputer.decode(z), parts[0](views), atol=1e-5)


def test_all_observed_costs_no_network_evaluation(parts):
    imputer = MVLDImputer(*parts, steps=4)
    views, _ = _views_and_mask()
    out = imputer.impute(views, torch.ones(4, V, dtype=torch.bool), torch.Generator())
    assert torch.equal(out, views) and imputer.last_nfe == 0


def test_mismatches_give_one_line_errors(parts):
    ae, net, stats = parts
    other = ScoreNet(ScoreNetConfig(views=V, latent_dim=D + 1, width=32, levels=2))
    with pytest.raises(SemcomError, match="score net is for 3 views x 9 dims"):
        MVLDImputer(ae, other, stats)
    with pytest.raises(SemcomError, match="allowed: euler_maruyama"):
        MVLDImputer(ae, net, stats, sampler="unknown")
    imputer = MVLDImputer(ae, net, stats, steps=2)
    views, observed = _views_and_mask()
    with pytest.raises(SemcomError, match="observed mask"):
        imputer.impute(views, observed[:, :2], torch.Generator())
    with pytest.raises(SemcomError, match="bool"):
        imputer.impute(views, observed.float(), torch.Generator())


def test_guidance_doubles_the_counted_network_passes_and_keeps_observed_views(parts):
    imputer = MVLDImputer(*parts, steps=5, guidance=2.0)
    views, observed = _views_and_mask()
    out = imputer.impute(views, observed, torch.Generator().manual_seed(0))
    assert imputer.last_nfe == expected_nfe("dpmpp_2m_sde", 5, 2.0) == 2 * expected_nfe("dpmpp_2m_sde", 5)
    assert torch.equal(out[observed], views[observed])
    plain = MVLDImputer(*parts, steps=5, guidance=0.0).impute(views, observed, torch.Generator().manual_seed(0))
    assert not torch.allclose(out[~observed], plain[~observed])
    with pytest.raises(SemcomError, match="guidance weight"):
        MVLDImputer(*parts, guidance=-1.0)
