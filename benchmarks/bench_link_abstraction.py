"""PHY abstraction vs full digital link: SNR at BLER 0.1 from the shipped table and from fresh
full-link simulations (different seed than the table), per MCS, on AWGN.

Run:  PYTHONPATH=. python benchmarks/bench_link_abstraction.py
Writes results/channels/abstraction_validation.csv (acceptance: |difference| < 0.5 dB).
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import torch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mcs", nargs="+", default=["qpsk-1/2", "qpsk-2/3", "qam16-1/2", "qam16-2/3", "qam64-3/4"])
    parser.add_argument("--blocks", type=int, default=1000, help="codewords per SNR point")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("results/channels/abstraction_validation.csv"))
    args = parser.parse_args()
    torch.set_num_threads(1)

    import pandas as pd
    from tqdm import tqdm

    from channels.abstraction import BlerTable, validate_against_link
    from semcom.paths import atomic_write_bytes

    table = BlerTable.load(512)
    generator = torch.Generator().manual_seed(args.seed)
    rows = [validate_against_link(m, table, generator, blocks=args.blocks) for m in tqdm(args.mcs, desc="validate")]
    buffer = io.StringIO()
    pd.DataFrame(rows).to_csv(buffer, index=False, float_format="%.3f")
    atomic_write_bytes(args.out, buffer.getvalue().encode())
    for row in rows:
        print(f"{row['mcs']}: table {row['table_snr_db']:.2f} dB, link {row['link_snr_db']:.2f} dB, "
              f"difference {row['difference_db']:+.2f} dB")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
