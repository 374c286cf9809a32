"""Helpers of the benchmarks that train design variants at equal CPU time."""

from __future__ import annotations

import argparse


def toml_text(data: dict) -> str:
    """A flat TOML document of str, bool, number and list values."""
    lines = []
    for key, value in data.items():
        text = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def chosen_variants(parser: argparse.ArgumentParser, args: argparse.Namespace, variants: dict) -> list[str]:
    """The names in ``args.variants`` (comma-separated); a parser error for an unknown one or a
    budget ``args.minutes`` <= 0."""
    names = [v.strip() for v in args.variants.split(",")]
    unknown = [n for n in names if n not in variants]
    if unknown or args.minutes <= 0:
        parser.error(f"unknown variant(s) {unknown}; allowed: {', '.join(variants)}" if unknown
                     else f"--minutes must be > 0, got {args.minutes}")
    return names
