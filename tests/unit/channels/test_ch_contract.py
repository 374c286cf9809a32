"""Every registered channel keeps the contract, checked against theory (channels.contract)."""

import math

import numpy as np
import pytest
import torch

from channels.channel import apply, draw_realization, noiseless_realization
from channels.contract import FADING_KINDS, Channel
from channels.errors import ChannelError
from channels.registry import abstraction_channels, channel_names, get_channel, register_channel

NAMES = channel_names()


def test_builtins_are_registered_once_each():
    assert NAMES[:3] == ("awgn", "rayleigh-block", "rayleigh-fast")
    assert len(set(NAMES)) == len(NAMES)
    assert abstraction_channels()[:2] == ("awgn", "rayleigh-block")


@pytest.mark.parametrize("name", NAMES)
def test_gains_have_the_shape_and_unit_average_power(name):
    channel = get_channel(name)
    assert channel.name == name and channel.fading in FADING_KINDS and channel.description
    fading = channel.draw_gains((512, 64), torch.Generator().manual_seed(0))  # 512 rows: 512 draws of a packet's channel
    assert fading.h.shape == (512, 64) and fading.h.dtype == torch.complex64
    power = float((fading.h.abs() ** 2).mean())
    assert power == pytest.approx(1.0, abs=0.1)  # E|h|^2 = 1: the SNR is the average SNR
    if channel.fading == "block":
        assert bool((fading.h == fading.h[:, :1]).all())  # one block per row by default
    if channel.fading == "none":
        again = channel.draw_gains((512, 64), torch.Generator().manual_seed(1)).h
        assert torch.equal(fading.h, again)  # nothing random


@pytest.mark.parametrize("name", NAMES)
def test_same_generator_state_same_realisation(name):
    a = draw_realization(name, (3, 40), torch.Generator().manual_seed(7))
    b = draw_realization(name, (3, 40), torch.Generator().manual_seed(7))
    assert torch.equal(a.h, b.h) and torch.equal(a.noise, b.noise)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("snr_db", [0.0, 10.0])
def test_capacity_is_the_mean_of_log2_1_plus_snr_gain(name, snr_db):
    """Ergodic capacity with receiver CSI: E[log2(1 + snr |h|^2)] over the channel's own draws."""
    channel = get_channel(name)
    snr = 10 ** (snr_db / 10)
    h = channel.draw_gains((20000, 8), torch.Generator().manual_seed(3)).h  # 20,000 blocks
    monte_carlo = float(torch.log2(1 + snr * h.abs().double() ** 2).mean())
    assert float(channel.capacity(snr)) == pytest.approx(monte_carlo, rel=0.02)
    assert channel.bound_rate(snr) <= float(channel.capacity(snr)) + 1e-12


def test_block_fading_bound_rate_is_the_outage_capacity():
    """P[log2(1 + snr |h|^2) < R_eps] = eps for the rate the capacity bound uses."""
    channel = get_channel("rayleigh-block")
    snr = 10.0
    rate = channel.bound_rate(snr, outage=0.01)
    assert float(channel.outage_probability(rate, snr)) == pytest.approx(0.01, rel=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_received_snr_follows_the_convention(name):
    """y = h x + sqrt(N0) w with N0 = 10^(-SNR/10): the noise power matches the SNR."""
    real = draw_realization(name, (200, 200), torch.Generator().manual_seed(2))
    x = torch.zeros(200, 200, dtype=torch.complex64)
    noise_power = float((apply(x, real, 10.0).abs() ** 2).mean())
    assert noise_power == pytest.approx(0.1, rel=0.03)


def test_noiseless_realisation_only_for_channels_without_fading():
    assert torch.equal(noiseless_realization("awgn", (2, 3)).h, torch.ones(2, 3, dtype=torch.complex64))
    with pytest.raises(ChannelError, match="fades"):
        noiseless_realization("rayleigh-block", (2, 3))


def test_registering_a_taken_name_or_a_bad_one_is_refused():
    class Impostor(Channel):
        name = "awgn"
        description = "x"
        fading = "none"

        def draw_gains(self, shape, generator, *, block_index=None, block_gains=None):
            raise AssertionError

        def capacity(self, snr):
            return np.zeros_like(snr)

    with pytest.raises(ChannelError, match="taken"):
        register_channel(Impostor)
    Impostor.name, Impostor.fading = "impostor", "sometimes"
    with pytest.raises(ChannelError, match="allowed: none, block, symbol"):
        register_channel(Impostor)
    assert "impostor" not in channel_names()
    assert math.isfinite(float(get_channel("awgn").capacity(1.0)))
