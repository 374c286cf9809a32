"""Bit-interleaved coded modulation (BICM) mutual information per coded bit, and its inverse.

``I(snr)`` is what one coded bit of a Gray QAM symbol received at Es/N0 ``snr`` tells the
decoder, between 0 and 1 bit: 1 - E[log2(1 + exp(-(2b - 1) L))] with L the APP LLR of the bit
(Sionna's ``Demapper``, LLR = ln p(b=1) / p(b=0)). Estimated by Monte Carlo
(:func:`simulate_curve`: 20,000 symbols per point, a fixed seed, a 0.25 dB grid from -20 to
40 dB; made monotone, as the true curve is) and shipped as ``channels/tables/bicm_mi.csv``
(``semcom link mi-table``: about 4 min, most of it 256-QAM); interpolated in between.

Used by the PHY abstraction of HARQ with incremental redundancy (:mod:`channels.harq`): what a
codeword has received after several redundancy versions is summed as mutual information over the
positions of the mother code's circular buffer and mapped back to the SNR at which one
transmission would carry as much.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

import numpy as np
import torch

from channels.spec import MODULATIONS, bits_per_symbol

GRID_DB = np.round(np.arange(-20.0, 40.0 + 1e-9, 0.25), 2)
SYMBOLS = 20_000
TABLE = "bicm_mi.csv"


def simulate_curve(modulation: str, grid_db: np.ndarray = GRID_DB, symbols: int = SYMBOLS, seed: int = 0) -> np.ndarray:
    """[len(grid_db)] float64 BICM mutual information per coded bit at each SNR (Monte Carlo)."""
    from sionna.phy.mapping import Demapper, Mapper

    m = bits_per_symbol(modulation)
    kind = "pam" if modulation == "bpsk" else "qam"
    mapper, demapper = Mapper(kind, m), Demapper("app", kind, m)
    generator = torch.Generator().manual_seed(seed)
    bits = torch.randint(0, 2, (symbols, m), generator=generator).float()
    x = mapper(bits.reshape(1, -1)).reshape(-1)
    noise = torch.complex(torch.randn(symbols, generator=generator), torch.randn(symbols, generator=generator))
    noise = noise * 0.5**0.5
    sign = (2 * bits - 1).double()
    values = []
    for snr_db in np.asarray(grid_db, dtype=float):
        n0 = 10.0 ** (-snr_db / 10.0)
        llr = demapper((x + n0**0.5 * noise).reshape(1, -1), torch.tensor(n0)).reshape(symbols, m).double()
        values.append(1.0 - float(torch.mean(torch.logaddexp(torch.zeros(()), -sign * llr)) / np.log(2.0)))
    return np.clip(np.maximum.accumulate(np.asarray(values)), 0.0, 1.0)


def table_text(progress: bool = True) -> str:
    """The CSV of every modulation's curve on :data:`GRID_DB` (columns snr_db, then one per
    modulation)."""
    from tqdm import tqdm

    columns = {"snr_db": GRID_DB}
    for modulation in tqdm(MODULATIONS, desc="BICM mutual information", disable=not progress):
        columns[modulation] = simulate_curve(modulation)
    lines = [",".join(columns)]
    for i in range(len(GRID_DB)):
        lines.append(",".join(f"{GRID_DB[i]:g}" if k == "snr_db" else f"{v[i]:.6f}" for k, v in columns.items()))
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def _table() -> dict[str, np.ndarray]:
    text = (resources.files("channels") / "tables" / TABLE).read_text()
    data = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
    names = text.splitlines()[0].split(",")
    return {name: data[:, i] for i, name in enumerate(names)}


def mi_curve(modulation: str) -> np.ndarray:
    """The shipped curve of ``modulation`` on :data:`GRID_DB` (see the module doc)."""
    bits_per_symbol(modulation)  # a one-line error for an unknown modulation
    return _table()[modulation]


def bit_mi(modulation: str, snr_db: np.ndarray | float) -> np.ndarray:
    """Mutual information per coded bit at ``snr_db`` (any shape), 0 to 1."""
    return np.interp(np.asarray(snr_db, dtype=float), _table()["snr_db"], mi_curve(modulation))


@lru_cache(maxsize=8)
def _inverse(modulation: str) -> tuple[np.ndarray, np.ndarray]:
    """(MI, SNR dB) of ``modulation``'s curve where it strictly rises (np.interp needs increasing x)."""
    curve, grid = mi_curve(modulation), _table()["snr_db"]
    rising = np.concatenate([[True], np.diff(curve) > 0])
    return curve[rising], grid[rising]


def snr_for_mi(modulation: str, mi: np.ndarray | float) -> np.ndarray:
    """The SNR (dB) at which one transmission carries ``mi`` bit per coded bit: -inf at or below
    the curve's first value, +inf at or above its last (more than one transmission can carry)."""
    curve = mi_curve(modulation)
    mi = np.asarray(mi, dtype=float)
    out = np.interp(mi, *_inverse(modulation))
    return np.where(mi >= curve[-1], np.inf, np.where(mi <= curve[0], -np.inf, out))
