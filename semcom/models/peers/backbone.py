"""Convolutional view encoders and decoders of the MVLD autoencoder's size, for the VAEs.

The conv trunks are exactly those of :class:`semcom.models.autoencoder.ViewAutoencoder`
(Conv C-32-64-128, kernel 3, stride 2, SiLU, then Linear; the decoder mirrors it with a sigmoid
output). With ``shared=True`` one network serves all views and a learned per-view offset tells
it which view it sees / must draw (a per-view bias of its first or last linear layer); with
``shared=False`` every view has its own network (the per-view nets of the papers, V times the
weights).
"""

from __future__ import annotations

import torch
from torch import nn

from semcom.models.autoencoder import AutoencoderConfig, ViewAutoencoder


def _trunk(channels: int, image_size: int, dim: int, widths: tuple[int, ...]) -> ViewAutoencoder:
    config = AutoencoderConfig(
        views=1, channels=channels, image_size=image_size, latent_dim=dim, widths=widths
    )
    return ViewAutoencoder(config)


class ViewEncoders(nn.Module):
    """x: [B, V, C, H, W] in [0, 1] -> features [B, V, out_dim], one row per view."""

    def __init__(
        self,
        views: int,
        channels: int,
        image_size: int,
        out_dim: int,
        widths: tuple[int, ...],
        shared: bool,
    ) -> None:
        super().__init__()
        self.shared = shared
        n_nets = 1 if shared else views
        self.nets = nn.ModuleList(
            _trunk(channels, image_size, out_dim, widths).encoder for _ in range(n_nets)
        )
        self.view_offset = nn.Parameter(torch.zeros(views, out_dim)) if shared else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, v = x.shape[:2]
        if self.shared:
            out = self.nets[0](x.flatten(0, 1)).reshape(b, v, -1)
            return out + self.view_offset
        return torch.stack([net(x[:, i]) for i, net in enumerate(self.nets)], dim=1)


class ViewDecoders(nn.Module):
    """z: [B, D] (one latent for the whole object) -> views [B, V, C, H, W] in [0, 1]."""

    def __init__(
        self,
        views: int,
        channels: int,
        image_size: int,
        latent_dim: int,
        widths: tuple[int, ...],
        shared: bool,
    ) -> None:
        super().__init__()
        self.views, self.shared = views, shared
        self.view_shape = (channels, image_size, image_size)
        n_nets = 1 if shared else views
        self.nets = nn.ModuleList(
            _trunk(channels, image_size, latent_dim, widths).decoder for _ in range(n_nets)
        )
        self.view_offset = nn.Parameter(torch.zeros(views, latent_dim)) if shared else None

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        # The VAEs keep a sigmoid output (their Laplace likelihood was trained with it); the MVLD
        # autoencoder's trunk itself has a linear output since it stuck at blank images with one.
        b = z.shape[0]
        if self.shared:
            zv = z[:, None, :] + self.view_offset  # [B, V, D]
            out = torch.sigmoid(self.nets[0](zv.flatten(0, 1)))
            return out.reshape(b, self.views, *out.shape[1:])
        return torch.stack([torch.sigmoid(net(z)) for net in self.nets], dim=1)

    def decode_selected(self, z: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Only the views a loss needs: z [B, D], mask [B, V] bool -> [N, C, H, W], N = mask.sum().

        Row n is view v of object b for the n-th True entry (b, v) of ``mask`` in row-major
        order, i.e. ``forward(z)[mask]`` without drawing the views that are thrown away.
        """
        rows, views = mask.nonzero(as_tuple=True)
        if self.shared:
            return torch.sigmoid(self.nets[0](z[rows] + self.view_offset[views]))
        out = z.new_empty((len(rows), *self.view_shape))
        for i, net in enumerate(self.nets):
            pick = views == i
            if pick.any():
                out[pick] = torch.sigmoid(net(z[rows[pick]]))
        return out
