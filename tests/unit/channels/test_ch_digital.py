"""Digital link: exact channel-use accounting, LDPC decoding, CRC, reproducibility, sharing."""

import math

import pytest
import torch

from channels.digital import DigitalLink, DigitalLinkConfig, plan_packet
from channels.errors import ChannelError


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def random_bits(shape, seed=1):
    return torch.randint(0, 2, shape, generator=gen(seed)).float()


@pytest.mark.parametrize(
    "mod,rate,k,payload,codewords,n",
    [
        ("qpsk", "1/2", 512, 1000, 2, 1024),   # 1000 + 24 CRC = 1024 = 2 x 512, no padding
        ("qam16", "2/3", 512, 1001, 3, 768),   # 1025 bits -> 3 codewords, 511 padding bits
        ("qam64", "3/4", 100, 50, 1, 138),     # n = 6 ceil(100 / 4.5) = 138
        ("bpsk", "1/3", 64, 200, 4, 192),
    ],
)
def test_channel_uses_are_counted_exactly(mod, rate, k, payload, codewords, n):
    cfg = DigitalLinkConfig(modulation=mod, rate=rate, codeword_info_bits=k)
    plan = plan_packet(cfg, payload)
    m = cfg.bits_per_symbol
    assert plan.num_codewords == codewords and plan.coded_bits_per_codeword == n
    assert plan.padding_bits == codewords * k - payload - 24
    assert plan.channel_uses == codewords * n // m
    tx = DigitalLink(cfg).encode(random_bits((3, payload)))
    assert tx.symbols.shape == (3, plan.channel_uses)
    assert tx.info.shape == (3, codewords * k)
    # unit average symbol energy (the constellation is normalised)
    assert (tx.symbols.abs() ** 2).mean().item() == pytest.approx(1.0, abs=0.15)


def test_uncoded_accounting_pads_the_last_symbol():
    cfg = DigitalLinkConfig(modulation="qam64", code="none", codeword_info_bits=100, crc=None)
    plan = plan_packet(cfg, 250)
    assert plan.num_codewords == 3 and plan.coded_bits_per_codeword == 102
    assert plan.channel_uses == 3 * 17


def test_ldpc_decodes_error_free_at_high_snr_and_crc_passes():
    link = DigitalLink(DigitalLinkConfig(modulation="qam16", rate="2/3"))
    bits = random_bits((6, 1500))
    for channel in ("awgn", "rayleigh-fast"):
        out = link.transmit(bits, channel, 40.0, gen())
        assert torch.equal(out.bits, bits)
        assert out.crc_ok.all() and not out.codeword_errors.any()


def test_crc_flags_corrupted_packets_and_only_those():
    link = DigitalLink(DigitalLinkConfig(modulation="qpsk", rate="1/2"))
    bits = random_bits((8, 400))
    snr = torch.tensor([30.0, -10.0] * 4)  # per-sample SNR: every other packet is hopeless
    out = link.transmit(bits, "awgn", snr, gen())
    wrong = (out.bits != bits).any(1)
    assert torch.equal(out.crc_ok, ~wrong)
    assert torch.equal(out.crc_ok, torch.tensor([True, False] * 4))
    assert torch.equal(out.bit_errors > 0, wrong)


def test_same_seed_same_bits_and_different_seed_differs():
    link = DigitalLink(DigitalLinkConfig(modulation="qam16", rate="1/2"))
    bits = random_bits((20, 488))
    runs = [link.transmit(bits, "rayleigh-block", 8.0, gen(s)).bits for s in (3, 3, 4)]
    assert torch.equal(runs[0], runs[1])
    assert not torch.equal(runs[0], bits)  # errors do occur at this SNR
    assert not torch.equal(runs[0], runs[2])


def test_shared_realization_gives_two_links_the_same_fading_and_noise():
    link = DigitalLink(DigitalLinkConfig(modulation="qpsk", rate="1/2", codeword_info_bits=128))
    real = link.draw_realization("rayleigh-block", 4, 300, gen(), fading_block="packet")
    # one h per packet
    assert torch.equal(real.h, real.h[:, :1].expand_as(real.h))
    a = link.transmit(random_bits((4, 300), 1), "rayleigh-block", 5.0, gen(9), realization=real)
    b = link.transmit(random_bits((4, 300), 1), "rayleigh-block", 5.0, gen(10), realization=real)
    assert torch.equal(a.bits, b.bits)  # the generator is not used once a realisation is given


def test_codeword_fading_blocks_follow_codewords():
    link = DigitalLink(DigitalLinkConfig(modulation="qpsk", rate="1/2", codeword_info_bits=128))
    plan = link.plan(300)
    real = link.draw_realization("rayleigh-block", 2, 300, gen())
    h = real.h.reshape(2, plan.num_codewords, plan.symbols_per_codeword)
    assert torch.equal(h, h[:, :, :1].expand_as(h))
    assert not torch.equal(h[:, 0, 0], h[:, 1, 0])


def test_bad_configurations_are_user_errors():
    with pytest.raises(ChannelError, match="modulation"):
        DigitalLinkConfig(modulation="qam32")
    with pytest.raises(ChannelError, match="rate"):
        DigitalLinkConfig(rate="0.97")
    with pytest.raises(ChannelError, match="block length"):
        DigitalLinkConfig(codeword_info_bits=9000)
    with pytest.raises(ChannelError, match="fading block"):
        DigitalLink().draw_realization("rayleigh-block", 1, 10, gen(), fading_block="symbol")
    with pytest.raises(ChannelError, match=r"\[B, K\]"):
        DigitalLink().encode(torch.zeros(10))


def test_coded_ber_is_far_below_uncoded_at_the_same_snr():
    """Sanity of the LLR sign and interleaving: at 3 dB Es/N0 QPSK rate 1/2 decodes (the Shannon
    limit is 0 dB) while uncoded QPSK has BER Q(sqrt(2)) = 7.9 %."""
    link = DigitalLink(DigitalLinkConfig(modulation="qpsk", rate="1/2", crc=None))
    bits = random_bits((40, 512))
    out = link.transmit(bits, "awgn", 3.0, gen())
    assert out.bit_errors.sum().item() / bits.numel() < 1e-3
    assert math.isclose(out.channel_uses, 512)


def test_packets_of_different_lengths_share_per_packet_fading():
    from channels.channel import draw_block_gains

    link = DigitalLink(DigitalLinkConfig(modulation="qpsk", rate="1/2", codeword_info_bits=128))
    packets = [random_bits((n,), seed=n).reshape(-1) for n in (100, 300, 100, 50)]
    gains = draw_block_gains(4, 1, gen(3))
    gains[1] = 1e-3  # a deep fade on packet 1 only
    out = link.transmit_packets(packets, "rayleigh-block", 20.0, gen(), block_gains=gains)
    assert [b.numel() for b in out.bits] == [100, 300, 100, 50]
    assert out.channel_uses.tolist() == [link.plan(n).channel_uses for n in (100, 300, 100, 50)]
    assert out.crc_ok.tolist() == [True, False, True, True]
    assert torch.equal(out.bits[0], packets[0]) and torch.equal(out.bits[3], packets[3])
    again = link.transmit_packets(packets, "rayleigh-block", 20.0, gen(), block_gains=gains)
    assert all(torch.equal(a, b) for a, b in zip(out.bits, again.bits))
