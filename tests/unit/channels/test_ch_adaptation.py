"""Link adaptation policies against theory: the outage policy averages the BLER over the fades."""

import math

import numpy as np
import pytest
import torch

from channels.abstraction import BlerTable
from channels.adaptation import (
    average_bler,
    check_mcs_setting,
    csi_mcs,
    effective_snr_db,
    gains_db,
    select_mcs,
)
from channels.errors import ChannelError
from channels.mcs import MCS_TABLE, mcs_by_name


def test_without_fading_the_outage_policy_is_the_awgn_one():
    assert gains_db("awgn").tolist() == [0.0]
    for snr in (0.0, 5.0, 12.0, 25.0):
        assert select_mcs("auto-outage", snr, "awgn") == select_mcs("auto-awgn", snr, "awgn") == select_mcs("auto", snr)


def test_averaging_a_step_curve_gives_the_rayleigh_outage_probability():
    """A code that decodes exactly above T dB fails on a Rayleigh block with probability
    P[snr |h|^2 < T] = 1 - exp(-T / snr)."""
    threshold = 6.0
    rows = [{"mcs": "qpsk-1/2", "snr_db": s, "bler": b}
            for s, b in ((-20.0, 1.0), (threshold - 1e-6, 1.0), (threshold, 0.0), (60.0, 0.0))]
    table = BlerTable(rows, 512)
    gain = gains_db("rayleigh-block")
    for snr in (5.0, 15.0, 25.0):
        theory = -math.expm1(-(10 ** (threshold / 10)) / 10 ** (snr / 10))
        assert average_bler(table, mcs_by_name("qpsk-1/2"), snr, gain) == pytest.approx(theory, abs=0.01)


def test_under_block_fading_the_outage_policy_is_more_robust_and_meets_the_target():
    table = BlerTable.load(512)
    gain = gains_db("rayleigh-block")
    awgn_choice = select_mcs("auto-awgn", 20.0, "rayleigh-block")
    outage_choice = select_mcs("auto-outage", 20.0, "rayleigh-block")
    assert outage_choice.spectral_efficiency < awgn_choice.spectral_efficiency
    assert average_bler(table, outage_choice, 20.0, gain) <= 0.1 < average_bler(table, awgn_choice, 20.0, gain)
    better = [m for m in table.mcs if m.spectral_efficiency > outage_choice.spectral_efficiency]
    assert all(average_bler(table, m, 20.0, gain) > 0.1 for m in better)  # the most efficient that meets it


def test_csi_policy_follows_each_blocks_snr():
    gains = torch.tensor([[1.0 + 0j], [0.1 + 0j], [2.0 + 0j]], dtype=torch.complex64)
    snr = effective_snr_db(15.0, gains)
    assert snr == pytest.approx([15.0, -5.0, 15.0 + 10 * math.log10(4.0)], abs=1e-5)
    chosen = csi_mcs(snr)
    table = BlerTable.load(512)
    assert chosen[0] == table.best_mcs(15.0) and chosen[1] == MCS_TABLE[0]
    assert chosen[2].spectral_efficiency >= chosen[0].spectral_efficiency
    assert np.all(np.diff([m.spectral_efficiency for m in (chosen[1], chosen[0], chosen[2])]) >= 0)


def test_bad_settings_name_the_policies_and_the_table():
    assert check_mcs_setting("qam16-1/2") == "qam16-1/2"
    with pytest.raises(ChannelError, match="unknown MCS 'auto-best'; allowed: auto-awgn, auto-outage, auto-csi, auto, qpsk-1/5"):
        check_mcs_setting("auto-best")
    with pytest.raises(ChannelError, match="allowed channels: awgn, rayleigh-block"):
        select_mcs("auto-outage", 10.0, "rayleigh-fast")
    with pytest.raises(ChannelError, match="allowed: auto-awgn, auto-outage"):
        select_mcs("auto-csi", 10.0, "rayleigh-block")
