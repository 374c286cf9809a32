"""Receivers: from the packets that arrived to all V views of every object.

A view is *observed* when it was sent and its packet arrived (CRC passed; analog packets always
arrive). :class:`SemanticReceiver` dequantises the observed latents, lets the imputer generate
the latents of the missing views (none observed: joint generation) and decodes all views.
:class:`BitExactReceiver` decodes the image files that arrived; a missing view is shown as a
flat mid-grey image, or, with an imputer (the *hybrid* receiver), generated from the views
that arrived. :class:`JSCCReceiver` decodes DeepJSCC symbols the same way (they always arrive,
distorted).
"""

from __future__ import annotations

import numpy as np
import torch

from channels.link import PacketOutcome
from semcom.system.codecs import CodecConfig, bits_to_bytes, decode
from semcom.system.quantiser import QuantiserConfig, bits_to_levels, dequantise
from semcom.system.transmitter import Packets

MISSING_FILL = 0.5  # what a receiver without an imputer shows for a view it does not have


def with_missing_views(views: torch.Tensor, observed: torch.Tensor, imputer, generator: torch.Generator) -> torch.Tensor:
    """views [B, V, C, H, W] with the views not observed grey (:data:`MISSING_FILL`) or, with an
    ``imputer``, generated from the observed ones."""
    if imputer is None or bool(observed.all()):
        return views
    return imputer.impute(views, observed, generator)


def observed_mask(packets: Packets, arrived: list[torch.Tensor | None]) -> torch.Tensor:
    """[B, V] bool: views whose packet arrived."""
    observed = torch.zeros(packets.shape, dtype=torch.bool)
    for (b, v), payload in zip(packets.index.tolist(), arrived):
        observed[b, v] = payload is not None
    return observed


class SemanticReceiver:
    def __init__(self, imputer, quantiser: QuantiserConfig | None, latent_shape: tuple[int, ...]):
        self.imputer = imputer
        self.quantiser = quantiser
        self.latent_shape = latent_shape  # per view, e.g. (D,)

    @torch.no_grad()
    def receive(
        self, packets: Packets, outcome: PacketOutcome, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """outcome: what the link delivered (:class:`~channels.link.PacketOutcome`) ->
        (views [B, V, C, H, W], observed [B, V])."""
        arrived = outcome.payloads
        batch, num_views = packets.shape
        latents = torch.zeros(batch, num_views, *self.latent_shape)
        observed = observed_mask(packets, arrived)
        for (b, v), payload in zip(packets.index.tolist(), arrived):
            if payload is None:
                continue
            if self.quantiser is not None:
                payload = dequantise(bits_to_levels(payload, self.quantiser.bits), self.quantiser)
            latents[b, v] = payload.reshape(self.latent_shape)
        imputed = self.imputer.impute_latents(latents, observed, generator)
        return self.imputer.decode(imputed), observed


class BitExactReceiver:
    def __init__(self, codec: CodecConfig, image_shape: tuple[int, int, int], imputer=None):
        self.codec = codec
        self.image_shape = image_shape  # (C, H, W)
        self.imputer = imputer

    @torch.no_grad()
    def receive(
        self, packets: Packets, outcome: PacketOutcome, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """As :meth:`SemanticReceiver.receive`: the image files that arrived, decoded."""
        arrived = outcome.payloads
        batch, num_views = packets.shape
        views = torch.full((batch, num_views, *self.image_shape), MISSING_FILL)
        observed = torch.zeros(batch, num_views, dtype=torch.bool)
        for (b, v), payload in zip(packets.index.tolist(), arrived):
            if payload is None:
                continue
            try:
                pixels = decode(bits_to_bytes(payload.numpy().astype(np.uint8)), self.image_shape[0])
            except OSError:  # an undetected error broke the file: the view is lost
                continue
            views[b, v] = torch.from_numpy(pixels).float() / 255.0
            observed[b, v] = True
        return with_missing_views(views, observed, self.imputer, generator), observed


class JSCCReceiver:
    """Decodes each received view with the DeepJSCC decoder at the SNR the link reports for its
    packet (perfect CSI); views not sent are grey, or generated from the decoded ones by
    ``imputer`` (any view-space :class:`~semcom.models.imputer.Imputer`)."""

    def __init__(self, model, image_shape: tuple[int, int, int], imputer=None):
        self.model = model
        self.image_shape = image_shape  # (C, H, W)
        self.imputer = imputer

    @torch.no_grad()
    def receive(
        self, packets: Packets, outcome: PacketOutcome, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """As :meth:`SemanticReceiver.receive`; ``outcome.snr_db`` must be reported (the analog link does)."""
        batch, num_views = packets.shape
        views = torch.full((batch, num_views, *self.image_shape), MISSING_FILL)
        observed = observed_mask(packets, outcome.payloads)
        if outcome.payloads:
            if outcome.snr_db is None:
                raise ValueError("JSCCReceiver needs the SNR of each packet (PacketOutcome.snr_db); "
                                 "send over channels.analog.AnalogLink")
            decoded = self.model.decode(torch.stack(outcome.payloads), outcome.snr_db)
            views[packets.index[:, 0], packets.index[:, 1]] = decoded
        return with_missing_views(views, observed, self.imputer, generator), observed
