"""Which views the transmitter sends: ``mask: [B, V] bool`` (True = sent).

Policies: a fixed subset of view indices; ``k`` of ``V`` views per object, chosen at random
(seeded) or by a round-robin schedule over objects; or a drop ratio (each view dropped
independently with that probability). All are pure functions of their arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from semcom.errors import SemcomError, check_choice

POLICIES = ("fixed", "random", "schedule", "drop")


@dataclass(frozen=True)
class ViewPolicy:
    """kind: fixed | random | schedule | drop.

    fixed: ``views`` lists the indices sent; random / schedule: ``k`` views per object;
    drop: each view dropped with probability ``drop_ratio``.
    """

    kind: str = "random"
    k: int | None = None
    views: tuple[int, ...] = ()
    drop_ratio: float = 0.0

    def __post_init__(self) -> None:
        check_choice("view policy", self.kind, POLICIES)
        if self.kind in ("random", "schedule") and (self.k is None or self.k < 0):
            raise SemcomError(f"view policy {self.kind!r} needs k >= 0 views sent")
        if self.kind == "fixed" and len(set(self.views)) != len(self.views):
            raise SemcomError(f"fixed view subset has repeated views: {self.views}")
        if self.kind == "drop" and not 0.0 <= self.drop_ratio <= 1.0:
            raise SemcomError(f"drop ratio must be in [0, 1], got {self.drop_ratio}")

    def mask(self, batch: int, num_views: int, generator: torch.Generator, offset: int = 0) -> torch.Tensor:
        """[batch, num_views] bool: True where the view is sent. ``offset`` is the index of the
        first object (the schedule continues across batches)."""
        if self.kind == "fixed":
            bad = [v for v in self.views if not 0 <= v < num_views]
            if bad:
                raise SemcomError(f"view indices {bad} out of range 0..{num_views - 1}")
            mask = torch.zeros(batch, num_views, dtype=torch.bool)
            mask[:, list(self.views)] = True
            return mask
        if self.kind == "drop":
            return torch.rand(batch, num_views, generator=generator) >= self.drop_ratio
        if self.k > num_views:
            raise SemcomError(f"cannot send k={self.k} of {num_views} views")
        if self.kind == "random":
            scores = torch.rand(batch, num_views, generator=generator)
            chosen = scores.argsort(dim=1)[:, : self.k]
        else:  # schedule: object i sends views i, i+1, ..., i+k-1 (mod V)
            start = torch.arange(offset, offset + batch).unsqueeze(1)
            chosen = (start + torch.arange(self.k).unsqueeze(0)) % num_views
        mask = torch.zeros(batch, num_views, dtype=torch.bool)
        mask.scatter_(1, chosen, True)
        return mask
