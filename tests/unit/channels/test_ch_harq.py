"""Chase-combining HARQ: exact channel-use accounting, the SNR gain of combining, and the full
link against the abstraction."""

import math

import pytest
import torch

from channels.abstraction import AbstractLink, link_config
from channels.digital import DigitalLink
from channels.errors import ChannelError
from channels.harq import HarqConfig
from channels.mcs import mcs_by_name

QPSK = mcs_by_name("qpsk-1/2")


def _packets(count, bits=488, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(0, 2, (bits,), generator=g).float() for _ in range(count)]


def test_bad_settings_are_one_line():
    with pytest.raises(ChannelError, match="max_transmissions must be an integer in 1..16, got 0"):
        HarqConfig(0)
    with pytest.raises(ChannelError, match="unknown HARQ fading 'often'; allowed: new, same"):
        HarqConfig(4, "often")


def test_one_transmission_is_the_link_without_harq():
    packets = _packets(6)
    plain = DigitalLink(link_config(QPSK, 512)).send(packets, "rayleigh-block", 3.0, torch.Generator().manual_seed(1))
    single = DigitalLink(link_config(QPSK, 512), harq=HarqConfig(1)).send(
        packets, "rayleigh-block", 3.0, torch.Generator().manual_seed(1))
    assert torch.equal(plain.crc_ok, single.crc_ok) and torch.equal(plain.channel_uses, single.channel_uses)


def test_channel_uses_count_every_copy_sent_and_combining_gains_3_db_per_doubling():
    """AWGN at -1 dB: QPSK 1/2 (k = 512) fails alone; two copies (+3 dB) mostly decode."""
    link = DigitalLink(link_config(QPSK, 512), harq=HarqConfig(4))
    packets = _packets(40)
    out = link.send(packets, "awgn", -1.0, torch.Generator().manual_seed(2))
    per_copy = link.plan(488).channel_uses
    single = DigitalLink(link_config(QPSK, 512)).send(packets, "awgn", -1.0, torch.Generator().manual_seed(2))
    rounds = out.channel_uses // per_copy
    assert torch.equal(out.channel_uses, rounds * per_copy) and bool(((rounds >= 1) & (rounds <= 4)).all())
    assert single.crc_ok.float().mean() < 0.5 and out.crc_ok.all()
    assert float(rounds.float().mean()) <= 2.5
    assert out.bit_errors.sum() == 0  # what passed the CRC is the payload


@pytest.mark.parametrize("fading", ["new", "same"])
def test_abstraction_follows_the_full_link(fading):
    """Rayleigh block fading, 6 dB, QPSK 1/2, 4 transmissions: residual loss and mean channel
    uses agree within Monte-Carlo error (200 packets)."""
    harq = HarqConfig(4, fading)
    packets = _packets(200)
    gains = torch.complex(torch.randn(200, 1), torch.randn(200, 1)) * math.sqrt(0.5)
    full = DigitalLink(link_config(QPSK, 512), harq=harq).send(
        packets, "rayleigh-block", 6.0, torch.Generator().manual_seed(3), block_gains=gains)
    abstract = AbstractLink(QPSK, 512, harq=harq).send(
        packets, "rayleigh-block", 6.0, torch.Generator().manual_seed(3), block_gains=gains)
    loss_full, loss_abs = 1 - full.crc_ok.float().mean(), 1 - abstract.crc_ok.float().mean()
    assert abs(float(loss_full - loss_abs)) <= 0.06
    uses_full, uses_abs = full.channel_uses.float().mean(), abstract.channel_uses.float().mean()
    assert float(uses_abs / uses_full) == pytest.approx(1.0, abs=0.08)
    if fading == "new":  # time diversity: 4 independent fades leave almost nothing lost
        assert float(loss_abs) <= 0.03


def test_incremental_redundancy_sends_versions_0_2_3_1_and_version_0_is_the_plain_codeword():
    assert HarqConfig(6, combining="ir").redundancy_versions == [0, 2, 3, 1, 0, 2]
    with pytest.raises(ChannelError, match="unknown HARQ combining 'soft'; allowed: chase, ir"):
        HarqConfig(4, combining="soft")
    link = DigitalLink(link_config(mcs_by_name("qam16-3/4"), 512))
    bits = torch.stack(_packets(3))
    frame, versions = link.encode_versions(bits, [0, 2, 3, 1])
    assert torch.equal(versions[0], link.encode(bits).symbols) and torch.equal(frame.symbols, versions[0])
    assert all(v.shape == versions[0].shape for v in versions)  # n bits per version: equal channel uses
    assert not torch.equal(versions[1], versions[0])  # parity the first transmission did not send


def test_incremental_redundancy_decodes_where_chase_combining_cannot():
    """64-QAM 5/6 six dB below its AWGN threshold: two copies of the same codeword (+3 dB) still
    fail, while redundancy versions 0 and 2 together are a code of about half the rate."""
    mcs = mcs_by_name("qam64-5/6")
    from channels.abstraction import BlerTable

    snr = BlerTable.load(512).curves[mcs.name].snr_at(0.1) - 6.0
    packets = _packets(30)
    out = {}
    for combining in ("chase", "ir"):
        link = DigitalLink(link_config(mcs, 512), harq=HarqConfig(2, "new", combining))
        out[combining] = link.send(packets, "awgn", snr, torch.Generator().manual_seed(1))
    per_copy = DigitalLink(link_config(mcs, 512)).plan(488).channel_uses
    assert int((~out["chase"].crc_ok).sum()) >= 25 and bool(out["ir"].crc_ok.all())
    assert int(out["ir"].bit_errors.sum()) == 0
    assert out["ir"].channel_uses.tolist() == [2 * per_copy] * 30  # both versions sent, n bits each


def test_incremental_redundancy_in_the_abstraction():
    """One version is the AWGN table exactly; more versions add mutual information over the
    circular buffer, so the abstraction, like the full link, decodes 64-QAM 5/6 six dB below its
    threshold after two versions where chase combining does not."""
    from channels.abstraction import BlerTable
    from channels.harq import _IrAccumulator

    mcs = mcs_by_name("qam64-5/6")
    snr = torch.tensor([[3.0, 12.5]], dtype=torch.float64)
    acc = _IrAccumulator(link_config(mcs, 512), [0, 2, 3, 1])
    assert torch.allclose(acc.add(snr), snr, atol=1e-6)
    assert bool((acc.add(snr) > snr + 3.0).all())  # more than chase combining's +3 dB
    low = BlerTable.load(512).curves[mcs.name].snr_at(0.1) - 6.0
    lost = {}
    for combining in ("chase", "ir"):
        link = AbstractLink(mcs, 512, harq=HarqConfig(2, "new", combining))
        lost[combining] = int((~link.send(_packets(30), "awgn", low, torch.Generator().manual_seed(0)).crc_ok).sum())
    assert lost["chase"] >= 25 and lost["ir"] == 0
