"""BICM mutual information per coded bit: the shipped table against theory and a fresh Monte Carlo."""

import math

import numpy as np
import pytest

from channels.mutual_information import bit_mi, simulate_curve, snr_for_mi


def test_low_snr_bpsk_carries_its_capacity_slope():
    # BPSK at Es/N0 = s << 1 carries s / ln 2 bit per use
    assert float(bit_mi("bpsk", -20.0)) == pytest.approx(0.01 / math.log(2), rel=0.03)
    assert float(bit_mi("bpsk", 15.0)) > 0.999 and float(bit_mi("qam256", 40.0)) > 0.999


@pytest.mark.parametrize("snr_db", [-6.0, 0.0, 3.0, 8.0])
def test_gray_qpsk_is_two_bpsk_at_half_the_energy(snr_db):
    assert float(bit_mi("qpsk", snr_db)) == pytest.approx(float(bit_mi("bpsk", snr_db - 10 * math.log10(2))), abs=0.01)


def test_denser_constellations_carry_less_per_bit_and_the_inverse_holds():
    snr = np.array([0.0, 10.0, 20.0])
    curves = [bit_mi(m, snr) for m in ("qpsk", "qam16", "qam64", "qam256")]
    assert all((a >= b).all() for a, b in zip(curves, curves[1:]))
    mi = np.array([0.2, 0.5, 0.9])
    assert bit_mi("qam64", snr_for_mi("qam64", mi)) == pytest.approx(mi, abs=1e-3)
    assert snr_for_mi("qpsk", 1.0) == np.inf and snr_for_mi("qpsk", 0.0) == -np.inf


def test_shipped_table_matches_a_fresh_monte_carlo():
    grid = np.array([0.0, 8.0, 16.0])
    fresh = simulate_curve("qam16", grid, symbols=4000, seed=3)
    assert fresh == pytest.approx(bit_mi("qam16", grid), abs=0.02)
