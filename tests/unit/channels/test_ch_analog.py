"""Analog link: pairing, per-sample power, LMMSE error against theory, gradients."""

import math

import pytest
import torch

from channels.analog import AnalogLink, channel_uses, from_symbols, to_symbols
from channels.errors import ChannelError


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_pairs_and_unit_power_per_sample_and_round_trip():
    z = torch.randn(3, 5, 7) * torch.tensor([0.1, 1.0, 30.0]).reshape(3, 1, 1)
    s, scale = to_symbols(z)
    assert s.shape == (3, channel_uses(35)) == (3, 18)
    assert torch.allclose((s.abs() ** 2).mean(1), torch.ones(3), atol=1e-5)
    assert s[0, 0] * scale[0, 0] == pytest.approx(complex(z[0, 0, 0], z[0, 0, 1]), abs=1e-5)
    assert torch.allclose(from_symbols(s, scale, z.shape), z, atol=1e-5)


def test_noiseless_limit_reconstructs_and_mse_matches_lmmse_theory():
    z = torch.randn(8, 2000)
    link = AnalogLink("lmmse")
    z_hat, uses = link.transmit(z, "awgn", 60.0, gen())
    assert uses == 1000 and torch.allclose(z_hat, z, atol=1e-2)
    # AWGN, unit-power symbols: LMMSE output s/(1+N0) + noise; per-symbol MSE = N0 / (1 + N0)
    snr_db, n0 = 0.0, 1.0
    _, scale = to_symbols(z)
    z_hat, _ = link.transmit(z, "awgn", snr_db, gen(1))
    mse = ((z_hat - z) ** 2).reshape(8, -1).sum(1) / 1000 / scale.squeeze(1) ** 2
    assert mse.mean().item() == pytest.approx(n0 / (1 + n0), rel=5 / math.sqrt(8000))


def test_lmmse_beats_zf_under_fast_fading():
    z = torch.randn(4, 4000)
    errors = {}
    for eq in ("zf", "lmmse"):
        z_hat, _ = AnalogLink(eq).transmit(z, "rayleigh-fast", 5.0, gen())
        errors[eq] = ((z_hat - z) ** 2).mean().item()
    assert errors["lmmse"] < errors["zf"]


def test_gradients_flow_to_the_input():
    z = torch.randn(2, 3, 4, requires_grad=True)
    z_hat, _ = AnalogLink().transmit(z, "rayleigh-block", 10.0, gen())
    z_hat.square().sum().backward()
    assert z.grad is not None and torch.isfinite(z.grad).all() and z.grad.abs().sum() > 0


def test_same_seed_same_output_and_per_sample_snr():
    z = torch.randn(2, 10)
    a, _ = AnalogLink().transmit(z, "rayleigh-fast", torch.tensor([0.0, 20.0]), gen(5))
    b, _ = AnalogLink().transmit(z, "rayleigh-fast", torch.tensor([0.0, 20.0]), gen(5))
    assert torch.equal(a, b)
    assert ((a - z) ** 2)[1].sum() < ((a - z) ** 2)[0].sum()


def test_bad_inputs():
    with pytest.raises(ChannelError, match="equalizer"):
        AnalogLink("mf")
    with pytest.raises(ChannelError, match=r"\[B, \.\.\.\]"):
        to_symbols(torch.zeros(4))


def test_analog_link_reports_the_snr_each_packet_arrived_with():
    """Perfect CSI: nominal SNR + 10 log10 |h|^2 per packet (block fading), the nominal SNR on AWGN."""
    import math

    from channels.analog import AnalogLink

    packets = [torch.randn(10) for _ in range(3)]
    gen = torch.Generator().manual_seed(0)
    awgn = AnalogLink().send(packets, "awgn", 7.0, gen)
    torch.testing.assert_close(awgn.snr_db, torch.full((3,), 7.0))
    gains = torch.tensor([[1.0 + 0j], [0.1 + 0.1j], [2.0j]], dtype=torch.complex64)
    faded = AnalogLink().send(packets, "rayleigh-block", 7.0, gen, block_gains=gains)
    want = [7.0, 7.0 + 10 * math.log10(0.02), 7.0 + 10 * math.log10(4.0)]
    torch.testing.assert_close(faded.snr_db, torch.tensor(want))
