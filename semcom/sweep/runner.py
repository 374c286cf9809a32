"""Running cells: the per-process context, and the local and Ray executors.

A scheme runner is ``run(cell, context) -> dict`` of measured columns; it is named in the scheme
registry (:data:`semcom.sweep.schemes.SCHEME_RUNNERS`) as ``"module:function"`` and imported
on first use. A cell that raises
stops the sweep (rows already written stay); nothing is swallowed into a result row.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable, Iterable

from semcom.sweep.config import ExperimentConfig, parse_experiment
from semcom.sweep.grid import Cell, cell_id, expand
from semcom.sweep.schemes import SCHEME_RUNNERS
from semcom.sweep.store import ResultsStore

EXECUTORS = ("local", "ray")


class SweepContext:
    """What the cells of one experiment share inside one process (datasets, models, metric
    backbones), built lazily through :meth:`cached`."""

    def __init__(self, config: ExperimentConfig, examples_dir: str | None = None):
        self.config = config
        self.examples_dir = examples_dir  # where runners may save what the receiver shows
        self._cache: dict[object, object] = {}

    def cached(self, key: object, factory: Callable[[], object]) -> object:
        if key not in self._cache:
            self._cache[key] = factory()
        return self._cache[key]


def resolve_runner(scheme: str) -> Callable[[Cell, SweepContext], dict]:
    runner = SCHEME_RUNNERS[scheme]
    if callable(runner):
        return runner
    module, _, name = runner.partition(":")
    return getattr(importlib.import_module(module), name)


def run_cell(cell: Cell, context: SweepContext) -> dict[str, object]:
    """Run one cell and return its full row (cell axes, measured columns, bookkeeping)."""
    start = time.perf_counter()
    measured = resolve_runner(cell.scheme)(cell, context)
    return {
        "cell_id": cell_id(cell, context.config),
        **cell.as_dict(),
        **measured,
        "dataset": context.config.data.dataset,
        "n_objects": measured.get("n_objects", context.config.data.n_objects),
        "wall_s": round(time.perf_counter() - start, 3),
    }


def _execute_local(cells: list[Cell], context: SweepContext) -> Iterable[dict]:
    for cell in cells:
        yield run_cell(cell, context)


_RAY_CONTEXTS: dict[str, SweepContext] = {}


def _run_on_worker(config_text: str, file: str, cell: Cell) -> dict:
    """Ray task body: one context per worker process and experiment."""
    if config_text not in _RAY_CONTEXTS:
        _RAY_CONTEXTS[config_text] = SweepContext(parse_experiment(config_text, file))
    return run_cell(cell, _RAY_CONTEXTS[config_text])


def _execute_ray(cells: list[Cell], config: ExperimentConfig, address: str | None) -> Iterable[dict]:
    try:
        import ray
    except ImportError:
        from semcom.errors import SemcomError

        raise SemcomError("--executor ray needs Ray: pip install 'semcom[ray]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        address = address or os.environ.get("RAY_ADDRESS") or None
        # A local instance's workers import the same modules as this process; on a cluster
        # semcom must be installed on the nodes.
        runtime_env = None if address else {"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}}
        local = {} if address else {"_node_ip_address": "127.0.0.1"}  # stay on loopback
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 runtime_env=runtime_env, configure_logging=False, **local)
    try:
        task = ray.remote(_run_on_worker)
        pending = [task.remote(config.source_text, config.name, cell) for cell in cells]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])
    finally:
        if started_here:
            ray.shutdown()


def _warn(message: str) -> None:
    print(f"semcom: warning: {message}", file=sys.stderr)


def run_sweep(
    config: ExperimentConfig,
    out_dir: str,
    *,
    executor: str = "local",
    resume: bool = False,
    overwrite: bool = False,
    ray_address: str | None = None,
    progress: bool = True,
    echo: Callable[[str], None] = print,
    warn: Callable[[str], None] = _warn,
) -> ResultsStore:
    """Run every cell of ``config`` not yet in ``out_dir/results.csv`` and append its row.

    resume: keep the table's complete rows (incomplete ones are reported through ``warn``,
    default: a ``semcom: warning:`` line on stderr, and run again); overwrite: replace the
    table, but only once the first new row exists; both at once are refused."""
    from tqdm.auto import tqdm

    from semcom.errors import check_choice

    check_choice("executor", executor, EXECUTORS)
    cells = expand(config)
    store = ResultsStore(out_dir)
    store.prepare(config.source_text, resume=resume, overwrite=overwrite)
    for message in store.warnings:
        warn(message)
    done = store.done_ids()
    todo = [c for c in cells if cell_id(c, config) not in done]
    echo(f"{config.name}: {len(cells)} cells, {len(cells) - len(todo)} already done, "
         f"{len(todo)} to run ({executor}) -> {store.csv_path}")
    context = SweepContext(config, str(store.examples_dir))
    rows = _execute_local(todo, context) if executor == "local" else _execute_ray(todo, config, ray_address)
    with tqdm(total=len(todo), desc=config.name, unit="cell", disable=not progress) as bar:
        for row in rows:
            store.append(row)
            context.examples_dir = str(store.examples_dir)  # out of staging after an overwrite's first row
            bar.set_postfix_str(f"{row['scheme']} {row['channel']} {row['snr_db']} dB k={row['views_sent']}")
            bar.update()
    return store
