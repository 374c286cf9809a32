"""The one registry of channel models: every name the links, sweeps, plots and CLI accept.

The built-in channels (:mod:`channels.kinds`) register on first use; a new channel registers
itself when its file is imported (:func:`register_channel`); sweeps import such files named under
``plugins`` in the experiment file (:func:`semcom.plugins.load_plugin`).

A name may carry options, ``"<name>:<key>=<value>,<key>=<value>"`` (e.g.
``"tdl-a:doppler_hz=50,csi=ls"``): the channel registered as ``<name>`` configures itself
(:meth:`channels.contract.Channel.with_options`), and the configured channel is kept under
the full name, so every link, sweep cell and realisation refers to it by that string.
"""

from __future__ import annotations

import importlib

from channels.contract import FADING_KINDS, Channel
from channels.errors import ChannelError, check_choice

#: modules of the built-in channels, imported on first lookup
BUILTIN_MODULES = ("channels.kinds.awgn", "channels.kinds.rayleigh_block", "channels.kinds.rayleigh_fast",
                   "channels.kinds.tdl")
OPTION_SEPARATOR = ":"

_CHANNELS: dict[str, Channel] = {}
_CONFIGURED: dict[str, Channel] = {}  # full names with options -> configured channel
_builtins_loaded = False


def register_channel(cls: type[Channel]) -> type[Channel]:
    """Class decorator: register one instance of ``cls`` under ``cls.name``.

    Registering another class under a taken name is an error; registering the same class again
    (its module re-imported) replaces it."""
    _load_builtins()  # built-ins first, whichever file registers first
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name or name != name.strip().lower() or " " in name:
        raise ChannelError(f"channel class {cls.__name__} needs a lower-case name without spaces, got {name!r}")
    check_choice(f"fading of channel {name!r}", getattr(cls, "fading", None), FADING_KINDS)
    old = _CHANNELS.get(name)
    if old is not None and (type(old).__module__, type(old).__qualname__) != (cls.__module__, cls.__qualname__):
        raise ChannelError(f"channel name {name!r} is taken by {type(old).__module__}.{type(old).__qualname__}")
    _CHANNELS[name] = cls()
    for full in [n for n in _CONFIGURED if n.split(OPTION_SEPARATOR, 1)[0] == name]:
        del _CONFIGURED[full]  # configured from the class replaced
    return cls


def _load_builtins() -> None:
    global _builtins_loaded
    if not _builtins_loaded:
        _builtins_loaded = True
        for module in BUILTIN_MODULES:
            importlib.import_module(module)


def channel_names() -> tuple[str, ...]:
    """Names of every registered channel, built-ins first."""
    _load_builtins()
    return tuple(_CHANNELS)


def abstraction_channels() -> tuple[str, ...]:
    """Names of the channels the PHY abstraction supports (one gain per codeword, or an
    effective-SINR mapping)."""
    return tuple(n for n in channel_names() if _CHANNELS[n].supports_abstraction)


def block_channels() -> tuple[str, ...]:
    """Names of the channels with one gain per fading block (or none): what link adaptation
    from block gains (``auto-outage``, ``auto-csi``) and HARQ with the same gains need."""
    return tuple(n for n in channel_names() if _CHANNELS[n].fading in ("none", "block"))


def parse_options(name: str) -> tuple[str, dict[str, str]]:
    """``"tdl-a:doppler_hz=50,csi=ls"`` -> ``("tdl-a", {"doppler_hz": "50", "csi": "ls"})``;
    a malformed option list raises a one-line ChannelError."""
    base, _, text = name.partition(OPTION_SEPARATOR)
    options: dict[str, str] = {}
    for item in text.split(",") if text else ():
        key, eq, value = (part.strip() for part in item.partition("="))
        if not eq or not key or not value:
            raise ChannelError(f"channel {name!r}: options are written key=value, separated by commas; got {item!r}")
        if key in options:
            raise ChannelError(f"channel {name!r}: option {key!r} given twice")
        options[key] = value
    if OPTION_SEPARATOR in name and not options:
        raise ChannelError(f"channel {name!r}: no options after {OPTION_SEPARATOR!r}")
    return base, options


def get_channel(name: str) -> Channel:
    """The channel registered as ``name``, configured by the options the name carries; unknown
    names and options raise a one-line ChannelError."""
    if not isinstance(name, str):
        raise ChannelError(f"channel must be a name, got {name!r}; allowed: {', '.join(channel_names())}")
    base, options = parse_options(name)
    check_choice("channel", base, channel_names())
    if not options:
        return _CHANNELS[base]
    if name not in _CONFIGURED:
        configured = _CHANNELS[base].with_options(options)
        configured.name = name  # type: ignore[misc]  # the instance answers to its full name
        _CONFIGURED[name] = configured
    return _CONFIGURED[name]


def check_channel(name: object) -> str | None:
    """The one-line error of an unusable channel name (None if it is usable)."""
    try:
        get_channel(name)  # type: ignore[arg-type]
    except ChannelError as err:
        return str(err)
    return None
