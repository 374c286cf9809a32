"""Modulation and coding schemes: the table the link adaptation chooses from.

Each MCS is a modulation and a 5G LDPC code rate; its spectral efficiency is m R information
bits per channel use (before CRC and padding). The table spans QPSK 1/5 to 256-QAM 5/6, the
range of the 5G NR tables, with the usual rates (1/3, 1/2, 2/3, 3/4, 5/6).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from channels.errors import ChannelError
from channels.spec import MODULATIONS


@dataclass(frozen=True)
class MCS:
    """One modulation and coding scheme; ``rate`` as a fraction string such as '2/3'."""

    index: int
    modulation: str
    rate: str

    @property
    def code_rate(self) -> float:
        return float(Fraction(self.rate))

    @property
    def bits_per_symbol(self) -> int:
        return MODULATIONS[self.modulation]

    @property
    def spectral_efficiency(self) -> float:
        """Information bits per channel use, m R."""
        return self.bits_per_symbol * self.code_rate

    @property
    def name(self) -> str:
        return f"{self.modulation}-{self.rate}"


_SCHEMES = (
    ("qpsk", "1/5"),
    ("qpsk", "1/3"),
    ("qpsk", "1/2"),
    ("qpsk", "2/3"),
    ("qpsk", "3/4"),
    ("qam16", "1/2"),
    ("qam16", "2/3"),
    ("qam16", "3/4"),
    ("qam64", "2/3"),
    ("qam64", "3/4"),
    ("qam64", "5/6"),
    ("qam256", "3/4"),
    ("qam256", "5/6"),
)

#: the MCS table, ordered by spectral efficiency
MCS_TABLE: tuple[MCS, ...] = tuple(MCS(i, m, r) for i, (m, r) in enumerate(_SCHEMES))


def mcs_by_name(name: str) -> MCS:
    """Look up an MCS by name, e.g. ``'qam16-2/3'``."""
    for mcs in MCS_TABLE:
        if mcs.name == name:
            return mcs
    allowed = ", ".join(m.name for m in MCS_TABLE)
    raise ChannelError(f"unknown MCS {name!r}; allowed: {allowed}")
