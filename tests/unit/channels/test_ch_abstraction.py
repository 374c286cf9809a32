"""PHY abstraction: table lookup, best MCS, block-fading SNR mapping, and agreement with the
full digital link (BLER curves within 0.5 dB at BLER 0.1)."""

import math

import numpy as np
import pytest
import torch

from channels.abstraction import AbstractLink, BlerTable, table_path, validate_against_link
from channels.digital import DigitalLink
from channels.errors import ChannelError
from channels.mcs import MCS_TABLE, mcs_by_name


def synthetic_table(k=512):
    """Waterfalls 1 dB wide, 10^-1 per 0.5 dB, starting 1 dB above the Shannon limit."""
    rows = []
    for mcs in MCS_TABLE:
        start = 10 * math.log10(2**mcs.spectral_efficiency - 1) + 1.0
        for i, bler in enumerate([1.0, 0.1, 0.01, 0.0]):
            rows.append({"mcs": mcs.name, "snr_db": start + 0.5 * i, "bler": bler})
    return BlerTable(rows, k)


def test_lookup_interpolates_in_log_domain_and_clamps():
    table = synthetic_table()
    mcs = mcs_by_name("qam16-1/2")
    start = 10 * math.log10(2**2 - 1) + 1.0
    bler = table.bler(mcs, np.array([start - 3, start, start + 0.25, start + 0.5, start + 5]))
    assert bler[0] == 1.0 and bler[1] == pytest.approx(1.0)
    assert bler[2] == pytest.approx(10**-0.5)  # halfway between 1 and 0.1 in log
    assert bler[3] == pytest.approx(0.1) and bler[4] == 0.0
    assert table.curves[mcs.name].snr_at(0.1) == pytest.approx(start + 0.5)


def test_best_mcs_is_the_fastest_that_meets_the_target():
    table = synthetic_table()
    assert table.best_mcs(-20.0) is None
    for snr in (0.0, 5.0, 12.0, 30.0):
        best = table.best_mcs(snr, target_bler=0.1)
        ok = [m for m in MCS_TABLE if table.bler(m, snr) <= 0.1]
        assert best.spectral_efficiency == max(m.spectral_efficiency for m in ok)
    assert table.best_mcs(30.0).name == "qam256-5/6"


def test_block_fading_shifts_each_codeword_snr_by_its_gain():
    table = synthetic_table()
    link = AbstractLink("qpsk-1/2", table=table)
    digital = DigitalLink(link.config)
    real = digital.draw_realization("rayleigh-block", 64, 2000, torch.Generator().manual_seed(0))
    plan = link.plan(2000)
    eff = link.codeword_snr_db(real, 3.0, plan, 64)
    gain = real.h.reshape(64, plan.num_codewords, -1)[:, :, 0].abs() ** 2
    assert torch.allclose(eff, 3.0 + 10 * torch.log10(gain.double()), atol=1e-5)
    out = link.transmit(2000, 64, 3.0, torch.Generator().manual_seed(1), realization=real)
    assert out.channel_uses == digital.plan(2000).channel_uses
    assert torch.equal(out.crc_ok, ~out.codeword_errors.any(1))
    # deep fades fail, strong blocks pass
    assert out.codeword_errors[eff < -5].all() and not out.codeword_errors[eff > 10].any()
    fast = digital.draw_realization("rayleigh-fast", 2, 2000, torch.Generator())
    with pytest.raises(ChannelError, match="rayleigh-fast"):
        link.transmit(2000, 2, 3.0, torch.Generator(), realization=fast)


def test_missing_table_and_unknown_mcs_are_user_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("SEMCOM_CACHE", str(tmp_path))
    with pytest.raises(ChannelError, match="semcom link table --block-len 77"):
        BlerTable.load(77)
    with pytest.raises(ChannelError, match="unknown MCS"):
        synthetic_table().bler("qam32-1/2", 3.0)


shipped = pytest.mark.skipif(not table_path(512).is_file(), reason="BLER table k=512 not built")


@shipped
@pytest.mark.parametrize("mcs_name", ["qpsk-1/2", "qam16-2/3"])
def test_abstraction_matches_full_link_at_bler_0_1_fast(mcs_name):
    table = BlerTable.load(512)
    result = validate_against_link(mcs_name, table, torch.Generator().manual_seed(123), blocks=200,
                                   offsets_db=(-0.3, 0.3))
    assert abs(result["difference_db"]) < 0.5


@pytest.mark.slow
@shipped
@pytest.mark.parametrize("mcs_name", ["qpsk-1/2", "qpsk-2/3", "qam16-1/2", "qam16-2/3", "qam64-3/4"])
def test_abstraction_matches_full_link_at_bler_0_1(mcs_name):
    table = BlerTable.load(512)
    result = validate_against_link(mcs_name, table, torch.Generator().manual_seed(7), blocks=1000)
    assert abs(result["difference_db"]) < 0.5


def test_envelope_is_the_maximum_goodput_and_below_capacity():
    from channels.report import envelope_rows

    table = synthetic_table()
    rows = envelope_rows(table, [0.0, 10.0, 25.0], 0.1)
    for row in rows:
        best = max(float(table.goodput(m, row["snr_db"])) for m in MCS_TABLE)
        assert row["envelope_goodput"] == pytest.approx(best)
        assert row["envelope_goodput"] < row["awgn_capacity"]
    assert rows[-1]["best_mcs"] == "qam256-5/6"
