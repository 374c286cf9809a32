"""Deep joint source-channel coding (DeepJSCC) of one view, adaptive to the SNR.

The encoder maps a view's pixels straight to ``symbols`` complex channel symbols with unit
average power (no bits, no code); the decoder maps the received symbols back to pixels (Bourtsoulatze,
Kurka and Gunduz 2019). Both are told the SNR through attention feature modules (ADJSCC, Xu et
al. 2021): after each stage a small MLP turns the feature map's channel means and the SNR into
per-channel scales, so one network serves every SNR of its training range. The encoder gets the
nominal SNR (the transmitter knows the average SNR, not the fade); the decoder the SNR the
receiver measured for the packet (perfect CSI: the nominal SNR times the packet's fading power).

Encoder ``[N, C, H, W] -> [N, 2 S]`` real (pairs (z[2i], z[2i+1]) are the S complex symbols)::

    conv3x3(C -> w0)
    for each stage i:  blocks x ResBlock(w_i), SNRAttention, conv3x3 stride 2 (w_i -> w_{i+1})
    blocks x ResBlock(w_last), SNRAttention, GroupNorm, SiLU, conv1x1(w_last -> 2 S / s^2), flatten
    scale to unit average complex symbol power per view

Decoder ``[N, 2 S] -> [N, C, H, W]`` mirrors it with the resize-conv upsampling of
:mod:`semcom.models.ae_blocks` (no checkerboard). The layout of the symbols follows the last
feature map (s x s, e.g. 4 x 4 for 32-pixel views with three stages), so ``2 S`` must be a
multiple of ``s^2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from semcom.errors import SemcomError
from semcom.models.ae_blocks import ResBlock, ResizeConv


@dataclass(frozen=True)
class JSCCConfig:
    """One DeepJSCC model: the view shape, its channel symbols per view and its design.

    snr_min_db, snr_max_db: the SNR side information is clipped to this range and scaled to
    [0, 1] (the training range; outside it the network sees the nearest edge).
    """

    channels: int = 3
    image_size: int = 32
    symbols: int = 192
    widths: tuple[int, ...] = (32, 64, 128)
    blocks: int = 1
    groups: int = 8
    snr_min_db: float = -10.0
    snr_max_db: float = 30.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "widths", tuple(int(w) for w in self.widths))
        for name in ("channels", "image_size", "symbols", "blocks", "groups"):
            if getattr(self, name) < 1:
                raise SemcomError(f"JSCCConfig: {name} must be >= 1, got {getattr(self, name)}")
        if not self.widths or any(w < 1 or w % self.groups for w in self.widths):
            raise SemcomError(f"JSCCConfig: widths must be multiples of groups = {self.groups}, got {list(self.widths)}")
        if not self.snr_min_db < self.snr_max_db:
            raise SemcomError(f"JSCCConfig: snr_min_db ({self.snr_min_db}) must be below snr_max_db ({self.snr_max_db})")
        cells = self.side**2
        if (2 * self.symbols) % cells:
            step = cells // math.gcd(2, cells)
            raise SemcomError(
                f"JSCCConfig: symbols = {self.symbols} does not fill the last {self.side}x{self.side} "
                f"feature map; allowed: multiples of {step}"
            )

    @property
    def sizes(self) -> tuple[int, ...]:
        """Feature-map sides before the first and after each stage, e.g. (32, 16, 8, 4)."""
        sizes = [self.image_size]
        for _ in self.widths:
            sizes.append(math.ceil(sizes[-1] / 2))
        return tuple(sizes)

    @property
    def side(self) -> int:
        return self.sizes[-1]

    @property
    def code_channels(self) -> int:
        """Channels of the last feature map that hold the symbols: 2 S / s^2."""
        return 2 * self.symbols // self.side**2

    @property
    def bandwidth_ratio(self) -> float:
        """Channel uses per source value: S / (C H W)."""
        return self.symbols / (self.channels * self.image_size**2)


class SNRAttention(nn.Module):
    """ADJSCC's attention feature module: x * sigmoid(MLP([mean_hw(x), snr])) per channel.

    x: [N, W, h, w], snr: [N, 1] in [0, 1] -> [N, W, h, w]. Starts near the identity scale
    (sigmoid(0) = 1/2 everywhere, the same for every SNR).
    """

    def __init__(self, width: int, hidden: int | None = None) -> None:
        super().__init__()
        hidden = hidden or max(16, width // 4)
        self.mlp = nn.Sequential(nn.Linear(width + 1, hidden), nn.SiLU(), nn.Linear(hidden, width))
        nn.init.zeros_(self.mlp[-1].weight)
        nn.init.zeros_(self.mlp[-1].bias)

    def forward(self, x: torch.Tensor, snr: torch.Tensor) -> torch.Tensor:
        context = torch.cat([x.mean(dim=(2, 3)), snr.to(x.dtype)], dim=1)
        return x * torch.sigmoid(self.mlp(context))[:, :, None, None]


def _run(layers: nn.ModuleList, x: torch.Tensor, snr: torch.Tensor) -> torch.Tensor:
    for layer in layers:
        x = layer(x, snr) if isinstance(layer, SNRAttention) else layer(x)
    return x


def unit_power(z: torch.Tensor) -> torch.Tensor:
    """z: [N, 2 S] real -> the same scaled so that the S complex symbols have mean power 1."""
    symbols = z.shape[1] // 2
    return z * torch.rsqrt((z.float() ** 2).sum(dim=1, keepdim=True) / symbols + 1e-12).to(z.dtype)


class DeepJSCC(nn.Module):
    """Per-view SNR-adaptive DeepJSCC (see the module docstring); ``encode`` and ``decode``."""

    def __init__(self, config: JSCCConfig) -> None:
        super().__init__()
        self.config = config
        c, w, sizes, groups = config.channels, (config.widths[0], *config.widths), config.sizes, config.groups

        def stage(width: int) -> list[nn.Module]:
            return [*(ResBlock(width, groups) for _ in range(config.blocks)), SNRAttention(width)]

        enc: list[nn.Module] = [nn.Conv2d(c, w[0], 3, padding=1)]
        for c_in, c_out in zip(w[:-1], w[1:], strict=True):
            enc += [*stage(c_in), nn.Conv2d(c_in, c_out, 3, stride=2, padding=1)]
        enc += [*stage(w[-1]), nn.GroupNorm(groups, w[-1]), nn.SiLU(), nn.Conv2d(w[-1], config.code_channels, 1)]
        self.encoder = nn.ModuleList(enc)

        dec: list[nn.Module] = [nn.Conv2d(config.code_channels, w[-1], 3, padding=1), *stage(w[-1])]
        for k in range(len(config.widths), 0, -1):
            dec += [ResizeConv(w[k], w[k - 1], sizes[k - 1]), *stage(w[k - 1])]
        dec += [nn.GroupNorm(groups, w[0]), nn.SiLU(), nn.Conv2d(w[0], c, 3, padding=1)]
        self.decoder = nn.ModuleList(dec)

    def side_information(self, snr_db: torch.Tensor | float, batch: int) -> torch.Tensor:
        """SNR in dB (a number or [N]) -> [N, 1] in [0, 1] (clipped to the training range)."""
        cfg = self.config
        snr = torch.as_tensor(snr_db, dtype=torch.float32)
        if snr.dim() == 0:
            snr = snr.expand(batch)
        if snr.shape != (batch,):
            raise SemcomError(f"DeepJSCC: SNR must be a number or one value per view ({batch}), got {tuple(snr.shape)}")
        return ((snr.clamp(cfg.snr_min_db, cfg.snr_max_db) - cfg.snr_min_db) / (cfg.snr_max_db - cfg.snr_min_db))[:, None]

    def encode(self, views: torch.Tensor, snr_db: torch.Tensor | float) -> torch.Tensor:
        """views: [N, C, H, W] in [0, 1], snr_db: nominal SNR (number or [N]) -> [N, 2 S] real,
        unit average complex-symbol power per view."""
        z = _run(self.encoder, views, self.side_information(snr_db, views.shape[0]))
        return unit_power(z.flatten(1).float())

    def decode(self, received: torch.Tensor, snr_db: torch.Tensor | float, *, clamp: bool = True) -> torch.Tensor:
        """received: [N, 2 S] real (equalised symbols), snr_db: the SNR each view was received at
        (number or [N]) -> views [N, C, H, W] (in [0, 1] with ``clamp``)."""
        cfg = self.config
        x = received.reshape(received.shape[0], cfg.code_channels, cfg.side, cfg.side)
        out = _run(self.decoder, x, self.side_information(snr_db, received.shape[0]))
        return out.clamp(0.0, 1.0) if clamp else out
