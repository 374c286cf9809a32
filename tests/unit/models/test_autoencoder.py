import pytest
import torch

from semcom.errors import SemcomError
from semcom.models.ae_blocks import ResBlock, ResizeConv
from semcom.models.autoencoder import (
    ARCHITECTURES,
    AutoencoderConfig,
    LatentStats,
    MultiViewAutoencoder,
    compute_latent_stats,
    laplace_loss,
    reconstruction_loss,
)


@pytest.mark.parametrize("arch", ARCHITECTURES)
@pytest.mark.parametrize(
    "size,expected", [(28, (28, 14, 7, 4)), (32, (32, 16, 8, 4)), (64, (64, 32, 16, 8))]
)
def test_round_trip_shapes_for_supported_sizes(size, expected, arch):
    cfg = AutoencoderConfig(views=2, channels=3, image_size=size, latent_dim=16, arch=arch)
    assert cfg.spatial_sizes == expected
    ae = MultiViewAutoencoder(cfg)
    x = torch.rand(3, 2, 3, size, size)
    z = ae.encode(x)
    x_hat = ae.decode(z)
    assert z.shape == (3, 2, 16) and x_hat.shape == x.shape
    assert x_hat.min() >= 0 and x_hat.max() <= 1


def test_shared_autoencoder_treats_views_alike_and_per_view_does_not():
    torch.manual_seed(0)
    x = torch.rand(2, 3, 1, 28, 28)
    swapped = x[:, [2, 1, 0]]
    shared = MultiViewAutoencoder(
        AutoencoderConfig(views=3, channels=1, image_size=28, latent_dim=8)
    )
    assert torch.allclose(shared.encode(swapped), shared.encode(x)[:, [2, 1, 0]], atol=1e-6)
    per_view_cfg = AutoencoderConfig(views=3, channels=1, image_size=28, latent_dim=8, shared=False)
    per_view = MultiViewAutoencoder(per_view_cfg)
    n_shared = sum(p.numel() for p in shared.parameters())
    assert sum(p.numel() for p in per_view.parameters()) == 3 * n_shared
    assert not torch.allclose(per_view.encode(swapped), per_view.encode(x)[:, [2, 1, 0]])


def test_laplace_loss_is_mean_absolute_error():
    x = torch.zeros(2, 1, 1, 2, 2)
    assert laplace_loss(x + 0.25, x).item() == pytest.approx(0.25)


def test_latent_stats_cover_the_whole_set():
    torch.manual_seed(0)
    ae = MultiViewAutoencoder(
        AutoencoderConfig(views=2, channels=1, image_size=8, latent_dim=4, widths=(4, 8))
    )
    images = torch.randint(0, 256, (37, 2, 1, 8, 8), dtype=torch.uint8)
    stats = compute_latent_stats(ae, images, batch_size=10)  # batches of uneven size
    with torch.no_grad():
        z = ae.encode(images.float() / 255)
    assert torch.allclose(stats.mean, z.mean(0), atol=1e-5)
    assert torch.allclose(stats.std, z.std(0), atol=1e-5)
    standardised = stats.standardise(z)
    assert torch.allclose(standardised.mean(0), torch.zeros(2, 4), atol=1e-4)
    assert torch.allclose(stats.unstandardise(standardised), z, atol=1e-5)


def test_dead_dimension_std_is_floored():
    stats = compute_latent_stats(
        _constant_autoencoder(), torch.zeros(5, 2, 1, 8, 8, dtype=torch.uint8), batch_size=2
    )
    assert torch.all(stats.std >= 1e-4)
    assert isinstance(stats, LatentStats)


def _constant_autoencoder():
    ae = MultiViewAutoencoder(
        AutoencoderConfig(views=2, channels=1, image_size=8, latent_dim=3, widths=(4,))
    )
    for p in ae.parameters():
        torch.nn.init.zeros_(p)
    return ae


def test_bad_shapes_and_configs():
    ae = MultiViewAutoencoder(AutoencoderConfig(views=2, channels=3, image_size=32, latent_dim=8))
    with pytest.raises(SemcomError, match=r"expects images \[B, 2, 3, 32, 32\]"):
        ae.encode(torch.zeros(1, 2, 3, 64, 64))
    with pytest.raises(SemcomError, match="too small"):
        AutoencoderConfig(views=2, channels=3, image_size=4)


