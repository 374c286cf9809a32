"""Throughput of the digital link against a bare Sionna chain, and the PHY-abstraction speed-up.

1. Information bits per second of ``channels.digital.DigitalLink.transmit`` against the same
   Sionna blocks called directly (CRC24A -> LDPC5GEncoder -> Scrambler -> Mapper -> AWGN ->
   Demapper -> Descrambler -> LDPC5GDecoder -> CRCDecoder), same code, same batch, in the same
   run. The two are timed alternately (order swapped every round), ``--repeats`` times each, on
   one thread, and compared by their median process CPU time (what the code costs, robust to
   other jobs on a shared machine) and by their median wall-clock time.
2. One sweep point (``--points-packets`` packets at one SNR) through the full link and through
   ``channels.abstraction.AbstractLink``: wall-clock speed-up.

Run:  PYTHONPATH=. python benchmarks/bench_link_throughput.py
Writes results/channels/benchmark.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch


def bare_sionna_chain(modulation_bits: int, k: int, n: int):
    """The same processing built directly from Sionna blocks; returns a function bits -> bits."""
    from sionna.phy.channel import AWGN
    from sionna.phy.fec.crc import CRCDecoder, CRCEncoder
    from sionna.phy.fec.ldpc import LDPC5GDecoder, LDPC5GEncoder
    from sionna.phy.fec.scrambling import Descrambler, Scrambler
    from sionna.phy.mapping import Demapper, Mapper

    from channels.digital import SCRAMBLING_SEED

    crc_enc = CRCEncoder("CRC24A")
    crc_dec = CRCDecoder(crc_enc)
    enc = LDPC5GEncoder(k, n, num_bits_per_symbol=modulation_bits)
    dec = LDPC5GDecoder(enc, num_iter=20, hard_out=True, return_infobits=True)
    seq = torch.randint(0, 2, (n,), generator=torch.Generator().manual_seed(SCRAMBLING_SEED)).float()
    scr = Scrambler(sequence=seq, binary=True)
    descr = Descrambler(scr, binary=False)
    mapper, demapper, awgn = Mapper("qam", modulation_bits), Demapper("app", "qam", modulation_bits), AWGN()

    def run(bits: torch.Tensor, no: float) -> torch.Tensor:
        x = mapper(scr(enc(crc_enc(bits))))
        y = awgn(x, no)
        llr = descr(demapper(y, no))
        return crc_dec(dec(llr))[0]

    return run


def time_call(fn) -> tuple[float, float]:
    """(process CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=50, help="codewords per call")
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--snr-db", type=float, default=8.0)
    parser.add_argument("--point-packets", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path("results/channels/benchmark.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)

    from channels.abstraction import AbstractLink
    from channels.digital import DigitalLink, DigitalLinkConfig
    from semcom.paths import atomic_write_bytes

    config = DigitalLinkConfig(modulation="qam16", rate="1/2", codeword_info_bits=512, crc="CRC24A")
    link = DigitalLink(config)
    payload = config.codeword_info_bits - config.crc_bits
    bits = torch.randint(0, 2, (args.batch, payload), generator=torch.Generator().manual_seed(0)).float()
    no = 10 ** (-args.snr_db / 10)
    bare = bare_sionna_chain(config.bits_per_symbol, config.codeword_info_bits, config.coded_bits)
    gen = torch.Generator().manual_seed(1)

    def ours() -> None:
        link.transmit(bits, "awgn", args.snr_db, gen)

    def theirs() -> None:
        bare(bits, no)

    for fn in (ours, theirs, ours, theirs):  # warm-up
        time_call(fn)
    times: dict[str, list[tuple[float, float]]] = {"ours": [], "bare": []}
    for i in range(args.repeats):  # alternate so that load changes hit both alike
        order = [("ours", ours), ("bare", theirs)]
        for name, fn in order if i % 2 == 0 else order[::-1]:
            times[name].append(time_call(fn))
    info_bits = bits.numel()

    def rate(name: str, which: int) -> float:
        return info_bits / statistics.median(t[which] for t in times[name])

    ours_rate, bare_rate = rate("ours", 0), rate("bare", 0)
    ours_wall, bare_wall = rate("ours", 1), rate("bare", 1)

    # one sweep point: full link vs abstraction (same packets, same SNR)
    packets = args.point_packets
    abstract = AbstractLink("qam16-1/2", k=512)
    # the SNR where the table's codeword BLER is 0.1: a point where both draw failures
    point_snr = round(abstract.table.curves["qam16-1/2"].snr_at(0.1), 2)
    batches = max(1, packets // args.batch)
    start = time.perf_counter()
    full_errors = 0
    for _ in range(batches):
        out = link.transmit(bits, "awgn", point_snr, gen)
        full_errors += int((~out.crc_ok).sum())
    full_s = time.perf_counter() - start
    start = time.perf_counter()
    abs_errors = 0
    for _ in range(batches):
        res = abstract.transmit(payload, args.batch, point_snr, gen)
        abs_errors += int((~res.crc_ok).sum())
    abs_s = time.perf_counter() - start

    result = {
        "command": "PYTHONPATH=. python benchmarks/bench_link_throughput.py",
        "config": {"modulation": "qam16", "rate": "1/2", "k": 512, "n": config.coded_bits,
                   "crc": "CRC24A", "ldpc_iterations": 20, "codewords_per_call": args.batch,
                   "snr_db": args.snr_db, "repeats": args.repeats},
        "digital_link_info_bits_per_cpu_s": round(ours_rate),
        "bare_sionna_info_bits_per_cpu_s": round(bare_rate),
        "ratio_link_over_bare_cpu": round(ours_rate / bare_rate, 4),
        "digital_link_info_bits_per_wall_s": round(ours_wall),
        "bare_sionna_info_bits_per_wall_s": round(bare_wall),
        "ratio_link_over_bare_wall": round(ours_wall / bare_wall, 4),
        "abstraction_point": {"snr_db": point_snr, "packets": batches * args.batch,
                              "full_link_s": round(full_s, 4), "abstraction_s": round(abs_s, 5),
                              "speed_up": round(full_s / abs_s, 1),
                              "full_link_packet_errors": full_errors,
                              "abstraction_packet_errors": abs_errors},
        "environment": {"torch": torch.__version__, "threads": torch.get_num_threads(),
                        "cpus": os.cpu_count(), "python": platform.python_version(),
                        "load_average_1min": os.getloadavg()[0]},
    }
    atomic_write_bytes(args.out, (json.dumps(result, indent=2) + "\n").encode())
    print(json.dumps(result, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
