"""Sweeps: expand an experiment file's grid into cells, run them (locally or on Ray), and append
one tidy row per cell to ``results/<name>/results.csv`` (resumable, never duplicated)."""

from semcom.sweep.config import ExperimentConfig, load_experiment
from semcom.sweep.grid import Cell, expand

__all__ = ["Cell", "ExperimentConfig", "expand", "load_experiment"]
