"""Effective SINR of a codeword whose symbols see different SINRs (EESM, Sionna ``sys.EESM``).

A codeword spread over resource elements of different gains (OFDM over a frequency-selective
channel) is decoded about as well as one that saw a single SNR, its effective SINR

    SINR_eff = -beta ln( mean_i exp(-SINR_i / beta) ),

with beta calibrated per modulation and code rate (exponential effective SINR mapping). The
PHY abstraction then reads the codeword's BLER from the AWGN table at SINR_eff
(:mod:`channels.abstraction`), and HARQ with chase combining adds the copies' SINRs per
resource element before the mapping (:mod:`channels.harq`).

The betas: Sionna ships EESM betas for the 5G NR MCS tables 1 and 2 of TS 38.214 (indexed by
NR MCS index); each MCS of this package (:data:`channels.mcs.MCS_TABLE`) takes the beta of the
NR MCS with the same modulation and the nearest code rate (table 1 for QPSK to 64-QAM, table 2
for 256-QAM; Sionna's ``decode_mcs_index`` gives their rates). The resulting table is written
once as Sionna's JSON format to the cache and loaded by ``sionna.sys.EESM``. How well it
predicts the full link over TDL channels: ``benchmarks/bench_tdl_abstraction.py``.
"""

from __future__ import annotations

import json
from functools import lru_cache

import torch

from channels.files import atomic_write_bytes, cache_dir
from channels.mcs import MCS, MCS_TABLE
from channels.registry import get_channel

#: NR MCS table of TS 38.214 (as Sionna numbers them) used for each modulation
NR_TABLE_OF = {"bpsk": 1, "qpsk": 1, "qam16": 1, "qam64": 1, "qam256": 2}
NR_BITS_OF = {"bpsk": 2, "qpsk": 2, "qam16": 4, "qam64": 6, "qam256": 8}  # BPSK: QPSK's betas


@lru_cache(maxsize=1)
def nr_match() -> tuple[tuple[int, int], ...]:
    """(NR MCS table, NR MCS index) whose beta each MCS of :data:`MCS_TABLE` takes."""
    from sionna.phy.nr.utils import decode_mcs_index

    matches = []
    for mcs in MCS_TABLE:
        table = NR_TABLE_OF[mcs.modulation]
        best = None
        for index in range(29 if table == 1 else 28):
            bits, rate = decode_mcs_index(torch.tensor(index), table_index=table, is_pusch=False)
            if int(bits) == NR_BITS_OF[mcs.modulation]:
                gap = abs(float(rate) - mcs.code_rate)
                if best is None or gap < best[0]:
                    best = (gap, index)
        matches.append((table, best[1]))
    return tuple(matches)


@lru_cache(maxsize=1)
def beta_table() -> tuple[float, ...]:
    """EESM beta of each MCS of :data:`MCS_TABLE` (see the module doc)."""
    from importlib import resources

    shipped = json.loads((resources.files("sionna.sys") / "esm_params" / "eesm_beta_table.json").read_text())
    return tuple(float(shipped["index"][str(table)][index]) for table, index in nr_match())


@lru_cache(maxsize=1)
def _eesm():
    from sionna.sys import EESM

    path = cache_dir("channels") / "eesm_beta_semcom.json"
    data = json.dumps({"_comment": "EESM betas of semcom's MCS table (channels.effective_sinr)",
                       "index": {"1": list(beta_table())}}).encode()
    if not path.is_file() or path.read_bytes() != data:
        atomic_write_bytes(path, data)
    return EESM(load_beta_table_from=str(path), sinr_eff_min_db=-30.0, sinr_eff_max_db=60.0, precision="double")


def effective_snr_db(sinr: torch.Tensor, mcs: MCS) -> torch.Tensor:
    """sinr: [B, C, S] linear SINR of each of the S symbols of C codewords -> [B, C] float64
    effective SINR in dB (EESM with ``mcs``'s beta, Sionna ``sys.EESM``)."""
    batch, words, symbols = sinr.shape
    per_re = sinr.double().clamp_min(1e-30).reshape(batch * words, 1, symbols, 1, 1)
    index = torch.full((batch * words, 1), mcs.index, dtype=torch.int32)
    eff = _eesm()(per_re, index, mcs_table_index=1, per_stream=False)  # [B * C, 1]
    return 10.0 * torch.log10(eff.reshape(batch, words).double())


def uses_effective_sinr(channel: str) -> bool:
    """Whether the PHY abstraction maps ``channel``'s per-symbol SINRs to an effective SINR
    (gains vary within a codeword and the channel declares ``effective_sinr``)."""
    model = get_channel(channel)
    return model.fading == "symbol" and model.effective_sinr
