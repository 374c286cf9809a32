import numpy as np
import pytest

from semcom.errors import SemcomError
from semcom.system.codecs import (
    CodecConfig,
    available_codecs,
    bits_to_bytes,
    bytes_to_bits,
    decode,
    encode,
)


@pytest.fixture
def image():
    y, x = np.mgrid[0:32, 0:32]
    rgb = np.stack([x * 8, y * 8, (x + y) * 4]).astype(np.uint8)
    rgb[:, 10:20, 10:20] = 255
    return rgb


def test_png_is_lossless(image):
    data = encode(image, CodecConfig("png"))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(decode(data), image)


@pytest.mark.parametrize("codec", ["jpeg", "webp", "avif"])
def test_lossy_codecs_trade_size_for_error(image, codec):
    if codec not in available_codecs():
        pytest.skip(f"{codec} not in this Pillow build")
    low, high = (encode(image, CodecConfig(codec, q)) for q in (10, 95))
    assert len(low) < len(high)
    err_low = np.abs(decode(low).astype(int) - image).mean()
    err_high = np.abs(decode(high).astype(int) - image).mean()
    assert err_high < err_low


def test_bits_round_trip(image):
    data = encode(image, CodecConfig("jpeg", 50))
    bits = bytes_to_bits(data)
    assert bits.size == 8 * len(data)
    assert bits_to_bytes(bits) == data


@pytest.mark.parametrize("kwargs, message", [
    ({"codec": "bpg"}, "unknown codec 'bpg'; allowed: png, jpeg, webp, avif"),
    ({"codec": "jpeg", "quality": 0}, "jpeg quality must be 1 to 100"),
])
def test_bad_codec_settings(kwargs, message):
    with pytest.raises(SemcomError, match=message):
        CodecConfig(**kwargs)
