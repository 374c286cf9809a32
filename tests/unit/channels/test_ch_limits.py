"""Capacities, outage and closed-form BER against numerical integration and textbook forms."""

import math

import numpy as np
import pytest
from scipy import integrate

from channels.limits import (
    awgn_capacity,
    ber_tail_terms,
    bits_in_channel_uses,
    capacity_snr_db,
    q_function,
    rayleigh_ergodic_capacity,
    rayleigh_outage_probability,
    uncoded_ber,
)


@pytest.mark.parametrize("snr", [1e-3, 0.1, 1.0, 10.0, 1000.0])
def test_ergodic_capacity_matches_numerical_integration(snr):
    value, _ = integrate.quad(lambda g: math.log2(1 + snr * g) * math.exp(-g), 0, math.inf)
    assert rayleigh_ergodic_capacity(snr) == pytest.approx(value, rel=1e-6)
    assert rayleigh_ergodic_capacity(snr) < awgn_capacity(snr)  # Jensen


def test_ergodic_capacity_small_snr_branch_is_continuous():
    assert rayleigh_ergodic_capacity(1 / 499.0) == pytest.approx(rayleigh_ergodic_capacity(1 / 501.0), rel=1e-2)
    assert rayleigh_ergodic_capacity(1e-5) == pytest.approx(1e-5 / math.log(2), rel=1e-4)


@pytest.mark.parametrize("rate,snr", [(0.5, 1.0), (2.0, 100.0), (4.0, 30.0)])
def test_outage_probability_matches_integral(rate, snr):
    value, _ = integrate.quad(lambda g: math.exp(-g), 0, (2**rate - 1) / snr)
    assert rayleigh_outage_probability(rate, snr) == pytest.approx(value, rel=1e-9)


def test_bits_in_channel_uses_and_capacity_snr():
    assert bits_in_channel_uses(1000, 1.0) == 1000  # log2(2) = 1
    assert bits_in_channel_uses(1000, 3.0) == 2000
    assert bits_in_channel_uses(10, 10.0, "rayleigh") == math.floor(10 * float(rayleigh_ergodic_capacity(10.0)))
    assert capacity_snr_db(1.0) == pytest.approx(0.0)
    assert awgn_capacity(10 ** (capacity_snr_db(2.5) / 10)) == pytest.approx(2.5)


def test_tail_terms_reproduce_textbook_forms():
    snr = np.array([0.5, 3.0, 20.0])
    assert uncoded_ber("bpsk", snr) == pytest.approx(q_function(np.sqrt(2 * snr)))
    assert uncoded_ber("qpsk", snr) == pytest.approx(q_function(np.sqrt(snr)))
    # exact Gray 16-QAM: 3/4 Q(sqrt(snr/5)) + 1/2 Q(3 sqrt(snr/5)) - 1/4 Q(5 sqrt(snr/5))
    s = np.sqrt(snr / 5)
    expected = 0.75 * q_function(s) + 0.5 * q_function(3 * s) - 0.25 * q_function(5 * s)
    assert uncoded_ber("qam16", snr) == pytest.approx(expected)
    # probabilities: weights sum to the BER at snr = 0 (1/2 of the bits wrong by guessing)
    for mod in ("qpsk", "qam16", "qam64", "qam256"):
        assert sum(w for w, _ in ber_tail_terms(mod)) * 0.5 == pytest.approx(0.5)


@pytest.mark.parametrize("mod", ["bpsk", "qam16", "qam64"])
def test_rayleigh_ber_is_the_awgn_ber_averaged_over_exponential_gain(mod):
    snr = 10.0
    value, _ = integrate.quad(lambda g: float(uncoded_ber(mod, snr * g)) * math.exp(-g), 0, math.inf)
    assert uncoded_ber(mod, snr, "rayleigh") == pytest.approx(value, rel=1e-6)


def test_dispersion_is_the_variance_of_the_information_density():
    """V is the variance of i(x; y) = log2 (p(y|x) / q(y)) with the capacity-achieving output
    q = CN(0, 1 + snr) and equal-power inputs (|x| = 1; i.i.d. Gaussian inputs would give the
    larger 2 snr / (1 + snr) log2(e)^2)."""
    from channels.limits import awgn_dispersion

    rng = np.random.default_rng(0)
    n = 400_000
    for snr in (0.5, 4.0):
        x = np.exp(2j * np.pi * rng.random(n))
        w = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) / math.sqrt(2)
        y = math.sqrt(snr) * x + w
        density = np.log2(1 + snr) + math.log2(math.e) * (np.abs(y) ** 2 / (1 + snr) - np.abs(w) ** 2)
        assert density.mean() == pytest.approx(float(awgn_capacity(snr)), abs=0.01)
        assert density.var() == pytest.approx(float(awgn_dispersion(snr)), rel=0.02)


def test_normal_approximation_tends_to_capacity():
    from channels.limits import awgn_normal_approximation_bler

    snr_lo, snr_hi = 10 ** (-0.5 / 10), 10 ** (0.5 / 10)  # capacity 1 bit/use at 0 dB
    for n in (10_000, 1_000_000):
        assert awgn_normal_approximation_bler(n, n, snr_lo) > 0.5
        assert awgn_normal_approximation_bler(n, n, snr_hi) < 0.5
    assert awgn_normal_approximation_bler(10**6, 10**6, snr_hi) < 1e-9
