"""The one registry of sweep schemes: their names, runners and the grid axes each one takes.

A scheme runner is ``run(cell, context) -> dict`` of measured columns (see
:mod:`semcom.system.schemes` for the built-ins), named as ``"module:function"`` and imported on
first use. A new scheme registers itself from a plugin file (``plugins = [...]`` in the
experiment file)::

    register_scheme("repetition", run_repetition, like="bitexact")   # or "module:function"

``like`` gives it the axes of a built-in scheme (or pass ``axes=`` the axis names it takes);
an axis a scheme does not take stays empty in its rows and never multiplies its cells.
"""

from __future__ import annotations

from collections.abc import Callable

from semcom.errors import SemcomError, check_choice

#: scheme -> its runner, as "module:function" or the function (built-ins first, then registered)
SCHEME_RUNNERS: dict[str, str | Callable] = {
    "semantic": "semcom.system.schemes:run_semantic",
    "bitexact": "semcom.system.schemes:run_bitexact",
    "hybrid": "semcom.system.schemes:run_hybrid",
    "capacity": "semcom.system.schemes:run_capacity",
    "jscc": "semcom.system.schemes:run_jscc",
}
BUILTIN_SCHEMES = tuple(SCHEME_RUNNERS)

#: registered (non built-in) scheme -> (the scheme whose axes it takes, or its own axis names);
#: resolved by :func:`semcom.sweep.axes.scheme_axes`, which knows the axes
_REGISTERED: dict[str, tuple[str | None, tuple[str, ...] | None]] = {}


def scheme_names() -> tuple[str, ...]:
    """Every scheme a grid may name."""
    return tuple(SCHEME_RUNNERS)


def register_scheme(name: str, runner: str | Callable, *, like: str | None = None,
                    axes: tuple[str, ...] | None = None) -> None:
    """Register ``name`` with its ``runner`` (the function, or "module:function") and the axes
    it takes: those of the scheme ``like``, or ``axes`` (names of :data:`semcom.sweep.axes.AXES`,
    checked when a grid uses the scheme)."""
    if name in BUILTIN_SCHEMES:
        raise SemcomError(f"scheme name {name!r} is a built-in scheme; choose another name")
    if not callable(runner) and ":" not in str(runner):
        raise SemcomError(f"scheme {name!r}: runner {runner!r} must be 'module:function'")
    if (like is None) == (axes is None):
        raise SemcomError(f"scheme {name!r}: give exactly one of like= (a scheme) or axes= (axis names)")
    if like is not None:
        check_choice("scheme", like, scheme_names())
    SCHEME_RUNNERS[name] = runner
    _REGISTERED[name] = (like, None if axes is None else tuple(axes))


def registered_axes(scheme: str) -> tuple[str | None, tuple[str, ...] | None] | None:
    """(like, axes) of a registered scheme, None for a built-in one."""
    return _REGISTERED.get(scheme)
