"""The one registry of channel models: every name the links, sweeps, plots and CLI accept.

The built-in channels (:mod:`channels.kinds`) register on first use; a new channel registers
itself when its file is imported (:func:`register_channel`); sweeps import such files named under
``plugins`` in the experiment file (:func:`semcom.plugins.load_plugin`).
"""

from __future__ import annotations

import importlib

from channels.contract import FADING_KINDS, Channel
from channels.errors import ChannelError, check_choice

#: modules of the built-in channels, imported on first lookup
BUILTIN_MODULES = ("channels.kinds.awgn", "channels.kinds.rayleigh_block", "channels.kinds.rayleigh_fast")

_CHANNELS: dict[str, Channel] = {}
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
    """Names of the channels the PHY abstraction supports (one gain per codeword)."""
    return tuple(n for n in channel_names() if _CHANNELS[n].supports_abstraction)


def get_channel(name: str) -> Channel:
    """The channel registered as ``name``; unknown names raise a one-line ChannelError."""
    check_choice("channel", name, channel_names())
    return _CHANNELS[name]
