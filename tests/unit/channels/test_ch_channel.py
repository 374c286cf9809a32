"""Channel realisations: noise level per sample, reproducibility, shared fading, equaliser."""

import math

import pytest
import torch

from channels import channel as ch
from channels.errors import ChannelError


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_noise_power_follows_per_sample_snr():
    snr_db = torch.tensor([0.0, 10.0, -3.0])
    n = 200_000
    real = ch.draw_realization("awgn", (3, n), gen())
    y = ch.apply(torch.zeros(3, n, dtype=torch.complex64), real, snr_db)
    measured = (y.abs() ** 2).mean(1)
    expected = 10 ** (-snr_db / 10)
    # the mean of n Exp(N0) values has relative std 1/sqrt(n)
    assert torch.allclose(measured, expected, rtol=5 / math.sqrt(n))
    # circular: real and imaginary parts carry half each
    assert (y.real**2).mean(1) / measured == pytest.approx([0.5] * 3, abs=5 / math.sqrt(n))


def test_fast_fading_gains_are_cn01_and_block_gains_follow_index():
    n = 100_000
    fast = ch.draw_realization("rayleigh-fast", (2, n), gen())
    assert (fast.h.abs() ** 2).mean().item() == pytest.approx(1.0, abs=5 / math.sqrt(2 * n))
    index = torch.arange(6).repeat_interleave(4)
    block = ch.draw_realization("rayleigh-block", (5, 24), gen(), block_index=index)
    per_block = block.h.reshape(5, 6, 4)
    assert torch.equal(per_block, per_block[:, :, :1].expand(-1, -1, 4))
    assert len(torch.unique(per_block[:, :, 0].real)) == 30


def test_same_seed_same_realization_and_different_seed_differs():
    a = ch.draw_realization("rayleigh-fast", (4, 64), gen(7))
    b = ch.draw_realization("rayleigh-fast", (4, 64), gen(7))
    c = ch.draw_realization("rayleigh-fast", (4, 64), gen(8))
    assert torch.equal(a.h, b.h) and torch.equal(a.noise, b.noise)
    assert not torch.equal(a.noise, c.noise)


def test_one_realization_applied_to_two_transmissions_gives_identical_impairment():
    real = ch.draw_realization("rayleigh-block", (3, 40), gen())
    x1 = torch.randn(3, 40, dtype=torch.complex64)
    x2 = torch.randn(3, 40, dtype=torch.complex64)
    y1, y2 = ch.apply(x1, real, 5.0), ch.apply(x2, real, 5.0)
    assert torch.allclose(y1 - real.h * x1, y2 - real.h * x2)


def test_shared_block_gains_across_lengths():
    gains = ch.draw_block_gains(2, 3, gen())
    short = ch.draw_realization("rayleigh-block", (2, 6), gen(1), block_index=torch.arange(3).repeat_interleave(2), block_gains=gains)
    long = ch.draw_realization("rayleigh-block", (2, 9), gen(2), block_index=torch.arange(3).repeat_interleave(3), block_gains=gains)
    assert torch.equal(short.h[:, ::2], gains) and torch.equal(long.h[:, ::3], gains)


def test_equalizers_match_sionna_lmmse_and_theory():
    from sionna.phy.mimo import lmmse_equalizer

    real = ch.draw_realization("rayleigh-fast", (4, 16), gen())
    x = torch.randn(4, 16, dtype=torch.complex64)
    y = ch.apply(x, real, 3.0)
    x_zf, no_zf = ch.equalize(y, real, 3.0, "zf")
    no = 10 ** (-0.3)
    s = torch.full((64, 1, 1), no, dtype=torch.complex64)
    x_s, no_s = lmmse_equalizer(y.reshape(64, 1), real.h.reshape(64, 1, 1), s)
    assert torch.allclose(x_zf.reshape(64, 1), x_s, atol=1e-4)
    assert torch.allclose(no_zf.reshape(64, 1), no_s, rtol=1e-4)
    x_mmse, mse = ch.equalize(y, real, 3.0, "lmmse")
    g = real.h.abs() ** 2
    assert torch.allclose(x_mmse, x_zf * g / (g + no), atol=1e-5)
    assert torch.allclose(mse, no / (g + no))


@pytest.mark.parametrize("snr", [float("nan"), float("inf"), torch.tensor([1.0, float("nan")])])
def test_non_finite_snr_is_a_user_error(snr):
    real = ch.draw_realization("awgn", (2, 4), gen())
    with pytest.raises(ChannelError, match="SNR must be finite"):
        ch.apply(torch.zeros(2, 4, dtype=torch.complex64), real, snr)


def test_shape_mismatches_and_unknown_kinds():
    real = ch.draw_realization("awgn", (2, 4), gen())
    with pytest.raises(ChannelError, match="does not match"):
        ch.apply(torch.zeros(2, 5, dtype=torch.complex64), real, 0.0)
    with pytest.raises(ChannelError, match="one value per sample"):
        ch.apply(torch.zeros(2, 4, dtype=torch.complex64), real, torch.zeros(3))
    with pytest.raises(ChannelError, match="unknown channel"):
        ch.draw_realization("rician", (2, 4), gen())
    with pytest.raises(ChannelError, match="unknown equalizer"):
        ch.equalize(torch.zeros(2, 4, dtype=torch.complex64), real, 0.0, "mmse")


def test_imperfect_csi_estimate_and_its_effective_noise():
    index = torch.arange(4).repeat_interleave(50)
    perfect = ch.draw_realization("rayleigh-block", (3, 200), gen(), block_index=index)
    noisy = ch.draw_realization("rayleigh-block", (3, 200), gen(), block_index=index, csi_error_var=0.1)
    # the true channel and noise do not depend on the option (estimation error is drawn last)
    assert torch.equal(perfect.h, noisy.h) and torch.equal(perfect.noise, noisy.noise)
    assert perfect.h_est is None
    est = noisy.h_est.reshape(3, 4, 50)
    assert torch.equal(est, est[:, :, :1].expand_as(est))  # one estimate per fading block
    y = ch.apply(torch.ones(3, 200, dtype=torch.complex64), noisy, 10.0)
    x_hat, no_eff = ch.equalize(y, noisy, 10.0, "zf")
    assert torch.allclose(x_hat, y / noisy.h_est)
    assert torch.allclose(no_eff, (0.1 + 0.1) / noisy.h_est.abs() ** 2)
    big = ch.draw_realization("rayleigh-fast", (1, 100_000), gen(), csi_error_var=0.25)
    err = big.h_est - big.h
    assert (err.abs() ** 2).mean().item() == pytest.approx(0.25, rel=5 / math.sqrt(100_000))
    with pytest.raises(ChannelError, match="CSI error variance"):
        ch.draw_realization("awgn", (1, 4), gen(), csi_error_var=float("nan"))
