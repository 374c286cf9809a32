"""Crossing SNR and capacity gap of a curve."""

import math

import numpy as np
import pandas as pd
import pytest

from channels.report import capacity_gap_rows, snr_at_bler


def test_crossing_is_log_linear_between_bracketing_points():
    snr = np.array([0.0, 1.0, 2.0, 3.0])
    bler = np.array([1.0, 0.1, 0.001, 0.0])
    assert snr_at_bler(snr, bler, 0.01) == pytest.approx(1.5)
    assert math.isnan(snr_at_bler(snr, bler, 1e-5))


def test_gap_uses_the_codeword_spectral_efficiency():
    # 512 bits per 512 channel uses = 1 bit/use: capacity at 0 dB
    frame = pd.DataFrame({"snr_db": [1.0, 2.0], "bler": [0.1, 0.001], "bits": [5120, 5120],
                          "blocks": [10, 10], "block_channel_uses": [512, 512]})
    row = capacity_gap_rows({"c": frame}, 0.01)[0]
    assert row["spectral_efficiency"] == 1.0 and row["capacity_snr_db"] == pytest.approx(0.0)
    assert row["gap_db"] == pytest.approx(1.5)


def test_normal_approximation_snr_lies_between_capacity_and_the_code():
    from channels.limits import awgn_normal_approximation_bler
    from channels.report import normal_approximation_snr_db

    snr_db = normal_approximation_snr_db(512, 512, 0.01)
    assert 0.0 < snr_db < 1.5  # above capacity (0 dB) for a finite block
    assert awgn_normal_approximation_bler(512, 512, 10 ** (snr_db / 10)) == pytest.approx(0.01, rel=1e-3)
