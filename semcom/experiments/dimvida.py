"""DiMViDA (seed 003, Table II) on a multi-view dataset: multi-view augmentation for classifiers.

Splits (the paper's NMR_d, NMR_c, NMR_e):

* *diffusion part* (all views): the split the imputer was trained on (``diffusion_split``,
  ``train`` for the bundled MVLD models); only named here, it is never read;
* *classifier training part* (one random view per object) and *evaluation part* (one random view
  per object): disjoint sets of objects drawn (seeded) from ``pool_objects`` objects of the
  held-out ``pool_split``, which must differ from ``diffusion_split``.

``imputer = "oracle"`` replaces the generated views by the object's real other views (the
dataset has them): an upper bound on what multi-view augmentation can give on this data.

Protocol: for each architecture, training set (``single``: the real views; ``augmented``: the real
views plus the V - 1 views the imputer generates from each) and seed, a classifier is trained
from scratch and tested on the evaluation part by ``single`` (the real view) and ``averaged``
(argmax of the mean of the V outputs over the real view and its generated views; the outputs
are softmax probabilities unless ``average = "logits"``). Results: mean and sample standard
deviation over seeds, one row per (architecture, train_set, test_protocol); ``n_train`` counts
training images (N_c for ``single``, V N_c for ``augmented``), ``n_test`` evaluation objects.
Every training runs the same number of epochs, so ``augmented`` takes V times more steps.

Run: ``semcom experiment dimvida [--config experiments/dimvida/dimvida.toml]``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import ClassVar, NamedTuple

import numpy as np
import pandas as pd
import torch

from semcom.errors import SemcomError, check_choice
from semcom.experiments.augment import imputer_digest, load_or_generate
from semcom.experiments.classify import AVERAGES, TrainSettings, evaluate, train_classifier
from semcom.models.classifiers import ARCHITECTURES
from semcom.models.train_config import load_toml_config, positive
from semcom.sampler_defaults import DEFAULT_GUIDANCE, DEFAULT_SAMPLER, DEFAULT_STEPS
from semcom.system.imputers import IMPUTERS

TRAIN_SETS = ("single", "augmented")
#: ``imputer = "oracle"``: the "generated" views are the object's real other views (upper bound)
ORACLE = "oracle"
TEST_PROTOCOLS = ("single", "averaged")
TABLE_COLUMNS = ("architecture", "train_set", "test_protocol", "mean_accuracy", "std_accuracy",
                 "seeds", "n_train", "n_test")


@dataclasses.dataclass(frozen=True)
class DimvidaConfig:
    """The experiment's settings (experiments/dimvida/dimvida.toml; flat keys)."""

    KIND: ClassVar[str] = "dimvida"  # the experiments/ file kind (semcom.config_kinds)

    dataset: str = "mvshapes"
    image_size: int | None = None  # the dataset's default when None
    diffusion_split: str = "train"  # the imputer's (all-view) training split: NMR_d
    pool_split: str = "test"  # held-out split the single-view parts are drawn from
    pool_objects: int = 1000
    data_seed: int = 0  # which objects the dataset builds
    n_train: int = 600  # objects in the classifier training part (NMR_c)
    n_test: int = 400  # objects in the evaluation part (NMR_e)
    split_seed: int = 0  # which objects go where, and which view each keeps
    imputer: str = "mvld"  # or "oracle": the real other views instead of generated ones
    sampler: str = DEFAULT_SAMPLER
    steps: int = DEFAULT_STEPS
    guidance: float = DEFAULT_GUIDANCE  # weight of guidance from the joint mode (0 = none)
    generation_seed: int = 0
    generation_batch: int = 100
    architectures: tuple[str, ...] = ("resnet18_s2", "mobilenetv3_small")
    seeds: tuple[int, ...] = (0, 1, 2)
    epochs: int = 20
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.0
    average: str = "probs"
    workers: int = 2  # training processes, one thread each
    output_dir: str = "results/dimvida"

    def __post_init__(self) -> None:
        where = "dimvida config"
        positive(where, pool_objects=self.pool_objects, n_train=self.n_train, n_test=self.n_test,
                 steps=self.steps, generation_batch=self.generation_batch, epochs=self.epochs,
                 batch_size=self.batch_size, lr=self.lr, workers=self.workers)
        for arch in self.architectures:
            check_choice("architecture", arch, ARCHITECTURES)
        check_choice("average", self.average, AVERAGES)
        check_choice("imputer", self.imputer, (*IMPUTERS, ORACLE))
        if not self.architectures or not self.seeds:
            raise SemcomError(f"{where}: architectures and seeds must not be empty")
        if len(set(self.seeds)) != len(self.seeds):
            raise SemcomError(f"{where}: seeds must be distinct, got {list(self.seeds)}")
        if self.pool_split == self.diffusion_split:
            raise SemcomError(
                f"{where}: pool_split {self.pool_split!r} must differ from diffusion_split "
                f"{self.diffusion_split!r} (the classifier objects must be unseen by the imputer)"
            )
        if self.n_train + self.n_test > self.pool_objects:
            raise SemcomError(
                f"{where}: n_train + n_test = {self.n_train + self.n_test} exceeds pool_objects "
                f"= {self.pool_objects}"
            )

    @property
    def train_settings(self) -> TrainSettings:
        return TrainSettings(self.epochs, self.batch_size, self.lr, self.weight_decay)


