"""Names and parsing: SNR lists, code rates, block sizes, codeword lengths."""

import math

import pytest

from channels.errors import ChannelError
from channels.registry import get_channel
from channels.spec import (
    bits_per_symbol,
    check_block_len,
    codeword_bits,
    parse_rate,
    parse_snr_db,
    snr_to_ebno_db,
)


def test_snr_range_includes_stop_and_comma_lists():
    assert parse_snr_db("0:2:20") == [float(v) for v in range(0, 21, 2)]
    assert parse_snr_db("0:0.1:0.3") == [0.0, 0.1, 0.2, 0.3]
    assert parse_snr_db("-3, 1.5,7") == [-3.0, 1.5, 7.0]


@pytest.mark.parametrize("text", ["0:2", "0:-1:5", "5:1:0", "a:b:c", "", "1,,x", "nan", "0:1:inf"])
def test_malformed_snr_lists_raise_one_line(text):
    with pytest.raises(ChannelError) as err:
        parse_snr_db(text)
    assert "\n" not in str(err.value)


def test_rates_and_limits():
    assert parse_rate("2/3") == pytest.approx(2 / 3)
    assert parse_rate("0.75") == 0.75
    for bad in ("0.1", "0.99", "1", "x", "1/0"):
        with pytest.raises(ChannelError, match="rate"):
            parse_rate(bad)


def test_block_len_and_names():
    assert check_block_len(512) == 512
    for bad in (11, 8449, 0):
        with pytest.raises(ChannelError, match="12 to 8448"):
            check_block_len(bad)
    with pytest.raises(ChannelError, match="allowed: bpsk, qpsk"):
        bits_per_symbol("qam32")
    with pytest.raises(ChannelError, match="allowed: awgn"):
        get_channel("rician")


@pytest.mark.parametrize("k,rate,m", [(512, 0.5, 2), (512, 2 / 3, 4), (500, 2 / 3, 6), (100, 0.75, 8)])
def test_codeword_fills_whole_symbols_at_no_higher_rate(k, rate, m):
    n = codeword_bits(k, rate, m)
    assert n % m == 0
    assert k / n <= rate + 1e-12
    assert n - m < k / rate  # the smallest such n


def test_ebno_conversion():
    assert snr_to_ebno_db(10.0, 4, 0.5) == pytest.approx(10.0 - 10 * math.log10(2.0))
