"""Names and parsing shared by the physical layer (no Sionna import).

Holds the modulations and their bits per symbol, the code-rate and
block-size limits of the 5G LDPC code, SNR conversions and the ``start:step:stop`` parser.
The channel names come from :mod:`channels.registry`.
"""

from __future__ import annotations

import math
from fractions import Fraction

from channels.errors import ChannelError, check_choice

#: modulation name -> bits per symbol (BPSK is real +-1; the others are Gray square QAM)
MODULATIONS: dict[str, int] = {"bpsk": 1, "qpsk": 2, "qam16": 4, "qam64": 6, "qam256": 8}

EQUALIZERS = ("zf", "lmmse")
#: how a digital link is simulated: bit level (Sionna LDPC decoding) or the PHY abstraction
LINK_MODES = ("full", "abstraction")
#: fading of a HARQ retransmission (channels.harq): a new draw, or the first transmission's gains
HARQ_FADING = ("new", "same")
#: how a HARQ receiver combines the transmissions of a packet (channels.harq)
HARQ_COMBINING = ("chase", "ir")
CODES = ("none", "ldpc")

#: 5G LDPC limits (TS 38.212 as implemented by Sionna's LDPC5GEncoder)
LDPC_MIN_RATE = 1 / 5
LDPC_MAX_RATE = 948 / 1024
LDPC_MIN_K = 12
LDPC_MAX_K = 8448


def bits_per_symbol(modulation: str) -> int:
    """Bits per symbol of ``modulation`` (``'qam16'`` -> 4); unknown names raise ChannelError."""
    check_choice("modulation", modulation, MODULATIONS)
    return MODULATIONS[modulation]


def parse_rate(text: str | float) -> float:
    """Parse a code rate such as ``'1/2'``, ``'0.75'`` or ``2/3`` and check the LDPC limits.

    >>> parse_rate("2/3")
    0.6666666666666666
    """
    try:
        rate = float(Fraction(str(text).strip())) if not isinstance(text, float) else text
    except (ValueError, ZeroDivisionError):
        raise ChannelError(f"code rate {text!r} is not a number or fraction like 1/2") from None
    if not math.isfinite(rate) or not LDPC_MIN_RATE <= rate <= LDPC_MAX_RATE:
        raise ChannelError(
            f"unsupported code rate {text!r}; 5G LDPC supports rates from 1/5 to 948/1024"
        )
    return rate


def check_block_len(k: int) -> int:
    """Check the LDPC information block length ``k`` (bits per codeword before encoding)."""
    if not isinstance(k, int) or not LDPC_MIN_K <= k <= LDPC_MAX_K:
        raise ChannelError(
            f"unsupported block length {k!r}; 5G LDPC takes {LDPC_MIN_K} to {LDPC_MAX_K} "
            "information bits per codeword"
        )
    return k


def codeword_bits(k: int, rate: float, bits_per_sym: int) -> int:
    """Codeword length n for ``k`` information bits at ``rate``, a multiple of the bits per symbol.

    n = m * ceil(k / (rate * m)), so the actual rate k / n is at most ``rate`` and every codeword
    fills a whole number of symbols (no symbol is shared between two codewords).
    """
    return bits_per_sym * math.ceil(k / (rate * bits_per_sym) - 1e-9)


def check_snr_db(snr_db: float) -> float:
    """Return ``snr_db`` as a float if finite, else a one-line ChannelError."""
    value = float(snr_db)
    if not math.isfinite(value):
        raise ChannelError(f"SNR must be a finite number of dB, got {snr_db!r}")
    return value


def parse_snr_db(text: str) -> list[float]:
    """Parse an SNR list: ``'0:2:20'`` (start:step:stop, stop included) or ``'0,3.5,7'``.

    >>> parse_snr_db("0:2:6")
    [0.0, 2.0, 4.0, 6.0]
    >>> parse_snr_db("1, 2.5")
    [1.0, 2.5]
    """
    text = text.strip()
    bad = ChannelError(
        f"malformed SNR list {text!r}; use start:step:stop (e.g. 0:2:20) or a comma list "
        "(e.g. 0,5,10)"
    )
    try:
        if ":" in text:
            parts = [float(p) for p in text.split(":")]
            if len(parts) != 3:
                raise bad
            start, step, stop = parts
            for value in parts:
                check_snr_db(value)
            if step <= 0 or stop < start:
                raise bad
            count = math.floor((stop - start) / step + 1e-9) + 1
            if count > 10_000:
                raise bad
            values = [start + i * step for i in range(count)]
        else:
            values = [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise bad from None
    if not values:
        raise bad
    return [round(check_snr_db(v), 10) for v in values]


def db_to_linear(db: float) -> float:
    """10^(db / 10)."""
    return 10.0 ** (db / 10.0)


def snr_to_ebno_db(snr_db: float, bits_per_sym: int, rate: float = 1.0) -> float:
    """Eb/N0 in dB from Es/N0 in dB: Eb/N0 = Es/N0 / (bits per symbol x code rate)."""
    return snr_db - 10.0 * math.log10(bits_per_sym * rate)
