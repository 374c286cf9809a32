"""Tables generated from the code at build time, so the docs cannot go stale.

Directives (usable from MyST pages as ```{semcom-axes}``` etc.):

* ``semcom-axes``: every sweep grid axis of :data:`semcom.sweep.axes.AXES` with its type,
  allowed values, default, the schemes it applies to and its help text.
* ``semcom-dataclass DOTTED.PATH``: the fields of a config dataclass with type and default.
* ``semcom-datasets``: the registered datasets (:data:`semcom.data.registry.DATASETS`).

Also checks every TOML code block of a page that holds a ``[[grid]]`` table with semcom's own
parser (:func:`semcom.sweep.config.parse_experiment`): an example experiment the code rejects is
a build warning (an error under ``-W``).
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import re
import typing

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)
TOML_BLOCK = re.compile(r"^```toml\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _cell(text: str, literal: bool = False) -> nodes.entry:
    entry = nodes.entry()
    para = nodes.paragraph()
    para += nodes.literal(text=text) if literal and text else nodes.Text(text)
    entry += para
    return entry


def _table(header: list[str], rows: list[list[tuple[str, bool]]], widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["semcom-generated"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    row = nodes.row()
    for title in header:
        row += _cell(title)
    head += row
    group += head
    body = nodes.tbody()
    for cells in rows:
        row = nodes.row()
        for text, literal in cells:
            row += _cell(text, literal)
        body += row
    group += body
    return table


def _toml(value: object) -> str:
    """A default as it is written in a TOML file (absent when None)."""
    if value is None:
        return "(absent)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def _allowed(axis) -> str:
    """The 'allowed: ...' text the axis's own check prints for a bad value."""
    probe = math.nan if axis.kind in (int, float) else "\x00"
    message = axis.check(probe) or ""
    text = message.split("allowed: ", 1)[-1].removesuffix(", not NaN")
    if axis.kind is str and axis.check("auto") is None and "auto" not in text.split(", "):
        text = "auto, " + text
    return text


class AxesTable(SphinxDirective):
    """The grid axes of an experiment file."""

    def run(self) -> list[nodes.Node]:
        from semcom.sweep.axes import AXES, SCHEMES

        rows = []
        for axis in AXES.values():
            schemes = "all" if set(axis.schemes) == set(SCHEMES) else ", ".join(axis.schemes)
            rows.append([
                (axis.name, True), (axis.kind.__name__, False), (_allowed(axis), False),
                (_toml(axis.default), True), (schemes, False), (axis.help, False),
            ])
        header = ["axis", "type", "allowed", "default", "schemes", "meaning"]
        return [_table(header, rows, [12, 6, 30, 12, 16, 30])]


def _type_name(hint: object) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


class DataclassTable(SphinxDirective):
    """Fields of a config dataclass: ``.. semcom-dataclass:: module.Class``."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        module_name, _, name = self.arguments[0].rpartition(".")
        cls = getattr(importlib.import_module(module_name), name)
        hints = typing.get_type_hints(cls)
        rows = []
        for field in dataclasses.fields(cls):
            if field.default is not dataclasses.MISSING:
                default = _toml(field.default)
            elif field.default_factory is not dataclasses.MISSING:
                default = _toml(field.default_factory())
            else:
                default = "(required)"
            rows.append([(field.name, True), (_type_name(hints[field.name]), False),
                         (default, not default.startswith("("))])
        return [_table(["key", "type", "default"], rows, [20, 20, 30])]


class DatasetsTable(SphinxDirective):
    """The registered datasets, read from their ``INFO``."""

    def run(self) -> list[nodes.Node]:
        from semcom.data.registry import DATASETS, dataset_info

        rows = []
        for name in DATASETS:
            info = dataset_info(name)
            counts = " / ".join(f"{info.default_counts[s]:,}" for s in ("train", "val", "test")
                                if s in info.default_counts) or "from disk"
            sizes = ", ".join(str(s) for s in info.sizes)
            background = "none" if info.background is None else str(tuple(info.background))
            rows.append([
                (name, True), (info.description, False),
                (f"{info.num_views}: " + ", ".join(info.view_names), False),
                (str(info.num_classes), False), (f"{sizes} (default {info.default_size})", False),
                (counts, False), (background, False),
            ])
        header = ["name", "what", "views", "classes", "sizes (px)", "train / val / test",
                  "background"]
        return [_table(header, rows, [10, 30, 22, 6, 12, 16, 12])]


def check_examples(app, docname: str, source: list[str]) -> None:
    """source-read: parse every experiment in a ```toml block of the page."""
    from semcom.errors import SemcomError
    from semcom.sweep.config import parse_experiment
    from semcom.sweep.grid import expand

    for number, match in enumerate(TOML_BLOCK.finditer(source[0]), start=1):
        text = match.group(1)
        if "[[grid]]" not in text:
            continue
        try:
            expand(parse_experiment(text, f"{docname}, TOML block {number}"))
        except SemcomError as err:
            logger.warning("example experiment rejected by semcom: %s", err, location=docname)


def setup(app) -> dict[str, object]:
    app.add_directive("semcom-axes", AxesTable)
    app.add_directive("semcom-dataclass", DataclassTable)
    app.add_directive("semcom-datasets", DatasetsTable)
    app.connect("source-read", check_examples)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
