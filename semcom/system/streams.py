"""Independent, seeded random streams of a cell.

Each random process of a transmission draws from its own generator derived from the cell seed
and the stream name, so changing one setting never shifts the draws of another: every scheme
and SNR of a seed sends the same views over the same fading (common random numbers), and
noise, view choice and sampler noise stay independent.
"""

from __future__ import annotations

import zlib

import numpy as np
import torch

STREAMS = ("policy", "fading", "noise", "sampler", "examples")


def stream(seed: int, name: str, batch_index: int = 0) -> torch.Generator:
    """A torch.Generator for ``name`` at ``seed`` and batch ``batch_index``."""
    if name not in STREAMS:
        raise ValueError(f"unknown stream {name!r}")
    state = np.random.SeedSequence([int(seed), zlib.crc32(name.encode()), int(batch_index)])
    return torch.Generator().manual_seed(int(state.generate_state(1, dtype=np.uint64)[0] >> 1))
