"""``semcom metrics DIR_A DIR_B``: compare two folders of PNG images paired by file name."""

from __future__ import annotations

import json
from pathlib import Path

import click

from semcom.errors import SemcomError

NAMED_BACKGROUNDS = {"white": (1.0, 1.0, 1.0), "black": (0.0, 0.0, 0.0)}


def parse_background(text: str) -> tuple[float, ...]:
    """'white', 'black' or 'R,G,B' (values in [0, 1]) -> an RGB tuple; a one-line error otherwise."""
    if text in NAMED_BACKGROUNDS:
        return NAMED_BACKGROUNDS[text]
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 3 or not all(0.0 <= v <= 1.0 for v in values):
        raise SemcomError(
            f"--background {text!r}: expected white, black or three values in [0, 1] like 1,1,1"
        )
    return values


@click.command()
@click.argument("dir_a", type=click.Path(path_type=Path))
@click.argument("dir_b", type=click.Path(path_type=Path))
@click.option("--lpips", "use_lpips", is_flag=True, help="LPIPS v0.1 (AlexNet).")
@click.option("--fid", "use_fid", is_flag=True, help="FID on TF-FID Inception pool3 features.")
@click.option("--kid", "use_kid", is_flag=True, help="KID on the same features.")
@click.option(
    "--objects",
    "use_objects",
    is_flag=True,
    help="psnr_fg and delta_e: PSNR and CIEDE2000 over the object pixels (needs a uniform background).",
)
@click.option(
    "--background",
    default="white",
    show_default=True,
    help="Background colour for --objects: 'white', 'black' or 'R,G,B' in [0, 1].",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object, one key per value.")
@click.option(
    "--lpips-resize",
    type=click.IntRange(min=31),
    default=None,
    help="Resize images to this square size before LPIPS (needed below 31x31 pixels).",
)
@click.option(
    "--kid-subset-size",
    type=click.IntRange(min=2),
    default=1000,
    show_default=True,
    help="Images per KID subset (capped by the number of images).",
)
@click.option(
    "--kid-subsets",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Number of KID subsets.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the KID subsets.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=32,
    show_default=True,
    help="Images read and processed at a time.",
)
def metrics(
    dir_a: Path,
    dir_b: Path,
    use_lpips: bool,
    use_fid: bool,
    use_kid: bool,
    use_objects: bool,
    background: str,
    as_json: bool,
    lpips_resize: int | None,
    kid_subset_size: int,
    kid_subsets: int,
    seed: int,
    batch_size: int,
) -> None:
    """Compare the PNGs of DIR_A (reference) and DIR_B (estimate), paired by file name.

    PSNR and SSIM are always computed (means over images); LPIPS, FID, KID and the object-aware
    psnr_fg and delta_e on request.
    FID/KID compare the two folders as sets. Prints to stdout; writes no files.
    """
    import torch
    from tqdm.auto import tqdm

    from semcom.metrics.accumulate import ImageMetrics, ImageMetricsConfig
    from semcom.metrics.folders import paired_png_names, read_images

    names = paired_png_names(dir_a, dir_b)
    chosen = ["psnr", "ssim"] + [
        m for m, on in (("lpips", use_lpips), ("fid", use_fid), ("kid", use_kid)) if on
    ]
    if use_objects:
        chosen += ["psnr_fg", "delta_e"]
    config = ImageMetricsConfig(
        metrics=tuple(chosen),
        lpips_resize_to=lpips_resize,
        kid_subset_size=kid_subset_size,
        kid_num_subsets=kid_subsets,
        feature_batch_size=batch_size,
        background=parse_background(background) if use_objects else None,
    )
    meter = ImageMetrics(config)
    first = None
    for start in tqdm(
        range(0, len(names), batch_size),
        desc="semcom metrics",
        unit="batch",
        disable=len(names) <= batch_size,
    ):
        chunk = names[start : start + batch_size]
        a = read_images(dir_a, chunk, like=first)
        first = a[0] if first is None else first
        meter.update(a, read_images(dir_b, chunk, like=first))
    values = meter.compute(generator=torch.Generator().manual_seed(seed))
    if as_json:
        click.echo(json.dumps(values))
        return
    click.echo(f"{dir_a} vs {dir_b}: {values.pop('n_images')} image pairs")
    for key, value in values.items():
        click.echo(
            f"  {key:<20} {value:.6g}" if isinstance(value, float) else f"  {key:<20} {value}"
        )