def load_config(path: str | Path | None, **overrides) -> DimvidaConfig:
    """The config from TOML ``path`` (defaults when None) with ``overrides`` (None ignored)."""
    return load_toml_config(DimvidaConfig, path, overrides)


class SingleViewSplit(NamedTuple):
    """One view of each of some objects. objects: [N] int64 indices into the pool; views: [N] int64."""

    objects: torch.Tensor
    views: torch.Tensor


def make_splits(n_pool: int, n_train: int, n_test: int, num_views: int, seed: int
                ) -> tuple[SingleViewSplit, SingleViewSplit]:
    """Disjoint classifier-training and evaluation parts, one uniformly random view per object.

    Objects: a seeded permutation of ``range(n_pool)``; the first ``n_train`` train, the next
    ``n_test`` evaluate. Same arguments -> same splits.
    """
    if n_train + n_test > n_pool:
        raise SemcomError(f"n_train + n_test = {n_train + n_test} exceeds the {n_pool} objects available")
    generator = torch.Generator().manual_seed(int(seed))
    order = torch.randperm(n_pool, generator=generator)
    views = torch.randint(0, num_views, (n_train + n_test,), generator=generator)
    return (SingleViewSplit(order[:n_train], views[:n_train]),
            SingleViewSplit(order[n_train : n_train + n_test], views[n_train:]))


def real_views(images: torch.Tensor, split: SingleViewSplit) -> torch.Tensor:
    """images: [N_pool, V, C, H, W] -> the kept view of each object of ``split``: [N, C, H, W]."""
    return images[split.objects, split.views]