def test_decode_clamps_but_training_output_is_raw():
    torch.manual_seed(0)
    ae = MultiViewAutoencoder(
        AutoencoderConfig(views=1, channels=1, image_size=8, latent_dim=2, widths=(4,))
    )
    z = 100 * torch.randn(4, 1, 2)
    raw = ae.decode(z, clamp=False)
    assert raw.min() < 0 or raw.max() > 1, "a linear output reaches beyond [0, 1] for large latents"
    assert torch.equal(ae.decode(z), raw.clamp(0, 1))


def test_residual_blocks_start_as_the_identity():
    block = ResBlock(16, groups=8)
    x = torch.randn(2, 16, 5, 5)
    assert torch.equal(block(x), x)


def test_resize_conv_has_no_checkerboard_for_a_constant_input():
    # a transposed conv with stride 2 gives a constant input a period-2 pattern (its output
    # pixels see different numbers of kernel taps); resize-then-conv keeps the interior constant
    torch.manual_seed(0)
    up = ResizeConv(4, 3, size=14)
    out = up(torch.ones(1, 4, 7, 7))[..., 1:-1, 1:-1]  # away from the zero padding
    assert out.shape[-1] == 12
    assert torch.allclose(out, out[..., :1, :1].expand_as(out), atol=1e-6)
    transposed = torch.nn.ConvTranspose2d(4, 3, 3, 2, 1, output_padding=1)
    tout = transposed(torch.ones(1, 4, 7, 7))[..., 1:-1, 1:-1]
    assert not torch.allclose(tout, tout[..., :1, :1].expand_as(tout), atol=1e-3)


def test_resnet_config_checks_its_options():
    with pytest.raises(SemcomError, match="unknown autoencoder arch 'unet'; allowed: resnet, conv"):
        AutoencoderConfig(views=1, channels=3, image_size=32, arch="unet")
    with pytest.raises(SemcomError, match="divisible by groups = 8"):
        AutoencoderConfig(views=1, channels=3, image_size=32, arch="resnet", widths=(12, 24))
    with pytest.raises(SemcomError, match="blocks per stage must be >= 0"):
        AutoencoderConfig(views=1, channels=3, image_size=32, arch="resnet", blocks=-1)


def test_a_config_without_arch_is_the_first_design():
    # checkpoints written before ``arch`` existed hold the plain conv design
    assert AutoencoderConfig(views=1, channels=3, image_size=32).arch == "conv"


def test_reconstruction_loss_is_the_mean_error_and_a_weight_normalises_itself():
    x = torch.zeros(1, 1, 1, 2, 2)
    x_hat = torch.tensor([0.1, 0.2, 0.3, 0.4]).reshape(1, 1, 1, 2, 2)
    assert reconstruction_loss(x_hat, x, "l1").item() == pytest.approx(0.25)
    assert reconstruction_loss(x_hat, x, "mse").item() == pytest.approx(0.075)
    constant = torch.full((1, 1, 1, 2, 2), 7.0)
    assert reconstruction_loss(x_hat, x, "l1", constant).item() == pytest.approx(0.25)
    only_last = torch.tensor([0.0, 0.0, 0.0, 1.0]).reshape(1, 1, 1, 2, 2)
    assert reconstruction_loss(x_hat, x, "l1", only_last).item() == pytest.approx(0.4)


def test_spatial_latent_values_describe_their_own_patch():
    # with a spatial latent the decoder's first layer is a 3x3 conv on the s x s grid, so the
    # encoder's value at one corner cannot change the opposite corner of the map before the
    # upsampling stages; the grid must fit the latent size
    cfg = AutoencoderConfig(views=1, channels=3, image_size=32, latent_dim=64, arch="resnet", spatial=True)
    ae = MultiViewAutoencoder(cfg)
    assert ae.encode(torch.rand(2, 1, 3, 32, 32)).shape == (2, 1, 64)
    with pytest.raises(SemcomError, match="divisible by 16"):
        AutoencoderConfig(views=1, channels=3, image_size=32, latent_dim=40, arch="resnet", spatial=True)
