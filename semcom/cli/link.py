"""``semcom link``: BER/BLER curves of the physical layer and the PHY-abstraction tables."""

from __future__ import annotations

import io
from pathlib import Path

import click

from channels.registry import channel_names
from channels.spec import MODULATIONS, parse_rate, parse_snr_db
from semcom.cli.types import COUNT, SEED, FiniteFloat, OutputFile


@click.group()
def link() -> None:
    """Physical layer (Sionna): BER/BLER curves and PHY-abstraction tables."""


@link.command()
@click.option("--channel", default="awgn", show_default=True,
              help=f"One of: {', '.join(channel_names())}; options after ':', e.g. tdl-a:doppler_hz=50,csi=ls.")
@click.option("--modulation", default="qpsk", show_default=True, help=f"One of: {', '.join(MODULATIONS)}.")
@click.option("--code", default="none", show_default=True, help="none or ldpc (5G LDPC).")
@click.option("--rate", default="1/2", show_default=True, help="LDPC code rate, e.g. 1/2, 2/3, 0.75.")
@click.option("--block-len", default=512, show_default=True, type=int,
              help="Information bits per codeword (LDPC: 12-8448); one fading block per codeword.")
@click.option("--snr-db", "snr_text", default="0:2:20", show_default=True,
              help="Es/N0 points in dB: start:step:stop (stop included) or a comma list; "
                   "write a negative start as --snr-db=-5:1:5.")
@click.option("--out", type=OutputFile(".csv"), required=True, help="CSV file to write.")
@click.option("--plot", type=OutputFile(".png", ".pdf"), default=None, help="PNG waterfall to write.")
@click.option("--seed", default=0, show_default=True, type=SEED, help="Seed of the torch.Generator (same seed, same curve).")
@click.option("--target-errors", default=None, type=COUNT,
              help="Stop a point after this many errors [default: 1000 bit errors uncoded, 100 codeword errors LDPC].")
@click.option("--max-bits", default=2_000_000, show_default=True, type=COUNT, help="Cap on simulated bits per point.")
@click.option("--batch", default=None, type=COUNT, help="Codewords per batch [default: 100 LDPC, 2000 uncoded].")
@click.option("--stop-bler", default=None, type=FiniteFloat(0.0, 1.0),
              help="Skip the remaining (higher) SNR points once a point's BLER is below this.")
@click.option("--csi-error-var", default=0.0, show_default=True, type=FiniteFloat(0.0),
              help="Variance of the receiver's channel-estimation error (0: perfect CSI).")
def ber(channel, modulation, code, rate, block_len, snr_text, out, plot, seed, target_errors, max_bits, batch,
        stop_bler, csi_error_var) -> None:
    """Simulate a BER/BLER curve and write it as CSV (and a PNG waterfall)."""
    from channels.registry import get_channel
    from semcom.errors import check_choice

    get_channel(channel)
    check_choice("modulation", modulation, MODULATIONS)
    check_choice("code", code, ("none", "ldpc"))
    snrs = parse_snr_db(snr_text)
    coded = code == "ldpc"
    code_rate = parse_rate(rate) if coded else 1.0

    import torch
    from tqdm import tqdm

    from channels.digital import DigitalLink, DigitalLinkConfig
    from channels.plotting import plot_curve
    from channels.simulate import simulate_point
    from semcom.paths import atomic_write_bytes

    torch.set_num_threads(1)
    config = DigitalLinkConfig(modulation=modulation, code=code, rate=code_rate,
                               codeword_info_bits=block_len, crc=None)
    digital = DigitalLink(config)
    generator = torch.Generator().manual_seed(seed)
    target = target_errors or (100 if coded else 1000)
    per_batch = batch or (100 if coded else 2000)
    rows = []
    bar = tqdm(snrs, desc=f"{channel} {modulation} {code}", unit="point")
    for snr in bar:
        point = simulate_point(
            digital, channel, snr, generator, packets_per_batch=per_batch,
            target_errors=target, max_bits=max_bits, csi_error_var=csi_error_var,
            on_batch=lambda p: bar.set_postfix(snr_db=p.snr_db, bits=p.bits, ber=f"{p.ber:.3g}"),
        )
        rows.append({"channel": channel, "modulation": modulation, "code": code,
                     "rate": config.codeword_info_bits / config.coded_bits if coded else 1.0,
                     "block_len": block_len, "csi_error_var": csi_error_var, **point.row()})
        if stop_bler is not None and point.bler < stop_bler:
            skipped = len(snrs) - len(rows)
            if skipped:
                click.echo(f"BLER {point.bler:.2g} < {stop_bler:g} at {snr} dB: skipped the {skipped} higher SNR points")
            break
    import pandas as pd

    buffer = io.StringIO()
    pd.DataFrame(rows).to_csv(buffer, index=False)
    atomic_write_bytes(out, buffer.getvalue().encode())
    click.echo(f"wrote {out}")
    if plot is not None:
        plot_curve(rows, plot)
        click.echo(f"wrote {plot}")


@link.command()
@click.argument("curve", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=OutputFile(".png", ".pdf"), required=True, help="PNG to write.")
def plot(curve, out) -> None:
    """Plot a curve CSV written by 'semcom link ber' (waterfall with the closed forms)."""
    import pandas as pd

    from channels.plotting import plot_curve

    plot_curve(pd.read_csv(curve).to_dict("records"), out)
    click.echo(f"wrote {out}")


