"""The kinds of TOML file in experiments/, one sub-folder each, and the check every loader makes.

A file says what it is with a top-level ``kind`` key; the loader of each command refuses a file
of another kind with one line naming the command that takes it. (A file without ``kind`` is
taken as the loader's own kind: its keys are still checked one by one.)
"""

from __future__ import annotations

from semcom.errors import SemcomError

#: kind -> (folder under experiments/, the command that takes it)
KINDS: dict[str, tuple[str, str]] = {
    "sweep": ("sweeps", "semcom sweep"),
    "autoencoder": ("training", "semcom train autoencoder"),
    "diffusion": ("training", "semcom train diffusion"),
    "peer": ("training", "semcom train smvae|mopoe|mvae"),
    "jscc": ("training", "semcom train jscc"),
    "dimvida": ("dimvida", "semcom experiment dimvida"),
}


def pop_kind(table: dict, expected: str, file: str) -> None:
    """Remove the ``kind`` key of a loaded TOML ``table``; a one-line error unless it is ``expected``."""
    kind = table.pop("kind", expected)
    if kind == expected:
        return
    if kind in KINDS:
        raise SemcomError(f"{file}: kind = {kind!r} is a file for `{KINDS[kind][1]}`; "
                          f"this command takes kind = {expected!r}")
    raise SemcomError(f"{file}: unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
