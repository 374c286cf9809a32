"""User-facing errors.

A :class:`SemcomError` is a mistake the user can fix (a bad name, a missing asset, a malformed
folder). The command line prints it as one line and exits with code 2; no traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class SemcomError(Exception):
    """A user-fixable error, shown as one line by the command line (exit code 2)."""


class AssetMissingError(SemcomError):
    """A weight or data file that ``semcom assets fetch`` provides is absent."""


def check_choice(what: str, value: object, allowed: Iterable[object]) -> object:
    """Return ``value`` if it is one of ``allowed``, else raise a one-line :class:`SemcomError`.

    >>> check_choice("split", "train", ("train", "val", "test"))
    'train'
    """
    allowed = tuple(allowed)
    if value not in allowed:
        listed = ", ".join(str(a) for a in allowed)
        raise SemcomError(f"unknown {what} {value!r}; allowed: {listed}")
    return value
