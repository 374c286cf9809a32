"""Image codecs through Pillow for the bit-exact baseline: PNG (lossless), JPEG, WebP, AVIF.

A view ``[C, H, W] uint8`` is encoded to the exact bytes a real file would hold; the payload
the link carries is ``8 * len(bytes)`` bits. Qualities follow each codec's Pillow scale
(1-100 for JPEG, WebP and AVIF; PNG has none and is always lossless).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from semcom.errors import SemcomError, check_choice

CODECS: dict[str, str] = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "avif": "AVIF"}
LOSSY = ("jpeg", "webp", "avif")


def available_codecs() -> tuple[str, ...]:
    """Codecs this Pillow build can write (AVIF needs Pillow >= 11.2 built with libavif)."""
    from PIL import features

    feature = {"png": "zlib", "jpeg": "jpg", "webp": "webp", "avif": "avif"}
    return tuple(c for c in CODECS if features.check(feature[c]))


@dataclass(frozen=True)
class CodecConfig:
    """codec: png | jpeg | webp | avif; quality: 1-100 for the lossy codecs (ignored for png)."""

    codec: str = "jpeg"
    quality: int = 75

    def __post_init__(self) -> None:
        check_choice("codec", self.codec, CODECS)
        if self.codec not in available_codecs():
            raise SemcomError(f"codec {self.codec!r} is not available in this Pillow build; available: "
                              + ", ".join(available_codecs()))
        if self.codec in LOSSY and not 1 <= int(self.quality) <= 100:
            raise SemcomError(f"{self.codec} quality must be 1 to 100, got {self.quality}")


def encode(image: np.ndarray, config: CodecConfig) -> bytes:
    """image: [C, H, W] uint8 (C = 1 or 3) -> the encoded file's bytes."""
    from PIL import Image

    if image.dtype != np.uint8 or image.ndim != 3:
        raise ValueError(f"expected [C, H, W] uint8, got {image.dtype} {image.shape}")
    pil = Image.fromarray(image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0))
    buffer = io.BytesIO()
    options: dict = {}
    if config.codec == "png":
        options = {"optimize": True}
    elif config.codec == "jpeg":
        options = {"quality": int(config.quality), "subsampling": "4:2:0"}
    elif config.codec == "webp":
        options = {"quality": int(config.quality), "method": 6}
    else:
        options = {"quality": int(config.quality), "speed": 6}
    pil.save(buffer, format=CODECS[config.codec], **options)
    return buffer.getvalue()


def decode(data: bytes, channels: int = 3) -> np.ndarray:
    """The decoded image [channels, H, W] uint8."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as pil:
        array = np.asarray(pil.convert("L" if channels == 1 else "RGB"))
    return array[None] if channels == 1 else array.transpose(2, 0, 1).copy()


def bytes_to_bits(data: bytes) -> np.ndarray:
    """The file's bits, most significant first: [8 * len(data)] uint8 0/1."""
    return np.unpackbits(np.frombuffer(data, dtype=np.uint8))


def bits_to_bytes(bits: np.ndarray) -> bytes:
    """Inverse of :func:`bytes_to_bits` (length a multiple of 8)."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes()
