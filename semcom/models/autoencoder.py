"""Deterministic per-view convolutional autoencoders (MVLD / MLD) and latent standardisation.

Two architectures, chosen by :attr:`AutoencoderConfig.arch`:

``"resnet"`` (the default for new runs): a conv stem, then per stage ``blocks`` residual blocks
(GroupNorm, SiLU, 3x3 conv, twice, plus the skip) and a stride-2 conv; a GroupNorm + SiLU +
Linear head to a D-dimensional latent. The decoder mirrors it with nearest-neighbour resizing
followed by a 3x3 conv at each stage (no transposed conv, so no checkerboard), residual blocks,
and a GroupNorm + SiLU + 3x3 conv output. Built in :mod:`semcom.models.ae_blocks`.

``"conv"`` (the first bundled design, kept to load its checkpoints and for the ablation):
Conv(C-32-64-128, kernel 3, stride 2, padding 1) with SiLU, then Linear to D; the decoder
mirrors it with three transposed convs and no normalisation.

Both have a linear output: :meth:`MultiViewAutoencoder.decode` clamps to [0, 1], training uses
the unclamped output (a sigmoid output saturated on mvshapes' bright backgrounds: val L1 0.125
after 400 steps against 0.074 with the linear output). Spatial sizes halve with ceil at each
stride-2 conv, so 28x28 (polymnist), 32x32 and 64x64 all work: the decoders land exactly on the
input size. One autoencoder is shared across views by default (MVLD); ``shared=False`` gives
one per view (MLD). Trained with an L1 (Laplace likelihood) loss; latents are standardised per
view and dimension with statistics over the whole training set before diffusion.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from semcom.errors import SemcomError, check_choice
from semcom.models.ae_blocks import resnet_decoder, resnet_encoder

#: autoencoder designs: residual blocks with GroupNorm and resize-conv upsampling, or the
#: first plain conv / transposed-conv design
ARCHITECTURES = ("resnet", "conv")


@dataclass(frozen=True)
class AutoencoderConfig:
    """views: V; channels, image_size: C and H = W of a view; latent_dim: D per view;
    widths: conv channels per stride-2 stage; shared: one autoencoder for all views;
    arch: one of :data:`ARCHITECTURES`; blocks: residual blocks per stage (``"resnet"`` only);
    groups: GroupNorm groups (``"resnet"`` only; must divide every width);
    spatial: a spatial latent (``"resnet"`` only): D / s^2 channels on the encoder's last s x s
    map, flattened channel-major (each value describes its patch), instead of a Linear of it.

    ``arch`` defaults to ``"conv"`` so that checkpoints written before it existed load as the
    design they hold; new training configs ask for ``"resnet"``."""

    views: int
    channels: int
    image_size: int
    latent_dim: int = 64
    widths: tuple[int, ...] = (32, 64, 128)
    shared: bool = True
    arch: str = "conv"
    blocks: int = 1
    groups: int = 8
    spatial: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "widths", tuple(int(w) for w in self.widths))
        if self.views < 1 or self.channels < 1 or self.latent_dim < 1 or not self.widths:
            raise SemcomError(f"autoencoder needs positive views, channels, latent_dim: {self}")
        check_choice("autoencoder arch", self.arch, ARCHITECTURES)
        if self.arch == "resnet":
            if self.blocks < 0:
                raise SemcomError(f"autoencoder blocks per stage must be >= 0, got {self.blocks}")
            side = self.spatial_sizes[-1]
            if self.spatial and self.latent_dim % side**2:
                raise SemcomError(
                    f"a spatial latent on a {side}x{side} map needs latent_dim divisible by "
                    f"{side * side}, got {self.latent_dim}"
                )
            bad = [w for w in self.widths if self.groups < 1 or w % self.groups]
            if bad:
                raise SemcomError(
                    f"autoencoder widths {list(self.widths)} must all be divisible by "
                    f"groups = {self.groups}"
                )
        if self.image_size < 2 ** len(self.widths):
            raise SemcomError(
                f"image size {self.image_size} too small for {len(self.widths)} stride-2 stages"
            )

    @property
    def spatial_sizes(self) -> tuple[int, ...]:
        """Feature-map side after each stage, input first: e.g. 28 -> (28, 14, 7, 4)."""
        sizes = [self.image_size]
        for _ in self.widths:
            sizes.append((sizes[-1] + 1) // 2)
        return tuple(sizes)


class ViewAutoencoder(nn.Module):
    """One view's encoder [N, C, H, W] -> [N, D] and decoder [N, D] -> [N, C, H, W]."""

    def __init__(self, config: AutoencoderConfig) -> None:
        super().__init__()
        if config.arch == "resnet":
            shape = (config.channels, config.latent_dim, config.widths, config.spatial_sizes)
            options = {"blocks": config.blocks, "groups": config.groups, "spatial": config.spatial}
            self.encoder = resnet_encoder(*shape, **options)
            self.decoder = resnet_decoder(*shape, **options)
            return
        c = config
        sizes = c.spatial_sizes
        chans = (c.channels, *c.widths)
        enc: list[nn.Module] = []
        for c_in, c_out in zip(chans[:-1], chans[1:], strict=True):
            enc += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.SiLU()]
        self.encoder = nn.Sequential(
            *enc, nn.Flatten(), nn.Linear(chans[-1] * sizes[-1] ** 2, c.latent_dim)
        )
        dec: list[nn.Module] = [
            nn.Linear(c.latent_dim, chans[-1] * sizes[-1] ** 2),
            nn.SiLU(),
            nn.Unflatten(1, (chans[-1], sizes[-1], sizes[-1])),
        ]
        for k in range(len(c.widths), 0, -1):
            # (s - 1) * 2 - 2 + 3 + pad = target  ->  pad = target - 2 s + 1 in {0, 1}
            pad = sizes[k - 1] - 2 * sizes[k] + 1
            dec.append(nn.ConvTranspose2d(chans[k], chans[k - 1], 3, 2, 1, output_padding=pad))
            if k > 1:
                dec.append(nn.SiLU())
        self.decoder = nn.Sequential(*dec)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)