def training_set(real: torch.Tensor, augmented: torch.Tensor, labels: torch.Tensor, train_set: str
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """Images [M, C, H, W] and labels [M] of training set ``single`` (M = N) or ``augmented`` (M = V N).

    real: [N, C, H, W]; augmented: [N, V, C, H, W] (holding the real view); labels: [N].
    """
    check_choice("train_set", train_set, TRAIN_SETS)
    if train_set == "single":
        return real, labels
    n, v = augmented.shape[:2]
    return augmented.reshape(n * v, *augmented.shape[2:]), labels.repeat_interleave(v)


class Prepared(NamedTuple):
    """Everything the training jobs need: uint8 images and int64 labels."""

    train_real: torch.Tensor  # [N_c, C, H, W]
    train_augmented: torch.Tensor  # [N_c, V, C, H, W]
    train_labels: torch.Tensor  # [N_c]
    test_real: torch.Tensor  # [N_e, C, H, W]
    test_augmented: torch.Tensor  # [N_e, V, C, H, W]
    test_labels: torch.Tensor  # [N_e]
    num_classes: int
    provenance: dict


def prepare(config: DimvidaConfig, imputer=None, *, progress: bool = True) -> Prepared:
    """Load the pool, split it, and generate (or load from the cache) the augmented views."""
    from semcom.data import dataset_info, load_dataset
    from semcom.system.imputers import load_imputer

    info = dataset_info(config.dataset)
    size = info.check_size(config.image_size)
    oracle = config.imputer == ORACLE
    if imputer is None and not oracle:  # before the data: a missing model fails fast
        imputer = load_imputer(config.imputer, config.dataset, size=size, sampler=config.sampler,
                               steps=config.steps, guidance=config.guidance)
    pool = load_dataset(config.dataset, config.pool_split, size=size, n=config.pool_objects,
                        seed=config.data_seed, progress=progress)
    if len(pool) < config.n_train + config.n_test:
        raise SemcomError(f"{config.dataset} {config.pool_split} has {len(pool)} objects; "
                          f"n_train + n_test = {config.n_train + config.n_test}")
    train_split, test_split = make_splits(len(pool), config.n_train, config.n_test, info.num_views,
                                          config.split_seed)
    out, cache_files = {}, {}
    for name, split in (("train", train_split), ("test", test_split)):
        real = real_views(pool.images, split)
        key = {"dataset": config.dataset, "size": size, "pool_split": config.pool_split,
               "data_seed": config.data_seed, "split": name, "split_seed": config.split_seed}
        if oracle:  # the object's true other views: the best any imputer could do
            out[name] = (real, pool.images[split.objects], pool.labels[split.objects])
            continue
        augmented, path, hit = load_or_generate(imputer, real, split.views, key, seed=config.generation_seed,
                                                batch_size=config.generation_batch, progress=progress)
        out[name] = (real, augmented, pool.labels[split.objects])
        cache_files[name] = {"file": str(path), "cache_hit": hit}
    provenance = {"imputer": config.imputer, "imputer_digest": ORACLE if oracle else imputer_digest(imputer),
                  "augmented_views": cache_files, "image_size": size}
    return Prepared(*out["train"], *out["test"], info.num_classes, provenance)


def _run_job(args: tuple) -> list[dict]:
    """One classifier: train on ``train_set`` with ``seed``, test under both protocols."""
    arch, train_set, seed, data, num_classes, settings, average = args
    torch.set_num_threads(1)
    images, labels = training_set(data.train_real, data.train_augmented, data.train_labels, train_set)
    start = time.perf_counter()
    model = train_classifier(arch, images, labels, num_classes, settings, seed)
    scores = evaluate(model, data.test_real, data.test_augmented, data.test_labels, average=average)
    seconds = time.perf_counter() - start
    return [{"architecture": arch, "train_set": train_set, "test_protocol": protocol, "seed": seed,
             "accuracy": scores[protocol], "n_train": len(labels), "n_test": len(data.test_labels),
             "seconds": seconds} for protocol in TEST_PROTOCOLS]


def run_protocol(config: DimvidaConfig, data: Prepared, *, progress: bool = True) -> pd.DataFrame:
    """All (architecture, train set, seed) trainings; one row per test protocol and seed."""
    from tqdm.auto import tqdm

    slim = data._replace(provenance={})
    jobs = [(arch, train_set, seed, slim, data.num_classes, config.train_settings, config.average)
            for arch in config.architectures for train_set in TRAIN_SETS for seed in config.seeds]
    # the 4x larger augmented trainings first, so that the two workers finish together
    jobs.sort(key=lambda job: job[1] != "augmented")
    rows: list[dict] = []
    bar = tqdm(total=len(jobs), desc="classifiers", unit="run", disable=not progress)
    if config.workers == 1:
        for job in jobs:
            rows += _run_job(job)
            bar.update()
    else:
        with ProcessPoolExecutor(config.workers) as pool:
            for future in as_completed([pool.submit(_run_job, job) for job in jobs]):
                rows += future.result()
                bar.update()
    bar.close()
    order = {"architecture": list(config.architectures), "train_set": list(TRAIN_SETS),
             "test_protocol": list(TEST_PROTOCOLS)}
    runs = pd.DataFrame(rows)
    for column, values in order.items():
        runs[column] = pd.Categorical(runs[column], values, ordered=True)
    return runs.sort_values(["architecture", "train_set", "test_protocol", "seed"]).reset_index(drop=True)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Per-seed rows -> the table: mean and sample std (ddof = 1; 0 for one seed) of accuracy."""
    keys = ["architecture", "train_set", "test_protocol"]
    grouped = runs.groupby(keys, observed=True, sort=True)
    table = grouped.agg(mean_accuracy=("accuracy", "mean"),
                        std_accuracy=("accuracy", lambda a: float(np.std(a, ddof=1)) if len(a) > 1 else 0.0),
                        seeds=("seed", "count"), n_train=("n_train", "first"), n_test=("n_test", "first"))
    return table.reset_index()[list(TABLE_COLUMNS)]


def run_dimvida(config: DimvidaConfig, *, imputer=None, progress: bool = True) -> dict:
    """The whole experiment: writes table.csv, runs.csv, dimvida.png and run.json to ``output_dir``.

    Returns {"table": DataFrame, "runs": DataFrame, "files": [paths], "seconds": float}.
    """
    from semcom.experiments.figure import accuracy_bars
    from semcom.paths import atomic_write_bytes

    start = time.perf_counter()
    data = prepare(config, imputer, progress=progress)
    generated = time.perf_counter()
    runs = run_protocol(config, data, progress=progress)
    table = summarise(runs)
    seconds = time.perf_counter() - start
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "table.csv", out / "runs.csv", out / "dimvida.png", out / "run.json"]
    atomic_write_bytes(files[0], table.to_csv(index=False, float_format="%.4f").encode())
    atomic_write_bytes(files[1], runs.to_csv(index=False, float_format="%.4f").encode())
    figure = accuracy_bars(table, title=f"DiMViDA on {config.dataset} ({config.imputer} views): {len(config.seeds)} seeds, "
                                        f"{config.n_train} training / {config.n_test} test objects")
    figure.savefig(files[2], dpi=150, bbox_inches="tight")
    meta = {"config": dataclasses.asdict(config), **data.provenance,
            "seconds_total": round(seconds, 1), "seconds_data_and_generation": round(generated - start, 1),
            "cpu_count": os.cpu_count(), "torch": torch.__version__, "python": platform.python_version()}
    atomic_write_bytes(files[3], (json.dumps(meta, indent=2) + "\n").encode())
    return {"table": table, "runs": runs, "files": files, "seconds": seconds}
