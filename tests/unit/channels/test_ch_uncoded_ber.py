"""Uncoded BER of the digital link against the exact closed forms (perfect CSI).

Tolerances follow from the number of simulated bits: the errors of the bits of one symbol may be
correlated, so the standard deviation of the BER estimate is bounded by sqrt(m p (1 - p) / n)
(m bits per symbol, n bits); for block fading the blocks are the independent units and the
variance per block is computed from the closed form (between-block spread of p(snr |h|^2) plus
the within-block binomial term). Each check allows 5 standard deviations.
"""

import math

import numpy as np
import pytest
import torch
from scipy import integrate

from channels.digital import DigitalLink, DigitalLinkConfig
from channels.limits import uncoded_ber

CASES = [("bpsk", 4.0), ("qpsk", 6.0), ("qam16", 10.0)]


def simulate(mod, channel, snr_db, block_bits, blocks, seed=0):
    link = DigitalLink(DigitalLinkConfig(modulation=mod, code="none", codeword_info_bits=block_bits, crc=None))
    bits = torch.randint(0, 2, (blocks, block_bits), generator=torch.Generator().manual_seed(seed + 1))
    out = link.transmit(bits.float(), channel, snr_db, torch.Generator().manual_seed(seed))
    return out.bit_errors.sum().item() / bits.numel()


@pytest.mark.parametrize("mod,snr_db", CASES)
@pytest.mark.parametrize("channel", ["awgn", "rayleigh-fast"])
def test_uncoded_ber_matches_closed_form(mod, snr_db, channel):
    m = {"bpsk": 1, "qpsk": 2, "qam16": 4}[mod]
    n_bits = 400_000
    ber = simulate(mod, channel, snr_db, 4000, n_bits // 4000)
    p = float(uncoded_ber(mod, 10 ** (snr_db / 10), "awgn" if channel == "awgn" else "rayleigh"))
    sigma = math.sqrt(m * p * (1 - p) / n_bits)
    assert abs(ber - p) < 5 * sigma, (ber, p, sigma)


@pytest.mark.parametrize("mod,snr_db", CASES)
def test_block_rayleigh_ber_matches_closed_form(mod, snr_db):
    m = {"bpsk": 1, "qpsk": 2, "qam16": 4}[mod]
    block_bits, blocks = 16, 20_000
    snr = 10 ** (snr_db / 10)
    ber = simulate(mod, "rayleigh-block", snr_db, block_bits, blocks)
    p = float(uncoded_ber(mod, snr, "rayleigh"))
    # per-block BER variance: Var_g[p(snr g)] + E_g[m p(snr g)(1 - p(snr g)) / block_bits]
    def pg(g):
        return float(uncoded_ber(mod, snr * g))
    second = integrate.quad(lambda g: pg(g) ** 2 * math.exp(-g), 0, np.inf)[0]
    within = integrate.quad(lambda g: pg(g) * (1 - pg(g)) * math.exp(-g), 0, np.inf)[0]
    var_block = second - p**2 + m * within / block_bits
    sigma = math.sqrt(var_block / blocks)
    assert abs(ber - p) < 5 * sigma, (ber, p, sigma)
    # and the fading is really per block: the spread of block error counts exceeds binomial
    assert var_block > m * p * (1 - p) / block_bits


def test_channel_estimation_error_costs_ber_and_zero_error_changes_nothing():
    link = DigitalLink(DigitalLinkConfig(modulation="qpsk", code="none", codeword_info_bits=100, crc=None))
    bits = torch.randint(0, 2, (2000, 100), generator=torch.Generator().manual_seed(1)).float()
    ber = {}
    for var in (0.0, 0.05, 0.3):
        out = link.transmit(bits, "rayleigh-block", 15.0, torch.Generator().manual_seed(0), csi_error_var=var)
        ber[var] = out.bit_errors.sum().item() / bits.numel()
    p = float(uncoded_ber("qpsk", 10**1.5, "rayleigh"))
    assert abs(ber[0.0] - p) < 5 * math.sqrt(2 * p / bits.numel() * 100)  # loose: 2000 fading blocks
    assert ber[0.0] < ber[0.05] < ber[0.3]
