"""The axes a sweep grid may vary, their types, allowed values, defaults and which schemes use them.

An axis not used by a scheme is left empty in that scheme's rows, so a grid never multiplies
cells by settings that cannot matter (JPEG quality does not change a semantic cell).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from channels.harq import HARQ_FADING
from channels.registry import channel_names, check_channel
from channels.spec import HARQ_COMBINING, LINK_MODES
from semcom.sampler_defaults import DEFAULT_GUIDANCE, DEFAULT_SAMPLER, DEFAULT_STEPS
from semcom.sweep.schemes import BUILTIN_SCHEMES, registered_axes, scheme_names
from semcom.system.codecs import CODECS
from semcom.system.imputers import imputer_names

SCHEMES = BUILTIN_SCHEMES  # the built-in schemes; scheme_names() also has registered ones
TRANSMISSIONS = ("digital", "analog")
#: the view policies a grid may use: those of semcom.system.view_policy.POLICIES that need no
#: setting beyond k (``fixed`` and ``drop`` take the views by index)
VIEW_POLICIES = ("random", "schedule")

ALL = SCHEMES
DIGITAL = ("semantic", "bitexact", "hybrid")
IMPUTING = ("semantic", "hybrid", "jscc")
PIXELS = ("bitexact", "hybrid", "capacity")


@dataclass(frozen=True)
class Axis:
    """One grid axis: ``kind`` is the Python type of its values; ``check`` returns an error text
    (what is allowed) or None; ``schemes`` are the schemes whose rows it applies to."""

    name: str
    kind: type
    default: object
    schemes: tuple[str, ...]
    check: Callable[[object], str | None]
    help: str


def _choice(allowed: tuple[str, ...] | Callable[[], tuple[str, ...]]) -> Callable[[object], str | None]:
    """A check against ``allowed``, or against what the registry ``allowed()`` holds at the time
    of the check (so that channels registered by a plugin are allowed)."""

    def check(v: object) -> str | None:
        names = tuple(allowed()) if callable(allowed) else allowed
        return None if v in names else "allowed: " + ", ".join(names)

    return check


def _range(lo: float, hi: float, what: str = "") -> Callable[[object], str | None]:
    def check(v: object) -> str | None:
        if isinstance(v, float) and math.isnan(v):
            return f"allowed: {what or 'a number'} in [{lo}, {hi}], not NaN"
        return None if lo <= v <= hi else f"allowed: {what or 'a number'} in [{lo}, {hi}]"

    return check


def _channel(v: object) -> str | None:
    problem = check_channel(v)
    if problem and problem.startswith("unknown channel"):
        return problem.split("; ", 1)[-1]  # "allowed: ..." (the axis line names the value)
    return problem


def _sampler(v: object) -> str | None:
    from semcom.diffusion.samplers import SAMPLERS

    return None if v in SAMPLERS else "allowed: " + ", ".join(SAMPLERS)


def _mcs(v: object) -> str | None:
    from channels.adaptation import check_mcs_setting
    from channels.errors import ChannelError

    try:
        check_mcs_setting(str(v))
    except ChannelError as err:
        return str(err).split("; ", 1)[-1]
    return None


AXES: dict[str, Axis] = {a.name: a for a in (
    Axis("scheme", str, "semantic", ALL, _choice(scheme_names), "what is transmitted (semcom.sweep.schemes)"),
    Axis("channel", str, "awgn", ALL, _channel,
         "channel model, with options after ':' where it takes them (channels.registry): " + ", ".join(channel_names())),
    Axis("snr_db", float, 10.0, ALL, _range(-30.0, 60.0, "SNR in dB"), "Es/N0 per complex symbol, dB"),
    Axis("views_sent", int, 4, ALL, _range(0, 64, "views"), "views sent per object (k of V)"),
    Axis("view_policy", str, "random", ALL, _choice(VIEW_POLICIES), "which k views"),
    Axis("bits_per_value", int, 8, ("semantic",), _range(1, 16, "bits"), "latent quantiser bits"),
    Axis("transmission", str, "digital", ("semantic",), _choice(TRANSMISSIONS), "digital (quantised + LDPC) or analog"),
    Axis("link_mode", str, "full", DIGITAL, _choice(LINK_MODES), "bit-level link or PHY abstraction"),
    Axis("mcs", str, "auto", DIGITAL, _mcs,
         "an MCS name, or link adaptation: auto-awgn (= auto), auto-outage, auto-csi (channels.adaptation)"),
    Axis("harq", int, 1, DIGITAL, _range(1, 16, "transmissions"),
         "HARQ: transmissions per packet at most (1 = none; channels.harq)"),
    Axis("harq_fading", str, "new", DIGITAL, _choice(HARQ_FADING),
         "fading of a retransmission: a new draw (time diversity) or the same gains"),
    Axis("harq_combining", str, "chase", DIGITAL, _choice(HARQ_COMBINING),
         "HARQ combining: chase (the same codeword again) or ir (incremental redundancy, redundancy "
         "versions 0, 2, 3, 1)"),
    Axis("codec", str, "jpeg", PIXELS, _choice(CODECS), "image codec of the bit-exact schemes"),
    Axis("quality", int, 75, PIXELS, _range(1, 100, "quality"), "codec quality (lossy codecs)"),
    Axis("jscc_symbols", int, 192, ("jscc",), _range(1, 1_000_000, "symbols"),
         "complex channel symbols per view of the DeepJSCC (a trained model: semcom.system.jscc_models)"),
    Axis("imputer", str, "mvld", IMPUTING, _choice(imputer_names), "receiver imputer for missing views (semcom.system.imputers)"),
    Axis("sampler", str, DEFAULT_SAMPLER, IMPUTING, _sampler, "diffusion sampler"),
    Axis("steps", int, DEFAULT_STEPS, IMPUTING, _range(1, 10000, "steps"), "sampler steps"),
    Axis("guidance", float, DEFAULT_GUIDANCE, IMPUTING, _range(0.0, 20.0, "guidance weight"),
         "weight of guidance from the joint mode (0 = none; doubles the network passes)"),
    Axis("seed", int, 0, ALL, _range(0, 2**31 - 1, "seed"), "seed of every random draw of the cell"),
)}


def scheme_axes(scheme: str) -> list[str]:
    """Names of the axes ``scheme`` takes besides ``scheme`` itself, in table order."""
    registered = registered_axes(scheme)
    if registered is None:
        return [a.name for a in AXES.values() if scheme in a.schemes and a.name != "scheme"]
    like, names = registered
    if like is not None:
        return scheme_axes(like)
    unknown = [n for n in names if n not in AXES]
    if unknown:
        from semcom.errors import SemcomError

        raise SemcomError(f"scheme {scheme!r}: unknown axis {unknown[0]!r}; allowed: {', '.join(AXES)}")
    return [n for n in AXES if n in names and n != "scheme"]
