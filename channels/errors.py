"""Errors of the physical layer (``channels`` stands on its own: nothing in it imports semcom).

A :class:`ChannelError` is a mistake the user can fix (an unknown channel, modulation or code
rate, an SNR that is not a number). semcom's command line prints it as one line and exits with
code 2, as it does its own :class:`semcom.errors.SemcomError`.
"""

from __future__ import annotations

from collections.abc import Iterable


class ChannelError(Exception):
    """A user-fixable error of the physical layer, shown as one line (exit code 2)."""


def unknown_choice(what: str, value: object, allowed: Iterable[object]) -> str | None:
    """The one-line message for ``value`` not in ``allowed`` (None if it is).

    >>> unknown_choice("equalizer", "mmse", ("zf", "lmmse"))
    "unknown equalizer 'mmse'; allowed: zf, lmmse"
    """
    allowed = tuple(allowed)
    if value in allowed:
        return None
    return f"unknown {what} {value!r}; allowed: " + ", ".join(str(a) for a in allowed)


def check_choice(what: str, value: object, allowed: Iterable[object]) -> object:
    """Return ``value`` if it is one of ``allowed``, else raise a one-line :class:`ChannelError`."""
    message = unknown_choice(what, value, allowed)
    if message:
        raise ChannelError(message)
    return value
