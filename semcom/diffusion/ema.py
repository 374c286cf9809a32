"""Exponential moving average of a model's parameters (used for sampling, decay 0.999)."""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA:
    """Keeps ``shadow = decay * shadow + (1 - decay) * param`` after every :meth:`update`.

    The shadow is a full copy of the model (buffers copied as-is), so it can be used directly
    for sampling (``ema.model``) and saved with ``ema.model.state_dict()``. Passing the
    optimisation ``step`` to :meth:`update` warms the decay up as min(decay, (1 + step) /
    (10 + step)), so that a short run's average is not dominated by the initial weights.
    """

    def __init__(self, model: nn.Module, decay: float = 0.999) -> None:
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"EMA decay must be in [0, 1), got {decay}")
        self.decay = decay
        self.model = copy.deepcopy(model).eval().requires_grad_(False)

    def decay_at(self, step: int | None) -> float:
        """The decay used at optimisation ``step`` (the constant decay when None)."""
        return self.decay if step is None else min(self.decay, (1 + step) / (10 + step))

    @torch.no_grad()
    def update(self, model: nn.Module, step: int | None = None) -> None:
        """Move the shadow towards ``model``'s current parameters; copy its buffers."""
        decay = self.decay_at(step)
        for shadow, param in zip(self.model.parameters(), model.parameters(), strict=True):
            shadow.lerp_(param.detach(), 1.0 - decay)
        for shadow, buf in zip(self.model.buffers(), model.buffers(), strict=True):
            shadow.copy_(buf)
