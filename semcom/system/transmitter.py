"""Transmitters: what goes on the air for a batch of objects, one packet per sent view.

:class:`SemanticTransmitter` encodes every view to a standardised latent with the imputer's
autoencoder and, for each view the policy sends, quantises it to ``bits`` bits per value (a
digital packet; the link adds the CRC) or leaves it real for the analog link.
:class:`BitExactTransmitter` encodes each sent view's pixels into an image file (PNG, JPEG,
WebP, AVIF) and sends the file's bits. :class:`JSCCTransmitter` maps each sent view's pixels
straight to channel symbols (DeepJSCC).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from semcom.system.codecs import CodecConfig, bytes_to_bits, encode
from semcom.system.quantiser import QuantiserConfig, levels_to_bits, quantise


@dataclass
class Packets:
    """One packet per sent view.

    index:   [P, 2] int64, (object, view) of each packet, objects in order
    payload: P tensors: bits [K_i] float32 0/1 (digital) or latents [D] float32 (analog)
    shape:   (B, V), the batch the packets come from
    real:    the payloads are real values for the analog link, not bits
    """

    index: torch.Tensor
    payload: list[torch.Tensor]
    shape: tuple[int, int]
    real: bool = False

    @property
    def bits(self) -> torch.Tensor:
        """[P] int64 payload bits per packet (digital)."""
        return torch.tensor([p.numel() for p in self.payload], dtype=torch.long)


def sent_index(sent: torch.Tensor) -> torch.Tensor:
    """sent: [B, V] bool -> [P, 2] int64 (object, view) pairs, row-major."""
    return sent.nonzero(as_tuple=False)


class SemanticTransmitter:
    """Latents of the sent views, quantised (``quantiser`` given) or real (analog: None)."""

    def __init__(self, imputer, quantiser: QuantiserConfig | None):
        self.imputer = imputer
        self.quantiser = quantiser

    @torch.no_grad()
    def packets(self, views: torch.Tensor, sent: torch.Tensor) -> Packets:
        """views: [B, V, C, H, W] float32 in [0, 1]; sent: [B, V] bool."""
        index = sent_index(sent)
        latents = self.imputer.encode(views)[index[:, 0], index[:, 1]].flatten(1)  # [P, D]
        if self.quantiser is None:
            return Packets(index, list(latents), tuple(sent.shape), real=True)
        bits = levels_to_bits(quantise(latents, self.quantiser), self.quantiser.bits)
        return Packets(index, list(bits), tuple(sent.shape))


class BitExactTransmitter:
    """Each sent view as an image file; ``files`` keeps the encoded bytes of the last batch."""

    def __init__(self, codec: CodecConfig):
        self.codec = codec
        self.files: list[bytes] = []

    def packets(self, views: torch.Tensor, sent: torch.Tensor) -> Packets:
        """views: [B, V, C, H, W] float32 in [0, 1]; sent: [B, V] bool."""
        index = sent_index(sent)
        pixels = to_uint8(views)
        self.files = [encode(pixels[b, v], self.codec) for b, v in index.tolist()]
        payload = [torch.from_numpy(bytes_to_bits(f).astype(np.float32)) for f in self.files]
        return Packets(index, payload, tuple(sent.shape))


class JSCCTransmitter:
    """Each sent view through a DeepJSCC encoder (:mod:`semcom.models.jscc`) at the cell's
    nominal SNR: real packets [2 S] (S complex symbols of unit average power) for the analog link."""

    def __init__(self, model, snr_db: float):
        self.model = model
        self.snr_db = snr_db

    @torch.no_grad()
    def packets(self, views: torch.Tensor, sent: torch.Tensor) -> Packets:
        """views: [B, V, C, H, W] float32 in [0, 1]; sent: [B, V] bool."""
        index = sent_index(sent)
        if not len(index):
            return Packets(index, [], tuple(sent.shape), real=True)
        symbols = self.model.encode(views[index[:, 0], index[:, 1]], self.snr_db)  # [P, 2 S]
        return Packets(index, list(symbols), tuple(sent.shape), real=True)


def to_uint8(views: torch.Tensor) -> np.ndarray:
    """[..., C, H, W] float in [0, 1] -> numpy uint8 (rounded)."""
    return (views.clamp(0, 1) * 255.0).round().to(torch.uint8).numpy()
