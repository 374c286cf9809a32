"""Loading the receiver's imputer by name for a dataset (bundled weights by default).

Bundled MVLD models live in ``semcom/assets/bundled/mvld/<dataset>-<size>px/`` as the
checkpoints ``autoencoder`` and ``score_net`` (safetensors + JSON); the peer VAEs (SMVAE,
MoPoE-VAE, MVAE, :mod:`semcom.models.peers`) in ``peers/<method>/<dataset>-<size>px/<method>``.
``$SEMCOM_MODELS`` points at another folder of the same layout. A model that is not there is
looked for where its trainer writes by default, relative to the working directory:
``runs/<dataset>/autoencoder/autoencoder`` + ``runs/<dataset>/diffusion/score_net`` (mvld) and
``runs/<dataset>/<method>/<method>`` (the VAEs), so a freshly trained model is used as is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from semcom.errors import SemcomError, check_choice
from semcom.sampler_defaults import DEFAULT_GUIDANCE, DEFAULT_SAMPLER, DEFAULT_STEPS

#: imputer name -> its loader (None: a built-in, loaded by :func:`load_imputer` itself)
IMPUTERS: dict[str, Callable[..., object] | None] = {"mvld": None, "smvae": None, "mopoe": None, "mvae": None}
MODELS_ENV = "SEMCOM_MODELS"


def register_imputer(name: str, loader: Callable[..., object]) -> None:
    """Register an imputer: ``loader(dataset, size, *, sampler, steps, guidance)`` returns an
    :class:`~semcom.models.imputer.Imputer` (views space: the hybrid scheme, ``semcom evaluate``)
    or a :class:`~semcom.models.imputer.LatentImputer` (also the semantic scheme)."""
    if IMPUTERS.get(name, loader) is None:
        raise SemcomError(f"imputer name {name!r} is a built-in imputer; choose another name")
    IMPUTERS[name] = loader


def imputer_names() -> tuple[str, ...]:
    """Every imputer a sweep or a command may name."""
    return tuple(IMPUTERS)


def models_root() -> Path:
    if os.environ.get(MODELS_ENV):
        return Path(os.environ[MODELS_ENV])
    return Path(__file__).resolve().parents[1] / "assets" / "bundled"


def mvld_folder(dataset: str, size: int) -> Path:
    return models_root() / "mvld" / f"{dataset}-{size}px"


def peer_folder(method: str, dataset: str, size: int) -> Path:
    return models_root() / "peers" / method / f"{dataset}-{size}px"


def _first_checkpoint(candidates, missing: str):
    """The first candidate (a checkpoint path, or a tuple of them) whose JSON files all exist;
    the one-line error ``missing`` otherwise."""
    for paths in candidates:
        group = paths if isinstance(paths, tuple) else (paths,)
        if all(path.with_suffix(".json").is_file() for path in group):
            return paths
    raise SemcomError(missing)


def mvld_checkpoints(dataset: str, size: int) -> tuple[Path, Path]:
    """(autoencoder, score net) checkpoint paths: the models folder's, else the training runs'."""
    folder = mvld_folder(dataset, size)
    runs = Path("runs") / dataset
    return _first_checkpoint(
        [(folder / "autoencoder", folder / "score_net"),
         (runs / "autoencoder" / "autoencoder", runs / "diffusion" / "score_net")],
        f"no trained mvld model for {dataset} at {size}px in {folder} or {runs}/{{autoencoder,diffusion}}; "
        f"train one with `semcom train autoencoder --dataset {dataset}` and `semcom train diffusion --dataset {dataset}`",
    )


def peer_checkpoint(method: str, dataset: str, size: int) -> Path:
    """The ``method`` checkpoint path: the models folder's, else the training run's."""
    folder = peer_folder(method, dataset, size)
    run = Path("runs") / dataset / method
    return _first_checkpoint(
        [folder / method, run / method],
        f"no trained {method} model for {dataset} at {size}px in {folder} or {run}; train one with "
        f"`semcom train {method} --dataset {dataset}`",
    )


def load_mvld(dataset: str, size: int, *, autoencoder_path=None, score_net_path=None,
              sampler: str = DEFAULT_SAMPLER, steps: int = DEFAULT_STEPS,
              guidance: float = DEFAULT_GUIDANCE, guidance_max_t: float = 1.0):
    """The MVLD imputer for ``dataset`` at image side ``size``: the given checkpoints, else
    those :func:`mvld_checkpoints` finds; checks that they fit the dataset. ``guidance_max_t``:
    guide only the steps at times t <= it (:mod:`semcom.diffusion.guidance`)."""
    from semcom.data import dataset_info
    from semcom.models.checkpoint import load_autoencoder, load_score_net
    from semcom.models.imputer import MVLDImputer

    info = dataset_info(dataset)
    if autoencoder_path is None or score_net_path is None:
        found = mvld_checkpoints(dataset, size)
        autoencoder_path = autoencoder_path or found[0]
        score_net_path = score_net_path or found[1]
    autoencoder, stats, _ = load_autoencoder(autoencoder_path, views=info.num_views, channels=info.channels,
                                             image_size=size, dataset=dataset, require_stats=True)
    score_net, _ = load_score_net(score_net_path, views=autoencoder.config.views,
                                  latent_dim=autoencoder.config.latent_dim)
    return MVLDImputer(autoencoder, score_net, stats, sampler=sampler, steps=steps, guidance=guidance,
                       guidance_max_t=guidance_max_t)


def load_imputer(name: str, dataset: str, *, size: int | None = None, sampler: str = DEFAULT_SAMPLER,
                 steps: int = DEFAULT_STEPS, guidance: float = DEFAULT_GUIDANCE, autoencoder_path=None,
                 score_net_path=None, peer_path=None, guidance_max_t: float = 1.0):
    """The imputer ``name`` trained on ``dataset`` at image side ``size`` (dataset default).

    autoencoder_path, score_net_path: mvld's checkpoints (default: :func:`mvld_checkpoints`);
    peer_path: a VAE's checkpoint (default: :func:`peer_checkpoint`).

    sampler, steps, guidance: the diffusion sampler of mvld and its guidance weight;
    guidance_max_t: mvld guides only the steps at times t <= it (the VAEs need none: one encoder and one
    decoder pass, the latent drawn from their posterior). The VAEs come wrapped in a
    :class:`~semcom.models.peers.link.ViewSpaceImputer`: in the semantic scheme they impute
    from the views decoded by the MVLD autoencoder, whose latents are what is sent (the same
    bandwidth as mvld); the MVLD model is loaded only when the semantic link needs it.
    """
    from semcom.data import dataset_info

    check_choice("imputer", name, IMPUTERS)
    info = dataset_info(dataset)
    size = info.check_size(size)
    if guidance_max_t != 1.0 and name != "mvld":
        raise SemcomError(f"guidance_max_t is an option of mvld's sampler; {name} has none (leave it at 1)")
    if IMPUTERS[name] is not None:
        return IMPUTERS[name](dataset, size, sampler=sampler, steps=steps, guidance=guidance)
    if name != "mvld":
        from semcom.models.peers.link import ViewSpaceImputer

        codec = lambda: load_imputer("mvld", dataset, size=size, sampler=sampler, steps=steps,  # noqa: E731
                                     guidance=guidance)
        path = peer_path or peer_checkpoint(name, dataset, size)
        return ViewSpaceImputer(_load_peer_imputer(name, path, size, info), codec)
    if peer_path is not None:
        raise SemcomError("a VAE checkpoint was given for mvld; mvld takes autoencoder_path and score_net_path")
    return load_mvld(dataset, size, autoencoder_path=autoencoder_path, score_net_path=score_net_path,
                     sampler=sampler, steps=steps, guidance=guidance, guidance_max_t=guidance_max_t)


def _load_peer_imputer(method: str, path, size: int, info):
    from semcom.models.peers import PeerImputer, load_peer

    model, _ = load_peer(path, method, views=info.num_views, channels=info.channels, image_size=size)
    return PeerImputer(model)