class MultiViewAutoencoder(nn.Module):
    """Per-view autoencoders over x: [B, V, C, H, W] <-> z: [B, V, D] (shared or one per view)."""

    def __init__(self, config: AutoencoderConfig) -> None:
        super().__init__()
        self.config = config
        n_nets = 1 if config.shared else config.views
        self.nets = nn.ModuleList(ViewAutoencoder(config) for _ in range(n_nets))

    def _check_views(self, x: torch.Tensor, trailing: tuple[int, ...], what: str) -> None:
        c = self.config
        if x.ndim != 2 + len(trailing) or x.shape[1] != c.views or tuple(x.shape[2:]) != trailing:
            raise SemcomError(
                f"autoencoder expects {what} [B, {c.views}, {', '.join(map(str, trailing))}], "
                f"got {tuple(x.shape)}"
            )

    def _per_view(self, fn_name: str, x: torch.Tensor) -> torch.Tensor:
        b, v = x.shape[:2]
        if self.config.shared:
            out = getattr(self.nets[0], fn_name)(x.flatten(0, 1))
            return out.reshape(b, v, *out.shape[1:])
        return torch.stack([getattr(net, fn_name)(x[:, i]) for i, net in enumerate(self.nets)], 1)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """x: [B, V, C, H, W] float32 in [0, 1] -> z: [B, V, D]."""
        c = self.config
        self._check_views(x, (c.channels, c.image_size, c.image_size), "images")
        return self._per_view("encode", x)

    def decode(self, z: torch.Tensor, clamp: bool = True) -> torch.Tensor:
        """z: [B, V, D] -> x_hat: [B, V, C, H, W] float32, clamped to [0, 1] unless asked not."""
        self._check_views(z, (self.config.latent_dim,), "latents")
        x_hat = self._per_view("decode", z)
        return x_hat.clamp(0.0, 1.0) if clamp else x_hat

    def forward(self, x: torch.Tensor, clamp: bool = True) -> torch.Tensor:
        """Reconstruction x_hat: [B, V, C, H, W] (unclamped for training: ``clamp=False``)."""
        return self.decode(self.encode(x), clamp=clamp)


def laplace_loss(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean absolute error: the Laplace negative log-likelihood up to constants (scalar)."""
    return (x_hat - x).abs().mean()


#: per-element errors of autoencoder training: L1 (Laplace likelihood) or squared (Gaussian)
ELEMENT_LOSSES = {"l1": torch.abs, "mse": torch.square}


def reconstruction_loss(
    x_hat: torch.Tensor, x: torch.Tensor, kind: str = "l1", weight: torch.Tensor | None = None
) -> torch.Tensor:
    """Mean per-element error ``ELEMENT_LOSSES[kind](x_hat - x)`` (scalar).

    x_hat, x: [..., C, H, W]; weight: per-pixel weights broadcast over the channels
    ([..., 1, H, W]); the weighted mean divides by the total weight, so a constant weight gives
    the plain mean."""
    error = ELEMENT_LOSSES[kind](x_hat - x)
    if weight is None:
        return error.mean()
    weight = weight.expand_as(error)
    return (error * weight).sum() / weight.sum()


@dataclass(frozen=True)
class LatentStats:
    """Per-view, per-dimension statistics of the training latents: mean, std: [V, D]."""

    mean: torch.Tensor
    std: torch.Tensor

    def standardise(self, z: torch.Tensor) -> torch.Tensor:
        """z: [B, V, D] -> (z - mean) / std."""
        return (z - self.mean) / self.std

    def unstandardise(self, z: torch.Tensor) -> torch.Tensor:
        """Inverse of :meth:`standardise`."""
        return z * self.std + self.mean


@torch.no_grad()
def compute_latent_stats(
    autoencoder: MultiViewAutoencoder,
    images: torch.Tensor,
    batch_size: int = 256,
    min_std: float = 1e-4,
) -> LatentStats:
    """Mean and std per view and dimension over ALL of ``images`` (uint8 [N, V, C, H, W]).

    Accumulated in float64 over batches; std is floored at ``min_std`` so that a dead latent
    dimension cannot blow up the standardised values.
    """
    autoencoder.eval()
    total = sq = None
    for start in range(0, len(images), batch_size):
        z = autoencoder.encode(images[start : start + batch_size].float() / 255.0).double()
        total = z.sum(0) if total is None else total + z.sum(0)
        sq = (z**2).sum(0) if sq is None else sq + (z**2).sum(0)
    if total is None:
        raise SemcomError("cannot compute latent statistics of an empty dataset")
    n = len(images)
    mean = total / n
    var = (sq / n - mean**2).clamp(min=0.0) * n / max(n - 1, 1)
    return LatentStats(mean=mean.float(), std=var.sqrt().clamp(min=min_std).float())