@link.command()
@click.option("--block-len", default=512, show_default=True, type=int, help="Information bits per codeword.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV to write [default: the semcom cache, where the abstraction looks].")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--max-blocks", default=1000, show_default=True, type=COUNT, help="Codewords per SNR point at most.")
def table(block_len, out, seed, max_blocks) -> None:
    """Simulate the SNR -> BLER table of every MCS on AWGN (PHY abstraction)."""
    from channels.spec import check_block_len

    check_block_len(block_len)
    import torch

    from channels.abstraction import simulate_table, table_filename, write_table
    from semcom.paths import cache_dir

    torch.set_num_threads(1)
    rows = simulate_table(block_len, torch.Generator().manual_seed(seed), max_blocks=max_blocks)
    path = out or cache_dir("channels") / table_filename(block_len)
    write_table(rows, path)
    click.echo(f"wrote {path}")


@link.command()
@click.argument("curves", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bler", "target", default=1e-2, show_default=True, type=FiniteFloat(0.0, 1.0), help="BLER at which to measure.")
@click.option("--out", type=OutputFile(".csv"), required=True, help="CSV to write.")
@click.option("--plot", type=OutputFile(".png", ".pdf"), default=None, help="PNG overlay of the BLER curves.")
def gap(curves, target, out, plot) -> None:
    """Gap to AWGN capacity at a target BLER of coded curves written by 'semcom link ber'."""
    import pandas as pd

    from channels.report import capacity_gap_rows, plot_bler_overlay
    from semcom.paths import atomic_write_bytes

    frames = {path.stem: pd.read_csv(path) for path in curves}
    rows = capacity_gap_rows(frames, target)
    buffer = io.StringIO()
    pd.DataFrame(rows).to_csv(buffer, index=False)
    atomic_write_bytes(out, buffer.getvalue().encode())
    for row in rows:
        click.echo(f"{row['curve']}: {row['spectral_efficiency']:.3f} bit/use, BLER {target:g} at "
                   f"{row['snr_db_at_target']:.2f} dB, capacity {row['capacity_snr_db']:.2f} dB, gap {row['gap_db']:.2f} dB; "
                   f"normal approximation {row['normal_approx_snr_db']:.2f} dB, gap {row['gap_to_normal_approx_db']:.2f} dB")
    click.echo(f"wrote {out}")
    if plot is not None:
        plot_bler_overlay(frames, rows, target, plot)
        click.echo(f"wrote {plot}")


@link.command()
@click.option("--snr-db", "snr_text", default="-5:0.5:30", show_default=True, help="Es/N0 points in dB.")
@click.option("--target-bler", default=0.1, show_default=True, type=FiniteFloat(0.0, 1.0), help="BLER the selected MCS must meet.")
@click.option("--block-len", default=512, show_default=True, type=int, help="Information bits per codeword (table).")
@click.option("--out", type=OutputFile(".csv"), required=True, help="CSV to write.")
@click.option("--plot", type=OutputFile(".png", ".pdf"), default=None, help="PNG to write.")
def mcs(snr_text, target_bler, block_len, out, plot) -> None:
    """Best MCS per SNR and the goodput envelope, from the PHY-abstraction tables (AWGN)."""
    import pandas as pd

    from channels.abstraction import BlerTable
    from channels.report import envelope_rows, plot_envelope
    from semcom.errors import SemcomError
    from semcom.paths import atomic_write_bytes

    if not 0 < target_bler < 1:
        raise SemcomError(f"--target-bler must be between 0 and 1, got {target_bler}")
    table = BlerTable.load(block_len)
    rows = envelope_rows(table, parse_snr_db(snr_text), target_bler)
    buffer = io.StringIO()
    pd.DataFrame(rows).to_csv(buffer, index=False)
    atomic_write_bytes(out, buffer.getvalue().encode())
    click.echo(f"wrote {out}")
    if plot is not None:
        plot_envelope(table, rows, plot)
        click.echo(f"wrote {plot}")


@link.command()
def channels() -> None:
    """The channels of links and sweeps: name, fading, PHY abstraction, description."""
    from channels.registry import get_channel

    click.echo(f"{'name':<16} {'fading':<7} {'abstraction':<12} description")
    for name in channel_names():
        model = get_channel(name)
        how = "-" if not model.supports_abstraction else "EESM" if model.fading == "symbol" else "table"
        click.echo(f"{name:<16} {model.fading:<7} {how:<12} {model.description}")
    click.echo("options follow a name after ':' where a channel takes them, e.g. tdl-c:delay_spread_ns=300,csi=ls")


@link.command("mi-table")
@click.option("--out", type=OutputFile(".csv"), default=None,
              help="CSV to write [default: the shipped channels/tables/bicm_mi.csv].")
def mi_table(out) -> None:
    """BICM mutual information per coded bit of every modulation against SNR (Monte Carlo with
    Sionna's mapper and APP demapper): the table HARQ with incremental redundancy is abstracted
    with (channels.mutual_information)."""
    from channels.mutual_information import TABLE, table_text
    from semcom.paths import atomic_write_bytes

    path = out or Path(__file__).resolve().parents[2] / "channels" / "tables" / TABLE
    atomic_write_bytes(path, table_text().encode())
    click.echo(f"wrote {path}")
