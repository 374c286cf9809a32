"""User-facing errors.

A :class:`SemcomError` is a mistake the user can fix (a bad name, a missing asset, a malformed
folder). The command line prints it as one line and exits with code 2; no traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

from channels.errors import ChannelError, unknown_choice


class SemcomError(Exception):
    """A user-fixable error, shown as one line by the command line (exit code 2)."""


#: what the command line reports as one line (exit code 2): semcom's errors and those of the
#: physical layer, which stands on its own (:class:`channels.errors.ChannelError`)
USER_ERRORS: tuple[type[Exception], ...] = (SemcomError, ChannelError)


class AssetMissingError(SemcomError):
    """A weight or data file that ``semcom assets fetch`` provides is absent."""


def check_choice(what: str, value: object, allowed: Iterable[object]) -> object:
    """Return ``value`` if it is one of ``allowed``, else raise a one-line :class:`SemcomError`.

    >>> check_choice("split", "train", ("train", "val", "test"))
    'train'
    """
    message = unknown_choice(what, value, allowed)
    if message:
        raise SemcomError(message)
    return value
